/* The network observer: maps, programs, attachments (net_observer.h). */
#include "supervise/net_observer.h"

#include <endian.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/close_later.h"
#include "base/log.h"
#include "base/util.h"
#include "profile/policy.h"
#include "rules/net_bpf.h"

/* The announcements' ring: 862 first sightings of 144 bytes (+8 of
 * header) before the supervisor reads them. */
#define RING_SIZE (128 * 1024)

/* The DNS trap needs lo up (Namespace=loopback; an inet socket is
 * granted, or there is no observer). */
static bool wants_dns_trap(const struct lp_policy *p)
{
        return p->netns == LP_NETNS_LOOPBACK;
}

static int create_maps(struct lp_net_observer *o, bool dns_trap, size_t n_host_ports)
{
        int r = lp_bpf_counting_maps(sizeof(struct lp_net_key), sizeof(struct lp_net_value),
                                     LP_NET_EVENTS_MAX, false, &o->events, &o->overflow);
        if (r >= 0)
                r = lp_bpf_ring_create(&o->announce, RING_SIZE);
        if (r >= 0 && dns_trap) {
                /* Not preallocated: most runs never resolve a name. */
                o->redirects = lp_bpf_map_create_flags(BPF_MAP_TYPE_HASH, sizeof(uint64_t),
                                                       sizeof(struct lp_net_redirect),
                                                       LP_NET_REDIRECTS_MAX, BPF_F_NO_PREALLOC);
                r = o->redirects < 0 ? o->redirects : 0;
        }
        if (r < 0 || n_host_ports == 0)
                return r;
        o->host_ports = lp_bpf_map_create(BPF_MAP_TYPE_HASH, sizeof(uint32_t), sizeof(uint8_t),
                                          (uint32_t)n_host_ports);
        return o->host_ports < 0 ? o->host_ports : 0;
}

/* The host's ports, as the programs look them up: the port's two bytes
 * in network order, then two zero bytes. */
static int fill_host_ports(const struct lp_net_observer *o, const struct lp_policy *p,
                           const uint16_t *ports, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (lp_policy_forwards(p, ports[i]))
                        continue;
                uint32_t key = 0;
                uint16_t port = htobe16(ports[i]);
                uint8_t yes = 1;
                memcpy(&key, &port, sizeof(port));
                int r = lp_bpf_map_set(o->host_ports, &key, &yes);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load_program(const struct lp_net_observer *o, const struct lp_policy *p,
                        enum lp_net_hook hook)
{
        struct bpf_insn insns[LP_NET_PROGRAM_MAX];
        struct lp_net_program_spec spec = {.hook = hook,
                                           .loopback_reaches = p->netns == LP_NETNS_LOOPBACK,
                                           .events = o->events,
                                           .overflow = o->overflow,
                                           .announce = o->announce.fd,
                                           .host_ports = o->host_ports,
                                           .dns_trap = lp_net_observer_traps_dns(o),
                                           .redirects = o->redirects,
                                           .supervisor = (uint32_t)getpid()};
        size_t n = lp_net_program(&spec, insns);
        if (n == 0)
                return -E2BIG; /* ours: the programs outgrew LP_NET_PROGRAM_MAX */
        char what[64];
        snprintf(what, sizeof(what), "the network observer's program %d", hook);
        return lp_bpf_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, lp_net_attach_type(hook), insns, n,
                           what);
}

static int load_reply_program(const struct lp_net_observer *o, enum lp_net_reply_hook hook)
{
        struct bpf_insn insns[LP_NET_PROGRAM_MAX];
        size_t n = lp_net_reply_program(hook, o->redirects, insns);
        if (n == 0)
                return -E2BIG;
        char what[64];
        snprintf(what, sizeof(what), "the DNS trap's reply program %d", hook);
        return lp_bpf_load(BPF_PROG_TYPE_CGROUP_SOCK_ADDR, lp_net_reply_attach_type(hook), insns, n,
                           what);
}

static int attach(int prog, int cgroup_dir, enum bpf_attach_type type)
{
        union bpf_attr a = {.link_create = {.prog_fd = (uint32_t)prog,
                                            .target_fd = (uint32_t)cgroup_dir,
                                            .attach_type = type}};
        return lp_bpf(BPF_LINK_CREATE, &a);
}

/* The link holds the program; ours goes. */
static int attach_program(int prog, int cgroup_dir, enum bpf_attach_type type, int *link)
{
        if (prog < 0)
                return prog;
        *link = attach(prog, cgroup_dir, type);
        close(prog);
        return *link < 0 ? *link : 0;
}

/* Whether the policy grants an inet socket at all: without, there is
 * nothing to observe. All four programs go together otherwise: an IPv6
 * socket's send to ::ffff:a.b.c.d runs the IPv4 hook. */
static bool inet_granted(const struct lp_policy *p)
{
        return lp_policy_socket(p, AF_INET, 0) || lp_policy_socket(p, AF_INET6, 0);
}

static int load_and_attach(struct lp_net_observer *o, const struct lp_policy *p, int cgroup_dir)
{
        int r = 0, hooks = o->unix_on ? LP_NET_ALL_HOOKS : LP_NET_HOOKS;
        for (int h = 0; r >= 0 && h < hooks; h++)
                r = attach_program(load_program(o, p, (enum lp_net_hook)h), cgroup_dir,
                                   lp_net_attach_type((enum lp_net_hook)h), &o->links[h]);
        return r;
}

