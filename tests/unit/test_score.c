/* `leastpriv check --score` (review/score.h) and its table
 * (review/score_checks.h): the table's invariants, the exposure of a
 * hand-made profile summed by hand from the table's weights, the order
 * of the shipped profiles, what single checks find, and the bands. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "profile/load.h"
#include "profile/policy.h"
#include "profile/syscall_sets.h"
#include "review/score.h"
#include "review/score_checks.h"

/* ---- helpers ---- */

static char tmpdir[64];

/* The shipped profiles by name resolve to the embedded copies: no
 * LEASTPRIV_PATH, and a working directory without ./profiles. */
static int group_setup(void **state)
{
        unsetenv("LEASTPRIV_PATH");
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/lp-test-score-XXXXXX");
        if (!mkdtemp(tmpdir) || chdir(tmpdir) < 0)
                return -1;
        return 0;
}

static int group_teardown(void **state)
{
        if (chdir("/") < 0)
                return -1;
        return rmdir(tmpdir);
}

static struct lp_policy *load(const char *text_or_name, bool is_name)
{
        char *errors = NULL;
        size_t len = 0;
        FILE *e = open_memstream(&errors, &len);
        assert_non_null(e);
        struct lp_policy *p = NULL;
        int r = is_name ? lp_policy_load(text_or_name, e, &p)
                        : lp_policy_load_string(text_or_name, "t.profile", e, &p);
        fclose(e);
        if (r != 0)
                fail_msg("did not load (%d): %s\n--- profile ---\n%s", r, errors, text_or_name);
        free(errors);
        return p;
}

#define LOAD_TEXT(text) load(text, false)
#define LOAD_NAME(name) load(name, true)

static const struct lp_score_check *check_named(const char *name)
{
        for (const struct lp_score_check *c = lp_score_checks; c->name; c++)
                if (strcmp(c->name, name) == 0)
                        return c;
        fail_msg("no check named '%s' in the score table", name);
        return NULL;
}

static unsigned long weight_of(const char *name)
{
        return check_named(name)->weight;
}

static unsigned long total_weight(void)
{
        unsigned long w = 0;
        for (const struct lp_score_check *c = lp_score_checks; c->name; c++)
                w += c->weight;
        return w;
}

/* What one check finds in the policy of `text`. */
static struct lp_score_result assess(const char *check, const char *text)
{
        struct lp_policy *p = LOAD_TEXT(text), *base = LOAD_NAME("base");
        struct lp_score_input in = {.policy = p, .base = base};
        struct lp_score_result r = {0};
        const struct lp_score_check *c = check_named(check);
        c->assess(c, &in, &r);
        lp_policy_free(p);
        lp_policy_free(base);
        return r;
}

static unsigned badness(const char *check, const char *text)
{
        return assess(check, text).badness;
}

struct scored {
        unsigned exposure;
        char *text;
};

static struct scored score(const struct lp_policy *p)
{
        struct scored s = {0};
        size_t len = 0;
        FILE *out = open_memstream(&s.text, &len);
        assert_non_null(out);
        assert_int_equal(lp_policy_score(p, out, &s.exposure), 0);
        fclose(out);
        return s;
}

static unsigned exposure_of_name(const char *name)
{
        struct lp_policy *p = LOAD_NAME(name);
        unsigned exposure = 1000;
        assert_int_equal(lp_policy_score(p, NULL, &exposure), 0);
        lp_policy_free(p);
        return exposure;
}

static unsigned exposure_of_text(const char *text)
{
        struct lp_policy *p = LOAD_TEXT(text);
        unsigned exposure = 1000;
        assert_int_equal(lp_policy_score(p, NULL, &exposure), 0);
        lp_policy_free(p);
        return exposure;
}

static void assert_contains(const char *text, const char *part)
{
        if (!strstr(text, part))
                fail_msg("'%s' not in:\n%s", part, text);
}

/* ---- the table ---- */

