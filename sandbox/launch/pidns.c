/* The command's PID namespace (pidns.h). Its init is ours, not the
 * command: a command that were PID 1 would ignore every signal it has no
 * handler for, SIGTERM from the supervisor included. */
#include "launch/pidns.h"

#include <cap-ng.h>
#include <errno.h>
#include <stdio.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <linux/close_range.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/exit_status.h"
#include "profile/policy.h"
#include "supervise/child_status.h"

int lp_pidns_unshare(void)
{
        return unshare(CLONE_NEWPID | CLONE_NEWNS) < 0 ? -errno : 0;
}

_Noreturn void lp_pidns_wait_init(pid_t init)
{
        /* Our parent-death signal stays armed: if leastpriv dies, so do
         * we, and then the init (its own parent-death signal). */
        int status = 0;
        while (waitpid(init, &status, 0) < 0 && errno == EINTR)
                ;
        /* Only read when the init died before the command's status came. */
        _exit(WIFSIGNALED(status) ? LP_EXIT_SIGNAL_BASE + WTERMSIG(status) : WEXITSTATUS(status));
}

/* A /proc with mounts below it (a container runtime masking /proc/kcore,
 * making /proc/sys read-only ...) must not be replaced by a fresh one that
 * would undo them. */
static bool proc_has_submounts(void)
{
        FILE *f = fopen("/proc/self/mountinfo", "re");
        char line[4096], point[1024];
        bool found = false;
        while (f && !found && fgets(line, sizeof(line), f))
                found = sscanf(line, "%*s %*s %*s %*s %1023s", point) == 1 &&
                        strncmp(point, "/proc/", 6) == 0;
        if (f)
                fclose(f);
        return found;
}

int lp_pidns_mount_proc(void)
{
        if (proc_has_submounts())
                return -EBUSY;
        /* Slave first: our /proc must not propagate back to the host's
         * mount table, while mounts made on the host still reach us. */
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return -errno;
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return -errno;
        return 0;
}

static void send_status(int status_fd, enum lp_child_message kind, int value)
{
        struct lp_child_status m = {.kind = kind, .value = value};
        send(status_fd, &m, sizeof(m), MSG_NOSIGNAL);
}

/* The init outlives the setup only to wait: it keeps nothing the command
 * was denied. Only the command's capabilities (bounding set included: it
 * is the command's parent, and PTRACE_TRACEME needs the parent to hold
 * what the child holds), no_new_privs, no fd but the status socket, not
 * dumpable. Best effort: the command is already forked. */
static void drop_to(const struct lp_pidns_caps *keep, int status_fd)
{
        if (status_fd > 3)
                close_range(3, (unsigned)status_fd - 1, 0);
        close_range((unsigned)status_fd + 1, ~0U, 0);
        if (!keep->all) {
                capng_clear(CAPNG_SELECT_ALL);
                for (size_t i = 0; i < keep->n; i++)
                        capng_update(CAPNG_ADD,
                                     CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
                                     (unsigned)keep->keep[i].cap);
                capng_apply(CAPNG_SELECT_ALL);
                prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        }
        prctl(PR_SET_DUMPABLE, 0);
}

_Noreturn void lp_pidns_init(pid_t command, int status_fd, const struct lp_pidns_caps *keep)
{
        drop_to(keep, status_fd);
        bool sent = false;
        for (;;) {
                int status;
                /* A stopped command is told too: the supervisor says so. */
                pid_t pid = waitpid(-1, &status, WUNTRACED);
                if (pid == command && WIFSTOPPED(status)) {
                        send_status(status_fd, LP_CHILD_STOPPED, WSTOPSIG(status));
                        continue;
                }
                if (pid == command && !sent) {
                        send_status(status_fd, LP_CHILD_EXITED, status);
                        sent = true;
                }
                if (pid < 0 && errno == ECHILD)
                        pause();
        }
}
