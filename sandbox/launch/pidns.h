/* The command's own PID namespace, so that no process outlives the run
 * even when leastpriv itself is SIGKILLed: the namespace's init dies with
 * leastpriv (parent-death signal), and the kernel kills everything in a
 * PID namespace whose init is gone (pid_namespaces(7)). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* In the setup child (where the child could not be born in them,
 * launch.c's fork_child): unshare a PID and a mount namespace. The caller's own
 * children are then born in the PID namespace. -errno when not permitted
 * (no CAP_SYS_ADMIN in the current user namespace); the run goes on
 * without one then, supervised as a child subreaper. */
int lp_pidns_unshare(void);

/* After fork() in the setup child: the parent (setup child) waits for the
 * namespace's init and exits with nothing to say; never returns. */
_Noreturn void lp_pidns_wait_init(pid_t init);

/* In the namespace's init (PID 1): a /proc of this namespace, so that the
 * command's pids and /proc agree. 0 or -errno. */
int lp_pidns_mount_proc(void);

struct lp_capability;

/* The capabilities the init keeps: the command's (Keep=), or all when the
 * command keeps them all (--audit, learn). */
struct lp_pidns_caps {
        bool all;
        const struct lp_capability *keep; /* the policy's, borrowed */
        size_t n;
};

/* In the namespace's init, before the command is forked: the namespace's
 * pid counter (/proc/sys/kernel/ns_last_pid), from which the init tells
 * how many processes and threads the command created without seeing a
 * single clone (learning keeps them in the kernel: launch/filter.h's
 * also_allow, learn/floor.h). The fd (close-on-exec) or -errno. */
int lp_pidns_open_counter(void);

/* The namespace's init: drops to `keep`, reaps every process of the
 * namespace, and when `command` exits sends the supervisor on status_fd
 * (struct lp_child_status) how many processes and threads were created
 * since it (LP_CHILD_CREATED, when counter_fd is not -1), then its wait
 * status (LP_CHILD_EXITED), then waits for the SIGKILL that ends the
 * namespace. Never returns. */
_Noreturn void lp_pidns_init(pid_t command, int status_fd, int counter_fd,
                             const struct lp_pidns_caps *keep);