/* Whether the kernel loads a sock_addr program of `type` (thrown away). */
static bool probe_loads(enum bpf_attach_type type, const struct bpf_insn *insns, size_t n)
{
        union bpf_attr a = {.prog_type = BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
                            .expected_attach_type = type,
                            .insns = (uint64_t)(uintptr_t)insns,
                            .insn_cnt = (uint32_t)n,
                            .license = (uint64_t)(uintptr_t) "GPL"};
        int fd = lp_bpf(BPF_PROG_LOAD, &a);
        if (fd < 0)
                return false;
        close(fd);
        return true;
}

/* Whether the unix hooks can be had: a kernel of 6.7 or later, which
 * lets a program read its context (not one locked down). Asked with a
 * program of ten instructions, which also answers observer_refused's
 * question where it loads; without, unix destinations are notified as
 * before (of the lengths that are not inet's). */
static bool unix_hooks_possible(void)
{
        struct bpf_insn probe[LP_NET_UNIX_PROBE_MAX];
        size_t n = lp_net_unix_probe_program(probe);
        return n && probe_loads((enum bpf_attach_type)LP_BPF_CGROUP_UNIX_CONNECT, probe, n);
}

/* Why the observer cannot be had here, or NULL: the programs name a
 * process by its pid in the host's PID namespace, which only that
 * namespace's /proc can tell an executable of (leastpriv in a
 * container's PID namespace would read another process's); and loading
 * a cgroup program needs CAP_BPF and CAP_NET_ADMIN in the host's user
 * namespace, which a root of another user namespace has not, though it
 * may make maps: asked with a program of two instructions (0.04 ms). */
static const char *observer_refused(bool *unix_hooks)
{
        if (!lp_bpf_host_pids())
                return "not in the host's PID namespace";
        if ((*unix_hooks = unix_hooks_possible()))
                return NULL;
        lp_debug("network observer: no unix hooks here (a kernel before 6.7, or one locked "
                 "down): unix connects and sends are notified");
        const struct bpf_insn allow[] = {
                {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1},
                {.code = BPF_JMP | BPF_EXIT},
        };
        if (!probe_loads(BPF_CGROUP_INET4_CONNECT, allow, LP_ELEMENTSOF(allow)))
                return "no cgroup BPF programs here (a container's seccomp profile, no CAP_BPF "
                       "or CAP_NET_ADMIN in the host's user namespace, an old kernel)";
        return NULL;
}

int lp_net_observer_prepare(const struct lp_policy *p, int cgroup_dir, const uint16_t *host_ports,
                            size_t n_host_ports, struct lp_net_observer *o)
{
        *o = (struct lp_net_observer)LP_NET_OBSERVER_INIT;
        if (!inet_granted(p))
                return 0; /* no inet socket: nothing to observe */
        bool unix_hooks = false;
        const char *why =
                cgroup_dir < 0 ? "no cgroup v2 of the run" : observer_refused(&unix_hooks);
        if (why) {
                lp_debug("network observer: %s; connects and sends are notified", why);
                return 0;
        }
        int r = create_maps(o, wants_dns_trap(p), n_host_ports);
        if (r >= 0 && n_host_ports)
                r = fill_host_ports(o, p, host_ports, n_host_ports);
        if (r < 0) {
                /* No BPF here (a container's seccomp profile, an old
                 * kernel, no CAP_BPF): the filter notifies instead. */
                lp_debug("network observer: no BPF maps (%s); connects and sends are notified",
                         strerror(-r));
                lp_net_observer_stop(o);
                return 0;
        }
        o->cgroup_dir = cgroup_dir;
        o->unix_on = unix_hooks;
        return 1;
}

void lp_net_observer_skip_unix(struct lp_net_observer *o, const char *why)
{
        o->unix_on = false;
        lp_debug("network observer: no unix hooks: %s; unix connects and sends are notified", why);
}

int lp_net_observer_attach(const struct lp_policy *p, struct lp_net_observer *o)
{
        int r = load_and_attach(o, p, o->cgroup_dir);
        if (r >= 0)
                r = lp_bpf_ring_map(&o->announce);
        if (r < 0)
                return r;
        lp_debug("network observer: attached to the run's cgroup; connects and sends stay in "
                 "the kernel");
        return 0;
}

int lp_net_observer_attach_replies(struct lp_net_observer *o)
{
        int r = 0;
        for (int h = 0; r >= 0 && h < LP_NET_REPLY_HOOKS; h++)
                if (o->links[LP_NET_ALL_HOOKS + h] < 0)
                        r = attach_program(load_reply_program(o, (enum lp_net_reply_hook)h),
                                           o->cgroup_dir,
                                           lp_net_reply_attach_type((enum lp_net_reply_hook)h),
                                           &o->links[LP_NET_ALL_HOOKS + h]);
        return r;
}

void lp_net_observer_stop(struct lp_net_observer *o)
{
        lp_bpf_ring_unmap(&o->announce);
        /* Detaching patches the kernel's text and freeing a program waits
         * for RCU (about 1 ms in all here): a kernel worker's, not the
         * run's. By now the command's tree is gone. */
        int fds[5 + LP_NET_LINKS] = {o->events, o->overflow, o->announce.fd, o->host_ports,
                                     o->redirects};
        for (size_t i = 0; i < LP_NET_LINKS; i++)
                fds[5 + i] = o->links[i];
        lp_close_later(fds, LP_ELEMENTSOF(fds));
        *o = (struct lp_net_observer)LP_NET_OBSERVER_INIT;
}
