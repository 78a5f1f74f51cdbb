/* [Limits] Processes= and OpenFiles= as rlimits; Timeout= is the
 * supervisor's (supervise/supervise.c). (Not named limits.h: that would
 * shadow <limits.h>.) */
#pragma once

#include "launch/steps.h"

struct lp_policy;

/* In the child. Soft and hard limit both set, so the command cannot raise
 * them again. Returns 0 or -errno; *ret_step names the limit. */
int lp_limits_apply(const struct lp_policy *p, enum lp_step *ret_step);
