/* listeners.h: /proc/PID/net/tcp{,6} gives the listening sockets' inodes;
 * the ns/pid and fd links of every process under /proc tell whose they are. */
#include "supervise/listeners.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/util.h"

#define TCP_LISTEN 0x0A
#define UDP_UNCONNECTED 0x07 /* a bound UDP socket, as /proc/net/udp shows it */
#define ANY_STATE 0

/* The listening sockets on one port (SO_REUSEPORT allows many). */
struct inodes {
        unsigned long *v;
        size_t n, cap;
        bool lost; /* one could not be kept: the answer would be a guess */
};

static void listening_inodes_in_state(int pid, const char *table, uint16_t port, unsigned want,
                                      struct inodes *in)
{
        char path[64], line[512];
        snprintf(path, sizeof(path), "/proc/%d/net/%s", pid, table);
        FILE *f = fopen(path, "re");
        while (f && fgets(line, sizeof(line), f)) {
                unsigned local_port, state;
                unsigned long inode;
                /* sl local_address:port rem_address:port st tx:rx tr:when retrnsmt uid timeout
                 * inode */
                if (sscanf(line, " %*s %*[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %*s %*s %lu",
                           &local_port, &state, &inode) == 3 &&
                    (state == want || want == ANY_STATE) && local_port == port) {
                        if (LP_GROW(in->v, in->cap, in->n) < 0)
                                in->lost = true;
                        else
                                in->v[in->n++] = inode;
                }
        }
        if (f)
                fclose(f);
}

static void listening_inodes(int pid, const char *table, uint16_t port, struct inodes *in)
{
        unsigned want = strncmp(table, "udp", 3) == 0 ? UDP_UNCONNECTED : TCP_LISTEN;
        listening_inodes_in_state(pid, table, port, want, in);
}

static bool holds_socket(const char *pid_dir, const struct inodes *in)
{
        char path[PATH_MAX], link[64];
        snprintf(path, sizeof(path), "/proc/%s/fd", pid_dir);
        DIR *d = opendir(path);
        struct dirent *e;
        bool found = false;
        while (d && !found && (e = readdir(d))) {
                char fd_path[PATH_MAX + 300];
                snprintf(fd_path, sizeof(fd_path), "%s/%s", path, e->d_name);
                ssize_t n = readlink(fd_path, link, sizeof(link) - 1);
                unsigned long inode;
                if (n <= 0)
                        continue;
                link[n] = '\0';
                if (sscanf(link, "socket:[%lu]", &inode) != 1)
                        continue;
                for (size_t i = 0; i < in->n && !found; i++)
                        found = in->v[i] == inode;
        }
        if (d)
                closedir(d);
        return found;
}

static bool same_pid_namespace(const char *pid_dir, const char *ns)
{
        char path[PATH_MAX], link[64];
        snprintf(path, sizeof(path), "/proc/%s/ns/pid", pid_dir);
        ssize_t n = readlink(path, link, sizeof(link) - 1);
        if (n <= 0)
                return false;
        link[n] = '\0';
        return strcmp(link, ns) == 0;
}

/* The first process of `ns` (a PID namespace's link text) that holds one
 * of `in`, or 0. */
static pid_t holder_of(const char *ns, const struct inodes *in)
{
        DIR *d = opendir("/proc");
        struct dirent *e;
        pid_t found = 0;
        while (d && !found && (e = readdir(d)))
                if (e->d_name[0] >= '1' && e->d_name[0] <= '9' &&
                    same_pid_namespace(e->d_name, ns) && holds_socket(e->d_name, in))
                        found = (pid_t)atoi(e->d_name);
        if (d)
                closedir(d);
        return found;
}

bool lp_listener_is_outside(int pid, uint16_t port, bool udp)
{
        struct inodes in = {.n = 0};
        listening_inodes(pid, udp ? "udp" : "tcp", port, &in);
        listening_inodes(pid, udp ? "udp6" : "tcp6", port, &in);
        char path[64], ns[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/pid", pid);
        ssize_t n = readlink(path, ns, sizeof(ns) - 1);
        if (in.n == 0 || in.lost || n <= 0) {
                free(in.v);
                return false;
        }
        ns[n] = '\0';
        bool ours = holder_of(ns, &in) != 0;
        free(in.v);
        return !ours;
}

int lp_pid_namespace_read(pid_t pid, char *ns, size_t size)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
        ssize_t n = readlink(path, ns, size - 1);
        if (n <= 0)
                return n < 0 ? -errno : -EIO;
        ns[n] = '\0';
        return 0;
}

pid_t lp_socket_holder(int pid, const char *pid_ns, uint16_t port, bool tcp)
{
        struct inodes in = {.n = 0};
        listening_inodes_in_state(pid, tcp ? "tcp" : "udp", port, ANY_STATE, &in);
        listening_inodes_in_state(pid, tcp ? "tcp6" : "udp6", port, ANY_STATE, &in);
        char own[64];
        if (!pid_ns && lp_pid_namespace_read(pid, own, sizeof(own)) == 0)
                pid_ns = own;
        pid_t found = in.n > 0 && pid_ns ? holder_of(pid_ns, &in) : 0;
        free(in.v);
        return found;
}

