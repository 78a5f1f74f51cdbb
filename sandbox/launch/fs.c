/* Mounts from the filesystem plan (fs.h), in an order where each step
 * still sees what it needs: the paths to bind are cloned before anything
 * covers them, the host is made read-only before the private and the
 * writable mounts are attached on top, hidden paths are covered last. */
#include "launch/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "rules/fs_plan.h"

/* The device nodes of a private /dev, bound from the host's (bubblewrap's
 * --dev and systemd's PrivateDevices= give the same set). */
static const char *const devices[] = {"null", "zero", "full", "random", "urandom", "tty", NULL};
#define N_DEVICES 6

/* Symlinks of a private /dev. */
static const struct {
        const char *name, *target;
} dev_links[] = {
        {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
        {"stderr", "/proc/self/fd/2"}, {"ptmx", "pts/ptmx"},
};

/* The API file systems, which ProtectSystem=strict leaves as they were. */
static const char *const api_dirs[] = {"/dev", "/proc", "/sys", NULL};
#define N_API 3

struct build {
        const struct lp_fs_plan *plan;
        const struct lp_fs_options *o;
        int *clones;            /* per plan rule: its clone, or -1 */
        int devices[N_DEVICES]; /* clones of the host's device nodes */
        int api[N_API];         /* clones of /dev, /proc, /sys as they were */
        enum lp_step *step;
};

static int set_attr(int dirfd, const char *path, unsigned flags, uint64_t set, uint64_t clr)
{
        struct mount_attr attr = {.attr_set = set, .attr_clr = clr};
        return mount_setattr(dirfd, path, flags, &attr, sizeof(attr)) < 0 ? -errno : 0;
}

/* A detached copy of the mounts at `path` (and below it). */
static int clone_tree(const char *path)
{
        int fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        return fd < 0 ? -errno : fd;
}

static int attach(int fd, const char *path)
{
        return move_mount(fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0 ? -errno : 0;
}

static bool exists(const char *path, struct stat *st)
{
        struct stat ignored;
        return lstat(path, st ? st : &ignored) == 0;
}

static bool is_bound_path(const struct lp_fs_rule *r)
{
        return r->kind == LP_FS_READ_WRITE_PATH || r->kind == LP_FS_READ_ONLY_PATH ||
               r->kind == LP_FS_WORKDIR;
}

static bool plan_has(const struct lp_fs_plan *plan, enum lp_fs_kind kind)
{
        for (size_t i = 0; i < plan->n_rules; i++)
                if (plan->rules[i].kind == kind)
                        return true;
        return false;
}

/* ---- 1. clone what later mounts cover ---- */

static int clone_sources(struct build *b)
{
        const struct lp_fs_plan *plan = b->plan;
        *b->step = LP_STEP_FS_CLONE;
        for (size_t i = 0; i < plan->n_rules; i++) {
                if (!is_bound_path(&plan->rules[i]))
                        continue;
                int fd = clone_tree(plan->rules[i].path);
                if (fd < 0)
                        return fd;
                b->clones[i] = fd;
        }
        for (size_t i = 0; plan_has(plan, LP_FS_PRIVATE_DEVICES) && devices[i]; i++) {
                char path[32];
                snprintf(path, sizeof(path), "/dev/%s", devices[i]);
                if ((b->devices[i] = clone_tree(path)) < 0)
                        return b->devices[i];
        }
        /* A private /dev replaces the host's: no need to keep it. */
        bool private_dev = plan_has(plan, LP_FS_PRIVATE_DEVICES);
        for (size_t i = 0; plan_has(plan, LP_FS_API) && api_dirs[i]; i++) {
                if (!exists(api_dirs[i], NULL) || (private_dev && strcmp(api_dirs[i], "/dev") == 0))
                        continue;
                if ((b->api[i] = clone_tree(api_dirs[i])) < 0)
                        return b->api[i];
        }
        return 0;
}

/* ---- 2. the host read-only ---- */

static int bind_read_only(const char *path)
{
        int fd = clone_tree(path);
        if (fd < 0)
                return fd;
        int r = set_attr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
                         MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0);
        if (r >= 0)
                r = attach(fd, path);
        close(fd);
        return r;
}

static int protect_system(struct build *b)
{
        const struct lp_fs_plan *plan = b->plan;
        *b->step = LP_STEP_FS_READ_ONLY;
        for (size_t i = 0; i < plan->n_rules; i++) {
                const struct lp_fs_rule *r = &plan->rules[i];
                if (r->kind != LP_FS_PROTECT_SYSTEM)
                        continue;
                int q = strcmp(r->path, "/") == 0
                                ? set_attr(AT_FDCWD, "/", AT_RECURSIVE,
                                           MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0)
                                : (exists(r->path, NULL) ? bind_read_only(r->path) : 0);
                if (q < 0)
                        return q;
        }
        /* strict: /dev, /proc and /sys as they were before (their own
         * protections are PrivateDevices= and ProtectKernelTunables=). */
        for (size_t i = 0; i < N_API; i++) {
                int r = b->api[i] >= 0 ? attach(b->api[i], api_dirs[i]) : 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- 3. private /dev ---- */

/* A new tmpfs, detached: 0 or -errno, the mount in *ret. */
static int new_tmpfs(const char *mode, uint64_t size, uint64_t attrs, int *ret)
{
        char bytes[32];
        int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        int r = fsconfig(fs, FSCONFIG_SET_STRING, "mode", mode, 0);
        if (r >= 0 && size) {
                snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)size);
                r = fsconfig(fs, FSCONFIG_SET_STRING, "size", bytes, 0);
        }
        if (r >= 0)
                r = fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
        int mnt = r >= 0 ? fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attrs) : -1;
        r = r < 0 || mnt < 0 ? -errno : 0;
        close(fs);
        if (r < 0)
                return r;
        *ret = mnt;
        return 0;
}

