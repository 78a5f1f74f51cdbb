/* The dynamic user of a run (dynamic_user.h). */
#include "launch/dynamic_user.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/util.h"
#include "launch/fs.h"
#include "profile/policy.h"
#include "supervise/leftovers.h"

#define LOCK_DIR "/run/leastpriv/dynamic-id"
#define N_IDS (LP_DYNAMIC_ID_MAX - LP_DYNAMIC_ID_MIN + 1)

/* ---- the id ---- */

#define SYSTEMD_LOCK_DIR "/run/systemd/dynamic-uid"

/* Where systemd allocates dynamic users, the id is locked its way too: a
 * file of the id's there, lockf(F_TLOCK), as systemd takes it (and systemd
 * skips an id it cannot lock). A file nobody locks is a dead holder's, and
 * taken. 0 (also where systemd keeps no such directory, or lets us make
 * nothing there), or -EBUSY: systemd's, or another run's. */
static int lock_for_systemd(struct lp_dynamic_user *du, unsigned id)
{
        struct stat st;
        if (stat(SYSTEMD_LOCK_DIR, &st) < 0 || !S_ISDIR(st.st_mode))
                return 0;
        snprintf(du->systemd_path, sizeof(du->systemd_path), SYSTEMD_LOCK_DIR "/%u", id);
        int fd = open(du->systemd_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return errno == ELOOP ? -EBUSY : 0;
        /* Failed: the holder's file stays as it is. */
        if (lockf(fd, F_TLOCK, 0) < 0) {
                close(fd);
                return -EBUSY;
        }
        du->systemd_lock = fd;
        return 0;
}

/* The ids of /etc/passwd and /etc/group in the range, read directly:
 * NSS would ask every service it is configured with, at a cost a launch
 * should not pay for ids that systemd's own range already keeps free of
 * accounts (systemd's are seen by their lock files). */
static void mark_accounts(uint8_t *held)
{
        FILE *f = fopen("/etc/passwd", "re");
        for (struct passwd *pw; f && (pw = fgetpwent(f));)
                if (pw->pw_uid >= LP_DYNAMIC_ID_MIN && pw->pw_uid <= LP_DYNAMIC_ID_MAX)
                        held[pw->pw_uid - LP_DYNAMIC_ID_MIN] = 1;
        if (f)
                fclose(f);
        f = fopen("/etc/group", "re");
        for (struct group *gr; f && (gr = fgetgrent(f));)
                if (gr->gr_gid >= LP_DYNAMIC_ID_MIN && gr->gr_gid <= LP_DYNAMIC_ID_MAX)
                        held[gr->gr_gid - LP_DYNAMIC_ID_MIN] = 1;
        if (f)
                fclose(f);
}

/* A cheap look at every process: /proc/PID belongs to its effective uid
 * and gid (to root when it is not dumpable, which the careful look at a
 * stale id below covers). */
static int mark_held(uint8_t *held)
{
        DIR *d = opendir("/proc");
        if (!d)
                return -errno;
        for (struct dirent *e; (e = readdir(d));) {
                struct stat st;
                if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
                    fstatat(dirfd(d), e->d_name, &st, 0) < 0)
                        continue;
                if (st.st_uid >= LP_DYNAMIC_ID_MIN && st.st_uid <= LP_DYNAMIC_ID_MAX)
                        held[st.st_uid - LP_DYNAMIC_ID_MIN] = 1;
                if (st.st_gid >= LP_DYNAMIC_ID_MIN && st.st_gid <= LP_DYNAMIC_ID_MAX)
                        held[st.st_gid - LP_DYNAMIC_ID_MIN] = 1;
        }
        closedir(d);
        return 0;
}

static int found(int pid, unsigned id, void *ctx)
{
        return 1;
}

static int make_lock_dir(void)
{
        if (mkdir("/run/leastpriv", 0755) < 0 && errno != EEXIST)
                return -errno;
        if (mkdir(LOCK_DIR, 0700) < 0 && errno != EEXIST)
                return -errno;
        return 0;
}

/* flock on LOCK_DIR/ID. The holder unlinks the file before it lets go:
 * a lock taken on a file that is no longer the one at the path is
 * worthless, and taken again. A file that was there already is a run's
 * that ended without giving the id back (killed, or it could not remove
 * all the id held): *ret_stale. 0, -EWOULDBLOCK (another run's), or
 * -errno. */
static int lock_id(struct lp_dynamic_user *du, unsigned id, bool *ret_stale)
{
        snprintf(du->lock_path, sizeof(du->lock_path), LOCK_DIR "/%u", id);
        for (;;) {
                int fd = open(du->lock_path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                              0600);
                *ret_stale = fd < 0 && errno == EEXIST;
                if (*ret_stale)
                        fd = open(du->lock_path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0 && errno == ENOENT)
                        continue; /* given back in between */
                if (fd < 0)
                        return -errno;
                if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                        int r = -errno;
                        close(fd);
                        return r;
                }
                struct stat held, now;
                if (fstat(fd, &held) == 0 && stat(du->lock_path, &now) == 0 &&
                    held.st_ino == now.st_ino && held.st_dev == now.st_dev) {
                        du->lock = fd;
                        return 0;
                }
                close(fd);
        }
}

/* The host's shared writable directories and SysV IPC, cleaned of what a
 * killed run of `id` left (no findings: they were that run's). */
static int clean_stale(unsigned id)
{
        struct lp_leftovers left = {.id = id, .host_ipc = true, .dirs = lp_leftovers_shared_dirs};
        return lp_leftovers_clean(&left, NULL);
}

