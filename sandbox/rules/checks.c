/* The watch table's checks (checks.h), ported from what the supervisor
 * decided inline before there was a table; each is a branch of
 * tests/unit/test_decide.c. */
#include "rules/checks.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "profile/names.h"
#include "profile/policy.h"
#include "rules/fs_plan.h"
#include "rules/watch.h"

/* ---- the always-on argument hardening ---- */

static void refuse_by_hardening(const struct lp_decider *d, const struct lp_call *c,
                                struct lp_verdict *v)
{
        struct lp_verdict_finding *f =
                lp_verdict_add(d, v, LP_FINDING_SYSCALL, c->name, LP_FINDING_DENIED, EPERM);
        v->answer = LP_ANSWER_ERRNO;
        v->error = EPERM;
        if (!f)
                return;
        f->hardening = true;
        lp_verdict_target(f, c->decoded.target, c->decoded.dedupe);
        lp_verdict_rule(f, NULL, "[Syscalls] built-in hardening: %s", c->decoded.dedupe);
        snprintf(f->fix, sizeof(f->fix), "[Syscalls] Allow=%s", c->name);
}

void lp_check_tty_ioctl(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        /* The kernel reads the request as unsigned int: the low 32 bits. */
        uint32_t request = (uint32_t)c->args[1];
        bool injects = request == LP_IOCTL_TIOCSTI || request == LP_IOCTL_TIOCLINUX;
        if (injects && lp_watch_hardens(c->watch, c->rule))
                refuse_by_hardening(d, c, v);
}

void lp_check_namespaces(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        uint64_t flags = c->args[0];
        if (!(flags & LP_NAMESPACE_FLAGS))
                return;
        if (lp_watch_hardens(c->watch, c->rule)) {
                refuse_by_hardening(d, c, v);
                return;
        }
        /* A new user namespace needs no capability, and brings those the
         * other namespaces of the same call need (user_namespaces(7)). */
        int cap = c->watch ? c->watch->cap : -1;
        if (cap >= 0 && !lp_policy_keeps(d->policy, cap) && !(flags & CLONE_NEWUSER))
                lp_verdict_capability(d, v, cap, c->decoded.target);
}

/* ---- the file system ---- */

/* What grants the write a rule refuses. */
static void path_fix(const struct lp_fs_rule *rule, const char *path, char *buf, size_t size)
{
        bool at_rule = strcmp(path, rule->path) == 0;
        switch (rule->kind) {
        case LP_FS_READ_ONLY_PATH:
                /* At the very path a ReadWritePaths= would not win. */
                if (at_rule) {
                        snprintf(buf, size, "[Filesystem] ReadOnlyPaths= without %s",
                                 rule->written);
                        return;
                }
                break;
        case LP_FS_TUNABLES:
                snprintf(buf, size, "[Filesystem] ProtectKernelTunables=no");
                return;
        case LP_FS_CGROUPS:
                snprintf(buf, size, "[Filesystem] ProtectControlGroups=no");
                return;
        case LP_FS_HIDDEN_PATH:
                snprintf(buf, size, "[Filesystem] InaccessiblePaths= without %s", rule->written);
                return;
        default:
                break;
        }
        snprintf(buf, size, "[Filesystem] ReadWritePaths=%s", path);
}

void lp_check_fs_refusal(const struct lp_decider *d, struct lp_verdict *v,
                         const struct lp_fs_rule *rule, const char *op, const char *target,
                         const char *checked)
{
        /* A hidden inode is read-only and has no write permission: what
         * is created in it meets the read-only mount first (EROFS), what
         * is opened meets the permission first (EACCES). */
        bool creates = strcmp(target, checked) != 0;
        int err = rule->access == LP_FS_HIDDEN && !creates ? EACCES : EROFS;
        struct lp_verdict_finding *f =
                lp_verdict_add(d, v, LP_FINDING_FILESYSTEM, op, LP_FINDING_DENIED, err);
        if (!f)
                return;
        char text[LP_TARGET_SIZE];
        lp_verdict_target(f, target, NULL);
        lp_fs_rule_text(rule, text, sizeof(text));
        lp_verdict_rule(f, &rule->origin, "%s", text);
        path_fix(rule, checked, f->fix, sizeof(f->fix));
}

