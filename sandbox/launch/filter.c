/* Policy -> seccomp BPF. The filter's default action is NOTIFY: whatever
 * the filter does not allow outright goes to the supervisor, which decides
 * from the policy (errno, kill, or CONTINUE) and records a finding. Allowed
 * syscalls are plain ALLOW rules without argument checks wherever possible,
 * so the kernel's seccomp action cache (Linux 5.11) makes them free; those
 * the watch table (rules/watch.h) watches get the rules of its entry,
 * which keep what needs no look in the kernel. */
#include "launch/filter.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"
#include "profile/policy.h"
#include "rules/watch.h"

static int allow(scmp_filter_ctx ctx, int nr, unsigned n, const struct scmp_arg_cmp *cmp)
{
        return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
}

/* Adds ALLOW rules that together match every value of the argument's low
 * 32 bits except those in `values`: a binary trie over the bits, one
 * masked-equality rule per subtree that holds no denied value. */
static int allow_lo32_except(scmp_filter_ctx ctx, int nr, unsigned arg, uint32_t mask,
                             uint32_t prefix, int bit, const uint32_t *values, size_t n)
{
        bool any = false;
        for (size_t i = 0; i < n; i++)
                any |= (values[i] & mask) == prefix;
        if (!any) {
                struct scmp_arg_cmp c = {arg, SCMP_CMP_MASKED_EQ, mask, prefix};
                return allow(ctx, nr, 1, &c);
        }
        if (bit < 0)
                return 0; /* exactly a denied value: left to the default (notify) */
        uint32_t b = UINT32_C(1) << bit;
        int r = allow_lo32_except(ctx, nr, arg, mask | b, prefix, bit - 1, values, n);
        if (r < 0)
                return r;
        return allow_lo32_except(ctx, nr, arg, mask | b, prefix | b, bit - 1, values, n);
}

static bool is_inet(int family)
{
        return family == AF_INET || family == AF_INET6;
}

/* socket(): each granted family is allowed outright, except that inet
 * sockets other than stream and datagram, and packet sockets (CAP_NET_RAW),
 * go to the supervisor so it can name the capability. Other families are
 * notified and refused there with EAFNOSUPPORT and a finding. */
