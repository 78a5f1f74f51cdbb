/* The network observer (docs/architecture.md, "The network observer"):
 * the programs of net_bpf.h, loaded and attached to the run's cgroup, so
 * that the command's connects and sends are plain syscalls that never
 * wait for the supervisor, and what leaves lo is still counted exactly.
 * For `run` as root in the host's PID namespace (the programs see its
 * pids) and a network namespace of its own, where the kernel has cgroup
 * BPF and the run has a cgroup v2; elsewhere the seccomp filter notifies
 * those calls as before (lp_net_observer_prepare says why with -v). */
#pragma once
#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/net_bpf.h"
#include "supervise/bpf_maps.h"

struct lp_policy;

/* Distinct (destination, program) keys the events map holds; past them
 * a sighting is still counted, in the overflow counter. */
#define LP_NET_EVENTS_MAX 8192

/* Sockets whose DNS query went to the trap, remembered for the reply
 * (past them, a query goes where it was going: the namespace refuses it,
 * as without the trap). */
#define LP_NET_REDIRECTS_MAX 1024

/* The attachments: the counting hooks, then the replies'. */
#define LP_NET_LINKS (LP_NET_ALL_HOOKS + LP_NET_REPLY_HOOKS)

struct lp_net_observer {
        int events;                  /* hash: struct lp_net_key -> struct lp_net_value */
        int overflow;                /* array[1]: sightings the full events map could not hold */
        struct lp_bpf_ring announce; /* a key's first sighting */
        int host_ports;
        /* The DNS trap's (Namespace=loopback): socket cookie -> struct
         * lp_net_redirect; -1 without the trap. */
        int redirects;
        int cgroup_dir; /* borrowed: the run's v2 cgroup */
        /* The unix hooks too (net_bpf.h): the filter leaves every connect
         * and sendto in the kernel. */
        bool unix_on;
        int links[LP_NET_LINKS]; /* the attachments: closing them detaches */
};

#define LP_NET_OBSERVER_INIT                                                                  \
        {                                                                                     \
                .events = -1, .overflow = -1, .announce = LP_BPF_RING_INIT, .host_ports = -1, \
                .redirects = -1, .cgroup_dir = -1, .links = {-1, -1, -1, -1, -1, -1, -1, -1}, \
        }

/* Whether the observer sends DNS queries to the trap: the child then
 * makes the trap's socket (launch/dns_standins.h). */
static inline bool lp_net_observer_traps_dns(const struct lp_net_observer *o)
{
        return o->redirects >= 0;
}

/* Before the fork: whether the kernel lets us attach programs to the
 * cgroup directory `cgroup_dir` (a program of the kind loaded and thrown
 * away), and the maps. `host_ports`: the host's loopback TCP services
 * (supervise/listeners.h); those the policy forwards are left out. 1 when
 * the observer can be had (the filter may count on it), 0 when not (the
 * reason said with -v; nothing is left). */
int lp_net_observer_prepare(const struct lp_policy *p, int cgroup_dir, const uint16_t *host_ports,
                            size_t n_host_ports, struct lp_net_observer *o);

/* Whether the observer counts unix destinations too (the unix hooks,
 * net_bpf.h): known from lp_net_observer_prepare. */
static inline bool lp_net_observer_sees_unix(const struct lp_net_observer *o)
{
        return o->unix_on;
}

/* Before the filter is compiled: without the unix hooks after all
 * (`why`, said with -v); unix destinations are notified as before. */
void lp_net_observer_skip_unix(struct lp_net_observer *o, const char *why);

/* After the fork, while the child builds the sandbox: the programs
 * (the verifier's time, 1.5 ms or more, overlaps the child's), attached.
 * The command must not start before this returned 0: -errno, and the
 * launch fails. */
int lp_net_observer_attach(const struct lp_policy *p, struct lp_net_observer *o);

/* The DNS trap's reply programs (net_bpf.h), loaded and attached the
 * first time the trap reads a query, before it answers: most runs never
 * resolve a name, and attached at every launch they cost about 0.5 ms a
 * launch (docs/architecture.md, "DNS": the hooks' static keys are part
 * of it). Idempotent. 0 or -errno. */
int lp_net_observer_attach_replies(struct lp_net_observer *o);

/* Detaches and closes everything; safe on an observer never started. */
void lp_net_observer_stop(struct lp_net_observer *o);