bool lp_check_paths(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        if (!d->fs_plan)
                return false;
        for (size_t i = 0; i < c->n_paths; i++) {
                const struct lp_call_path *cp = &c->paths[i];
                struct lp_fs_resolved res;
                if (!cp->readable || !cp->writes ||
                    d->proc->resolve(d->proc->ctx, c->pid, cp->dirfd, cp->path, cp->follow, &res) <
                            0)
                        continue;
                /* A missing path that the call does not create fails with
                 * ENOENT, whatever the rules. */
                if (!res.exists && !cp->how->parent && !cp->creates)
                        continue;
                if (res.exists && cp->exclusive)
                        continue; /* EEXIST */
                /* Creating, deleting, renaming change the directory. */
                bool dir_op = cp->how->parent || !res.exists;
                const char *checked = dir_op ? res.parent : res.path;
                const struct lp_fs_rule *rule = lp_fs_plan_lookup(d->fs_plan, checked);
                if (!rule || rule->access == LP_FS_WRITABLE)
                        continue;
                /* The kernel stops at the first path it refuses. */
                lp_check_fs_refusal(d, v, rule, lp_fs_op_name(cp->how->op, res.exists), res.path,
                                    checked);
                return true;
        }
        return false;
}

/* connect() to a unix socket under a hidden path: refused (EACCES), and
 * a filesystem finding, as for any other access to what is hidden. */
static void check_hidden_socket(const struct lp_decider *d, const struct lp_call *c,
                                const struct lp_sockaddr_info *sa, struct lp_verdict *v)
{
        struct lp_fs_resolved res;
        if (!d->fs_plan || sa->text[0] != '/' ||
            d->proc->resolve(d->proc->ctx, c->pid, AT_FDCWD, sa->text, true, &res) < 0)
                return;
        const struct lp_fs_rule *rule = lp_fs_plan_lookup(d->fs_plan, res.path);
        if (rule && rule->access == LP_FS_HIDDEN)
                lp_check_fs_refusal(d, v, rule, c->name, res.path, res.path);
}

/* ---- network ---- */

static bool needs_net_raw(const uint64_t *a)
{
        int family = (int)a[0], type = (int)(a[1] & 0xf);
        return family == AF_PACKET ||
               ((family == AF_INET || family == AF_INET6) && type == SOCK_RAW);
}

static void refuse_family(const struct lp_decider *d, struct lp_verdict *v, int family,
                          int protocol)
{
        const struct lp_policy *p = d->policy;
        char token[48];
        /* Netlink is granted a protocol at a time: the finding names it. */
        const char *name = lp_family_name(family)
                                   ? lp_family_token(family, family == AF_NETLINK ? protocol : -1,
                                                     token, sizeof(token))
                                   : NULL;
        struct lp_verdict_finding *f =
                lp_verdict_add(d, v, LP_FINDING_NETWORK, "socket", LP_FINDING_DENIED, EAFNOSUPPORT);
        v->answer = LP_ANSWER_ERRNO;
        v->error = EAFNOSUPPORT;
        if (!f)
                return;
        lp_verdict_rule(f, p->n_families ? &p->families[0].origin : NULL,
                        "[Network] AddressFamilies= (family not listed)");
        lp_verdict_target(f, name ? name : "unknown family", NULL);
        snprintf(f->fix, sizeof(f->fix), "[Network] AddressFamilies=%s", name ? name : "?");
}

