#include "rules/decide.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "profile/names.h"
#include "profile/policy.h"
#include "rules/checks.h"
#include "rules/watch.h"

/* The [Syscalls] line that decided the refusal, in words. */
static void describe_rule(const struct lp_policy *p, const struct lp_syscall_rule *r,
                          struct lp_verdict_finding *f)
{
        if (r->hardening)
                lp_verdict_rule(f, &r->origin,
                                "[Syscalls] built-in hardening: %s denied unless allowed by name",
                                r->name);
        else if (r->named || r->group)
                lp_verdict_rule(f, &r->origin, "[Syscalls] Deny=%s", r->named ? r->name : r->group);
        else if (p->default_action.type == LP_ACTION_KILL)
                lp_verdict_rule(f, &r->origin, "[Syscalls] DefaultAction=kill");
        else
                lp_verdict_rule(f, &r->origin, "[Syscalls] DefaultAction=errno:%s",
                                lp_errno_name(p->default_action.errno_value));
}

static void refuse_syscall(const struct lp_decider *d, const struct lp_call *c,
                           struct lp_verdict *v)
{
        const struct lp_policy *p = d->policy;
        const struct lp_syscall_rule *r = c->rule;
        struct lp_action a = r ? r->action : p->default_action;
        bool kill = a.type == LP_ACTION_KILL || c->foreign_abi;
        int err = !kill && a.type == LP_ACTION_ERRNO ? a.errno_value : 0;
        v->answer = kill ? LP_ANSWER_KILL : LP_ANSWER_ERRNO;
        v->error = kill ? EPERM : err;
        struct lp_verdict_finding *f =
                lp_verdict_add(d, v, LP_FINDING_SYSCALL, c->name,
                               kill ? LP_FINDING_KILLED : LP_FINDING_DENIED, err);
        if (!f)
                return;
        lp_verdict_target(f, c->decoded.target, c->decoded.dedupe);
        size_t n = lp_text_join(f->fix, sizeof(f->fix), 0, "[Syscalls] Allow=");
        lp_text_join(f->fix, sizeof(f->fix), n, c->name);
        if (c->foreign_abi) {
                static const struct lp_origin built_in = {NULL, 0};
                lp_verdict_rule(f, &built_in,
                                "[Syscalls] built-in hardening: a syscall of another ABI than "
                                "the native one is killed");
                snprintf(f->fix, sizeof(f->fix),
                         "(none: only the native ABI's syscalls can be "
                         "allowed)");
                f->hardening = true;
        } else if (r) {
                describe_rule(p, r, f);
                f->hardening = r->hardening;
        } else {
                lp_verdict_rule(f, &p->default_origin,
                                "[Syscalls] DefaultAction (unknown syscall)");
        }
}

/* Learning keeps one entry per grant: per operation and executable for a
 * syscall or a capability, so that a storm of distinct paths cannot grow
 * the store without bound; what the hardening refused apart, since it is
 * granted by name; a destination, a file system path per path the fix
 * names (500 files in one directory are one grant). */
static void learning_keys(struct lp_verdict *v)
{
        for (size_t i = 0; i < v->n_findings; i++) {
                struct lp_verdict_finding *f = &v->findings[i];
                if (f->kind == LP_FINDING_FILESYSTEM) {
                        /* Two fields of one finding: copied, not printed
                         * (the sanitizer build reads snprintf's restrict). */
                        size_t n = strnlen(f->fix, sizeof(f->fix));
                        n = n < sizeof(f->dedupe) ? n : sizeof(f->dedupe) - 1;
                        memcpy(f->dedupe, f->fix, n);
                        f->dedupe[n] = '\0';
                } else if (f->kind != LP_FINDING_NETWORK)
                        snprintf(f->dedupe, sizeof(f->dedupe), "%s",
                                 f->hardening ? "hardening" : "");
        }
}

/* A watched call: the paths it writes first (a read-only mount refuses
 * before any capability is looked at), then its entry's own check. */
static void check_watched(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        if (lp_check_mode(d, c, v))
                return;
        if (lp_check_paths(d, c, v))
                return;
        if (c->watch->check)
                c->watch->check(d, c, v);
}

/* Allowed by the policy, or by the floor the filter adds to it. */
static bool allowed(const struct lp_decider *d, const struct lp_syscall_rule *r)
{
        if (!r)
                return false;
        if (r->action.type == LP_ACTION_ALLOW)
                return true;
        for (size_t i = 0; d->also_allow && d->also_allow[i]; i++)
                if (strcmp(d->also_allow[i], r->name) == 0)
                        return lp_syscall_rule_is_default(r);
        return false;
}

void lp_decide(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v)
{
        *v = (struct lp_verdict){.answer = LP_ANSWER_CONTINUE};
        const struct lp_syscall_rule *r = c->rule;
        if (!allowed(d, r)) {
                refuse_syscall(d, c, v);
                /* Learning: the syscall is one grant; what it did with its
                 * arguments may be another. The refusal's answer stands. */
                if (d->learn && c->watch) {
                        enum lp_answer answer = v->answer;
                        int error = v->error;
                        check_watched(d, c, v);
                        v->answer = answer;
                        v->error = error;
                }
        } else if (c->watch) {
                check_watched(d, c, v);
        }
        if (d->learn)
                learning_keys(v);
        /* --audit blocks nothing: the kernel decides. A foreign ABI is
         * still killed: its numbers mean other syscalls. */
        if (d->audit && !c->foreign_abi) {
                v->answer = LP_ANSWER_CONTINUE;
                v->error = 0;
        }
}

void lp_decide_created(const struct lp_decider *d, const char *syscall, uint64_t count,
                       struct lp_verdict *v)
{
        *v = (struct lp_verdict){.answer = LP_ANSWER_CONTINUE};
        struct lp_call c = {.name = syscall, .rule = lp_policy_syscall_by_name(d->policy, syscall)};
        snprintf(c.decoded.target, sizeof(c.decoded.target),
                 "%llu processes or threads created (counted in the command's PID namespace)",
                 (unsigned long long)count);
        snprintf(c.decoded.dedupe, sizeof(c.decoded.dedupe), "processes or threads created");
        refuse_syscall(d, &c, v);
        if (d->learn)
                learning_keys(v);
        v->answer = LP_ANSWER_CONTINUE;
        v->error = 0;
}
