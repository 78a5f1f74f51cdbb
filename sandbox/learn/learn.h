/* Learning mode (DESIGN.md §5): the findings of a run that blocked nothing
 * become the smallest profile under which the command does the same. */
#pragma once
#include <stdbool.h>

struct lp_policy;
struct lp_findings;

/* The learning floor: syscalls that every program makes and that no
 * profile can meaningfully withhold (reading, writing, opening and
 * stat-ing files, memory, futexes, signal returns, its own ids, time).
 * While learning they are plain allows instead of notifications, which is
 * what makes learning cheap; every learned profile grants them all, used or
 * not. `learn --exhaustive` observes them one by one instead. No member is
 * a call the supervisor must watch (ioctl, clone, socket, connect, bind,
 * chown, set*id ...). NULL-terminated. */
extern const char *const lp_learn_floor[];

struct lp_learn_request {
        const char *output;     /* -o OUT.profile */
        const char *base;       /* the profile learning started from, as named */
        bool merge;             /* union with OUT (file lock, atomic replace) */
        bool exhaustive;        /* the floor was observed, not granted */
};

/* After the run: base (the resolved BASE) and the run's findings -> OUT.
 * The text is resolved again before it is written, and must grant exactly
 * BASE, the floor and what was observed. 0, or a negative errno after
 * logging why (nothing is written then). */
int lp_learn_write(const struct lp_policy *base, const struct lp_findings *store,
                   const struct lp_learn_request *o);
