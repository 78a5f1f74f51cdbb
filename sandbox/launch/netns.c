/* lo up through libnl-route; libnl's NLE_* codes are turned into -errno
 * here, at the edge. */
#include "launch/netns.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

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

int lp_netns_loopback(const struct lp_policy *p)
{
        return p->netns == LP_NETNS_LOOPBACK ? loopback_up() : 0;
}
