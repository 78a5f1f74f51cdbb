/* The live side of the decision's /proc seam (rules/verdict.h): a
 * tracee's ids from /proc/PID/status, and whether a loopback port is a
 * host service (listeners.h), each port asked once per run. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/verdict.h"

struct lp_proc {
        /* Loopback ports already told apart. */
        struct lp_port_owner {
                uint16_t port;
                bool udp;
                bool outside;
        } * ports;
        size_t n_ports, cap_ports;
        /* The command's root directory, opened at the first path resolved
         * (every tracee shares the command's mount namespace and, with no
         * CAP_SYS_CHROOT, its root); valid when has_root. */
        int root;
        bool has_root;
        /* The kernel has no PIDFD_GET_INFO: ids come from /proc. */
        bool no_pidfd_info;
        /* A thread's ids, read once per notification (lp_proc_next_call). */
        struct {
                bool valid;
                int tid;
                unsigned uids[3], gids[3];
        } ids;
};

/* A reader over proc (borrowed for the reader's lifetime). */
struct lp_proc_reader lp_proc_reader(struct lp_proc *proc);

void lp_proc_done(struct lp_proc *proc);

/* A new notification: what was read for the last one is read again. */
void lp_proc_next_call(struct lp_proc *proc);

/* The thread group of a thread; the thread itself when it is gone. */
int lp_proc_thread_group(int tid);

/* `path` of pid's call made absolute, without resolving it: as it is,
 * or joined to pid's cwd (dirfd AT_FDCWD) or to the directory dirfd
 * refers to, as pid sees them. 0, or -errno (pid gone, not a directory,
 * too long). */
int lp_proc_absolute(int pid, int dirfd, const char *path, char *buf, size_t size);
