/* leastpriv run: the child's ordered checklist, the handshake that hands
 * the seccomp listener to the parent, then supervision (docs/architecture.md,
 * "The launch").
 *
 * Everything that can be prepared before the fork is: the BPF program, the
 * environment, the identity, the command's path. The child only applies
 * them, in an order where each step still has the privilege it needs, and
 * reports a failing step (steps.h) over a CLOEXEC socket instead of
 * logging: the parent prints it and exits 125. Nothing runs with a
 * half-applied sandbox. */
#include "launch/launch.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/exit_status.h"
#include "base/log.h"
#include "base/util.h"
#include "launch/caps.h"
#include "launch/cgroup.h"
#include "launch/dynamic_user.h"
#include "launch/env.h"
#include "launch/fds.h"
#include "launch/filter.h"
#include "launch/filter_cache.h"
#include "launch/fs.h"
#include "launch/dns_standins.h"
#include "launch/forward_listen.h"
#include "launch/fs_idmap.h"
#include "launch/landlock.h"
#include "launch/namespaces.h"
#include "launch/netns.h"
#include "launch/outside_route.h"
#include "launch/pidns.h"
#include "launch/rlimits.h"
#include "launch/steps.h"
#include "profile/names.h"
#include "profile/policy.h"
#include "rules/fs_plan.h"
#include "rules/verdict.h"
#include "supervise/dns_trap.h"
#include "supervise/forward.h"
#include "supervise/hidden.h"
#include "supervise/leftovers.h"
#include "supervise/listeners.h"
#include "supervise/fs_observed.h"
#include "supervise/fs_observer.h"
#include "supervise/net_observed.h"
#include "supervise/outside.h"
#include "supervise/net_observer.h"
#include "supervise/notify.h"
#include "supervise/supervise.h"

struct launch {
        const struct lp_policy *policy;
        const struct lp_run_options *o;
        struct lp_filter *filter;
        /* Learning with process creation in the kernel (NULL where the
         * policy names a creating call): installed where the command's PID
         * namespace has an init that counts what it creates (`counting`). */
        struct lp_filter *counted_filter;
        bool counting;
        struct lp_identity identity;
        char **envp;
        char *path; /* the command, resolved in PATH */
        sigset_t old_mask;
        bool signals_blocked;
        pid_t parent;
        /* The child was born the init of the command's PID namespace
         * (fork_child); else it is a setup child that makes one. */
        bool born_init;
        uid_t uid;
        gid_t gid;
        int sock[2];     /* [0] parent's end, [1] child's end */
        char *cwd;       /* where `run` started */
        char *cache_dir; /* compiled filters (filter_cache.h); NULL: none */
        struct lp_fs_plan plan;
        bool apply_fs;              /* the plan is put in place (not --audit, and there is one) */
        struct lp_fs_store store;   /* the hidden paths' inodes, when watched */
        struct lp_hidden *hidden;   /* opens of them, seen (root only) */
        struct lp_dynamic_user du;  /* [Identity] DynamicUser=yes; du.id 0: none */
        struct lp_cgroup cgroup;    /* [Limits] Processes=, Memory= that bind root */
        struct lp_net_observer net; /* inet destinations counted in the kernel */
        struct lp_fs_observer fs;   /* refused writes counted in the kernel */
        bool net_on, fs_on;         /* each observer is had (attached after the fork) */
        int observer_go[2];         /* the command waits for them: [0] the child's end */
        int *idmapped;              /* per plan rule: its idmapped clone, or -1 */
        bool du_clean;              /* nothing of du.id is left on the host */
        /* [Network] Forward=: the inside listeners (forward_fds in the
         * child until the handover; bit i of forward_present: made). */
        struct lp_forward_endpoint endpoints[LP_FORWARD_LISTENERS_MAX];
        size_t n_endpoints;
        int forward_fds[LP_FORWARD_LISTENERS_MAX];
        uint64_t forward_present;
        /* The DNS trap's sockets (the observer's, the resolver's
         * stand-ins), in the child until the handover. */
        struct lp_dns_servers dns_servers;
        int dns_trap_fds[LP_DNS_TRAP_SOCKETS_MAX];
        size_t n_dns_trap_fds;
        unsigned dns_standins; /* bit i: dns_servers' i has one (the child's word) */
        /* The outside route (launch/outside_route.h): had, and its TUN
         * device and counters, in the child until the handover. */
        bool outside_on;
        int outside_fds[2];
        /* The host's loopback TCP services at launch (supervise/listeners.h). */
        uint16_t *host_ports;
        size_t n_host_ports;
        struct lp_step_times times;
        uint64_t mark_us; /* when the step being timed began */
};

/* What comes with the listener: how long each step of the child took,
 * and which forward listeners follow it in the same message. */
struct handover_message {
        struct lp_step_times times;
        uint64_t forward_present;
        bool processes_counted; /* the counted filter: the init counts (pidns.h) */
        uint8_t n_dns_traps;    /* the DNS trap's sockets come last */
        uint8_t dns_standins;   /* bit i: server i has a stand-in (dns_standins.h) */
        bool outside_route;     /* its device and counters come last of all */
};

/* The seccomp listener, the forwards' listeners, the DNS trap's sockets,
 * the outside route's device and counters. */
#define HANDOVER_FDS (1 + LP_FORWARD_LISTENERS_MAX + LP_DNS_TRAP_SOCKETS_MAX + 2)

static void mark(struct launch *l, enum lp_step step)
{
        uint64_t now = lp_step_clock_us();
        l->times.us[step] = (uint32_t)(now - l->mark_us);
        l->mark_us = now;
}

/* ---- the child ---- */

static _Noreturn void child_fail(const struct launch *l, enum lp_step step, int r, int status)
{
        struct lp_child_status m = {
                .kind = LP_CHILD_FAILED, .error = r < 0 ? -r : r, .step = (int)step};
        /* sendmsg on this socket is the one call the filter always allows
         * (filter.c), so even a failed exec is reported. */
        struct iovec iov = {&m, sizeof(m)};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
        sendmsg(l->sock[1], &msg, MSG_NOSIGNAL);
        _exit(status);
}

/* `parent` 0: the caller is the init of a PID namespace whose parent is
 * outside it (getppid() is 0 there, whoever the parent is); the
 * supervisor is known to live by its end of the status socket, which
 * nothing else holds. */
static int die_with_parent(const struct launch *l, pid_t parent)
{
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
                return -errno;
        /* The parent may have died before the prctl took effect. */
        if (parent > 0)
                return getppid() == parent ? 0 : -ESRCH;
        struct pollfd p = {l->sock[1], POLLRDHUP, 0};
        int n = poll(&p, 1, 0);
        return n < 0 ? -errno : n > 0 ? -ESRCH : 0;
}

/* The sockets the child makes inside for the supervisor, in the order
 * they are handed over: the forwards' listeners that were made, the DNS
 * trap's, the outside route's device and counters. Returns how many, into fds
 * (HANDOVER_FDS - 1 of room). */
static size_t inside_sockets(const struct launch *l, int *fds)
{
        size_t n = 0;
        for (size_t i = 0; i < l->n_endpoints; i++)
                if (l->forward_present & (UINT64_C(1) << i))
                        fds[n++] = l->forward_fds[i];
        for (size_t i = 0; i < l->n_dns_trap_fds; i++)
                fds[n++] = l->dns_trap_fds[i];
        for (size_t i = 0; i < 2 && l->outside_fds[0] >= 0; i++)
                fds[n++] = l->outside_fds[i];
        return n;
}