static int allow_socket_families(scmp_filter_ctx ctx, const struct lp_policy *p, int nr)
{
        bool raw = lp_policy_keeps(p, CAP_NET_RAW) != NULL;
        for (size_t i = 0; i < p->n_families; i++) {
                int family = p->families[i].family;
                struct scmp_arg_cmp c[2] = {{0, SCMP_CMP_EQ, (uint64_t)family, 0}};
                if (family == AF_PACKET && !raw)
                        continue;
                if (p->families[i].protocol >= 0) {
                        /* One netlink protocol: socket()'s third argument. */
                        c[1] = (struct scmp_arg_cmp){2, SCMP_CMP_EQ,
                                                     (uint64_t)p->families[i].protocol, 0};
                        if (allow(ctx, nr, 2, c) < 0)
                                return -EINVAL;
                        continue;
                }
                if (!is_inet(family) || raw) {
                        if (allow(ctx, nr, 1, c) < 0)
                                return -EINVAL;
                        continue;
                }
                static const int types[] = {SOCK_STREAM, SOCK_DGRAM};
                for (size_t t = 0; t < LP_ELEMENTSOF(types); t++) {
                        c[1] = (struct scmp_arg_cmp){1, SCMP_CMP_MASKED_EQ, 0xf,
                                                     (uint64_t)types[t]};
                        int r = allow(ctx, nr, 2, c);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* The calls of a watched syscall that stay in the kernel (watch.h). */
static int allow_unwatched_calls(scmp_filter_ctx ctx, const struct lp_policy *p,
                                 const struct lp_watch *w, int nr)
{
        struct scmp_arg_cmp c = {w->filter_arg, SCMP_CMP_EQ, 0, 0};
        switch (w->filter) {
        case LP_FILTER_NOTIFY_ALL:
                return 0;
        case LP_FILTER_ARG_ZERO:
                return allow(ctx, nr, 1, &c);
        case LP_FILTER_ARG_MASK_ZERO:
                c = (struct scmp_arg_cmp){w->filter_arg, SCMP_CMP_MASKED_EQ, w->filter_mask, 0};
                return allow(ctx, nr, 1, &c);
        case LP_FILTER_ARG_LO32_NOT_IN:
                return allow_lo32_except(ctx, nr, w->filter_arg, 0, 0, 31, w->filter_values,
                                         w->n_filter_values);
        case LP_FILTER_SOCKET_FAMILIES:
                return allow_socket_families(ctx, p, nr);
        }
        return -EINVAL;
}

/* Watched for its mode alone (RestrictSUIDSGID=): a call stays in the
 * kernel when its mode has neither S_ISUID nor S_ISGID, or when open's
 * flags create nothing. Only the rest is looked at. */
static int allow_plain_modes(scmp_filter_ctx ctx, const struct lp_watch_mode *m, int nr)
{
        if (m->mode == LP_MODE_UNSEEN)
                return 0; /* openat2: every call */
        struct scmp_arg_cmp c = {(unsigned)m->mode, SCMP_CMP_MASKED_EQ, S_ISUID | S_ISGID, 0};
        int r = allow(ctx, nr, 1, &c);
        if (r >= 0 && m->flags >= 0) {
                c = (struct scmp_arg_cmp){(unsigned)m->flags, SCMP_CMP_MASKED_EQ,
                                          O_CREAT | (O_TMPFILE & ~O_DIRECTORY), 0};
                r = allow(ctx, nr, 1, &c);
        }
        return r;
}

static int add_allowed(scmp_filter_ctx ctx, const struct lp_policy *p,
                       const struct lp_filter_options *o, const struct lp_syscall_rule *rule)
{
        const struct lp_watch *w = lp_watch_find(rule->name);
        const struct lp_watch_mode *m =
                w ? lp_watch_mode_only(p, w, rule->name, o->fs_restricted) : NULL;
        if (m)
                return allow_plain_modes(ctx, m, rule->nr);
        if (w && lp_watch_active(p, w, rule->name, o->fs_restricted))
                return allow_unwatched_calls(ctx, p, w, rule->nr);
        return allow(ctx, rule->nr, 0, NULL);
}

/* Whether the filter allows every sendmsg outright. */
static bool sendmsg_allowed(const struct lp_policy *p, const struct lp_filter_options *o)
{
        const struct lp_syscall_rule *s = lp_policy_syscall_by_name(p, "sendmsg");
        const struct lp_watch *w = lp_watch_find("sendmsg");
        return s && s->action.type == LP_ACTION_ALLOW &&
               !(w && lp_watch_active(p, w, "sendmsg", o->fs_restricted));
}

/* Calls that are never a privilege and that the launch itself needs. */
static int add_always_allowed(scmp_filter_ctx ctx, const struct lp_policy *p,
                              const struct lp_filter_options *o)
{
        int handshake_fd = o->handshake_fd;
        int r = allow(ctx, SCMP_SYS(exit), 0, NULL);
        if (r >= 0)
                r = allow(ctx, SCMP_SYS(exit_group), 0, NULL);
        if (r >= 0 && handshake_fd >= 0 && !sendmsg_allowed(p, o)) {
                struct scmp_arg_cmp c = {0, SCMP_CMP_EQ, (uint64_t)handshake_fd, 0};
                r = allow(ctx, SCMP_SYS(sendmsg), 1, &c);
        }
        return r;
}

/* Learning's floor (learn/floor.h): allowed where the policy leaves them
 * to DefaultAction, as if the policy allowed them, so that what the watch
 * table watches (a write-intent open) is still seen; what the policy
 * names (by name or group) stays as named. */
static int add_also_allowed(scmp_filter_ctx ctx, const struct lp_policy *p,
                            const struct lp_filter_options *o)
{
        for (size_t i = 0; o->also_allow && o->also_allow[i]; i++) {
                const struct lp_syscall_rule *rule = lp_policy_syscall_by_name(p, o->also_allow[i]);
                if (!rule || rule->action.type == LP_ACTION_ALLOW ||
                    !lp_syscall_rule_is_default(rule))
                        continue;
                int r = add_allowed(ctx, p, o, rule);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int build(const struct lp_policy *p, const struct lp_filter_options *o, scmp_filter_ctx *ret)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_NOTIFY);
        if (!ctx)
                return -ENOMEM;
        /* Non-native ABIs (i386 int 0x80, x32) are killed: their numbers
         * differ and would slip past rules written for the native ABI. No
         * other architecture is added to the filter on purpose. They are
         * notified, so that the supervisor kills each with a finding;
         * without a supervisor the kernel answers ENOSYS, never running
         * the call. */
        int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_NOTIFY);
        /* We set no_new_privs ourselves, as its own checklist step. */
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        /* A binary tree: O(log n) instead of a linear scan for syscalls the
         * action cache cannot answer (measured in tools/bench). */
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        for (size_t i = 0; r >= 0 && i < p->n_syscalls; i++) {
                const struct lp_syscall_rule *rule = &p->syscalls[i];
                if (rule->action.type == LP_ACTION_ALLOW)
                        r = add_allowed(ctx, p, o, rule);
                else if (rule->hardening && rule->action.errno_value == ENOSYS)
                        /* clone3 -> ENOSYS is a compatibility answer (libc
                         * falls back to clone), not a refused privilege:
                         * answered in the kernel, without a finding. */
                        r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), rule->nr, 0);
        }
        if (r >= 0)
                r = add_always_allowed(ctx, p, o);
        if (r >= 0)
                r = add_also_allowed(ctx, p, o);
        if (r < 0) {
                seccomp_release(ctx);
                return r;
        }
        *ret = ctx;
        return 0;
}

