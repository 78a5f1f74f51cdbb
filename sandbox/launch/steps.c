/* The launch steps (steps.h). */
#include "launch/steps.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#include "base/util.h"

/* What turns every namespace off, for a host that allows none. */
#define NO_NAMESPACES                                                                     \
        "[Network] Namespace=host, [Host] PrivateIPC=no and ProtectHostname=no, and the " \
        "[Filesystem] rules off (ProtectSystem=no and the other keys no, no path lists)"

static const char *network_namespace_hint(int error)
{
        return error == EPERM ? "no permission to create namespaces here (a container without "
                                "CAP_SYS_ADMIN?); run without them: " NO_NAMESPACES
                              : NULL;
}

/* Without root, the user namespace is the step that hosts refuse: say
 * which of the usual switches refused it. */
static const char *user_namespace_hint(int error)
{
        if (lp_read_long("/proc/sys/kernel/apparmor_restrict_unprivileged_userns", -1) == 1)
                return "AppArmor forbids unprivileged user namespaces "
                       "(kernel.apparmor_restrict_unprivileged_userns=1); run as root, or "
                       "without namespaces: " NO_NAMESPACES;
        if (lp_read_long("/proc/sys/user/max_user_namespaces", -1) == 0)
                return "user namespaces are disabled (user.max_user_namespaces=0); run as root, "
                       "or without namespaces: " NO_NAMESPACES;
        if (lp_read_long("/proc/sys/kernel/unprivileged_userns_clone", -1) == 0)
                return "unprivileged user namespaces are disabled "
                       "(kernel.unprivileged_userns_clone=0); run as root, or without "
                       "namespaces: " NO_NAMESPACES;
        return network_namespace_hint(error);
}

/* Every filesystem step: what is wrong, and the switch that turns the
 * rules off for a host that cannot have them. */
static const char *filesystem_hint(int error)
{
        if (error == EPERM)
                return "no permission to mount here (a container without CAP_SYS_ADMIN?); "
                       "[Filesystem] ProtectSystem=no, PrivateTmp=no, PrivateDevices=no, "
                       "ProtectKernelTunables=no, ProtectControlGroups=no and no path lists "
                       "turn the filesystem rules off";
        if (error == ENOSYS || error == EINVAL)
                return "the kernel lacks the mount API this needs (Linux 5.12); "
                       "[Filesystem] ProtectSystem=no and the other [Filesystem] keys set to no "
                       "turn the filesystem rules off";
        return "[Filesystem] ProtectSystem=no and the other [Filesystem] keys set to no turn the "
               "filesystem rules off";
}

static const char *chdir_hint(int error)
{
        return "the directory `run` started in is not in the command's view (under a private "
               "/tmp, or hidden); add it to [Filesystem] ReadWritePaths= or ReadOnlyPaths=";
}

static const char *forward_hint(int error)
{
        return error == ENOENT ? "a Forward=unix: path has no socket on the host: start the "
                                 "service before the command"
                               : NULL;
}

