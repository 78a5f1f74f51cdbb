/* Learning mode (DESIGN.md §5): the findings of a run that blocked nothing
 * -> a profile that grants BASE, the floor and exactly what was observed;
 * sorted and commented, so that learning the same command twice gives the
 * same bytes and a review diff shows only real changes. */
#include "learn/learn.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "findings/findings.h"
#include "findings/json.h"
#include "learn/learned.h"
#include "base/log.h"
#include "profile/policy.h"
#include "profile/syscall_sets.h"
#include "base/util.h"

const char *const lp_learn_floor[] = {
        /* files and pipes already open, or being opened and stat-ed */
        "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev",
        "close", "lseek", "fstat", "newfstatat", "stat", "lstat", "statx", "open",
        "openat", "getdents64", "fcntl", "dup", "dup2", "dup3", "pipe", "pipe2",
        "access", "faccessat", "faccessat2", "readlink", "readlinkat", "getcwd",
        "poll", "ppoll",
        /* memory and the dynamic loader */
        "mmap", "munmap", "mprotect", "mremap", "madvise", "brk",
        /* threads, signals, exit */
        "futex", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
        "set_tid_address", "set_robust_list", "rseq", "arch_prctl", "sched_yield",
        "exit", "exit_group", "wait4",
        /* one's own ids, time, randomness */
        "getpid", "gettid", "getppid", "getuid", "geteuid", "getgid", "getegid",
        "clock_gettime", "clock_getres", "gettimeofday", "time", "nanosleep",
        "clock_nanosleep", "getrandom", "uname",
        NULL,
};

/* A grant of these by bare name lifts the built-in argument hardening
 * (DESIGN.md §1); a learned profile grants them through their group. */
static const char *const hardened_by_arguments[] = {"ioctl", "clone", "unshare", NULL};

/* ---- the model ---- */

static int item_cmp(const void *a, const void *b)
{
        const struct lp_learned_item *x = a, *y = b;
        if (x->kind != y->kind)
                return x->kind < y->kind ? -1 : 1;
        return strcmp(x->value, y->value);
}

static struct lp_learned_item *find_item(struct lp_learned *l, enum lp_learned_kind kind,
                                         const char *value)
{
        for (size_t i = 0; i < l->n_items; i++)
                if (l->items[i].kind == kind && strcmp(l->items[i].value, value) == 0)
                        return &l->items[i];
        return NULL;
}

/* Executable paths, destinations and variable names come from the
 * command: a newline in one would be a line of the profile. */