static int read_all(int fd, struct sock_filter **ret, size_t *ret_len)
{
        off_t size = lseek(fd, 0, SEEK_END);
        if (size <= 0 || size % sizeof(struct sock_filter) != 0 || size > 65536 * 8)
                return -EINVAL;
        struct sock_filter *buf = malloc((size_t)size);
        if (!buf)
                return -ENOMEM;
        if (pread(fd, buf, (size_t)size, 0) != size) {
                free(buf);
                return -EIO;
        }
        *ret = buf;
        *ret_len = (size_t)size / sizeof(struct sock_filter);
        return 0;
}

int lp_filter_compile(const struct lp_policy *p, const struct lp_filter_options *o,
                      struct lp_filter **ret)
{
        scmp_filter_ctx ctx;
        int r = build(p, o, &ctx);
        if (r < 0)
                return r;
        /* libseccomp 2.5 exports to an fd only; a memfd keeps it in memory. */
        _cleanup_close_ int fd = memfd_create("leastpriv-bpf", MFD_CLOEXEC);
        if (fd < 0)
                r = -errno;
        if (r >= 0)
                r = seccomp_export_bpf(ctx, fd);
        seccomp_release(ctx);
        struct lp_filter *f = r >= 0 ? calloc(1, sizeof(*f)) : NULL;
        if (r >= 0 && !f)
                r = -ENOMEM;
        struct sock_filter *insns = NULL;
        size_t len = 0;
        if (r >= 0)
                r = read_all(fd, &insns, &len);
        if (r < 0) {
                free(f);
                return r;
        }
        f->prog.filter = insns;
        f->prog.len = (unsigned short)len;
        *ret = f;
        return 0;
}

void lp_filter_free(struct lp_filter *f)
{
        if (!f)
                return;
        free(f->prog.filter);
        free(f);
}

int lp_filter_install(const struct lp_filter *f)
{
        /* WAIT_KILLABLE_RECV (Linux 5.19): once the supervisor has received
         * a notification, a signal no longer interrupts and restarts the
         * call, which would report one attempt twice. */
        unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER;
#ifdef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
        long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                          flags | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &f->prog);
        if (fd >= 0 || errno != EINVAL)
                return fd >= 0 ? (int)fd : -errno;
#endif
        long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &f->prog);
        return r >= 0 ? (int)r : -errno;
}

int lp_filter_export_pfc(const struct lp_policy *p, const struct lp_filter_options *o, int fd)
{
        scmp_filter_ctx ctx;
        int r = build(p, o, &ctx);
        if (r < 0)
                return r;
        r = seccomp_export_pfc(ctx, fd);
        seccomp_release(ctx);
        return r;
}
