/* `leastpriv check --score`: runs every check of the score table
 * (review/score_checks.c) on a policy and sums them as systemd-analyze
 * security does (src/analyze/analyze-security.c): a weighted mean of the
 * badness, so that a check weighs the same whatever else the table holds. */
#include "review/score.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/embedded.h"
#include "profile/load.h"
#include "profile/policy.h"
#include "review/score_checks.h"

/* How many contributors the summary names. */
#define TOP_CONTRIBUTORS 5

#define DIV_ROUND_UP(a, b) (((a) + (b)-1) / (b))

struct scored {
        const struct lp_score_check *check;
        struct lp_score_result result;
        unsigned long contribution; /* weight * badness / range, rounded up */
};

const char *lp_exposure_level(unsigned exposure)
{
        return exposure < 10   ? "OK"
               : exposure < 20 ? "MEDIUM"
               : exposure < 40 ? "EXPOSED"
                               : "UNSAFE";
}

/* The shipped base, never a base.profile of LEASTPRIV_PATH or ./profiles:
 * its lists are what "the credential stores" and "the CI secrets" mean. */
static int load_base(struct lp_policy **ret)
{
        for (const struct lp_embedded_profile *e = lp_embedded_profiles; e->name; e++)
                if (strcmp(e->name, "base") == 0)
                        return lp_policy_load_string_sealed(e->text, "<embedded>/base.profile",
                                                            NULL, ret);
        return -ENOENT;
}

static size_t count_checks(void)
{
        size_t n = 0;
        while (lp_score_checks[n].name)
                n++;
        return n;
}

/* Fills items[] (one per check) and returns the exposure in tenths. */
static unsigned assess_all(const struct lp_score_input *in, struct scored *items, size_t n,
                           unsigned long *ret_weights)
{
        unsigned long badness_sum = 0, weight_sum = 0;
        for (size_t i = 0; i < n; i++) {
                const struct lp_score_check *c = &lp_score_checks[i];
                items[i] = (struct scored){.check = c};
                c->assess(c, in, &items[i].result);
                /* A table bug must not score past 10.0. */
                if (items[i].result.badness > c->range)
                        items[i].result.badness = c->range;
                items[i].contribution =
                        DIV_ROUND_UP((unsigned long)items[i].result.badness * c->weight, c->range);
                badness_sum += items[i].contribution;
                weight_sum += c->weight;
        }
        *ret_weights = weight_sum;
        return weight_sum ? (unsigned)DIV_ROUND_UP(badness_sum * 100, weight_sum) : 0;
}

/* A check's share of the exposure in hundredths, as its row prints it:
 * finer than the exposure, so that the shares of a few checks add up to
 * about it (each is rounded up, as the exposure is). */
static unsigned share(const struct scored *s, unsigned long weights)
{
        return (unsigned)DIV_ROUND_UP(s->contribution * 1000, weights);
}

static void print_table(const char *source, const struct scored *items, size_t n,
                        unsigned long weights, FILE *out)
{
        fprintf(out, "Exposure of %s\n  %-30s %6s %7s %5s  %s\n", source, "CHECK", "WEIGHT",
                "BADNESS", "SHARE", "FOUND");
        for (size_t i = 0; i < n; i++) {
                const struct scored *s = &items[i];
                char badness[24];
                snprintf(badness, sizeof(badness), "%u/%u", s->result.badness, s->check->range);
                unsigned hundredths = share(s, weights);
                fprintf(out, "%c %-30s %6u %7s %2u.%02u  %s\n", s->result.badness ? '!' : ' ',
                        s->check->name, s->check->weight, badness, hundredths / 100,
                        hundredths % 100, s->result.what);
        }
}

/* Greatest contribution first; the table's order among equals. */
static int by_contribution(const void *a, const void *b)
{
        const struct scored *x = *(const struct scored *const *)a;
        const struct scored *y = *(const struct scored *const *)b;
        if (x->contribution != y->contribution)
                return x->contribution < y->contribution ? 1 : -1;
        return x < y ? -1 : x > y;
}

static int print_top(const struct scored *items, size_t n, unsigned long weights, FILE *out)
{
        const struct scored **order = calloc(n, sizeof(*order));
        if (!order)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                order[i] = &items[i];
        qsort(order, n, sizeof(*order), by_contribution);
        fputs("Top contributors:\n", out);
        for (size_t i = 0; i < n && i < TOP_CONTRIBUTORS && order[i]->contribution; i++) {
                const struct scored *s = order[i];
                char where[512];
                unsigned hundredths = share(s, weights);
                fprintf(out, "  %u.%02u  %s (%s)\n        at %s; fix: %s\n", hundredths / 100,
                        hundredths % 100, s->check->name, s->result.what,
                        lp_origin_format(&s->result.origin, where, sizeof(where)), s->check->fix);
        }
        if (n == 0 || !order[0]->contribution)
                fputs("  none\n", out);
        free(order);
        return 0;
}

int lp_policy_score(const struct lp_policy *p, FILE *out, unsigned *ret_exposure)
{
        struct lp_policy *base = NULL;
        int r = load_base(&base);
        if (r < 0)
                return r;
        size_t n = count_checks();
        struct scored *items = calloc(n ? n : 1, sizeof(*items));
        if (!items) {
                lp_policy_free(base);
                return -ENOMEM;
        }
        struct lp_score_input in = {.policy = p, .base = base};
        unsigned long weights = 0;
        unsigned exposure = assess_all(&in, items, n, &weights);
        if (out) {
                print_table(p->source, items, n, weights, out);
                r = print_top(items, n, weights, out);
                fprintf(out, "Overall exposure of %s: %u.%u %s\n", p->source, exposure / 10,
                        exposure % 10, lp_exposure_level(exposure));
                if (r >= 0 && ferror(out))
                        r = -EIO;
        }
        free(items);
        lp_policy_free(base);
        if (r >= 0)
                *ret_exposure = exposure;
        return r < 0 ? r : 0;
}
