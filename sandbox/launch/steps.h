/* The launch steps, in the order they run (docs/architecture.md, "The
 * launch"): what each does, in the words of an error message, and what to
 * change when it fails with a given errno. The child reports a failing
 * step by number over the status socket (it does not log); the parent
 * prints the words and the hint and exits 125. Each step's duration is
 * measured and shown with `run -v`. */
#pragma once
#include <stdint.h>

enum lp_step {
        /* In the parent, before the fork. */
        LP_STEP_PREPARE,        /* environment, identity, the command's path */
        LP_STEP_DYNAMIC_USER,   /* [Identity] DynamicUser=: the id, its idmapped workspace */
        LP_STEP_CGROUP,         /* the run's cgroups ([Limits] Processes=, Memory=) */
        LP_STEP_COMPILE_FILTER, /* the BPF program, once, before the fork */
        LP_STEP_FORK,
        /* In the parent, after the fork, while the child works: the network
         * observer's programs (supervise/net_observer.h). */
        LP_STEP_NET_OBSERVER,
        /* In the child, in this order. */
        LP_STEP_PARENT_DEATH,
        LP_STEP_JOIN_CGROUP,    /* before anything forks: the whole tree is inside */
        LP_STEP_USER_NAMESPACE, /* not root: a user namespace mapping the caller's ids */
        LP_STEP_MAP_IDS,
        LP_STEP_NETWORK_NAMESPACE,
        LP_STEP_LOOPBACK,
        LP_STEP_FORWARD,       /* [Network] Forward=: the inside listeners */
        LP_STEP_DNS_TRAP,      /* the network observer's DNS trap (supervise/dns_trap.h) */
        LP_STEP_OUTSIDE_ROUTE, /* the TUN device of launch/outside_route.h */
        LP_STEP_PID_NAMESPACE,
        LP_STEP_MOUNT_NAMESPACE, /* without a PID namespace: a mount namespace alone */
        LP_STEP_FS_CLONE,
        LP_STEP_FS_READ_ONLY,
        LP_STEP_FS_DEVICES,
        LP_STEP_FS_TMP,
        LP_STEP_FS_TUNABLES,
        LP_STEP_FS_PATHS,
        LP_STEP_FS_HIDE,
        LP_STEP_FS_IDENTITY, /* the dynamic user's passwd and group lines */
        LP_STEP_FS_CHDIR,
        LP_STEP_COMMAND_FORK, /* the init forks the command (PID 2) */
        LP_STEP_LIMIT_PROCESSES,
        LP_STEP_LIMIT_OPEN_FILES,
        LP_STEP_CAPABILITIES,
        LP_STEP_NO_NEW_PRIVS,
        LP_STEP_OBSERVER_WAIT, /* the command starts only once the observer is attached */
        LP_STEP_LANDLOCK,
        LP_STEP_CLOSE_FDS,
        LP_STEP_FILTER,
        LP_STEP_HANDOVER,
        LP_STEP_EXEC,
        LP_STEP_COUNT,
};

/* What the step does, as "cannot set up the sandbox: <what> failed". */
const char *lp_step_what(enum lp_step step);

/* The short name shown in the timing of `run -v`. */
const char *lp_step_name(enum lp_step step);

/* What to change when `step` failed with `error`, or NULL when there is
 * nothing better to say than the errno. Reads the sysctls that explain the
 * failures people actually meet. */
const char *lp_step_hint(enum lp_step step, int error);

/* Microseconds per step, filled as the launch goes. */
struct lp_step_times {
        uint32_t us[LP_STEP_COUNT];
};

/* CLOCK_MONOTONIC in microseconds; async-signal-safe. */
uint64_t lp_step_clock_us(void);
