/* The command's environment (launch/env.h): from a caller's environment
 * and an [Environment] section to exactly the variables the command gets,
 * in order, and exactly the withheld ones as findings. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "findings/findings.h"
#include "launch/env.h"
#include "profile/load.h"
#include "profile/policy.h"

struct built {
        struct lp_policy *policy;
        struct lp_findings *store;
        char **env;
};

static struct built build(const char *profile, const char *const *caller)
{
        struct built b = {0};
        if (lp_policy_load_string_sealed(profile, "t.profile", stderr, &b.policy) != 0)
                fail_msg("did not load: %s", profile);
        assert_int_equal(lp_findings_new(64, &b.store), 0);
        assert_int_equal(lp_env_build(b.policy, (char *const *)caller, b.store, &b.env), 0);
        return b;
}

static void done(struct built *b)
{
        lp_env_free(b->env);
        lp_findings_free(b->store);
        lp_policy_free(b->policy);
}

/* The built environment is exactly `want` (NULL-terminated), in order. */
static void assert_env(char **env, const char *const *want)
{
        size_t i = 0;
        for (; want[i]; i++) {
                if (!env[i])
                        fail_msg("expected '%s' at %zu, the environment ends there", want[i], i);
                assert_string_equal(env[i], want[i]);
        }
        if (env[i])
                fail_msg("expected the environment to end at %zu, found '%s'", i, env[i]);
}

#define ENV(...) ((const char *const[]){__VA_ARGS__, NULL})
#define ASSERT_ENV(env, ...) assert_env(env, ENV(__VA_ARGS__))

/* The store holds exactly these withheld variables, in first-seen order,
 * with these counts (NULL-terminated names). */
static void assert_withheld(const struct lp_findings *s, const char *const *names,
                            const uint64_t *counts)
{
        size_t n = 0;
        for (; names[n]; n++) {
                assert_true(n < lp_findings_size(s));
                const struct lp_finding *f = lp_findings_at(s, n);
                assert_int_equal(f->kind, LP_FINDING_ENVIRONMENT);
                assert_int_equal(f->action, LP_FINDING_WITHHELD);
                assert_string_equal(f->operation, names[n]);
                assert_string_equal(f->target, names[n]);
                assert_int_equal(f->count, counts[n]);
                char fix[128];
                snprintf(fix, sizeof(fix), "[Environment] Pass=%s", names[n]);
                assert_string_equal(f->fix, fix);
        }
        assert_int_equal(lp_findings_size(s), n);
}

static const char *rule_of(const struct lp_findings *s, const char *name)
{
        for (size_t i = 0; i < lp_findings_size(s); i++)
                if (strcmp(lp_findings_at(s, i)->operation, name) == 0)
                        return lp_findings_at(s, i)->rule;
        fail_msg("no finding for %s", name);
        return NULL;
}

/* The shipped base: every CI secret pattern withholds exactly its names. */
static void test_lp_env_build_default_withholds_secrets(void **state)
{
        static const char *const caller[] = {
                "PATH=/usr/bin:/bin",
                "HOME=/root",
                "GITHUB_TOKEN=ghp_x",
                "TOKENIZERS_PARALLELISM=false", /* *TOKEN*: a name is a name */
                "AWS_ACCESS_KEY_ID=AKIA",
                "MY_API_KEY=k",
                "KEYBOARD=us", /* not *_KEY */
                "SSH_AUTH_SOCK=/run/agent",
                "DB_PASSWORD=p",
                "LANG=C.UTF-8",
                "KUBECONFIG=/k",
                "CI=true",
                NULL,
        };
        struct built b = build("[Profile]\nInclude=default\n", caller);
        ASSERT_ENV(b.env, "PATH=/usr/bin:/bin", "HOME=/root", "KEYBOARD=us", "LANG=C.UTF-8",
                   "CI=true");
        static const uint64_t ones[] = {1, 1, 1, 1, 1, 1, 1};
        assert_withheld(b.store,
                        ENV("GITHUB_TOKEN", "TOKENIZERS_PARALLELISM", "AWS_ACCESS_KEY_ID",
                            "MY_API_KEY", "SSH_AUTH_SOCK", "DB_PASSWORD", "KUBECONFIG"),
                        ones);
        /* Each cites the first pattern that matched, where it stands. */
        const char *rule = rule_of(b.store, "GITHUB_TOKEN");
        assert_non_null(strstr(rule, "/base.profile:"));
        assert_non_null(strstr(rule, " [Environment] Withhold=*TOKEN*"));
        assert_non_null(strstr(rule_of(b.store, "MY_API_KEY"), " [Environment] Withhold=*_KEY"));
        assert_non_null(
                strstr(rule_of(b.store, "KUBECONFIG"), " [Environment] Withhold=KUBECONFIG"));
        done(&b);
}

