/* The forwards' listening sockets (forward_listen.h). */
#include "launch/forward_listen.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "launch/fs.h"
#include "profile/policy.h"
#include "rules/fs_plan.h"

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
                fds[i] = -1;
                if (e[i].family == AF_UNIX)
                        continue; /* lp_forward_bind_unix's, in the command's view */
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

/* A mount point at `path` where the view has none (under a private
 * tmpfs): the directories above it and an empty file. */
static int make_socket_mount_point(const char *path)
{
        char copy[sizeof(((struct lp_forward *)0)->path)];
        snprintf(copy, sizeof(copy), "%s", path);
        for (char *slash = strchr(copy + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
                *slash = '\0';
                if (mkdir(copy, 0755) < 0 && errno != EEXIST)
                        return -errno;
                *slash = '/';
        }
        int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

/* A listening unix socket of ours, bound over `path` of the view: bound
 * first on a tmpfs of its own (through /proc/self/fd: it is attached
 * nowhere), then its inode is mounted at the path. */
static int bind_unix_over(const char *path, bool make_point, int *ret)
{
        int mnt, fd = -1;
        int r = lp_fs_new_tmpfs("0755", 1 << 16,
                                MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, &mnt);
        if (r < 0)
                return r;
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        snprintf(a.sun_path, sizeof(a.sun_path), "/proc/self/fd/%d/socket", mnt);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
            fchmodat(mnt, "socket", 0666, 0) < 0 || listen(fd, SOMAXCONN) < 0)
                r = -errno;
        int tree = r >= 0 ? open_tree(mnt, "socket", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC) : -1;
        if (r >= 0 && tree < 0)
                r = -errno;
        if (r >= 0 && access(path, F_OK) < 0)
                r = make_point ? make_socket_mount_point(path) : -ENOENT;
        if (r >= 0 && move_mount(tree, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                r = -errno;
        if (tree >= 0)
                close(tree);
        close(mnt);
        if (r < 0) {
                if (fd >= 0)
                        close(fd);
                return r;
        }
        *ret = fd;
        return 0;
}

int lp_forward_bind_unix(const struct lp_policy *p, const struct lp_fs_plan *plan,
                         int fds[LP_FORWARD_LISTENERS_MAX], uint64_t *present)
{
        struct lp_forward_endpoint e[LP_FORWARD_LISTENERS_MAX];
        size_t n = lp_forward_endpoints(p, e, LP_FORWARD_LISTENERS_MAX);
        for (size_t i = 0; i < n && i < LP_FORWARD_LISTENERS_MAX; i++) {
                if (e[i].family != AF_UNIX)
                        continue;
                const char *path = p->forwards[e[i].forward].path;
                const struct lp_fs_rule *rule = lp_fs_plan_lookup(plan, path);
                /* Only a private tmpfs gets a mount point made: anywhere
                 * else it would be a file left on the host. */
                int r = bind_unix_over(path, rule && rule->kind == LP_FS_PRIVATE_TMP, &fds[i]);
                if (r < 0)
                        return r;
                *present |= UINT64_C(1) << i;
        }
        return 0;
}
