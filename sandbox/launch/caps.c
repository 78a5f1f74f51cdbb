/* Capabilities through libcap-ng; libcap-ng's own error codes are turned
 * into -errno here, at the edge (STYLE.md). */
#include "launch/caps.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "profile/policy.h"

static int parse_id(const char *s, unsigned long *ret)
{
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || *end || end == s || v >= (unsigned long)(uid_t)-1)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int resolve_user(const char *name, struct lp_identity *id)
{
        unsigned long v;
        struct passwd *pw = getpwnam(name);
        if (pw) {
                id->uid = pw->pw_uid;
                id->gid = pw->pw_gid;
                return 0;
        }
        if (parse_id(name, &v) < 0)
                return -ESRCH;
        id->uid = (uid_t)v;
        pw = getpwuid(id->uid);
        id->gid = pw ? pw->pw_gid : (gid_t)v;
        return 0;
}

static int resolve_group(const char *name, gid_t *ret)
{
        unsigned long v;
        struct group *gr = getgrnam(name);
        if (gr) {
                *ret = gr->gr_gid;
                return 0;
        }
        if (parse_id(name, &v) < 0)
                return -ESRCH;
        *ret = (gid_t)v;
        return 0;
}

int lp_identity_resolve(const struct lp_policy *p, struct lp_identity *ret)
{
        struct lp_identity id = {0};
        if (p->user) {
                int r = resolve_user(p->user, &id);
                if (r < 0)
                        return r;
                id.set_user = id.set_group = true;
        }
        if (p->group) {
                int r = resolve_group(p->group, &id.gid);
                if (r < 0)
                        return r;
                id.set_group = true;
        }
        *ret = id;
        return 0;
}

static int switch_group_only(gid_t gid)
{
        if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0)
                return -errno;
        return 0;
}

int lp_caps_apply(const struct lp_policy *p, const struct lp_identity *id)
{
        capng_get_caps_process();
        for (size_t i = 0; i < p->n_keep; i++)
                if (!capng_have_capability(CAPNG_PERMITTED, (unsigned)p->keep[i].cap))
                        return -EPERM;
        bool had_setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
        capng_clear(CAPNG_SELECT_ALL);
        for (size_t i = 0; i < p->n_keep; i++)
                if (capng_update(CAPNG_ADD,
                                 CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_INHERITABLE |
                                         CAPNG_BOUNDING_SET | CAPNG_AMBIENT,
                                 (unsigned)p->keep[i].cap) < 0)
                        return -EINVAL;
        /* The bounding set first, while CAP_SETPCAP is still ours. Without
         * it (non-root, Namespace=host: no user namespace) the bounding set
         * stays as it was, which grants nothing under no_new_privs: exec can
         * no longer raise capabilities through setuid or file capabilities. */
        if (had_setpcap && capng_apply(CAPNG_SELECT_BOUNDS) < 0)
                return -EPERM;
        int r = 0;
        if (id->set_user)
                r = capng_change_id((int)id->uid, (int)id->gid, CAPNG_DROP_SUPP_GRP) < 0 ? -EPERM
                                                                                         : 0;
        else if (id->set_group)
                r = switch_group_only(id->gid);
        if (r < 0)
                return r;
        if (!id->set_user && capng_apply(CAPNG_SELECT_CAPS) < 0)
                return -EPERM;
        /* Ambient last: a kept capability must already be permitted and
         * inheritable to be raised, and it is what lets a non-root command
         * keep it across execve (capabilities(7)). */
        if (capng_apply(CAPNG_SELECT_AMBIENT) < 0)
                return -EPERM;
        return 0;
}
