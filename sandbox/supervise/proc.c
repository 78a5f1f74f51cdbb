#include "supervise/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"
#include "supervise/listeners.h"

/* Up to three numbers after `key` ("Tgid:", "Uid:") in /proc/PID/status;
 * returns how many were read, 0 when the process is gone. */
static int status_field(int pid, const char *key, unsigned vals[3])
{
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        FILE *f = fopen(path, "re");
        int found = 0;
        size_t len = strlen(key);
        while (f && !found && fgets(line, sizeof(line), f))
                if (strncmp(line, key, len) == 0)
                        found = sscanf(line + len, "%u %u %u", &vals[0], &vals[1], &vals[2]);
        if (f)
                fclose(f);
        return found < 0 ? 0 : found;
}

int lp_proc_thread_group(int tid)
{
        unsigned v[3];
        return status_field(tid, "Tgid:", v) >= 1 ? (int)v[0] : tid;
}

/* Linux 6.13: a task's ids through a pidfd (PIDFD_GET_INFO), one ioctl
 * where /proc/PID/status has the kernel format the whole file on each
 * read (a watched chown asked it twice, most of its cost). Debian 12's
 * headers predate it and PIDFD_THREAD (6.9); the layout is the first
 * version of struct pidfd_info, whose size the request carries. */
struct pidfd_info_v0 {
        uint64_t mask;
        uint64_t cgroupid;
        uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
        int32_t spare0;
};
#define PIDFD_INFO_CREDS_V0 (1UL << 1)
#define PIDFD_GET_INFO_V0 _IOWR(0xFF, 11, struct pidfd_info_v0)
#define PIDFD_THREAD_FLAG O_EXCL

/* Both the uids and the gids of tid, kept for the notification: a chown
 * asks for each. */
static int pidfd_ids(struct lp_proc *proc, int tid)
{
        if (proc->ids.valid && proc->ids.tid == tid)
                return 0;
        int fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD_FLAG);
        if (fd < 0)
                return -errno;
        struct pidfd_info_v0 info = {.mask = PIDFD_INFO_CREDS_V0};
        int r = ioctl(fd, PIDFD_GET_INFO_V0, &info) < 0 ? -errno : 0;
        close(fd);
        if (r < 0)
                return r;
        proc->ids.tid = tid;
        proc->ids.valid = true;
        memcpy(proc->ids.uids, (unsigned[3]){info.ruid, info.euid, info.suid},
               sizeof(proc->ids.uids));
        memcpy(proc->ids.gids, (unsigned[3]){info.rgid, info.egid, info.sgid},
               sizeof(proc->ids.gids));
        return 0;
}

/* The real, effective and saved ids of a thread: through its pidfd, or,
 * on a kernel without PIDFD_GET_INFO (told once: EINVAL for the flag,
 * ENOTTY for the request), from /proc. */
static int proc_ids(const void *ctx, int pid, char which, unsigned ret[3])
{
        struct lp_proc *proc = (struct lp_proc *)ctx;
        if (!proc->no_pidfd_info) {
                int r = pidfd_ids(proc, pid);
                if (r == 0) {
                        memcpy(ret, which == 'u' ? proc->ids.uids : proc->ids.gids,
                               sizeof(proc->ids.uids));
                        return 0;
                }
                proc->no_pidfd_info = r == -EINVAL || r == -ENOTTY;
        }
        return status_field(pid, which == 'u' ? "Uid:" : "Gid:", ret) == 3 ? 0 : -ESRCH;
}

void lp_proc_next_call(struct lp_proc *proc)
{
        proc->ids.valid = false;
}

/* A /proc scan each: answered once per port and remembered. */
static bool proc_listener_outside(const void *ctx, int pid, uint16_t port, bool udp)
{
        struct lp_proc *proc = (struct lp_proc *)ctx;
        for (size_t i = 0; i < proc->n_ports; i++)
                if (proc->ports[i].port == port && proc->ports[i].udp == udp)
                        return proc->ports[i].outside;
        bool outside = lp_listener_is_outside(pid, port, udp);
        /* Without memory for the answer, it is asked again next time. */
        if (LP_GROW(proc->ports, proc->cap_ports, proc->n_ports) >= 0)
                proc->ports[proc->n_ports++] = (struct lp_port_owner){port, udp, outside};
        return outside;
}

static bool proc_listening(const void *ctx, int pid, uint16_t port)
{
        return lp_listener_exists(pid, port);
}

/* ---- resolving a tracee's paths ---- */

/* The symlink hops of one resolution, as the kernel allows (path_resolution(7)). */
#define MAX_HOPS 40

/* readlink into a string buffer: 0, or -errno (-ENAMETOOLONG when cut). */
static int read_link(int dirfd, const char *path, char *buf, size_t size)
{
        ssize_t n = readlinkat(dirfd, path, buf, size);
        if (n < 0)
                return -errno;
        if ((size_t)n >= size)
                return -ENAMETOOLONG;
        buf[n] = '\0';
        return 0;
}

/* The directory a relative path of pid's is relative to, as pid sees it:
 * its cwd, or the directory dirfd refers to. */
static int base_directory(int pid, int dirfd, char *buf, size_t size)
{
        char link[64];
        if (dirfd == AT_FDCWD)
                snprintf(link, sizeof(link), "/proc/%d/cwd", pid);
        else
                snprintf(link, sizeof(link), "/proc/%d/fd/%d", pid, dirfd);
        int r = read_link(AT_FDCWD, link, buf, size);
        /* "socket:[...]", "(deleted)" and the like are no directory. */
        return r < 0 ? r : buf[0] == '/' ? 0 : -ENOTDIR;
}