static char *printable_copy(const char *text)
{
        char *copy = strdup(text);
        for (char *c = copy; c && *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        *c = '?';
        return copy;
}

int lp_learned_add(struct lp_learned *l, enum lp_learned_kind kind, const char *value,
                   uint64_t count, const char *exe, bool by_name, bool merging)
{
        _cleanup_free_ char *clean = printable_copy(value);
        if (!clean)
                return -ENOMEM;
        struct lp_learned_item *it = find_item(l, kind, clean);
        if (it) {
                it->count = merging ? (count > it->count ? count : it->count) : it->count + count;
                it->by_name |= by_name;
                /* The file's executable stays, so merges do not churn it. */
                if (merging && exe && exe[0]) {
                        char *e = printable_copy(exe);
                        if (!e)
                                return -ENOMEM;
                        free(it->exe);
                        it->exe = e;
                }
                return 0;
        }
        if (LP_GROW(l->items, l->cap_items, l->n_items) < 0)
                return -ENOMEM;
        it = &l->items[l->n_items];
        *it = (struct lp_learned_item){kind, printable_copy(clean), count,
                                       printable_copy(exe ? exe : ""), by_name};
        if (!it->value || !it->exe) {
                free(it->value);
                free(it->exe);
                return -ENOMEM;
        }
        l->n_items++;
        return 0;
}

void lp_learned_done(struct lp_learned *l)
{
        for (size_t i = 0; i < l->n_items; i++) {
                free(l->items[i].value);
                free(l->items[i].exe);
        }
        free(l->items);
        *l = (struct lp_learned){0};
}

static bool is_syscall_item(const struct lp_learned *l, const char *name)
{
        return find_item((struct lp_learned *)l, LP_LEARNED_SYSCALL, name) != NULL;
}

static bool in_list(const char *const *list, const char *name)
{
        for (size_t i = 0; list[i]; i++)
                if (strcmp(list[i], name) == 0)
                        return true;
        return false;
}

/* ---- findings -> the model ---- */

static bool needs_name(const struct lp_finding *f)
{
        /* The supervisor cites the hardening when that is what refused. */
        return f->rule && strstr(f->rule, "built-in hardening");
}

/* The command's first execve is made by leastpriv's own child: say so
 * rather than print the path of this build, which differs per machine. */
static const char *evidence_exe(const struct lp_finding *f)
{
        static char self[PATH_MAX];
        if (!self[0] && readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
                self[0] = '\0';
        if (!f->exe)
                return "";
        return self[0] && strcmp(f->exe, self) == 0 ? "leastpriv" : f->exe;
}

static int learned_from(struct lp_learned *l, const struct lp_finding *f)
{
        const char *exe = evidence_exe(f);
        switch (f->kind) {
        case LP_FINDING_SYSCALL:
                if (lp_syscall_nr(f->operation) < 0) {
                        lp_error("learn: %s has no name on this architecture and cannot be "
                                 "granted; left out", f->operation);
                        return 0;
                }
                return lp_learned_add(l, LP_LEARNED_SYSCALL, f->operation, f->count, exe,
                                      needs_name(f), false);
        case LP_FINDING_CAPABILITY:
                return lp_learned_add(l, LP_LEARNED_CAPABILITY, f->operation, f->count, exe,
                                      false, false);
        case LP_FINDING_NETWORK:
                if (strcmp(f->operation, "socket") == 0)
                        return lp_family_from_name(f->target) < 0
                                   ? 0
                                   : lp_learned_add(l, LP_LEARNED_FAMILY, f->target, f->count,
                                                    exe, false, false);
                return lp_learned_add(l, LP_LEARNED_DESTINATION, f->target, f->count, exe,
                                      false, false);
        case LP_FINDING_ENVIRONMENT:
                return lp_learned_add(l, LP_LEARNED_ENVIRONMENT, f->operation, 0, "", false,
                                      false);
        }
        return 0;
}

static int learned_from_findings(struct lp_learned *l, const struct lp_findings *store)
{
        if (lp_findings_folded(store) > 0) {
                lp_error("learn: %llu occurrences did not fit in memory; the profile would "
                         "be incomplete", (unsigned long long)lp_findings_folded(store));
                return -E2BIG;
        }
        for (size_t i = 0; i < lp_findings_size(store); i++) {
                int r = learned_from(l, lp_findings_at(store, i));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- the model -> profile text ---- */

/* Counts in three classes ("1 call", "2-99 calls", "100 or more calls"),
 * not exactly: how often a pipeline's reader wakes up depends on
 * scheduling, and a committed profile must not change from one learn to
 * the next while the command did not. Exact counts are in --findings. */
void lp_learned_format_evidence(FILE *out, const struct lp_learned_item *it)
{
        const char *exe = it->exe[0] ? it->exe : "?";
        const char *calls = it->count <= 1 ? "1 call" : it->count < 100 ? "2-99 calls"
                                                                       : "100 or more calls";
        fprintf(out, "%s, first by %s", calls, exe);
}

static bool allowed_by(const struct lp_policy *p, const char *name)
{
        const struct lp_syscall_rule *r = lp_policy_syscall_by_name(p, name);
        return r && r->action.type == LP_ACTION_ALLOW;
}

/* Whether the floor line grants `name`: a floor member on this
 * architecture that BASE leaves to DefaultAction (seccomp.c's also_allow:
 * what BASE names, the filter observed). */
static bool floor_grants(const struct lp_policy *base, const struct lp_learned *l,
                         const char *name)
{
        const struct lp_syscall_rule *r = lp_policy_syscall_by_name(base, name);
        return l->floor && in_list(lp_learn_floor, name) && r &&
               r->action.type != LP_ACTION_ALLOW && lp_syscall_rule_is_default(r);
}

struct render {
        FILE *out;
        const struct lp_policy *base;
        const struct lp_learned *l;
};

static void render_floor(const struct render *c)
{
        size_t n = 0;
        for (size_t i = 0; lp_learn_floor[i]; i++)
                n += floor_grants(c->base, c->l, lp_learn_floor[i]);
        if (n == 0)
                return;
        fputs("# The learning floor (README, \"Learning mode\"): calls every program makes,\n"
              "# granted without being observed one by one.\nAllow=",
              c->out);
        const char *sep = "";
        for (size_t i = 0; lp_learn_floor[i]; i++)
                if (floor_grants(c->base, c->l, lp_learn_floor[i])) {
                        fprintf(c->out, "%s%s", sep, lp_learn_floor[i]);
                        sep = " ";
                }
        fputs(" # floor\n", c->out);
}

/* The first ordinary group that holds `name`, else any group. */
static const char *group_of(const char *name)
{
        const char *any = NULL;
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++)
                if (in_list(g->members, name)) {
                        if (!g->dangerous)
                                return g->name;
                        any = any ? any : g->name;
                }
        return any;
}

/* A hardened syscall goes through its group unless the command needed what
 * the hardening refuses, or BASE denies that group (a group Deny would win
 * over the group Allow). */
static const char *grant_group(const struct render *c, const struct lp_learned_item *it)
{
        if (!in_list(hardened_by_arguments, it->value) || it->by_name)
                return NULL;
        const struct lp_syscall_rule *r = lp_policy_syscall_by_name(c->base, it->value);
        if (r && (r->named || r->group) && r->action.type != LP_ACTION_ALLOW)
                return NULL;
        return group_of(it->value);
}

struct deny_list {
        const struct render *c;
        const char *names[512];
        size_t n;
};

static int collect_unused_member(const char *name, int nr, void *userdata)
{
        (void)nr;
        struct deny_list *d = userdata;
        const struct render *c = d->c;
        const struct lp_syscall_rule *r = lp_policy_syscall_by_name(c->base, name);
        bool keep = is_syscall_item(c->l, name) || allowed_by(c->base, name) ||
                    (r && r->hardening) || floor_grants(c->base, c->l, name);
        if (!keep && d->n < LP_ELEMENTSOF(d->names))
                d->names[d->n++] = name;
        return 0;
}

static int name_cmp(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void render_group_grant(const struct render *c, const char *group, const char *syscall)
{
        struct deny_list d = {.c = c};
        lp_syscall_group_foreach(group, collect_unused_member, &d);
        qsort(d.names, d.n, sizeof(d.names[0]), name_cmp);
        fprintf(c->out, "# %s through %s, not by name: that would lift the built-in\n"
                "# argument hardening. The members of %s not used are denied.\nAllow=%s\n",
                syscall, group, group, group);
        if (d.n == 0)
                return;
        fputs("Deny=", c->out);
        for (size_t i = 0; i < d.n; i++)
                fprintf(c->out, "%s%s", i ? " " : "", d.names[i]);
        fputs("\n", c->out);
}

static void render_syscall(const struct render *c, const struct lp_learned_item *it)
{
        const char *group = grant_group(c, it);
        if (group) {
                render_group_grant(c, group, it->value);
                fprintf(c->out, "# used: %s # ", it->value);
                lp_learned_format_evidence(c->out, it);
                fprintf(c->out, " (granted through %s above)\n", group);
                return;
        }
        fprintf(c->out, "Allow=%s # ", it->value);
        lp_learned_format_evidence(c->out, it);
        if (it->by_name)
                fputs(" (by name: needs what the built-in hardening refuses)", c->out);
        fputs("\n", c->out);
}

static bool has_kind(const struct lp_learned *l, enum lp_learned_kind kind)
{
        for (size_t i = 0; i < l->n_items; i++)
                if (l->items[i].kind == kind)
                        return true;
        return false;
}

static void render_items(const struct render *c, enum lp_learned_kind kind, const char *key)
{
        for (size_t i = 0; i < c->l->n_items; i++) {
                const struct lp_learned_item *it = &c->l->items[i];
                if (it->kind != kind)
                        continue;
                fprintf(c->out, "%s%s # ", key, it->value);
                lp_learned_format_evidence(c->out, it);
                fputs("\n", c->out);
        }
}

static bool is_loopback_destination(const char *target)
{
        return strstr(target, " 127.") || strstr(target, " [::1]") || strstr(target, "::ffff:127.");
}

static void render_network(const struct render *c)
{
        const struct lp_learned *l = c->l;
        bool outside = false;
        if (!has_kind(l, LP_LEARNED_FAMILY) && !has_kind(l, LP_LEARNED_DESTINATION))
                return;
        fputs("\n[Network]\n", c->out);
        render_items(c, LP_LEARNED_FAMILY, "AddressFamilies=");
        for (size_t i = 0; i < l->n_items; i++) {
                const struct lp_learned_item *it = &l->items[i];
                if (it->kind != LP_LEARNED_DESTINATION)
                        continue;
                /* A loopback destination learned from a loopback base is a
                 * host service (notify.c): only the host network has it. */
                outside |= !is_loopback_destination(it->value) || c->base->netns != LP_NETNS_NONE;
                fprintf(c->out, "# destination: %s # ", it->value);
                lp_learned_format_evidence(c->out, it);
                fputs("\n", c->out);
        }
        if (has_kind(l, LP_LEARNED_DESTINATION) && c->base->netns != LP_NETNS_HOST)
                fprintf(c->out, "# (Forward=tcp:PORT=HOST:PORT would do for a host service on\n"
                        "# loopback, once Forward= is served.)\nNamespace=%s\n",
                        outside ? "host" : "loopback");
}

static void render_environment(const struct render *c)
{
        if (!has_kind(c->l, LP_LEARNED_ENVIRONMENT))
                return;
        fputs("\n[Environment]\n"
              "# Present while learning and withheld; never passed automatically. A test\n"
              "# that needs one names it in Pass=.\n",
              c->out);
        for (size_t i = 0; i < c->l->n_items; i++)
                if (c->l->items[i].kind == LP_LEARNED_ENVIRONMENT)
                        fprintf(c->out, "# withheld: %s\n", c->l->items[i].value);
}

static void render(const struct render *c, const char *include)
{
        FILE *out = c->out;
        fputs("# Learned by `leastpriv learn`: what the command used, one grant per line,\n"
              "# each with how often and which executable first. `leastpriv diff BASELINE\n"
              "# THIS` shows what it grants beyond a baseline.\n"
              "[Profile]\nDescription=Learned by leastpriv learn\n",
              out);
        fprintf(out, "Include=%s\n\n[Syscalls]\n", include);
        render_floor(c);
        for (size_t i = 0; i < c->l->n_items; i++)
                if (c->l->items[i].kind == LP_LEARNED_SYSCALL)
                        render_syscall(c, &c->l->items[i]);
        if (has_kind(c->l, LP_LEARNED_CAPABILITY)) {
                fputs("\n[Capabilities]\n", out);
                render_items(c, LP_LEARNED_CAPABILITY, "Keep=");
        }
        render_network(c);
        render_environment(c);
}

/* ---- checking the text before it is written ---- */

static bool hardening_on(const struct lp_policy *p, const char *name)
{
        if (strcmp(name, "ioctl") == 0)
                return p->hardening.ioctl_tty;
        if (strcmp(name, "clone") == 0)
                return p->hardening.clone_ns;
        return p->hardening.unshare_ns;
}

static int check_grants(const struct lp_policy *p, const struct lp_policy *base,
                        const struct lp_learned *l)
{
        for (size_t i = 0; i < p->n_syscalls; i++) {
                const char *name = p->syscalls[i].name;
                bool allowed = p->syscalls[i].action.type == LP_ACTION_ALLOW;
                bool wanted = is_syscall_item(l, name) || allowed_by(base, name) ||
                              floor_grants(base, l, name);
                if (allowed != wanted)
                        return lp_log_errno(-EPROTO, "learn: the learned profile would %s %s; "
                                            "nothing written",
                                            allowed ? "grant the unused" : "refuse", name);
        }
        return 0;
}

static int check_hardening(const struct lp_policy *p, const struct lp_policy *base,
                           const struct lp_learned *l)
{
        for (size_t i = 0; hardened_by_arguments[i]; i++) {
                const char *name = hardened_by_arguments[i];
                const struct lp_learned_item *it =
                    find_item((struct lp_learned *)l, LP_LEARNED_SYSCALL, name);
                if (hardening_on(base, name) && !hardening_on(p, name) && !(it && it->by_name))
                        return lp_log_errno(-EPROTO, "learn: the learned profile would lift "
                                            "the hardening of %s; nothing written", name);
        }
        return 0;
}

/* The learned profile must grant what was used, and nothing else beyond
 * BASE and the floor: checked on the resolved text, not assumed. */
static int verify(const char *text, const char *path, const struct lp_policy *base,
                  const struct lp_learned *l)
{
        struct lp_policy *p = NULL;
        if (lp_policy_load_string(text, path, stderr, &p) < 0)
                return lp_log_errno(-EPROTO, "learn: the learned profile does not resolve "
                                    "(see above); nothing written");
        int r = check_grants(p, base, l);
        if (r >= 0)
                r = check_hardening(p, base, l);
        lp_policy_free(p);
        return r;
}

/* ---- writing ---- */

/* Include= as the learned file must say it: a name stays a name; a path is
 * made relative to OUT's directory when it lies below it (includes are
 * relative to the including file), else absolute. */
static char *include_for(const char *base, const char *output)
{
        if (!strchr(base, '/') && !strstr(base, ".profile"))
                return strdup(base);
        char abs_base[PATH_MAX], out_dir[PATH_MAX];
        _cleanup_free_ char *copy = strdup(output);
        if (!copy || !realpath(base, abs_base))
                return strdup(base);
        if (!realpath(dirname(copy), out_dir))
                return strdup(abs_base);
        size_t n = strlen(out_dir);
        if (strncmp(abs_base, out_dir, n) == 0 && abs_base[n] == '/')
                return strdup(abs_base + n + 1);
        return strdup(abs_base);
}

static int fill_text(FILE *out, void *userdata)
{
        return fputs(userdata, out) < 0 ? -EIO : 0;
}

/* Many learns into one file (ctest -j): the directory is locked while the
 * file is read, merged and replaced, so no run's grants are lost. */
static int lock_directory_of(const char *path)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

static int render_checked(const struct lp_policy *base, struct lp_learned *l, const char *include,
                          const char *output, char **ret_text)
{
        qsort(l->items, l->n_items, sizeof(l->items[0]), item_cmp);
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        if (!mem)
                return -ENOMEM;
        render(&(struct render){mem, base, l}, include);
        if (fclose(mem) != 0) {
                free(text);
                return -ENOMEM;
        }
        int r = verify(text, output, base, l);
        if (r < 0) {
                free(text);
                return r;
        }
        *ret_text = text;
        return 0;
}

static int merge_and_write(const struct lp_policy *base, struct lp_learned *l,
                           const struct lp_learn_request *o)
{
        _cleanup_free_ char *include = include_for(o->base, o->output);
        if (!include)
                return -ENOMEM;
        if (o->merge && access(o->output, F_OK) == 0) {
                int r = lp_learned_read(l, o->output, include);
                if (r < 0)
                        return r == -EINVAL ? r : lp_log_errno(r, "learn: cannot read %s: %m",
                                                               o->output);
        }
        _cleanup_free_ char *text = NULL;
        int r = render_checked(base, l, include, o->output, &text);
        if (r < 0)
                return r;
        r = lp_json_write_atomic(o->output, fill_text, text);
        return r < 0 ? lp_log_errno(r, "learn: cannot write %s: %m", o->output) : 0;
}

int lp_learn_write(const struct lp_policy *base, const struct lp_findings *store,
                   const struct lp_learn_request *o)
{
        struct lp_learned l = {.floor = !o->exhaustive};
        int r = learned_from_findings(&l, store);
        int lock = -1;
        if (r >= 0 && o->merge && (lock = lock_directory_of(o->output)) < 0)
                r = lp_log_errno(lock, "learn: cannot lock the directory of %s: %m", o->output);
        if (r >= 0)
                r = merge_and_write(base, &l, o);
        if (lock >= 0)
                close(lock);
        if (r >= 0)
                lp_info("learned %zu grants into %s", l.n_items, o->output);
        lp_learned_done(&l);
        return r;
}