static void test_score_checks_are_complete(void **state)
{
        size_t n = 0;
        for (const struct lp_score_check *c = lp_score_checks; c->name; c++, n++) {
                if (!c->fix || !c->assess || c->weight == 0 || c->range == 0)
                        fail_msg("check '%s' lacks a fix, an assessor, a weight or a range",
                                 c->name);
                for (const struct lp_score_check *d = lp_score_checks; d < c; d++)
                        if (strcmp(c->name, d->name) == 0)
                                fail_msg("two checks named '%s'", c->name);
        }
        assert_true(n >= 30);
}

/* Each capability, those of kernels newer than the table included, is
 * weighed by exactly one check: none counted twice, none free. */
static void test_score_checks_weigh_each_capability_once(void **state)
{
        for (unsigned cap = 0; cap < 64; cap++) {
                unsigned checks = 0;
                for (const struct lp_score_check *c = lp_score_checks; c->name; c++)
                        checks += (c->caps >> cap) & 1;
                if (checks != 1)
                        fail_msg("capability %u is weighed by %u checks", cap, checks);
        }
        /* CAP_SYS_ADMIN weighs most (CAP_SYS_ADMIN is 21). */
        for (const struct lp_score_check *c = lp_score_checks; c->name; c++)
                if (c->caps && c->caps != UINT64_C(1) << 21)
                        assert_true(c->weight < weight_of("CAP_SYS_ADMIN"));
}

/* Whether a profile that allows the group gets any of its calls: not
 * @io-uring's, which the built-in hardening refuses. */
static bool grantable(const struct lp_syscall_group *g)
{
        char text[128];
        snprintf(text, sizeof(text), "[Syscalls]\nAllow=%s\n", g->name);
        struct lp_policy *p = LOAD_TEXT(text);
        bool any = false;
        for (size_t i = 0; g->members[i]; i++) {
                const struct lp_syscall_rule *r = lp_policy_syscall_by_name(p, g->members[i]);
                any = any || (r && r->action.type == LP_ACTION_ALLOW);
        }
        lp_policy_free(p);
        return any;
}

/* Every dangerous group a profile can grant has a check, and only
 * dangerous groups do. */
static void test_score_checks_weigh_each_dangerous_group(void **state)
{
        size_t weighed = 0, checks = 0;
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++) {
                if (!g->dangerous || !grantable(g))
                        continue;
                weighed++;
                assert_string_equal(check_named(g->name)->group, g->name);
        }
        for (const struct lp_score_check *c = lp_score_checks; c->name; c++) {
                if (!c->group)
                        continue;
                checks++;
                const struct lp_syscall_group *g = lp_syscall_group_find(c->group);
                assert_non_null(g);
                assert_true(g->dangerous);
        }
        assert_int_equal(checks, weighed);
        assert_int_equal(weighed, 13); /* the 14 dangerous groups but @io-uring */
}

/* ---- the exposure ---- */

/* Every check but those named below finds nothing in this profile; each
 * of those adds weight * badness / range, rounded up, to the sum. */
static const char hand_made[] = "[Profile]\n"                          /* 1 */
                                "Include=base\n"                       /* 2 */
                                "[Capabilities]\n"                     /* 3 */
                                "Keep=CAP_NET_RAW\n"                   /* 4 */
                                "[Syscalls]\n"                         /* 5 */
                                "DefaultAction=kill\n"                 /* 6 */
                                "[Network]\n"                          /* 7 */
                                "Namespace=host\n"                     /* 8 */
                                "AddressFamilies=\n"                   /* 9 */
                                "AddressFamilies=AF_UNIX AF_NETLINK\n" /* 10 */
                                "[Filesystem]\n"                       /* 11 */
                                "ReadWritePaths=/srv/data\n"           /* 12 */
                                "[Identity]\n"                         /* 13 */
                                "DynamicUser=yes\n"                    /* 14 */
                                "[Limits]\n"                           /* 15 */
                                "Memory=1G\n"                          /* 16 */
                                "Timeout=60\n"                         /* 17 */
                                "[Environment]\n"                      /* 18 */
                                "Pass=GITHUB_TOKEN\n";                 /* 19 */

