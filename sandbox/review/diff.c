/* `leastpriv diff`: each policy is flattened into a set of privilege
 * strings, one per privilege: what each key grants (the key table,
 * profile/keys.h) and each argument hardening it lifts (the watch table,
 * rules/watch.h). What only the candidate has is printed "+", what only
 * the baseline has "-". */
#include "review/diff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "profile/keys.h"
#include "profile/policy.h"
#include "rules/watch.h"

/* The text is compared whole: a fixed buffer would cut two long globs to
 * the same prefix and hide the one the candidate added. */
struct privilege {
        char *text;
        struct lp_origin origin;
};

struct privileges {
        struct lp_privilege_sink sink;
        struct privilege *items;
        size_t n, cap;
};

static int add(struct lp_privilege_sink *sink, const struct lp_origin *o, const char *text)
{
        struct privileges *s = (struct privileges *)sink;
        char *copy = strdup(text);
        /* A privilege left out would be a privilege diff does not report. */
        if (!copy || LP_GROW(s->items, s->cap, s->n) < 0) {
                free(copy);
                return -ENOMEM;
        }
        s->items[s->n++] = (struct privilege){copy, o ? *o : (struct lp_origin){0}};
        return 0;
}

static void privileges_done(struct privileges *s)
{
        for (size_t i = 0; i < s->n; i++)
                free(s->items[i].text);
        free(s->items);
}

/* Lifting an argument hardening is a privilege of its own. */
static int add_unhardened(const struct lp_policy *p, struct privileges *s)
{
        int r = 0;
        for (const struct lp_watch *w = lp_watches; w->name && r >= 0; w++) {
                for (size_t i = 0; w->hardening && w->syscalls[i] && r >= 0; i++) {
                        const struct lp_syscall_rule *rule =
                                lp_policy_syscall_by_name(p, w->syscalls[i]);
                        if (rule && !lp_watch_hardened(p, w->syscalls[i]))
                                r = lp_value_grant(&s->sink, &rule->origin, "unhardened %s",
                                                   w->hardening);
                }
        }
        return r;
}

static int compare(const void *a, const void *b)
{
        return strcmp(((const struct privilege *)a)->text, ((const struct privilege *)b)->text);
}

static int collect(const struct lp_policy *p, const struct lp_policy *other, struct privileges *s)
{
        int r = 0;
        for (const struct lp_key *k = lp_keys; k->name && r >= 0; k++)
                if (k->privileges)
                        r = k->privileges(p, other, &s->sink);
        if (r >= 0)
                r = add_unhardened(p, s);
        if (r < 0)
                return r;
        if (s->n > 0)
                qsort(s->items, s->n, sizeof(*s->items), compare);
        return 0;
}

static bool contains(const struct privileges *s, const char *text)
{
        struct privilege key = {.text = (char *)text};
        return s->n > 0 && bsearch(&key, s->items, s->n, sizeof(*s->items), compare) != NULL;
}

static size_t print_missing(const struct privileges *from, const struct privileges *in, char sign,
                            FILE *out)
{
        size_t n = 0;
        for (size_t i = 0; i < from->n; i++) {
                if (contains(in, from->items[i].text))
                        continue;
                char where[512];
                fprintf(out, "%c %s    (%s)\n", sign, from->items[i].text,
                        lp_origin_format(&from->items[i].origin, where, sizeof(where)));
                n++;
        }
        return n;
}

int lp_policy_diff(const struct lp_policy *baseline, const struct lp_policy *candidate, FILE *out)
{
        struct privileges base = {.sink = {add}}, cand = {.sink = {add}};
        int r = collect(baseline, candidate, &base);
        if (r >= 0)
                r = collect(candidate, baseline, &cand);
        if (r >= 0) {
                print_missing(&base, &cand, '-', out);
                r = (int)print_missing(&cand, &base, '+', out);
        }
        privileges_done(&base);
        privileges_done(&cand);
        return r;
}
