/* Learning: the floor's invariants, evidence text both ways, counts within
 * a run and across merges, and a learned profile written from findings,
 * checked and read back. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/log.h"
#include "findings/findings.h"
#include "learn/families.h"
#include "learn/floor.h"
#include "learn/paths.h"
#include "learn/learn.h"
#include "learn/learned.h"
#include "learn/merge.h"
#include "profile/keys.h"
#include "profile/load.h"
#include "profile/policy.h"
#include "profile/syscall_sets.h"
#include "rules/watch.h"

/* Calls the supervisor must see with their arguments, beyond the watch
 * table: never in the floor. */
static const char *const watched[] = {"clone3", "socketpair", "execve", "execveat", "ptrace", NULL};

static void test_floor_holds_nothing_watched(void **state)
{
        (void)state;
        size_t n = 0;
        for (size_t i = 0; lp_learn_floor[i]; i++, n++) {
                const char *name = lp_learn_floor[i];
                for (size_t w = 0; watched[w]; w++)
                        assert_string_not_equal(name, watched[w]);
                /* Watched only for what its filter rule sends on (open for
                 * writing): the floor's calls themselves stay in the kernel. */
                const struct lp_watch *w = lp_watch_find(name);
                if (w && w->filter == LP_FILTER_NOTIFY_ALL)
                        fail_msg("%s is in the floor and watched in every call", name);
                for (size_t j = 0; j < i; j++)
                        assert_string_not_equal(name, lp_learn_floor[j]);
        }
        assert_true(n > 20);
        /* The floor's core exists on every architecture we build for. */
        assert_true(lp_syscall_nr("read") >= 0 && lp_syscall_nr("openat") >= 0);
}

static void test_floor_holds_nothing_dangerous(void **state)
{
        (void)state;
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++) {
                if (!g->dangerous)
                        continue;
                for (size_t m = 0; g->members[m]; m++)
                        for (size_t i = 0; lp_learn_floor[i]; i++)
                                if (strcmp(g->members[m], lp_learn_floor[i]) == 0)
                                        fail_msg("%s is in the floor and in %s", g->members[m],
                                                 g->name);
        }
}

/* Creating processes (clone, fork, vfork) is one grant: none of it is in
 * the floor, all of it in @process; clone keeps its namespace hardening
 * when allowed outright while learning, the other two have none to keep. */
static void test_creation_family(void **state)
{
        (void)state;
        const struct lp_syscall_group *process = NULL;
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++)
                if (strcmp(g->name, "@process") == 0)
                        process = g;
        assert_non_null(process);
        assert_string_equal(lp_learn_creation[0], "clone");
        for (size_t i = 0; lp_learn_creation[i]; i++) {
                const char *name = lp_learn_creation[i];
                assert_true(lp_learn_creates(name));
                bool member = false;
                for (size_t m = 0; process->members[m]; m++)
                        member |= strcmp(process->members[m], name) == 0;
                assert_true(member);
                for (size_t f = 0; lp_learn_floor[f]; f++)
                        assert_string_not_equal(name, lp_learn_floor[f]);
                const struct lp_watch *w = lp_watch_find(name);
                assert_true(i == 0 ? w && w->hardening && w->filter == LP_FILTER_ARG_MASK_ZERO
                                   : w == NULL);
        }
        assert_false(lp_learn_creates("clone3"));
        assert_false(lp_learn_creates("execve"));
}

static char *evidence(uint64_t count, const char *exe)
{
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        struct lp_learned_item it = {.count = count, .exe = (char *)exe};
        lp_learned_format_evidence(f, &it);
        fclose(f);
        return text;
}

