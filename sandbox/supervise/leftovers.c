/* Leftovers of a dynamic user (leftovers.h). */
#include "supervise/leftovers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "findings/escape.h"
#include "findings/findings.h"
#include "profile/policy.h"

const char *const lp_leftovers_shared_dirs[] = {"/tmp",        "/var/tmp",  "/dev/shm",
                                                "/dev/mqueue", "/run/lock", NULL};

/* ---- processes ---- */

/* The four uids and four gids of /proc/PID/status; false when it is gone. */
static bool read_ids(int pid, unsigned uids[4], unsigned gids[4])
{
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        FILE *f = fopen(path, "re");
        int found = 0;
        while (f && found < 2 && fgets(line, sizeof(line), f)) {
                if (strncmp(line, "Uid:", 4) == 0)
                        found += sscanf(line + 4, "%u %u %u %u", &uids[0], &uids[1], &uids[2],
                                        &uids[3]) == 4;
                else if (strncmp(line, "Gid:", 4) == 0)
                        found += sscanf(line + 4, "%u %u %u %u", &gids[0], &gids[1], &gids[2],
                                        &gids[3]) == 4;
        }
        if (f)
                fclose(f);
        return found == 2;
}

/* The first of a process's ids in [lo, hi], or -1. */
static long held_id(int pid, unsigned lo, unsigned hi)
{
        unsigned ids[8];
        if (!read_ids(pid, ids, ids + 4))
                return -1;
        for (size_t i = 0; i < LP_ELEMENTSOF(ids); i++)
                if (ids[i] >= lo && ids[i] <= hi)
                        return ids[i];
        return -1;
}

int lp_leftovers_foreach_holder(unsigned lo, unsigned hi,
                                int (*fn)(int pid, unsigned id, void *ctx), void *ctx)
{
        DIR *d = opendir("/proc");
        if (!d)
                return -errno;
        int r = 0;
        for (struct dirent *e; r == 0 && (e = readdir(d));) {
                char *end;
                long pid = strtol(e->d_name, &end, 10);
                if (*end || pid <= 0)
                        continue;
                long id = held_id((int)pid, lo, hi);
                if (id >= 0)
                        r = fn((int)pid, (unsigned)id, ctx);
        }
        closedir(d);
        return r;
}

/* Whether any process holds the id, asked of the kernel: a helper that
 * becomes the id sends signal 0 to every process it may signal, which is
 * every process whose real or saved uid is the id (kill(2)), itself
 * aside. Cheaper than reading every /proc/PID/status. */
static bool any_process(unsigned id)
{
        pid_t pid = fork();
        if (pid == 0) {
                /* Raw calls: only this process changes identity. */
                if (syscall(SYS_setgroups, 0, NULL) < 0 || syscall(SYS_setresgid, id, id, id) < 0 ||
                    syscall(SYS_setresuid, id, id, id) < 0)
                        _exit(2);
                _exit(kill(-1, 0) == 0 ? 1 : errno == ESRCH ? 0 : 2);
        }
        int status;
        if (pid < 0)
                return true;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        /* Not sure: the careful look decides. */
        return !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}

struct cleaning {
        const struct lp_leftovers *l;
        struct lp_findings *store;
        char rule[256];
        int error; /* the first thing that could not be removed */
};

/* A name the command chose, as a log line shows it: escaped as in the
 * summary (findings/escape.h), cut with "..." where it is long. */
struct shown {
        char text[1024];
};

static const char *shown(const char *name, struct shown *buf)
{
        size_t room = sizeof(buf->text) - 3;
        if (lp_escape(buf->text, room, name, LP_ESCAPE_TEXT) < strlen(name))
                strcat(buf->text, "...");
        return buf->text;
}

