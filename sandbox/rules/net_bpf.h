/* The network observer's programs (docs/architecture.md, "The network
 * observer"): cgroup sock_addr programs, one per hook (connect and UDP
 * sendmsg, IPv4 and IPv6), that look at every destination the command's
 * sockets are given and let every call through: the network namespace
 * refuses what leaves lo, the programs count it. Assembled here, as
 * systemd assembles its IPAddressDeny= programs, without a compiler or a
 * loader library: they are a few dozen instructions. Pure: builds
 * instructions, makes no system call. */
#pragma once
#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The observer's hooks: the index of a program and the `hook` of a key. */
enum lp_net_hook {
        LP_NET_CONNECT4,
        LP_NET_CONNECT6,
        LP_NET_SENDMSG4,
        LP_NET_SENDMSG6,
        LP_NET_HOOKS,
};

/* A key's `what` bit: a loopback TCP port the host serves and nothing
 * inside listens on (the finding's fix is a Forward=). */
#define LP_NET_HOST_SERVICE 0x80

/* One counted destination, the key of the events map: what the findings
 * store tells apart (a finding per destination and program), with the
 * thread's name standing for the program, so that a test that forks a
 * thousand clients of one address is one entry, not a thousand. */
struct lp_net_key {
        uint32_t addr[4]; /* network order; IPv4 in addr[0] */
        uint16_t port;    /* network order */
        uint8_t hook;     /* enum lp_net_hook, | LP_NET_HOST_SERVICE */
        uint8_t pad;
        uint32_t protocol; /* the socket's: IPPROTO_TCP, IPPROTO_UDP, ... */
        char comm[16];     /* the thread's name (bpf_get_current_comm) */
};

/* A key's first sighting, in the ring buffer: the supervisor reads the
 * executable of `tgid` (the host's PID namespace) while it runs. */
struct lp_net_announcement {
        struct lp_net_key key;
        uint32_t tgid;
        uint32_t pad;
};

/* The events map's value. */
struct lp_net_value {
        uint64_t count;
        uint64_t first_ns; /* CLOCK_MONOTONIC */
        uint32_t tgid;     /* the first process */
        uint32_t pad;
};

/* What the programs are built for. */
struct lp_net_program_spec {
        enum lp_net_hook hook;
        /* Namespace=loopback: lo reaches; Namespace=none: nothing does. */
        bool loopback_reaches;
        /* The map fds the program refers to; host_ports -1: no host
         * service check. */
        int events, overflow, announce, host_ports;
};

#define LP_NET_PROGRAM_MAX 256

/* Assembles one program into insns (LP_NET_PROGRAM_MAX of room). Returns
 * the number of instructions, 0 if they did not fit (a program cut short
 * would still pass the verifier, and count the wrong calls). */
size_t lp_net_program(const struct lp_net_program_spec *spec, struct bpf_insn *insns);

/* The kernel's attach type of a hook. */
enum bpf_attach_type lp_net_attach_type(enum lp_net_hook hook);

/* Whether a hook sees IPv6 addresses; whether it is a connect. */
bool lp_net_hook_ipv6(enum lp_net_hook hook);
bool lp_net_hook_connect(enum lp_net_hook hook);
