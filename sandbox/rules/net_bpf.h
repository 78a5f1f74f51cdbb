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

/* The replies' hooks (the DNS trap): a program each, after the counting
 * ones. */
enum lp_net_reply_hook {
        LP_NET_RECVMSG4,
        LP_NET_RECVMSG6,
        LP_NET_REPLY_HOOKS,
};

/* A key's `hook` bits: a loopback TCP port the host serves and nothing
 * inside listens on (the finding's fix is a Forward=); a DNS server's
 * destination sent to the DNS trap. */
#define LP_NET_HOST_SERVICE 0x80
#define LP_NET_DNS_TRAPPED 0x40
#define LP_NET_HOOK_FLAGS (LP_NET_HOST_SERVICE | LP_NET_DNS_TRAPPED)

/* The DNS trap (supervise/dns_trap.h): a UDP socket of the supervisor's
 * in the command's network namespace, on 127.53.53.53 port 1 (any 127/8
 * address is lo's; this one is nobody's, and port 1, tcpmux, is one no
 * command's own server binds). A UDP destination
 * outside with port 53 is counted, then sent there instead
 * (::ffff:127.53.53.53 for an IPv6 socket), so that the query's name can
 * be read and answered. */
#define LP_NET_DNS_TRAP_ADDR 0x7f353535u /* host order */
#define LP_NET_DNS_TRAP_PORT 1
#define LP_NET_DNS_PORT 53

/* What a redirected socket was sent to (the redirects map's value, keyed
 * by the socket's cookie), for the reply programs to show as the reply's
 * source: an IPv4 address as ::ffff:a.b.c.d. */
struct lp_net_redirect {
        uint32_t addr[4]; /* network order */
        uint16_t port;    /* network order */
        uint16_t pad;
};

/* One counted destination, the key of the events map: what the findings
 * store tells apart (a finding per destination and program), with the
 * thread's name standing for the program, so that a test that forks a
 * thousand clients of one address is one entry, not a thousand. */
struct lp_net_key {
        uint32_t addr[4]; /* network order; IPv4 in addr[0] */
        uint16_t port;    /* network order */
        uint8_t hook;     /* enum lp_net_hook, | LP_NET_HOOK_FLAGS bits */
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
        /* The DNS trap is there (Namespace=loopback): port-53 UDP
         * destinations outside go to it, their original in `redirects`. */
        bool dns_trap;
        int redirects;
        /* The supervisor's tgid (0: none): its own sends, the DNS
         * stand-ins' answers on sockets the child made in the run's
         * cgroup, are no call of the command's. */
        uint32_t supervisor;
};

#define LP_NET_PROGRAM_MAX 256

/* Assembles one program into insns (LP_NET_PROGRAM_MAX of room). Returns
 * the number of instructions, 0 if they did not fit (a program cut short
 * would still pass the verifier, and count the wrong calls). */
size_t lp_net_program(const struct lp_net_program_spec *spec, struct bpf_insn *insns);

/* A reply program (the DNS trap's): a datagram from the trap to a socket
 * in `redirects` is shown as from where that socket sent its query, so
 * that the resolver takes the answer (glibc and musl check its source).
 * Returns the number of instructions, 0 if they did not fit. */
size_t lp_net_reply_program(enum lp_net_reply_hook hook, int redirects, struct bpf_insn *insns);

/* The kernel's attach type of a hook, of a reply hook. */
enum bpf_attach_type lp_net_attach_type(enum lp_net_hook hook);
enum bpf_attach_type lp_net_reply_attach_type(enum lp_net_reply_hook hook);

/* Whether a hook sees IPv6 addresses; whether it is a connect. */
bool lp_net_hook_ipv6(enum lp_net_hook hook);
bool lp_net_hook_connect(enum lp_net_hook hook);
