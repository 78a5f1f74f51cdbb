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
struct lp_learned;

/* NULL-terminated. */
extern const char *const lp_learn_floor[];

/* Whether a learned profile's floor line grants `name`: a floor member on
 * this architecture that BASE leaves to DefaultAction (what BASE names,
 * the filter observed: launch/filter.c's also_allow). False when the
 * floor was not granted (--exhaustive). */
bool lp_floor_grants(const struct lp_policy *base, bool floor, const char *name);

/* Creating a process or a thread, learned as one grant (README, "Learning
 * mode"): clone, fork and vfork, NULL-terminated, clone first. fork is
 * clone(SIGCHLD) and vfork clone(CLONE_VM | CLONE_VFORK | SIGCHLD): with
 * clone granted (its namespace flags still refused by the hardening), the
 * other two grant nothing more, and a command that used one may use
 * another next time (glibc's fork() is clone, Python's subprocess vfork).
 * Where the command has a PID namespace and BASE leaves all three to
 * DefaultAction, they stay in the kernel while learning and its init
 * counts what was created (launch/pidns.h): a notified fork can fail with
 * EINTR when a signal comes before the supervisor receives it, which the
 * command would never see otherwise. */
extern const char *const lp_learn_creation[];

/* Ends the line a learned profile grants fork and vfork on where clone
 * is granted by name ("Allow=fork vfork # with clone"): it follows from
 * clone, so merging reads it as nothing of its own. */
#define LP_LEARN_WITH_CLONE " # with clone"

/* Whether `name` is one of lp_learn_creation. */
bool lp_learn_creates(const char *name);

/* Whether a learned profile grants `name` with clone: fork or vfork,
 * where l learned clone and BASE leaves `name` to DefaultAction. */
bool lp_creation_grants(const struct lp_policy *base, const struct lp_learned *l, const char *name);
