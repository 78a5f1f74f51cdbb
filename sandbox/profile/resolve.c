/* The syscall table of a policy: one rule per syscall of the native
 * architecture, decided by the precedence of DESIGN.md §3 (Deny beats
 * Allow; a bare name beats a group; the rest gets DefaultAction) and the
 * always-on hardening of §1. */
#include <errno.h>
#include <fnmatch.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>

#include "profile/builder.h"
#include "profile/syntax.h"
#include "profile/syscall_sets.h"
#include "base/util.h"

/* Above the highest syscall number of x86_64 and aarch64 (both < 470 in
 * Linux 6.x); numbers are dense there, so a flat array indexed by nr works. */
#define MAX_NR 600

/* Index of the deciding token per class, -1 for none. Later tokens win
 * within a class: "later lines win" (DESIGN.md §3). */
struct marks {
        int named_deny[MAX_NR], named_allow[MAX_NR], group_deny[MAX_NR], group_allow[MAX_NR];
};

struct mark_ctx {
        int *slot;
        int index;
};

static int mark_member(const char *name, int nr, void *userdata)
{
        struct mark_ctx *c = userdata;
        if (nr >= 0 && nr < MAX_NR)
                c->slot[nr] = c->index;
        return 0;
}

static int mark_tokens(const struct lp_syscall_token *t, size_t n, int *named, int *group)
{
        for (size_t i = 0; i < n; i++) {
                if (t[i].token[0] == '@') {
                        struct mark_ctx c = {group, (int)i};
                        int r = lp_syscall_group_foreach(t[i].token, mark_member, &c);
                        if (r < 0)
                                return r;
                        continue;
                }
                int nr = lp_syscall_nr(t[i].token);
                if (nr >= 0 && nr < MAX_NR)
                        named[nr] = (int)i;
        }
        return 0;
}

static struct lp_action deny_action(const struct lp_policy *p, const struct lp_syscall_token *t)
{
        /* A plain Deny=name takes the errno of DefaultAction, or EPERM when
         * the default kills: an explicit deny should not be harsher than
         * asked for. */
        if (t->action_given)
                return t->action;
        if (p->default_action.type == LP_ACTION_ERRNO)
                return p->default_action;
        return (struct lp_action){LP_ACTION_ERRNO, EPERM};
}

static void decide(const struct lp_policy *p, const struct marks *m, int nr,
                   struct lp_syscall_rule *r)
{
        const struct lp_syscall_token *t = NULL;
        if (m->named_deny[nr] >= 0) {
                t = &p->deny[m->named_deny[nr]];
                r->named = true;
        } else if (m->named_allow[nr] >= 0) {
                t = &p->allow[m->named_allow[nr]];
                r->named = true;
        } else if (m->group_deny[nr] >= 0) {
                t = &p->deny[m->group_deny[nr]];
        } else if (m->group_allow[nr] >= 0) {
                t = &p->allow[m->group_allow[nr]];
        }
        if (!t) {
                r->action = p->default_action;
                r->origin = p->default_origin;
                return;
        }
        r->action = t->action.type == LP_ACTION_ALLOW ? t->action : deny_action(p, t);
        r->group = r->named ? NULL : t->token;
        r->origin = t->origin;
}

static bool named_allow(const struct lp_syscall_rule *r)
{
        return r && r->named && r->action.type == LP_ACTION_ALLOW;
}

/* DESIGN.md §1: clone3 -> ENOSYS so libc falls back to clone, whose flags
 * the filter can see; io_uring_* denied because their operations bypass
 * seccomp. Both unless the profile allows the syscall by its bare name. */
static void harden_whole_syscalls(struct lp_policy *p)
{
        for (size_t i = 0; i < p->n_syscalls; i++) {
                struct lp_syscall_rule *r = &p->syscalls[i];
                if (r->named)
                        continue;
                bool clone3 = strcmp(r->name, "clone3") == 0;
                bool io_uring = strncmp(r->name, "io_uring_", 9) == 0;
                if (clone3 || (io_uring && r->action.type == LP_ACTION_ALLOW)) {
                        r->action = (struct lp_action){LP_ACTION_ERRNO, clone3 ? ENOSYS : EPERM};
                        r->hardening = true;
                        r->group = NULL;
                        r->origin = (struct lp_origin){0};
                }
        }
}

