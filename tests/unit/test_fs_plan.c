/* The filesystem plan (rules/fs_plan.h): a [Filesystem] section resolved
 * against a working directory, a home and a canonicalizer (here a fake
 * one over a table of paths), into sorted rules; which rule decides a
 * path; every error with the FILE:LINE of the line that named it; the
 * working directory kept in view under a private /tmp. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "profile/load.h"
#include "profile/policy.h"
#include "rules/fs_plan.h"

/* ---- a host that exists only here ---- */

/* Paths that exist, and the canonical path each resolves to (a symlink
 * somewhere above it, or itself). */
static const char *const host[][2] = {
        {"/work", "/work"},
        {"/work/repo", "/work/repo"},
        {"/work/repo/build", "/work/repo/build"},
        {"/work/link", "/work/repo"},
        {"/home/u", "/home/u"},
        {"/home/u/.ssh", "/home/u/.ssh"},
        {"/home/u/out", "/home/u/out"},
        {"/home/u/.ssh/keys", "/home/u/.ssh/keys"},
        {"/var/cache/x", "/var/cache/x"},
        {"/srv", "/srv"},
        {"/etc/shadow", "/etc/shadow"},
        {"/tmp/job.1", "/tmp/job.1"},
        {"/secret", "/secret"},
        {"/etc", "/etc"},
        {"/tmp", "/tmp"},
        {"/proc/sys", "/proc/sys"},
};

static int fake_canonical(const void *ctx, const char *path, char **ret)
{
        if (ctx && strcmp(path, (const char *)ctx) == 0)
                return -EACCES;
        for (size_t i = 0; i < sizeof(host) / sizeof(host[0]); i++)
                if (strcmp(path, host[i][0]) == 0) {
                        *ret = strdup(host[i][1]);
                        return *ret ? 0 : -ENOMEM;
                }
        return -ENOENT;
}

static struct lp_policy *load(const char *text)
{
        char *errors = NULL;
        size_t len = 0;
        FILE *e = open_memstream(&errors, &len);
        assert_non_null(e);
        struct lp_policy *p = NULL;
        int r = lp_policy_load_string(text, "t.profile", e, &p);
        fclose(e);
        if (r != 0)
                fail_msg("did not load (%d): %s", r, errors);
        free(errors);
        return p;
}

struct built {
        struct lp_policy *policy; /* the plan's origins point into it */
        int r;
        struct lp_fs_plan plan;
        char *error;
};

static const char *command; /* the executable the next build is for */

static struct built build_in(const char *text, const char *cwd, const char *home,
                             const char *unreadable)
{
        struct lp_policy *p = load(text);
        struct lp_fs_env env = {.cwd = cwd,
                                .home = home,
                                .command = command,
                                .canonical = fake_canonical,
                                .ctx = unreadable};
        struct built b = {.policy = p};
        b.r = lp_fs_plan_build(p, &env, &b.plan, &b.error);
        return b;
}

static struct built build(const char *text)
{
        return build_in(text, "/work/repo", "/home/u", NULL);
}

#define assert_built(b) assert_built_at((b), __LINE__)
static void assert_built_at(const struct built *b, int at)
{
        if (b->r != 0)
                fail_msg("line %d: the plan failed (%d): %s", at, b->r,
                         b->error ? b->error : "(no message)");
}

static void done(struct built *b)
{
        if (b->r == 0)
                lp_fs_plan_done(&b->plan);
        free(b->error);
        lp_policy_free(b->policy);
}

static void expect_error(const char *text, const char *cwd, const char *expected)
{
        struct built b = build_in(text, cwd, "/home/u", NULL);
        if (b.r != -EINVAL || !b.error || strcmp(b.error, expected) != 0)
                fail_msg("expected -EINVAL and\n  %s\ngot %d and\n  %s", expected, b.r,
                         b.error ? b.error : "(none)");
        done(&b);
}

#define assert_decides(plan, path, access, kind) \
        assert_decides_at((plan), (path), (access), (kind), __LINE__)
static void assert_decides_at(const struct lp_fs_plan *plan, const char *path,
                              enum lp_fs_access access, enum lp_fs_kind kind, int at)
{
        const struct lp_fs_rule *r = lp_fs_plan_lookup(plan, path);
        if (!r)
                fail_msg("line %d: no rule decides %s", at, path);
        if (r->access != access || r->kind != kind)
                fail_msg("line %d: %s decided by %s (access %d, kind %d); expected access %d, "
                         "kind %d",
                         at, path, r->path, r->access, r->kind, access, kind);
}

