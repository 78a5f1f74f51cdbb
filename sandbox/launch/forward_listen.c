/* The forwards' listening sockets (forward_listen.h). */
#include "launch/forward_listen.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "profile/policy.h"

static int listen_on(int family, uint16_t port)
{
        int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        struct sockaddr_in in = {.sin_family = AF_INET,
                                 .sin_port = htons(port),
                                 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        struct sockaddr_in6 in6 = {.sin6_family = AF_INET6,
                                   .sin6_port = htons(port),
                                   .sin6_addr = IN6ADDR_LOOPBACK_INIT};
        int one = 1;
        bool v6 = family == AF_INET6;
        int r = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (r >= 0 && v6)
                r = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (r >= 0)
                r = v6 ? bind(fd, (struct sockaddr *)&in6, sizeof(in6))
                       : bind(fd, (struct sockaddr *)&in, sizeof(in));
        if (r >= 0)
                r = listen(fd, SOMAXCONN);
        if (r < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

int lp_forward_listen(const struct lp_policy *p, int fds[LP_FORWARD_LISTENERS_MAX],
                      uint64_t *ret_present)
{
        struct lp_forward_endpoint e[LP_FORWARD_LISTENERS_MAX];
        size_t n = lp_forward_endpoints(p, e, LP_FORWARD_LISTENERS_MAX);
        uint64_t present = 0;
        if (n > LP_FORWARD_LISTENERS_MAX)
                return -E2BIG;
        for (size_t i = 0; i < n; i++) {
                fds[i] = listen_on(e[i].family, p->forwards[e[i].forward].inside_port);
                if (fds[i] >= 0) {
                        present |= UINT64_C(1) << i;
                        continue;
                }
                /* No ::1 here (IPv6 off): nothing inside can reach it either. */
                if (e[i].family == AF_INET6 &&
                    (fds[i] == -EADDRNOTAVAIL || fds[i] == -EAFNOSUPPORT))
                        continue;
                int r = fds[i];
                for (size_t k = 0; k < i; k++)
                        if (fds[k] >= 0)
                                close(fds[k]);
                return r;
        }
        *ret_present = present;
        return 0;
}
