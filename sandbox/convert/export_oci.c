/* `leastpriv export --format oci` (export_oci.h). */
#include "convert/export_oci.h"

#include <errno.h>
#include <json-c/json.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/capability.h>

#include "base/util.h"
#include "profile/policy.h"
#include "rules/watch.h"

struct json_object;

/* Sets key to val in obj; false when val could not be made (no memory). */
static bool put(struct json_object *obj, const char *key, struct json_object *val)
{
        return val && json_object_object_add(obj, key, val) == 0;
}

static bool push(struct json_object *array, struct json_object *val)
{
        return val && json_object_array_add(array, val) == 0;
}

static const char *arch_name(uint32_t arch)
{
        static const struct {
                uint32_t arch;
                const char *name;
        } names[] = {
                {SCMP_ARCH_X86_64, "SCMP_ARCH_X86_64"},   {SCMP_ARCH_AARCH64, "SCMP_ARCH_AARCH64"},
                {SCMP_ARCH_X86, "SCMP_ARCH_X86"},         {SCMP_ARCH_ARM, "SCMP_ARCH_ARM"},
                {SCMP_ARCH_RISCV64, "SCMP_ARCH_RISCV64"}, {SCMP_ARCH_PPC64LE, "SCMP_ARCH_PPC64LE"},
                {SCMP_ARCH_S390X, "SCMP_ARCH_S390X"},
        };
        for (size_t i = 0; i < LP_ELEMENTSOF(names); i++)
                if (names[i].arch == arch)
                        return names[i].name;
        return NULL;
}

/* "action" (and "errnoRet") of an entry; `errno_key` is "errnoRet" for a
 * syscall group, "defaultErrnoRet" for the profile's default. */
static bool put_action(struct json_object *obj, const char *key, const char *errno_key,
                       struct lp_action a)
{
        static const char *const names[] = {[LP_ACTION_ALLOW] = "SCMP_ACT_ALLOW",
                                            [LP_ACTION_ERRNO] = "SCMP_ACT_ERRNO",
                                            [LP_ACTION_KILL] = "SCMP_ACT_KILL_PROCESS"};
        if (!put(obj, key, json_object_new_string(names[a.type])))
                return false;
        return a.type != LP_ACTION_ERRNO || put(obj, errno_key, json_object_new_int(a.errno_value));
}

static bool same_action(struct lp_action a, struct lp_action b)
{
        return a.type == b.type && (a.type != LP_ACTION_ERRNO || a.errno_value == b.errno_value);
}

/* The argument conditions the kernel-side filter holds for an allowed
 * syscall: its argument hardening (unless allowed by bare name) and
 * socket()'s families. Other watches are the supervisor's. */
static bool conditional(const struct lp_syscall_rule *r)
{
        const struct lp_watch *w = lp_watch_find(r->name);
        return r->action.type == LP_ACTION_ALLOW && w &&
               (w->filter == LP_FILTER_SOCKET_FAMILIES || lp_watch_hardens(w, r));
}

/* ALLOW first, then errno by number, then kill; the profile's own
 * refusals before the built-in hardening's; by name within each. */
static int compare_rules(const void *a, const void *b)
{
        const struct lp_syscall_rule *x = *(const struct lp_syscall_rule *const *)a;
        const struct lp_syscall_rule *y = *(const struct lp_syscall_rule *const *)b;
        if (x->action.type != y->action.type)
                return (int)x->action.type - (int)y->action.type;
        if (x->action.type == LP_ACTION_ERRNO && x->action.errno_value != y->action.errno_value)
                return x->action.errno_value - y->action.errno_value;
        if (x->hardening != y->hardening)
                return (int)x->hardening - (int)y->hardening;
        return strcmp(x->name, y->name);
}

