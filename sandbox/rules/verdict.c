#include "rules/verdict.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/text.h"
#include "profile/names.h"
#include "profile/policy.h"

struct lp_verdict_finding *lp_verdict_add(const struct lp_decider *d, struct lp_verdict *v,
                                          enum lp_finding_kind kind, const char *operation,
                                          enum lp_finding_action action, int errno_value)
{
        if (v->n_findings >= LP_VERDICT_MAX_FINDINGS)
                return NULL;
        struct lp_verdict_finding *f = &v->findings[v->n_findings++];
        *f = (struct lp_verdict_finding){
                .kind = kind,
                .action = d->audit ? LP_FINDING_AUDITED : action,
                .errno_value = errno_value,
        };
        snprintf(f->operation, sizeof(f->operation), "%s", operation);
        return f;
}

/* "ORIGIN TEXT" with one formatting pass: a notified call sets a rule
 * every time, and three (the text, the origin, the two joined) were a
 * twentieth of a storm's supervisor time. */
void lp_verdict_rule(struct lp_verdict_finding *f, const struct lp_origin *o, const char *fmt, ...)
{
        char origin[400];
        size_t n = lp_text_join(f->rule, sizeof(f->rule), 0,
                                lp_origin_format(o, origin, sizeof(origin)));
        n = lp_text_join(f->rule, sizeof(f->rule), n, " ");
        if (n >= sizeof(f->rule) - 1)
                return; /* the origin alone fills it, cut */
        /* The text is cut at 299 bytes, as it always was. */
        size_t room = sizeof(f->rule) - n;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->rule + n, room < 300 ? room : 300, fmt, ap);
        va_end(ap);
}

/* A notified call sets a target or two every time: joined, not printed. */
void lp_verdict_target(struct lp_verdict_finding *f, const char *target, const char *dedupe)
{
        lp_text_join(f->target, sizeof(f->target), 0, target);
        lp_text_join(f->dedupe, sizeof(f->dedupe), 0, dedupe ? dedupe : target);
}

struct lp_verdict_finding *lp_verdict_capability(const struct lp_decider *d, struct lp_verdict *v,
                                                 int cap, const char *target)
{
        char name[64];
        lp_capability_name(cap, name, sizeof(name));
        /* The kernel's usual answer: a bind below the port start gives EACCES. */
        int err = cap == CAP_NET_BIND_SERVICE ? EACCES : EPERM;
        if (d->own_userns && (cap == CAP_CHOWN || cap == CAP_SETUID || cap == CAP_SETGID))
                err = EINVAL;
        struct lp_verdict_finding *f =
                lp_verdict_add(d, v, LP_FINDING_CAPABILITY, name, LP_FINDING_DENIED, err);
        if (!f)
                return NULL;
        lp_verdict_rule(f, &d->policy->keep_origin, "[Capabilities] Keep=");
        snprintf(f->fix, sizeof(f->fix), "[Capabilities] Keep=%s", name);
        lp_verdict_target(f, target, NULL);
        return f;
}
