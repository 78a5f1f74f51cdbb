/* The launch steps (steps.h). */
#include "launch/steps.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

static const char *network_namespace_hint(int error)
{
        return error == EPERM ? "no permission to create namespaces here (a container without "
                                "CAP_SYS_ADMIN?); use [Network] Namespace=host"
                              : NULL;
}

/* Without root, the user namespace is the step that hosts refuse: say
 * which of the usual switches refused it. */
static const char *user_namespace_hint(int error)
{
        if (lp_read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", -1) == 1)
                return "AppArmor forbids unprivileged user namespaces "
                       "(kernel.apparmor_restrict_unprivileged_userns=1); run as root, or use "
                       "[Network] Namespace=host";
        if (lp_read_long("/proc/sys/user/max_user_namespaces", -1) == 0)
                return "user namespaces are disabled (user.max_user_namespaces=0); run as root, "
                       "or use [Network] Namespace=host";
        if (lp_read_long("/proc/sys/kernel/unprivileged_userns_clone", -1) == 0)
                return "unprivileged user namespaces are disabled "
                       "(kernel.unprivileged_userns_clone=0); run as root, or use "
                       "[Network] Namespace=host";
        return network_namespace_hint(error);
}

static const char *limits_hint(int error)
{
        if (error != EPERM)
                return NULL;
        return geteuid() == 0 ? "the limit is above what the kernel allows "
                                "(for OpenFiles=, fs.nr_open); lower it"
                              : "the limit is above the current hard limit; lower it or run "
                                "as root";
}

static const char *capabilities_hint(int error)
{
        return error == EPERM ? "a capability in [Capabilities] Keep= is not leastpriv's to "
                                "give, or the [Identity] switch is not permitted; run as root "
                                "or remove it"
                              : NULL;
}

static const struct {
        const char *name;
        const char *what;
        const char *(*hint)(int error);
} steps[LP_STEP_COUNT] = {
        [LP_STEP_PREPARE] = {"prepare", "prepare the command (environment, identity, path)"},
        [LP_STEP_COMPILE_FILTER] = {"compile filter", "compile the seccomp filter"},
        [LP_STEP_FORK] = {"fork", "fork the setup child"},
        [LP_STEP_PARENT_DEATH] = {"parent death", "set the parent-death signal"},
        [LP_STEP_USER_NAMESPACE] = {"user ns", "create user and network namespaces",
                                    user_namespace_hint},
        [LP_STEP_MAP_IDS] = {"map ids", "map uid/gid into the user namespace", user_namespace_hint},
        [LP_STEP_NETWORK_NAMESPACE] = {"network ns", "create network namespace",
                                       network_namespace_hint},
        [LP_STEP_LOOPBACK] = {"lo up", "bring up lo"},
        [LP_STEP_PID_NAMESPACE] = {"pid ns", "start the command's PID namespace (its init)"},
        [LP_STEP_LIMIT_PROCESSES] = {"nproc", "set [Limits] Processes= (RLIMIT_NPROC)",
                                     limits_hint},
        [LP_STEP_LIMIT_OPEN_FILES] = {"nofile", "set [Limits] OpenFiles= (RLIMIT_NOFILE)",
                                      limits_hint},
        [LP_STEP_CAPABILITIES] = {"caps",
                                  "drop capabilities and switch identity "
                                  "([Capabilities], [Identity])",
                                  capabilities_hint},
        [LP_STEP_NO_NEW_PRIVS] = {"no_new_privs", "set no_new_privs"},
        [LP_STEP_FILTER] = {"filter", "load the seccomp filter"},
        [LP_STEP_HANDOVER] = {"handover", "pass the seccomp listener to the supervisor"},
        [LP_STEP_EXEC] = {"exec", "execute the command"},
};

const char *lp_step_what(enum lp_step step)
{
        return (unsigned)step < LP_STEP_COUNT ? steps[step].what : "the setup process";
}

const char *lp_step_name(enum lp_step step)
{
        return (unsigned)step < LP_STEP_COUNT ? steps[step].name : "?";
}

const char *lp_step_hint(enum lp_step step, int error)
{
        if ((unsigned)step >= LP_STEP_COUNT || !steps[step].hint)
                return NULL;
        return steps[step].hint(error);
}

uint64_t lp_step_clock_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}
