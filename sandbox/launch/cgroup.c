/* The run's cgroups (cgroup.h).
 *
 * Where: the unified hierarchy (cgroup v2) always, when leastpriv may make
 * a cgroup there: it holds the whole tree, and cgroup.kill ends it. A
 * controller comes from v2 where v2 has it, else from its v1 hierarchy
 * (hybrid hosts bind pids and memory to v1).
 *
 * v1 cgroups nest under leastpriv's own, so the caller's limits still
 * bind the run. v2 forbids controllers in a cgroup that holds processes
 * (leastpriv's own does), so there the run's cgroup goes under the nearest
 * ancestor that hands the controllers down: the parent slice on a systemd
 * host (where systemd-run --scope puts a scope), the delegated subtree's
 * top under Delegate=yes. The name is leastpriv-PID: a cgroup whose PID is
 * gone is a killed run's and is removed by the next run that looks (see
 * run_name for leastpriv in a PID namespace of its own). */
#include "launch/cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "findings/findings.h"
#include "profile/keys_limits.h"
#include "profile/load.h"
#include "profile/policy.h"

#define NAME_PREFIX "leastpriv-"

/* The initial PID namespace's inode number (PROC_PID_INIT_INO). */
#define INITIAL_PID_NAMESPACE 0xEFFFFFFCULL

/* How long a killed process may take to leave its cgroup. */
#define EXIT_WAIT_MS 5000

static const struct {
        unsigned bit;
        const char *name; /* the controller's, as cgroupfs spells it */
} controllers[] = {
        {LP_CGROUP_PIDS, "pids"},
        {LP_CGROUP_MEMORY, "memory"},
};

/* ---- small file helpers ---- */

static int write_at(const char *dir, const char *file, const char *text)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        return lp_write_text(path, text);
}

/* The whole (small) file, NUL-terminated, or NULL. */
static char *read_at(const char *dir, const char *file)
{
        char path[PATH_MAX], *text = NULL;
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        return lp_read_text(path, &text) == 0 ? text : NULL;
}

/* "KEY N" in a flat-keyed file (pids.events, memory.events,
 * memory.oom_control), or 0. */
static uint64_t keyed_value(const char *dir, const char *file, const char *key)
{
        _cleanup_free_ char *text = read_at(dir, file);
        size_t len = strlen(key);
        char *line = text;
        while (line && *line) {
                if (strncmp(line, key, len) == 0 && line[len] == ' ')
                        return strtoull(line + len + 1, NULL, 10);
                line = strchr(line, '\n');
                line = line ? line + 1 : NULL;
        }
        return 0;
}

/* Which of our controllers a space- or comma-separated list names. */
static unsigned controllers_in(const char *list)
{
        unsigned set = 0;
        for (size_t i = 0; list && i < LP_ELEMENTSOF(controllers); i++) {
                size_t len = strlen(controllers[i].name);
                for (const char *p = strstr(list, controllers[i].name); p;
                     p = strstr(p + 1, controllers[i].name))
                        if ((p == list || p[-1] == ' ' || p[-1] == ',') &&
                            (p[len] == '\0' || p[len] == ' ' || p[len] == ',' || p[len] == '\n'))
                                set |= controllers[i].bit;
        }
        return set;
}

/* ---- where the hierarchies are ---- */

struct hierarchy {
        char mount[PATH_MAX]; /* where it is mounted */
        char own[PATH_MAX];   /* leastpriv's cgroup in it, as a path under the mount */
        unsigned controllers; /* v1: the ones bound to it (of ours) */
        bool unified;
};

/* The cgroup path of our own process in a hierarchy (the v2 line of
 * `groups`, the text of /proc/self/cgroup, or the v1 line that names one
 * of `want`), made relative to the mount's root. */
static bool own_path(const char *groups, const char *mount_root, bool unified, unsigned want,
                     char *out, size_t size)
{
        _cleanup_free_ char *copy = groups ? strdup(groups) : NULL;
        char *save = NULL;
        bool found = false;
        for (char *line = copy ? strtok_r(copy, "\n", &save) : NULL; line && !found;
             line = strtok_r(NULL, "\n", &save)) {
                char *list = strchr(line, ':'), *path = list ? strchr(list + 1, ':') : NULL;
                if (!path)
                        continue;
                *path++ = '\0';
                list++;
                if (unified ? *list != '\0' : !(controllers_in(list) & want))
                        continue;
                size_t root = strcmp(mount_root, "/") == 0 ? 0 : strlen(mount_root);
                if (strncmp(path, mount_root, root) != 0)
                        break; /* outside this mount's view: not usable */
                snprintf(out, size, "%s", *(path + root) ? path + root : "/");
                found = true;
        }
        return found;
}

