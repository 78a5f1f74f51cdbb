/* [Host]: PrivateIPC= (an IPC namespace), ProtectHostname= (a UTS
 * namespace), created in the same step as the network namespace
 * (launch/namespaces.c). */
#include "profile/keys_host.h"

#include "profile/builder.h"

int lp_key_private_ipc_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return lp_value_flag_apply(b, &b->policy->private_ipc, "PrivateIPC", value, o);
}

int lp_key_protect_hostname_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return lp_value_flag_apply(b, &b->policy->protect_hostname, "ProtectHostname", value, o);
}

void lp_key_private_ipc_show(const struct lp_policy *p, FILE *out)
{
        lp_value_flag_show(out, "PrivateIPC", &p->private_ipc);
}

void lp_key_protect_hostname_show(const struct lp_policy *p, FILE *out)
{
        lp_value_flag_show(out, "ProtectHostname", &p->protect_hostname);
}

int lp_key_private_ipc_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                  struct lp_privilege_sink *sink)
{
        return lp_value_flag_privilege(&p->private_ipc, sink,
                                       "host the host's SysV IPC and POSIX message queues "
                                       "(PrivateIPC=no)");
}

int lp_key_protect_hostname_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                       struct lp_privilege_sink *sink)
{
        return lp_value_flag_privilege(&p->protect_hostname, sink,
                                       "host the host's hostname (ProtectHostname=no)");
}
