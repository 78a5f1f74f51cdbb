/* The status socket between the launch's child side and the supervisor:
 * what the setup child and the command's PID-namespace init tell it. A
 * SOCK_SEQPACKET socket, CLOEXEC on the child's side, so it reads EOF once
 * the command has executed. */
#pragma once

/* What the setup child and the PID namespace's init send over the status
 * socket. */
enum lp_child_message {
        LP_CHILD_NONE,    /* (nothing received) */
        LP_CHILD_FAILED,  /* a step failed (before the exec, or the exec itself) */
        LP_CHILD_INIT,    /* value: the host pid of the PID namespace's init (a setup
                           * child's word; an init born our child is known) */
        LP_CHILD_EXITED,  /* value: the command's wait status, from that init */
        LP_CHILD_STOPPED, /* value: the signal that stopped the command, from that init */
        /* value: the processes and threads created in that init's namespace
         * after the command (-1: unknown), sent before LP_CHILD_EXITED when
         * the init counts them (launch/pidns.h) */
        LP_CHILD_CREATED,
};

struct lp_child_status {
        enum lp_child_message kind;
        int error; /* LP_CHILD_FAILED: positive errno */
        int value;
        int step; /* LP_CHILD_FAILED: the launch step that failed (launch/steps.h) */
};
