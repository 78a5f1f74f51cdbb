/* `leastpriv diff BASELINE CANDIDATE`: the CI gate against privilege
 * creep. */
#pragma once
#include <stdio.h>

struct lp_policy;

/* Prints "+ privilege" for each privilege `candidate` grants beyond
 * `baseline` and "- privilege" for each it drops. Returns the number of
 * added privileges (>= 0), or -errno. */
int lp_policy_diff(const struct lp_policy *baseline, const struct lp_policy *candidate, FILE *out);
