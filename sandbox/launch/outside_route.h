/* The outside route (docs/architecture.md, "The outside route"): where
 * the network observer cannot count the command's outside destinations in
 * the kernel (not root, or no BPF), its loopback namespace gets a default
 * route to a TUN device whose other end the supervisor reads
 * (supervise/outside.h). Then connect, sendto and sendmsg are plain
 * allowed system calls: the command's own loopback traffic never waits
 * for the supervisor, and each packet it sends towards an outside
 * address arrives there instead of leaving, to be counted and answered. */
#pragma once
#include <stdbool.h>

#include "supervise/outside.h"

struct lp_policy;

/* The device's addresses (its name: supervise/outside.h): 192.0.0.8,
 * IANA's IPv4 dummy address for a host with no address of its own (RFC
 * 7600), and 100::1 of IPv6's discard-only prefix (RFC 6666). */
#define LP_OUTSIDE_ROUTE_V4 "192.0.0.8"
#define LP_OUTSIDE_ROUTE_V6 "100::1"

/* In the parent, before the filter is compiled: whether this run can
 * have one (the profile grants AF_INET or AF_INET6, and the caller can
 * open /dev/net/tun: a device cgroup or a security module may refuse
 * what its mode allows). */
bool lp_outside_route_possible(const struct lp_policy *p);

/* In the child, in the new network namespace, lo up: the device, up, its
 * addresses, the default routes through it (IPv4's always: an IPv6
 * socket reaches IPv4 addresses too; IPv6's where the profile grants
 * AF_INET6). Returns the device's fd (nonblocking), or -errno; the
 * namespace's /proc/net/dev (the device's counters) into *counters. */
int lp_outside_route_make(const struct lp_policy *p, int *counters);
