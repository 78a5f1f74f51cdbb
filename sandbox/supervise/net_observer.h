/* The network observer (docs/architecture.md, "The network observer"):
 * the programs of net_bpf.h, loaded and attached to the run's cgroup, so
 * that the command's connects and sends are plain syscalls that never
 * wait for the supervisor, and what leaves lo is still counted exactly.
 * For `run` as root in a network namespace of its own, where the kernel
 * has cgroup BPF and the run has a cgroup v2; elsewhere the seccomp
 * filter notifies those calls as before (lp_net_observer_start says why
 * with -v). */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct lp_policy;

struct lp_net_observer {
        int events;   /* hash: struct lp_net_key -> struct lp_net_value */
        int overflow; /* array[1]: sightings the full events map could not hold */
        int announce; /* ring buffer: a key's first sighting */
        int host_ports;
        int links[4]; /* the attachments: closing them detaches */
        /* The announcements' consumer side (supervise/net_observed.c). */
        void *consumer;
        void *producer;
        size_t ring_size;
};

#define LP_NET_OBSERVER_INIT                                                    \
        {                                                                       \
                .events = -1, .overflow = -1, .announce = -1, .host_ports = -1, \
                .links = {-1, -1, -1, -1},                                      \
        }

/* Loads and attaches the observer to the cgroup directory `cgroup_dir`.
 * `host_ports`: the host's loopback TCP services (supervise/listeners.h)
 * not forwarded. 1 when attached, 0 when the observer cannot be had here
 * (the reason said with -v; nothing is left attached), -errno on a
 * failure of our own. */
int lp_net_observer_start(const struct lp_policy *p, int cgroup_dir, const uint16_t *host_ports,
                          size_t n_host_ports, struct lp_net_observer *o);

/* Detaches and closes everything; safe on an observer never started. */
void lp_net_observer_stop(struct lp_net_observer *o);