/* The files and links of a private /dev, in the new tmpfs (not yet attached). */
static int populate_dev(int dev)
{
        for (size_t i = 0; devices[i]; i++) {
                int fd = openat(dev, devices[i], O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
                if (fd < 0)
                        return -errno;
                close(fd);
        }
        for (size_t i = 0; i < LP_ELEMENTSOF(dev_links); i++)
                if (symlinkat(dev_links[i].target, dev, dev_links[i].name) < 0)
                        return -errno;
        if (mkdirat(dev, "pts", 0755) < 0 || mkdirat(dev, "shm", 01777) < 0 ||
            fchmodat(dev, "shm", 01777, 0) < 0)
                return -errno;
        return 0;
}

/* A devpts of its own: the command's ptys are not the host's. */
static int mount_devpts(void)
{
        int fs = fsopen("devpts", FSOPEN_CLOEXEC);
        if (fs < 0)
                return -errno;
        int r = fsconfig(fs, FSCONFIG_SET_FLAG, "newinstance", NULL, 0);
        if (r >= 0)
                r = fsconfig(fs, FSCONFIG_SET_STRING, "ptmxmode", "0666", 0);
        if (r >= 0)
                r = fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0620", 0);
        if (r >= 0)
                r = fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
        int mnt = r >= 0 ? fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC) : -1;
        r = r < 0 || mnt < 0 ? -errno : attach(mnt, "/dev/pts");
        if (mnt >= 0)
                close(mnt);
        close(fs);
        return r;
}

static int private_devices(struct build *b)
{
        if (!plan_has(b->plan, LP_FS_PRIVATE_DEVICES))
                return 0;
        *b->step = LP_STEP_FS_DEVICES;
        int dev;
        int r = new_tmpfs("0755", 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, &dev);
        if (r < 0)
                return r;
        r = populate_dev(dev);
        if (r >= 0)
                r = attach(dev, "/dev");
        close(dev);
        for (size_t i = 0; r >= 0 && devices[i]; i++) {
                char path[32];
                snprintf(path, sizeof(path), "/dev/%s", devices[i]);
                r = attach(b->devices[i], path);
        }
        return r >= 0 ? mount_devpts() : r;
}

