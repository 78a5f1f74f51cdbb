/* Learning mode (docs/architecture.md, "Learning"): the findings of a run
 * that blocked nothing become the smallest profile under which the
 * command does the same. */
#pragma once
#include <stdbool.h>

struct lp_policy;
struct lp_findings;

struct lp_learn_request {
        const char *output; /* -o OUT.profile */
        const char *base;   /* the profile learning started from, as named */
        bool merge;         /* union with OUT (directory lock, atomic replace) */
        bool exhaustive;    /* the floor was observed, not granted */
        /* Where the command ran: paths below it are learned relative to it, as
         * "." in ReadWritePaths= is. */
        const char *cwd;
};

/* After the run: base (the resolved BASE) and the run's findings -> OUT.
 * The text is resolved again before it is written, and must grant exactly
 * BASE, the floor and what was observed. 0, or a negative errno after
 * logging why (nothing is written then). */
int lp_learn_write(const struct lp_policy *base, const struct lp_findings *store,
                   const struct lp_learn_request *o);