/* SCM_RIGHTS: the listener exists only in the child until it is passed. */
static int send_listener(const struct launch *l, int listener)
{
        struct handover_message data = {l->times,
                                        l->forward_present,
                                        l->counting,
                                        (uint8_t)l->n_dns_trap_fds,
                                        (uint8_t)l->dns_standins,
                                        l->outside_fds[0] >= 0};
        struct iovec iov = {&data, sizeof(data)};
        int fds[HANDOVER_FDS];
        fds[0] = listener;
        size_t n = 1 + inside_sockets(l, fds + 1);
        union {
                char buf[CMSG_SPACE(sizeof(int) * HANDOVER_FDS)];
                struct cmsghdr align;
        } u;
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = u.buf,
                             .msg_controllen = CMSG_SPACE(sizeof(int) * n)};
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * n);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
        return sendmsg(l->sock[1], &msg, MSG_NOSIGNAL) == (ssize_t)sizeof(data) ? 0 : -errno;
}

/* The namespace's init arms its parent-death signal only after the fork,
 * and must not start the command before the supervisor knows its pid: one
 * byte from the setup child says both (EOF: the setup child died). */
static bool setup_child_announced(int from_setup_child)
{
        char c;
        ssize_t n;
        while ((n = read(from_setup_child, &c, 1)) < 0 && errno == EINTR)
                ;
        return n == 1;
}

static void announce_init(const struct launch *l, pid_t init)
{
        struct lp_child_status m = {.kind = LP_CHILD_INIT, .value = init};
        send(l->sock[1], &m, sizeof(m), MSG_NOSIGNAL);
}

/* The DNS trap's sockets: the network observer's, where it sends DNS
 * queries there, and the resolver's stand-ins (dns_standins.h). */
static int make_dns_traps(struct launch *l)
{
        if (l->net_on && lp_net_observer_traps_dns(&l->net)) {
                int fd = lp_dns_trap_socket();
                if (fd < 0)
                        return fd;
                l->dns_trap_fds[l->n_dns_trap_fds++] = fd;
        }
        size_t n = 0;
        int r = lp_dns_standins(&l->dns_servers, l->dns_trap_fds + l->n_dns_trap_fds, &n,
                                &l->dns_standins);
        l->n_dns_trap_fds += n;
        return r;
}

/* Forward=unix: listeners over their paths, in the view just built. */
static void bind_unix_forwards(struct launch *l)
{
        bool any = false;
        for (size_t i = 0; i < l->n_endpoints; i++)
                any |= l->endpoints[i].family == AF_UNIX;
        if (!any || !l->apply_fs)
                return; /* the host's view: its socket is there already */
        int r = lp_forward_bind_unix(l->policy, &l->plan, l->forward_fds, &l->forward_present);
        if (r < 0)
                child_fail(l, LP_STEP_FORWARD, r, LP_EXIT_SETUP_FAILED);
}

/* The filesystem plan, in the mount namespace just made. */
static void apply_filesystem(struct launch *l)
{
        enum lp_step step = LP_STEP_FS_CLONE;
        struct lp_fs_options fo = {.cwd = l->cwd,
                                   .tmp_size =
                                           l->policy->tmp_size.set ? l->policy->tmp_size.value : 0,
                                   .store = l->store.fd >= 0 ? &l->store : NULL,
                                   .premade = l->idmapped,
                                   .identity_files = l->du.files,
                                   .times = &l->times};
        int r = l->apply_fs ? lp_fs_apply(&l->plan, &fo, &step) : 0;
        if (r < 0)
                child_fail(l, step, r, LP_EXIT_SETUP_FAILED);
        bind_unix_forwards(l);
        /* Each step of the view has its own time (fo.times). */
        l->mark_us = lp_step_clock_us();
}

/* Where a PID namespace is not permitted: supervised as a subreaper. The
 * filesystem rules still need a mount namespace. */
static pid_t without_pid_namespace(struct launch *l, pid_t parent)
{
        int r = lp_cgroup_join(&l->cgroup, true);
        if (r < 0)
                child_fail(l, LP_STEP_JOIN_CGROUP, r, LP_EXIT_SETUP_FAILED);
        if (l->apply_fs && unshare(CLONE_NEWNS) < 0)
                child_fail(l, LP_STEP_MOUNT_NAMESPACE, -errno, LP_EXIT_SETUP_FAILED);
        apply_filesystem(l);
        return parent;
}

/* Setup child -> waits; a fork -> the namespace's init (PID 1), which
 * returns. False where a PID namespace is not permitted. */
static bool become_init(struct launch *l)
{
        int alive[2];
        if (lp_pidns_unshare() < 0)
                return false;
        if (pipe2(alive, O_CLOEXEC) < 0)
                child_fail(l, LP_STEP_PID_NAMESPACE, -errno, LP_EXIT_SETUP_FAILED);
        /* Born in the run's v2 cgroup, with all it will fork. */
        pid_t init = lp_cgroup_fork(&l->cgroup);
        if (init < 0)
                child_fail(l, LP_STEP_PID_NAMESPACE, -errno, LP_EXIT_SETUP_FAILED);
        if (init > 0) {
                announce_init(l, init);
                (void)!write(alive[1], "", 1);
                close(alive[0]);
                lp_pidns_wait_init(init);
        }
        close(alive[1]);
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || !setup_child_announced(alive[0]))
                _exit(LP_EXIT_SETUP_FAILED);
        close(alive[0]);
        return true;
}

/* The namespace's init (born so, or made by the setup child) forks
 * again -> returns in the process that goes on to become the command
 * (PID 2). Returns the pid the command's parent-death check expects. */
static pid_t enter_pid_namespace(struct launch *l, pid_t parent)
{
        if (!l->born_init && !become_init(l))
                return without_pid_namespace(l, parent);
        /* Best effort: without it /proc shows the host's pids, which is
         * confusing but holds nothing back from the sandbox. */
        (void)lp_pidns_mount_proc();
        mark(l, LP_STEP_PID_NAMESPACE);
        /* In the init, before the command exists: the command starts in
         * the new view, and the init's /proc is the one it protects. */
        apply_filesystem(l);
        /* Where it cannot be read, creating processes stays notified. */
        int counter = l->counted_filter ? lp_pidns_open_counter() : -1;
        l->counting = counter >= 0;
        pid_t command = fork();
        if (command < 0)
                child_fail(l, LP_STEP_COMMAND_FORK, -errno, LP_EXIT_SETUP_FAILED);
        if (command > 0) {
                struct lp_pidns_caps keep = {
                        .all = l->o->audit, .keep = l->policy->keep, .n = l->policy->n_keep};
                lp_pidns_init(command, l->sock[1], l->counting ? counter : -1, &keep);
        }
        if (l->counting)
                close(counter); /* the init's */
        /* In the command: from before the fork until the command runs
         * (README, "Performance": more than the fork call itself). */
        mark(l, LP_STEP_COMMAND_FORK);
        return 1;
}

/* Fails the launch at `step` unless r is 0. */
static void check_step(struct launch *l, enum lp_step step, int r)
{
        if (r < 0)
                child_fail(l, step, r, LP_EXIT_SETUP_FAILED);
        mark(l, step);
}

/* Landlock, then every inherited descriptor but 0-2, the status socket
 * (close-on-exec) and --pass-fd's. */
static void last_restrictions(struct launch *l)
{
        int r = l->apply_fs ? lp_landlock_apply(&l->plan) : 0;
        check_step(l, LP_STEP_LANDLOCK, r < 0 ? r : 0);
        int keep[LP_FDS_KEEP_MAX];
        size_t n = 0;
        keep[n++] = l->sock[1];
        for (size_t i = 0; i < l->o->n_pass_fds && n < LP_ELEMENTSOF(keep); i++)
                keep[n++] = l->o->pass_fds[i];
        /* Until the handover, which closes them. */
        int inside[HANDOVER_FDS];
        size_t n_inside = inside_sockets(l, inside);
        for (size_t i = 0; i < n_inside && n < LP_ELEMENTSOF(keep); i++)
                keep[n++] = inside[i];
        check_step(l, LP_STEP_CLOSE_FDS, lp_fds_close_except(keep, n));
}

