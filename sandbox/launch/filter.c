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
#include <netinet/in.h>
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
#include "launch/filter_cache.h"
#include "profile/policy.h"
#include "rules/watch.h"

/* One rule as libseccomp is given it. Unused comparisons stay zero, so
 * that equal rule lists are equal bytes: the list is the cache's key. */
struct rule {
        uint32_t action;
        int32_t nr;
        uint32_t n_cmp;
        uint32_t unused;
        struct scmp_arg_cmp cmp[2];
};

/* Everything libseccomp's output depends on besides the rules. */
struct key_header {
        uint32_t scmp_version[3];
        uint32_t api;
        uint32_t arch;
        uint32_t default_action;
        uint32_t bad_arch_action;
        uint32_t optimize;
        uint32_t n_rules;
        uint32_t unused;
};

/* The filter before libseccomp sees it: what build() decided, in order. */
struct rules {
        struct key_header head;
        struct rule *v;
        size_t n, capacity;
};

static int add_rule(struct rules *rs, uint32_t action, int nr, unsigned n,
                    const struct scmp_arg_cmp *cmp)
{
        if (n > LP_ELEMENTSOF(rs->v->cmp) || nr < 0)
                return -EINVAL;
        if (LP_GROW(rs->v, rs->capacity, rs->n) < 0)
                return -ENOMEM;
        struct rule *r = &rs->v[rs->n++];
        memset(r, 0, sizeof(*r));
        r->action = action;
        r->nr = nr;
        r->n_cmp = n;
        for (unsigned i = 0; i < n; i++)
                r->cmp[i] = cmp[i];
        return 0;
}

static int allow(struct rules *rs, int nr, unsigned n, const struct scmp_arg_cmp *cmp)
{
        return add_rule(rs, SCMP_ACT_ALLOW, nr, n, cmp);
}

/* Adds ALLOW rules that together match every value of the argument's low
 * 32 bits except those in `values`: a binary trie over the bits, one
 * masked-equality rule per subtree that holds no denied value. */
static int allow_lo32_except(struct rules *rs, int nr, unsigned arg, uint32_t mask, uint32_t prefix,
                             int bit, const uint32_t *values, size_t n)
{
        bool any = false;
        for (size_t i = 0; i < n; i++)
                any |= (values[i] & mask) == prefix;
        if (!any) {
                struct scmp_arg_cmp c = {arg, SCMP_CMP_MASKED_EQ, mask, prefix};
                return allow(rs, nr, 1, &c);
        }
        if (bit < 0)
                return 0; /* exactly a denied value: left to the default (notify) */
        uint32_t b = UINT32_C(1) << bit;
        int r = allow_lo32_except(rs, nr, arg, mask | b, prefix, bit - 1, values, n);
        if (r < 0)
                return r;
        return allow_lo32_except(rs, nr, arg, mask | b, prefix | b, bit - 1, values, n);
}

static bool is_inet(int family)
{
        return family == AF_INET || family == AF_INET6;
}

/* socket(): each granted family is allowed outright, except that inet
 * sockets other than stream and datagram, and packet sockets (CAP_NET_RAW),
 * go to the supervisor so it can name the capability. Other families are
 * notified and refused there with EAFNOSUPPORT and a finding. */