static int join(char *buf, size_t size, const char *dir, const char *name)
{
        bool root = strcmp(dir, "/") == 0;
        int n = snprintf(buf, size, "%s%s%s", root ? "" : dir, "/", name);
        return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Splits `full` into its directory (in `full`) and last name (returned);
 * "" when the path names a directory itself ("/", "x/.", "x/.."). */
static const char *split_last(char *full)
{
        size_t n = strlen(full);
        while (n > 1 && full[n - 1] == '/')
                full[--n] = '\0';
        char *slash = strrchr(full, '/');
        const char *last = slash + 1;
        if (strcmp(last, ".") == 0 || strcmp(last, "..") == 0 || !*last)
                return "";
        *slash = '\0';
        if (!*full)
                strcpy(full, "/");
        return last;
}

/* The canonical path of an O_PATH fd: the kernel says it, from where the
 * tracee stands (its mount namespace), not from ours. */
static int fd_path(int fd, char *buf, size_t size)
{
        char link[64];
        snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
        return read_link(AT_FDCWD, link, buf, size);
}

static int open_in_root(int root, const char *path)
{
        struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT};
        int fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
        return fd < 0 ? -errno : fd;
}

/* One step: the directory of `full` resolved, then its last name looked
 * at. 1 when `full` became a symlink's target (another step is needed). */
static int resolve_step(int root, char *full, size_t size, bool follow, struct lp_fs_resolved *ret)
{
        char dir[LP_PATH_SIZE];
        snprintf(dir, sizeof(dir), "%s", full);
        const char *last = split_last(dir);
        _cleanup_close_ int fd = open_in_root(root, *last ? dir : full);
        if (fd < 0)
                return fd;
        char *at = *last ? ret->parent : ret->path;
        int r = fd_path(fd, at, sizeof(ret->path));
        if (r < 0 || !*last) {
                ret->exists = true;
                snprintf(ret->parent, sizeof(ret->parent), "%s", ret->path);
                char *slash = strrchr(ret->parent, '/');
                if (slash)
                        slash[slash == ret->parent] = '\0';
                return r;
        }
        struct stat st;
        ret->exists = fstatat(fd, last, &st, AT_SYMLINK_NOFOLLOW) == 0;
        /* EACCES: a directory that cannot be searched, as a hidden one is
         * without root; nothing in it is there for the tracee either. */
        if (!ret->exists && errno != ENOENT && errno != EACCES)
                return -errno;
        if (ret->exists && S_ISLNK(st.st_mode) && follow) {
                char target[LP_PATH_SIZE];
                if ((r = read_link(fd, last, target, sizeof(target))) < 0)
                        return r;
                r = target[0] == '/'
                            ? (snprintf(full, size, "%s", target) < (int)size ? 0 : -ENAMETOOLONG)
                            : join(full, size, ret->parent, target);
                return r < 0 ? r : 1;
        }
        return join(ret->path, sizeof(ret->path), ret->parent, last);
}

int lp_proc_absolute(int pid, int dirfd, const char *path, char *buf, size_t size)
{
        char base[LP_PATH_SIZE];
        if (path[0] == '/')
                return snprintf(buf, size, "%s", path) < (int)size ? 0 : -ENAMETOOLONG;
        int r = base_directory(pid, dirfd, base, sizeof(base));
        return r < 0 ? r : join(buf, size, base, path);
}

/* The tracee's root: its mount namespace, wherever ours is. Opened once:
 * a /proc lookup per call was a fifth of a watched write's cost. */
static int command_root(struct lp_proc *proc, int pid)
{
        if (proc->has_root)
                return proc->root;
        char link[64];
        snprintf(link, sizeof(link), "/proc/%d/root", pid);
        int fd = open(link, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        proc->root = fd;
        proc->has_root = true;
        return fd;
}

static int proc_resolve(const void *ctx, int pid, int dirfd, const char *path, bool follow,
                        struct lp_fs_resolved *ret)
{
        char full[LP_PATH_SIZE];
        int r = lp_proc_absolute(pid, dirfd, path, full, sizeof(full));
        if (r < 0)
                return r;
        int root = command_root((struct lp_proc *)ctx, pid);
        if (root < 0)
                return root;
        for (int hop = 0; hop < MAX_HOPS; hop++)
                if ((r = resolve_step(root, full, sizeof(full), follow, ret)) <= 0)
                        return r;
        return -ELOOP;
}

static int proc_hard_limit(const void *ctx, int pid, int resource, uint64_t *ret)
{
        struct rlimit64 limit;
        if (prlimit64(pid, (enum __rlimit_resource)resource, NULL, &limit) < 0)
                return -errno;
        *ret = limit.rlim_max == RLIM64_INFINITY ? UINT64_MAX : limit.rlim_max;
        return 0;
}

struct lp_proc_reader lp_proc_reader(struct lp_proc *proc)
{
        return (struct lp_proc_reader){proc_ids,     proc_listener_outside, proc_listening,
                                       proc_resolve, proc_hard_limit,       proc};
}

void lp_proc_done(struct lp_proc *proc)
{
        if (proc->has_root)
                close(proc->root);
        free(proc->ports);
        *proc = (struct lp_proc){0};
}