void lp_check_socket(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        const struct lp_policy *p = d->policy;
        int family = (int)c->args[0];
        bool raw = needs_net_raw(c->args) && !lp_policy_keeps(p, CAP_NET_RAW);
        if (!lp_policy_socket(p, family, (int)c->args[2])) {
                refuse_family(d, v, family, (int)c->args[2]);
                /* Learning also wants the capability the socket needs. */
                if (d->learn && raw) {
                        char target[96];
                        const char *name = lp_family_name(family);
                        snprintf(target, sizeof(target), "socket(%s, SOCK_RAW)", name ? name : "?");
                        lp_verdict_capability(d, v, CAP_NET_RAW, target);
                }
                return;
        }
        if (raw)
                lp_verdict_capability(d, v, CAP_NET_RAW, c->decoded.target);
}

static bool is_inet(int family)
{
        return family == AF_INET || family == AF_INET6;
}

static int compare_port(const void *key, const void *member)
{
        return (int)*(const uint16_t *)key - (int)*(const uint16_t *)member;
}

/* In `run`: a port the host serves on its loopback (known at launch), not
 * forwarded, that nothing inside listens on. The connect is refused inside
 * (ECONNREFUSED); the finding says which forward would serve it. */
static bool unforwarded_host_service(const struct lp_decider *d, const struct lp_call *c,
                                     uint16_t port)
{
        if (!d->n_host_ports ||
            !bsearch(&port, d->host_ports, d->n_host_ports, sizeof(port), compare_port))
                return false;
        return !lp_policy_forwards(d->policy, port) &&
               !d->proc->listening(d->proc->ctx, c->pid, port);
}

/* Whether the namespace of `run` reaches the address: loopback does,
 * when lo is up, but for a host service behind it (learning runs on the
 * host network, where the host's services answer; `run` knows the host's
 * from launch). */
static bool reaches(const struct lp_decider *d, const struct lp_call *c,
                    const struct lp_sockaddr_info *sa)
{
        if (!is_inet(sa->family))
                return true;
        /* 0.0.0.0 and :: as a destination are this host: Linux sends
         * them to loopback. */
        if (!(sa->loopback || sa->any) || d->policy->netns != LP_NETNS_LOOPBACK)
                return false;
        bool udp = strcmp(c->proto, "udp") == 0;
        if (d->learn && (udp || strcmp(c->proto, "tcp") == 0))
                return !d->proc->listener_outside(d->proc->ctx, c->pid, sa->port, udp);
        if (strcmp(c->proto, "tcp") != 0)
                return true;
        return !unforwarded_host_service(d, c, sa->port);
}

/* A host service on the host's loopback (learning found it there): a
 * forward of its port; anything else needs the host network, or lo. */
static void destination_fix(const struct lp_policy *p, const char *proto,
                            const struct lp_sockaddr_info *sa, char *fix, size_t size)
{
        bool forwardable = p->netns == LP_NETNS_LOOPBACK && strcmp(proto, "tcp") == 0;
        if (forwardable &&
            (strncmp(sa->text, "127.0.0.1:", 10) == 0 || strncmp(sa->text, "0.0.0.0:", 8) == 0))
                snprintf(fix, size, "[Network] Forward=tcp:%u", sa->port);
        else if (forwardable &&
                 (strncmp(sa->text, "[::1]:", 6) == 0 || strncmp(sa->text, "[::]:", 5) == 0))
                snprintf(fix, size, "[Network] Forward=tcp:%u=[::1]:%u", sa->port, sa->port);
        else
                snprintf(fix, size, "[Network] Namespace=%s",
                         sa->loopback && p->netns == LP_NETNS_NONE ? "loopback" : "host");
}

/* The kernel refuses: no route (ENETUNREACH), or nothing listens inside
 * (ECONNREFUSED); or, `answered`, the DNS trap took the call (the
 * resolver got REFUSED: no errno to name). The finding says where to. */