/* The unified hierarchy and the v1 ones of our controllers, from
 * /proc/self/mountinfo (the first mount of each). */
static size_t find_hierarchies(struct hierarchy *out, size_t max)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        _cleanup_free_ char *groups = NULL; /* read once, for every hierarchy */
        char *line = NULL;
        size_t size = 0, n = 0;
        (void)lp_read_text("/proc/self/cgroup", &groups);
        unsigned seen = 0;
        bool unified_seen = false;
        while (f && n < max && getline(&line, &size, f) > 0) {
                char root[PATH_MAX], mount[PATH_MAX], type[32], super[512];
                const char *dash = strstr(line, " - ");
                if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", root, mount) != 2 ||
                    sscanf(dash + 3, "%31s %*s %511s", type, super) != 2)
                        continue;
                struct hierarchy *h = &out[n];
                *h = (struct hierarchy){.unified = strcmp(type, "cgroup2") == 0};
                if (h->unified ? unified_seen : strcmp(type, "cgroup") != 0)
                        continue;
                h->controllers = h->unified ? 0 : controllers_in(super) & ~seen;
                if (!h->unified && !h->controllers)
                        continue;
                snprintf(h->mount, sizeof(h->mount), "%s", mount);
                if (!own_path(groups, root, h->unified, h->controllers, h->own, sizeof(h->own)))
                        continue;
                seen |= h->controllers;
                unified_seen |= h->unified;
                n++;
        }
        free(line);
        if (f)
                fclose(f);
        return n;
}

/* ---- making one cgroup ---- */

/* Kills every process listed in `dir`'s cgroup.procs through a pidfd and
 * waits for them to leave, all within one EXIT_WAIT_MS (a process stuck
 * in the kernel must not cost that much each). Returns how many were
 * found. */
static size_t kill_listed(const char *dir)
{
        _cleanup_free_ char *list = read_at(dir, "cgroup.procs");
        uint64_t deadline = lp_now_ms() + EXIT_WAIT_MS;
        size_t n = 0;
        for (char *p = list, *end; p && *p; p = end) {
                long pid = strtol(p, &end, 10);
                if (end == p)
                        break;
                int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
                if (fd < 0)
                        continue;
                uint64_t now = lp_now_ms();
                (void)lp_pidfd_kill_wait(fd, now < deadline ? (int)(deadline - now) : 0);
                close(fd);
                n++;
        }
        return n;
}

/* Our PID namespace's inode, or 0 when /proc is another namespace's. */
static unsigned long long pid_namespace(void)
{
        struct stat st;
        return stat("/proc/self/ns/pid", &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* A pid names a process only in its PID namespace, and a container's
 * entrypoint (or a run under `unshare --pid`) is pid 1 in each: beside
 * runs of other PID namespaces in the same cgroup, the name also carries
 * the namespace (leastpriv-1-pidns4026532178). */
static void run_name(char *out, size_t size, unsigned long long pidns, long pid)
{
        if (pidns == INITIAL_PID_NAMESPACE)
                snprintf(out, size, NAME_PREFIX "%ld", pid);
        else
                snprintf(out, size, NAME_PREFIX "%ld-pidns%llu", pid, pidns);
}

/* Whether `name` is the cgroup of a run that was killed. Only a name of
 * our own PID namespace can be judged: another's pid means nothing here.
 * A name with our own pid is a killed run's (we are not it: we have not
 * made ours yet), as when the pid 1 of a namespace whose inode is ours now
 * was killed. */
static bool stale(const char *name, unsigned long long pidns)
{
        char *end = NULL, ours[64];
        if (strncmp(name, NAME_PREFIX, strlen(NAME_PREFIX)) != 0 || !pidns)
                return false;
        long pid = strtol(name + strlen(NAME_PREFIX), &end, 10);
        if (end == name + strlen(NAME_PREFIX) || pid <= 0)
                return false;
        run_name(ours, sizeof(ours), pidns, pid);
        if (strcmp(name, ours) != 0)
                return false;
        return pid == getpid() || (kill((pid_t)pid, 0) < 0 && errno == ESRCH);
}

/* Removes the cgroups of runs that were killed before they could. */
static void remove_stale(const char *parent, unsigned long long pidns)
{
        DIR *d = opendir(parent);
        for (struct dirent *e; d && (e = readdir(d));) {
                if (!stale(e->d_name, pidns))
                        continue;
                /* What is left of its tree is still dying from the
                 * parent-death signals, or (without a PID namespace) was
                 * out of their reach: it ends here. */
                char path[PATH_MAX];
                snprintf(path, sizeof(path), "%s/%s", parent, e->d_name);
                kill_listed(path);
                if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) == 0)
                        lp_debug("removed the cgroup of a killed run: %s/%s", parent, e->d_name);
        }
        if (d)
                closedir(d);
}