static void harden_arguments(struct lp_policy *p)
{
        p->hardening.ioctl_tty = !named_allow(lp_policy_syscall_by_name(p, "ioctl"));
        p->hardening.clone_ns = !named_allow(lp_policy_syscall_by_name(p, "clone"));
        p->hardening.unshare_ns = !named_allow(lp_policy_syscall_by_name(p, "unshare"));
        /* AddressFamilies= is always enforced, even when socket is named:
         * the family list is itself an explicit grant, and a learned profile
         * names socket without meaning "every family". */
        p->hardening.socket_family = true;
}

int lp_policy_resolve_syscalls(struct lp_builder *b)
{
        struct lp_policy *p = b->policy;
        struct marks *m = malloc(sizeof(*m));
        if (!m)
                return -ENOMEM;
        memset(m, 0xff, sizeof(*m)); /* every slot -1 */
        int r = mark_tokens(p->allow, p->n_allow, m->named_allow, m->group_allow);
        if (r >= 0)
                r = mark_tokens(p->deny, p->n_deny, m->named_deny, m->group_deny);
        p->syscalls = r >= 0 ? calloc(MAX_NR, sizeof(*p->syscalls)) : NULL;
        if (r >= 0 && !p->syscalls)
                r = -ENOMEM;
        uint32_t arch = seccomp_arch_native();
        for (int nr = 0; r >= 0 && nr < MAX_NR; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(arch, nr);
                if (!name)
                        continue;
                struct lp_syscall_rule *rule = &p->syscalls[p->n_syscalls++];
                *rule = (struct lp_syscall_rule){.nr = nr, .name = name};
                decide(p, m, nr, rule);
        }
        free(m);
        if (r < 0)
                return r;
        harden_whole_syscalls(p);
        harden_arguments(p);
        return 0;
}

const struct lp_syscall_rule *lp_policy_syscall(const struct lp_policy *p, int nr)
{
        /* syscalls[] is sorted by nr; numbers are dense, so start at nr. */
        size_t lo = 0, hi = p->n_syscalls;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (p->syscalls[mid].nr == nr)
                        return &p->syscalls[mid];
                if (p->syscalls[mid].nr < nr)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

const struct lp_syscall_rule *lp_policy_syscall_by_name(const struct lp_policy *p,
                                                        const char *name)
{
        int nr = lp_syscall_nr(name);
        return nr >= 0 ? lp_policy_syscall(p, nr) : NULL;
}

const struct lp_capability *lp_policy_keeps(const struct lp_policy *p, int cap)
{
        for (size_t i = 0; i < p->n_keep; i++)
                if (p->keep[i].cap == cap)
                        return &p->keep[i];
        return NULL;
}

const struct lp_family *lp_policy_family(const struct lp_policy *p, int family)
{
        for (size_t i = 0; i < p->n_families; i++)
                if (p->families[i].family == family)
                        return &p->families[i];
        return NULL;
}

bool lp_policy_withholds(const struct lp_policy *p, const char *name,
                         const struct lp_pattern **ret_rule)
{
        /* Pass= overrides a withhold (DESIGN.md §3). */
        for (size_t i = 0; i < p->n_pass; i++)
                if (fnmatch(p->pass[i].glob, name, 0) == 0)
                        return false;
        for (size_t i = 0; i < p->n_withhold; i++) {
                if (fnmatch(p->withhold[i].glob, name, 0) == 0) {
                        if (ret_rule)
                                *ret_rule = &p->withhold[i];
                        return true;
                }
        }
        return false;
}

bool lp_syscall_known_elsewhere(const char *name)
{
        static const uint32_t arches[] = {SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, SCMP_ARCH_X86,
                                          SCMP_ARCH_ARM, SCMP_ARCH_RISCV64};
        for (size_t i = 0; i < LP_ELEMENTSOF(arches); i++)
                if (seccomp_syscall_resolve_name_arch(arches[i], name) >= 0)
                        return true;
        return false;
}

const char *lp_syscall_suggest(const char *name)
{
        static char *names[MAX_NR + 1];
        static size_t n;
        if (!n) {
                uint32_t arch = seccomp_arch_native();
                for (int nr = 0; nr < MAX_NR; nr++) {
                        char *s = seccomp_syscall_resolve_num_arch(arch, nr);
                        if (s)
                                names[n++] = s;
                }
        }
        return lp_suggest(name, (const char *const *)names);
}
