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

/* The observer's hooks: the index of a program and the `hook` of a key.
 * The inet ones, always; then the unix ones, where the kernel has them
 * (6.7 and later) and lets a program read the address it is given. */
enum lp_net_hook {
        LP_NET_CONNECT4,
        LP_NET_CONNECT6,
        LP_NET_SENDMSG4,
        LP_NET_SENDMSG6,
        LP_NET_HOOKS, /* the inet hooks' count */
        LP_NET_UNIX_CONNECT = LP_NET_HOOKS,
        LP_NET_UNIX_SENDMSG,
        LP_NET_ALL_HOOKS,
};

/* The unix hooks' attach types: the kernel's (6.7), which the uapi
 * headers of older distributions do not name. */
#define LP_BPF_CGROUP_UNIX_CONNECT 49
#define LP_BPF_CGROUP_UNIX_SENDMSG 50

/* The kernel's context of a sock_addr program (struct bpf_sock_addr_kern,
 * 6.7 and later): where the address it is given and that address's length
 * are. A unix program reads them with bpf_probe_read_kernel (root only:
 * CAP_PERFMON) and checks that what it read is a unix address; a kernel
 * whose layout differs fails that check, and the call goes uncounted. */
#define LP_BPF_SOCK_ADDR_KERN_UADDR 8
#define LP_BPF_SOCK_ADDR_KERN_UADDRLEN 32

/* A unix socket's address as the command gave it: sa_family, then up to
 * 108 bytes of sun_path (struct sockaddr_un, 110 bytes), NUL-padded. */
#define LP_NET_UNIX_ADDR_MAX 112

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
        union {
                struct {
                        uint32_t addr[4]; /* network order; IPv4 in addr[0] */
                        uint16_t port;    /* network order */
                };
                /* The unix hooks': the address, LP_NET_UNIX_ADDR_MAX. */
                char unix_addr[LP_NET_UNIX_ADDR_MAX];
        };
        uint8_t hook; /* enum lp_net_hook, | LP_NET_HOOK_FLAGS bits */
        uint8_t pad[3];
        /* inet: the socket's protocol (IPPROTO_TCP, ...); unix: its type
         * (SOCK_STREAM, SOCK_DGRAM, ...). */
        uint32_t protocol;
        char comm[16]; /* the thread's name (bpf_get_current_comm) */
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

/* Whether a hook sees IPv6 addresses; whether it is a connect; whether
 * it sees unix addresses. */
bool lp_net_hook_ipv6(enum lp_net_hook hook);
bool lp_net_hook_connect(enum lp_net_hook hook);
bool lp_net_hook_unix(enum lp_net_hook hook);

/* The program that asks the kernel whether the unix hooks can be had: a
 * unix connect program that reads its context with bpf_probe_read_kernel
 * (a kernel before 6.7, or one locked down, refuses it). Returns the
 * number of instructions (insns: LP_NET_UNIX_PROBE_MAX of room). */
#define LP_NET_UNIX_PROBE_MAX 16
size_t lp_net_unix_probe_program(struct bpf_insn *insns);
