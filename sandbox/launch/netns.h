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

struct nl_sock;

/* A route netlink socket of this namespace, for the calls below (one for
 * several: each socket costs its own setup). 0 or -errno. */
int lp_netns_connect(struct nl_sock **ret);
void lp_netns_disconnect(struct nl_sock *sk);

/* In the child, in the new namespace: `sa`'s address (AF_INET or
 * AF_INET6) made the link `ifindex`'s, as a /32 or /128. 0 or -errno. */
int lp_netns_add_address(struct nl_sock *sk, int ifindex, const struct sockaddr *sa);

/* The link `ifindex` up, its transmit queue `txqlen` packets long (0:
 * as it is). 0 or -errno. */
int lp_netns_link_up(struct nl_sock *sk, int ifindex, unsigned txqlen);

/* The link `ifindex` without a queueing discipline (`noqueue`): every
 * packet goes to its driver, and one it cannot take is counted in the
 * link's tx_dropped, whatever the driver does when full. 0 or -errno. */
int lp_netns_no_queue(struct nl_sock *sk, int ifindex);

/* A default route of `family` (AF_INET, AF_INET6) through the link
 * `ifindex`, without a gateway. 0 or -errno. */
int lp_netns_add_default_route(struct nl_sock *sk, int family, int ifindex);
