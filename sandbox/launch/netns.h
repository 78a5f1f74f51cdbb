/* [Network] Namespace=loopback: lo up in the command's new network
 * namespace (a new namespace's lo starts down; Namespace=none leaves it so). */
#pragma once

struct lp_policy;

/* In the child, in the new namespace: lo up for Namespace=loopback,
 * nothing otherwise. 0 or -errno. */
int lp_netns_loopback(const struct lp_policy *p);

struct sockaddr;

/* In the child, in the new namespace: `sa`'s address (AF_INET or
 * AF_INET6) made lo's, as a /32 or /128 (the resolver's stand-ins,
 * dns_standins.h). 0 or -errno (-EAFNOSUPPORT: no IPv6 here). */
int lp_netns_add_local(const struct sockaddr *sa);