static int make_outside_route(struct launch *l)
{
        int r = lp_outside_route_make(l->policy, &l->outside_fds[1]);
        if (r >= 0)
                l->outside_fds[0] = r;
        return r < 0 ? r : 0;
}

/* An observer is attached after the fork: the command waits for it. */
static bool observed(const struct launch *l)
{
        return l->net_on || l->fs_on;
}

/* The parent's word that the observers are attached (one byte).
 * If the parent fails to attach it, it kills this process; if it dies,
 * the parent-death signal does. A pipe of its own: a byte left unread in
 * the status socket by a child that failed would make its report there
 * an ECONNRESET. */
static int wait_for_observer(struct launch *l)
{
        char c;
        ssize_t n;
        close(l->observer_go[1]);
        l->observer_go[1] = -1;
        while ((n = read(l->observer_go[0], &c, 1)) < 0 && errno == EINTR)
                ;
        return n == 1 ? 0 : n < 0 ? -errno : -EPIPE;
}

static _Noreturn void child_main(struct launch *l)
{
        const struct lp_policy *p = l->policy;
        bool audit = l->o->audit;
        enum lp_step step = LP_STEP_NETWORK_NAMESPACE;
        pid_t parent = l->born_init ? 0 : l->parent;
        int r;
        l->mark_us = lp_step_clock_us();
        /* Never outlive a killed leastpriv. */
        check_step(l, LP_STEP_PARENT_DEATH, die_with_parent(l, parent));
        /* Before anything forks, so the whole tree is born inside. */
        check_step(l, LP_STEP_JOIN_CGROUP, lp_cgroup_join(&l->cgroup, false));
        /* Namespaces first: creating them needs privileges dropped below.
         * --audit changes nothing the command sees: the host's network,
         * IPC and hostname stay. */
        if (!audit && (r = lp_namespaces_create(p, l->uid, l->gid, l->born_init, &step)) < 0)
                child_fail(l, step, r, LP_EXIT_SETUP_FAILED);
        /* Without root, learning counts processes only in a PID namespace
         * of a user namespace of its own; where the host refuses one, they
         * stay notified (enter_pid_namespace falls back). */
        if (audit && l->counted_filter && geteuid() != 0 &&
            (r = lp_namespaces_learning_userns(l->uid, l->gid)) < 0)
                child_fail(l, LP_STEP_MAP_IDS, r, LP_EXIT_SETUP_FAILED);
        mark(l, lp_namespaces_need_userns(p, audit) ? LP_STEP_USER_NAMESPACE
                                                    : LP_STEP_NETWORK_NAMESPACE);
        check_step(l, LP_STEP_LOOPBACK, audit ? 0 : lp_netns_loopback(p));
        check_step(l, LP_STEP_FORWARD,
                   l->n_endpoints ? lp_forward_listen(p, l->forward_fds, &l->forward_present) : 0);
        check_step(l, LP_STEP_DNS_TRAP, audit ? 0 : make_dns_traps(l));
        check_step(l, LP_STEP_OUTSIDE_ROUTE, l->outside_on ? make_outside_route(l) : 0);
        /* After the user namespace (an unprivileged run needs it), before
         * the limits (RLIMIT_NPROC would count the init against them). The
         * filesystem view is built there too, in the new mount namespace. */
        parent = enter_pid_namespace(l, parent);
        if ((r = lp_limits_apply(p, &step)) < 0)
                child_fail(l, step, r, LP_EXIT_SETUP_FAILED);
        mark(l, LP_STEP_LIMIT_OPEN_FILES); /* both limits: two setrlimit calls */
        /* Identity and capabilities last among the privilege changes:
         * everything above may need them. */
        check_step(l, LP_STEP_CAPABILITIES, audit ? 0 : lp_caps_apply(p, &l->identity));
        /* A change of credentials clears the parent-death signal. */
        check_step(l, LP_STEP_PARENT_DEATH, die_with_parent(l, parent));
        /* no_new_privs: exec can no longer grant privileges (setuid, file
         * capabilities), and an unprivileged process may load a filter.
         * Root in --audit keeps setuid programs working as they were. */
        bool nnp = !audit || geteuid() != 0;
        check_step(l, LP_STEP_NO_NEW_PRIVS,
                   nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ? -errno : 0);
        check_step(l, LP_STEP_OBSERVER_WAIT, observed(l) ? wait_for_observer(l) : 0);
        /* Landlock needs no_new_privs; the filter must come last, as it
         * may refuse what the steps before it call. */
        last_restrictions(l);
        int listener = lp_filter_install(l->counting ? l->counted_filter : l->filter);
        check_step(l, LP_STEP_FILTER, listener < 0 ? listener : 0);
        check_step(l, LP_STEP_HANDOVER, send_listener(l, listener));
        close(listener);
        int inside[HANDOVER_FDS];
        for (size_t i = 0, n = inside_sockets(l, inside); i < n; i++)
                close(inside[i]);
        sigprocmask(SIG_SETMASK, &l->old_mask, NULL);
        execve(l->path, l->o->argv, l->envp);
        r = errno;
        child_fail(l, LP_STEP_EXEC, r, r == ENOENT ? LP_EXIT_NOT_FOUND : LP_EXIT_CANNOT_EXECUTE);
}

/* ---- the parent ---- */

static bool executable_file(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* execvp(3)'s search, but in the command's PATH rather than ours. A file
 * that exists but cannot be executed is kept so exec reports EACCES (126). */
static int resolve_command(const char *name, char *const *envp, char **ret)
{
        if (strchr(name, '/'))
                return (*ret = strdup(name)) ? 0 : -ENOMEM;
        const char *path = lp_env_get(envp, "PATH");
        _cleanup_free_ char *dirs = strdup(path ? path : "/usr/local/bin:/usr/bin:/bin");
        char *fallback = NULL, *save = NULL;
        if (!dirs)
                return -ENOMEM;
        for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                char *candidate;
                if (asprintf(&candidate, "%s/%s", *d ? d : ".", name) < 0)
                        return -ENOMEM;
                if (executable_file(candidate)) {
                        free(fallback);
                        *ret = candidate;
                        return 0;
                }
                if (!fallback && access(candidate, F_OK) == 0)
                        fallback = candidate;
                else
                        free(candidate);
        }
        if (!fallback)
                return -ENOENT;
        *ret = fallback;
        return 0;
}

/* "cannot set up the sandbox: STEP failed: ERRNO; HINT" */
static int report_setup_failure(const struct lp_child_status *m)
{
        const char *hint = lp_step_hint((enum lp_step)m->step, m->error);
        errno = m->error;
        lp_error("cannot set up the sandbox: %s failed: %m%s%s",
                 lp_step_what((enum lp_step)m->step), hint ? "; " : "", hint ? hint : "");
        return LP_EXIT_SETUP_FAILED;
}

/* The exec: everything else was in place. The command is named, and
 * the two usual causes said. */
static void report_exec_failure(const char *command, const struct lp_child_status *m)
{
        const char *hint =
                m->error == ENOENT
                        ? "; it, or the interpreter its #! line names, does not exist in the "
                          "command's view"
                : m->error == EACCES ? "; it is not executable (chmod +x), or on a "
                                       "noexec mount"
                                     : "";
        errno = m->error;
        if (m->step == LP_STEP_EXEC)
                lp_error("cannot execute %s: %m%s", command, hint);
        else
                lp_error("cannot %s: %m", lp_step_what((enum lp_step)m->step));
}