/* ---- the protections ---- */

static const char base_like[] = "[Filesystem]\nProtectSystem=strict\nPrivateTmp=yes\n"
                                "PrivateDevices=yes\nProtectKernelTunables=yes\n"
                                "ProtectControlGroups=yes\n";

static void test_fs_plan_protections(void **state)
{
        struct built b = build(base_like);
        assert_built(&b);
        const struct lp_fs_plan *plan = &b.plan;
        assert_true(plan->landlock);
        assert_true(lp_fs_plan_restricts(plan));
        /* "/", /dev /proc /sys, /dev again (devices), /tmp /var/tmp
         * /dev/shm, 9 tunables (one of them /sys), /sys/fs/cgroup: the
         * same path once, by its strictest rule. */
        assert_int_equal(plan->n_rules, 1 + 3 + 3 + 9 - 1 + 1);
        for (size_t i = 1; i < plan->n_rules; i++)
                assert_true(strcmp(plan->rules[i - 1].path, plan->rules[i].path) < 0);
        assert_decides(plan, "/etc/passwd", LP_FS_READ_ONLY, LP_FS_PROTECT_SYSTEM);
        assert_decides(plan, "/", LP_FS_READ_ONLY, LP_FS_PROTECT_SYSTEM);
        assert_decides(plan, "/work/repo/x", LP_FS_READ_ONLY, LP_FS_PROTECT_SYSTEM);
        assert_decides(plan, "/dev/null", LP_FS_WRITABLE, LP_FS_PRIVATE_DEVICES);
        assert_decides(plan, "/dev/shm/x", LP_FS_WRITABLE, LP_FS_PRIVATE_TMP);
        assert_decides(plan, "/tmp/a/b", LP_FS_WRITABLE, LP_FS_PRIVATE_TMP);
        assert_decides(plan, "/var/tmp", LP_FS_WRITABLE, LP_FS_PRIVATE_TMP);
        assert_decides(plan, "/var/tmpx", LP_FS_READ_ONLY, LP_FS_PROTECT_SYSTEM);
        assert_decides(plan, "/proc/self/fd", LP_FS_WRITABLE, LP_FS_API);
        assert_decides(plan, "/proc/sys/kernel/core_pattern", LP_FS_READ_ONLY, LP_FS_TUNABLES);
        assert_decides(plan, "/proc/sysrq-trigger", LP_FS_READ_ONLY, LP_FS_TUNABLES);
        assert_decides(plan, "/sys/kernel/mm", LP_FS_READ_ONLY, LP_FS_TUNABLES);
        assert_decides(plan, "/sys/fs/cgroup/pids", LP_FS_READ_ONLY, LP_FS_CGROUPS);
        done(&b);
}

static void test_fs_plan_protect_system_full_and_no(void **state)
{
        struct built b = build("[Filesystem]\nProtectSystem=full\n");
        assert_built(&b);
        assert_false(b.plan.landlock);
        assert_int_equal(b.plan.n_rules, 4);
        assert_decides(&b.plan, "/usr/bin/sh", LP_FS_READ_ONLY, LP_FS_PROTECT_SYSTEM);
        assert_decides(&b.plan, "/etc", LP_FS_READ_ONLY, LP_FS_PROTECT_SYSTEM);
        assert_null(lp_fs_plan_lookup(&b.plan, "/var/lib/x"));
        assert_null(lp_fs_plan_lookup(&b.plan, "/usrx"));
        done(&b);

        /* Only writable rules: nothing to refuse, nothing to watch. */
        b = build("[Filesystem]\nProtectSystem=no\nReadWritePaths=/srv\n");
        assert_built(&b);
        assert_int_equal(b.plan.n_rules, 1);
        assert_false(lp_fs_plan_restricts(&b.plan));
        done(&b);
}

/* ---- the path lists ---- */