static const char *close_fds_hint(int error)
{
        return error == EBADF ? "a descriptor named by --pass-fd is not open" : NULL;
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
        [LP_STEP_PREPARE] = {.name = "prepare",
                             .what = "prepare the command (environment, identity, path)"},
        [LP_STEP_DYNAMIC_USER] = {.name = "dynamic user",
                                  .what = "allocate the run's user ([Identity] DynamicUser=)"},
        [LP_STEP_COMPILE_FILTER] = {.name = "compile filter", .what = "compile the seccomp filter"},
        [LP_STEP_CGROUP] = {.name = "cgroup",
                            .what = "make the run's cgroups ([Limits] Processes=, Memory=)"},
        [LP_STEP_NET_OBSERVER] = {.name = "observers",
                                  .what = "load and attach the network and filesystem observers"},
        [LP_STEP_OBSERVER_WAIT] = {.name = "observer wait", .what = "wait for the observers"},
        [LP_STEP_FORK] = {.name = "fork", .what = "fork the child"},
        [LP_STEP_PARENT_DEATH] = {.name = "parent death", .what = "set the parent-death signal"},
        [LP_STEP_JOIN_CGROUP] = {.name = "join cgroup", .what = "enter the run's cgroups"},
        [LP_STEP_USER_NAMESPACE] = {.name = "user ns",
                                    .what = "create user, network, IPC and UTS namespaces",
                                    .hint = user_namespace_hint},
        [LP_STEP_MAP_IDS] = {.name = "map ids",
                             .what = "map uid/gid into the user namespace",
                             .hint = user_namespace_hint},
        [LP_STEP_NETWORK_NAMESPACE] = {.name = "network ns",
                                       .what = "create network, IPC and UTS namespaces",
                                       .hint = network_namespace_hint},
        [LP_STEP_LOOPBACK] = {.name = "lo up", .what = "bring up lo"},
        [LP_STEP_FORWARD] = {.name = "forward",
                             .what = "listen inside for [Network] Forward= (127.0.0.1 and [::1], "
                                     "or a unix: path)",
                             .hint = forward_hint},
        [LP_STEP_DNS_TRAP] = {.name = "dns trap",
                              .what = "bind the DNS trap inside (127.53.53.53 UDP port 1)"},
        [LP_STEP_OUTSIDE_ROUTE] = {.name = "outside route",
                                   .what = "make the outside route (a TUN device, lp-outside, "
                                           "and the default routes through it)"},
        [LP_STEP_PID_NAMESPACE] = {.name = "pid ns",
                                   .what = "start the command's PID namespace (its init)"},
        [LP_STEP_MOUNT_NAMESPACE] = {.name = "mount ns",
                                     .what = "create a mount namespace",
                                     .hint = filesystem_hint},
        [LP_STEP_FS_CLONE] = {.name = "fs clone",
                              .what = "clone the paths to bind in (open_tree)",
                              .hint = filesystem_hint},
        [LP_STEP_FS_READ_ONLY] = {.name = "fs read-only",
                                  .what = "make the host read-only ([Filesystem] ProtectSystem=)",
                                  .hint = filesystem_hint},
        [LP_STEP_FS_DEVICES] = {.name = "fs /dev",
                                .what = "mount a private /dev ([Filesystem] PrivateDevices=)",
                                .hint = filesystem_hint},
        [LP_STEP_FS_TMP] = {.name = "fs /tmp",
                            .what = "mount private /tmp, /var/tmp, /dev/shm ([Filesystem] "
                                    "PrivateTmp=)",
                            .hint = filesystem_hint},
        [LP_STEP_FS_TUNABLES] = {.name = "fs tunables",
                                 .what = "make kernel tunables and cgroupfs read-only "
                                         "([Filesystem] ProtectKernelTunables=, "
                                         "ProtectControlGroups=)",
                                 .hint = filesystem_hint},
        [LP_STEP_FS_PATHS] = {.name = "fs paths",
                              .what = "bind [Filesystem] ReadWritePaths= and ReadOnlyPaths=",
                              .hint = filesystem_hint},
        [LP_STEP_FS_HIDE] = {.name = "fs hide",
                             .what = "hide [Filesystem] InaccessiblePaths=",
                             .hint = filesystem_hint},
        [LP_STEP_FS_IDENTITY] = {.name = "fs identity",
                                 .what = "name the run's user in /etc/passwd and /etc/group "
                                         "([Identity] DynamicUser=)",
                                 .hint = filesystem_hint},
        [LP_STEP_FS_CHDIR] = {.name = "chdir",
                              .what = "enter the working directory in the new view",
                              .hint = chdir_hint},
        [LP_STEP_COMMAND_FORK] = {.name = "fork command",
                                  .what = "fork the command inside the PID namespace"},
        [LP_STEP_LIMIT_PROCESSES] = {.name = "nproc",
                                     .what = "set [Limits] Processes= (RLIMIT_NPROC)",
                                     .hint = limits_hint},
        [LP_STEP_LIMIT_OPEN_FILES] = {.name = "nofile",
                                      .what = "set [Limits] OpenFiles= (RLIMIT_NOFILE)",
                                      .hint = limits_hint},
        [LP_STEP_CAPABILITIES] = {.name = "caps",
                                  .what = "drop capabilities and switch identity "
                                          "([Capabilities], [Identity])",
                                  .hint = capabilities_hint},
        [LP_STEP_NO_NEW_PRIVS] = {.name = "no_new_privs", .what = "set no_new_privs"},
        [LP_STEP_LANDLOCK] = {.name = "landlock",
                              .what = "restrict writes with Landlock ([Filesystem] "
                                      "ProtectSystem=strict)",
                              .hint = filesystem_hint},
        [LP_STEP_CLOSE_FDS] = {.name = "close fds",
                               .what = "close inherited descriptors above 2",
                               .hint = close_fds_hint},
        [LP_STEP_FILTER] = {.name = "filter", .what = "load the seccomp filter"},
        [LP_STEP_HANDOVER] = {.name = "handover",
                              .what = "pass the seccomp listener to the supervisor"},
        [LP_STEP_EXEC] = {.name = "exec", .what = "execute the command"},
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
