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

/* The announcements' ring: 2,048 first sightings of 32 bytes (+8 of
 * header) before the supervisor reads them. */
#define RING_SIZE (64 * 1024)

int lp_net_bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
        int r = (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
        return r < 0 ? -errno : r;
}

static int create_map(enum bpf_map_type type, uint32_t key, uint32_t value, uint32_t max,
                      uint32_t flags)
{
        union bpf_attr a = {.map_type = type,
                            .key_size = key,
                            .value_size = value,
                            .max_entries = max,
                            .map_flags = flags | BPF_F_NO_PREALLOC * (type == BPF_MAP_TYPE_HASH)};
        return lp_net_bpf(BPF_MAP_CREATE, &a);
}

static int create_maps(struct lp_net_observer *o, size_t n_host_ports)
{
        o->events = create_map(BPF_MAP_TYPE_HASH, sizeof(struct lp_net_key),
                               sizeof(struct lp_net_value), LP_NET_EVENTS_MAX, 0);
        if (o->events < 0)
                return o->events;
        o->overflow = create_map(BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(uint64_t), 1, 0);
        if (o->overflow < 0)
                return o->overflow;
        o->announce = create_map(BPF_MAP_TYPE_RINGBUF, 0, 0, RING_SIZE, 0);
        if (o->announce < 0)
                return o->announce;
        if (n_host_ports == 0)
                return 0;
        o->host_ports = create_map(BPF_MAP_TYPE_HASH, sizeof(uint32_t), sizeof(uint8_t),
                                   (uint32_t)n_host_ports, 0);
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
                union bpf_attr a = {.map_fd = (uint32_t)o->host_ports,
                                    .key = (uint64_t)(uintptr_t)&key,
                                    .value = (uint64_t)(uintptr_t)&yes};
                int r = lp_net_bpf(BPF_MAP_UPDATE_ELEM, &a);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The program for `hook`; log (when not NULL) receives the verifier's
 * reasons, which cost time: only asked for after a refusal. */
static int load_with_log(const struct bpf_insn *insns, size_t n, enum lp_net_hook hook, char *log,
                         size_t log_size)
{
        union bpf_attr a = {.prog_type = BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
                            .expected_attach_type = lp_net_attach_type(hook),
                            .insns = (uint64_t)(uintptr_t)insns,
                            .insn_cnt = (uint32_t)n,
                            .license = (uint64_t)(uintptr_t) "GPL",
                            .log_level = log != NULL,
                            .log_buf = (uint64_t)(uintptr_t)log,
                            .log_size = (uint32_t)log_size};
        return lp_net_bpf(BPF_PROG_LOAD, &a);
}

static int load_program(const struct lp_net_observer *o, const struct lp_policy *p,
                        enum lp_net_hook hook)
{
        struct bpf_insn insns[LP_NET_PROGRAM_MAX];
        struct lp_net_program_spec spec = {.hook = hook,
                                           .loopback_reaches = p->netns == LP_NETNS_LOOPBACK,
                                           .events = o->events,
                                           .overflow = o->overflow,
                                           .announce = o->announce,
                                           .host_ports = o->host_ports};
        size_t n = lp_net_program(&spec, insns);
        if (n == 0)
                return -E2BIG; /* ours: the programs outgrew LP_NET_PROGRAM_MAX */
        int fd = load_with_log(insns, n, hook, NULL, 0);
        if (fd < 0 && fd != -EPERM && lp_log_level >= LP_LOG_DEBUG) {
                size_t size = 16384;
                _cleanup_free_ char *log = calloc(1, size);
                if (log && load_with_log(insns, n, hook, log, size) < 0)
                        lp_debug("the network observer's program %d was refused:\n%s", hook, log);
        }
        return fd;
}

static int attach(int prog, int cgroup_dir, enum lp_net_hook hook)
{
        union bpf_attr a = {.link_create = {.prog_fd = (uint32_t)prog,
                                            .target_fd = (uint32_t)cgroup_dir,
                                            .attach_type = lp_net_attach_type(hook)}};
        return lp_net_bpf(BPF_LINK_CREATE, &a);
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
        for (int h = 0; h < LP_NET_HOOKS; h++) {
                int prog = load_program(o, p, (enum lp_net_hook)h);
                if (prog < 0)
                        return prog;
                /* The link holds the program; ours goes. */
                o->links[h] = attach(prog, cgroup_dir, (enum lp_net_hook)h);
                close(prog);
                if (o->links[h] < 0)
                        return o->links[h];
        }
        return 0;
}

/* The ring's consumer page (ours to write) and its producer page with
 * the data mapped twice after it (the kernel's; read only), as the
 * kernel lays it out for BPF_MAP_TYPE_RINGBUF. */
static int map_ring(struct lp_net_observer *o)
{
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        o->consumer = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, o->announce, 0);
        if (o->consumer == MAP_FAILED) {
                o->consumer = NULL;
                return -errno;
        }
        o->producer =
                mmap(NULL, page + 2 * RING_SIZE, PROT_READ, MAP_SHARED, o->announce, (off_t)page);
        if (o->producer == MAP_FAILED) {
                o->producer = NULL;
                return -errno;
        }
        o->ring_size = RING_SIZE;
        return 0;
}