/* Locks `id` when it is free: 1 taken, 0 not free, or -errno. */
static int try_id(struct lp_dynamic_user *du, unsigned id)
{
        bool stale;
        int r = lock_id(du, id, &stale);
        if (r == -EWOULDBLOCK)
                return 0;
        if (r < 0)
                return r;
        /* A stale id is looked at closely: every uid and gid of every
         * process; then what the killed run left where any uid may write.
         * Still held: skipped, its lock file left for the next. */
        bool held = stale &&
                    (lp_leftovers_foreach_holder(id, id, found, NULL) != 0 || clean_stale(id) < 0);
        /* systemd holds it since our look: our own lock file goes again. */
        if (!held && lock_for_systemd(du, id) < 0)
                unlink(du->lock_path);
        else if (!held)
                return 1;
        close(du->lock);
        du->lock = -1;
        return 0;
}

int lp_dynamic_user_acquire(struct lp_dynamic_user *du)
{
        _cleanup_free_ uint8_t *held = calloc(N_IDS, 1);
        if (!held)
                return -ENOMEM;
        int r = make_lock_dir();
        if (r >= 0)
                r = mark_held(held);
        mark_accounts(held);
        for (unsigned id = LP_DYNAMIC_ID_MIN; r >= 0 && id <= LP_DYNAMIC_ID_MAX; id++) {
                if (held[id - LP_DYNAMIC_ID_MIN] || (r = try_id(du, id)) <= 0)
                        continue;
                du->id = id;
                snprintf(du->name, sizeof(du->name), "leastpriv-%u", id);
                return 0;
        }
        return r < 0 ? r : -EBUSY;
}

/* ---- the idmapping ---- */

static int write_map(pid_t pid, const char *file, unsigned inside, unsigned outside)
{
        char path[64], line[64];
        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        snprintf(line, sizeof(line), "%u %u 1\n", inside, outside);
        return lp_write_text(path, line);
}

/* The child of the idmapping: born in the new user namespace, it only
 * waits for the parent to be done with it. */
static int hold_namespace(void *arg)
{
        char c;
        const int *done = arg;
        close(done[1]); /* a copy of the descriptor table: EOF when the parent closes its own */
        (void)!read(done[0], &c, 1);
        return 0;
}

/* A child is cloned into a new user namespace (sharing our memory: no
 * page tables to copy); we write its mapping and keep the namespace by a
 * descriptor, then let the child go. */
int lp_dynamic_user_idmap(struct lp_dynamic_user *du, uid_t caller_uid, gid_t caller_gid)
{
        enum { STACK = 64 * 1024 };
        int done[2];
        _cleanup_free_ char *stack = malloc(STACK);
        if (!stack)
                return -ENOMEM;
        if (pipe2(done, O_CLOEXEC) < 0)
                return -errno;
        pid_t pid = clone(hold_namespace, stack + STACK, CLONE_VM | CLONE_NEWUSER | SIGCHLD, done);
        char path[64];
        int r = pid < 0 ? -errno : 0;
        if (r >= 0)
                r = write_map(pid, "uid_map", (unsigned)caller_uid, du->id);
        if (r >= 0)
                r = write_map(pid, "gid_map", (unsigned)caller_gid, du->id);
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
        if (r >= 0 && (du->userns = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                r = -errno;
        close(done[1]);
        if (pid > 0)
                while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                        ;
        close(done[0]);
        return r;
}

/* ---- passwd and group ---- */

/* Copies the host's file into `fd`, then `line`. */
static int write_with_line(int fd, const char *host, const char *line)
{
        char buf[8192];
        int in = open(host, O_RDONLY | O_CLOEXEC);
        ssize_t n = 0;
        bool newline = true;
        while (in >= 0 && (n = read(in, buf, sizeof(buf))) > 0) {
                if (write(fd, buf, (size_t)n) != n) {
                        n = -1;
                        break;
                }
                newline = buf[n - 1] == '\n';
        }
        int r = n < 0 ? -errno : 0;
        if (in >= 0)
                close(in);
        if (r >= 0 && !newline && write(fd, "\n", 1) != 1)
                r = -errno;
        if (r >= 0 && write(fd, line, strlen(line)) != (ssize_t)strlen(line))
                r = -errno;
        return r;
}

static int add_file(int dir, const char *name, const char *host, const char *line)
{
        int fd = openat(dir, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        int r = write_with_line(fd, host, line);
        if (r >= 0 && fchmod(fd, 0644) < 0)
                r = -errno;
        close(fd);
        return r;
}

int lp_dynamic_user_files(struct lp_dynamic_user *du, const char *home)
{
        _cleanup_free_ char *passwd = NULL, *group = NULL;
        if (asprintf(&passwd, "%s:x:%u:%u:leastpriv dynamic user:%s:/bin/sh\n", du->name, du->id,
                     du->id, home && *home ? home : "/") < 0 ||
            asprintf(&group, "%s:x:%u:\n", du->name, du->id) < 0)
                return -ENOMEM;
        int r = lp_fs_new_tmpfs("0755", 1 << 20,
                                MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                                &du->files);
        if (r >= 0)
                r = add_file(du->files, "passwd", "/etc/passwd", passwd);
        if (r >= 0)
                r = add_file(du->files, "group", "/etc/group", group);
        return r;
}

void lp_dynamic_user_release(struct lp_dynamic_user *du, bool clean)
{
        if (du->userns >= 0)
                close(du->userns);
        if (du->files >= 0)
                close(du->files);
        if (du->systemd_lock >= 0) {
                unlink(du->systemd_path);
                close(du->systemd_lock);
        }
        if (du->lock >= 0) {
                /* Kept when the id may still hold something: the next run
                 * that picks the id looks at it closely. */
                if (clean)
                        unlink(du->lock_path);
                close(du->lock);
        }
        *du = (struct lp_dynamic_user)LP_DYNAMIC_USER_INIT;
}