static void test_evidence_classes_round_trip(void **state)
{
        (void)state;
        static const struct {
                uint64_t count, read_back;
                const char *text;
        } cases[] = {
                {1, 1, "1 call, first by /bin/sh"},
                {2, 2, "2-99 calls, first by /bin/sh"},
                {99, 2, "2-99 calls, first by /bin/sh"},
                {100, 100, "100 or more calls, first by /bin/sh"},
                {5000000, 100, "100 or more calls, first by /bin/sh"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *text = evidence(cases[i].count, "/bin/sh");
                assert_string_equal(text, cases[i].text);
                uint64_t count = 0;
                char *exe = NULL;
                assert_int_equal(lp_learned_parse_evidence(text, &count, &exe), 0);
                assert_int_equal(count, cases[i].read_back);
                assert_string_equal(exe, "/bin/sh");
                free(exe);
                free(text);
        }
}

static void test_evidence_parse_note_and_errors(void **state)
{
        (void)state;
        uint64_t count;
        char *exe = NULL;
        assert_int_equal(lp_learned_parse_evidence("1 call, first by /usr/bin/ls (granted "
                                                   "through @basic-io above)",
                                                   &count, &exe),
                         0);
        assert_string_equal(exe, "/usr/bin/ls");
        free(exe);
        assert_int_equal(lp_learned_parse_evidence("1 call, first by ?", &count, &exe), 0);
        assert_string_equal(exe, "");
        free(exe);
        assert_int_equal(lp_learned_parse_evidence("3 calls, first by /bin/sh", &count, &exe),
                         -EINVAL);
        assert_int_equal(lp_learned_parse_evidence("", &count, &exe), -EINVAL);
        assert_int_equal(lp_learned_parse_evidence("many calls", &count, &exe), -EINVAL);
}

static struct lp_learned_item item(const char *section, const char *key, const char *value,
                                   uint64_t count, const char *exe, bool by_name)
{
        return (struct lp_learned_item){.kind = LP_LEARNED_GRANT,
                                        .key = lp_key_find(section, key),
                                        .value = (char *)value,
                                        .count = count,
                                        .exe = (char *)exe,
                                        .by_name = by_name};
}

static void test_counts_add_in_a_run_and_max_in_a_merge(void **state)
{
        (void)state;
        struct lp_learned l = {0};
        struct lp_learned_item a = item("Syscalls", "Allow", "execve", 3, "/bin/sh", false);
        struct lp_learned_item b = item("Syscalls", "Allow", "execve", 4, "/bin/ls", false);
        struct lp_learned_item c = item("Capabilities", "Keep", "execve", 1, "", false);
        assert_int_equal(lp_learned_add(&l, &a, false), 0);
        assert_int_equal(lp_learned_add(&l, &b, false), 0);
        assert_int_equal(lp_learned_add(&l, &c, false), 0);
        assert_int_equal(l.n_items, 2);
        assert_int_equal(l.items[0].count, 7);
        assert_string_equal(l.items[0].exe, "/bin/sh"); /* the first stays */
        struct lp_learned_item m = item("Syscalls", "Allow", "execve", 5, "/x", true);
        assert_int_equal(lp_learned_add(&l, &m, true), 0);
        assert_int_equal(l.items[0].count, 7);
        assert_true(l.items[0].by_name);
        m = item("Syscalls", "Allow", "execve", 9, "/x", false);
        assert_int_equal(lp_learned_add(&l, &m, true), 0);
        assert_int_equal(l.items[0].count, 9);
        lp_learned_done(&l);
}

static struct lp_finding finding(enum lp_finding_kind kind, const char *op, const char *target,
                                 uint64_t count, const char *exe, const char *rule)
{
        return (struct lp_finding){.kind = kind,
                                   .action = LP_FINDING_AUDITED,
                                   .operation = op,
                                   .target = target,
                                   .count = count,
                                   .exe = exe,
                                   .rule = rule,
                                   .fix = ""};
}

static char *slurp(const char *path)
{
        FILE *f = fopen(path, "re");
        assert_non_null(f);
        char *text = calloc(1, 65536);
        size_t n = fread(text, 1, 65535, f);
        fclose(f);
        text[n] = '\0';
        return text;
}

/* A learning run's setting: a temporary directory with OUT in it, the
 * base profile, and a store for the run's findings. */
struct learning {
        char dir[32];
        char out[128];
        struct lp_policy *base;
        struct lp_findings *store;
};

static void learning_setup(struct learning *l, const char *name)
{
        snprintf(l->dir, sizeof(l->dir), "/tmp/lp-test-learn.XXXXXX");
        assert_non_null(mkdtemp(l->dir));
        snprintf(l->out, sizeof(l->out), "%s/%s", l->dir, name);
        l->base = NULL;
        assert_int_equal(lp_policy_load("base", NULL, &l->base), 0);
        l->store = NULL;
        assert_int_equal(lp_findings_new(0, &l->store), 0);
        lp_log_level = LP_LOG_QUIET;
}

static void learning_done(struct learning *l)
{
        lp_findings_free(l->store);
        lp_policy_free(l->base);
        unlink(l->out);
        rmdir(l->dir);
}

static void test_write_check_and_read_back(void **state)
{
        (void)state;
        struct learning lg;
        learning_setup(&lg, "learned.profile");
        const char *out = lg.out;
        struct lp_policy *base = lg.base;
        struct lp_findings *s = lg.store;
        struct lp_finding fs[] = {
                finding(LP_FINDING_SYSCALL, "execve", "execve(/bin/sh)", 2, "leastpriv", "b:1 x"),
                finding(LP_FINDING_SYSCALL, "ioctl", "ioctl(1, TCGETS)", 5, "/bin/ls", "b:1 x"),
                finding(LP_FINDING_SYSCALL, "io_uring_setup", "io_uring_setup(1)", 1, "/t",
                        "built-in [Syscalls] built-in hardening: io_uring_setup"),
                finding(LP_FINDING_CAPABILITY, "CAP_NET_RAW", "socket(AF_INET, SOCK_RAW)", 1, "/p",
                        ""),
                finding(LP_FINDING_NETWORK, "socket", "AF_NETLINK", 2, "/usr/bin/ip", ""),
                finding(LP_FINDING_NETWORK, "connect", "tcp 192.0.2.1:443", 1, "/usr/bin/curl", ""),
                finding(LP_FINDING_ENVIRONMENT, "GITHUB_TOKEN", "GITHUB_TOKEN", 1, "", ""),
        };
        fs[2].hardening = true; /* refused by the hardening: granted by name */
        for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
                assert_int_equal(lp_findings_add(s, &fs[i]), 0);
        struct lp_learn_request req = {.output = out, .base = "base"};
        lp_log_level = LP_LOG_QUIET;
        assert_int_equal(lp_learn_write(base, s, &req), 0);

        char *text = slurp(out);
        assert_non_null(strstr(text, "\nInclude=base\n"));
        assert_non_null(strstr(text, "\nAllow=execve # 2-99 calls, first by leastpriv\n"));
        assert_non_null(strstr(text, "\nAllow=@basic-io\n"));
        assert_null(strstr(text, "\nAllow=ioctl"));
        assert_non_null(strstr(text, "\nAllow=io_uring_setup # 1 call, first by /t (by name"));
        assert_non_null(strstr(text, "\nKeep=CAP_NET_RAW # 1 call, first by /p\n"));
        assert_non_null(strstr(text, "\nAddressFamilies=AF_NETLINK # 2-99 calls"));
        assert_non_null(strstr(text, "\n# destination: tcp 192.0.2.1:443 # 1 call"));
        assert_non_null(strstr(text, "\nNamespace=host\n"));
        assert_non_null(strstr(text, "\n# withheld: GITHUB_TOKEN\n"));
        assert_non_null(strstr(text, " # floor\n"));

        /* The written profile resolves: ioctl through the group keeps the
         * hardening; io_uring_setup by name lifts it, as it was needed. */
        struct lp_policy *learned = NULL;
        assert_int_equal(lp_policy_load(out, stderr, &learned), 0);
        assert_true(lp_watch_hardened(learned, "ioctl"));
        assert_int_equal(lp_policy_syscall_by_name(learned, "ioctl")->action.type, LP_ACTION_ALLOW);
        assert_int_equal(lp_policy_syscall_by_name(learned, "io_uring_setup")->action.type,
                         LP_ACTION_ALLOW);
        assert_int_not_equal(lp_policy_syscall_by_name(learned, "ptrace")->action.type,
                             LP_ACTION_ALLOW);
        assert_int_not_equal(lp_policy_syscall_by_name(learned, "sendfile")->action.type,
                             LP_ACTION_ALLOW); /* @basic-io, not used: denied */
        lp_policy_free(learned);

        /* Read back, the model holds the same items; merging it into an
         * empty run writes the same bytes. */
        struct lp_learned l = {0};
        assert_int_equal(lp_learned_read(&l, out, "base"), 0);
        assert_int_equal(l.n_items, 7);
        assert_true(l.floor);
        lp_learned_done(&l);
        assert_int_equal(lp_learned_read(&l, out, "default"), -EINVAL); /* another base */
        lp_learned_done(&l);
        struct lp_findings *empty = NULL;
        assert_int_equal(lp_findings_new(0, &empty), 0);
        req.merge = true;
        assert_int_equal(lp_learn_write(base, empty, &req), 0);
        char *again = slurp(out);
        assert_string_equal(text, again);

        free(again);
        free(text);
        lp_findings_free(empty);
        learning_done(&lg);
}

/* Loads `text`, failing the test when it does not resolve. */
static struct lp_policy *load_text(const char *text)
{
        struct lp_policy *p = NULL;
        assert_int_equal(lp_policy_load_string(text, "t.profile", stderr, &p), 0);
        return p;
}

/* Learns fs[0..n) into lg, checks that merging the file into an empty run
 * writes the same bytes, and returns the text. */
static char *learn_and_merge_again(struct learning *lg, const struct lp_finding *fs, size_t n)
{
        for (size_t i = 0; i < n; i++)
                assert_int_equal(lp_findings_add(lg->store, &fs[i]), 0);
        struct lp_learn_request req = {.output = lg->out, .base = "base"};
        assert_int_equal(lp_learn_write(lg->base, lg->store, &req), 0);
        char *text = slurp(lg->out);
        struct lp_findings *empty = NULL;
        assert_int_equal(lp_findings_new(0, &empty), 0);
        req.merge = true;
        assert_int_equal(lp_learn_write(lg->base, empty, &req), 0);
        char *again = slurp(lg->out);
        assert_string_equal(text, again);
        free(again);
        lp_findings_free(empty);
        return text;
}

/* fork and vfork seen (a notified run: no PID namespace) are learned as
 * clone, and a profile that grants clone grants them too: next time the
 * command may create its processes with another of the three. */
static void test_creation_is_one_grant(void **state)
{
        (void)state;
        struct learning lg;
        learning_setup(&lg, "creation.profile");
        struct lp_finding fs[] = {
                finding(LP_FINDING_SYSCALL, "vfork", "vfork()", 1, "/usr/bin/python3", "b:1 x"),
                finding(LP_FINDING_SYSCALL, "fork", "fork()", 2, "/usr/bin/perl", "b:1 x"),
        };
        char *text = learn_and_merge_again(&lg, fs, 2);
        assert_non_null(strstr(text, "\n# fork and vfork come with clone: creating processes is "
                                     "one grant.\nAllow=@process\nDeny="));
        assert_non_null(strstr(text, "\n# used: clone # 2-99 calls, first by /usr/bin/python3 "
                                     "(granted through @process above)\n"));
        assert_null(strstr(text, "Allow=fork"));
        assert_null(strstr(text, "Allow=vfork"));
        char *deny = strstr(text, "\nDeny=");
        assert_non_null(deny);
        *strchr(deny + 1, '\n') = '\0';
        assert_non_null(strstr(deny, " kill "));
        assert_null(strstr(deny, "fork"));
        struct lp_policy *learned = NULL;
        assert_int_equal(lp_policy_load(lg.out, stderr, &learned), 0);
        for (size_t i = 0; lp_learn_creation[i]; i++)
                assert_int_equal(
                        lp_policy_syscall_by_name(learned, lp_learn_creation[i])->action.type,
                        LP_ACTION_ALLOW);
        assert_true(lp_watch_hardened(learned, "clone"));
        assert_int_not_equal(lp_policy_syscall_by_name(learned, "kill")->action.type,
                             LP_ACTION_ALLOW);
        lp_policy_free(learned);
        free(text);
        learning_done(&lg);
}

/* Counted, not observed (learning in a PID namespace): no executable. */
static void test_creation_counted_names_no_executable(void **state)
{
        (void)state;
        struct learning lg;
        learning_setup(&lg, "counted.profile");
        struct lp_finding fs[] = {finding(LP_FINDING_SYSCALL, "clone",
                                          "15 processes or threads created", 15, NULL, "b:1 x")};
        char *text = learn_and_merge_again(&lg, fs, 1);
        assert_non_null(strstr(text, "\n# used: clone # 2-99 calls, first by ? (granted through "
                                     "@process above)\n"));
        free(text);
        learning_done(&lg);
}

/* clone by name (the command made namespaces): fork and vfork on a line
 * of their own that follows from it, and that a merge reads as nothing. */
static void test_creation_by_name(void **state)
{
        (void)state;
        struct learning lg;
        learning_setup(&lg, "byname.profile");
        struct lp_finding fs[] = {finding(LP_FINDING_SYSCALL, "clone", "clone(CLONE_NEWUSER)", 1,
                                          "/usr/bin/unshare", "b:1 x")};
        fs[0].hardening = true;
        char *text = learn_and_merge_again(&lg, fs, 1);
        assert_non_null(strstr(text, "\nAllow=clone # 1 call, first by /usr/bin/unshare (by name"));
        assert_non_null(strstr(text, ")\nAllow=fork vfork # with clone\n"));
        assert_null(strstr(text, "Allow=@process"));
        struct lp_policy *learned = NULL;
        assert_int_equal(lp_policy_load(lg.out, stderr, &learned), 0);
        assert_false(lp_watch_hardened(learned, "clone"));
        assert_int_equal(lp_policy_syscall_by_name(learned, "vfork")->action.type, LP_ACTION_ALLOW);
        lp_policy_free(learned);
        struct lp_learned l = {0};
        assert_int_equal(lp_learned_read(&l, lg.out, "base"), 0);
        assert_int_equal(l.n_items, 1); /* clone alone */
        lp_learned_done(&l);
        free(text);
        learning_done(&lg);
}

/* What BASE names stays as named: fork and vfork come with clone only
 * where BASE leaves them to DefaultAction. */
static void test_creation_grants_where_base_is_silent(void **state)
{
        (void)state;
        struct lp_policy *base = load_text("[Profile]\nInclude=base\n[Syscalls]\nDeny=fork\n");
        struct lp_learned l = {0};
        assert_false(lp_creation_grants(base, &l, "vfork")); /* clone not learned */
        struct lp_learned_item clone = item("Syscalls", "Allow", "clone", 3, "/bin/sh", false);
        assert_int_equal(lp_learned_add(&l, &clone, false), 0);
        assert_true(lp_creation_grants(base, &l, "vfork"));
        assert_false(lp_creation_grants(base, &l, "fork"));  /* BASE denies it by name */
        assert_false(lp_creation_grants(base, &l, "clone")); /* its own item */
        assert_false(lp_creation_grants(base, &l, "execve"));
        lp_learned_done(&l);
        lp_policy_free(base);
}

/* A used syscall brings its family: unlinkat learned, the other removal
 * and rename calls granted on one line that names it, which a merge reads
 * as nothing of its own (the same bytes again), and which the learned
 * profile grants. Two used members: the line names the first in the
 * family's order. */
static void test_families(void **state)
{
        (void)state;
        struct learning lg;
        learning_setup(&lg, "families.profile");
        struct lp_finding fs[] = {
                finding(LP_FINDING_SYSCALL, "unlinkat", "unlinkat()", 4, "/usr/bin/rm", "b:1 x"),
                finding(LP_FINDING_SYSCALL, "rename", "rename()", 1, "/usr/bin/mv", "b:1 x"),
                finding(LP_FINDING_SYSCALL, "mkdirat", "mkdirat()", 1, "/usr/bin/mkdir", "b:1 x"),
        };
        char *text = learn_and_merge_again(&lg, fs, 3);
        assert_non_null(strstr(text, "\nAllow=unlinkat # 2-99 calls, first by /usr/bin/rm\n"));
        assert_non_null(strstr(text, "\nAllow=unlink rmdir renameat renameat2 # with unlinkat: one "
                                     "family\nAllow=mkdir # with mkdirat: one family\n"));
        struct lp_policy *learned = NULL;
        assert_int_equal(lp_policy_load(lg.out, stderr, &learned), 0);
        for (const char *const *m = lp_learn_families[0]; *m; m++)
                assert_int_equal(lp_policy_syscall_by_name(learned, *m)->action.type,
                                 LP_ACTION_ALLOW);
        assert_int_not_equal(lp_policy_syscall_by_name(learned, "link")->action.type,
                             LP_ACTION_ALLOW);
        lp_policy_free(learned);
        struct lp_learned l = {0};
        assert_int_equal(lp_learned_read(&l, lg.out, "base"), 0);
        assert_int_equal(l.n_items, 3); /* unlinkat, rename, mkdirat */
        lp_learned_done(&l);
        free(text);
        learning_done(&lg);
}

/* What BASE names stays as named, and a hardened member never comes
 * along: a family grants only what BASE leaves to DefaultAction. */
static void test_families_where_base_is_silent(void **state)
{
        (void)state;
        struct lp_policy *base = load_text("[Profile]\nInclude=base\n[Syscalls]\nDeny=rmdir\n");
        struct lp_learned l = {0};
        assert_false(lp_family_grants(base, &l, "unlink", NULL)); /* nothing used */
        struct lp_learned_item used = item("Syscalls", "Allow", "unlinkat", 1, "/bin/rm", false);
        assert_int_equal(lp_learned_add(&l, &used, false), 0);
        const char *with = NULL;
        assert_true(lp_family_grants(base, &l, "unlink", &with));
        assert_string_equal(with, "unlinkat");
        assert_false(lp_family_grants(base, &l, "rmdir", NULL));    /* BASE denies it */
        assert_false(lp_family_grants(base, &l, "unlinkat", NULL)); /* its own item */
        assert_false(lp_family_grants(base, &l, "mkdir", NULL));    /* another family */
        for (size_t f = 0; lp_learn_families[f]; f++)
                for (size_t i = 0; lp_learn_families[f][i]; i++) {
                        const struct lp_watch *w = lp_watch_find(lp_learn_families[f][i]);
                        assert_true(!w || !w->hardening);
                }
        lp_learned_done(&l);
        lp_policy_free(base);
}

/* Names made anew each run, and the paths that rotate with them: only in
 * a temporary or log directory, never above it. */
static void test_rotating_paths(void **state)
{
        (void)state;
        static const char *const generated[] = {"pytest-12",  "app.log.3",  "run_20261130",
                                                "2026-11-30", "tmp.Xa81Kd", "lp-itest.Oa4El7"};
        static const char *const stable[] = {"pytest-of-root", "_logs",     "build",
                                             "v2.0a",          "x-",        "-12",
                                             "tmp.abcdef",     "lib.so.6x", ".cache"};
        for (size_t i = 0; i < sizeof(generated) / sizeof(generated[0]); i++)
                assert_true(lp_learn_generated_name(generated[i]));
        for (size_t i = 0; i < sizeof(stable) / sizeof(stable[0]); i++)
                assert_false(lp_learn_generated_name(stable[i]));
        static const char *const cases[][2] = {
                {"/var/tmp/pytest-of-root/pytest-12", "/var/tmp/pytest-of-root"},
                {"/var/tmp/tmp.Xa81Kd", "/var/tmp"},
                {"/home/u/.npm/_logs/2026-11-30", "/home/u/.npm/_logs"},
                {"/srv/app/logs/run-3/part-2", "/srv/app/logs"},
                {"/home/u/work/build-2", "/home/u/work/build-2"}, /* not a rotating place */
                {"/var/tmp/cache", "/var/tmp/cache"},
                {"/var/tmp", "/var/tmp"},
        };
        char *d = lp_learn_stable_destination("udp 127.0.0.1:41234");
        assert_string_equal(d, "udp 127.0.0.1:ephemeral");
        free(d);
        d = lp_learn_stable_destination("tcp 127.0.0.1:41234"); /* a Forward=: exact */
        assert_string_equal(d, "tcp 127.0.0.1:41234");
        free(d);
        d = lp_learn_stable_destination("tcp 192.0.2.1:443");
        assert_string_equal(d, "tcp 192.0.2.1:443");
        free(d);
        d = lp_learn_stable_destination("udp [2001:db8::1]:50000");
        assert_string_equal(d, "udp [2001:db8::1]:ephemeral");
        free(d);
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char path[128];
                snprintf(path, sizeof(path), "%s", cases[i][0]);
                lp_learn_generalise_path(path);
                assert_string_equal(path, cases[i][1]);
        }
}

