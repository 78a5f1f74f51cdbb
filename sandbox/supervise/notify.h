/* The receive loop of seccomp user notifications: receive, decode
 * (rules/call.h), decide (rules/decide.h), answer, record the findings.
 * It keeps no decision of its own. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lp_policy;
struct lp_findings;
struct lp_notifier;
struct lp_fs_plan;

struct lp_notifier_options {
        bool audit;        /* answer CONTINUE for what would be denied */
        bool learn;        /* also describe what refused calls did with their arguments */
        uint64_t start_ms; /* CLOCK_MONOTONIC ms at the start of the run */
        /* What the run's [Filesystem] rules refuse (borrowed); NULL: nothing. */
        const struct lp_fs_plan *fs_plan;
        /* The filter's learning floor (launch/filter.h), borrowed. */
        const char *const *also_allow;
        /* The host's loopback TCP services (listeners.h), borrowed. */
        const uint16_t *host_ports;
        size_t n_host_ports;
        /* The network observer counts inet destinations (net_observed.h). */
        bool net_observed;
        /* The resolver's servers that have stand-ins inside, borrowed. */
        const struct lp_sockaddr_info *dns_standins;
        size_t n_dns_standins;
};

/* Borrows p, store and listener_fd for its lifetime. */
int lp_notifier_new(const struct lp_policy *p, struct lp_findings *store, int listener_fd,
                    const struct lp_notifier_options *o, struct lp_notifier **ret);

/* Call when listener_fd polls readable. Returns 0 when handled (also when
 * the tracee died meanwhile), -errno on a failure of the listener itself;
 * *more: another notification was pending when this one was decided (the
 * caller may go on without a poll of its own). */
int lp_notifier_handle(struct lp_notifier *n, bool *more);

void lp_notifier_free(struct lp_notifier *n);

/* Whether the supervisor killed the process `pid` (a thread group id)
 * because the profile says kill for a syscall it made. */
bool lp_notifier_killed(const struct lp_notifier *n, int pid);

/* Records the processes and threads the command created while `syscall`
 * and its kin stayed in the kernel (learning in a PID namespace,
 * launch/pidns.h): the finding a notified `syscall` would have been,
 * `count` times, for the command `pid`. 0 or -errno of the store. */
int lp_notifier_record_created(struct lp_notifier *n, const char *syscall, uint64_t count, int pid);

/* Notifications handled so far (for -v and the benchmarks). */
uint64_t lp_notifier_handled(const struct lp_notifier *n);