/* ---- 4. private /tmp, /var/tmp, /dev/shm ---- */

static int private_tmp(struct build *b)
{
        const struct lp_fs_plan *plan = b->plan;
        *b->step = LP_STEP_FS_TMP;
        for (size_t i = 0; i < plan->n_rules; i++) {
                const struct lp_fs_rule *r = &plan->rules[i];
                if (r->kind != LP_FS_PRIVATE_TMP || !exists(r->path, NULL))
                        continue;
                int tmp;
                int q = new_tmpfs("1777", b->o->tmp_size, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                                  &tmp);
                if (q >= 0) {
                        q = attach(tmp, r->path);
                        close(tmp);
                }
                if (q < 0)
                        return q;
        }
        return 0;
}

/* ---- 5. kernel tunables and cgroupfs read-only ---- */

static int protect_kernel(struct build *b)
{
        const struct lp_fs_plan *plan = b->plan;
        *b->step = LP_STEP_FS_TUNABLES;
        for (size_t i = 0; i < plan->n_rules; i++) {
                const struct lp_fs_rule *r = &plan->rules[i];
                if ((r->kind != LP_FS_TUNABLES && r->kind != LP_FS_CGROUPS) ||
                    !exists(r->path, NULL))
                        continue;
                int q = bind_read_only(r->path);
                if (q < 0)
                        return q;
        }
        return 0;
}

/* ---- 6. the paths of ReadWritePaths= and ReadOnlyPaths= ---- */

/* A mount point where there is none: a path inside a private tmpfs.
 * Directories as deep as needed, then a directory or a file like the
 * source. */