static void test_fs_plan_paths_resolved(void **state)
{
        struct built b = build("[Filesystem]\nProtectSystem=strict\n"
                               "ReadWritePaths=. build ~/out /work/link/ -/no/such\n"
                               "ReadOnlyPaths=/srv\nInaccessiblePaths=~/.ssh -~/.aws\n");
        assert_built(&b);
        const struct lp_fs_plan *plan = &b.plan;
        /* "/", /dev /proc /sys, the repository (twice, once through the
         * link), build, ~/out, /srv, ~/.ssh; the missing optional ones
         * are left out. */
        assert_int_equal(plan->n_rules, 1 + 3 + 1 + 1 + 1 + 1 + 1);
        assert_decides(plan, "/work/repo/src/a.c", LP_FS_WRITABLE, LP_FS_READ_WRITE_PATH);
        assert_decides(plan, "/work/repo/build/x", LP_FS_WRITABLE, LP_FS_READ_WRITE_PATH);
        assert_decides(plan, "/home/u/out/log", LP_FS_WRITABLE, LP_FS_READ_WRITE_PATH);
        assert_decides(plan, "/home/u/.ssh/id_rsa", LP_FS_HIDDEN, LP_FS_HIDDEN_PATH);
        assert_decides(plan, "/home/u/other", LP_FS_READ_ONLY, LP_FS_PROTECT_SYSTEM);
        assert_decides(plan, "/srv/data", LP_FS_READ_ONLY, LP_FS_READ_ONLY_PATH);
        const struct lp_fs_rule *ssh = lp_fs_plan_lookup(plan, "/home/u/.ssh");
        assert_string_equal(ssh->written, "~/.ssh");
        assert_int_equal(ssh->origin.line, 5);
        assert_string_equal(ssh->origin.file, "t.profile");
        /* The later line of the same strictness is the one cited. */
        const struct lp_fs_rule *repo = lp_fs_plan_lookup(plan, "/work/repo");
        assert_string_equal(repo->written, "/work/link");
        done(&b);
}

static void test_fs_plan_strictest_rule_wins(void **state)
{
        struct built b = build("[Filesystem]\nInaccessiblePaths=/srv\nReadWritePaths=/srv\n"
                               "ReadOnlyPaths=/var/cache/x\nReadWritePaths=/var/cache/x\n");
        assert_built(&b);
        assert_int_equal(b.plan.n_rules, 2);
        assert_decides(&b.plan, "/srv/x", LP_FS_HIDDEN, LP_FS_HIDDEN_PATH);
        assert_decides(&b.plan, "/var/cache/x", LP_FS_READ_ONLY, LP_FS_READ_ONLY_PATH);
        done(&b);
}

/* A path list's rule beats a built-in protection at the same path, so
 * that the fix a finding names (ReadWritePaths=/etc) works; below a path
 * the deepest rule decides. */
static void test_fs_plan_path_lists_beat_protections(void **state)
{
        struct built b = build("[Filesystem]\nProtectSystem=full\nReadWritePaths=/etc\n");
        assert_built(&b);
        assert_decides(&b.plan, "/etc/hosts", LP_FS_WRITABLE, LP_FS_READ_WRITE_PATH);
        assert_decides(&b.plan, "/usr/bin", LP_FS_READ_ONLY, LP_FS_PROTECT_SYSTEM);
        done(&b);
        b = build("[Filesystem]\nPrivateTmp=yes\nProtectKernelTunables=yes\n"
                  "ReadWritePaths=/tmp /proc/sys\n");
        assert_built(&b);
        assert_decides(&b.plan, "/tmp/x", LP_FS_WRITABLE, LP_FS_READ_WRITE_PATH);
        assert_decides(&b.plan, "/var/tmp/x", LP_FS_WRITABLE, LP_FS_PRIVATE_TMP);
        assert_decides(&b.plan, "/proc/sys/kernel", LP_FS_WRITABLE, LP_FS_READ_WRITE_PATH);
        assert_decides(&b.plan, "/proc/sysrq-trigger", LP_FS_READ_ONLY, LP_FS_TUNABLES);
        done(&b);
        /* Among the path lists, the stricter still wins. */
        b = build("[Filesystem]\nProtectSystem=full\nReadOnlyPaths=/etc\nReadWritePaths=/etc\n");
        assert_built(&b);
        assert_decides(&b.plan, "/etc/hosts", LP_FS_READ_ONLY, LP_FS_READ_ONLY_PATH);
        done(&b);
}

