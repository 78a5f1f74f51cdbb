/* The commands that work on profiles alone: show and diff. */
#pragma once
#include <stdio.h>

struct lp_policy;

/* Prints the resolved policy as a profile that `check` accepts and that
 * resolves to the same policy; each line carries "# FILE:LINE". */
int lp_policy_show(const struct lp_policy *p, FILE *out);

/* Prints "+ privilege" for each privilege `candidate` grants beyond
 * `baseline` and "- privilege" for each it drops. Returns the number of
 * added privileges (>= 0), or -errno. */
int lp_policy_diff(const struct lp_policy *baseline, const struct lp_policy *candidate,
                   FILE *out);
