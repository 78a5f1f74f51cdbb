/* What a run's dynamic user ([Identity] DynamicUser=yes) may leave on
 * the host once the command's tree is gone, found by its uid and removed:
 * processes that escaped the tree, SysV IPC objects in a shared IPC
 * namespace, files in the host's shared writable directories. Each is an
 * `identity` finding with the action `cleaned`. Also the scan that tells
 * whether an id is held by a process at all, for the allocation
 * (launch/dynamic_user.h). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct lp_findings;
struct lp_policy;

/* Calls fn(pid, id, ctx) for each process (in our PID namespace) whose
 * real, effective, saved or filesystem uid or gid lies in [lo, hi]; stops
 * at fn's first non-zero return and returns it. 0, or -errno when /proc
 * cannot be read. */
int lp_leftovers_foreach_holder(unsigned lo, unsigned hi,
                                int (*fn)(int pid, unsigned id, void *ctx), void *ctx);

/* The host's shared writable directories (world-writable on a standard
 * host), where a uid that owns nothing else can leave files;
 * NULL-terminated. */
extern const char *const lp_leftovers_shared_dirs[];

struct lp_leftovers {
        unsigned id;   /* the run's uid, and gid of the same number */
        bool host_ipc; /* the command shared the host's SysV IPC ([Host] PrivateIPC=no) */
        /* The host's shared writable directories the command could write
         * in (NULL-terminated): searched for files of the id. */
        const char *const *dirs;
        const struct lp_policy *policy; /* for the rule findings cite; NULL with no store */
        uint64_t start_ms;
};

/* Removes what the id holds and records each as a finding (store NULL:
 * only logged, for what a killed run left): 0, or -errno when something of
 * the id could not be removed (it is reported). */
int lp_leftovers_clean(const struct lp_leftovers *l, struct lp_findings *store);