struct handover {
        int listener; /* -1 until received */
        /* In the order sent; n_forwards of them, the DNS trap's too until
         * the message says how many of the last ones are its. */
        int forwards[HANDOVER_FDS - 1];
        size_t n_forwards;
        uint64_t forward_present;
        int dns_traps[LP_DNS_TRAP_SOCKETS_MAX];
        size_t n_dns_traps;
        unsigned dns_standins;
        int outside[2]; /* the outside route's device and counters, or -1 */
        pid_t command;  /* from the listener message's credentials */
        pid_t init;     /* 0 when the command has no PID namespace */
        bool processes_counted;
        struct lp_child_status failure;
        struct lp_step_times times;
};

static void take_control(const struct msghdr *msg, ssize_t n, struct handover *h)
{
        for (struct cmsghdr *c = n > 0 ? CMSG_FIRSTHDR(msg) : NULL; c;
             c = CMSG_NXTHDR((struct msghdr *)msg, c)) {
                if (c->cmsg_type == SCM_RIGHTS) {
                        size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        memcpy(&h->listener, CMSG_DATA(c), sizeof(int));
                        h->n_forwards = count > 1 ? count - 1 : 0;
                        if (h->n_forwards > LP_ELEMENTSOF(h->forwards)) /* cannot be: the buffer */
                                h->n_forwards = LP_ELEMENTSOF(h->forwards);
                        memcpy(h->forwards, CMSG_DATA(c) + sizeof(int),
                               sizeof(int) * h->n_forwards);
                } else if (c->cmsg_type == SCM_CREDENTIALS)
                        h->command = ((struct ucred *)(void *)CMSG_DATA(c))->pid;
        }
}

/* One message of the setup child: the init's pid, the listener (with the
 * sender's credentials, translated by the kernel into our PID namespace:
 * that is the command's pid as we see it), or a failure. */
static int receive_one(int sock, struct handover *h)
{
        union {
                char buf[CMSG_SPACE(sizeof(int) * HANDOVER_FDS) + CMSG_SPACE(sizeof(struct ucred))];
                struct cmsghdr align;
        } u;
        union {
                struct lp_child_status status;
                struct handover_message handover;
        } m = {0};
        struct iovec iov = {&m, sizeof(m)};
        struct msghdr msg = {.msg_iov = &iov,
                             .msg_iovlen = 1,
                             .msg_control = u.buf,
                             .msg_controllen = sizeof(u.buf)};
        ssize_t n;
        do
                n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        take_control(&msg, n, h);
        if (n > 0 && (msg.msg_flags & MSG_CTRUNC)) {
                /* Descriptors the kernel could not give us (our open-files
                 * limit): which one is which can no longer be told. */
                if (h->listener >= 0)
                        close(h->listener);
                for (size_t i = 0; i < h->n_forwards; i++)
                        close(h->forwards[i]);
                h->listener = -1;
                h->n_forwards = 0;
                h->failure = (struct lp_child_status){
                        .kind = LP_CHILD_FAILED, .error = EMFILE, .step = LP_STEP_HANDOVER};
                return -EIO;
        }
        if (h->listener >= 0) {
                if (n == (ssize_t)sizeof(m.handover)) {
                        h->times = m.handover.times;
                        h->forward_present = m.handover.forward_present;
                        h->processes_counted = m.handover.processes_counted;
                        h->dns_standins = m.handover.dns_standins;
                        /* The very last one (inside_sockets). */
                        if (m.handover.outside_route && h->n_forwards >= 2) {
                                h->outside[1] = h->forwards[--h->n_forwards];
                                h->outside[0] = h->forwards[--h->n_forwards];
                        }
                        /* The last ones, in the order sent (the
                         * observer's trap first: make_dns_traps). */
                        size_t traps = m.handover.n_dns_traps;
                        if (traps > h->n_forwards || traps > LP_DNS_TRAP_SOCKETS_MAX)
                                traps = 0; /* cannot be: then none is taken for one */
                        h->n_forwards -= traps;
                        memcpy(h->dns_traps, h->forwards + h->n_forwards, sizeof(int) * traps);
                        h->n_dns_traps = traps;
                }
                return 1;
        }
        if (n == (ssize_t)sizeof(m.status) && m.status.kind == LP_CHILD_INIT) {
                h->init = m.status.value;
                return 0;
        }
        if (n == (ssize_t)sizeof(m.status) && m.status.kind == LP_CHILD_FAILED)
                h->failure = m.status;
        else
                h->failure = (struct lp_child_status){
                        .kind = LP_CHILD_FAILED, .error = EPIPE, .step = -1};
        return -EIO;
}

/* Waits for the child's listener (or its reason for failing). */
static int receive_listener(int sock, struct handover *h)
{
        *h = (struct handover){.listener = -1, .outside = {-1, -1}};
        int r;
        while ((r = receive_one(sock, h)) == 0)
                ;
        return r < 0 ? r : h->listener;
}

static int canonical(const void *ctx, const char *path, char **ret)
{
        char *r = realpath(path, NULL);
        if (!r)
                return -errno;
        *ret = r;
        return 0;
}

/* The caller's home: $HOME, else the passwd entry's (for "~" in paths). */
static const char *caller_home(void)
{
        const char *home = getenv("HOME");
        if (home && *home)
                return home;
        struct passwd *pw = getpwuid(getuid());
        return pw && pw->pw_dir && *pw->pw_dir ? pw->pw_dir : NULL;
}

/* As root, opens of hidden paths are seen (supervise/hidden.h): the
 * store of their inodes is made here, readable, and marked. Where that is
 * not possible the child makes an unreadable store itself: the paths are
 * hidden all the same, without findings for reading them. */
static void watch_hidden_paths(struct launch *l)
{
        const struct lp_fs_plan *plan = &l->plan;
        if (!l->apply_fs || !lp_fs_plan_has(plan, LP_FS_HIDDEN_PATH) || geteuid() != 0 ||
            lp_hidden_new(&l->hidden) < 0)
                return;
        struct lp_hidden_target *targets = calloc(plan->n_rules, sizeof(*targets));
        size_t n = 0;
        int r = targets ? lp_fs_store_create(plan, true, &l->store) : -ENOMEM;
        for (size_t i = 0; r >= 0 && i < plan->n_rules; i++)
                if (l->store.inos[i])
                        targets[n++] = (struct lp_hidden_target){l->store.inos[i], &plan->rules[i]};
        if (r >= 0)
                r = lp_hidden_watch(l->hidden, l->store.fd, targets, n);
        free(targets);
        if (r < 0) {
                lp_debug("hidden paths are not watched: %s", strerror(-r));
                lp_hidden_free(l->hidden);
                l->hidden = NULL;
                lp_fs_store_done(&l->store);
        }
}

/* The filesystem plan of this run: built under --audit too, where it says
 * what would be refused. */
static int prepare_filesystem(const struct lp_policy *p, const struct lp_run_options *o,
                              struct launch *l)
{
        if (!(l->cwd = get_current_dir_name()))
                return lp_log_errno(-errno, "cannot tell the working directory: %m");
        if (!lp_policy_has_filesystem_rules(p))
                return 0;
        _cleanup_free_ char *command = realpath(l->path, NULL);
        struct lp_fs_env env = {
                .cwd = l->cwd, .home = caller_home(), .command = command, .canonical = canonical};
        _cleanup_free_ char *error = NULL;
        int r = lp_fs_plan_build(p, &env, &l->plan, &error);
        if (r == -EINVAL)
                lp_error("%s", error);
        else if (r < 0)
                lp_log_errno(r, "cannot plan the filesystem view: %m");
        l->apply_fs = r >= 0 && !o->audit;
        if (r >= 0)
                watch_hidden_paths(l);
        return r;
}

