/* The supervisor loop (docs/architecture.md, "Supervision"): one poll over
 * the notification listener, a signalfd, the timeout and the child's
 * status socket; then nothing of the command's process tree outlives the
 * run. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "supervise/child_status.h"

struct lp_notifier;
struct lp_hidden;
struct lp_forwarder;
struct lp_dns_trap;
struct lp_net_observed;
struct lp_outside;
struct lp_fs_observed;
struct lp_policy;
struct lp_findings;

/* Blocks the signals the supervisor forwards or waits for (SIGCHLD), before
 * the fork, so that none is lost before the signalfd exists. *ret_old is the
 * mask to restore in the child. */
int lp_supervise_block_signals(sigset_t *ret_old);

struct lp_supervision {
        pid_t child;                  /* our child: the PID namespace's init, the setup
                                       * child that waits for it, or the command */
        pid_t command;                /* the command (signals are passed to it) */
        pid_t init;                   /* the PID namespace's init, 0 when none */
        int status_fd;                /* child_status.h; EOF after exec */
        int listener;                 /* seccomp notification fd, or -1 */
        struct lp_notifier *notifier; /* NULL when listener is -1 */
        unsigned timeout_sec;         /* 0: none */
        /* Out: a step that failed after the handover (the exec), with its
         * errno; kind stays as the caller set it otherwise. */
        struct lp_child_status *failure;
        /* Opens of hidden paths (hidden.h), or NULL; what its findings need. */
        struct lp_hidden *hidden;
        /* [Network] Forward= connections (forward.h), or NULL. */
        struct lp_forwarder *forwarder;
        /* The DNS trap's queries (dns_trap.h), or NULL. */
        struct lp_dns_trap *dns_trap;
        /* The outside route's packets (outside.h), or NULL. */
        struct lp_outside *outside;
        /* The network observer's announcements (net_observed.h), or NULL. */
        struct lp_net_observed *net_observed;
        /* The filesystem observer's announcements (fs_observed.h), or NULL. */
        struct lp_fs_observed *fs_observed;
        const struct lp_policy *policy;
        struct lp_findings *findings;
        uint64_t start_ms;
        /* The PID namespace's init counts the processes and threads the
         * command creates (learning, launch/launch.h's process_creation):
         * they are one finding of the syscall `created_as`, its count
         * theirs. */
        bool processes_counted;
        const char *created_as;
};

/* Runs until the command has exited (or timed out) and every process left
 * in its tree is killed and reaped. Returns the exit status
 * (base/exit_status.h): the command's own, 128+N, 124, 126 or 127. */
int lp_supervise(const struct lp_supervision *s);

/* SIGKILLs every child of this process, again and again as orphans are
 * re-parented to it (it is a child subreaper), and reaps them all. */
void lp_supervise_kill_tree(void);
