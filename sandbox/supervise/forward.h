/* [Network] Forward=: a host TCP endpoint made reachable inside the
 * command's network namespace (docs/architecture.md, "Forwards"). The
 * child listens inside, on 127.0.0.1:INSIDE (and [::1] where AF_INET6 is
 * granted), before the command starts, so that its first connect never
 * races the forward; the listening sockets are handed to the supervisor
 * with the seccomp listener. The supervisor accepts, connects to the host
 * endpoint from the host's namespace, and moves the bytes with splice(2)
 * through a pipe per direction: one epoll set, no thread per connection,
 * half-closes passed on. A host endpoint that refuses gets the inside
 * connection reset (the command sees ECONNRESET at once, not a hang) and
 * a `network` finding with the action `forward-failed`. */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct lp_policy;
struct lp_findings;

/* The most listening sockets a run's forwards may have. */
#define LP_FORWARD_LISTENERS_MAX 64

/* One listening socket inside: forward `forward` of the policy, on
 * 127.0.0.1 (AF_INET) or [::1] (AF_INET6). */
struct lp_forward_endpoint {
        size_t forward;
        int family;
};

/* The listeners the policy's forwards ask for, in the order the child
 * makes them: per forward, 127.0.0.1, then [::1] where AF_INET6 is
 * granted. Returns how many (at most LP_FORWARD_LISTENERS_MAX; a policy
 * with more is refused at launch). */
size_t lp_forward_endpoints(const struct lp_policy *p, struct lp_forward_endpoint *out, size_t max);

struct lp_forwarder;

/* Takes the listening sockets (fds[i] listens for endpoints[i]; a
 * closed-over -1 is skipped). 0 or -errno. */
int lp_forwarder_new(const struct lp_policy *p, const int *fds,
                     const struct lp_forward_endpoint *endpoints, size_t n,
                     struct lp_findings *store, uint64_t start_ms, struct lp_forwarder **ret);

/* What to poll for input (an epoll set); -1 for NULL. */
int lp_forwarder_fd(const struct lp_forwarder *fw);

/* Accepts, connects and moves what is ready, without blocking. 0, or
 * -errno when the forwarder itself failed (a connection's own failure is
 * that connection's end, not an error). */
int lp_forwarder_handle(struct lp_forwarder *fw);

/* Closes every connection and listener. NULL is a no-op. */
void lp_forwarder_free(struct lp_forwarder *fw);
