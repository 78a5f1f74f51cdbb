/* The learned model -> profile text: sorted and commented, so that
 * learning the same command twice gives the same bytes and a review diff
 * shows only real changes. Sections and keys come in the key table's
 * order; each key the table marks `learned` gets "Key=VALUE # evidence". */
#pragma once
#include <stdio.h>

struct lp_policy;
struct lp_learned;

/* Writes the profile that includes `include` (BASE as the file must name
 * it) and grants what l holds. l must be sorted (lp_learned_sort). */
void lp_learn_render(FILE *out, const struct lp_policy *base, const struct lp_learned *l,
                     const char *include);
