/* Network namespace and lo through libnl-route; libnl's NLE_* codes are
 * turned into -errno here, at the edge (STYLE.md). */
#include "launch/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "profile/policy.h"

bool lp_netns_needs_userns(const struct lp_policy *p)
{
        return p->netns != LP_NETNS_HOST && geteuid() != 0;
}

static int write_file(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        ssize_t n = write(fd, text, strlen(text));
        int r = n == (ssize_t)strlen(text) ? 0 : (n < 0 ? -errno : -EIO);
        close(fd);
        return r;
}

/* An unprivileged process may map exactly its own ids (user_namespaces(7));
 * setgroups must be denied before gid_map can be written (Linux 3.19). */
static int map_ids(uid_t uid, gid_t gid)
{
        char line[64];
        snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
        int r = write_file("/proc/self/uid_map", line);
        if (r >= 0)
                r = write_file("/proc/self/setgroups", "deny");
        snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
        if (r >= 0)
                r = write_file("/proc/self/gid_map", line);
        return r;
}

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

int lp_netns_create(const struct lp_policy *p, uid_t uid, gid_t gid, enum lp_step *ret_step)
{
        if (p->netns == LP_NETNS_HOST)
                return 0;
        bool userns = lp_netns_needs_userns(p);
        *ret_step = userns ? LP_STEP_USER_NAMESPACE : LP_STEP_NETWORK_NAMESPACE;
        if (unshare(CLONE_NEWNET | (userns ? CLONE_NEWUSER : 0)) < 0)
                return -errno;
        if (!userns)
                return 0;
        *ret_step = LP_STEP_MAP_IDS;
        return map_ids(uid, gid);
}

int lp_netns_loopback(const struct lp_policy *p)
{
        return p->netns == LP_NETNS_LOOPBACK ? loopback_up() : 0;
}