static struct json_object *entry_new(const char *name, struct lp_action a, const char *comment)
{
        struct json_object *e = json_object_new_object();
        struct json_object *names = json_object_new_array();
        bool ok = e && names && (!name || push(names, json_object_new_string(name)));
        if (ok && put(e, "names", names))
                names = NULL;
        else
                ok = false;
        ok = ok && put_action(e, "action", "errnoRet", a) &&
             put(e, "comment", json_object_new_string(comment));
        json_object_put(names);
        if (!ok) {
                json_object_put(e);
                return NULL;
        }
        return e;
}

static const char *group_comment(const struct lp_syscall_rule *r)
{
        if (r->hardening)
                return "leastpriv's built-in hardening: clone3 answers ENOSYS so that libc "
                       "falls back to clone, io_uring's operations would bypass seccomp";
        return r->action.type == LP_ACTION_ALLOW ? "allowed by the profile"
                                                 : "refused by the profile";
}

/* The syscalls decided without argument conditions, other than by the
 * default: one entry per action. */
static int add_plain_groups(const struct lp_policy *p, struct json_object *syscalls)
{
        _cleanup_free_ const struct lp_syscall_rule **v = calloc(p->n_syscalls + 1, sizeof(*v));
        if (!v)
                return -ENOMEM;
        size_t n = 0;
        for (size_t i = 0; i < p->n_syscalls; i++) {
                const struct lp_syscall_rule *r = &p->syscalls[i];
                if (!same_action(r->action, p->default_action) && !conditional(r))
                        v[n++] = r;
        }
        qsort(v, n, sizeof(*v), compare_rules);
        struct json_object *e = NULL, *names = NULL;
        for (size_t i = 0; i < n; i++) {
                if (!e || !same_action(v[i]->action, v[i - 1]->action) ||
                    v[i]->hardening != v[i - 1]->hardening) {
                        e = entry_new(NULL, v[i]->action, group_comment(v[i]));
                        if (!push(syscalls, e))
                                return -ENOMEM;
                        names = json_object_object_get(e, "names");
                }
                if (!push(names, json_object_new_string(v[i]->name)))
                        return -ENOMEM;
        }
        return 0;
}

/* One allow entry for `name` under the conditions args (ANDed, on
 * distinct arguments: runc splits conditions on one argument into
 * alternatives). */
