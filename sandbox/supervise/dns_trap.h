/* The DNS trap (docs/architecture.md, "The network observer"): the
 * network observer sends a UDP datagram for port 53 of an outside address
 * to a socket of the supervisor's in the command's network namespace
 * (rules/net_bpf.h), instead of letting the namespace refuse it. There
 * the query's name is read and is a finding, and the query is answered
 * REFUSED at once: the command's resolver fails as fast as without the
 * trap, and the report says which name it wanted. The resolver's
 * stand-ins (launch/dns_standins.h) are read the same way. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct lp_dns_trap;
struct lp_policy;
struct lp_findings;

/* The sockets a trap reads: the network observer's and the resolver's
 * stand-ins (launch/dns_standins.h). */
#define LP_DNS_TRAP_SOCKETS_MAX 4

struct lp_net_observer;

/* Takes the `n` sockets of `fds` (launch/dns_standins.h; closed on
 * failure too). `observer`: when not NULL, fds[0] is its trap, and its
 * reply programs are attached before that socket's first answer
 * (net_observer.h). `holder`: a process in the command's network
 * namespace that outlives it (the one whose socket sent a query is told
 * from its /proc); `command`: the command, which tells its PID namespace.
 * The observer, the policy and the store are borrowed. n 0: *ret NULL,
 * nothing to do. */
int lp_dns_trap_new(const int *fds, size_t n, struct lp_net_observer *observer, pid_t holder,
                    pid_t command, const struct lp_policy *p, struct lp_findings *store,
                    uint64_t start_ms, struct lp_dns_trap **ret);

/* What to poll (POLLIN: one of the sockets is readable), or -1 for NULL. */
int lp_dns_trap_fd(const struct lp_dns_trap *t);

/* The queries waiting (up to a batch, so that the poll loop's other work
 * does not wait for a flood): each one a finding and answered. 0 or
 * -errno. */
int lp_dns_trap_handle(struct lp_dns_trap *t);

/* After the command's tree is gone: every query still queued (a process
 * that sent one and exited at once), without a process named (the PID
 * namespace that told them is gone, its pid maybe another's), then the
 * queries the kernel dropped for want of room, one finding. 0 or -errno. */
int lp_dns_trap_finish(struct lp_dns_trap *t);

void lp_dns_trap_free(struct lp_dns_trap *t);