static void test_fs_plan_errors(void **state)
{
        expect_error("[Filesystem]\nProtectSystem=strict\n\nReadWritePaths=/var/cache/y\n",
                     "/work/repo",
                     "t.profile:4: /var/cache/y (/var/cache/y) does not exist; write "
                     "-/var/cache/y to skip a path that may be missing");
        expect_error("[Filesystem]\nReadOnlyPaths=missing\n", "/work/repo",
                     "t.profile:2: missing (/work/repo/missing) does not exist; write -missing "
                     "to skip a path that may be missing");
        expect_error("[Filesystem]\nInaccessiblePaths=~/.ssh\nReadWritePaths=~/.ssh/keys\n",
                     "/work/repo",
                     "t.profile:3: ~/.ssh/keys lies inside /home/u/.ssh, which "
                     "InaccessiblePaths= hides");
        expect_error("[Filesystem]\nInaccessiblePaths=/work\n", "/work/repo",
                     "t.profile:2: the working directory /work/repo lies inside /work, which "
                     "InaccessiblePaths= hides; run from elsewhere");

        struct built b = build_in("[Filesystem]\nReadWritePaths=~/out\n", "/work/repo", NULL, NULL);
        assert_int_equal(b.r, -EINVAL);
        assert_string_equal(b.error, "t.profile:2: ~/out: the caller has no home directory "
                                     "(HOME is unset and no passwd entry has one)");
        done(&b);

        /* Out of the caller's reach: an error, unless optional. */
        b = build_in("[Filesystem]\nInaccessiblePaths=/secret\n", "/work/repo", "/home/u",
                     "/secret");
        assert_int_equal(b.r, -EINVAL);
        assert_string_equal(b.error, "t.profile:2: /secret (/secret) cannot be resolved: "
                                     "Permission denied");
        done(&b);
        b = build_in("[Filesystem]\nInaccessiblePaths=-/secret\n", "/work/repo", "/home/u",
                     "/secret");
        assert_built(&b);
        assert_int_equal(b.plan.n_rules, 0);
        done(&b);
}

/* ---- the working directory ---- */

static void test_fs_plan_workdir_under_private_tmp(void **state)
{
        /* A `mktemp -d` workspace stays in view, read-only... */
        struct built b = build_in(base_like, "/tmp/job.1", "/home/u", NULL);
        assert_built(&b);
        assert_decides(&b.plan, "/tmp/job.1/out", LP_FS_READ_ONLY, LP_FS_WORKDIR);
        assert_decides(&b.plan, "/tmp/other", LP_FS_WRITABLE, LP_FS_PRIVATE_TMP);
        char text[128];
        lp_fs_rule_text(lp_fs_plan_lookup(&b.plan, "/tmp/job.1"), text, sizeof(text));
        assert_string_equal(text, "[Filesystem] PrivateTmp=yes (the working directory, "
                                  "read-only)");
        done(&b);

        /* ...writable with ReadWritePaths=., and not added elsewhere. */
        char rw[512];
        snprintf(rw, sizeof(rw), "%sReadWritePaths=.\n", base_like);
        b = build_in(rw, "/tmp/job.1", "/home/u", NULL);
        assert_built(&b);
        assert_decides(&b.plan, "/tmp/job.1/out", LP_FS_WRITABLE, LP_FS_READ_WRITE_PATH);
        done(&b);
        b = build(base_like);
        for (size_t i = 0; i < b.plan.n_rules; i++)
                assert_int_not_equal(b.plan.rules[i].kind, LP_FS_WORKDIR);
        done(&b);
}

static void test_fs_plan_command_dir_under_private_tmp(void **state)
{
        /* A test binary built under a /tmp checkout can be run... */
        command = "/tmp/ci/build/tests/probe";
        struct built b = build(base_like);
        assert_built(&b);
        assert_decides(&b.plan, "/tmp/ci/build/tests/probe", LP_FS_READ_ONLY, LP_FS_COMMAND_DIR);
        assert_decides(&b.plan, "/tmp/ci/build/tests", LP_FS_READ_ONLY, LP_FS_COMMAND_DIR);
        assert_decides(&b.plan, "/tmp/ci/build", LP_FS_WRITABLE, LP_FS_PRIVATE_TMP);
        char text[128];
        lp_fs_rule_text(lp_fs_plan_lookup(&b.plan, "/tmp/ci/build/tests"), text, sizeof(text));
        assert_string_equal(text, "[Filesystem] PrivateTmp=yes (the command's directory, "
                                  "read-only)");
        done(&b);
        /* ...and a command elsewhere adds nothing. */
        command = "/usr/bin/sh";
        b = build(base_like);
        assert_built(&b);
        for (size_t i = 0; i < b.plan.n_rules; i++)
                assert_int_not_equal(b.plan.rules[i].kind, LP_FS_COMMAND_DIR);
        done(&b);
        command = NULL;
}

