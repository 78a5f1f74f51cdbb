/* One seccomp user notification at a time (DESIGN.md §4): receive, decide
 * from the policy, record a finding, answer. The answer is the profile's
 * errno, a kill, or CONTINUE where the kernel's own answer should stand;
 * never an allow on the strength of tracee memory (DESIGN.md §1). */
#include "supervise/notify.h"

#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "rules/cap_gates.h"
#include "rules/decode.h"
#include "findings/findings.h"
#include "supervise/listeners.h"
#include "profile/policy.h"
#include "base/util.h"

/* x32 syscalls carry this bit with the x86_64 audit arch, so the filter's
 * bad-arch action does not see them; they are killed here instead. */
#define X32_SYSCALL_BIT 0x40000000

#define EXE_CACHE 64

struct lp_notifier {
        const struct lp_policy *policy;
        struct lp_findings *store;
        int fd;
        struct lp_notifier_options o;
        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        size_t req_size, resp_size;
        int *killed;
        size_t n_killed, cap_killed;
        uint64_t handled;
        unsigned unprivileged_port_start;
        /* Learning: loopback ports already told apart (host_service). */
        struct port_owner {
                uint16_t port;
                bool outside;
        } ports[64];
        size_t n_ports;
        /* The last executables seen, by thread id: the fallback when a
         * tracee is already gone, so its finding joins its siblings' rather
         * than appearing again with no executable. */
        struct {
                int pid;
                char exe[256];
        } recent[EXE_CACHE];
};

/* What one notification comes to. */
struct verdict {
        bool record;
        struct lp_finding f;
        int error;     /* errno to answer with; 0 with cont */
        bool cont;     /* SECCOMP_USER_NOTIF_FLAG_CONTINUE */
        bool kill;
        char target[512], dedupe[512], rule[512], fix[256], op[64], exe[256];
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
        n->unprivileged_port_start = unprivileged_port_start(p);
        *ret = n;
        return 0;
}