static void record(struct cleaning *c, const char *operation, const char *target,
                   const char *dedupe, int pid)
{
        struct shown s;
        struct lp_finding f = {
                .kind = LP_FINDING_IDENTITY,
                .action = LP_FINDING_CLEANED,
                .operation = operation,
                .target = target,
                .dedupe_target = dedupe,
                .pid = pid,
                .rule = c->rule,
                .fix = "stop what the command starts, and remove what it makes outside its "
                       "workspace, before it exits",
                .first_ms = lp_now_ms() - c->l->start_ms,
        };
        if (!c->store)
                lp_debug("removed the %s %s of a run that ended without giving its id back",
                         operation, shown(target, &s));
        else if (lp_findings_add(c->store, &f) < 0)
                lp_error("cannot record the %s %s that was left behind", operation,
                         shown(target, &s));
}

static void failed(struct cleaning *c, int error, const char *what)
{
        struct shown s;
        const char *name = shown(what, &s);
        errno = error;
        lp_error("cannot remove %s of the run's dynamic user: %m", name);
        if (!c->error)
                c->error = -error;
}

/* SIGKILL through a pidfd (the pid cannot be another process by the time
 * the signal is sent), then a wait for the exit. 1: killed; 0: gone, or
 * by now another process's pid; -errno. */
static int kill_process(int pid, unsigned id)
{
        int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (fd < 0)
                return errno == ESRCH ? 0 : -errno;
        /* Checked once the pidfd holds the process: a reused pid is not it. */
        if (held_id(pid, id, id) != (long)id) {
                close(fd);
                return 0;
        }
        int r = lp_pidfd_kill_wait(fd, 5000);
        close(fd);
        return r;
}

static int clean_process(int pid, unsigned id, void *ctx)
{
        struct cleaning *c = ctx;
        char path[64], comm[64] = "?", target[128], dedupe[96];
        snprintf(path, sizeof(path), "/proc/%d/comm", pid);
        FILE *f = fopen(path, "re");
        if (f && fgets(comm, sizeof(comm), f))
                comm[strcspn(comm, "\n")] = '\0';
        if (f)
                fclose(f);
        int r = kill_process(pid, id);
        snprintf(target, sizeof(target), "pid %d (%s)", pid, comm);
        snprintf(dedupe, sizeof(dedupe), "%s", comm);
        if (r < 0)
                failed(c, -r, target);
        if (r != 0)
                record(c, "process", target, dedupe, pid);
        return 0;
}

/* ---- SysV IPC ---- */

static const struct ipc_table {
        const char *file;      /* under /proc/sysvipc */
        const char *operation; /* the finding's */
        const char *id_column;
} ipc_tables[] = {
        {"shm", "shm", "shmid"},
        {"sem", "sem", "semid"},
        {"msg", "msg", "msqid"},
};

static int remove_ipc(const char *kind, int id)
{
        int r;
        if (strcmp(kind, "shm") == 0)
                r = shmctl(id, IPC_RMID, NULL);
        else if (strcmp(kind, "sem") == 0)
                r = semctl(id, 0, IPC_RMID);
        else
                r = msgctl(id, IPC_RMID, NULL);
        return r < 0 && errno != EINVAL && errno != EIDRM ? -errno : 0;
}

/* The column of `name` in a /proc/sysvipc header, or -1. */
static int column(const char *header, const char *name)
{
        _cleanup_free_ char *copy = strdup(header);
        char *save = NULL;
        int i = 0;
        for (char *t = copy ? strtok_r(copy, " \t\n", &save) : NULL; t;
             t = strtok_r(NULL, " \t\n", &save), i++)
                if (strcmp(t, name) == 0)
                        return i;
        return -1;
}

/* The columns of one line, as numbers (keys are printed in decimal). */
static int split(char *line, long long *vals, int max)
{
        char *save = NULL;
        int n = 0;
        for (char *t = strtok_r(line, " \t\n", &save); t && n < max;
             t = strtok_r(NULL, " \t\n", &save))
                vals[n++] = strtoll(t, NULL, 0);
        return n;
}

