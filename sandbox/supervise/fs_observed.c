/* The filesystem observer's counts, as findings (fs_observed.h). */
#include "supervise/fs_observed.h"

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "profile/policy.h"
#include "rules/call.h"
#include "rules/checks.h"
#include "rules/fs_plan.h"
#include "rules/fs_bpf.h"
#include "rules/watch.h"
#include "supervise/exec_names.h"
#include "supervise/fs_observer.h"
#include "supervise/proc.h"
#include "supervise/record.h"
#include "supervise/tracee.h"

/* A key as announced: its paths made absolute, its executable. */
struct seen {
        struct lp_fs_key key;
        char *path[2]; /* NULL: not made absolute (no path, or gone) */
        char *exe;
};

struct lp_fs_observed {
        const struct lp_fs_observer *o;
        const struct lp_policy *policy;
        const struct lp_fs_plan *plan;
        struct lp_proc proc; /* resolves in the command's mount namespace */
        int mount_ns;        /* kept: the namespace outlives the command */
        bool root_known;     /* the command's root is open in `proc` */
        int command;
        char *cwd;
        struct seen *seen;
        size_t n_seen, cap_seen;
};

/* One counted key, read back from the map. */
struct counted {
        struct lp_fs_key key;
        struct lp_fs_value value;
};

_Static_assert(sizeof(struct counted) == sizeof(struct lp_fs_key) + sizeof(struct lp_fs_value),
               "a counted entry is the map's key then its value");

/* The addresses the decoder is given for the key's strings. */
enum { PATH0_AT = 1, PATH1_AT = 2, HOW_AT = 3 };

int lp_fs_observed_new(const struct lp_fs_observer *o, const struct lp_policy *p,
                       const struct lp_fs_plan *plan, int command, const char *cwd,
                       struct lp_fs_observed **ret)
{
        *ret = NULL;
        if (!o || o->link < 0)
                return 0;
        struct lp_fs_observed *w = calloc(1, sizeof(*w));
        if (!w || !(w->cwd = strdup(cwd ? cwd : "/"))) {
                free(w);
                return -ENOMEM;
        }
        w->o = o;
        w->policy = p;
        w->plan = plan;
        w->command = command;
        char link[64];
        snprintf(link, sizeof(link), "/proc/%d/ns/mnt", command);
        w->mount_ns = open(link, O_RDONLY | O_CLOEXEC);
        /* The command's root, opened now (the reader keeps it); a
         * command that has ended already has none to open. */
        struct lp_fs_resolved res;
        struct lp_proc_reader rd = lp_proc_reader(&w->proc);
        w->root_known = rd.resolve(rd.ctx, command, AT_FDCWD, "/", true, &res) == 0;
        *ret = w;
        return 0;
}

void lp_fs_observed_free(struct lp_fs_observed *w)
{
        if (!w)
                return;
        for (size_t i = 0; i < w->n_seen; i++) {
                free(w->seen[i].path[0]);
                free(w->seen[i].path[1]);
                free(w->seen[i].exe);
        }
        free(w->seen);
        lp_proc_done(&w->proc);
        if (w->mount_ns >= 0)
                close(w->mount_ns);
        free(w->cwd);
        free(w);
}

int lp_fs_observed_fd(const struct lp_fs_observed *w)
{
        return w ? w->o->announce.fd : -1;
}

static const struct seen *seen_of(const struct lp_fs_observed *w, const struct lp_fs_key *key)
{
        for (size_t i = 0; i < w->n_seen; i++)
                if (memcmp(&w->seen[i].key, key, sizeof(*key)) == 0)
                        return &w->seen[i];
        return NULL;
}

/* A path as the process gave it, made absolute from where it stood: its
 * cwd or the directory fd, while it exists. NULL when it cannot be. */
static char *absolute(const struct lp_fs_key *k, const struct lp_watch_path *how, int i)
{
        char full[LP_PATH_SIZE];
        int dirfd = how->dirfd >= 0 ? (int)k->args[how->dirfd] : AT_FDCWD;
        if (!k->path[i][0])
                return strdup("");
        return lp_proc_absolute((int)k->tgid, dirfd, k->path[i], full, sizeof(full)) < 0
                       ? NULL
                       : strdup(full);
}

static const struct lp_watch_paths *paths_of(const struct lp_fs_observed *w,
                                             const struct lp_fs_key *k)
{
        const struct lp_syscall_rule *rule = lp_policy_syscall(w->policy, (int)k->nr);
        return rule ? lp_watch_paths_of(lp_watch_find(rule->name), rule->name) : NULL;
}