/* The host's PID namespace's inode (include/linux/proc_ns.h). */
#define PROC_PID_INIT_INO 0xEFFFFFFCU

/* Why the observer cannot be had here, or NULL: the programs name a
 * process by its pid in the host's PID namespace, which only that
 * namespace's /proc can tell an executable of (leastpriv in a
 * container's PID namespace would read another process's); and loading
 * a cgroup program needs CAP_BPF and CAP_NET_ADMIN in the host's user
 * namespace, which a root of another user namespace has not, though it
 * may make maps: asked with a program of two instructions (0.04 ms). */
static const char *observer_refused(void)
{
        struct stat st;
        if (stat("/proc/self/ns/pid", &st) < 0 || st.st_ino != PROC_PID_INIT_INO)
                return "not in the host's PID namespace";
        const struct bpf_insn allow[] = {
                {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1},
                {.code = BPF_JMP | BPF_EXIT},
        };
        union bpf_attr a = {.prog_type = BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
                            .expected_attach_type = BPF_CGROUP_INET4_CONNECT,
                            .insns = (uint64_t)(uintptr_t)allow,
                            .insn_cnt = LP_ELEMENTSOF(allow),
                            .license = (uint64_t)(uintptr_t) "GPL"};
        int fd = lp_net_bpf(BPF_PROG_LOAD, &a);
        if (fd < 0)
                return "no cgroup BPF programs here (a container's seccomp profile, no CAP_BPF "
                       "or CAP_NET_ADMIN in the host's user namespace, an old kernel)";
        close(fd);
        return NULL;
}

int lp_net_observer_prepare(const struct lp_policy *p, int cgroup_dir, const uint16_t *host_ports,
                            size_t n_host_ports, struct lp_net_observer *o)
{
        *o = (struct lp_net_observer)LP_NET_OBSERVER_INIT;
        if (!inet_granted(p))
                return 0; /* no inet socket: nothing to observe */
        const char *why = cgroup_dir < 0 ? "no cgroup v2 of the run" : observer_refused();
        if (why) {
                lp_debug("network observer: %s; connects and sends are notified", why);
                return 0;
        }
        int r = create_maps(o, n_host_ports);
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
        return 1;
}

int lp_net_observer_attach(const struct lp_policy *p, struct lp_net_observer *o)
{
        int r = load_and_attach(o, p, o->cgroup_dir);
        if (r >= 0)
                r = map_ring(o);
        if (r < 0)
                return r;
        lp_debug("network observer: attached to the run's cgroup; connects and sends stay in "
                 "the kernel");
        return 0;
}

void lp_net_observer_stop(struct lp_net_observer *o)
{
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        if (o->consumer)
                munmap(o->consumer, page);
        if (o->producer)
                munmap(o->producer, page + 2 * o->ring_size);
        o->consumer = o->producer = NULL;
        /* Detaching patches the kernel's text and freeing a program waits
         * for RCU (about 1 ms in all here): a kernel worker's, not the
         * run's. By now the command's tree is gone. */
        int fds[4 + LP_NET_HOOKS] = {o->events, o->overflow, o->announce, o->host_ports};
        for (size_t i = 0; i < LP_NET_HOOKS; i++)
                fds[4 + i] = o->links[i];
        lp_close_later(fds, LP_ELEMENTSOF(fds));
        *o = (struct lp_net_observer)LP_NET_OBSERVER_INIT;
}
