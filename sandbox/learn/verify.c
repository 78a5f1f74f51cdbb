#include "learn/verify.h"

#include <errno.h>
#include <stdio.h>

#include "base/log.h"
#include "learn/families.h"
#include "learn/floor.h"
#include "learn/learned.h"
#include "profile/keys.h"
#include "profile/load.h"
#include "profile/policy.h"
#include "rules/watch.h"

static bool allowed_by(const struct lp_policy *p, const char *name)
{
        const struct lp_syscall_rule *r = lp_policy_syscall_by_name(p, name);
        return r && r->action.type == LP_ACTION_ALLOW;
}

static int check_grants(const struct lp_policy *p, const struct lp_policy *base,
                        const struct lp_learned *l)
{
        const struct lp_key *allow = lp_key_find("Syscalls", "Allow");
        for (size_t i = 0; i < p->n_syscalls; i++) {
                const char *name = p->syscalls[i].name;
                bool allowed = p->syscalls[i].action.type == LP_ACTION_ALLOW;
                bool wanted = lp_learned_find(l, LP_LEARNED_GRANT, allow, name) ||
                              allowed_by(base, name) || lp_floor_grants(base, l->floor, name) ||
                              lp_creation_grants(base, l, name) ||
                              lp_family_grants(base, l, name, NULL);
                if (allowed != wanted)
                        return lp_log_errno(-EPROTO,
                                            "learn: the learned profile would %s %s; "
                                            "nothing written",
                                            allowed ? "grant the unused" : "refuse", name);
        }
        return 0;
}

/* Every syscall with argument hardening (the watch table) keeps it unless
 * the command needed what it refuses. */
static int check_hardening(const struct lp_policy *p, const struct lp_policy *base,
                           const struct lp_learned *l)
{
        const struct lp_key *allow = lp_key_find("Syscalls", "Allow");
        for (const struct lp_watch *w = lp_watches; w->name; w++) {
                for (size_t i = 0; w->hardening && w->syscalls[i]; i++) {
                        const char *name = w->syscalls[i];
                        const struct lp_learned_item *it =
                                lp_learned_find(l, LP_LEARNED_GRANT, allow, name);
                        if (lp_watch_hardened(base, name) && !lp_watch_hardened(p, name) &&
                            !(it && it->by_name))
                                return lp_log_errno(-EPROTO,
                                                    "learn: the learned profile would lift "
                                                    "the hardening of %s; nothing written",
                                                    name);
                }
        }
        return 0;
}

int lp_learn_verify(const char *text, const char *path, const struct lp_policy *base,
                    const struct lp_learned *l)
{
        struct lp_policy *p = NULL;
        if (lp_policy_load_string(text, path, stderr, &p) < 0)
                return lp_log_errno(-EPROTO, "learn: the learned profile does not resolve "
                                             "(see above); nothing written");
        int r = check_grants(p, base, l);
        if (r >= 0)
                r = check_hardening(p, base, l);
        lp_policy_free(p);
        return r;
}