static void report_destination(const struct lp_decider *d, const char *operation, const char *proto,
                               const struct lp_sockaddr_info *sa, bool answered,
                               struct lp_verdict *v)
{
        const struct lp_policy *p = d->policy;
        bool here = (sa->loopback || sa->any) && p->netns == LP_NETNS_LOOPBACK;
        struct lp_verdict_finding *f =
                lp_verdict_add(d, v, LP_FINDING_NETWORK, operation, LP_FINDING_DENIED,
                               answered ? 0
                               : here   ? ECONNREFUSED
                                        : ENETUNREACH);
        if (!f)
                return;
        char target[LP_TARGET_SIZE];
        snprintf(target, sizeof(target), "%s %s", proto, sa->text);
        lp_verdict_target(f, target, NULL);
        lp_verdict_rule(f, &p->netns_origin, "[Network] Namespace=%s",
                        p->netns == LP_NETNS_NONE ? "none" : "loopback");
        destination_fix(p, proto, sa, f->fix, sizeof(f->fix));
}

/* A UDP destination a stand-in of the resolver's answers inside: the call
 * goes through (to it), so the finding has no errno. */
static bool is_dns_standin(const struct lp_decider *d, const char *proto,
                           const struct lp_sockaddr_info *sa)
{
        for (size_t i = 0; i < d->n_dns_standins && strcmp(proto, "udp") == 0; i++)
                if (strcmp(d->dns_standins[i].text, sa->text) == 0)
                        return true;
        return false;
}

void lp_check_destination(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        const struct lp_policy *p = d->policy;
        const struct lp_sockaddr_info *sa = NULL;
        size_t before = v->n_findings;
        for (size_t i = 0; i < c->n_addresses; i++)
                if (c->addresses[i].family == AF_UNIX)
                        check_hidden_socket(d, c, &c->addresses[i], v);
        /* The host network reaches wherever it goes; the network observer
         * counts inet destinations in the kernel (supervise/net_observer.h). */
        if (p->netns == LP_NETNS_HOST || v->n_findings > before || d->net_observed)
                return;
        for (size_t i = 0; i < c->n_addresses && !sa; i++)
                if (!reaches(d, c, &c->addresses[i]))
                        sa = &c->addresses[i];
        if (sa)
                report_destination(d, c->name, c->proto, sa, is_dns_standin(d, c->proto, sa), v);
}

void lp_check_observed_destination(const struct lp_decider *d, const char *operation,
                                   const char *proto, const struct lp_sockaddr_info *sa,
                                   bool trapped, struct lp_verdict *v)
{
        *v = (struct lp_verdict){.answer = LP_ANSWER_CONTINUE};
        report_destination(d, operation, proto, sa, trapped || is_dns_standin(d, proto, sa), v);
}

void lp_check_observed_unix(const struct lp_decider *d, const char *operation, const char *path,
                            struct lp_verdict *v)
{
        /* Counted after the fact: there is no call to answer. */
        *v = (struct lp_verdict){.answer = LP_ANSWER_CONTINUE};
        const struct lp_fs_rule *rule =
                d->fs_plan && path[0] == '/' ? lp_fs_plan_lookup(d->fs_plan, path) : NULL;
        if (rule && rule->access == LP_FS_HIDDEN)
                lp_check_fs_refusal(d, v, rule, operation, path, path);
}

void lp_check_dns_query(const struct lp_decider *d, const char *name, struct lp_verdict *v)
{
        const struct lp_policy *p = d->policy;
        *v = (struct lp_verdict){.answer = LP_ANSWER_CONTINUE};
        struct lp_verdict_finding *f =
                lp_verdict_add(d, v, LP_FINDING_NETWORK, "dns-query", LP_FINDING_DENIED, 0);
        if (!f)
                return;
        lp_verdict_target(f, name, NULL);
        lp_verdict_rule(f, &p->netns_origin, "[Network] Namespace=loopback");
        snprintf(f->fix, sizeof(f->fix), "[Network] Namespace=host");
}

