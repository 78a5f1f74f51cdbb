/* The supervisor loop (DESIGN.md §6): one poll over the notification
 * listener, a signalfd, the timeout and the child's status socket; then
 * nothing of the command's process tree outlives the run. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct lp_notifier;

/* What a child sends over its status socket when a step fails (before the
 * exec, or the exec itself). */
struct lp_child_status {
        int error;       /* positive errno */
        char step[120];  /* what failed, for the message */
};

/* Blocks the signals the supervisor forwards or waits for (SIGCHLD), before
 * the fork, so that none is lost before the signalfd exists. *ret_old is the
 * mask to restore in the child. */
int lp_supervise_block_signals(sigset_t *ret_old);

struct lp_supervision {
        pid_t child;                  /* the command */
        int status_fd;                /* see struct lp_child_status; EOF after exec */
        int listener;                 /* seccomp notification fd, or -1 */
        struct lp_notifier *notifier; /* NULL when listener is -1 */
        unsigned timeout_sec;         /* 0: none */
};

/* Runs until the command has exited (or timed out) and every process left
 * in its tree is killed and reaped. Returns the exit status of DESIGN.md
 * §2: the command's own, 128+N, 124, 126 or 127. */
int lp_supervise(const struct lp_supervision *s);

/* SIGKILLs every child of this process, again and again as orphans are
 * re-parented to it (it is a child subreaper), and reaps them all. */
void lp_supervise_kill_tree(void);