bool lp_listener_exists(int pid, uint16_t port)
{
        struct inodes in = {.n = 0};
        listening_inodes(pid, "tcp", port, &in);
        listening_inodes(pid, "tcp6", port, &in);
        free(in.v);
        return in.n > 0 || in.lost;
}

/* A listening local address that loopback reaches: 127/8, 0.0.0.0, ::1,
 * ::, ::ffff:127/104 (network byte order, as sock_diag gives it). */
static bool reachable_from_loopback(int family, const uint32_t addr[4])
{
        const uint8_t *b = (const uint8_t *)addr;
        static const uint8_t any[16], v6_loopback[16] = {[15] = 1},
                                      mapped[12] = {[10] = 0xff, [11] = 0xff};
        if (family == AF_INET)
                return addr[0] == 0 || b[0] == 127;
        return memcmp(b, any, 16) == 0 || memcmp(b, v6_loopback, 16) == 0 ||
               (memcmp(b, mapped, 12) == 0 && b[12] == 127);
}

static int compare_ports(const void *a, const void *b)
{
        return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

struct port_list {
        uint16_t *v;
        size_t n, cap;
};

static int add_port(struct port_list *l, uint16_t port)
{
        if (LP_GROW(l->v, l->cap, l->n) < 0)
                return -ENOMEM;
        l->v[l->n++] = port;
        return 0;
}

/* The kernel's own list of listening TCP sockets of one family
 * (sock_diag(7)): filtered by state in the kernel, so that a host with
 * thousands of connections in TIME_WAIT costs nothing more. */
static int diag_listeners(int family, struct port_list *out)
{
        int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
        if (fd < 0)
                return -errno;
        struct {
                struct nlmsghdr nlh;
                struct inet_diag_req_v2 req;
        } q = {.nlh = {.nlmsg_len = sizeof(q),
                       .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
               .req = {.sdiag_family = (uint8_t)family,
                       .sdiag_protocol = IPPROTO_TCP,
                       .idiag_states = 1u << TCP_LISTEN}};
        int r = send(fd, &q, sizeof(q), 0) == (ssize_t)sizeof(q) ? 1 : -errno;
        _Alignas(struct nlmsghdr) char buf[32768];
        while (r > 0) {
                ssize_t len = recv(fd, buf, sizeof(buf), 0);
                if (len <= 0) {
                        r = len < 0 ? -errno : -EIO;
                        break;
                }
                for (struct nlmsghdr *h = (struct nlmsghdr *)buf; r > 0 && NLMSG_OK(h, len);
                     h = NLMSG_NEXT(h, len)) {
                        if (h->nlmsg_type == NLMSG_DONE) {
                                r = 0;
                        } else if (h->nlmsg_type == NLMSG_ERROR) {
                                const struct nlmsgerr *e = NLMSG_DATA(h);
                                r = h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) && e->error < 0
                                            ? e->error
                                            : -EIO;
                        } else if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg))) {
                                const struct inet_diag_msg *m = NLMSG_DATA(h);
                                if (reachable_from_loopback(m->idiag_family, m->id.idiag_src) &&
                                    add_port(out, ntohs(m->id.idiag_sport)) < 0)
                                        r = -ENOMEM;
                        }
                }
        }
        close(fd);
        return r;
}

/* The same from /proc/self/net/tcp{,6}, where sock_diag is not there
 * (tcp_diag not loaded, some containers): every socket is read. */
static int proc_listeners(struct port_list *out)
{
        static const char *const tables[] = {"/proc/self/net/tcp", "/proc/self/net/tcp6"};
        char line[512], hex[40];
        int r = 0;
        for (size_t t = 0; r >= 0 && t < LP_ELEMENTSOF(tables); t++) {
                FILE *f = fopen(tables[t], "re");
                while (r >= 0 && f && fgets(line, sizeof(line), f)) {
                        unsigned port, state;
                        uint32_t addr[4] = {0};
                        if (sscanf(line, " %*s %39[0-9A-Fa-f]:%x %*s %x", hex, &port, &state) !=
                                    3 ||
                            state != TCP_LISTEN)
                                continue;
                        /* Each 32-bit word as the kernel holds it: the
                         * address's bytes in order. */
                        size_t words = strlen(hex) / 8;
                        for (size_t w = 0; w < words && w < 4; w++)
                                addr[w] = (uint32_t)strtoul(strndupa(hex + 8 * w, 8), NULL, 16);
                        if (reachable_from_loopback(words == 1 ? AF_INET : AF_INET6, addr))
                                r = add_port(out, (uint16_t)port);
                }
                if (f)
                        fclose(f);
        }
        return r;
}

int lp_listeners_host_loopback(uint16_t **ret)
{
        struct port_list l = {0};
        int r = diag_listeners(AF_INET, &l);
        /* A host without IPv6 answers the second with an error: IPv4 then. */
        if (r >= 0 && diag_listeners(AF_INET6, &l) < 0)
                r = 0;
        if (r < 0) {
                l.n = 0;
                r = proc_listeners(&l);
        }
        if (r < 0) {
                free(l.v);
                return r;
        }
        if (l.n)
                qsort(l.v, l.n, sizeof(*l.v), compare_ports);
        size_t unique = 0;
        for (size_t i = 0; i < l.n; i++)
                if (!unique || l.v[unique - 1] != l.v[i])
                        l.v[unique++] = l.v[i];
        *ret = l.v;
        return (int)unique;
}
