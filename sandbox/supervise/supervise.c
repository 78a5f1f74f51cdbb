/* The supervisor loop (supervise.h). */
#include "supervise/supervise.h"

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/exit_status.h"
#include "base/log.h"
#include "base/util.h"
#include "supervise/dns_trap.h"
#include "supervise/forward.h"
#include "supervise/fs_observed.h"
#include "supervise/hidden.h"
#include "supervise/net_observed.h"
#include "supervise/outside.h"
#include "supervise/notify.h"

/* The signals passed on to the command, as timeout(1) and env(1) users
 * expect of a wrapper. */
static const int forwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

/* Upper bound on notifications answered after the command exited and before
 * the rest of the tree is killed: enough to record what was in flight,
 * bounded so a storm cannot keep the run alive. */
#define DRAIN_MAX 100000

/* Notifications answered in a row before the other descriptors are
 * looked at again. */
#define NOTIFY_BATCH 256

struct state {
        const struct lp_supervision *s;
        int sigfd, timerfd;
        /* The command and the PID namespace's init by pidfd: neither is our
         * child, so a pid of theirs may be another process's once they are
         * gone; a pidfd never is. -1: gone already, or no init. */
        int command_fd, init_fd;
        bool exited, timed_out, listener_open, status_open, child_reaped;
        /* The supervisor cannot answer any more: the run ends, at once. */
        bool failed;
        int status; /* waitpid status of the command */
        /* LP_CHILD_CREATED: processes and threads the command created;
         * -1 until the init says, or when it could not count. */
        int created;
};

/* The signals the supervisor reads from its signalfd. */
static void supervised_signals(sigset_t *set)
{
        sigemptyset(set);
        sigaddset(set, SIGCHLD);
        for (size_t i = 0; i < LP_ELEMENTSOF(forwarded); i++)
                sigaddset(set, forwarded[i]);
}

int lp_supervise_block_signals(sigset_t *ret_old)
{
        sigset_t set;
        supervised_signals(&set);
        return sigprocmask(SIG_BLOCK, &set, ret_old) < 0 ? -errno : 0;
}

static int open_signalfd(void)
{
        sigset_t set;
        supervised_signals(&set);
        int fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        return fd < 0 ? -errno : fd;
}

static int open_timer(unsigned seconds)
{
        if (!seconds)
                return -1;
        int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        struct itimerspec its = {.it_value = {.tv_sec = seconds}};
        if (fd >= 0 && timerfd_settime(fd, 0, &its, NULL) < 0) {
                close(fd);
                return -errno;
        }
        return fd < 0 ? -errno : fd;
}

static void read_status_socket(struct state *st);
static void command_stopped(int signo);

/* The command's status comes from waitpid when it is our child, or from
 * its PID namespace's init (LP_CHILD_EXITED) when it has one. */
static void command_exited(struct state *st, int status)
{
        if (st->exited)
                return;
        st->exited = true;
        st->status = status;
}

static void note_exit(struct state *st, pid_t pid, int status)
{
        if (pid != st->s->child)
                return;
        st->child_reaped = true;
        /* A message of the init may still wait in the socket: it wins. */
        if (st->status_open)
                read_status_socket(st);
        command_exited(st, status);
}

/* Reaps whatever has exited: the command, and as PID 1 or subreaper the
 * orphans that were re-parented to us. */
static void reap(struct state *st)
{
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG | WUNTRACED)) > 0) {
                /* Without a PID namespace the command is our child. */
                if (WIFSTOPPED(status)) {
                        if (pid == st->s->command)
                                command_stopped(WSTOPSIG(status));
                        continue;
                }
                note_exit(st, pid, status);
        }
}

/* A stopped command waits for SIGCONT, and so does the run (or its
 * --timeout): said once per stop, so that a run that seems to hang says
 * why. */
static void command_stopped(int signo)
{
        const char *name = sigabbrev_np(signo);
        lp_error("the command was stopped by SIG%s: the run waits until it is continued "
                 "(SIGCONT) or --timeout ends it",
                 name ? name : "?");
}

static void read_status_socket(struct state *st)
{
        struct lp_child_status m;
        ssize_t n;
        while ((n = recv(st->s->status_fd, &m, sizeof(m), MSG_DONTWAIT)) == (ssize_t)sizeof(m)) {
                if (m.kind == LP_CHILD_STOPPED) {
                        command_stopped(m.value);
                } else if (m.kind == LP_CHILD_CREATED) {
                        st->created = m.value;
                } else if (m.kind == LP_CHILD_EXITED) {
                        command_exited(st, m.value);
                } else if (m.kind == LP_CHILD_FAILED) {
                        /* Reported by the caller, which knows the steps. */
                        *st->s->failure = m;
                }
        }
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                st->status_open = false;
}