static int add_conditional(struct json_object *syscalls, const char *name, const char *comment,
                           size_t n, const struct scmp_arg_cmp *cmp)
{
        static const char *const ops[] = {
                [SCMP_CMP_EQ] = "SCMP_CMP_EQ", [SCMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ"};
        struct json_object *e = entry_new(name, (struct lp_action){LP_ACTION_ALLOW, 0}, comment);
        struct json_object *args = json_object_new_array();
        bool ok = push(syscalls, e);
        for (size_t i = 0; ok && i < n; i++) {
                struct json_object *a = json_object_new_object();
                ok = push(args, a) && put(a, "index", json_object_new_int((int)cmp[i].arg)) &&
                     put(a, "value", json_object_new_uint64(cmp[i].datum_a)) &&
                     put(a, "valueTwo", json_object_new_uint64(cmp[i].datum_b)) &&
                     put(a, "op", json_object_new_string(ops[cmp[i].op]));
        }
        if (ok && put(e, "args", args))
                return 0;
        json_object_put(args);
        return -ENOMEM;
}

/* Allows every value of the argument's low 32 bits but `values`: one
 * masked-equality entry per subtree of a binary trie over the bits that
 * holds no refused value, as launch/filter.c builds the kernel's rules. */
static int add_lo32_except(struct json_object *syscalls, const char *name, const char *comment,
                           const struct lp_watch *w, uint32_t mask, uint32_t prefix, int bit)
{
        bool any = false;
        for (size_t i = 0; i < w->n_filter_values; i++)
                any |= (w->filter_values[i] & mask) == prefix;
        if (!any) {
                struct scmp_arg_cmp c = {w->filter_arg, SCMP_CMP_MASKED_EQ, mask, prefix};
                return add_conditional(syscalls, name, comment, 1, &c);
        }
        if (bit < 0)
                return 0; /* a refused value: left to the default action */
        uint32_t b = UINT32_C(1) << bit;
        int r = add_lo32_except(syscalls, name, comment, w, mask | b, prefix, bit - 1);
        return r < 0 ? r
                     : add_lo32_except(syscalls, name, comment, w, mask | b, prefix | b, bit - 1);
}

/* socket(): the families of [Network] AddressFamilies=; AF_PACKET only
 * with CAP_NET_RAW kept, as the kernel-side filter has it. */
static int add_socket_families(const struct lp_policy *p, struct json_object *syscalls)
{
        bool raw = lp_policy_keeps(p, CAP_NET_RAW) != NULL;
        for (size_t i = 0; i < p->n_families; i++) {
                const struct lp_family *f = &p->families[i];
                struct scmp_arg_cmp c[2] = {{0, SCMP_CMP_EQ, (uint64_t)f->family, 0},
                                            {2, SCMP_CMP_EQ, (uint64_t)f->protocol, 0}};
                if (f->family == AF_PACKET && !raw)
                        continue;
                int r = add_conditional(syscalls, "socket",
                                        "[Network] AddressFamilies=", f->protocol >= 0 ? 2 : 1, c);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int add_hardened(const struct lp_syscall_rule *r, const struct lp_watch *w,
                        struct json_object *syscalls)
{
        char comment[128];
        snprintf(comment, sizeof(comment), "refuses %s (leastpriv's argument hardening)",
                 w->hardening);
        struct scmp_arg_cmp c = {w->filter_arg, SCMP_CMP_EQ, 0, 0};
        switch (w->filter) {
        case LP_FILTER_ARG_ZERO:
                return add_conditional(syscalls, r->name, comment, 1, &c);
        case LP_FILTER_ARG_MASK_ZERO:
                c = (struct scmp_arg_cmp){w->filter_arg, SCMP_CMP_MASKED_EQ, w->filter_mask, 0};
                return add_conditional(syscalls, r->name, comment, 1, &c);
        case LP_FILTER_ARG_LO32_NOT_IN:
                return add_lo32_except(syscalls, r->name, comment, w, 0, 0, 31);
        default: /* every call refused: the default action */
                return 0;
        }
}

static int add_conditional_groups(const struct lp_policy *p, struct json_object *syscalls)
{
        for (size_t i = 0; i < p->n_syscalls; i++) {
                const struct lp_syscall_rule *r = &p->syscalls[i];
                if (!conditional(r))
                        continue;
                const struct lp_watch *w = lp_watch_find(r->name);
                int ret = w->filter == LP_FILTER_SOCKET_FAMILIES ? add_socket_families(p, syscalls)
                                                                 : add_hardened(r, w, syscalls);
                if (ret < 0)
                        return ret;
        }
        return 0;
}

static int build(const struct lp_policy *p, struct json_object *root)
{
        const char *arch = arch_name(seccomp_arch_native());
        struct json_object *arches = json_object_new_array();
        if (!arch || !push(arches, json_object_new_string(arch)) ||
            !put_action(root, "defaultAction", "defaultErrnoRet", p->default_action) ||
            !put(root, "architectures", arches)) {
                json_object_put(arches);
                return arch ? -ENOMEM : -EAFNOSUPPORT;
        }
        struct json_object *syscalls = json_object_new_array();
        if (!put(root, "syscalls", syscalls))
                return -ENOMEM;
        int r = add_plain_groups(p, syscalls);
        return r < 0 ? r : add_conditional_groups(p, syscalls);
}

int lp_export_oci(const struct lp_policy *p, FILE *out)
{
        struct json_object *root = json_object_new_object();
        if (!root)
                return -ENOMEM;
        int r = build(p, root);
        if (r >= 0) {
                const char *text = json_object_to_json_string_ext(
                        root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                      JSON_C_TO_STRING_NOSLASHESCAPE);
                if (!text)
                        r = -ENOMEM;
                else if (fprintf(out, "%s\n", text) < 0 || fflush(out) != 0)
                        r = -EIO;
        }
        json_object_put(root);
        return r;
}