static int make_mount_point(const char *path, int source)
{
        struct stat st;
        if (exists(path, NULL))
                return 0;
        if (fstat(source, &st) < 0)
                return -errno;
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        for (char *slash = strchr(copy + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = '\0';
                if (mkdir(copy, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *slash = '/';
        }
        if (S_ISDIR(st.st_mode))
                return mkdir(path, 0755) < 0 && errno != EEXIST ? -errno : 0;
        int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

/* In plan order, so that a path is attached before the paths below it. */
static int bind_paths(struct build *b)
{
        const struct lp_fs_plan *plan = b->plan;
        *b->step = LP_STEP_FS_PATHS;
        for (size_t i = 0; i < plan->n_rules; i++) {
                const struct lp_fs_rule *r = &plan->rules[i];
                if (!is_bound_path(r))
                        continue;
                int q = make_mount_point(r->path, b->clones[i]);
                if (q >= 0 && r->access == LP_FS_READ_ONLY)
                        q = set_attr(b->clones[i], "", AT_EMPTY_PATH | AT_RECURSIVE,
                                     MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0);
                if (q >= 0)
                        q = attach(b->clones[i], r->path);
                if (q < 0)
                        return q;
        }
        return 0;
}

/* ---- 7. hidden paths ---- */

/* One inode per hidden rule: a watch can then tell which path an open
 * reached (fanotify reports the inode, not the path it came by). */
static int add_inode(int store, const struct lp_fs_rule *r, size_t index, bool readable, ino_t *ret)
{
        char name[32];
        struct stat st;
        snprintf(name, sizeof(name), "%zu", index);
        bool dir = stat(r->path, &st) == 0 && S_ISDIR(st.st_mode);
        if (dir && mkdirat(store, name, readable ? 0555 : 0) < 0)
                return -errno;
        if (!dir) {
                int fd = openat(store, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
                                readable ? 0444 : 0);
                if (fd < 0)
                        return -errno;
                close(fd);
        }
        /* The directory was made with the mode asked for, not the umask's. */
        if (fchmodat(store, name, dir ? (readable ? 0555 : 0) : (readable ? 0444 : 0), 0) < 0 ||
            fstatat(store, name, &st, 0) < 0)
                return -errno;
        *ret = st.st_ino;
        return 0;
}

int lp_fs_store_create(const struct lp_fs_plan *plan, bool readable, struct lp_fs_store *ret)
{
        struct lp_fs_store store = {.fd = -1, .n = plan->n_rules};
        store.inos = calloc(plan->n_rules ? plan->n_rules : 1, sizeof(*store.inos));
        if (!store.inos)
                return -ENOMEM;
        int r = new_tmpfs("0755", 1 << 20, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &store.fd);
        for (size_t i = 0; r >= 0 && i < plan->n_rules; i++)
                if (plan->rules[i].kind == LP_FS_HIDDEN_PATH)
                        r = add_inode(store.fd, &plan->rules[i], i, readable, &store.inos[i]);
        if (r < 0) {
                lp_fs_store_done(&store);
                return r;
        }
        *ret = store;
        return 0;
}

void lp_fs_store_done(struct lp_fs_store *store)
{
        if (store->fd >= 0)
                close(store->fd);
        free(store->inos);
        *store = (struct lp_fs_store){.fd = -1};
}

static int hide(const struct lp_fs_store *store, size_t index, const char *path)
{
        struct stat st;
        char name[32];
        if (!exists(path, &st))
                return 0; /* not in the command's view (a private /tmp covers it) */
        snprintf(name, sizeof(name), "%zu", index);
        int fd = open_tree(store->fd, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = set_attr(
                fd, "", AT_EMPTY_PATH,
                MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, 0);
        if (r >= 0)
                r = attach(fd, path);
        close(fd);
        return r;
}

static int hide_paths(struct build *b)
{
        const struct lp_fs_plan *plan = b->plan;
        if (!plan_has(plan, LP_FS_HIDDEN_PATH))
                return 0;
        *b->step = LP_STEP_FS_HIDE;
        struct lp_fs_store own = {.fd = -1};
        const struct lp_fs_store *store = b->o->store;
        int r = 0;
        if (!store) {
                r = lp_fs_store_create(plan, false, &own);
                store = &own;
        }
        for (size_t i = 0; r >= 0 && i < plan->n_rules; i++)
                if (plan->rules[i].kind == LP_FS_HIDDEN_PATH)
                        r = hide(store, i, plan->rules[i].path);
        lp_fs_store_done(&own);
        return r;
}

/* ---- the whole ---- */

static void close_all(struct build *b)
{
        for (size_t i = 0; b->clones && i < b->plan->n_rules; i++)
                if (b->clones[i] >= 0)
                        close(b->clones[i]);
        for (size_t i = 0; i < N_DEVICES; i++)
                if (b->devices[i] >= 0)
                        close(b->devices[i]);
        for (size_t i = 0; i < N_API; i++)
                if (b->api[i] >= 0)
                        close(b->api[i]);
        free(b->clones);
}

int lp_fs_apply(const struct lp_fs_plan *plan, const struct lp_fs_options *o,
                enum lp_step *ret_step)
{
        struct build b = {.plan = plan, .o = o, .step = ret_step};
        memset(b.devices, 0xff, sizeof(b.devices));
        memset(b.api, 0xff, sizeof(b.api));
        b.clones = malloc((plan->n_rules ? plan->n_rules : 1) * sizeof(int));
        if (!b.clones)
                return -ENOMEM;
        memset(b.clones, 0xff, (plan->n_rules ? plan->n_rules : 1) * sizeof(int));
        /* Nothing below may reach the host's mount table. */
        *ret_step = LP_STEP_FS_CLONE;
        int r = mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ? -errno : 0;
        if (r >= 0)
                r = clone_sources(&b);
        if (r >= 0)
                r = protect_system(&b);
        if (r >= 0)
                r = private_devices(&b);
        if (r >= 0)
                r = private_tmp(&b);
        if (r >= 0)
                r = protect_kernel(&b);
        if (r >= 0)
                r = bind_paths(&b);
        if (r >= 0)
                r = hide_paths(&b);
        close_all(&b);
        if (r < 0)
                return r;
        /* The working directory again, in the new view: the old one is
         * the dentry under the mounts just made. */
        *ret_step = LP_STEP_FS_CHDIR;
        return chdir(o->cwd) < 0 ? -errno : 0;
}