static void remember(void *ctx, const void *record)
{
        struct lp_fs_observed *w = ctx;
        struct seen s = {0};
        memcpy(&s.key, record, sizeof(s.key));
        const struct lp_watch_paths *paths = paths_of(w, &s.key);
        if (!paths || seen_of(w, &s.key) || LP_GROW(w->seen, w->cap_seen, w->n_seen) < 0)
                return;
        /* The executable first: an exiting process loses it before its
         * cwd and its fds (do_exit: exit_mm, then exit_files, exit_fs). */
        char exe[LP_PATH_SIZE];
        lp_tracee_exe((int)s.key.tgid, exe, sizeof(exe));
        s.exe = exe[0] ? strdup(exe) : NULL;
        s.path[0] = absolute(&s.key, &paths->first, 0);
        if (paths->second.op != LP_FS_OP_NONE)
                s.path[1] = absolute(&s.key, &paths->second, 1);
        w->seen[w->n_seen++] = s;
}

void lp_fs_observed_drain(struct lp_fs_observed *w)
{
        if (w)
                lp_bpf_ring_drain(&w->o->announce, sizeof(struct lp_fs_key), remember, w);
}

/* ---- the check, as a notified call's ---- */

/* What the decoder reads: the key's paths (made absolute) and openat2's
 * flags, at the addresses the call is given. */
struct strings {
        const char *path[2];
        uint64_t how_flags;
};

static ssize_t read_strings(const void *ctx, uint64_t addr, void *buf, size_t size)
{
        const struct strings *s = ctx;
        if (addr == HOW_AT) {
                size_t n = size < sizeof(s->how_flags) ? size : sizeof(s->how_flags);
                memcpy(buf, &s->how_flags, n);
                return (ssize_t)n;
        }
        const char *text = addr == PATH0_AT ? s->path[0] : addr == PATH1_AT ? s->path[1] : NULL;
        if (!text)
                return -EFAULT;
        size_t n = strlen(text) + 1;
        n = n < size ? n : size;
        memcpy(buf, text, n);
        return (ssize_t)n;
}

static bool always_valid(const void *ctx)
{
        (void)ctx;
        return true;
}

/* A relative path whose base could not be read: its process exited
 * (or closed the directory fd) before the announcement was, within
 * microseconds of the call. */
static bool unresolved(const struct lp_fs_key *k, const struct seen *seen,
                       const struct lp_watch_path *how, int i)
{
        return k->path[i][0] != '/' && k->path[i][0] && !(seen && seen->path[i]) &&
               how->op != LP_FS_OP_NONE;
}

/* Why a path of a key cannot be checked against the plan. */
enum unchecked {
        GONE,    /* relative, and its process had exited or moved on */
        CUT,     /* longer than the key holds */
        NO_ROOT, /* the command ended before its root could be opened */
};

/* Such a refusal by a read-only mount is still a finding, named as the
 * process gave it: EROFS here is the plan's (the host's own read-only
 * mounts aside). Refused otherwise (EACCES, EPERM, EXDEV), it could be
 * the file's own permissions or a plain rename across filesystems: not
 * reported. */
static bool check_unresolved(const struct lp_fs_observed *w, const struct lp_fs_key *k,
                             const struct lp_watch_path *how, int i, enum unchecked why,
                             struct lp_verdict *v)
{
        static const char *const notes[] = {
                [GONE] = "relative to where a process that has exited stood",
                [CUT] = "cut: longer than the observer keeps",
                [NO_ROOT] = "not resolved: the command had ended",
        };
        if (k->error != EROFS)
                return false;
        struct lp_decider d = {.policy = w->policy};
        struct lp_verdict_finding *f =
                lp_verdict_add(&d, v, LP_FINDING_FILESYSTEM, lp_fs_op_name(how->op, true),
                               LP_FINDING_DENIED, EROFS);
        if (!f)
                return false;
        char target[LP_FS_PATH_MAX + 96];
        snprintf(target, sizeof(target), "%s (%s)", k->path[i], notes[why]);
        lp_verdict_target(f, target, NULL);
        lp_verdict_rule(f, NULL, "[Filesystem] a read-only path (%s)", notes[why]);
        snprintf(f->fix, sizeof(f->fix),
                 "leastpriv learn names the directory; or [Filesystem] ReadWritePaths=");
        return true;
}

/* A path the program cut: it filled the key's room. */
static bool cut(const struct lp_fs_key *k, int i)
{
        return strnlen(k->path[i], LP_FS_PATH_MAX) >= LP_FS_PATH_MAX - 1;
}

