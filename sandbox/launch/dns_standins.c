/* The DNS trap's sockets inside: the resolver's stand-ins and the
 * network observer's trap (dns_standins.h). */
#include "launch/dns_standins.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "launch/netns.h"
#include "rules/net_bpf.h"

static void add_server(struct lp_dns_servers *s, const struct sockaddr *sa, size_t len)
{
        struct sockaddr_storage ss = {0};
        memcpy(&ss, sa, len);
        struct lp_sockaddr_info info;
        lp_decode_sockaddr_bytes(&ss, len, &info);
        /* A loopback server but systemd-resolved's stub: a DNS server the
         * command may run itself, on 127.0.0.1:53, must not find its
         * address taken. */
        bool own = info.loopback && strcmp(info.text, "127.0.0.53:53") != 0;
        if (info.any || own || s->n >= LP_DNS_SERVERS_MAX)
                return;
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->info[i].text, info.text) == 0)
                        return; /* listed twice */
        s->addr[s->n] = ss;
        s->info[s->n++] = info;
}

void lp_dns_servers_read(struct lp_dns_servers *s)
{
        struct __res_state st;
        memset(&st, 0, sizeof(st));
        s->n = 0;
        if (res_ninit(&st) < 0)
                return;
        /* glibc keeps an IPv6 server in _u._ext.nsaddrs[i], its IPv4 slot
         * empty. */
        for (int i = 0; i < st.nscount && i < MAXNS; i++) {
                if (st.nsaddr_list[i].sin_family == AF_INET)
                        add_server(s, (const struct sockaddr *)&st.nsaddr_list[i],
                                   sizeof(st.nsaddr_list[i]));
                else if (st._u._ext.nsaddrs[i])
                        add_server(s, (const struct sockaddr *)st._u._ext.nsaddrs[i],
                                   sizeof(*st._u._ext.nsaddrs[i]));
        }
        res_nclose(&st);
}

/* A UDP socket bound to `ss` (IPv6 alone for an IPv6 address), the
 * socket option `option` set to `value` first. */
static int bound_udp(const struct sockaddr_storage *ss, int option, int value)
{
        int family = ss->ss_family, one = 1;
        int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        socklen_t len =
                family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
        if (setsockopt(fd, SOL_SOCKET, option, &value, sizeof(value)) < 0 ||
            (family == AF_INET6 &&
             setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
            bind(fd, (const struct sockaddr *)ss, len) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

static int standin(const struct lp_dns_servers *s, size_t i)
{
        if (!s->info[i].loopback) {
                int r = lp_netns_add_local((const struct sockaddr *)&s->addr[i]);
                if (r < 0)
                        return r;
        }
        /* SO_REUSEADDR: a DNS server of the command's own on the
         * wildcard address, which asks for the same, binds beside it. */
        return bound_udp(&s->addr[i], SO_REUSEADDR, 1);
}

int lp_dns_standins(const struct lp_dns_servers *s, int *fds, size_t *n, unsigned *made)
{
        *n = 0;
        *made = 0;
        for (size_t i = 0; i < s->n; i++) {
                /* One that cannot be had (no IPv6 in the namespace, a
                 * link-local address whose interface is not there) is left
                 * out: its queries are refused as before, and reported by
                 * address. */
                int fd = standin(s, i);
                if (fd < 0)
                        continue;
                fds[(*n)++] = fd;
                *made |= 1u << i;
        }
        return 0;
}

void lp_dns_servers_keep(struct lp_dns_servers *s, unsigned made)
{
        size_t k = 0;
        for (size_t i = 0; i < s->n; i++) {
                if (!(made & (1u << i)))
                        continue;
                s->addr[k] = s->addr[i];
                s->info[k++] = s->info[i];
        }
        s->n = k;
}

int lp_dns_trap_socket(void)
{
        struct sockaddr_storage ss = {0};
        struct sockaddr_in *trap = (struct sockaddr_in *)&ss;
        *trap = (struct sockaddr_in){.sin_family = AF_INET,
                                     .sin_port = htons(LP_NET_DNS_TRAP_PORT),
                                     .sin_addr.s_addr = htonl(LP_NET_DNS_TRAP_ADDR)};
        /* Room for a burst of queries while the supervisor attributes
         * one (a scan of /proc); what still does not fit is counted by the
         * kernel (SK_MEMINFO_DROPS), and the supervisor reports it. */
        return bound_udp(&ss, SO_RCVBUFFORCE, 1 << 20);
}
