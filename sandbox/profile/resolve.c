/* The syscall table of a policy: one rule per syscall of the native
 * architecture, decided by the precedence of docs/architecture.md,
 * "Profiles" (Deny beats Allow; a bare name beats a group; the rest gets
 * DefaultAction) and the whole-syscall part of the always-on hardening
 * (clone3, io_uring). The hardening that looks at arguments is the watch
 * table's (rules/watch.h). */
#include "profile/resolve.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/policy.h"
#include "profile/syscall_sets.h"
#include "profile/syscall_table.h"

#define MAX_NR LP_SYSCALL_MAX_NR

/* Index of the deciding token per class, -1 for none. Later tokens win
 * within a class: "later lines win". */
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

static void rule_for(const struct lp_policy *p, const struct marks *m, int nr,
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

/* clone3 -> ENOSYS so libc falls back to clone, whose flags
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

int lp_resolve_syscalls(struct lp_policy *p)
{
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
        for (size_t i = 0; r >= 0 && i < lp_syscall_table_size; i++) {
                int nr = lp_syscall_table[i].nr;
                char *name = nr < MAX_NR ? strdup(lp_syscall_table[i].name) : NULL;
                if (nr >= MAX_NR)
                        continue;
                if (!name) {
                        r = -ENOMEM;
                        break;
                }
                struct lp_syscall_rule *rule = &p->syscalls[p->n_syscalls++];
                *rule = (struct lp_syscall_rule){.nr = nr, .name = name};
                rule_for(p, m, nr, rule);
        }
        free(m);
        if (r < 0)
                return r;
        harden_whole_syscalls(p);
        return 0;
}
