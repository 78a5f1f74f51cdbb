/* `leastpriv show`: the resolved policy written back as a profile. */
#pragma once
#include <stdio.h>

struct lp_policy;

/* Prints the resolved policy as a profile that `check` accepts and that
 * resolves to the same policy; each line carries "# FILE:LINE". Every key
 * prints itself (the key table, profile/keys.h). 0, or -EIO. */
int lp_policy_show(const struct lp_policy *p, FILE *out);