static void clean_ipc_table(struct cleaning *c, const struct ipc_table *t)
{
        char path[64], header[512], line[512];
        snprintf(path, sizeof(path), "/proc/sysvipc/%s", t->file);
        FILE *f = fopen(path, "re");
        if (!f || !fgets(header, sizeof(header), f)) {
                if (f)
                        fclose(f);
                return;
        }
        int key = column(header, "key"), id = column(header, t->id_column),
            uid = column(header, "uid"), cuid = column(header, "cuid");
        while (key >= 0 && id >= 0 && uid >= 0 && cuid >= 0 && fgets(line, sizeof(line), f)) {
                long long v[32];
                int n = split(line, v, 32);
                if (n <= uid || n <= cuid || n <= id || n <= key ||
                    (v[uid] != c->l->id && v[cuid] != c->l->id))
                        continue;
                char target[96];
                snprintf(target, sizeof(target), "key 0x%08x, id %lld", (unsigned)v[key], v[id]);
                int r = remove_ipc(t->file, (int)v[id]);
                if (r < 0)
                        failed(c, -r, target);
                record(c, t->operation, target, t->operation, 0);
        }
        fclose(f);
}

/* ---- files ---- */

/* Depth enough for any temporary tree a test makes; deeper is reported. */
#define MAX_DEPTH 64

static bool owned(const struct stat *st, unsigned id)
{
        return st->st_uid == id || st->st_gid == id;
}

static void clean_dir(struct cleaning *c, int dirfd, const char *path, dev_t dev, int depth);

/* One entry of a directory: its own files first (a directory of the id
 * is emptied before it is removed), then itself when it is the id's. */
static void clean_entry(struct cleaning *c, int dirfd, const char *dir, const char *name, dev_t dev,
                        int depth)
{
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return;
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return;
        if (S_ISDIR(st.st_mode) && st.st_dev == dev) {
                int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd >= 0)
                        clean_dir(c, fd, path, dev, depth + 1);
        }
        if (!owned(&st, c->l->id))
                return;
        if (unlinkat(dirfd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
                failed(c, errno, path);
        record(c, "file", path, path, 0);
}

/* Takes dirfd. Mount points below are not entered (a mount of the
 * command's own would be gone; one of the host's is not its). */
static void clean_dir(struct cleaning *c, int dirfd, const char *path, dev_t dev, int depth)
{
        DIR *d = depth <= MAX_DEPTH ? fdopendir(dirfd) : NULL;
        if (!d) {
                close(dirfd);
                if (depth > MAX_DEPTH)
                        failed(c, ELOOP, path);
                return;
        }
        for (struct dirent *e; (e = readdir(d));)
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                        clean_entry(c, dirfd, path, e->d_name, dev, depth);
        closedir(d);
}

static void clean_files(struct cleaning *c, const char *dir)
{
        struct stat st;
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        if (fstat(fd, &st) < 0) {
                close(fd);
                return;
        }
        clean_dir(c, fd, dir, st.st_dev, 0);
}

int lp_leftovers_clean(const struct lp_leftovers *l, struct lp_findings *store)
{
        struct cleaning c = {.l = l, .store = store};
        char where[128];
        if (l->policy) {
                lp_origin_format(&l->policy->dynamic_user.origin, where, sizeof(where));
                snprintf(c.rule, sizeof(c.rule), "%s [Identity] DynamicUser=yes", where);
        }
        int r = any_process(l->id) ? lp_leftovers_foreach_holder(l->id, l->id, clean_process, &c)
                                   : 0;
        if (r < 0)
                failed(&c, -r, "the processes (/proc cannot be read)");
        for (size_t i = 0; l->host_ipc && i < LP_ELEMENTSOF(ipc_tables); i++)
                clean_ipc_table(&c, &ipc_tables[i]);
        for (size_t i = 0; l->dirs && l->dirs[i]; i++)
                clean_files(&c, l->dirs[i]);
        return c.error;
}
