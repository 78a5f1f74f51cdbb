/* Syscalls that come in families (README, "Learning mode"): a command
 * that used one member may use another the next time, on another machine
 * or with another version of a tool (coreutils' rm calls unlinkat where
 * an older one called unlink; mv renameat2 or rename), so a learned
 * profile grants the whole family of what it saw used. A member comes
 * with the family only where BASE leaves it to DefaultAction and nothing
 * hardens its arguments (the watch table): what BASE names stays as
 * named, and no argument check is lifted by a grant the command did not
 * make. */
#pragma once
#include <stdbool.h>

struct lp_policy;
struct lp_learned;

/* Ends the line of the members granted with the family of a used one
 * ("Allow=rmdir unlink # with unlinkat: one family"): merging reads it as
 * nothing of its own, since it follows from the used member's line. */
#define LP_LEARN_FAMILY_SUFFIX ": one family"

/* Whether a learned profile grants `name` as a member of the family of a
 * syscall the command used (learned as a grant in `l`) rather than for
 * itself; *ret_with (may be NULL) is that used member, the first in the
 * family's order. */
bool lp_family_grants(const struct lp_policy *base, const struct lp_learned *l, const char *name,
                      const char **ret_with);

/* Every family, NULL-terminated, each NULL-terminated, in the order the
 * learned profile lists them. */
extern const char *const *const lp_learn_families[];
