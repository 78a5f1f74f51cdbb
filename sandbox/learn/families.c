/* Syscall families of learned profiles (families.h). */
#include "learn/families.h"

#include <stddef.h>
#include <string.h>

#include "learn/learned.h"
#include "profile/keys.h"
#include "profile/policy.h"
#include "profile/syscall_sets.h"
#include "rules/watch.h"

#define FAMILY(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Each member does what the others do, through another calling
 * convention (a path or a directory descriptor, flags or none); none
 * reaches what the others cannot. Names this architecture lacks are
 * skipped. */
const char *const *const lp_learn_families[] = {
        FAMILY("unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2"),
        FAMILY("mkdir", "mkdirat"),
        FAMILY("link", "linkat", "symlink", "symlinkat"),
        FAMILY("chmod", "fchmod", "fchmodat"),
        FAMILY("chown", "fchown", "lchown", "fchownat"),
        FAMILY("utime", "utimes", "futimesat", "utimensat"),
        FAMILY("truncate", "ftruncate"),
        FAMILY("accept", "accept4"),
        FAMILY("epoll_create", "epoll_create1"),
        FAMILY("epoll_wait", "epoll_pwait", "epoll_pwait2"),
        FAMILY("eventfd", "eventfd2"),
        FAMILY("inotify_init", "inotify_init1"),
        FAMILY("signalfd", "signalfd4"),
        FAMILY("select", "pselect6"),
        FAMILY("getdents", "getdents64"),
        NULL,
};

static const char *const *family_of(const char *name)
{
        for (size_t f = 0; lp_learn_families[f]; f++)
                for (size_t i = 0; lp_learn_families[f][i]; i++)
                        if (strcmp(lp_learn_families[f][i], name) == 0)
                                return lp_learn_families[f];
        return NULL;
}

static bool used(const struct lp_learned *l, const char *name)
{
        return lp_learned_find(l, LP_LEARNED_GRANT, lp_key_find("Syscalls", "Allow"), name) != NULL;
}

/* BASE leaves it to DefaultAction, it exists here, and no argument of it
 * is hardened. */
static bool may_come_along(const struct lp_policy *base, const char *name)
{
        const struct lp_syscall_rule *r = lp_policy_syscall_by_name(base, name);
        const struct lp_watch *w = lp_watch_find(name);
        return r && r->action.type != LP_ACTION_ALLOW && lp_syscall_rule_is_default(r) &&
               !(w && w->hardening);
}

bool lp_family_grants(const struct lp_policy *base, const struct lp_learned *l, const char *name,
                      const char **ret_with)
{
        const char *const *family = family_of(name);
        if (!family || used(l, name) || !may_come_along(base, name))
                return false;
        for (size_t i = 0; family[i]; i++)
                if (used(l, family[i])) {
                        if (ret_with)
                                *ret_with = family[i];
                        return true;
                }
        return false;
}