/* Judged by the value too: a name a glob caught that only names files
 * passes, a name written out stays withheld whatever its value, and a URL
 * with a password is withheld whatever its name. */
static void test_lp_env_build_judges_values(void **state)
{
        static const char *const caller[] = {
                "AWS_CA_BUNDLE=/etc/ssl/ca.pem",         /* AWS_*, but a file's name */
                "GH_CONFIG_PATH=/etc/gh:/opt/gh",        /* GH_*, a list of paths */
                "GH_TOKEN_FILE=token.txt",               /* not an absolute path */
                "AWS_SECRET_ACCESS_KEY=/etc/ssl/ca.pem", /* not a file's name */
                "DATABASE_URL=postgres://app:s3cret@db:5432/app",
                "REDIS_URL=redis://:s3cret@cache:6379/0",
                "MIRROR_URL=https://user@mirror.example/x", /* no password */
                "CI_JOB_JWT_V2=eyJ",
                "ACTIONS_ID_TOKEN_REQUEST_URL=https://x",
                "SENTRY_DSN=https://k@o.example/1",
                "HASH_URL=postgres://app:pa#ss@db/app", /* unencoded '#', '/' */
                "SLASH_URL=redis://:ab/cd@cache:6379",
                "GO_DSN=app:s3cret@tcp(db:3306)/app", /* no scheme */
                "PLAIN=https://mirror.example/x",
                "MAIL=ops@example.org",
                NULL,
        };
        struct built b = build("[Profile]\nInclude=default\n", caller);
        ASSERT_ENV(b.env, "AWS_CA_BUNDLE=/etc/ssl/ca.pem", "GH_CONFIG_PATH=/etc/gh:/opt/gh",
                   "MIRROR_URL=https://user@mirror.example/x", "PLAIN=https://mirror.example/x",
                   "MAIL=ops@example.org");
        static const uint64_t ones[] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
        assert_withheld(b.store,
                        ENV("GH_TOKEN_FILE", "AWS_SECRET_ACCESS_KEY", "DATABASE_URL", "REDIS_URL",
                            "CI_JOB_JWT_V2", "ACTIONS_ID_TOKEN_REQUEST_URL", "SENTRY_DSN",
                            "HASH_URL", "SLASH_URL", "GO_DSN"),
                        ones);
        assert_non_null(strstr(rule_of(b.store, "DATABASE_URL"),
                               "[Environment] WithholdURLPasswords=yes (the value is a URL with "
                               "a password)"));
        done(&b);
        /* A whole name always withholds; Pass= and WithholdURLPasswords=no
         * let the rest through. */
        b = build("[Environment]\nWithhold=AWS_CA_BUNDLE\nPass=DATABASE_URL\n"
                  "WithholdURLPasswords=yes\n",
                  caller);
        assert_withheld(b.store,
                        ENV("AWS_CA_BUNDLE", "REDIS_URL", "HASH_URL", "SLASH_URL", "GO_DSN"), ones);
        done(&b);
        b = build("[Environment]\nWithholdURLPasswords=no\n", caller);
        assert_withheld(b.store, ENV(NULL), ones);
        done(&b);
}

static void test_lp_env_build_pass_overrides_withhold(void **state)
{
        struct built b = build("[Environment]\n"
                               "Withhold=*TOKEN* AWS_*\n"
                               "Pass=NPM_TOKEN AWS_REGION\n",
                               ENV("NPM_TOKEN=n", "CI_JOB_TOKEN=c", "AWS_REGION=eu",
                                   "AWS_SECRET_ACCESS_KEY=s", "HOME=/h"));
        ASSERT_ENV(b.env, "NPM_TOKEN=n", "AWS_REGION=eu", "HOME=/h");
        static const uint64_t ones[] = {1, 1};
        assert_withheld(b.store, ENV("CI_JOB_TOKEN", "AWS_SECRET_ACCESS_KEY"), ones);
        assert_string_equal(rule_of(b.store, "CI_JOB_TOKEN"),
                            "t.profile:2 [Environment] Withhold=*TOKEN*");
        assert_string_equal(rule_of(b.store, "AWS_SECRET_ACCESS_KEY"),
                            "t.profile:2 [Environment] Withhold=AWS_*");
        done(&b);
}

/* Clear=yes: only what Pass= names survives; a withheld variable is still
 * reported (it was kept from the command, whatever Clear= does), the rest
 * of the caller's environment goes without a word; Set= comes after. */
static void test_lp_env_build_clear(void **state)
{
        struct built b = build("[Environment]\n"
                               "Clear=yes\n"
                               "Withhold=*SECRET*\n"
                               "Pass=HOME LC_*\n"
                               "Set=PATH=/bin TZ=UTC\n",
                               ENV("PATH=/usr/local/bin", "HOME=/h", "LC_ALL=C", "SHELL=/bin/sh",
                                   "MY_SECRET=s", "LC_TIME=C"));
        ASSERT_ENV(b.env, "HOME=/h", "LC_ALL=C", "LC_TIME=C", "PATH=/bin", "TZ=UTC");
        static const uint64_t ones[] = {1};
        assert_withheld(b.store, ENV("MY_SECRET"), ones);
        done(&b);
}

