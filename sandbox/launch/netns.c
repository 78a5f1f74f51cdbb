/* lo up through libnl-route; libnl's NLE_* codes are turned into -errno
 * here, at the edge. */
#include "launch/netns.h"

#include <errno.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <linux/if_addr.h>
#include <linux/pkt_sched.h>
#include <netinet/in.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>
#include <linux/rtnetlink.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "profile/policy.h"

/* lo is the first device of every network namespace: index 1, the
 * kernel's LOOPBACK_IFINDEX. Named by it, a change needs no round trip
 * to look the link up first. */
#define LOOPBACK_IFINDEX 1

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

int lp_netns_connect(struct nl_sock **ret)
{
        struct nl_sock *sk = nl_socket_alloc();
        if (!sk)
                return -ENOMEM;
        int r = nl_connect(sk, NETLINK_ROUTE);
        if (r < 0) {
                nl_socket_free(sk);
                return nl_to_errno(r);
        }
        *ret = sk;
        return 0;
}

void lp_netns_disconnect(struct nl_sock *sk)
{
        nl_socket_free(sk);
}

int lp_netns_add_address(struct nl_sock *sk, int ifindex, const struct sockaddr *sa)
{
        bool v6 = sa->sa_family == AF_INET6;
        const void *bytes =
                v6 ? (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr
                   : (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
        struct rtnl_addr *a = rtnl_addr_alloc();
        struct nl_addr *local = nl_addr_build(sa->sa_family, bytes, v6 ? 16 : 4);
        int r = a && local ? 0 : -NLE_NOMEM;
        if (r >= 0) {
                rtnl_addr_set_ifindex(a, ifindex);
                r = rtnl_addr_set_local(a, local);
        }
        if (r >= 0) {
                /* Neither lo nor the outside route does duplicate address
                 * detection; say so, so that the address is usable at
                 * once, never "tentative". */
                if (v6)
                        rtnl_addr_set_flags(a, IFA_F_NODAD);
                r = rtnl_addr_add(sk, a, 0);
        }
        nl_addr_put(local);
        rtnl_addr_put(a);
        return r < 0 ? nl_to_errno(r) : 0;
}

int lp_netns_add_local(const struct sockaddr *sa)
{
        struct nl_sock *sk = NULL;
        int r = lp_netns_connect(&sk);
        if (r < 0)
                return r;
        r = lp_netns_add_address(sk, LOOPBACK_IFINDEX, sa);
        lp_netns_disconnect(sk);
        return r;
}

int lp_netns_link_up(struct nl_sock *sk, int ifindex, unsigned txqlen)
{
        /* The link as it is need not be read: the change names it by its
         * index alone. */
        struct rtnl_link *link = rtnl_link_alloc(), *change = rtnl_link_alloc();
        int r = link && change ? 0 : -NLE_NOMEM;
        if (r >= 0) {
                rtnl_link_set_ifindex(link, ifindex);
                rtnl_link_set_flags(change, IFF_UP);
                if (txqlen)
                        rtnl_link_set_txqlen(change, txqlen);
                r = rtnl_link_change(sk, link, change, 0);
        }
        rtnl_link_put(change);
        rtnl_link_put(link);
        return r < 0 ? nl_to_errno(r) : 0;
}

int lp_netns_no_queue(struct nl_sock *sk, int ifindex)
{
        /* By hand (RTM_NEWQDISC, TCA_KIND): libnl-route's qdisc objects
         * want the kind's module of their own, which "noqueue" has not. */
        struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE);
        struct tcmsg tc = {
                .tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex, .tcm_parent = TC_H_ROOT};
        int r = m ? nlmsg_append(m, &tc, sizeof(tc), NLMSG_ALIGNTO) : -NLE_NOMEM;
        if (r >= 0)
                r = nla_put_string(m, TCA_KIND, "noqueue");
        if (r >= 0)
                r = nl_send_auto(sk, m);
        if (r >= 0)
                r = nl_wait_for_ack(sk);
        nlmsg_free(m);
        return r < 0 ? nl_to_errno(r) : 0;
}

int lp_netns_add_default_route(struct nl_sock *sk, int family, int ifindex)
{
        struct rtnl_route *route = rtnl_route_alloc();
        struct rtnl_nexthop *hop = rtnl_route_nh_alloc();
        struct nl_addr *any = NULL;
        int r = route && hop ? 0 : -NLE_NOMEM;
        if (r >= 0)
                r = nl_addr_parse("default", family, &any);
        if (r >= 0) {
                rtnl_route_set_family(route, (uint8_t)family);
                r = rtnl_route_set_dst(route, any);
        }
        if (r >= 0) {
                /* No gateway: the device itself takes every packet. */
                rtnl_route_set_scope(route, family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE);
                rtnl_route_set_table(route, RT_TABLE_MAIN);
                rtnl_route_nh_set_ifindex(hop, ifindex);
                rtnl_route_add_nexthop(route, hop);
                hop = NULL; /* the route's now */
                r = rtnl_route_add(sk, route, NLM_F_CREATE | NLM_F_EXCL);
        }
        if (hop)
                rtnl_route_nh_free(hop);
        nl_addr_put(any);
        rtnl_route_put(route);
        return r < 0 ? nl_to_errno(r) : 0;
}

static int loopback_up(void)
{
        struct nl_sock *sk = NULL;
        int r = lp_netns_connect(&sk);
        if (r < 0)
                return r;
        r = lp_netns_link_up(sk, LOOPBACK_IFINDEX, 0);
        lp_netns_disconnect(sk);
        return r;
}

int lp_netns_loopback(const struct lp_policy *p)
{
        return p->netns == LP_NETNS_LOOPBACK ? loopback_up() : 0;
}