/* The call rebuilt from the key, its paths absolute, and checked. */
static bool check(const struct lp_fs_observed *w, const struct lp_fs_key *k,
                  const struct seen *seen, struct lp_verdict *v)
{
        const struct lp_watch_paths *paths = paths_of(w, k);
        if (!paths)
                return false;
        const struct lp_watch_path *how[2] = {&paths->first, &paths->second};
        *v = (struct lp_verdict){0};
        struct strings s = {.how_flags = k->how_flags};
        _cleanup_free_ char *guess[2] = {NULL, NULL};
        uint64_t args[6];
        memcpy(args, k->args, sizeof(args));
        for (int i = 0; i < 2 && how[i]->op != LP_FS_OP_NONE; i++) {
                if (cut(k, i) || !w->root_known)
                        return check_unresolved(w, k, how[i], i, w->root_known ? CUT : NO_ROOT, v);
                /* Gone before it was read: from the run's directory, the
                 * likeliest (a guess the check below may overrule). */
                if (unresolved(k, seen, how[i], i)) {
                        if (how[i]->dirfd >= 0 && (int)k->args[how[i]->dirfd] != AT_FDCWD)
                                return check_unresolved(w, k, how[i], i, GONE, v);
                        if (asprintf(&guess[i], "%s/%s", w->cwd, k->path[i]) < 0)
                                return false;
                }
                s.path[i] = guess[i]                ? guess[i]
                            : seen && seen->path[i] ? seen->path[i]
                                                    : k->path[i];
                args[how[i]->path] = i ? PATH1_AT : PATH0_AT;
                if (how[i]->dirfd >= 0)
                        args[how[i]->dirfd] = (uint64_t)(int64_t)AT_FDCWD;
        }
        if (how[0]->op == LP_FS_OP_OPEN && how[0]->flags == -1)
                args[2] = HOW_AT;
        struct lp_decode_reader rd = {.read = read_strings, .valid = always_valid, .ctx = &s};
        struct lp_proc_reader proc = lp_proc_reader((struct lp_proc *)&w->proc);
        struct lp_decider d = {.policy = w->policy, .proc = &proc, .fs_plan = w->plan};
        struct lp_call c = {0};
        (void)lp_call_decode(&c, w->policy, &rd, w->command, (int)k->nr, args);
        bool found = lp_check_paths(&d, &c, v);
        lp_call_done(&c);
        /* A read-only mount refused it, yet its path as made absolute is
         * writable: the process had moved on (a chdir) before its cwd was
         * read. Named as it gave it, rather than lost. */
        for (int i = 0; !found && i < 2 && how[i]->op != LP_FS_OP_NONE; i++)
                if (k->path[i][0] != '/' && k->path[i][0])
                        return check_unresolved(w, k, how[i], i, GONE, v);
        return found;
}

static int record_counted(struct lp_fs_observed *w, const struct counted *c,
                          struct lp_exec_names *names, struct lp_findings *store, uint64_t start_ms)
{
        const struct seen *seen = seen_of(w, &c->key);
        struct lp_verdict v;
        /* Refused for a reason of the file's own (its permissions, an
         * attribute), not the plan's: no privilege finding, as a
         * notified call would have made none. */
        if (!check(w, &c->key, seen, &v))
                return 0;
        char comm[sizeof(c->key.comm) + 3];
        const char *exe = seen ? seen->exe : NULL;
        if (!exe)
                exe = lp_exec_name(names, c->key.tgid, c->key.comm);
        if (!exe) {
                snprintf(comm, sizeof(comm), "[%.*s]", (int)sizeof(c->key.comm), c->key.comm);
                exe = comm;
        }
        return lp_record_verdict(store, &v, c->value.count, (int)c->key.tgid, exe,
                                 lp_bpf_run_ms(c->value.first_ns, start_ms));
}

/* Refusals the full map could not keep: counted, one finding without a
 * path. */
static int record_overflow(const struct lp_fs_observed *w, struct lp_findings *store,
                           uint64_t start_ms)
{
        uint64_t lost = lp_bpf_counter(w->o->overflow);
        if (!lost)
                return 0;
        struct lp_decider d = {.policy = w->policy};
        struct lp_verdict v = {0};
        struct lp_verdict_finding *f =
                lp_verdict_add(&d, &v, LP_FINDING_FILESYSTEM, "write", LP_FINDING_DENIED, EROFS);
        if (!f)
                return 0;
        char target[128];
        snprintf(target, sizeof(target),
                 "writes a read-only mount refused past the observer's first %d kinds (the "
                 "map full), not told apart",
                 LP_FS_EVENTS_MAX);
        lp_verdict_target(f, target, NULL);
        lp_verdict_rule(f, NULL, "[Filesystem] (the rules that refused them)");
        snprintf(f->fix, sizeof(f->fix), "the findings above name the paths and their rules");
        return lp_record_verdict(store, &v, lost, 0, NULL, lp_now_ms() - start_ms);
}

int lp_fs_observed_collect(struct lp_fs_observed *w, struct lp_findings *store, uint64_t start_ms)
{
        if (!w)
                return 0;
        lp_fs_observed_drain(w);
        struct counted *all = NULL;
        size_t n = 0;
        int r = lp_bpf_map_entries(w->o->events, sizeof(struct lp_fs_key),
                                   sizeof(struct lp_fs_value),
                                   offsetof(struct counted, value.first_ns), (void **)&all, &n);
        if (r < 0)
                return r;
        struct lp_exec_names *names = lp_exec_names_read(w->o->execs, &w->proc, w->command);
        for (size_t i = 0; i < n && r >= 0; i++)
                r = record_counted(w, &all[i], names, store, start_ms);
        lp_exec_names_free(names);
        free(all);
        if (r >= 0)
                r = record_overflow(w, store, start_ms);
        return r;
}
