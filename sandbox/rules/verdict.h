/* What a decision works with (struct lp_decider: the policy, the mode, and
 * a reader of what /proc would tell) and what it comes to (struct
 * lp_verdict: the answer to the tracee and the findings to record). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "findings/findings.h"
#include "rules/decode.h"

struct lp_policy;
struct lp_origin;
struct lp_fs_plan;

/* A path as the tracee's mount namespace resolves it. */
struct lp_fs_resolved {
        char path[LP_PATH_SIZE];   /* absolute, canonical: symlinks followed as the call would */
        char parent[LP_PATH_SIZE]; /* its directory, canonical */
        bool exists;
};

/* What the decision may ask of the system, answered by the supervisor from
 * /proc (supervise/proc.c) and by tests from a table: the decision itself
 * makes no system call. */
struct lp_proc_reader {
        /* The real, effective and saved uid ('u') or gid ('g') of pid into
         * ret: 0, or -ESRCH when the process is gone. */
        int (*ids)(const void *ctx, int pid, char which, unsigned ret[3]);
        /* Whether something listens on TCP (or, `udp`, is bound to UDP)
         * `port` in pid's network namespace and no process of pid's PID
         * namespace holds that socket: a host service
         * (supervise/listeners.h). */
        bool (*listener_outside)(const void *ctx, int pid, uint16_t port, bool udp);
        /* Whether anything listens on TCP `port` in pid's network namespace. */
        bool (*listening)(const void *ctx, int pid, uint16_t port);
        /* `path` of pid's call, relative to `dirfd` (AT_FDCWD: its cwd),
         * resolved in pid's root and mount namespace, the last symlink
         * followed when `follow`: 0, or -errno when it cannot be (the
         * kernel fails the call then, for its own reason). */
        int (*resolve)(const void *ctx, int pid, int dirfd, const char *path, bool follow,
                       struct lp_fs_resolved *ret);
        /* The hard limit of `resource` (RLIMIT_*) of pid into ret
         * (UINT64_MAX: unlimited): 0, or -errno. */
        int (*hard_limit)(const void *ctx, int pid, int resource, uint64_t *ret);
        const void *ctx;
};

struct lp_decider {
        const struct lp_policy *policy;
        const struct lp_proc_reader *proc;
        bool audit; /* --audit and learn: answer CONTINUE, report "audited" */
        bool learn; /* also describe what a refused call did with its arguments */
        /* The command runs in leastpriv's user namespace (not root, its own
         * network namespace, not --audit): only the caller's ids are mapped
         * there, and the kernel answers EINVAL for any other id. */
        bool own_userns;
        /* The TCP ports the host serves on its loopback (sorted), known at
         * launch: `run` in a loopback namespace reports a connect to one
         * that is not forwarded and that nothing inside listens on. */
        const uint16_t *host_ports;
        size_t n_host_ports;
        /* The network observer counts inet destinations in the kernel
         * (supervise/net_observer.h): a notified call's are not reported again. */
        bool net_observed;
        /* The resolver's servers, whose stand-ins answer inside
         * (launch/dns_standins.h): a UDP destination of one goes through
         * (the finding has no errno). */
        const struct lp_sockaddr_info *dns_standins;
        size_t n_dns_standins;
        /* Binds below this port need CAP_NET_BIND_SERVICE. */
        unsigned unprivileged_port_start;
        /* What the run's [Filesystem] rules refuse (fs_plan.h); NULL: nothing. */
        const struct lp_fs_plan *fs_plan;
        /* Syscalls the filter allows where the policy leaves them to
         * DefaultAction (learning's floor): allowed here too. NULL: none. */
        const char *const *also_allow;
};

enum lp_answer {
        LP_ANSWER_CONTINUE, /* the kernel decides (SECCOMP_USER_NOTIF_FLAG_CONTINUE) */
        LP_ANSWER_ERRNO,    /* the call fails with `error` */
        LP_ANSWER_KILL,     /* the process is killed (SIGKILL; reported as SIGSYS) */
};

struct lp_verdict_finding {
        enum lp_finding_kind kind;
        enum lp_finding_action action;
        int errno_value;
        /* Refused by the always-on hardening: a profile grants it only by
         * the syscall's bare name (learn/ reads this). */
        bool hardening;
        char operation[64];
        char target[LP_TARGET_SIZE];
        char dedupe[LP_TARGET_SIZE];
        char rule[LP_TARGET_SIZE];
        char fix[256];
};

/* The most findings one call can come to: while learning, a refused
 * socket() is the syscall, its family and the capability of a raw socket.
 * tests/unit/test_decide.c checks that case. */
#define LP_VERDICT_MAX_FINDINGS 3

struct lp_verdict {
        enum lp_answer answer;
        int error; /* LP_ANSWER_ERRNO: a positive errno */
        size_t n_findings;
        struct lp_verdict_finding findings[LP_VERDICT_MAX_FINDINGS];
};

/* A new finding of v, or NULL when v is full (a bug: LP_VERDICT_MAX_FINDINGS
 * is too small). Under --audit the action becomes "audited". */
struct lp_verdict_finding *lp_verdict_add(const struct lp_decider *d, struct lp_verdict *v,
                                          enum lp_finding_kind kind, const char *operation,
                                          enum lp_finding_action action, int errno_value);

/* f->rule = "FILE:LINE text" for the line at o ("built-in text" for o
 * NULL or line 0). */
void lp_verdict_rule(struct lp_verdict_finding *f, const struct lp_origin *o, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* f->target and f->dedupe; dedupe NULL: the same as target. */
void lp_verdict_target(struct lp_verdict_finding *f, const char *target, const char *dedupe);

/* A capability finding: the call needed `cap`, which the profile does
 * not keep; the kernel's own refusal stands. */
struct lp_verdict_finding *lp_verdict_capability(const struct lp_decider *d, struct lp_verdict *v,
                                                 int cap, const char *target);
