/* [Syscalls] Allow=, Deny=, DefaultAction= (keys.h). */
#pragma once
#include <stdio.h>

#include "profile/values.h"

struct lp_builder;

int lp_key_allow_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_deny_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_default_action_apply(struct lp_builder *b, const char *value, struct lp_origin o);

void lp_key_allow_show(const struct lp_policy *p, FILE *out);
void lp_key_deny_show(const struct lp_policy *p, FILE *out);
void lp_key_default_action_show(const struct lp_policy *p, FILE *out);

/* Every syscall the resolved table allows (what Allow=, Deny= and
 * DefaultAction= come to together), and errno as a default, which is
 * looser than kill. */
int lp_key_allow_privileges(const struct lp_policy *p, const struct lp_policy *other,
                            struct lp_privilege_sink *sink);
int lp_key_default_action_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                     struct lp_privilege_sink *sink);
