/* The network namespace of DESIGN.md §3 [Network] Namespace=. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

struct lp_policy;

/* Whether this run needs a user namespace to create its network namespace
 * (not root and the profile asks for a new namespace). */
bool lp_netns_needs_userns(const struct lp_policy *p);

/* In the child: a new network namespace (inside a new user namespace that
 * maps uid/gid to themselves when needs_userns), then lo up for
 * Namespace=loopback. Nothing for Namespace=host. Returns 0 or -errno;
 * *ret_step names the failing part ("user namespace", "lo up", ...). */
int lp_netns_enter(const struct lp_policy *p, uid_t uid, gid_t gid, const char **ret_step);
