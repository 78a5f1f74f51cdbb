#include "launch/namespaces.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "profile/policy.h"

bool lp_namespaces_need_userns(const struct lp_policy *p, bool audit)
{
        return !audit && geteuid() != 0 && lp_policy_wants_namespaces(p);
}

/* An unprivileged process may map exactly its own ids (user_namespaces(7));
 * setgroups must be denied before gid_map can be written (Linux 3.19). */
static int map_ids(uid_t uid, gid_t gid)
{
        char line[64];
        snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)uid, (unsigned)uid);
        int r = lp_write_text("/proc/self/uid_map", line);
        if (r >= 0)
                r = lp_write_text("/proc/self/setgroups", "deny");
        snprintf(line, sizeof(line), "%u %u 1\n", (unsigned)gid, (unsigned)gid);
        if (r >= 0)
                r = lp_write_text("/proc/self/gid_map", line);
        return r;
}

/* Whether the caller holds any capability (an ambient
 * CAP_NET_BIND_SERVICE, a file capability's): in a user namespace of its
 * own it would hold them over that namespace only, no longer over the
 * host's network, and learning would change what the command can do. */
static bool holds_capabilities(void)
{
        struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct d[2] = {{0}};
        return syscall(SYS_capget, &h, d) < 0 || d[0].permitted || d[1].permitted;
}

/* Whether a user namespace with the caller's ids mapped can be made
 * here: tried in a child first, since a host may allow the namespace and
 * refuse its mapping (AppArmor's restriction of unprivileged user
 * namespaces), which would leave the process in one without ids. */
static bool mappable_userns(uid_t uid, gid_t gid)
{
        pid_t pid = fork();
        if (pid == 0)
                _exit(unshare(CLONE_NEWUSER) == 0 && map_ids(uid, gid) == 0 ? 0 : 1);
        int status = 0;
        while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int lp_namespaces_learning_userns(uid_t uid, gid_t gid)
{
        if (holds_capabilities() || !mappable_userns(uid, gid) || unshare(CLONE_NEWUSER) < 0)
                return 0; /* none made: the caller's namespace stays */
        return map_ids(uid, gid);
}

int lp_namespaces_create(const struct lp_policy *p, uid_t uid, gid_t gid, bool in_userns,
                         enum lp_step *ret_step)
{
        bool userns = lp_namespaces_need_userns(p, false);
        /* Born in it (clone3): its ids first, the rest is then its own. */
        if (userns && in_userns) {
                *ret_step = LP_STEP_MAP_IDS;
                int r = map_ids(uid, gid);
                if (r < 0)
                        return r;
                userns = false;
        }
        int flags = 0;
        if (p->netns != LP_NETNS_HOST)
                flags |= CLONE_NEWNET;
        if (p->private_ipc.value)
                flags |= CLONE_NEWIPC;
        if (p->protect_hostname.value)
                flags |= CLONE_NEWUTS;
        if (userns)
                flags |= CLONE_NEWUSER;
        if (!flags)
                return 0;
        *ret_step = userns ? LP_STEP_USER_NAMESPACE : LP_STEP_NETWORK_NAMESPACE;
        if (unshare(flags) < 0)
                return -errno;
        if (!userns)
                return 0;
        *ret_step = LP_STEP_MAP_IDS;
        return map_ids(uid, gid);
}