/* An executable path is the command's to choose: a newline in it must not
 * become a line of the learned profile. */
static void test_evidence_cannot_inject_lines(void **state)
{
        (void)state;
        struct learning lg;
        learning_setup(&lg, "injected.profile");
        const char *out = lg.out;
        struct lp_policy *base = lg.base;
        struct lp_findings *s = lg.store;
        struct lp_finding f = finding(LP_FINDING_SYSCALL, "execve", "execve()", 1,
                                      "/tmp/d\n[Capabilities]\nKeep=CAP_SYS_ADMIN\n#", "b:1 x");
        assert_int_equal(lp_findings_add(s, &f), 0);
        struct lp_finding e = finding(LP_FINDING_ENVIRONMENT, "X\nPass=*", "", 1, "", "");
        assert_int_equal(lp_findings_add(s, &e), 0);
        struct lp_learn_request req = {.output = out, .base = "base"};
        lp_log_level = LP_LOG_QUIET;
        assert_int_equal(lp_learn_write(base, s, &req), 0);
        char *text = slurp(out);
        assert_null(strstr(text, "\nKeep=CAP_SYS_ADMIN"));
        assert_null(strstr(text, "\nPass=*"));
        assert_non_null(strstr(text, "first by /tmp/d?[Capabilities]?Keep=CAP_SYS_ADMIN?#"));
        struct lp_policy *learned = NULL;
        assert_int_equal(lp_policy_load(out, stderr, &learned), 0);
        assert_int_equal(learned->n_keep, 0);
        assert_int_equal(learned->n_pass, 0);
        lp_policy_free(learned);
        free(text);
        learning_done(&lg);
}