/* Without root, the command's capabilities live in leastpriv's user
 * namespace, which owns no network namespace of the host's: a network
 * capability kept there could not do what it says. */
static int check_host_network_caps(const struct lp_policy *p, const struct lp_run_options *o)
{
        static const int network_caps[] = {CAP_NET_BIND_SERVICE, CAP_NET_RAW, CAP_NET_ADMIN};
        if (!lp_namespaces_need_userns(p, o->audit) || p->netns != LP_NETNS_HOST)
                return 0;
        for (size_t i = 0; i < LP_ELEMENTSOF(network_caps); i++) {
                char name[64];
                if (!lp_policy_keeps(p, network_caps[i]))
                        continue;
                lp_capability_name(network_caps[i], name, sizeof(name));
                return lp_log_errno(-EPERM,
                                    "[Capabilities] Keep=%s: without root, the capabilities of "
                                    "leastpriv's user namespace have no power over the host's "
                                    "network ([Network] Namespace=host); run as root, or give the "
                                    "command a network namespace of its own",
                                    name);
        }
        return 0;
}

/* [Identity] DynamicUser=yes: the id, the workspace idmapped for it, its
 * name in the view, and the command's USER and LOGNAME. */
static int prepare_dynamic_user(const struct lp_policy *p, struct launch *l)
{
        char where[128];
        struct lp_dynamic_user *du = &l->du;
        lp_origin_format(&p->dynamic_user.origin, where, sizeof(where));
        if (geteuid() != 0)
                return lp_log_errno(-EPERM,
                                    "%s: [Identity] DynamicUser=yes needs root: the workspace "
                                    "stays writable for the run's own uid only through an "
                                    "idmapped mount, which the kernel allows only to the host's "
                                    "root; run as root, or with DynamicUser=no",
                                    where);
        int r = lp_dynamic_user_acquire(du);
        if (r < 0)
                return lp_log_errno(r, "%s: [Identity] DynamicUser=yes: no free id in %s: %m",
                                    where, LP_DYNAMIC_RANGE_TEXT);
        if (lp_fs_plan_has(&l->plan, LP_FS_READ_WRITE_PATH)) {
                _cleanup_free_ char *error = NULL;
                r = lp_dynamic_user_idmap(du, l->uid, l->gid);
                if (r < 0)
                        return lp_log_errno(r, "cannot make the idmapping of the run's user: %m");
                r = lp_fs_idmap_clones(&l->plan, du->userns, l->uid, &l->idmapped, &error);
                if (r == -EINVAL)
                        return lp_log_errno(r, "%s", error);
                if (r < 0)
                        return lp_log_errno(r, "cannot idmap the writable paths: %m");
        }
        if ((r = lp_dynamic_user_files(du, lp_env_get(l->envp, "HOME"))) < 0 ||
            (r = lp_env_replace(l->envp, "USER", du->name)) < 0 ||
            (r = lp_env_replace(l->envp, "LOGNAME", du->name)) < 0)
                return lp_log_errno(r, "cannot name the run's user: %m");
        l->identity = (struct lp_identity){
                .set_user = true, .set_group = true, .uid = du->id, .gid = du->id};
        return 0;
}

/* [Identity] User= or Group= that this host does not know: the line that
 * names it, and the way out. */
static int report_unknown_identity(const struct lp_policy *p, int r)
{
        struct lp_policy user_only = *p; /* read only: which of the two failed */
        struct lp_identity ignored;
        user_only.group = NULL;
        bool user = p->user && lp_identity_resolve(&user_only, &ignored) < 0;
        char where[128];
        lp_origin_format(user ? &p->user_origin : &p->group_origin, where, sizeof(where));
        return lp_log_errno(r,
                            "%s: [Identity] %s=%s: no such %s on this host; create it, or give "
                            "a number (%s=65534)",
                            where, user ? "User" : "Group", user ? p->user : p->group,
                            user ? "user" : "group", user ? "User" : "Group");
}

static int prepare_command(const struct lp_policy *p, const struct lp_run_options *o,
                           struct lp_findings *store, struct launch *l)
{
        /* The host's network (Namespace=host, --audit) reaches the
         * forwarded endpoints itself. */
        /* (A unix: forward needs the command's own view, see
         * bind_unix_forwards; its network does not matter.) */
        if ((p->netns == LP_NETNS_LOOPBACK || p->n_forwards) && !o->audit)
                l->n_endpoints = lp_forward_endpoints(p, l->endpoints, LP_FORWARD_LISTENERS_MAX);
        if (l->n_endpoints > LP_FORWARD_LISTENERS_MAX)
                return lp_log_errno(-E2BIG,
                                    "[Network] Forward=: %zu listeners, more than the %d a run "
                                    "may have",
                                    l->n_endpoints, LP_FORWARD_LISTENERS_MAX);
        /* A connect to one of them that no forward serves is a finding
         * (rules/checks.c); without the list, it is only refused. */
        int r = p->netns == LP_NETNS_LOOPBACK && !o->audit
                        ? lp_listeners_host_loopback(&l->host_ports)
                        : 0;
        if (r >= 0)
                l->n_host_ports = (size_t)r;
        else
                lp_debug("the host's loopback services are not known: %s", strerror(-r));
        /* The resolver's servers get stand-ins in the command's lo. */
        if (p->netns == LP_NETNS_LOOPBACK && !o->audit)
                lp_dns_servers_read(&l->dns_servers);
        r = check_host_network_caps(p, o);
        if (r < 0)
                return r;
        r = lp_identity_resolve(p, &l->identity);
        if (r < 0)
                return report_unknown_identity(p, r);
        if ((r = lp_env_build(p, environ, store, &l->envp)) < 0)
                return lp_log_errno(r, "cannot build the command's environment: %m");
        if ((r = resolve_command(o->argv[0], l->envp, &l->path)) < 0)
                return r; /* -ENOENT: the caller reports 127 */
        /* After the command is found: its directory stays in view. */
        if ((r = prepare_filesystem(p, o, l)) < 0)
                return r == -ENOENT ? -EINVAL : r; /* -ENOENT would read as "not found" */
        mark(l, LP_STEP_PREPARE);
        /* --audit changes nothing the command sees: its identity stays. */
        if (p->dynamic_user.value && !o->audit && (r = prepare_dynamic_user(p, l)) < 0)
                return r == -ENOENT ? -EINVAL : r;
        mark(l, LP_STEP_DYNAMIC_USER);
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, l->sock) < 0)
                return lp_log_errno(-errno, "cannot create the status socket: %m");
        /* The listener arrives with the sender's pid: the command's, as we
         * see it, even from inside its PID namespace. */
        if (setsockopt(l->sock[0], SOL_SOCKET, SO_PASSCRED, &(int){1}, sizeof(int)) < 0)
                return lp_log_errno(-errno, "cannot set up the status socket: %m");
        return 0;
}

/* Whether the policy leaves every one of `names` to DefaultAction. */
static bool all_left_to_default(const struct lp_policy *p, const char *const *names)
{
        for (size_t i = 0; names[i]; i++) {
                const struct lp_syscall_rule *r = lp_policy_syscall_by_name(p, names[i]);
                if (!r || r->action.type == LP_ACTION_ALLOW || !lp_syscall_rule_is_default(r))
                        return false;
        }
        return true;
}

/* Learning: the filter again, with the calls that create processes
 * allowed as well (clone's namespace flags still notified: filter.c), for
 * a command whose PID namespace's init counts what they create. A
 * notified clone may fail with EINTR, which the command would never see
 * otherwise: a signal that comes before the supervisor has received the
 * notification interrupts the wait (seccomp_unotify(2)), and a shell's
 * SIGCHLD handler comes often. Only where the policy leaves them all to
 * DefaultAction: what it names stays as named, and observed. */