static int allow_socket_families(struct rules *rs, const struct lp_policy *p, int nr)
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
                        if (allow(rs, nr, 2, c) < 0)
                                return -EINVAL;
                        continue;
                }
                if (!is_inet(family) || raw) {
                        if (allow(rs, nr, 1, c) < 0)
                                return -EINVAL;
                        continue;
                }
                static const int types[] = {SOCK_STREAM, SOCK_DGRAM};
                for (size_t t = 0; t < LP_ELEMENTSOF(types); t++) {
                        c[1] = (struct scmp_arg_cmp){1, SCMP_CMP_MASKED_EQ, 0xf,
                                                     (uint64_t)types[t]};
                        int r = allow(rs, nr, 2, c);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

/* Which calls of a watched syscall the network observer counts in the
 * kernel (watch.h): with its unix hooks, an address of any length. */
static enum lp_watch_observed observed_calls(const struct lp_filter_options *o,
                                             const struct lp_watch *w)
{
        if (!o->net_observed)
                return LP_OBSERVED_NONE;
        if (o->unix_observed && w->observed == LP_OBSERVED_INET_LENGTH)
                return LP_OBSERVED_ALL;
        return w->observed;
}

static int allow_observed_calls(struct rules *rs, enum lp_watch_observed observed,
                                const struct lp_watch *w, int nr)
{
        static const uint64_t inet_lengths[] = {sizeof(struct sockaddr_in),
                                                sizeof(struct sockaddr_in6)};
        switch (observed) {
        case LP_OBSERVED_NONE:
                return 0;
        case LP_OBSERVED_ALL:
                return allow(rs, nr, 0, NULL);
        case LP_OBSERVED_INET_LENGTH:
                for (size_t i = 0; i < LP_ELEMENTSOF(inet_lengths); i++) {
                        /* socklen_t: the low 32 bits, as the kernel reads it. */
                        struct scmp_arg_cmp c = {w->observed_arg, SCMP_CMP_MASKED_EQ, UINT32_MAX,
                                                 inet_lengths[i]};
                        int r = allow(rs, nr, 1, &c);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        return -EINVAL;
}

/* Whether the filter watches paths: the plan refuses some write, and
 * no observer counts the refusals in the kernel. */
static bool paths_watched(const struct lp_filter_options *o)
{
        return o->fs_restricted && !o->fs_observed;
}

/* A chown family call that gives the process's own ids, or leaves them
 * (-1): needs no capability (watch.h, owner_args). The ids are 32 bits
 * wide, as the kernel reads them. */
static int allow_own_ids(struct rules *rs, const struct lp_filter_options *o,
                         const struct lp_watch *w, const char *syscall, int nr)
{
        int arg = lp_watch_owner_arg(w, syscall);
        if (arg < 0 || !o->own_ids_fixed || lp_watch_paths_watched(w, syscall, paths_watched(o)))
                return 0;
        unsigned owner = (unsigned)arg;
        const uint32_t uids[] = {o->own_uid, UINT32_MAX}, gids[] = {o->own_gid, UINT32_MAX};
        for (size_t u = 0; u < LP_ELEMENTSOF(uids); u++)
                for (size_t g = 0; g < LP_ELEMENTSOF(gids); g++) {
                        struct scmp_arg_cmp c[2] = {
                                {owner, SCMP_CMP_MASKED_EQ, UINT32_MAX, uids[u]},
                                {owner + 1, SCMP_CMP_MASKED_EQ, UINT32_MAX, gids[g]}};
                        int r = allow(rs, nr, 2, c);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* The calls of a watched syscall that stay in the kernel (watch.h). */
static int allow_unwatched_calls(struct rules *rs, const struct lp_policy *p,
                                 const struct lp_filter_options *o, const struct lp_watch *w,
                                 int nr)
{
        enum lp_watch_observed observed = observed_calls(o, w);
        if (observed != LP_OBSERVED_NONE) {
                int r = allow_observed_calls(rs, observed, w, nr);
                if (r < 0 || observed == LP_OBSERVED_ALL)
                        return r;
        }
        struct scmp_arg_cmp c = {w->filter_arg, SCMP_CMP_EQ, 0, 0};
        switch (w->filter) {
        case LP_FILTER_NOTIFY_ALL:
                return 0;
        case LP_FILTER_ARG_ZERO:
                return allow(rs, nr, 1, &c);
        case LP_FILTER_ARG_MASK_ZERO:
                c = (struct scmp_arg_cmp){w->filter_arg, SCMP_CMP_MASKED_EQ, w->filter_mask, 0};
                return allow(rs, nr, 1, &c);
        case LP_FILTER_ARG_LO32_NOT_IN:
                return allow_lo32_except(rs, nr, w->filter_arg, 0, 0, 31, w->filter_values,
                                         w->n_filter_values);
        case LP_FILTER_SOCKET_FAMILIES:
                return allow_socket_families(rs, p, nr);
        }
        return -EINVAL;
}

/* Watched for its mode alone (RestrictSUIDSGID=): a call stays in the
 * kernel when its mode has neither S_ISUID nor S_ISGID, or when open's
 * flags create nothing. Only the rest is looked at. */
static int allow_plain_modes(struct rules *rs, const struct lp_watch_mode *m, int nr)
{
        if (m->mode == LP_MODE_UNSEEN)
                return 0; /* openat2: every call */
        struct scmp_arg_cmp c = {(unsigned)m->mode, SCMP_CMP_MASKED_EQ, S_ISUID | S_ISGID, 0};
        int r = allow(rs, nr, 1, &c);
        if (r >= 0 && m->flags >= 0) {
                c = (struct scmp_arg_cmp){(unsigned)m->flags, SCMP_CMP_MASKED_EQ,
                                          O_CREAT | (O_TMPFILE & ~O_DIRECTORY), 0};
                r = allow(rs, nr, 1, &c);
        }
        return r;
}

static int add_allowed(struct rules *rs, const struct lp_policy *p,
                       const struct lp_filter_options *o, const struct lp_syscall_rule *rule)
{
        const struct lp_watch *w = lp_watch_find(rule->name);
        const struct lp_watch_mode *m =
                w ? lp_watch_mode_only(p, w, rule->name, paths_watched(o)) : NULL;
        if (m)
                return allow_plain_modes(rs, m, rule->nr);
        if (w && lp_watch_active(p, w, rule->name, paths_watched(o))) {
                int r = allow_own_ids(rs, o, w, rule->name, rule->nr);
                return r < 0 ? r : allow_unwatched_calls(rs, p, o, w, rule->nr);
        }
        return allow(rs, rule->nr, 0, NULL);
}

/* Whether the filter allows every sendmsg outright. */
static bool sendmsg_allowed(const struct lp_policy *p, const struct lp_filter_options *o)
{
        const struct lp_syscall_rule *s = lp_policy_syscall_by_name(p, "sendmsg");
        const struct lp_watch *w = lp_watch_find("sendmsg");
        return s && s->action.type == LP_ACTION_ALLOW &&
               !(w && lp_watch_active(p, w, "sendmsg", paths_watched(o)));
}

/* Calls that are never a privilege and that the launch itself needs. */
static int add_always_allowed(struct rules *rs, const struct lp_policy *p,
                              const struct lp_filter_options *o)
{
        int handshake_fd = o->handshake_fd;
        int r = allow(rs, SCMP_SYS(exit), 0, NULL);
        if (r >= 0)
                r = allow(rs, SCMP_SYS(exit_group), 0, NULL);
        if (r >= 0 && handshake_fd >= 0 && !sendmsg_allowed(p, o)) {
                struct scmp_arg_cmp c = {0, SCMP_CMP_EQ, (uint64_t)handshake_fd, 0};
                r = allow(rs, SCMP_SYS(sendmsg), 1, &c);
        }
        return r;
}

/* Learning's floor (learn/floor.h): allowed where the policy leaves them
 * to DefaultAction, as if the policy allowed them, so that what the watch
 * table watches (a write-intent open) is still seen; what the policy
 * names (by name or group) stays as named. */
static int add_also_allowed(struct rules *rs, const struct lp_policy *p,
                            const struct lp_filter_options *o)
{
        for (size_t i = 0; o->also_allow && o->also_allow[i]; i++) {
                const struct lp_syscall_rule *rule = lp_policy_syscall_by_name(p, o->also_allow[i]);
                if (!rule || rule->action.type == LP_ACTION_ALLOW ||
                    !lp_syscall_rule_is_default(rule))
                        continue;
                int r = add_allowed(rs, p, o, rule);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The rules, in the order libseccomp will be given them. */
static int decide(const struct lp_policy *p, const struct lp_filter_options *o, struct rules *rs)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && i < p->n_syscalls; i++) {
                const struct lp_syscall_rule *rule = &p->syscalls[i];
                if (rule->action.type == LP_ACTION_ALLOW)
                        r = add_allowed(rs, p, o, rule);
                else if (rule->hardening && rule->action.errno_value == ENOSYS)
                        /* clone3 -> ENOSYS is a compatibility answer (libc
                         * falls back to clone), not a refused privilege:
                         * answered in the kernel, without a finding. */
                        r = add_rule(rs, SCMP_ACT_ERRNO(ENOSYS), rule->nr, 0, NULL);
        }
        if (r >= 0)
                r = add_always_allowed(rs, p, o);
        if (r >= 0)
                r = add_also_allowed(rs, p, o);
        return r;
}

static int collect(const struct lp_policy *p, const struct lp_filter_options *o, struct rules *rs)
{
        const struct scmp_version *v = seccomp_version();
        *rs = (struct rules){.head = {
                                     .scmp_version = {v->major, v->minor, v->micro},
                                     .api = seccomp_api_get(),
                                     .arch = seccomp_arch_native(),
                                     /* Whatever the filter does not allow goes to the
                                      * supervisor. Non-native ABIs (i386 int 0x80,
                                      * x32) too: their numbers differ and would slip
                                      * past rules written for the native ABI, so the
                                      * supervisor kills each with a finding; without a
                                      * supervisor the kernel answers ENOSYS. */
                                     .default_action = SCMP_ACT_NOTIFY,
                                     .bad_arch_action = SCMP_ACT_NOTIFY,
                                     /* A binary tree: O(log n) instead of a linear scan
                                      * for syscalls the action cache cannot answer
                                      * (measured in tools/bench). */
                                     .optimize = 2,
                             }};
        int r = decide(p, o, rs);
        rs->head.n_rules = (uint32_t)rs->n;
        return r;
}

/* The cache's key: the header, then the rules. */
static void *key_of(const struct rules *rs, size_t *len)
{
        *len = sizeof(rs->head) + rs->n * sizeof(*rs->v);
        char *key = malloc(*len);
        if (key) {
                memcpy(key, &rs->head, sizeof(rs->head));
                if (rs->n)
                        memcpy(key + sizeof(rs->head), rs->v, rs->n * sizeof(*rs->v));
        }
        return key;
}

static int to_libseccomp(const struct rules *rs, scmp_filter_ctx *ret)
{
        scmp_filter_ctx ctx = seccomp_init(rs->head.default_action);
        if (!ctx)
                return -ENOMEM;
        int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, rs->head.bad_arch_action);
        /* We set no_new_privs ourselves, as its own checklist step. */
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, rs->head.optimize);
        for (size_t i = 0; r >= 0 && i < rs->n; i++) {
                const struct rule *rule = &rs->v[i];
                r = seccomp_rule_add_array(ctx, rule->action, rule->nr, rule->n_cmp, rule->cmp);
        }
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

static int export_bpf(const struct rules *rs, struct sock_filter **insns, size_t *len)
{
        scmp_filter_ctx ctx;
        int r = to_libseccomp(rs, &ctx);
        if (r < 0)
                return r;
        /* libseccomp 2.5 exports to an fd only; a memfd keeps it in memory. */
        _cleanup_close_ int fd = memfd_create("leastpriv-bpf", MFD_CLOEXEC);
        r = fd < 0 ? -errno : seccomp_export_bpf(ctx, fd);
        seccomp_release(ctx);
        return r < 0 ? r : read_all(fd, insns, len);
}

/* The program from the cache, or compiled (and then cached). */
static int program_of(const struct rules *rs, const char *cache_dir, struct sock_filter **insns,
                      size_t *len)
{
        size_t key_len = 0;
        _cleanup_free_ void *key = cache_dir ? key_of(rs, &key_len) : NULL;
        if (key && lp_filter_cache_load(cache_dir, key, key_len, insns, len) == 1)
                return 0;
        int r = export_bpf(rs, insns, len);
        if (r >= 0 && key)
                lp_filter_cache_store(cache_dir, key, key_len, *insns, *len);
        return r;
}

int lp_filter_compile(const struct lp_policy *p, const struct lp_filter_options *o,
                      struct lp_filter **ret)
{
        struct rules rs;
        struct sock_filter *insns = NULL;
        size_t len = 0;
        int r = collect(p, o, &rs);
        if (r >= 0)
                r = program_of(&rs, o->cache_dir, &insns, &len);
        free(rs.v);
        struct lp_filter *f = r >= 0 ? calloc(1, sizeof(*f)) : NULL;
        if (!f) {
                free(insns);
                return r < 0 ? r : -ENOMEM;
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
        struct rules rs;
        scmp_filter_ctx ctx;
        int r = collect(p, o, &rs);
        if (r >= 0)
                r = to_libseccomp(&rs, &ctx);
        free(rs.v);
        if (r < 0)
                return r;
        r = seccomp_export_pfc(ctx, fd);
        seccomp_release(ctx);
        return r;
}