static void handle_signals(struct state *st)
{
        struct signalfd_siginfo si;
        while (read(st->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                if (si.ssi_signo == SIGCHLD)
                        reap(st);
                else if (st->command_fd >= 0)
                        (void)syscall(SYS_pidfd_send_signal, st->command_fd, (int)si.ssi_signo,
                                      NULL, 0);
        }
}

/* *more: another notification waits (lp_notifier_handle). */
static void handle_notification(struct state *st, bool *more)
{
        int r = lp_notifier_handle(st->s->notifier, more);
        if (r < 0) {
                /* Unanswered, every watched call would wait forever (or
                 * until --timeout), and a call it did not see would be a
                 * finding lost: the tree is killed instead. */
                lp_log_errno(r, "the supervisor failed: the seccomp notification listener: %m; "
                                "the command's process tree is killed");
                st->listener_open = false;
                st->failed = true;
        }
}

/* The notifications the kernel holds, one after the other: the notifier's
 * own poll after each receive says whether another waits
 * (SECCOMP_IOCTL_NOTIF_RECV blocks when none is pending, O_NONBLOCK or
 * not, as of Linux 6.18) instead of a pass through the whole poll set.
 * NOTIFY_BATCH bounds it, so that a storm cannot keep the signals and the
 * timeout waiting. */
static void handle_notifications(struct state *st)
{
        bool more = true;
        for (int i = 0; i < NOTIFY_BATCH && st->listener_open && more; i++)
                handle_notification(st, &more);
}

static void handle_hidden(struct state *st)
{
        const struct lp_supervision *s = st->s;
        int r = lp_hidden_handle(s->hidden, s->policy, s->findings, s->start_ms);
        if (r < 0)
                lp_log_errno(r, "the watch of hidden paths failed: %m");
}

static void handle_forwards(struct state *st)
{
        int r = lp_forwarder_handle(st->s->forwarder);
        if (r < 0)
                lp_log_errno(r, "the forwards failed: %m");
}

static void handle_dns_queries(struct state *st)
{
        int r = lp_dns_trap_handle(st->s->dns_trap);
        if (r < 0)
                lp_log_errno(r, "the DNS trap failed: %m");
}

static void handle_outside_packets(struct state *st)
{
        int r = lp_outside_handle(st->s->outside);
        if (r < 0)
                lp_log_errno(r, "the outside route's reader failed: %m");
}

static int poll_once(struct state *st, int timeout_ms)
{
        struct pollfd p[10] = {
                {st->listener_open ? st->s->listener : -1, POLLIN, 0},
                {st->sigfd, POLLIN, 0},
                {st->timerfd, POLLIN, 0},
                {st->status_open ? st->s->status_fd : -1, POLLIN, 0},
                {lp_hidden_fd(st->s->hidden), POLLIN, 0},
                {lp_forwarder_fd(st->s->forwarder), POLLIN, 0},
                {lp_net_observed_fd(st->s->net_observed), POLLIN, 0},
                {lp_fs_observed_fd(st->s->fs_observed), POLLIN, 0},
                {lp_dns_trap_fd(st->s->dns_trap), POLLIN, 0},
                {lp_outside_fd(st->s->outside), POLLIN, 0},
        };
        int n = poll(p, LP_ELEMENTSOF(p), timeout_ms);
        if (n < 0)
                return errno == EINTR ? 0 : -errno;
        if (p[0].revents & POLLIN)
                handle_notifications(st);
        else if (p[0].revents & (POLLHUP | POLLERR | POLLNVAL))
                st->listener_open = false; /* no process uses the filter any more */
        if (p[3].revents)
                read_status_socket(st);
        if (p[1].revents & POLLIN)
                handle_signals(st);
        if (p[2].revents & POLLIN)
                st->timed_out = true;
        if (p[4].revents & POLLIN)
                handle_hidden(st);
        if (p[5].revents & POLLIN)
                handle_forwards(st);
        if (p[6].revents & POLLIN)
                lp_net_observed_drain(st->s->net_observed);
        if (p[7].revents & POLLIN)
                lp_fs_observed_drain(st->s->fs_observed);
        if (p[8].revents & POLLIN)
                handle_dns_queries(st);
        if (p[9].revents & POLLIN)
                handle_outside_packets(st);
        return n;
}

static bool is_child_of(pid_t pid, pid_t parent)
{
        char path[64], buf[512];
        snprintf(path, sizeof(path), "/proc/%d/stat", pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return false;
        size_t n = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[n] = '\0';
        /* comm may hold spaces and parentheses: the fields follow the last ')'. */
        char *rp = strrchr(buf, ')');
        int ppid = -1;
        return rp && sscanf(rp + 1, " %*c %d", &ppid) == 1 && ppid == parent;
}

/* /proc/PID/task/TID/children needs CONFIG_PROC_CHILDREN, which not every
 * kernel has; a scan of /proc works everywhere. */
static int kill_children(void)
{
        DIR *d = opendir("/proc");
        pid_t self = getpid();
        int n = 0;
        struct dirent *e;
        while (d && (e = readdir(d))) {
                pid_t pid = (pid_t)atoi(e->d_name);
                if (pid > 0 && pid != self && is_child_of(pid, self)) {
                        kill(pid, SIGKILL);
                        n++;
                }
        }
        if (d)
                closedir(d);
        return n;
}

void lp_supervise_kill_tree(void)
{
        /* The common case, nothing left behind, costs no scan of /proc. */
        pid_t pid;
        while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
                ;
        if (pid < 0 && errno == ECHILD)
                return;
        for (;;) {
                kill_children();
                if (waitpid(-1, NULL, 0) < 0 && errno == ECHILD)
                        return;
        }
}

/* Answers what is already waiting before the tree is killed: those calls
 * happened, and their findings must not be lost. */
static void drain_notifications(struct state *st)
{
        for (int i = 0; i < DRAIN_MAX && st->listener_open; i++) {
                /* Polled after each answer: what came meanwhile waits too. */
                struct pollfd p = {st->s->listener, POLLIN, 0};
                bool more;
                if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN))
                        return;
                handle_notification(st, &more);
        }
}

