/* [Network] Namespace=loopback: lo up in the command's new network
 * namespace (a new namespace's lo starts down; Namespace=none leaves it so). */
#pragma once

struct lp_policy;

/* In the child, in the new namespace: lo up for Namespace=loopback,
 * nothing otherwise. 0 or -errno. */
int lp_netns_loopback(const struct lp_policy *p);