/* ---- capability-gated calls ---- */

static bool cap_missing(const struct lp_decider *d, const struct lp_call *c)
{
        int cap = c->watch ? c->watch->cap : -1;
        return cap >= 0 && !lp_policy_keeps(d->policy, cap);
}

void lp_check_bind_port(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        if (!cap_missing(d, c) || c->n_addresses == 0)
                return;
        const struct lp_sockaddr_info *sa = &c->addresses[0];
        if (!is_inet(sa->family) || sa->port == 0 || sa->port >= d->unprivileged_port_start)
                return;
        char target[LP_TARGET_SIZE];
        snprintf(target, sizeof(target), "bind %s %s", c->proto, sa->text);
        lp_verdict_capability(d, v, c->watch->cap, target);
}

/* Whether `id` is one the tracee already has ('u' or 'g'): -1 leaves it
 * unchanged, and a tracee that is gone has nothing left to report. */
static bool id_is_own(const struct lp_decider *d, int pid, char which, uint64_t id)
{
        unsigned ids[3];
        if ((uint32_t)id == (uint32_t)-1)
                return true;
        if (d->proc->ids(d->proc->ctx, pid, which, ids) < 0)
                return true;
        return (uint32_t)id == ids[0] || (uint32_t)id == ids[1] || (uint32_t)id == ids[2];
}

void lp_check_owner(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        if (!cap_missing(d, c))
                return;
        /* chown(path, owner, group), fchownat(dirfd, path, owner, group, flags). */
        int i = strcmp(c->name, "fchownat") == 0 ? 2 : 1;
        if (!id_is_own(d, c->pid, 'u', c->args[i]) || !id_is_own(d, c->pid, 'g', c->args[i + 1]))
                lp_verdict_capability(d, v, c->watch->cap, c->decoded.target);
}

void lp_check_set_ids(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        if (!cap_missing(d, c))
                return;
        /* setresuid takes three ids, setreuid two, setuid and setfsuid one. */
        int n = strstr(c->name, "res") ? 3 : strstr(c->name, "re") ? 2 : 1;
        char which = c->watch->cap == CAP_SETUID ? 'u' : 'g';
        bool needed = strcmp(c->name, "setgroups") == 0;
        for (int i = 0; i < n && !needed; i++)
                needed = !id_is_own(d, c->pid, which, c->args[i]);
        if (needed)
                lp_verdict_capability(d, v, c->watch->cap, c->decoded.target);
}

void lp_check_device_node(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        mode_t mode = (mode_t)(strcmp(c->name, "mknodat") ? c->args[1] : c->args[2]);
        if (cap_missing(d, c) && (S_ISCHR(mode) || S_ISBLK(mode)))
                lp_verdict_capability(d, v, c->watch->cap, c->decoded.target);
}

void lp_check_raise_priority(const struct lp_decider *d, const struct lp_call *c,
                             struct lp_verdict *v)
{
        if (!cap_missing(d, c) || (int)c->args[2] >= 0)
                return;
        struct lp_verdict_finding *f =
                lp_verdict_capability(d, v, c->watch->cap, c->decoded.target);
        /* What the command sees: setpriority(2) refuses a lower nice value
         * with EACCES, not the EPERM of most capability checks. */
        if (f)
                f->errno_value = EACCES;
}

/* PR_SET_MM rewrites where the memory map says code, data, the stack,
 * argv and the environment are (CAP_SYS_RESOURCE); PR_SET_MM_MAP and
 * PR_SET_MM_MAP_SIZE, checkpoint/restore's, are the kernel's to judge.
 * Every other prctl needs no capability: the filter keeps them in the
 * kernel when running, but learning notifies them all (the option is the
 * low 32 bits, as the kernel reads it). */