/* With a PID namespace, the whole tree dies with its init; our child (the
 * init, or the setup child that made it) exits only once the init is
 * reaped, that is once the namespace is empty, so waiting for it means
 * nothing is left running. */
static void end_pid_namespace(struct state *st)
{
        /* Reaped: the init is gone too, and its pid may be someone's now. */
        if (st->s->init <= 0 || st->child_reaped)
                return;
        if (st->init_fd >= 0)
                (void)syscall(SYS_pidfd_send_signal, st->init_fd, SIGKILL, NULL, 0);
        while (!st->child_reaped && waitpid(st->s->child, NULL, 0) < 0 && errno == EINTR)
                ;
        st->child_reaped = true;
}

/* The processes the command created, counted by its PID namespace's
 * init, as the finding a notified clone would have been. A count that
 * never came (the init killed, the timeout) leaves the learned profile
 * without them: false then, and the run fails (but for the timeout, which
 * fails it already). */
static bool record_created(const struct state *st)
{
        const struct lp_supervision *s = st->s;
        if (!s->processes_counted)
                return true;
        if (st->created < 0) {
                if (!st->timed_out)
                        lp_error("the processes the command created were not counted (its PID "
                                 "namespace's init did not say): nothing can be learned from "
                                 "this run");
                return st->timed_out;
        }
        int r = st->created > 0 ? lp_notifier_record_created(s->notifier, s->created_as,
                                                             (uint64_t)st->created, s->command)
                                : 0;
        if (r < 0)
                lp_log_errno(r, "cannot record the processes the command created: %m");
        return r >= 0;
}

static int exit_status(const struct state *st)
{
        if (st->failed)
                return LP_EXIT_SETUP_FAILED;
        if (st->timed_out)
                return LP_EXIT_TIMEOUT;
        if (st->s->failure->kind == LP_CHILD_FAILED)
                return st->s->failure->error == ENOENT ? LP_EXIT_NOT_FOUND : LP_EXIT_CANNOT_EXECUTE;
        if (!st->exited)
                return LP_EXIT_SETUP_FAILED; /* the supervisor itself failed */
        if (WIFEXITED(st->status))
                return WEXITSTATUS(st->status);
        if (WIFSIGNALED(st->status)) {
                bool seccomp_kill = lp_notifier_killed(st->s->notifier, st->s->command);
                return LP_EXIT_SIGNAL_BASE + (seccomp_kill ? SIGSYS : WTERMSIG(st->status));
        }
        return LP_EXIT_SETUP_FAILED;
}

int lp_supervise(const struct lp_supervision *s)
{
        struct state st = {.s = s,
                           .created = -1,
                           .listener_open = s->listener >= 0,
                           .status_open = true,
                           .command_fd = (int)syscall(SYS_pidfd_open, s->command, 0),
                           .init_fd = s->init > 0 ? (int)syscall(SYS_pidfd_open, s->init, 0) : -1};
        st.sigfd = open_signalfd();
        st.timerfd = open_timer(s->timeout_sec);
        if (st.sigfd < 0 || (s->timeout_sec && st.timerfd < 0)) {
                lp_log_errno(st.sigfd < 0 ? st.sigfd : st.timerfd, "cannot supervise: %m");
                kill(s->child, SIGKILL);
        }
        reap(&st); /* a SIGCHLD may predate the signalfd */
        while (!st.exited && !st.timed_out && !st.failed && st.sigfd >= 0)
                if (poll_once(&st, -1) < 0)
                        break;
        if (st.exited && !st.failed)
                drain_notifications(&st);
        if (st.status_open)
                read_status_socket(&st);
        bool counted = record_created(&st);
        end_pid_namespace(&st);
        lp_supervise_kill_tree();
        if (st.timed_out)
                lp_error("timeout: the command ran longer than %u s; its process tree was killed",
                         s->timeout_sec);
        if (st.sigfd >= 0)
                close(st.sigfd);
        if (st.timerfd >= 0)
                close(st.timerfd);
        if (st.command_fd >= 0)
                close(st.command_fd);
        if (st.init_fd >= 0)
                close(st.init_fd);
        return st.sigfd < 0 || !counted ? LP_EXIT_SETUP_FAILED : exit_status(&st);
}
