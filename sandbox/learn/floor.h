/* The learning floor (README, "Learning mode"): syscalls that every
 * program makes and that no profile can meaningfully withhold (reading,
 * writing, opening and stat-ing files, memory, futexes, signal returns,
 * its own ids, time). While learning they are plain allows instead of
 * notifications, which is what makes learning cheap; every learned profile
 * grants them all, used or not. `learn --exhaustive` observes them one by
 * one instead. No member is in the watch table (rules/watch.h) or in a
 * dangerous group: tests/unit/test_learn.c checks both. */
#pragma once
#include <stdbool.h>

struct lp_policy;

/* NULL-terminated. */
extern const char *const lp_learn_floor[];

/* Whether a learned profile's floor line grants `name`: a floor member on
 * this architecture that BASE leaves to DefaultAction (what BASE names,
 * the filter observed: launch/filter.c's also_allow). False when the
 * floor was not granted (--exhaustive). */
bool lp_floor_grants(const struct lp_policy *base, bool floor, const char *name);
