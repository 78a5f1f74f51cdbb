/* libFuzzer: arbitrary bytes as a profile, through the parser, the resolver
 * (includes sealed to the embedded profiles, so no input can make us open a
 * file or a device), then show and diff. Their contracts are checked too:
 * show's text loads back into a policy that diff finds equal, and diff
 * reports at least the added privileges counted independently here. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "profile/keys.h"
#include "profile/load.h"
#include "profile/policy.h"
#include "profile/syntax.h"
#include "review/diff.h"
#include "review/show.h"
#include "rules/fs_plan.h"

/* Error messages and show's text are formatted for real, into a sink:
 * formatting is where a bad length or a NULL %s would show. */
static FILE *sink;
static struct lp_policy *baseline;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        sink = fopen("/dev/null", "w");
        if (!sink || lp_policy_load_string_sealed("[Profile]\nInclude=default\n", "baseline", NULL,
                                                  &baseline) < 0)
                abort();
        return 0;
}

static void fuzz_parser(const uint8_t *data, size_t size)
{
        /* fmemopen of 0 bytes fails with EINVAL; the parser never sees it. */
        FILE *in = size ? fmemopen((void *)data, size, "r") : NULL;
        if (!in)
                return;
        struct lp_profile *p = NULL;
        if (lp_profile_parse(in, "fuzz.profile", sink, &p) == 0) {
                FUZZ_CHECK(p && p->n_lines > 0);
                for (size_t i = 0; i < p->n_lines; i++)
                        FUZZ_CHECK(p->lines[i].key && p->lines[i].key->section &&
                                   p->lines[i].value);
        }
        lp_profile_free(p);
        fclose(in);
}

/* show's text must resolve again, to a policy granting exactly the same. */
static void check_show_round_trip(const struct lp_policy *p)
{
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        if (!out)
                abort();
        int r = lp_policy_show(p, out);
        fclose(out);
        FUZZ_CHECK(r == 0);
        struct lp_policy *again = NULL;
        if (lp_policy_load_string_sealed(text, "shown", stderr, &again) < 0) {
                fprintf(stderr, "show's output does not load:\n%s\n", text);
                abort();
        }
        if (lp_policy_diff(p, again, sink) != 0 || lp_policy_diff(again, p, sink) != 0) {
                fprintf(stderr, "show's output grants something else:\n%s\n", text);
                abort();
        }
        lp_policy_free(again);
        free(text);
}

static bool has_glob(const struct lp_pattern *v, size_t n, const char *glob)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i].glob, glob) == 0)
                        return true;
        return false;
}

/* A lower bound for diff(base, cand), counted without diff's code: each
 * Pass= glob, family, capability and allowed syscall only the candidate
 * has, and each withhold it dropped, is at least one "+" line. */
static int added_at_least(const struct lp_policy *base, const struct lp_policy *cand)
{
        int n = 0;
        for (size_t i = 0; i < cand->n_pass; i++)
                n += !has_glob(base->pass, base->n_pass, cand->pass[i].glob) &&
                     !has_glob(cand->pass, i, cand->pass[i].glob);
        for (size_t i = 0; i < base->n_withhold; i++)
                n += !has_glob(cand->withhold, cand->n_withhold, base->withhold[i].glob) &&
                     !has_glob(base->withhold, i, base->withhold[i].glob);
        for (size_t i = 0; i < cand->n_families; i++)
                n += !lp_policy_family(base, cand->families[i].family);
        for (size_t i = 0; i < cand->n_keep; i++)
                n += !lp_policy_keeps(base, cand->keep[i].cap);
        for (size_t i = 0; i < cand->n_syscalls; i++) {
                const struct lp_syscall_rule *b = lp_policy_syscall(base, cand->syscalls[i].nr);
                n += cand->syscalls[i].action.type == LP_ACTION_ALLOW &&
                     !(b && b->action.type == LP_ACTION_ALLOW);
        }
        return n;
}

static void check_diff(const struct lp_policy *base, const struct lp_policy *cand)
{
        int added = lp_policy_diff(base, cand, sink);
        FUZZ_CHECK(added >= 0);
        if (added < added_at_least(base, cand)) {
                fprintf(stderr, "diff reports %d added privileges, at least %d exist\n", added,
                        added_at_least(base, cand));
                abort();
        }
}

static struct lp_policy *load(const uint8_t *data, size_t size)
{
        /* The resolver takes a C string, as the embedded profiles are. */
        char *text = strndup((const char *)data, size);
        struct lp_policy *p = NULL;
        if (text && lp_policy_load_string_sealed(text, "fuzz.profile", sink, &p) < 0)
                p = NULL;
        free(text);
        return p;
}

/* A host where every path exists as written, but those naming "missing"
 * and those below "/denied". */
static int fake_canonical(const void *ctx, const char *path, char **ret)
{
        if (strstr(path, "missing"))
                return -ENOENT;
        if (lp_fs_path_below(path, "/denied"))
                return -EACCES;
        return (*ret = strdup(path)) ? 0 : -ENOMEM;
}

/* The filesystem plan: built or refused with a message; sorted, each rule
 * absolute, the deepest rule deciding each of its own paths. */
static void check_fs_plan(const struct lp_policy *p)
{
        struct lp_fs_env env = {.cwd = "/w", .home = "/h", .canonical = fake_canonical};
        struct lp_fs_plan plan;
        char *error = NULL;
        int r = lp_fs_plan_build(p, &env, &plan, &error);
        FUZZ_CHECK(r == 0 || r == -ENOMEM || (r == -EINVAL && error));
        free(error);
        if (r < 0)
                return;
        for (size_t i = 0; i < plan.n_rules; i++) {
                const struct lp_fs_rule *rule = &plan.rules[i];
                char text[512];
                FUZZ_CHECK(rule->path[0] == '/');
                FUZZ_CHECK(i == 0 || strcmp(plan.rules[i - 1].path, rule->path) < 0);
                FUZZ_CHECK(lp_fs_plan_lookup(&plan, rule->path) == rule);
                lp_fs_rule_text(rule, text, sizeof(text));
                FUZZ_CHECK(strncmp(text, "[Filesystem]", 12) == 0);
        }
        lp_fs_plan_done(&plan);
}

/* The input is a profile; after a NUL byte, if any, a second profile to
 * diff it against (the parser sees the NUL and rejects the whole input). */
static void fuzz_policy(const uint8_t *data, size_t size)
{
        struct lp_policy *p = load(data, size);
        if (!p)
                return;
        FUZZ_CHECK(lp_policy_show(p, sink) == 0);
        check_diff(baseline, p);
        check_diff(p, baseline);
        check_show_round_trip(p);
        check_fs_plan(p);
        const uint8_t *nul = memchr(data, '\0', size);
        struct lp_policy *other = nul ? load(nul + 1, size - (size_t)(nul + 1 - data)) : NULL;
        if (other) {
                check_diff(p, other);
                check_diff(other, p);
        }
        lp_policy_free(other);
        lp_policy_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        fuzz_parser(data, size);
        fuzz_policy(data, size);
        return 0;
}
