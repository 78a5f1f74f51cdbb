/* The outside route (outside_route.h): /dev/net/tun and libnl-route. */
#include "launch/outside_route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "launch/netns.h"
#include "profile/policy.h"

#define TUN_PATH "/dev/net/tun"
/* Packets the device holds for the supervisor before the kernel drops
 * one (and counts it: supervise/outside.h reads the count): a burst of
 * sends as long as the DNS trap's buffer holds (1 MiB of queries). */
#define TXQLEN 8192

bool lp_outside_route_possible(const struct lp_policy *p)
{
        if (!lp_policy_socket(p, AF_INET, 0) && !lp_policy_socket(p, AF_INET6, 0))
                return false;
        int fd = open(TUN_PATH, O_RDWR | O_CLOEXEC);
        if (fd < 0)
                return false;
        close(fd);
        return true;
}

static int open_device(void)
{
        int fd = open(TUN_PATH, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct ifreq ifr = {.ifr_flags = IFF_TUN | IFF_NO_PI};
        strncpy(ifr.ifr_name, LP_OUTSIDE_ROUTE_NAME, IFNAMSIZ - 1);
        if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* The address and the default route of one family. */
static int route_family(struct nl_sock *sk, int family, int ifindex)
{
        struct sockaddr_storage ss = {.ss_family = (sa_family_t)family};
        void *bytes = family == AF_INET6 ? (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
                                         : (void *)&((struct sockaddr_in *)&ss)->sin_addr;
        inet_pton(family, family == AF_INET6 ? LP_OUTSIDE_ROUTE_V6 : LP_OUTSIDE_ROUTE_V4, bytes);
        int r = lp_netns_add_address(sk, ifindex, (struct sockaddr *)&ss);
        return r < 0 ? r : lp_netns_add_default_route(sk, family, ifindex);
}

static int route_families(const struct lp_policy *p, int ifindex)
{
        struct nl_sock *sk = NULL;
        int r = lp_netns_connect(&sk);
        if (r < 0)
                return r;
        r = lp_netns_link_up(sk, ifindex, TXQLEN);
        /* Then every packet the device cannot hold is in its drop count
         * (supervise/outside.h), also with a driver that stops its queue
         * when full: without a queueing discipline nothing waits, or is
         * dropped, in front of it. */
        if (r >= 0)
                r = lp_netns_no_queue(sk, ifindex);
        if (r >= 0)
                r = route_family(sk, AF_INET, ifindex);
        if (r >= 0 && lp_policy_socket(p, AF_INET6, 0)) {
                r = route_family(sk, AF_INET6, ifindex);
                /* A kernel without IPv6 has no IPv6 sockets to route. */
                if (r == -EAFNOSUPPORT)
                        r = 0;
        }
        lp_netns_disconnect(sk);
        return r;
}

int lp_outside_route_make(const struct lp_policy *p, int *counters)
{
        int fd = open_device();
        if (fd < 0)
                return fd;
        int ifindex = (int)if_nametoindex(LP_OUTSIDE_ROUTE_NAME);
        int r = ifindex > 0 ? route_families(p, ifindex) : -ENODEV;
        /* Opened here, in the namespace: the file keeps it, so the
         * supervisor reads it after every process of the run is gone. */
        if (r >= 0 && (*counters = open("/proc/self/net/dev", O_RDONLY | O_CLOEXEC)) < 0)
                r = -errno;
        if (r < 0) {
                close(fd);
                return r;
        }
        return fd;
}