static int compile_counted_filter(const struct lp_policy *p, const char *const *creating,
                                  struct lp_filter_options fo, struct launch *l)
{
        if (!creating || !all_left_to_default(p, creating))
                return 0;
        size_t n_also = 0, n = 0;
        while (fo.also_allow && fo.also_allow[n_also])
                n_also++;
        while (creating[n])
                n++;
        _cleanup_free_ const char **names = calloc(n_also + n + 1, sizeof(*names));
        if (!names)
                return -ENOMEM;
        if (n_also)
                memcpy(names, fo.also_allow, n_also * sizeof(*names));
        memcpy(names + n_also, creating, n * sizeof(*names));
        fo.also_allow = names;
        return lp_filter_compile(p, &fo, &l->counted_filter);
}

/* The observers count what is refused: --audit and learn refuse nothing
 * (and run on the host's network, where the supervisor tells a host
 * service from the rest: rules/checks.c). */
static bool refusing_run(const struct lp_run_options *o)
{
        return !o->audit && !o->learn;
}

/* The network observer needs root (CAP_BPF, CAP_NET_ADMIN) and a network
 * namespace of the run's own. */
static bool wants_net_observer(const struct lp_policy *p, const struct lp_run_options *o)
{
        return p->netns != LP_NETNS_HOST && refusing_run(o) && geteuid() == 0;
}

/* With the outside route, a query to an outside server reaches the
 * supervisor through it and is answered from that server's address
 * (supervise/outside.h), and reported as the observer reports it, the
 * server's destination too: only a loopback server, which the route
 * never sees, keeps its stand-in. */
static void keep_loopback_servers(struct lp_dns_servers *s)
{
        unsigned loopback = 0;
        for (size_t i = 0; i < s->n; i++)
                if (s->info[i].loopback)
                        loopback |= 1u << i;
        lp_dns_servers_keep(s, loopback);
}

/* The outside route, where the network observer is not had: the same
 * runs, but only a namespace whose lo is up routes anything. */
static bool wants_outside_route(const struct lp_policy *p, const struct lp_run_options *o)
{
        return p->netns == LP_NETNS_LOOPBACK && refusing_run(o);
}

/* The filesystem observer, asked for (--observe-writes: its syscall
 * tracepoints cost every syscall of the machine and the launch, which
 * only a write-heavy command gets back): the same, and a plan that
 * refuses some write and is put in place. */
static bool wants_fs_observer(const struct launch *l)
{
        return l->o->observe_writes && l->apply_fs && lp_fs_plan_restricts(&l->plan) &&
               refusing_run(l->o) && geteuid() == 0;
}

/* Whether fd is a unix socket that could reach another address: a
 * datagram or seqpacket one, or a stream one not connected. */
static bool reaching_unix_socket(int fd)
{
        int domain = 0, type = 0;
        socklen_t len = sizeof(int);
        struct sockaddr_storage peer;
        socklen_t peer_len = sizeof(peer);
        if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 || domain != AF_UNIX)
                return false;
        len = sizeof(int);
        return getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0 || type != SOCK_STREAM ||
               getpeername(fd, (struct sockaddr *)&peer, &peer_len) < 0;
}

/* A socket so of the caller's that the command keeps (0-2, --pass-fd).
 * Made outside the run's cgroup, it is not seen by the observer's unix
 * hooks (the kernel runs a socket's cgroup programs, not its caller's). */
static bool inherits_unix_socket(const struct lp_run_options *o)
{
        for (int fd = 0; fd < 3; fd++)
                if (reaching_unix_socket(fd))
                        return true;
        for (size_t i = 0; i < o->n_pass_fds; i++)
                if (reaching_unix_socket(o->pass_fds[i]))
                        return true;
        return false;
}

static int prepare(const struct lp_policy *p, const struct lp_run_options *o,
                   struct lp_findings *store, struct launch *l)
{
        *l = (struct launch){.policy = p,
                             .o = o,
                             .parent = getpid(),
                             .uid = getuid(),
                             .gid = getgid(),
                             .sock = {-1, -1},
                             .observer_go = {-1, -1},
                             .store = {.fd = -1},
                             .du = LP_DYNAMIC_USER_INIT,
                             .cgroup = LP_CGROUP_INIT,
                             .net = LP_NET_OBSERVER_INIT,
                             .fs = LP_FS_OBSERVER_INIT,
                             .outside_fds = {-1, -1},
                             .mark_us = lp_step_clock_us()};
        int r = prepare_command(p, o, store, l);
        if (r < 0)
                return r;
        if ((r = lp_cgroup_create(p, &l->cgroup)) < 0)
                return r;
        mark(l, LP_STEP_CGROUP);
        l->net_on = wants_net_observer(p, o) &&
                    lp_net_observer_prepare(p, lp_cgroup_unified_fd(&l->cgroup), l->host_ports,
                                            l->n_host_ports, &l->net) > 0;
        if (l->net_on && lp_net_observer_sees_unix(&l->net) && inherits_unix_socket(o))
                lp_net_observer_skip_unix(&l->net, "the command inherits a unix socket made "
                                                   "outside the run's cgroup, whose calls its "
                                                   "hooks do not see");
        l->outside_on = !l->net_on && wants_outside_route(p, o) && lp_outside_route_possible(p);
        if (l->outside_on) {
                lp_debug("outside route: %s; connects and sends stay in the kernel, their "
                         "packets to outside addresses come to the supervisor",
                         LP_OUTSIDE_ROUTE_NAME);
                keep_loopback_servers(&l->dns_servers);
        }
        /* --audit keeps the caller's capabilities */
        bool own_ids_fixed =
                !o->audit && !lp_policy_keeps(p, CAP_SETUID) && !lp_policy_keeps(p, CAP_SETGID);
        struct lp_fs_program_spec fs = {
                .policy = p,
                .own_ids_fixed = own_ids_fixed,
                .own_uid = l->identity.set_user ? l->identity.uid : l->uid,
                .own_gid = l->identity.set_group ? l->identity.gid : l->gid,
        };
        l->fs_on = wants_fs_observer(l) &&
                   lp_fs_observer_prepare(&fs, lp_cgroup_unified_fd(&l->cgroup), &l->fs) > 0;
        if (observed(l) && pipe2(l->observer_go, O_CLOEXEC) < 0)
                return lp_log_errno(-errno, "cannot make the observers' pipe: %m");
        /* Compiled here, before the fork, so the child only loads it. */
        l->cache_dir = o->no_cache ? NULL : lp_filter_cache_dir();
        struct lp_filter_options fo = {.handshake_fd = l->sock[1],
                                       .also_allow = o->also_allow,
                                       .fs_restricted = lp_fs_plan_restricts(&l->plan),
                                       .net_observed = l->net_on || l->outside_on,
                                       .unix_observed =
                                               l->net_on && lp_net_observer_sees_unix(&l->net),
                                       .fs_observed = l->fs_on,
                                       .own_ids_fixed = own_ids_fixed,
                                       .own_uid = fs.own_uid,
                                       .own_gid = fs.own_gid,
                                       .cache_dir = l->cache_dir};
        if ((r = lp_filter_compile(p, &fo, &l->filter)) < 0 ||
            (r = compile_counted_filter(p, o->process_creation, fo, l)) < 0)
                return lp_log_errno(r, "cannot compile the seccomp filter: %m");
        mark(l, LP_STEP_COMPILE_FILTER);
        /* Orphaned grandchildren are re-parented to us, so none escapes the
         * final kill (a double-forked daemon included). */
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return lp_log_errno(-errno, "cannot become a child subreaper: %m");
        if ((r = lp_supervise_block_signals(&l->old_mask)) < 0)
                return lp_log_errno(r, "cannot block signals: %m");
        l->signals_blocked = true;
        return 0;
}

