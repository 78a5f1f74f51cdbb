/* The command's PID namespace (pidns.h). Its init is ours, not the
 * command: a command that were PID 1 would ignore every signal it has no
 * handler for, SIGTERM from the supervisor included. */
#include "launch/pidns.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/exit_status.h"
#include "launch/fds.h"
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

int lp_pidns_open_counter(void)
{
        int fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

static void send_status(int status_fd, enum lp_child_message kind, int value)
{
        struct lp_child_status m = {.kind = kind, .value = value};
        send(status_fd, &m, sizeof(m), MSG_NOSIGNAL);
}

/* The pids the namespace handed out after the command's: one per process
 * and thread created in it since, nobody else forking there. ns_last_pid
 * is the reader's namespace's, whichever /proc it is read through. Past
 * pid_max the counter starts again at 300 (RESERVED_PIDS, kernel/pid.c):
 * the count is then a lower bound, and never 0. -1 when it cannot be
 * read. */
static int created_since(int counter_fd, pid_t command)
{
        char buf[32];
        ssize_t n = pread(counter_fd, buf, sizeof(buf) - 1, 0);
        if (n <= 0)
                return -1;
        buf[n] = '\0';
        long last = strtol(buf, NULL, 10);
        if (last == command)
                return 0;
        return last > command ? (int)(last - command) : 1;
}

/* The init outlives the setup only to wait: it keeps nothing the command
 * was denied. Only the command's capabilities (bounding set included: it
 * is the command's parent, and PTRACE_TRACEME needs the parent to hold
 * what the child holds), no_new_privs, no fd but the status socket (and
 * the pid counter, when it counts), not dumpable. Best effort: the
 * command is already forked. */
static void drop_to(const struct lp_pidns_caps *keep, int status_fd, int counter_fd)
{
        int fds[2] = {status_fd, counter_fd};
        (void)lp_fds_close_except(fds, counter_fd >= 0 ? 2 : 1);
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

/* The command's end: what it created (when counting), then its status,
 * which ends the supervisor's wait. */
static void command_ended(pid_t command, int status, int status_fd, int counter_fd)
{
        if (counter_fd >= 0)
                send_status(status_fd, LP_CHILD_CREATED, created_since(counter_fd, command));
        send_status(status_fd, LP_CHILD_EXITED, status);
}

_Noreturn void lp_pidns_init(pid_t command, int status_fd, int counter_fd,
                             const struct lp_pidns_caps *keep)
{
        drop_to(keep, status_fd, counter_fd);
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
                        command_ended(command, status, status_fd, counter_fd);
                        sent = true;
                }
                if (pid < 0 && errno == ECHILD)
                        pause();
        }
}
