/* One seccomp user notification at a time: receive, decode, decide,
 * answer, record. The answer is the decision's: the profile's errno, a
 * kill, or CONTINUE where the kernel's own answer should stand; never an
 * allow on the strength of tracee memory (docs/architecture.md, "Threat
 * model"). Nothing is allocated per notification: the request, the
 * decoded call and the verdict are the notifier's. */
#include "supervise/notify.h"

#include <errno.h>
#include <poll.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "findings/findings.h"
#include "profile/policy.h"
#include "rules/decide.h"
#include "rules/fs_plan.h"
#include "supervise/exe_cache.h"
#include "supervise/proc.h"
#include "supervise/record.h"
#include "supervise/tracee.h"

/* Linux 6.6: wake the supervisor on the notifying thread's CPU, and the
 * thread on the supervisor's, instead of through an inter-processor
 * interrupt to an idle CPU (for gVisor, commit 48a1084a8b74). Debian 12's
 * headers predate it. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP 1UL
#endif

struct lp_notifier {
        const struct lp_policy *policy;
        struct lp_findings *store;
        int fd;
        struct lp_notifier_options o;
        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        size_t req_size, resp_size;
        struct lp_proc proc;
        struct lp_proc_reader proc_reader;
        struct lp_decider decider;
        struct lp_call call;
        struct lp_verdict verdict;
        int *killed;
        size_t n_killed, cap_killed;
        uint64_t handled;
        struct lp_exe_cache exe;
};

/* The unprivileged port start of a new network namespace is 1024 (it is
 * not inherited); with Namespace=host it is the host's sysctl. Read once,
 * not per bind. */
static unsigned unprivileged_port_start(const struct lp_policy *p)
{
        if (p->netns != LP_NETNS_HOST)
                return 1024;
        return (unsigned)lp_read_long("/proc/sys/net/ipv4/ip_unprivileged_port_start", 1024);
}

static void init_decider(struct lp_notifier *n)
{
        const struct lp_policy *p = n->policy;
        n->proc_reader = lp_proc_reader(&n->proc);
        n->decider = (struct lp_decider){
                .policy = p,
                .proc = &n->proc_reader,
                .audit = n->o.audit,
                .learn = n->o.learn,
                .own_userns = !n->o.audit && geteuid() != 0 && lp_policy_wants_namespaces(p),
                .unprivileged_port_start = unprivileged_port_start(p),
                /* NULL when nothing is refused: writes need no look. */
                .fs_plan = n->o.fs_plan && lp_fs_plan_restricts(n->o.fs_plan) ? n->o.fs_plan : NULL,
                .also_allow = n->o.also_allow,
                .host_ports = n->o.host_ports,
                .n_host_ports = n->o.n_host_ports,
                .net_observed = n->o.net_observed,
                .dns_standins = n->o.dns_standins,
                .n_dns_standins = n->o.n_dns_standins,
        };
}