static void test_lp_policy_score_hand_made(void **state)
{
        unsigned long sum = weight_of("capabilities over the network")   /* 1/1 */
                            + weight_of("Namespace=")                    /* host: 8/8 */
                            + weight_of("AF_NETLINK")                    /* every protocol: 4/4 */
                            + (2 * weight_of("ReadWritePaths=") + 2) / 3 /* outside: 2/3 */
                            + (weight_of("Pass=") + 1) / 2;              /* a secret by name: 1/2 */
        /* 1000 + 3000 + 500 + 667 + 750, as the table weighs them today. */
        assert_int_equal(sum, 5917);
        unsigned long w = total_weight();
        unsigned expected = (unsigned)((sum * 100 + w - 1) / w);

        struct lp_policy *p = LOAD_TEXT(hand_made);
        struct scored s = score(p);
        assert_int_equal(s.exposure, expected);
        char overall[128];
        snprintf(overall, sizeof(overall), "Overall exposure of t.profile: %u.%u %s\n",
                 expected / 10, expected % 10, lp_exposure_level(expected));
        assert_contains(s.text, overall);
        /* Only the five checks are marked; the greatest leads the top
         * contributors, with its line and the key to change. */
        size_t marked = 0;
        for (const char *l = s.text; l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                marked += *l == '!';
        assert_int_equal(marked, 5);
        assert_contains(s.text, "! Namespace=                       3000     8/8");
        assert_contains(s.text, "! ReadWritePaths=                  1000     2/3");
        assert_contains(s.text, "Top contributors:\n  0.");
        assert_contains(strstr(s.text, "Top contributors:"),
                        "Namespace= (host: the host's network, its ports and beyond)\n"
                        "        at t.profile:8; fix: [Network] Namespace=none\n");
        assert_contains(s.text, "at t.profile:4; fix: [Capabilities] Keep= without them");
        assert_contains(s.text, "at t.profile:10; fix: [Network] AddressFamilies=");
        assert_contains(s.text, "at t.profile:12; fix: [Filesystem] ReadWritePaths=");
        assert_contains(s.text, "at t.profile:19; fix: [Environment] Pass= without the secrets");
        free(s.text);
        lp_policy_free(p);
}

/* strict < default < default with the host's network < that with
 * CAP_SYS_ADMIN; base, which allows no syscall but grants what default
 * does otherwise, no more than default (the score weighs no ordinary
 * syscall group). */
static void test_lp_policy_score_shipped_order(void **state)
{
        unsigned strict = exposure_of_name("strict"), base = exposure_of_name("base"),
                 def = exposure_of_name("default");
        unsigned host = exposure_of_text("[Profile]\nInclude=default\n"
                                         "[Network]\nNamespace=host\n");
        unsigned admin = exposure_of_text("[Profile]\nInclude=default\n"
                                          "[Network]\nNamespace=host\n"
                                          "[Capabilities]\nKeep=CAP_SYS_ADMIN\n");
        unsigned bare = exposure_of_text("[Profile]\nDescription=nothing of base\n");
        if (!(strict < def && base <= def && def < host && host < admin))
                fail_msg("exposures out of order: strict %u, base %u, default %u, "
                         "default+host network %u, +CAP_SYS_ADMIN %u",
                         strict, base, def, host, admin);
        assert_true(def < bare);
        assert_string_equal(lp_exposure_level(strict), "OK");
        assert_string_equal(lp_exposure_level(def), "OK");
        assert_string_equal(lp_exposure_level(host), "MEDIUM");
        assert_string_equal(lp_exposure_level(bare), "EXPOSED");
}

/* A profile that fails every check is 10.0. */
static void test_lp_policy_score_worst(void **state)
{
        unsigned e = exposure_of_text("[Capabilities]\n"
                                      "Keep=CAP_SYS_ADMIN CAP_SYS_PTRACE CAP_SETUID CAP_CHOWN "
                                      "CAP_NET_RAW CAP_KILL\n"
                                      "[Syscalls]\n"
                                      "Allow=@namespaces @debug @bpf @mount @keyring\n"
                                      "Allow=@privileged @module @reboot @swap @raw-io @clock\n"
                                      "Allow=@obsolete @cpu-emulation ioctl clone prctl\n"
                                      "[Network]\nNamespace=host\n"
                                      "AddressFamilies=AF_INET AF_NETLINK AF_PACKET AF_VSOCK\n"
                                      "Forward=tcp:5432\nForwardOutside=yes\n"
                                      "[Filesystem]\nReadWritePaths=/\n"
                                      "[Environment]\nPass=*\nWithholdURLPasswords=no\n");
        assert_int_equal(e, 100);
        assert_string_equal(lp_exposure_level(e), "UNSAFE");
}

/* ---- single checks ---- */

static void test_score_check_writable_paths(void **state)
{
        assert_int_equal(badness("ReadWritePaths=", "[Filesystem]\nReadWritePaths=\n"), 0);
        assert_int_equal(badness("ReadWritePaths=", "[Filesystem]\nReadWritePaths=. build\n"), 1);
        assert_int_equal(badness("ReadWritePaths=", "[Filesystem]\nReadWritePaths=../x\n"), 2);
        assert_int_equal(badness("ReadWritePaths=", "[Filesystem]\nReadWritePaths=/tmp/x\n"), 2);
        assert_int_equal(badness("ReadWritePaths=", "[Filesystem]\nReadWritePaths=~/.cache\n"), 2);
        assert_int_equal(badness("ReadWritePaths=", "[Filesystem]\nReadWritePaths=. ~\n"), 3);
        assert_int_equal(badness("ReadWritePaths=", "[Filesystem]\nReadWritePaths=/etc/\n"), 3);
        struct lp_score_result r =
                assess("ReadWritePaths=", "[Filesystem]\nReadWritePaths=.\nReadWritePaths=/\n");
        assert_int_equal(r.badness, 3);
        assert_int_equal(r.origin.line, 3);
        assert_string_equal(r.what, "., /");
}

/* Of base's hidden credential stores: all, some or none; a directory
 * above one hides it. */
static void test_score_check_hidden_paths(void **state)
{
        assert_int_equal(badness("InaccessiblePaths=", "[Profile]\nInclude=base\n"), 0);
        assert_int_equal(badness("InaccessiblePaths=", "[Profile]\nDescription=none\n"), 2);
        struct lp_score_result r = assess("InaccessiblePaths=", "[Profile]\nInclude=base\n"
                                                                "[Filesystem]\n"
                                                                "InaccessiblePaths=\n"
                                                                "InaccessiblePaths=-~ -/etc\n"
                                                                "InaccessiblePaths=-/run\n");
        assert_int_equal(r.badness, 1);
        assert_string_equal(r.what, "/var/run/docker.sock");
}

/* Secrets: withheld by base's patterns or Clear=yes; passed by name (1)
 * or wholesale (2). */
static void test_score_check_secrets(void **state)
{
        assert_int_equal(badness("Withhold=", "[Profile]\nInclude=base\n"), 0);
        assert_int_equal(badness("Withhold=", "[Environment]\nWithhold=*TOKEN*\n"), 1);
        assert_int_equal(badness("Withhold=", "[Environment]\nPass=PATH\n"), 2);
        assert_int_equal(badness("Withhold=", "[Environment]\nClear=yes\n"), 0);
        assert_int_equal(badness("Pass=", "[Environment]\nPass=PATH HOME\n"), 0);
        assert_int_equal(badness("Pass=", "[Environment]\nPass=NPM_CONFIG_TOKEN\n"), 1);
        assert_int_equal(badness("Pass=", "[Environment]\nPass=AWS_*\n"), 2);
        struct lp_score_result r = assess("Pass=", "[Environment]\nPass=GITHUB_TOKEN\nPass=*\n");
        assert_int_equal(r.badness, 2);
        assert_int_equal(r.origin.line, 3);
        assert_string_equal(r.what, "GITHUB_TOKEN, *");
}

static void test_score_check_syscalls(void **state)
{
        assert_int_equal(badness("@debug", "[Syscalls]\nAllow=@default\n"), 0);
        struct lp_score_result r = assess("@debug", "[Syscalls]\nAllow=@default\nAllow=ptrace\n");
        assert_int_equal(r.badness, 1);
        assert_int_equal(r.origin.line, 3);
        assert_string_equal(r.what, "ptrace");
        /* @privileged's own calls, not those of the groups it nests. */
        assert_int_equal(badness("@privileged", "[Syscalls]\nAllow=@clock\n"), 0);
        assert_int_equal(badness("@privileged", "[Syscalls]\nAllow=acct\n"), 1);
        assert_int_equal(badness("argument hardening", "[Syscalls]\nAllow=@default @process\n"), 0);
        assert_int_equal(badness("argument hardening", "[Syscalls]\nAllow=ioctl\n"), 1);
        assert_int_equal(badness("DefaultAction=", "[Syscalls]\nDefaultAction=kill\n"), 0);
        assert_int_equal(badness("DefaultAction=", "[Syscalls]\nDefaultAction=errno:EPERM\n"), 1);
}

static void test_score_check_network(void **state)
{
        assert_int_equal(badness("Namespace=", "[Network]\nNamespace=none\n"), 0);
        assert_int_equal(badness("Namespace=", "[Network]\nNamespace=loopback\n"), 1);
        assert_int_equal(badness("Namespace=", "[Network]\nNamespace=host\n"), 8);
        assert_int_equal(badness("AF_NETLINK", "[Network]\nAddressFamilies=AF_NETLINK:ROUTE\n"), 1);
        assert_int_equal(badness("AF_NETLINK", "[Network]\nAddressFamilies=AF_NETLINK\n"), 4);
        assert_int_equal(badness("other address families",
                                 "[Network]\nAddressFamilies=AF_UNIX AF_INET AF_PACKET\n"),
                         0);
        assert_int_equal(badness("Forward=", "[Network]\nForward=tcp:5432\n"), 1);
        assert_int_equal(badness("Forward=", "[Network]\nForward=tcp:5432\nForwardOutside=yes\n"),
                         2);
}

static void test_score_check_identity(void **state)
{
        assert_int_equal(badness("DynamicUser=", "[Identity]\nDynamicUser=yes\n"), 0);
        assert_int_equal(badness("DynamicUser=", "[Identity]\nUser=nobody\n"), 1);
        assert_int_equal(badness("DynamicUser=", "[Identity]\nUser=root\n"), 2);
        assert_int_equal(badness("DynamicUser=", "[Profile]\nDescription=the caller\n"), 2);
        /* A dynamic user implies RestrictSUIDSGID=yes. */
        assert_int_equal(badness("RestrictSUIDSGID=", "[Identity]\nDynamicUser=yes\n"), 0);
        assert_int_equal(badness("RestrictSUIDSGID=", "[Identity]\nDynamicUser=no\n"), 1);
}

static void test_lp_exposure_level(void **state)
{
        static const struct {
                unsigned exposure;
                const char *level;
        } bands[] = {{0, "OK"},       {9, "OK"},       {10, "MEDIUM"}, {19, "MEDIUM"},
                     {20, "EXPOSED"}, {39, "EXPOSED"}, {40, "UNSAFE"}, {100, "UNSAFE"}};
        for (size_t i = 0; i < sizeof(bands) / sizeof(bands[0]); i++)
                assert_string_equal(lp_exposure_level(bands[i].exposure), bands[i].level);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_score_checks_are_complete),
                cmocka_unit_test(test_score_checks_weigh_each_capability_once),
                cmocka_unit_test(test_score_checks_weigh_each_dangerous_group),
                cmocka_unit_test(test_lp_policy_score_hand_made),
                cmocka_unit_test(test_lp_policy_score_shipped_order),
                cmocka_unit_test(test_lp_policy_score_worst),
                cmocka_unit_test(test_score_check_writable_paths),
                cmocka_unit_test(test_score_check_hidden_paths),
                cmocka_unit_test(test_score_check_secrets),
                cmocka_unit_test(test_score_check_syscalls),
                cmocka_unit_test(test_score_check_network),
                cmocka_unit_test(test_score_check_identity),
                cmocka_unit_test(test_lp_exposure_level),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
