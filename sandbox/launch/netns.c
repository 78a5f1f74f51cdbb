/* lo up through libnl-route; libnl's NLE_* codes are turned into -errno
 * here, at the edge. */
#include "launch/netns.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <linux/if_addr.h>
#include <netinet/in.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "profile/policy.h"

static int nl_to_errno(int nle)
{
        switch (-nle) {
        case NLE_PERM:
                return -EPERM;
        case NLE_NOMEM:
                return -ENOMEM;
        case NLE_OBJ_NOTFOUND:
        case NLE_NODEV:
                return -ENODEV;
        case NLE_AF_NOSUPPORT:
        case NLE_OPNOTSUPP:
                return -EAFNOSUPPORT;
        case NLE_NOADDR:
                return -EADDRNOTAVAIL;
        case NLE_EXIST:
                return -EEXIST;
        default:
                return -EIO;
        }
}

static int loopback_up(void)
{
        struct nl_sock *sk = nl_socket_alloc();
        struct rtnl_link *lo = NULL, *change = NULL;
        if (!sk)
                return -ENOMEM;
        int r = nl_connect(sk, NETLINK_ROUTE);
        if (r >= 0)
                r = rtnl_link_get_kernel(sk, 0, "lo", &lo);
        if (r >= 0 && !(change = rtnl_link_alloc()))
                r = -NLE_NOMEM;
        if (r >= 0) {
                rtnl_link_set_flags(change, IFF_UP);
                r = rtnl_link_change(sk, lo, change, 0);
        }
        rtnl_link_put(change);
        rtnl_link_put(lo);
        nl_socket_free(sk);
        return r < 0 ? nl_to_errno(r) : 0;
}

int lp_netns_add_local(const struct sockaddr *sa)
{
        bool v6 = sa->sa_family == AF_INET6;
        const void *bytes =
                v6 ? (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr
                   : (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
        struct nl_sock *sk = nl_socket_alloc();
        struct rtnl_addr *a = NULL;
        struct nl_addr *local = NULL;
        if (!sk)
                return -ENOMEM;
        int r = nl_connect(sk, NETLINK_ROUTE);
        if (r >= 0 && (!(a = rtnl_addr_alloc()) ||
                       !(local = nl_addr_build(sa->sa_family, bytes, v6 ? 16 : 4))))
                r = -NLE_NOMEM;
        if (r >= 0) {
                rtnl_addr_set_ifindex(a, (int)if_nametoindex("lo"));
                r = rtnl_addr_set_local(a, local);
        }
        if (r >= 0) {
                /* lo does no duplicate address detection; say so, so that
                 * the address is usable at once, never "tentative". */
                if (v6)
                        rtnl_addr_set_flags(a, IFA_F_NODAD);
                r = rtnl_addr_add(sk, a, 0);
        }
        nl_addr_put(local);
        rtnl_addr_put(a);
        nl_socket_free(sk);
        return r < 0 ? nl_to_errno(r) : 0;
}

int lp_netns_loopback(const struct lp_policy *p)
{
        return p->netns == LP_NETNS_LOOPBACK ? loopback_up() : 0;
}