/* ---- the texts findings cite ---- */

static void test_fs_plan_rule_texts(void **state)
{
        struct built b = build("[Filesystem]\nProtectSystem=strict\nPrivateTmp=yes\n"
                               "PrivateDevices=yes\nProtectKernelTunables=yes\n"
                               "ProtectControlGroups=yes\nReadWritePaths=build\n"
                               "ReadOnlyPaths=-/srv\nInaccessiblePaths=-/etc/shadow\n");
        assert_built(&b);
        static const char *const expected[][2] = {
                {"/etc", "[Filesystem] ProtectSystem=strict"},
                {"/proc/1", "[Filesystem] ProtectSystem=strict (API file systems)"},
                {"/tmp", "[Filesystem] PrivateTmp=yes"},
                {"/dev/null", "[Filesystem] PrivateDevices=yes"},
                {"/proc/sys/vm", "[Filesystem] ProtectKernelTunables=yes"},
                {"/sys/fs/cgroup", "[Filesystem] ProtectControlGroups=yes"},
                {"/work/repo/build", "[Filesystem] ReadWritePaths=build"},
                {"/srv", "[Filesystem] ReadOnlyPaths=/srv"},
                {"/etc/shadow", "[Filesystem] InaccessiblePaths=/etc/shadow"},
        };
        for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
                char text[128];
                const struct lp_fs_rule *r = lp_fs_plan_lookup(&b.plan, expected[i][0]);
                assert_non_null(r);
                lp_fs_rule_text(r, text, sizeof(text));
                assert_string_equal(text, expected[i][1]);
        }
        done(&b);

        b = build("[Filesystem]\nProtectSystem=full\n");
        char text[128];
        lp_fs_rule_text(lp_fs_plan_lookup(&b.plan, "/usr"), text, sizeof(text));
        assert_string_equal(text, "[Filesystem] ProtectSystem=full");
        done(&b);
}

static void test_fs_path_below(void **state)
{
        assert_true(lp_fs_path_below("/tmp", "/tmp"));
        assert_true(lp_fs_path_below("/tmp/x", "/tmp"));
        assert_false(lp_fs_path_below("/tmpx", "/tmp"));
        assert_false(lp_fs_path_below("/", "/tmp"));
        assert_true(lp_fs_path_below("/anything", "/"));
        assert_true(lp_fs_path_below("/", "/"));
}

static void test_fs_op_names(void **state)
{
        assert_string_equal(lp_fs_op_name(LP_FS_OP_OPEN, true), "write");
        assert_string_equal(lp_fs_op_name(LP_FS_OP_OPEN, false), "create");
        assert_string_equal(lp_fs_op_name(LP_FS_OP_DELETE, true), "delete");
        assert_string_equal(lp_fs_op_name(LP_FS_OP_RENAME, true), "rename");
        assert_string_equal(lp_fs_op_name(LP_FS_OP_MKDIR, false), "mkdir");
        assert_string_equal(lp_fs_op_name(LP_FS_OP_XATTR, true), "xattr");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fs_plan_protections),
                cmocka_unit_test(test_fs_plan_protect_system_full_and_no),
                cmocka_unit_test(test_fs_plan_paths_resolved),
                cmocka_unit_test(test_fs_plan_strictest_rule_wins),
                cmocka_unit_test(test_fs_plan_path_lists_beat_protections),
                cmocka_unit_test(test_fs_plan_errors),
                cmocka_unit_test(test_fs_plan_workdir_under_private_tmp),
                cmocka_unit_test(test_fs_plan_command_dir_under_private_tmp),
                cmocka_unit_test(test_fs_plan_rule_texts),
                cmocka_unit_test(test_fs_path_below),
                cmocka_unit_test(test_fs_op_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
