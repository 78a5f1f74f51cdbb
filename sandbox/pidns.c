/* The command's PID namespace (pidns.h). Its init is ours, not the
 * command: a command that were PID 1 would ignore every signal it has no
 * handler for, SIGTERM from the supervisor included. */
#include "pidns.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervise.h"

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
        _exit(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
}

int lp_pidns_mount_proc(void)
{
        /* Slave first: our /proc must not propagate back to the host's
         * mount table, while mounts made on the host still reach us. */
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return -errno;
        if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                return -errno;
        return 0;
}

static void send_exit_status(int status_fd, int status)
{
        struct lp_child_status m = {.kind = LP_CHILD_EXITED, .value = status};
        send(status_fd, &m, sizeof(m), MSG_NOSIGNAL);
}

_Noreturn void lp_pidns_init(pid_t command, int status_fd)
{
        /* Not dumpable: a command allowed ptrace cannot attach to its init,
         * which runs with the privileges the command was denied. */
        prctl(PR_SET_DUMPABLE, 0);
        bool sent = false;
        for (;;) {
                int status;
                pid_t pid = wait(&status);
                if (pid == command && !sent) {
                        send_exit_status(status_fd, status);
                        sent = true;
                }
                if (pid < 0 && errno == ECHILD)
                        pause();
        }
}