static void release(struct launch *l)
{
        if (l->signals_blocked)
                sigprocmask(SIG_SETMASK, &l->old_mask, NULL);
        lp_filter_free(l->filter);
        lp_filter_free(l->counted_filter);
        lp_net_observer_stop(&l->net);
        lp_fs_observer_stop(&l->fs);
        lp_cgroup_finish(&l->cgroup, l->policy, NULL, 0);
        lp_hidden_free(l->hidden);
        lp_fs_store_done(&l->store);
        lp_fs_idmap_done(&l->plan, l->idmapped);
        lp_dynamic_user_release(&l->du, l->du_clean);
        free(l->host_ports);
        lp_fs_plan_done(&l->plan);
        free(l->cwd);
        free(l->cache_dir);
        lp_env_free(l->envp);
        free(l->path);
        for (int i = 0; i < 2; i++) {
                if (l->sock[i] >= 0)
                        close(l->sock[i]);
                if (l->observer_go[i] >= 0)
                        close(l->observer_go[i]);
        }
}

/* -v: where the launch spent its time. */
static void log_times(const struct launch *l, const struct lp_step_times *child)
{
        char line[1024];
        size_t used = 0;
        if (l->o->profile_us)
                used += (size_t)snprintf(line, sizeof(line), " profile %.2f,",
                                         (double)l->o->profile_us / 1000.0);
        for (int s = 0; s < LP_STEP_COUNT && used < sizeof(line); s++) {
                uint32_t us = s <= LP_STEP_NET_OBSERVER ? l->times.us[s] : child->us[s];
                if (s != LP_STEP_EXEC)
                        used += (size_t)snprintf(line + used, sizeof(line) - used, " %s %.2f,",
                                                 lp_step_name((enum lp_step)s), us / 1000.0);
        }
        if (used > 0 && used < sizeof(line))
                line[used - 1] = '\0';
        lp_debug("launch steps (ms):%s", line);
}

/* Whether the command could leave files of its own in the host's `dir`:
 * the host's directory was in its view, writable, and not idmapped. */
static bool shared_with_host(const struct lp_fs_plan *plan, const char *dir)
{
        const struct lp_fs_rule *r = lp_fs_plan_lookup(plan, dir);
        if (access(dir, F_OK) < 0)
                return false;
        return !r || (r->access == LP_FS_WRITABLE && r->kind != LP_FS_PRIVATE_TMP &&
                      r->kind != LP_FS_PRIVATE_DEVICES && r->kind != LP_FS_READ_WRITE_PATH);
}

/* After the tree is gone: what the dynamic user still holds on the host
 * is removed and reported, in the shared writable directories the
 * command could write in. */
static int clean_dynamic_user(struct launch *l, struct lp_findings *store, uint64_t start_ms,
                              int status)
{
        const char *const *shared = lp_leftovers_shared_dirs;
        const char *dirs[8]; /* room for lp_leftovers_shared_dirs (five) */
        size_t n = 0;
        if (!l->du.id)
                return status;
        bool host_ipc = !l->policy->private_ipc.value;
        for (size_t i = 0; shared[i] && n + 1 < LP_ELEMENTSOF(dirs); i++)
                /* POSIX message queues of the host's IPC namespace are
                 * files of its mqueue mount, in view or not. */
                if (shared_with_host(&l->plan, shared[i]) ||
                    (host_ipc && strcmp(shared[i], "/dev/mqueue") == 0 &&
                     access(shared[i], F_OK) == 0))
                        dirs[n++] = shared[i];
        dirs[n] = NULL;
        struct lp_leftovers left = {.id = l->du.id,
                                    .host_ipc = host_ipc,
                                    .dirs = dirs,
                                    .policy = l->policy,
                                    .start_ms = start_ms};
        l->du_clean = lp_leftovers_clean(&left, store) >= 0;
        return l->du_clean ? status : LP_EXIT_SETUP_FAILED;
}

/* The forwards' listeners, from the handover, to the forwarder (which
 * owns them from then on, or closes them). */
static int start_forwarder(const struct launch *l, const struct handover *h,
                           struct lp_findings *store, uint64_t start_ms, struct lp_forwarder **ret)
{
        int fds[LP_FORWARD_LISTENERS_MAX];
        size_t k = 0;
        *ret = NULL;
        for (size_t i = 0; i < l->n_endpoints; i++)
                fds[i] = (h->forward_present & (UINT64_C(1) << i)) && k < h->n_forwards
                                 ? h->forwards[k++]
                                 : -1;
        for (; k < h->n_forwards; k++)
                close(h->forwards[k]); /* more than announced: not ours to use */
        if (!l->n_endpoints)
                return 0;
        return lp_forwarder_new(l->policy, fds, l->endpoints, l->n_endpoints, store, start_ms, ret);
}

/* While the setup child builds the sandbox: the observer's programs,
 * then the word that lets the command start. */
static int attach_observer(struct launch *l)
{
        if (!observed(l))
                return 0;
        int r = l->net_on ? lp_net_observer_attach(l->policy, &l->net) : 0;
        if (r < 0)
                return lp_log_errno(r, "cannot attach the network observer to the run's cgroup: %m "
                                       "(a kernel or security module that refuses cgroup BPF "
                                       "programs; [Network] Namespace=host needs none)");
        r = l->fs_on ? lp_fs_observer_attach(&l->fs) : 0;
        mark(l, LP_STEP_NET_OBSERVER);
        if (r < 0)
                return lp_log_errno(r, "cannot attach the filesystem observer: %m (a kernel or "
                                       "security module that refuses tracing BPF programs; "
                                       "a run without --observe-writes needs none)");
        /* A setup child that is gone (EPIPE) has said why: the handover
         * reads it. */
        (void)write(l->observer_go[1], "1", 1);
        return 0;
}

/* A launch that ends before the supervision: the tree killed (`pid`,
 * our child, too unless 0: it has exited), the cgroups and the dynamic
 * user's leftovers gone. Returns `status`. */
static int abandon_run(struct launch *l, pid_t pid, struct lp_findings *store, uint64_t start_ms,
                       int status)
{
        if (pid > 0)
                kill(pid, SIGKILL);
        lp_supervise_kill_tree();
        lp_cgroup_finish(&l->cgroup, l->policy, store, start_ms);
        return clean_dynamic_user(l, store, start_ms, status);
}

