/* The outside route's reader (launch/outside_route.h; docs/architecture.md,
 * "The outside route"): each packet the command sends towards an outside
 * address arrives here instead of leaving. Each is one network finding,
 * as a notified call would have made it (a TCP SYN a `connect`, anything
 * else a `sendmsg`), its process told from the namespace's socket tables,
 * and each is answered at once so that the command fails fast: an ICMP
 * error (connect: ENETUNREACH; a connected UDP socket: ECONNREFUSED), and
 * for a DNS query a REFUSED answer from the server it asked, after a
 * `dns-query` finding naming what it looked up. */
#pragma once
#include <stdint.h>
#include <sys/types.h>

/* The TUN device's name inside the command's namespace (its counters
 * are read by that name). */
#define LP_OUTSIDE_ROUTE_NAME "lp-outside"

struct lp_findings;
struct lp_outside;
struct lp_policy;

/* Takes `fd`, the TUN device, and `counters`, the namespace's
 * /proc/net/dev (both closed on failure too). `holder`: a process in the
 * command's network namespace that outlives it, whose /proc tells who
 * sent a packet; `command`: the command, which tells its PID namespace.
 * The policy and the store are borrowed. fd -1: *ret NULL, nothing to do.
 * 0 or -errno. */
int lp_outside_new(int fd, int counters, pid_t holder, pid_t command, const struct lp_policy *p,
                   struct lp_findings *store, uint64_t start_ms, struct lp_outside **ret);

/* What to poll (POLLIN), or -1 for NULL. */
int lp_outside_fd(const struct lp_outside *o);

/* The packets waiting, up to a batch (the poll loop's other work does
 * not wait for a flood): each a finding, each answered. 0 or -errno. */
int lp_outside_handle(struct lp_outside *o);

/* After the command's tree is gone: the packets still queued, without a
 * process named, then those the device dropped for want of room, one
 * finding. 0 or -errno. */
int lp_outside_finish(struct lp_outside *o);

void lp_outside_free(struct lp_outside *o);
