/* The score table of `leastpriv check --score` (docs/architecture.md,
 * "The score table"): one entry per check, each with a weight and a
 * range, in the manner of systemd-analyze security. Adding a check is one
 * entry in score_checks.c (and its assessor, when no generic one fits). */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "profile/policy.h"

/* What a check found in one policy. */
struct lp_score_result {
        unsigned badness;        /* 0 (grants nothing) .. the check's range */
        struct lp_origin origin; /* the line that grants it; line 0: built in, or not set */
        char what[160];          /* what the profile grants, as the table prints it */
};

/* What the assessors read: the policy scored, and the embedded base, whose
 * InaccessiblePaths= and Withhold= lists are what "the credential stores"
 * and "the CI secrets" mean. */
struct lp_score_input {
        const struct lp_policy *policy;
        const struct lp_policy *base;
};

struct lp_score_check {
        const char *name; /* "CAP_SYS_ADMIN", "@mount", "PrivateTmp=" */
        const char *fix;  /* the key to change: "[Filesystem] PrivateTmp=yes" */
        /* How much the check counts, and the steps of its badness: the
         * check adds weight * badness / range to the exposure's sum. */
        unsigned weight;
        unsigned range;
        void (*assess)(const struct lp_score_check *c, const struct lp_score_input *in,
                       struct lp_score_result *ret);
        /* What the generic assessors read, each only its own. */
        uint64_t caps;     /* capabilities (1 << CAP_*): bad when any is kept */
        const char *group; /* a dangerous syscall group: bad when a call of its own is allowed */
        /* offsetof a struct lp_flag (bad when no) or struct lp_limit (bad
         * when not set) in struct lp_policy */
        size_t field;
};

/* Every check; the entry after the last has a NULL name. */
extern const struct lp_score_check lp_score_checks[];
