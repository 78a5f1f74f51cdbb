/* Identity and capabilities: the last privilege changes before
 * no_new_privs. They live together because switching users (setuid)
 * clears capabilities unless done with keep-caps, as libcap-ng does. */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

struct lp_policy;

struct lp_identity {
        bool set_user, set_group;
        uid_t uid;
        gid_t gid;
};

/* In the parent (NSS may open files or sockets): [Identity] names -> ids. */
int lp_identity_resolve(const struct lp_policy *p, struct lp_identity *ret);

/* In the child: switch identity, then leave exactly the kept capabilities
 * in the effective, permitted, inheritable, bounding and ambient sets.
 * Returns 0 or -errno (-EPERM also when a kept capability is not ours to
 * give). */
int lp_caps_apply(const struct lp_policy *p, const struct lp_identity *id);