/* TCP services on the host's loopback become forwards; a destination
 * beyond loopback still needs the host network, and then no forward is
 * written. The forwards resolve, and survive a merge. */
static void test_host_services_become_forwards(void **state)
{
        (void)state;
        struct learning lg;
        learning_setup(&lg, "forwards.profile");
        const char *out = lg.out;
        struct lp_policy *base = lg.base;
        struct lp_findings *s = lg.store;
        struct lp_finding fs[] = {
                finding(LP_FINDING_NETWORK, "connect", "tcp 127.0.0.1:5432", 3, "/usr/bin/psql",
                        ""),
                finding(LP_FINDING_NETWORK, "connect", "tcp [::1]:6379", 1, "/r", ""),
                /* A dual-stack client: [::1] first, then 127.0.0.1. */
                finding(LP_FINDING_NETWORK, "connect", "tcp [::1]:5432", 1, "/usr/bin/psql", ""),
                /* A UDP service: a note, not the host network. */
                finding(LP_FINDING_NETWORK, "sendto", "udp 127.0.0.1:5353", 4, "/d", ""),
        };
        for (size_t i = 0; i < 4; i++)
                assert_int_equal(lp_findings_add(s, &fs[i]), 0);
        struct lp_learn_request req = {.output = out, .base = "base"};
        lp_log_level = LP_LOG_QUIET;
        assert_int_equal(lp_learn_write(base, s, &req), 0);
        char *text = slurp(out);
        assert_non_null(strstr(text, "\nForward=tcp:5432\n"));
        assert_non_null(strstr(text, "\nForward=tcp:6379=[::1]:6379\n"));
        assert_null(strstr(text, "\nForward=tcp:5432=[::1]:5432\n"));
        assert_null(strstr(text, "\nNamespace="));
        assert_non_null(strstr(text, "\n# destination: udp 127.0.0.1:5353 # 2-99 calls"));
        assert_non_null(strstr(text, "a UDP service on the host's loopback: Forward= is TCP only"));
        struct lp_policy *learned = NULL;
        assert_int_equal(lp_policy_load(out, stderr, &learned), 0);
        assert_int_equal(learned->n_forwards, 2);
        assert_int_equal(learned->netns, LP_NETNS_LOOPBACK);
        lp_policy_free(learned);
        struct lp_findings *empty = NULL;
        assert_int_equal(lp_findings_new(0, &empty), 0);
        req.merge = true;
        assert_int_equal(lp_learn_write(base, empty, &req), 0);
        char *again = slurp(out);
        assert_string_equal(text, again);
        free(again);
        free(text);

        struct lp_finding outside =
                finding(LP_FINDING_NETWORK, "connect", "tcp 192.0.2.1:443", 1, "/c", "");
        assert_int_equal(lp_findings_add(empty, &outside), 0);
        assert_int_equal(lp_learn_write(base, empty, &req), 0);
        text = slurp(out);
        assert_non_null(strstr(text, "\nNamespace=host\n"));
        assert_null(strstr(text, "\nForward="));
        free(text);
        lp_findings_free(empty);
        learning_done(&lg);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_floor_holds_nothing_watched),
                cmocka_unit_test(test_floor_holds_nothing_dangerous),
                cmocka_unit_test(test_creation_family),
                cmocka_unit_test(test_evidence_classes_round_trip),
                cmocka_unit_test(test_evidence_parse_note_and_errors),
                cmocka_unit_test(test_counts_add_in_a_run_and_max_in_a_merge),
                cmocka_unit_test(test_write_check_and_read_back),
                cmocka_unit_test(test_creation_is_one_grant),
                cmocka_unit_test(test_creation_counted_names_no_executable),
                cmocka_unit_test(test_creation_by_name),
                cmocka_unit_test(test_creation_grants_where_base_is_silent),
                cmocka_unit_test(test_evidence_cannot_inject_lines),
                cmocka_unit_test(test_host_services_become_forwards),
                cmocka_unit_test(test_families),
                cmocka_unit_test(test_families_where_base_is_silent),
                cmocka_unit_test(test_rotating_paths),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
