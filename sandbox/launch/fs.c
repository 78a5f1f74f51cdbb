/* Mounts from the filesystem plan (fs.h). Everything a mount copies from
 * the host is cloned first, from the host's tree as it was; then the
 * host is made read-only; then each rule's mount is attached in plan
 * order, a parent before the paths below it, so that the deepest rule
 * decides what a path is, as the plan says (rules/fs_plan.h). */
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

struct build {
        const struct lp_fs_plan *plan;
        const struct lp_fs_options *o;
        int *clones;                     /* per plan rule: its clone, or -1 */
        int devices[N_DEVICES];          /* clones of the host's device nodes */
        const struct lp_fs_store *store; /* the hidden paths' inodes */
        enum lp_step *step;              /* the step under way */
        uint64_t since;                  /* when it began (lp_step_clock_us) */
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

/* Whether a rule's mount is a copy of the host's tree at its path (the
 * root itself is changed in place). */
static bool is_cloned(const struct lp_fs_rule *r)
{
        switch (r->kind) {
        case LP_FS_READ_WRITE_PATH:
        case LP_FS_READ_ONLY_PATH:
        case LP_FS_WORKDIR:
        case LP_FS_COMMAND_DIR:
        case LP_FS_API:
        case LP_FS_TUNABLES:
        case LP_FS_CGROUPS:
        case LP_FS_PROTECT_SYSTEM:
                return strcmp(r->path, "/") != 0;
        case LP_FS_PRIVATE_TMP:
        case LP_FS_PRIVATE_DEVICES:
        case LP_FS_HIDDEN_PATH:
                break;
        }
        return false;
}

/* Enters `step`: the time since the last change is the last step's. */
static void enter(struct build *b, enum lp_step step)
{
        uint64_t now = lp_step_clock_us();
        if (b->o->times)
                b->o->times->us[*b->step] += (uint32_t)(now - b->since);
        b->since = now;
        *b->step = step;
}

/* ---- 1. clone what the mounts copy, from the host as it was ---- */

static int clone_sources(struct build *b)
{
        const struct lp_fs_plan *plan = b->plan;
        enter(b, LP_STEP_FS_CLONE);
        for (size_t i = 0; i < plan->n_rules; i++) {
                const struct lp_fs_rule *r = &plan->rules[i];
                /* Protections of paths a host lacks (/efi, /proc/acpi)
                 * have nothing to protect. */
                if (b->o->premade && b->o->premade[i] >= 0) {
                        b->clones[i] = b->o->premade[i];
                        continue;
                }
                if (!is_cloned(r) || !exists(r->path, NULL))
                        continue;
                if ((b->clones[i] = clone_tree(r->path)) < 0)
                        return b->clones[i];
        }
        for (size_t i = 0; lp_fs_plan_has(plan, LP_FS_PRIVATE_DEVICES) && devices[i]; i++) {
                char path[32];
                snprintf(path, sizeof(path), "/dev/%s", devices[i]);
                if ((b->devices[i] = clone_tree(path)) < 0)
                        return b->devices[i];
        }
        return 0;
}

/* ---- 2. the root read-only ---- */

static int protect_root(struct build *b)
{
        const struct lp_fs_rule *root = lp_fs_plan_lookup(b->plan, "/");
        enter(b, LP_STEP_FS_READ_ONLY);
        if (!root || strcmp(root->path, "/") != 0 || root->access == LP_FS_WRITABLE)
                return 0;
        return set_attr(AT_FDCWD, "/", AT_RECURSIVE, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0);
}

/* ---- 3. private /dev ---- */

int lp_fs_new_tmpfs(const char *mode, uint64_t size, uint64_t attrs, int *ret)
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
        int dev;
        int r = lp_fs_new_tmpfs("0755", b->o->tmp_size, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
                                &dev);
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

static int private_tmp(struct build *b, const char *path)
{
        int tmp;
        int r = lp_fs_new_tmpfs("1777", b->o->tmp_size, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &tmp);
        if (r < 0)
                return r;
        r = attach(tmp, path);
        close(tmp);
        return r;
}

/* ---- 5. the paths bound from the host ---- */

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

/* A clone of the host's tree attached at its path: read-only (and
 * nosuid) where the rule says so. */
static int bind_clone(int clone, const struct lp_fs_rule *r)
{
        int q = make_mount_point(r->path, clone);
        if (q >= 0 && r->access == LP_FS_READ_ONLY)
                q = set_attr(clone, "", AT_EMPTY_PATH | AT_RECURSIVE,
                             MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID, 0);
        return q < 0 ? q : attach(clone, r->path);
}

/* ---- 6. hidden paths ---- */

/* One inode per hidden rule: a watch can then tell which path an open
 * reached (fanotify reports the inode, not the path it came by). */
static int add_inode(int store, const struct lp_fs_rule *r, size_t index, bool readable, ino_t *ret)
{
        char name[32];
        struct stat st;
        snprintf(name, sizeof(name), "%zu", index);
        bool dir = stat(r->path, &st) == 0 && S_ISDIR(st.st_mode);
        mode_t mode = !readable ? 0 : dir ? 0555 : 0444;
        if (dir && mkdirat(store, name, mode) < 0)
                return -errno;
        if (!dir) {
                int fd = openat(store, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
                if (fd < 0)
                        return -errno;
                close(fd);
        }
        /* The inode gets the mode asked for, not the umask's. */
        if (fchmodat(store, name, mode, 0) < 0 || fstatat(store, name, &st, 0) < 0)
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
        int r = lp_fs_new_tmpfs("0755", 1 << 20, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, &store.fd);
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

/* The entry `name` of a detached tmpfs, bound at `path`, read-only and
 * inert (nosuid, nodev, noexec). */
static int bind_inert(int tmpfs, const char *name, const char *path)
{
        int fd = open_tree(tmpfs, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
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

static int hide(const struct lp_fs_store *store, size_t index, const char *path)
{
        char name[32];
        if (!exists(path, NULL))
                return 0; /* not in the command's view (a private /tmp covers it) */
        snprintf(name, sizeof(name), "%zu", index);
        return bind_inert(store->fd, name, path);
}

/* ---- 7. the dynamic user's name ---- */

static int bind_identity_file(struct build *b, const char *name, const char *path)
{
        const struct lp_fs_rule *r = lp_fs_plan_lookup(b->plan, path);
        if (!exists(path, NULL) || (r && r->access == LP_FS_HIDDEN))
                return 0;
        return bind_inert(b->o->identity_files, name, path);
}

static int name_identity(struct build *b)
{
        if (b->o->identity_files < 0)
                return 0;
        enter(b, LP_STEP_FS_IDENTITY);
        int r = bind_identity_file(b, "passwd", "/etc/passwd");
        return r < 0 ? r : bind_identity_file(b, "group", "/etc/group");
}

/* ---- 8. each rule, in plan order ---- */

static int apply_rule(struct build *b, size_t i)
{
        const struct lp_fs_rule *r = &b->plan->rules[i];
        switch (r->kind) {
        case LP_FS_PRIVATE_DEVICES:
                enter(b, LP_STEP_FS_DEVICES);
                return private_devices(b);
        case LP_FS_PRIVATE_TMP:
                enter(b, LP_STEP_FS_TMP);
                return exists(r->path, NULL) ? private_tmp(b, r->path) : 0;
        case LP_FS_HIDDEN_PATH:
                enter(b, LP_STEP_FS_HIDE);
                return hide(b->store, i, r->path);
        case LP_FS_TUNABLES:
        case LP_FS_CGROUPS:
                enter(b, LP_STEP_FS_TUNABLES);
                break;
        case LP_FS_PROTECT_SYSTEM:
        case LP_FS_API:
                enter(b, LP_STEP_FS_READ_ONLY);
                break;
        case LP_FS_READ_WRITE_PATH:
        case LP_FS_READ_ONLY_PATH:
        case LP_FS_WORKDIR:
        case LP_FS_COMMAND_DIR:
                enter(b, LP_STEP_FS_PATHS);
                break;
        }
        return b->clones[i] >= 0 ? bind_clone(b->clones[i], r) : 0;
}

static int apply_rules(struct build *b)
{
        struct lp_fs_store own = {.fd = -1};
        int r = 0;
        b->store = b->o->store;
        if (!b->store && lp_fs_plan_has(b->plan, LP_FS_HIDDEN_PATH)) {
                enter(b, LP_STEP_FS_HIDE);
                r = lp_fs_store_create(b->plan, false, &own);
                b->store = &own;
        }
        for (size_t i = 0; r >= 0 && i < b->plan->n_rules; i++)
                r = apply_rule(b, i);
        if (r >= 0)
                r = name_identity(b);
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
        free(b->clones);
}

int lp_fs_apply(const struct lp_fs_plan *plan, const struct lp_fs_options *o,
                enum lp_step *ret_step)
{
        *ret_step = LP_STEP_FS_CLONE;
        struct build b = {.plan = plan, .o = o, .step = ret_step, .since = lp_step_clock_us()};
        memset(b.devices, 0xff, sizeof(b.devices));
        b.clones = malloc((plan->n_rules ? plan->n_rules : 1) * sizeof(int));
        if (!b.clones)
                return -ENOMEM;
        memset(b.clones, 0xff, (plan->n_rules ? plan->n_rules : 1) * sizeof(int));
        /* Nothing below may reach the host's mount table. */
        int r = mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0 ? -errno : 0;
        if (r >= 0)
                r = clone_sources(&b);
        if (r >= 0)
                r = protect_root(&b);
        if (r >= 0)
                r = apply_rules(&b);
        close_all(&b);
        if (r < 0)
                return r;
        /* The working directory again, in the new view: the old one is
         * the dentry under the mounts just made. */
        enter(&b, LP_STEP_FS_CHDIR);
        r = chdir(o->cwd) < 0 ? -errno : 0;
        enter(&b, LP_STEP_FS_CHDIR);
        return r;
}