static int supervise_child(struct launch *l, pid_t pid, struct lp_findings *store,
                           uint64_t start_ms)
{
        const struct lp_policy *p = l->policy;
        struct handover h;
        close(l->sock[1]);
        l->sock[1] = -1;
        if (l->observer_go[0] >= 0)
                close(l->observer_go[0]);
        l->observer_go[0] = -1;
        if (attach_observer(l) < 0)
                return abandon_run(l, pid, store, start_ms, LP_EXIT_SETUP_FAILED);
        int listener = receive_listener(l->sock[0], &h);
        if (l->born_init)
                h.init = pid;
        if (listener < 0)
                return abandon_run(l, 0, store, start_ms, report_setup_failure(&h.failure));
        log_times(l, &h.times);
        /* The notified path reports only those as answered inside. */
        lp_dns_servers_keep(&l->dns_servers, h.dns_standins);
        struct lp_notifier *n = NULL;
        struct lp_notifier_options no = {.audit = l->o->audit,
                                         .learn = l->o->learn,
                                         .start_ms = start_ms,
                                         .fs_plan = &l->plan,
                                         .also_allow = l->o->also_allow,
                                         .host_ports = l->host_ports,
                                         .n_host_ports = l->n_host_ports,
                                         .dns_standins = l->dns_servers.info,
                                         .n_dns_standins = l->dns_servers.n,
                                         .net_observed = l->net_on || l->outside_on};
        struct lp_forwarder *fw = NULL;
        struct lp_net_observed *net = NULL;
        struct lp_fs_observed *fs = NULL;
        struct lp_dns_trap *trap = NULL;
        struct lp_outside *outside = NULL;
        /* The init outlives the command, in its mount namespace. */
        pid_t holder = h.init > 0 ? h.init : h.command > 0 ? h.command : pid;
        int r = start_forwarder(l, &h, store, start_ms, &fw);
        if (r >= 0)
                r = lp_notifier_new(p, store, listener, &no, &n);
        if (r >= 0)
                r = lp_net_observed_new(&l->net, &net);
        /* Taken even after a failure above: it closes the socket. The
         * programs send queries to it: without it, they would wait for
         * an answer that never comes. */
        bool trapping = l->net_on && lp_net_observer_traps_dns(&l->net);
        pid_t command = h.command > 0 ? h.command : pid;
        int rt = lp_dns_trap_new(h.dns_traps, h.n_dns_traps, trapping ? &l->net : NULL, holder,
                                 command, p, store, start_ms,
                                 &trap); /* its socket first: make_dns_traps */
        if (r >= 0)
                r = rt;
        if (r >= 0 && trapping && !trap)
                r = -EPROTO;
        /* Taken even after a failure above: it closes the device. The
         * filter lets inet destinations through: without the reader, they
         * would be no finding. */
        int ro = lp_outside_new(h.outside[0], h.outside[1], holder, command, p, store, start_ms,
                                &outside);
        if (r >= 0)
                r = ro;
        if (r >= 0 && l->outside_on && !outside)
                r = -EPROTO;
        if (r >= 0)
                r = lp_fs_observed_new(&l->fs, p, &l->plan, holder, l->cwd, &fs);
        if (r >= 0)
                lp_net_observed_names(net, l->fs.execs, holder); /* -1: no exec names */
        if (r < 0) {
                lp_outside_free(outside);
                lp_dns_trap_free(trap);
                lp_fs_observed_free(fs);
                lp_net_observed_free(net);
                lp_notifier_free(n);
                lp_forwarder_free(fw);
                close(listener);
                lp_log_errno(r, "cannot start the supervisor: %m");
                return abandon_run(l, pid, store, start_ms, LP_EXIT_SETUP_FAILED);
        }
        unsigned timeout = l->o->timeout_sec;
        if (!timeout && p->timeout.set)
                timeout = (unsigned)p->timeout.value;
        struct lp_child_status failure = {.kind = LP_CHILD_NONE};
        struct lp_supervision s = {.child = pid,
                                   .command = h.command > 0 ? h.command : pid,
                                   .init = h.init,
                                   .processes_counted = h.processes_counted,
                                   .created_as = l->o->process_creation ? l->o->process_creation[0]
                                                                        : NULL,
                                   .status_fd = l->sock[0],
                                   .listener = listener,
                                   .notifier = n,
                                   .timeout_sec = timeout,
                                   .failure = &failure,
                                   .hidden = l->hidden,
                                   .forwarder = fw,
                                   .dns_trap = trap,
                                   .outside = outside,
                                   .net_observed = net,
                                   .fs_observed = fs,
                                   .policy = p,
                                   .findings = store,
                                   .start_ms = start_ms};
        int status = lp_supervise(&s);
        if (failure.kind == LP_CHILD_FAILED)
                report_exec_failure(l->o->argv[0], &failure);
        lp_debug("%llu notifications handled", (unsigned long long)lp_notifier_handled(n));
        lp_notifier_free(n);
        lp_forwarder_free(fw);
        close(listener);
        /* A query sent just before its process ended is a finding too. */
        if ((r = lp_dns_trap_finish(trap)) < 0)
                lp_log_errno(r, "the DNS trap failed: %m");
        lp_dns_trap_free(trap);
        if ((r = lp_outside_finish(outside)) < 0)
                lp_log_errno(r, "the outside route's reader failed: %m");
        lp_outside_free(outside);
        /* The tree is gone: what the observers counted is complete. */
        /* A send to a server whose stand-in answered has no errno. */
        struct lp_decider observed = {.policy = p,
                                      .fs_plan = &l->plan,
                                      .dns_standins = l->dns_servers.info,
                                      .n_dns_standins = l->dns_servers.n};
        if ((r = lp_net_observed_collect(net, &observed, store, start_ms)) < 0)
                lp_log_errno(r, "cannot read what the network observer counted: %m");
        lp_net_observed_free(net);
        if ((r = lp_fs_observed_collect(fs, store, start_ms)) < 0)
                lp_log_errno(r, "cannot read what the filesystem observer counted: %m");
        lp_fs_observed_free(fs);
        /* After the tree, before the dynamic user's leftovers are looked
         * for: nothing inside may still be running. */
        uint64_t ended_us = lp_step_clock_us();
        lp_cgroup_finish(&l->cgroup, p, store, start_ms);
        uint64_t cgroups_us = lp_step_clock_us();
        status = clean_dynamic_user(l, store, start_ms, status);
        lp_debug("after the command (ms): cgroups %.2f, dynamic user %.2f",
                 (double)(cgroups_us - ended_us) / 1000.0,
                 (double)(lp_step_clock_us() - cgroups_us) / 1000.0);
        return status;
}

/* The child is born the init of the command's PID namespace, in its
 * mount namespace and the run's v2 cgroup, and (not root) in the user
 * namespace that owns them: one clone3, one process fewer than a setup
 * child that unshares and forks the init. A refused clone3 (an older
 * kernel, a container's seccomp policy, a host without unprivileged user
 * namespaces) leaves it to a setup child, which also says which step the
 * host refuses. Not root without namespaces (Namespace=host ...), or
 * learning as a user, the setup child decides as before. */
static pid_t fork_child(struct launch *l)
{
        bool userns = lp_namespaces_need_userns(l->policy, l->o->audit);
        if (geteuid() == 0 || userns) {
                pid_t pid = lp_cgroup_clone(&l->cgroup, CLONE_NEWPID | CLONE_NEWNS |
                                                                (userns ? CLONE_NEWUSER : 0));
                l->born_init = pid >= 0;
                if (pid >= 0)
                        return pid;
        }
        return fork();
}

int lp_run(const struct lp_policy *p, const struct lp_run_options *o, struct lp_findings *store)
{
        uint64_t start_ms = lp_now_ms();
        struct launch l;
        int status, r = prepare(p, o, store, &l);
        /* Until the fork, the dynamic user has held nothing. */
        l.du_clean = true;
        if (r == -ENOENT) {
                lp_error("%s: command not found", o->argv[0]);
                status = LP_EXIT_NOT_FOUND;
        } else if (r < 0) {
                status = LP_EXIT_SETUP_FAILED;
        } else {
                pid_t pid = fork_child(&l);
                l.du_clean = pid < 0;
                if (pid == 0) {
                        close(l.sock[0]);
                        child_main(&l);
                }
                mark(&l, LP_STEP_FORK);
                /* A write to a peer that is gone (a forward's splice, a
                 * report to a closed pipe) is EPIPE, not our death. After
                 * the fork: an ignored SIGPIPE would pass through exec. */
                if (pid > 0)
                        signal(SIGPIPE, SIG_IGN);
                status = pid < 0 ? (lp_log_errno(-errno, "cannot fork: %m"), LP_EXIT_SETUP_FAILED)
                                 : supervise_child(&l, pid, store, start_ms);
        }
        uint64_t release_us = lp_step_clock_us();
        release(&l);
        lp_debug("released the run's resources in %.2f ms (the hidden-path watch included)",
                 (double)(lp_step_clock_us() - release_us) / 1000.0);
        return status;
}