/* Set= wins over the caller's value: one variable of that name, at the end. */
static void test_lp_env_build_set_replaces(void **state)
{
        struct built b = build("[Environment]\n"
                               "Withhold=*TOKEN*\n"
                               "Set=LANG=C.UTF-8 GITHUB_TOKEN=fake\n",
                               ENV("LANG=de_DE", "HOME=/h", "GITHUB_TOKEN=real"));
        ASSERT_ENV(b.env, "HOME=/h", "LANG=C.UTF-8", "GITHUB_TOKEN=fake");
        static const uint64_t ones[] = {1};
        assert_withheld(b.store, ENV("GITHUB_TOKEN"), ones);
        assert_string_equal(lp_env_get(b.env, "LANG"), "C.UTF-8");
        done(&b);
}

/* An environment may hold a name twice (execve takes any array). Set=
 * must leave exactly its own value, not one of the caller's before it
 * (getenv(3) returns the first). A withheld name twice is one finding
 * counted twice. */
static void test_lp_env_build_duplicate_names(void **state)
{
        struct built b = build("[Environment]\nWithhold=*TOKEN*\nSet=A=set\n",
                               ENV("A=1", "B=1", "A=2", "X_TOKEN=1", "X_TOKEN=2", "B=2"));
        ASSERT_ENV(b.env, "B=1", "B=2", "A=set");
        assert_string_equal(lp_env_get(b.env, "A"), "set");
        static const uint64_t twice[] = {2};
        assert_withheld(b.store, ENV("X_TOKEN"), twice);
        done(&b);
}

/* Entries that are no NAME=VALUE are dropped; an empty value is a value. */
static void test_lp_env_build_malformed_entries(void **state)
{
        struct built b =
                build("[Environment]\nWithhold=\n", ENV("NOEQUALS", "=value", "EMPTY=", "A==b"));
        ASSERT_ENV(b.env, "EMPTY=", "A==b");
        assert_int_equal(lp_findings_size(b.store), 0);
        assert_string_equal(lp_env_get(b.env, "EMPTY"), "");
        assert_string_equal(lp_env_get(b.env, "A"), "=b");
        done(&b);
}

static void test_lp_env_build_without_store_or_caller(void **state)
{
        struct lp_policy *p = NULL;
        assert_int_equal(lp_policy_load_string_sealed("[Environment]\nWithhold=S\nSet=Z=1\n",
                                                      "t.profile", stderr, &p),
                         0);
        char **env = NULL;
        assert_int_equal(lp_env_build(p, (char *const[]){"S=1", "T=2", NULL}, NULL, &env), 0);
        ASSERT_ENV(env, "T=2", "Z=1");
        lp_env_free(env);
        assert_int_equal(lp_env_build(p, NULL, NULL, &env), 0);
        ASSERT_ENV(env, "Z=1");
        lp_env_free(env);
        lp_policy_free(p);
        lp_env_free(NULL);
}

static void test_lp_env_get_and_replace(void **state)
{
        char *env[] = {strdup("PATHX=no"), strdup("PATH=/bin"), strdup("P=1"), NULL};
        assert_string_equal(lp_env_get(env, "PATH"), "/bin");
        assert_string_equal(lp_env_get(env, "P"), "1");
        assert_null(lp_env_get(env, "PAT"));
        assert_null(lp_env_get(NULL, "PATH"));
        /* Only where the environment has it, never added. */
        assert_int_equal(lp_env_replace(env, "PATH", "/usr/bin"), 0);
        assert_int_equal(lp_env_replace(env, "HOME", "/h"), 0);
        assert_string_equal(env[0], "PATHX=no");
        assert_string_equal(env[1], "PATH=/usr/bin");
        assert_string_equal(env[2], "P=1");
        assert_null(env[3]);
        for (int i = 0; i < 3; i++)
                free(env[i]);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lp_env_build_default_withholds_secrets),
                cmocka_unit_test(test_lp_env_build_judges_values),
                cmocka_unit_test(test_lp_env_build_pass_overrides_withhold),
                cmocka_unit_test(test_lp_env_build_clear),
                cmocka_unit_test(test_lp_env_build_set_replaces),
                cmocka_unit_test(test_lp_env_build_duplicate_names),
                cmocka_unit_test(test_lp_env_build_malformed_entries),
                cmocka_unit_test(test_lp_env_build_without_store_or_caller),
                cmocka_unit_test(test_lp_env_get_and_replace),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