/* What the child joins by: a v1 cgroup's `tasks` (one thread),
 * the v2 one's directory (clone3) and cgroup.procs (without clone3). */
static int open_joining(struct lp_cgroup_dir *d)
{
        char file[PATH_MAX];
        snprintf(file, sizeof(file), "%s/%s", d->path, d->unified ? "cgroup.procs" : "tasks");
        if ((d->join = open(file, O_WRONLY | O_CLOEXEC)) < 0)
                return -errno;
        if (d->unified && (d->dir = open(d->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return -errno;
        return 0;
}

static int make_dir(struct lp_cgroup *cg, const char *parent, bool unified)
{
        struct lp_cgroup_dir *d = &cg->dirs[cg->n];
        char name[64];
        *d = (struct lp_cgroup_dir){.dir = -1, .join = -1, .unified = unified};
        remove_stale(parent, cg->pidns);
        run_name(name, sizeof(name), cg->pidns, (long)getpid());
        if (asprintf(&d->path, "%s/%s", parent, name) < 0) {
                d->path = NULL;
                return -ENOMEM;
        }
        if (mkdir(d->path, 0755) < 0) {
                int r = -errno;
                free(d->path);
                d->path = NULL;
                return r;
        }
        cg->n++; /* removed by lp_cgroup_finish from here on */
        return open_joining(d);
}

/* The limits of `which` in the run's cgroup `d`. */
static int set_limits(struct lp_cgroup_dir *d, const struct lp_policy *p, unsigned which)
{
        char value[32];
        int r = 0;
        if ((which & LP_CGROUP_PIDS) && r == 0) {
                snprintf(value, sizeof(value), "%llu", (unsigned long long)p->processes.value);
                r = write_at(d->path, "pids.max", value);
        }
        if ((which & LP_CGROUP_MEMORY) && r == 0) {
                snprintf(value, sizeof(value), "%llu", (unsigned long long)p->memory.value);
                r = write_at(d->path, d->unified ? "memory.max" : "memory.limit_in_bytes", value);
        }
        if (r == 0)
                d->controllers |= which;
        return r;
}

/* v2: the nearest cgroup from ours up that hands `want` down to its
 * children (its cgroup.subtree_control), or our own when want is 0. */
static bool unified_parent(const struct hierarchy *h, unsigned want, char *out, size_t size)
{
        char rel[PATH_MAX];
        snprintf(rel, sizeof(rel), "%s", h->own);
        for (;;) {
                snprintf(out, size, "%s%s", h->mount, strcmp(rel, "/") == 0 ? "" : rel);
                if (!want)
                        return true;
                _cleanup_free_ char *sub = read_at(out, "cgroup.subtree_control");
                if ((controllers_in(sub) & want) == want)
                        return true;
                char *slash = strrchr(rel, '/');
                if (!slash || strcmp(rel, "/") == 0)
                        return false;
                if (slash == rel)
                        rel[1] = '\0';
                else
                        *slash = '\0';
        }
}

/* The unified hierarchy's cgroup; returns the controllers it limits. */
static unsigned make_unified(struct lp_cgroup *cg, const struct hierarchy *h,
                             const struct lp_policy *p, unsigned want, int *ret_error)
{
        char parent[PATH_MAX];
        _cleanup_free_ char *root_list = read_at(h->mount, "cgroup.controllers");
        unsigned here = want & controllers_in(root_list);
        if (!unified_parent(h, here, parent, sizeof(parent))) {
                here = 0; /* not handed down to us: v1, or none */
                unified_parent(h, 0, parent, sizeof(parent));
        }
        int r = make_dir(cg, parent, true);
        if (r == 0)
                r = set_limits(&cg->dirs[cg->n - 1], p, here);
        *ret_error = r;
        return r == 0 ? here : 0;
}

static unsigned wanted(const struct lp_policy *p)
{
        return (p->processes.set ? LP_CGROUP_PIDS : 0) | (p->memory.set ? LP_CGROUP_MEMORY : 0);
}

/* ---- what cannot be had ---- */

/* The user's own words, not a shipped profile's (embedded, or its
 * installed copy): only those make a missing cgroup a failure. */
static bool from_profile_file(const struct lp_origin *o)
{
        return o->file && !lp_profile_is_shipped(o->file);
}

/* Memory= is a cgroup's or nothing; Processes= binds uid 0 only as one
 * (an rlimit binds every other uid). */
static int missing_limits(const struct lp_policy *p, unsigned missing, int error)
{
        char where[128];
        const char *why =
                error == ENOENT ? "no cgroup hierarchy has the controller" : strerror(error);
        if (missing & LP_CGROUP_MEMORY) {
                lp_origin_format(&p->memory.origin, where, sizeof(where));
                return lp_log_errno(-EPERM,
                                    "%s: [Limits] Memory= needs a memory cgroup, and none can "
                                    "be made here (%s); run as root, or in a cgroup delegated "
                                    "to the caller (systemd-run --user -p Delegate=yes), or "
                                    "remove Memory=",
                                    where, why);
        }
        if (!(missing & LP_CGROUP_PIDS) || geteuid() != 0)
                return 0;
        lp_origin_format(&p->processes.origin, where, sizeof(where));
        if (from_profile_file(&p->processes.origin))
                return lp_log_errno(-EPERM,
                                    "%s: [Limits] Processes= binds root only as a pids cgroup, "
                                    "and none can be made here (%s); remove Processes= or "
                                    "allow cgroups (a writable /sys/fs/cgroup)",
                                    where, why);
        lp_info("note: no pids cgroup can be made here (%s): Processes=%llu does not bind root",
                why, (unsigned long long)p->processes.value);
        return 0;
}

int lp_cgroup_create(const struct lp_policy *p, struct lp_cgroup *cg)
{
        struct hierarchy hs[1 + LP_ELEMENTSOF(controllers)];
        size_t n = find_hierarchies(hs, LP_ELEMENTSOF(hs));
        unsigned want = wanted(p), got = 0;
        int error = ENOENT; /* no hierarchy at all */
        cg->pidns = pid_namespace();
        for (size_t i = 0; i < n; i++)
                if (hs[i].unified) {
                        int r;
                        got |= make_unified(cg, &hs[i], p, want, &r);
                        if (r < 0)
                                error = -r;
                }
        for (size_t i = 0; i < n; i++) {
                unsigned here = hs[i].controllers & want & ~got;
                char parent[PATH_MAX];
                if (hs[i].unified || !here)
                        continue;
                snprintf(parent, sizeof(parent), "%s%s", hs[i].mount,
                         strcmp(hs[i].own, "/") == 0 ? "" : hs[i].own);
                int r = make_dir(cg, parent, false);
                if (r == 0)
                        r = set_limits(&cg->dirs[cg->n - 1], p, here);
                if (r < 0)
                        error = -r;
                else
                        got |= here;
        }
        return missing_limits(p, want & ~got, error);
}

static int join_one(struct lp_cgroup_dir *d)
{
        if (d->join < 0)
                return 0;
        ssize_t w = write(d->join, "0", 1);
        int r = w < 0 ? -errno : 0;
        close(d->join);
        d->join = -1;
        return r;
}

int lp_cgroup_join(struct lp_cgroup *cg, bool unified)
{
        for (size_t i = 0; i < cg->n; i++) {
                int r = cg->dirs[i].unified && !unified ? 0 : join_one(&cg->dirs[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

static struct lp_cgroup_dir *unified_dir(struct lp_cgroup *cg)
{
        for (size_t i = 0; i < cg->n; i++)
                if (cg->dirs[i].unified && cg->dirs[i].join >= 0)
                        return &cg->dirs[i];
        return NULL;
}

int lp_cgroup_unified_fd(struct lp_cgroup *cg)
{
        struct lp_cgroup_dir *d = unified_dir(cg);
        return d ? d->dir : -1;
}

pid_t lp_cgroup_clone(struct lp_cgroup *cg, uint64_t namespaces)
{
        struct lp_cgroup_dir *d = unified_dir(cg);
        /* A raw clone3 skips glibc's fork handlers: the caller has one
         * thread and holds no lock, and the child calls nothing that reads
         * the thread's cached id (raise, abort, pthread_kill) or state
         * that libcap-ng set up before it (its cached pid). */
        struct clone_args args = {.flags = namespaces | (d ? CLONE_INTO_CGROUP : 0),
                                  .exit_signal = SIGCHLD,
                                  .cgroup = d ? (uint64_t)d->dir : 0};
        long pid = syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0)
                return -errno;
        if (pid == 0 && d)
                close(d->join), d->join = -1;
        return (pid_t)pid;
}

pid_t lp_cgroup_fork(struct lp_cgroup *cg)
{
        struct lp_cgroup_dir *d = unified_dir(cg);
        if (!d)
                return fork();
        pid_t pid = lp_cgroup_clone(cg, 0);
        if (pid >= 0)
                return pid;
        /* Older kernels (ENOSYS, E2BIG), and container runtimes whose
         * seccomp policy answers clone3 EPERM: the child joins by itself
         * (and fails closed if it cannot). */
        pid = fork();
        if (pid == 0 && join_one(d) < 0)
                _exit(125);
        return (pid_t)pid;
}

/* ---- after the run ---- */

/* Nothing of the run may outlive it: cgroup.kill takes the whole tree at
 * once where the kernel has it (Linux 5.14); the listed pids are then
 * waited for, killed one by one where it does not. */
static void kill_what_is_left(struct lp_cgroup *cg)
{
        for (size_t i = 0; i < cg->n; i++)
                if (cg->dirs[i].unified)
                        (void)write_at(cg->dirs[i].path, "cgroup.kill", "1");
        for (size_t i = 0; i < cg->n; i++)
                if (kill_listed(cg->dirs[i].path) > 0)
                        lp_debug("killed what was left in %s", cg->dirs[i].path);
}

static void record(struct lp_findings *store, const struct lp_limit *limit, const char *key,
                   const char *operation, enum lp_finding_action action, uint64_t count,
                   uint64_t start_ms)
{
        char where[128], value[32], rule[192], target[64], fix[128];
        lp_origin_format(&limit->origin, where, sizeof(where));
        if (strcmp(key, "Memory") == 0)
                lp_limit_size_format(limit->value, value, sizeof(value));
        else
                snprintf(value, sizeof(value), "%llu", (unsigned long long)limit->value);
        snprintf(rule, sizeof(rule), "%s [Limits] %s=%s", where, key, value);
        snprintf(target, sizeof(target), "%s=%s", key, value);
        snprintf(fix, sizeof(fix), "[Limits] %s= above %s, if the command needs that much", key,
                 value);
        struct lp_finding f = {.kind = LP_FINDING_RESOURCE,
                               .action = action,
                               .operation = operation,
                               .target = target,
                               .errno_value = action == LP_FINDING_DENIED ? EAGAIN : 0,
                               .count = count,
                               .rule = rule,
                               .fix = fix,
                               .first_ms = lp_now_ms() - start_ms};
        if (count && lp_findings_add(store, &f) < 0)
                lp_error("cannot record that the run reached %s", target);
}

/* pids.events' "max": forks refused at the limit; the OOM killer's kills
 * at the memory limit (v2 memory.events, v1 memory.oom_control). */
static void record_events(const struct lp_cgroup_dir *d, const struct lp_policy *p,
                          struct lp_findings *store, uint64_t start_ms)
{
        if (d->controllers & LP_CGROUP_PIDS)
                record(store, &p->processes, "Processes", "pids.max", LP_FINDING_DENIED,
                       keyed_value(d->path, "pids.events", "max"), start_ms);
        if (d->controllers & LP_CGROUP_MEMORY)
                record(store, &p->memory, "Memory", "memory.max", LP_FINDING_KILLED,
                       keyed_value(d->path, d->unified ? "memory.events" : "memory.oom_control",
                                   "oom_kill"),
                       start_ms);
}

void lp_cgroup_finish(struct lp_cgroup *cg, const struct lp_policy *p, struct lp_findings *store,
                      uint64_t start_ms)
{
        if (!cg->n)
                return;
        kill_what_is_left(cg);
        for (size_t i = 0; i < cg->n; i++) {
                struct lp_cgroup_dir *d = &cg->dirs[i];
                if (store)
                        record_events(d, p, store, start_ms);
                if (d->join >= 0)
                        close(d->join);
                if (d->dir >= 0)
                        close(d->dir);
                if (rmdir(d->path) < 0)
                        lp_error("cannot remove the run's cgroup %s: %m", d->path);
                free(d->path);
        }
        cg->n = 0;
}