void lp_notifier_free(struct lp_notifier *n)
{
        if (!n)
                return;
        seccomp_notify_free(n->req, n->resp);
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

/* Up to three numbers after `key` ("Tgid:", "Uid:") in /proc/PID/status;
 * returns how many were read, 0 when the process is gone. */
static int status_field(int pid, const char *key, unsigned vals[3])
{
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/status", pid);
        FILE *f = fopen(path, "re");
        int found = 0;
        size_t len = strlen(key);
        while (f && !found && fgets(line, sizeof(line), f))
                if (strncmp(line, key, len) == 0)
                        found = sscanf(line + len, "%u %u %u", &vals[0], &vals[1], &vals[2]);
        if (f)
                fclose(f);
        return found < 0 ? 0 : found;
}

/* The thread group of a thread; the thread itself when gone. */
static int thread_group(int tid)
{
        unsigned v[3];
        return status_field(tid, "Tgid:", v) >= 1 ? (int)v[0] : tid;
}

/* Real, effective and saved ids of the tracee ("Uid:" or "Gid:"). */
static bool tracee_ids(int pid, const char *key, unsigned ids[3])
{
        return status_field(pid, key, ids) == 3;
}

static void rule_text(struct verdict *v, const struct lp_origin *o, const char *text)
{
        char origin[400];
        snprintf(v->rule, sizeof(v->rule), "%s %s", lp_origin_format(o, origin, sizeof(origin)),
                 text);
}

static enum lp_finding_action enforced(const struct lp_notifier *n, enum lp_finding_action a)
{
        return n->o.audit ? LP_FINDING_AUDITED : a;
}

/* Records a finding; the answer (errno, CONTINUE or kill) is set apart. */
static void finding(struct lp_notifier *n, struct verdict *v, enum lp_finding_kind kind,
                    const char *operation, enum lp_finding_action action, int err)
{
        v->record = true;
        v->f.kind = kind;
        v->f.operation = operation;
        v->f.action = enforced(n, action);
        v->f.errno_value = err;
}

/* ---- syscalls the profile does not allow ---- */

static void describe_syscall_rule(const struct lp_policy *p, const struct lp_syscall_rule *r,
                                  struct verdict *v)
{
        char text[256];
        if (r->hardening)
                snprintf(text, sizeof(text), "[Syscalls] built-in hardening: %s denied unless "
                         "allowed by name", r->name);
        else if (r->named || r->group)
                snprintf(text, sizeof(text), "[Syscalls] Deny=%s", r->named ? r->name : r->group);
        else if (p->default_action.type == LP_ACTION_KILL)
                snprintf(text, sizeof(text), "[Syscalls] DefaultAction=kill");
        else
                snprintf(text, sizeof(text), "[Syscalls] DefaultAction=errno:%s",
                         lp_errno_name(p->default_action.errno_value));
        rule_text(v, &r->origin, text);
}

static void deny_syscall(struct lp_notifier *n, const struct lp_syscall_rule *r, int nr,
                         struct verdict *v)
{
        const struct lp_policy *p = n->policy;
        struct lp_action a = r ? r->action : p->default_action;
        if (r) {
                describe_syscall_rule(p, r, v);
                snprintf(v->op, sizeof(v->op), "%s", r->name);
        } else {
                rule_text(v, &p->default_origin, "[Syscalls] DefaultAction (unknown syscall)");
                snprintf(v->op, sizeof(v->op), "syscall_%d", nr);
        }
        snprintf(v->fix, sizeof(v->fix), "[Syscalls] Allow=%s", v->op);
        bool kill = a.type == LP_ACTION_KILL || (nr & X32_SYSCALL_BIT);
        int err = a.type == LP_ACTION_ERRNO ? a.errno_value : 0;
        finding(n, v, LP_FINDING_SYSCALL, v->op, kill ? LP_FINDING_KILLED : LP_FINDING_DENIED,
                err);
        v->kill = kill;
        v->error = kill ? EPERM : err;
}

/* ---- the always-on argument hardening ---- */

static bool hardening_violated(const struct lp_policy *p, const char *name, const uint64_t *a)
{
        if (!strcmp(name, "ioctl"))
                return p->hardening.ioctl_tty &&
                       ((uint32_t)a[1] == LP_IOCTL_TIOCSTI || (uint32_t)a[1] == LP_IOCTL_TIOCLINUX);
        if (!strcmp(name, "clone"))
                return p->hardening.clone_ns && (a[0] & LP_NAMESPACE_FLAGS);
        if (!strcmp(name, "unshare"))
                return p->hardening.unshare_ns && (a[0] & LP_NAMESPACE_FLAGS);
        return false;
}

static void deny_hardening(struct lp_notifier *n, const char *name, struct verdict *v)
{
        static const struct lp_origin builtin = {NULL, 0};
        char text[200];
        snprintf(text, sizeof(text), "[Syscalls] built-in hardening: %s", v->dedupe);
        rule_text(v, &builtin, text);
        snprintf(v->fix, sizeof(v->fix), "[Syscalls] Allow=%s", name);
        snprintf(v->op, sizeof(v->op), "%s", name);
        finding(n, v, LP_FINDING_SYSCALL, v->op, LP_FINDING_DENIED, EPERM);
        v->error = EPERM;
}

/* ---- network ---- */

static void socket_family_denied(struct lp_notifier *n, int family, struct verdict *v)
{
        const struct lp_policy *p = n->policy;
        const char *name = lp_family_name(family);
        static const struct lp_origin builtin = {NULL, 0};
        rule_text(v, p->n_families ? &p->families[0].origin : &builtin,
                  "[Network] AddressFamilies= (family not listed)");
        snprintf(v->op, sizeof(v->op), "socket");
        snprintf(v->target, sizeof(v->target), "%s", name ? name : "unknown family");
        snprintf(v->dedupe, sizeof(v->dedupe), "%s", v->target);
        snprintf(v->fix, sizeof(v->fix), "[Network] AddressFamilies=%s", name ? name : "?");
        finding(n, v, LP_FINDING_NETWORK, v->op, LP_FINDING_DENIED, EAFNOSUPPORT);
        v->error = EAFNOSUPPORT;
        v->cont = false;
}

/* Learning runs on the host network, so a loopback connect reaches host
 * services that the loopback-only namespace of `run` will not have: those
 * are destinations to learn. Answered once per port (a /proc scan). */
static bool host_service(struct lp_notifier *n, uint16_t port)
{
        for (size_t i = 0; i < n->n_ports; i++)
                if (n->ports[i].port == port)
                        return n->ports[i].outside;
        bool outside = lp_listener_is_outside((int)n->req->pid, port);
        if (n->n_ports < LP_ELEMENTSOF(n->ports))
                n->ports[n->n_ports++] = (struct port_owner){port, outside};
        return outside;
}

/* connect/sendto to where the namespace does not reach: the kernel refuses
 * (ENETUNREACH); the finding says where the test tried to go. */
static void check_destination(struct lp_notifier *n, const char *name, const uint64_t *a,
                              struct verdict *v)
{
        const struct lp_policy *p = n->policy;
        bool to = !strcmp(name, "sendto");
        struct lp_tracee t = {(int)n->req->pid, n->fd, n->req->id};
        struct lp_sockaddr_info sa;
        if (lp_decode_sockaddr(&t, to ? a[4] : a[1], to ? a[5] : a[2], &sa) < 0)
                return;
        bool inet = sa.family == AF_INET || sa.family == AF_INET6;
        const char *proto = inet ? lp_decode_socket_proto(&t, (int)a[0]) : "";
        if (!inet || (sa.loopback && p->netns == LP_NETNS_LOOPBACK &&
                      !(n->o.learn && !strcmp(proto, "tcp") && host_service(n, sa.port))))
                return;
        snprintf(v->target, sizeof(v->target), "%s %s", proto, sa.text);
        snprintf(v->dedupe, sizeof(v->dedupe), "%s", v->target);
        snprintf(v->op, sizeof(v->op), "%s", name);
        rule_text(v, &p->netns_origin, p->netns == LP_NETNS_NONE ? "[Network] Namespace=none"
                                                                  : "[Network] Namespace=loopback");
        /* Forward= (a host endpoint reachable from inside) is parsed but not
         * served yet, so the fix that works today is the host network. */
        snprintf(v->fix, sizeof(v->fix), "[Network] Namespace=%s",
                 sa.loopback && p->netns == LP_NETNS_NONE ? "loopback" : "host");
        finding(n, v, LP_FINDING_NETWORK, v->op, LP_FINDING_DENIED, ENETUNREACH);
}

/* ---- capability-gated operations (cap_gates.h) ---- */

static void capability_needed(struct lp_notifier *n, int cap, struct verdict *v)
{
        const char *name = capng_capability_to_name((unsigned)cap);
        size_t len = (size_t)snprintf(v->op, sizeof(v->op), "CAP_%s", name ? name : "UNKNOWN");
        for (size_t i = 4; i < len && i < sizeof(v->op); i++)
                v->op[i] = (char)toupper((unsigned char)v->op[i]);
        rule_text(v, &n->policy->keep_origin, "[Capabilities] Keep=");
        snprintf(v->fix, sizeof(v->fix), "[Capabilities] Keep=%s", v->op);
        snprintf(v->dedupe, sizeof(v->dedupe), "%s", v->target);
        /* The kernel's usual answer: bind below the port start gives EACCES. */
        int err = cap == CAP_NET_BIND_SERVICE ? EACCES : EPERM;
        /* In leastpriv's own user namespace (not root) only the caller's ids
         * are mapped: the kernel answers EINVAL for any other id. */
        bool userns = !n->o.audit && n->policy->netns != LP_NETNS_HOST && geteuid() != 0;
        if (userns && (cap == CAP_CHOWN || cap == CAP_SETUID || cap == CAP_SETGID))
                err = EINVAL;
        finding(n, v, LP_FINDING_CAPABILITY, v->op, LP_FINDING_DENIED, err);
}

static bool id_is_own(int pid, const char *key, uint64_t id)
{
        unsigned ids[3];
        if ((uint32_t)id == (uint32_t)-1)
                return true; /* -1: leave unchanged */
        if (!tracee_ids(pid, key, ids))
                return true; /* gone: nothing to report */
        return (uint32_t)id == ids[0] || (uint32_t)id == ids[1] || (uint32_t)id == ids[2];
}

/* Which argument holds the owner of the chown family, and of the set*id
 * family the ids (up to three). */
static int chown_owner_arg(const char *name)
{
        return !strcmp(name, "fchownat") ? 2 : 1;
}

static bool needs_cap_chown(int pid, const char *name, const uint64_t *a)
{
        int i = chown_owner_arg(name);
        return !id_is_own(pid, "Uid:", a[i]) || !id_is_own(pid, "Gid:", a[i + 1]);
}

static bool needs_cap_setid(int pid, const char *name, const uint64_t *a, const char *key)
{
        int n = strstr(name, "res") ? 3 : strstr(name, "re") ? 2 : 1;
        if (!strcmp(name, "setgroups"))
                return true;
        for (int i = 0; i < n; i++)
                if (!id_is_own(pid, key, a[i]))
                        return true;
        return false;
}

static bool is_device_node(const char *name, const uint64_t *a)
{
        mode_t mode = (mode_t)(strcmp(name, "mknodat") ? a[1] : a[2]);
        return S_ISCHR(mode) || S_ISBLK(mode);
}

static bool needs_bind_service(struct lp_notifier *n, const uint64_t *a, struct verdict *v)
{
        struct lp_tracee t = {(int)n->req->pid, n->fd, n->req->id};
        struct lp_sockaddr_info sa;
        if (lp_decode_sockaddr(&t, a[1], a[2], &sa) < 0)
                return false;
        if ((sa.family != AF_INET && sa.family != AF_INET6) || sa.port == 0 ||
            sa.port >= n->unprivileged_port_start)
                return false;
        snprintf(v->target, sizeof(v->target), "bind %s %s", lp_decode_socket_proto(&t, (int)a[0]),
                 sa.text);
        return true;
}

static bool needs_net_raw(const uint64_t *a)
{
        int family = (int)a[0], type = (int)(a[1] & 0xf);
        return family == AF_PACKET || ((family == AF_INET || family == AF_INET6) && type == SOCK_RAW);
}

/* The capability this call needs given its arguments, or -1 for none. */
static int gate_capability(struct lp_notifier *n, const char *name, const uint64_t *a,
                           struct verdict *v)
{
        int pid = (int)n->req->pid;
        if (!strcmp(name, "bind"))
                return needs_bind_service(n, a, v) ? CAP_NET_BIND_SERVICE : -1;
        if (!strcmp(name, "socket"))
                return needs_net_raw(a) ? CAP_NET_RAW : -1;
        if (strstr(name, "chown"))
                return needs_cap_chown(pid, name, a) ? CAP_CHOWN : -1;
        if (!strncmp(name, "set", 3) && strstr(name, "uid"))
                return needs_cap_setid(pid, name, a, "Uid:") ? CAP_SETUID : -1;
        if (!strncmp(name, "set", 3) && (strstr(name, "gid") || strstr(name, "groups")))
                return needs_cap_setid(pid, name, a, "Gid:") ? CAP_SETGID : -1;
        if (!strncmp(name, "mknod", 5))
                return is_device_node(name, a) ? CAP_MKNOD : -1;
        if (!strcmp(name, "setpriority"))
                return (int)a[2] < 0 ? CAP_SYS_NICE : -1;
        /* A new user namespace needs no capability, and brings those the
         * other namespaces of the same call need (user_namespaces(7)). */
        if (!strcmp(name, "unshare"))
                return (a[0] & LP_NAMESPACE_FLAGS) && !(a[0] & CLONE_NEWUSER) ? CAP_SYS_ADMIN : -1;
        /* The rest need their capability whatever the arguments. */
        for (const struct lp_cap_gate *g = lp_cap_gates; g->syscall; g++)
                if (!strcmp(g->syscall, name))
                        return g->cap;
        return -1;
}

/* ---- deciding and answering ---- */

static int record(struct lp_notifier *n, struct verdict *v);

static void allowed_but_watched(struct lp_notifier *n, const struct lp_syscall_rule *r,
                                const uint64_t *a, struct verdict *v)
{
        const struct lp_policy *p = n->policy;
        const char *name = r->name;
        v->cont = true;
        if (hardening_violated(p, name, a)) {
                v->cont = false;
                deny_hardening(n, name, v);
                return;
        }
        if (!strcmp(name, "socket") && !lp_policy_family(p, (int)a[0])) {
                socket_family_denied(n, (int)a[0], v);
                /* Learning also wants the capability the socket needs. */
                if (n->o.learn && needs_net_raw(a) && !lp_policy_keeps(p, CAP_NET_RAW) &&
                    (record(n, v) >= 0)) {
                        *v = (struct verdict){.cont = true};
                        snprintf(v->target, sizeof(v->target), "socket(%s, SOCK_RAW)",
                                 lp_family_name((int)a[0]) ? lp_family_name((int)a[0]) : "?");
                        capability_needed(n, CAP_NET_RAW, v);
                }
                return;
        }
        if ((!strcmp(name, "connect") || !strcmp(name, "sendto")) && p->netns != LP_NETNS_HOST) {
                check_destination(n, name, a, v);
                return;
        }
        int cap = gate_capability(n, name, a, v);
        if (cap >= 0 && !lp_policy_keeps(p, cap))
                capability_needed(n, cap, v);
}

static const struct lp_syscall_rule *notified_rule(const struct lp_notifier *n)
{
        int nr = n->req->data.nr;
        return (nr & X32_SYSCALL_BIT) ? NULL : lp_policy_syscall(n->policy, nr);
}

static void describe_target(struct lp_notifier *n, const struct lp_syscall_rule *r,
                            struct verdict *v)
{
        struct lp_tracee t = {(int)n->req->pid, n->fd, n->req->id};
        lp_decode_target(&t, r ? r->name : "syscall", (const uint64_t *)n->req->data.args,
                         v->target, sizeof(v->target), v->dedupe, sizeof(v->dedupe));
}

static void decide(struct lp_notifier *n, struct verdict *v)
{
        const struct seccomp_data *d = &n->req->data;
        int nr = d->nr;
        const struct lp_syscall_rule *r = notified_rule(n);
        describe_target(n, r, v);
        if (!r || r->action.type != LP_ACTION_ALLOW)
                deny_syscall(n, r, nr, v);
        else
                allowed_but_watched(n, r, (const uint64_t *)d->args, v);
        /* --audit blocks nothing: whatever was decided, the kernel decides. */
        if (n->o.audit && !(nr & X32_SYSCALL_BIT)) {
                v->cont = true;
                v->kill = false;
                v->error = 0;
        }
}

/* Learning: a syscall the base profile does not allow is one finding (the
 * syscall to grant); what it did with its arguments may be another (the
 * capability, family or destination to grant as well). */
static int learn_arguments(struct lp_notifier *n, struct verdict *v)
{
        const struct lp_syscall_rule *r = notified_rule(n);
        if (!r || r->action.type == LP_ACTION_ALLOW)
                return 0;
        *v = (struct verdict){0};
        describe_target(n, r, v);
        allowed_but_watched(n, r, (const uint64_t *)n->req->data.args, v);
        return v->record ? record(n, v) : 0;
}

static int record(struct lp_notifier *n, struct verdict *v)
{
        int pid = (int)n->req->pid;
        size_t slot = (size_t)pid % EXE_CACHE;
        lp_decode_exe(pid, v->exe, sizeof(v->exe));
        if (v->exe[0]) {
                n->recent[slot].pid = pid;
                memcpy(n->recent[slot].exe, v->exe, sizeof(v->exe));
        } else if (n->recent[slot].pid == pid) {
                memcpy(v->exe, n->recent[slot].exe, sizeof(v->exe));
        }
        v->f.target = v->target;
        v->f.dedupe_target = v->dedupe;
        /* Learning keeps one entry per operation and executable: a storm
         * of distinct paths must not grow the store without bound. */
        if (n->o.learn && v->f.kind != LP_FINDING_NETWORK)
                v->f.dedupe_target = strstr(v->rule, "built-in hardening") ? "hardening" : "";
        v->f.count = 1;
        v->f.pid = (int)n->req->pid;
        v->f.exe = v->exe;
        v->f.rule = v->rule;
        v->f.fix = v->fix;
        v->f.first_ms = lp_now_ms() - n->o.start_ms;
        return lp_findings_add(n->store, &v->f);
}

static void kill_process(struct lp_notifier *n, int tid)
{
        int tgid = thread_group(tid);
        /* SIGKILL, not SIGSYS: a handler or a blocked mask cannot keep the
         * process alive. The run reports 128+SIGSYS as for a seccomp kill. */
        kill(tgid, SIGKILL);
        if (LP_GROW(n->killed, n->cap_killed, n->n_killed) >= 0)
                n->killed[n->n_killed++] = tgid;
}

int lp_notifier_handle(struct lp_notifier *n)
{
        /* libseccomp 2.5.4 does not zero the request; the kernel answers
         * EINVAL to a dirty buffer and a naive loop spins. */
        memset(n->req, 0, n->req_size);
        int r = seccomp_notify_receive(n->fd, n->req);
        /* libseccomp 2.5.4 reports every failed ioctl as -ECANCELED; the
         * usual cause is a tracee that died (ENOENT): not the listener's
         * failure, so supervision goes on. */
        if (r == -ENOENT || r == -EINTR || r == -ECANCELED)
                return 0;
        if (r < 0)
                return r;
        n->handled++;
        struct verdict *v = calloc(1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        decide(n, v);
        int rec = v->record ? record(n, v) : 0;
        if (v->kill)
                kill_process(n, (int)n->req->pid);
        memset(n->resp, 0, n->resp_size);
        n->resp->id = n->req->id;
        n->resp->error = v->cont ? 0 : -v->error;
        n->resp->flags = v->cont ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
        /* Before the answer, while the tracee still waits for it. */
        if (rec >= 0 && n->o.learn)
                rec = learn_arguments(n, v);
        free(v);
        r = seccomp_notify_respond(n->fd, n->resp);
        if (r < 0 && r != -ENOENT && r != -ECANCELED)
                return r; /* (the tracee died before the answer: fine) */
        return rec < 0 ? rec : 0;
}
