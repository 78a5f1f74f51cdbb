/* [Network] Namespace=: the command's network namespace, inside a user
 * namespace when leastpriv is not root. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

#include "launch/steps.h"

struct lp_policy;

/* Whether this run needs a user namespace to create its network namespace
 * (not root and the profile asks for a new namespace). */
bool lp_netns_needs_userns(const struct lp_policy *p);

/* In the child: a new network namespace (inside a new user namespace that
 * maps uid/gid to themselves when needs_userns). Nothing for
 * Namespace=host. Returns 0 or -errno; *ret_step names the failing step. */
int lp_netns_create(const struct lp_policy *p, uid_t uid, gid_t gid, enum lp_step *ret_step);

/* In the child, in the new namespace: lo up for Namespace=loopback (a new
 * namespace's lo starts down, and Namespace=none leaves it so). 0 or
 * -errno. */
int lp_netns_loopback(const struct lp_policy *p);