int lp_notifier_new(const struct lp_policy *p, struct lp_findings *store, int listener_fd,
                    const struct lp_notifier_options *o, struct lp_notifier **ret)
{
        struct seccomp_notif_sizes sizes;
        if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
                return -errno;
        struct lp_notifier *n = calloc(1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        int r = seccomp_notify_alloc(&n->req, &n->resp);
        if (r < 0) {
                free(n);
                return r;
        }
        n->req_size = sizes.seccomp_notif;
        n->resp_size = sizes.seccomp_notif_resp;
        n->policy = p;
        n->store = store;
        n->fd = listener_fd;
        n->o = *o;
        lp_exe_cache_init(&n->exe);
        init_decider(n);
        /* Best effort: older kernels answer EINVAL and wake as before. */
        (void)ioctl(listener_fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
        *ret = n;
        return 0;
}

void lp_notifier_free(struct lp_notifier *n)
{
        if (!n)
                return;
        seccomp_notify_free(n->req, n->resp);
        lp_call_done(&n->call);
        lp_proc_done(&n->proc);
        lp_exe_cache_done(&n->exe);
        free(n->killed);
        free(n);
}

bool lp_notifier_killed(const struct lp_notifier *n, int pid)
{
        for (size_t i = 0; n && i < n->n_killed; i++)
                if (n->killed[i] == pid)
                        return true;
        return false;
}

uint64_t lp_notifier_handled(const struct lp_notifier *n)
{
        return n->handled;
}

static int record(struct lp_notifier *n, const struct lp_verdict *v)
{
        if (v->n_findings == 0)
                return 0;
        int pid = (int)n->req->pid;
        const char *exe = lp_exe_cache_lookup(&n->exe, pid);
        return lp_record_verdict(n->store, v, 1, pid, exe, lp_now_ms() - n->o.start_ms);
}

static void kill_process(struct lp_notifier *n, int tid)
{
        int tgid = lp_proc_thread_group(tid);
        /* Through a pidfd, taken while the notification is still pending
         * (its task alive, its pid not yet anyone else's): a pid read from
         * /proc may be reused by the time the signal is sent. */
        int fd = (int)syscall(SYS_pidfd_open, tgid, 0);
        if (fd < 0 || seccomp_notify_id_valid(n->fd, n->req->id) != 0) {
                if (fd >= 0)
                        close(fd);
                return; /* gone already */
        }
        /* SIGKILL, not SIGSYS: a handler or a blocked mask cannot keep the
         * process alive. The run reports 128+SIGSYS as for a seccomp kill. */
        (void)syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
        close(fd);
        if (LP_GROW(n->killed, n->cap_killed, n->n_killed) >= 0)
                n->killed[n->n_killed++] = tgid;
}

/* The x32 ABI's numbers carry this bit (asm/unistd.h). */
#define X32_BIT 0x40000000U

/* A call of a non-native ABI (the filter's bad-arch action notifies
 * them, so that each is a finding before its kill): its name in its own
 * table. */
static void decode_foreign(struct lp_notifier *n, const struct seccomp_data *d)
{
        uint32_t arch = d->arch != seccomp_arch_native() ? d->arch : SCMP_ARCH_X32;
        const char *abi = arch == SCMP_ARCH_X86   ? "i386"
                          : arch == SCMP_ARCH_X32 ? "x32"
                                                  : "foreign";
        char *name = seccomp_syscall_resolve_num_arch(arch, d->nr);
        lp_call_foreign(&n->call, (int)n->req->pid, d->nr, abi, name);
        free(name);
}

static void decode_and_decide(struct lp_notifier *n)
{
        const struct seccomp_data *d = &n->req->data;
        struct lp_tracee t = {.pid = (int)n->req->pid, .listener = n->fd, .id = n->req->id};
        lp_proc_next_call(&n->proc);
        struct lp_decode_reader rd = lp_tracee_reader(&t);
        uint64_t args[6];
        for (int i = 0; i < 6; i++)
                args[i] = d->args[i];
        if (d->arch != seccomp_arch_native() || ((unsigned)d->nr & X32_BIT)) {
                decode_foreign(n, d);
        } else {
                /* Without memory for every address of a sendmmsg, the
                 * call is decided on those read. */
                (void)lp_call_decode(&n->call, n->policy, &rd, (int)n->req->pid, d->nr, args);
        }
        lp_decide(&n->decider, &n->call, &n->verdict);
}

/* libseccomp 2.5.4 reports every failed ioctl as -ECANCELED, and the
 * ioctl's errno is still in errno: a tracee that died (ENOENT) or a
 * signal (EINTR) is ordinary, anything else (a listener that is not one
 * any more, EBADF, EFAULT) is the supervisor's failure and must not pass
 * for ordinary. Newer versions may return the errno itself. */
static int ioctl_result(int r)
{
        return r == -ECANCELED && errno ? -errno : r;
}

static int respond(struct lp_notifier *n, const struct lp_verdict *v)
{
        memset(n->resp, 0, n->resp_size);
        n->resp->id = n->req->id;
        bool cont = v->answer == LP_ANSWER_CONTINUE;
        n->resp->error = cont ? 0 : -v->error;
        n->resp->flags = cont ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
        errno = 0;
        int r = ioctl_result(seccomp_notify_respond(n->fd, n->resp));
        /* The tracee died before the answer: fine. */
        return r < 0 && r != -ENOENT ? r : 0;
}

/* One poll after the receive, for two answers: whether another
 * notification waits (the caller's next turn), and whether the executable
 * cache's connector has news, which for this tracee it queued before its
 * call (exe_cache.h). */
static bool poll_after_receive(struct lp_notifier *n)
{
        struct pollfd p[2] = {{n->fd, POLLIN, 0}, {lp_exe_cache_fd(&n->exe), POLLIN, 0}};
        bool polled = poll(p, 2, 0) >= 0;
        /* Anything but silence is news: a broadcast the kernel could not
         * clone for us marks the socket ENOBUFS (POLLERR) with nothing
         * queued, and refuses every later event until a read clears it;
         * the read also drops every name, as a lost event must. */
        lp_exe_cache_polled(&n->exe, !polled || p[1].revents != 0);
        return polled && (p[0].revents & POLLIN);
}

int lp_notifier_handle(struct lp_notifier *n, bool *more)
{
        *more = false;
        /* libseccomp 2.5.4 does not zero the request; the kernel answers
         * EINVAL to a dirty buffer and a naive loop spins. */
        memset(n->req, 0, n->req_size);
        errno = 0;
        int r = ioctl_result(seccomp_notify_receive(n->fd, n->req));
        /* A tracee that died is not the listener's failure. */
        if (r == -ENOENT || r == -EINTR)
                return 0;
        if (r < 0)
                return r;
        n->handled++;
        decode_and_decide(n);
        *more = poll_after_receive(n);
        /* Recorded before the answer, while the tracee still waits for it. */
        int rec = record(n, &n->verdict);
        if (n->verdict.answer == LP_ANSWER_KILL)
                kill_process(n, (int)n->req->pid);
        /* The store counts what it cannot keep (folded): its failure is
         * said, not the listener's, which is what ends a run. */
        if (rec < 0)
                lp_log_errno(rec, "cannot record a finding: %m");
        /* The poll's word was for this notification only. */
        lp_exe_cache_polled(&n->exe, true);
        return respond(n, &n->verdict);
}

int lp_notifier_record_created(struct lp_notifier *n, const char *syscall, uint64_t count, int pid)
{
        lp_decide_created(&n->decider, syscall, count, &n->verdict);
        /* No executable: the count does not say which process created. */
        return lp_record_verdict(n->store, &n->verdict, count, pid, NULL,
                                 lp_now_ms() - n->o.start_ms);
}