void lp_check_set_mm(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        unsigned long option = (unsigned long)c->args[1];
        if ((uint32_t)c->args[0] != PR_SET_MM || !cap_missing(d, c) || option == PR_SET_MM_MAP ||
            option == PR_SET_MM_MAP_SIZE)
                return;
        char target[64];
        snprintf(target, sizeof(target), "prctl(PR_SET_MM, %lu)", option);
        lp_verdict_capability(d, v, c->watch->cap, target);
}

static void limit_text(uint64_t value, char *buf, size_t size)
{
        if (value == UINT64_MAX)
                snprintf(buf, size, "unlimited");
        else
                snprintf(buf, size, "%llu", (unsigned long long)value);
}

/* A hard limit raised above the process's own (CAP_SYS_RESOURCE). A
 * prlimit64 on another process is left to the kernel: its pid is one of
 * the command's PID namespace. */
void lp_check_raise_hard_limit(const struct lp_decider *d, const struct lp_call *c,
                               struct lp_verdict *v)
{
        bool self = strcmp(c->name, "setrlimit") == 0 || c->args[0] == 0;
        uint64_t hard;
        if (!cap_missing(d, c) || !c->rlimit.read || !self || !d->proc->hard_limit ||
            d->proc->hard_limit(d->proc->ctx, c->pid, c->rlimit.resource, &hard) < 0 ||
            c->rlimit.hard <= hard)
                return;
        const char *name = lp_decode_rlimit_name(c->rlimit.resource);
        char num[16], from[24], to[24], target[128];
        snprintf(num, sizeof(num), "%d", c->rlimit.resource);
        limit_text(hard, from, sizeof(from));
        limit_text(c->rlimit.hard, to, sizeof(to));
        snprintf(target, sizeof(target), "%s(%s, hard %s -> %s)", c->name, name ? name : num, from,
                 to);
        lp_verdict_capability(d, v, c->watch->cap, target);
}

void lp_check_capability(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        if (cap_missing(d, c))
                lp_verdict_capability(d, v, c->watch->cap, c->decoded.target);
}

/* ---- set-user-ID and set-group-ID files of a dynamic user ---- */

bool lp_check_mode(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        const struct lp_policy *p = d->policy;
        const struct lp_watch_mode *m = lp_watch_mode_of(c->watch, c->name);
        if (!lp_policy_restricts_suid(p) || !m)
                return false;
        bool unseen = m->mode == LP_MODE_UNSEEN;
        if (!unseen && m->flags >= 0 &&
            !(c->args[(int)m->flags] & (O_CREAT | (O_TMPFILE & ~O_DIRECTORY))))
                return false;
        if (!unseen && !(c->args[(int)m->mode] & (S_ISUID | S_ISGID)))
                return false;
        /* openat2 answers ENOSYS, as systemd's filter does: libc falls back
         * to openat, whose mode is in a register. */
        int err = unseen ? ENOSYS : EPERM;
        v->answer = LP_ANSWER_ERRNO;
        v->error = err;
        struct lp_verdict_finding *f =
                lp_verdict_add(d, v, LP_FINDING_SYSCALL, c->name, LP_FINDING_DENIED, err);
        if (!f)
                return true;
        lp_verdict_target(f, c->decoded.target, c->decoded.dedupe);
        const char *seen = unseen ? " (openat2's mode cannot be seen)" : "";
        if (p->dynamic_user.value) {
                lp_verdict_rule(f, &p->dynamic_user.origin,
                                "[Identity] DynamicUser=yes: no set-user-ID or set-group-ID "
                                "files%s",
                                seen);
                snprintf(f->fix, sizeof(f->fix),
                         "[Identity] DynamicUser=no and [Filesystem] RestrictSUIDSGID=no");
        } else {
                lp_verdict_rule(f, &p->restrict_suid.origin, "[Filesystem] RestrictSUIDSGID=yes%s",
                                seen);
                snprintf(f->fix, sizeof(f->fix), "[Filesystem] RestrictSUIDSGID=no");
        }
        return true;
}
