/* [Syscalls]: which syscalls the command may make, and what the rest get
 * (docs/architecture.md, "Profiles"). */
#include "profile/keys_syscalls.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/suggest.h"
#include "base/util.h"
#include "profile/builder.h"
#include "profile/names.h"
#include "profile/syscall_sets.h"

static bool check_syscall_name(struct lp_builder *b, const char *name, struct lp_origin o)
{
        if (name[0] == '@') {
                if (lp_syscall_group_find(name))
                        return true;
                LP_BUILDER_ERROR(b, o, "unknown syscall group %s (see `leastpriv syscalls`)", name);
                return false;
        }
        if (lp_syscall_nr(name) >= 0)
                return true;
        if (lp_syscall_known_elsewhere(name)) {
                LP_BUILDER_ERROR(b, o, "syscall '%s' does not exist on this architecture", name);
                return false;
        }
        _cleanup_free_ char *hint = lp_syscall_suggest(name);
        if (hint)
                LP_BUILDER_ERROR(b, o, "unknown syscall '%s'; did you mean '%s'?", name, hint);
        else
                LP_BUILDER_ERROR(b, o,
                                 "unknown syscall '%s'; `leastpriv syscalls @GROUP` lists the "
                                 "names of this architecture",
                                 name);
        return false;
}

/* "errno:EPERM", "EPERM" (after a ':' in Deny=) or "kill". */
static bool parse_action(struct lp_builder *b, const char *text, bool errno_prefix,
                         struct lp_origin o, struct lp_action *ret)
{
        if (strcmp(text, "kill") == 0) {
                *ret = (struct lp_action){LP_ACTION_KILL, 0};
                return true;
        }
        const char *name = text;
        if (errno_prefix) {
                if (strncmp(text, "errno:", 6) != 0) {
                        LP_BUILDER_ERROR(b, o, "expected errno:NAME or kill, got '%s'", text);
                        return false;
                }
                name += 6;
        }
        int e = lp_errno_from_name(name);
        if (e < 0) {
                const char *hint = lp_suggest(name, lp_errno_names);
                if (hint)
                        LP_BUILDER_ERROR(b, o, "unknown errno '%s'; did you mean %s?", name, hint);
                else
                        LP_BUILDER_ERROR(b, o, "unknown errno '%s'", name);
                return false;
        }
        *ret = (struct lp_action){LP_ACTION_ERRNO, e};
        return true;
}

static int add_syscall_token(struct lp_syscall_token **arr, size_t *n, size_t *cap,
                             struct lp_syscall_token t)
{
        if (LP_GROW(*arr, *cap, *n) < 0 || !(t.token = strdup(t.token)))
                return -ENOMEM;
        (*arr)[(*n)++] = t;
        return 0;
}

static int allow_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        if (!check_syscall_name(b, tok, o))
                return 0;
        struct lp_syscall_token t = {.token = (char *)tok, .origin = o};
        return add_syscall_token(&p->allow, &p->n_allow, &b->cap_allow, t);
}

static int deny_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        _cleanup_free_ char *name = strdup(tok);
        if (!name)
                return -ENOMEM;
        struct lp_syscall_token t = {.action = {LP_ACTION_ERRNO, EPERM}, .origin = o};
        char *colon = strchr(name, ':');
        if (colon) {
                *colon = '\0';
                if (!parse_action(b, colon + 1, false, o, &t.action))
                        return 0;
                t.action_given = true;
        }
        if (!check_syscall_name(b, name, o))
                return 0;
        t.token = name;
        return add_syscall_token(&p->deny, &p->n_deny, &b->cap_deny, t);
}

static void reset_tokens(struct lp_syscall_token *arr, size_t *n)
{
        for (size_t i = 0; i < *n; i++)
                free(arr[i].token);
        *n = 0;
}

int lp_key_allow_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        if (!*value)
                reset_tokens(b->policy->allow, &b->policy->n_allow);
        return lp_value_foreach_token(b, value, o, allow_token);
}

int lp_key_deny_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        if (!*value)
                reset_tokens(b->policy->deny, &b->policy->n_deny);
        return lp_value_foreach_token(b, value, o, deny_token);
}

int lp_key_default_action_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        struct lp_action a;
        if (parse_action(b, value, true, o, &a)) {
                b->policy->default_action = a;
                b->policy->default_origin = o;
        }
        return 0;
}

/* ---- show ---- */

void lp_key_allow_show(const struct lp_policy *p, FILE *out)
{
        size_t allowed = 0;
        for (size_t i = 0; i < p->n_syscalls; i++)
                allowed += p->syscalls[i].action.type == LP_ACTION_ALLOW;
        fprintf(out, "# %zu of %zu syscalls of this architecture are allowed\n", allowed,
                p->n_syscalls);
        fputs("Allow=\n", out);
        for (size_t i = 0; i < p->n_allow; i++)
                lp_value_print(out, "Allow", p->allow[i].token, &p->allow[i].origin);
}

void lp_key_deny_show(const struct lp_policy *p, FILE *out)
{
        fputs("Deny=\n", out);
        for (size_t i = 0; i < p->n_deny; i++) {
                const struct lp_syscall_token *t = &p->deny[i];
                char buf[256], act[64] = "";
                if (t->action_given)
                        snprintf(act, sizeof(act), ":%s",
                                 t->action.type == LP_ACTION_KILL
                                         ? "kill"
                                         : lp_errno_name(t->action.errno_value));
                snprintf(buf, sizeof(buf), "%s%s", t->token, act);
                lp_value_print(out, "Deny", buf, &t->origin);
        }
}

void lp_key_default_action_show(const struct lp_policy *p, FILE *out)
{
        char buf[64];
        if (p->default_action.type == LP_ACTION_KILL)
                snprintf(buf, sizeof(buf), "kill");
        else
                snprintf(buf, sizeof(buf), "errno:%s",
                         lp_errno_name(p->default_action.errno_value));
        lp_value_print(out, "DefaultAction", buf, &p->default_origin);
}

/* ---- diff ---- */

int lp_key_allow_privileges(const struct lp_policy *p, const struct lp_policy *other,
                            struct lp_privilege_sink *sink)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && i < p->n_syscalls; i++)
                if (p->syscalls[i].action.type == LP_ACTION_ALLOW)
                        r = lp_value_grant(sink, &p->syscalls[i].origin, "syscall %s",
                                           p->syscalls[i].name);
        return r;
}

int lp_key_default_action_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                     struct lp_privilege_sink *sink)
{
        /* errno is looser than kill: the command survives and can try again. */
        if (p->default_action.type != LP_ACTION_ERRNO)
                return 0;
        return lp_value_grant(sink, &p->default_origin, "default action errno (looser than kill)");
}
