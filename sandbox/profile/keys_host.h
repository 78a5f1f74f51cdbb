/* [Host] (keys.h): what of the host's kernel state the command shares,
 * in systemd's vocabulary: SysV IPC and the hostname. */
#pragma once
#include <stdio.h>

#include "profile/values.h"

struct lp_builder;

int lp_key_private_ipc_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_protect_hostname_apply(struct lp_builder *b, const char *value, struct lp_origin o);

void lp_key_private_ipc_show(const struct lp_policy *p, FILE *out);
void lp_key_protect_hostname_show(const struct lp_policy *p, FILE *out);

/* "no" shares the host's: a privilege. */
int lp_key_private_ipc_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                  struct lp_privilege_sink *sink);
int lp_key_protect_hostname_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                       struct lp_privilege_sink *sink);
