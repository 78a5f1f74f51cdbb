/* [Network] Namespace=, AddressFamilies=, Forward= (keys.h). */
#pragma once
#include <stdio.h>

#include "profile/values.h"

struct lp_builder;

int lp_key_namespace_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_families_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_forward_apply(struct lp_builder *b, const char *value, struct lp_origin o);

void lp_key_namespace_show(const struct lp_policy *p, FILE *out);
void lp_key_families_show(const struct lp_policy *p, FILE *out);
void lp_key_forward_show(const struct lp_policy *p, FILE *out);

int lp_key_namespace_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                struct lp_privilege_sink *sink);
int lp_key_families_privileges(const struct lp_policy *p, const struct lp_policy *other,
                               struct lp_privilege_sink *sink);
int lp_key_forward_privileges(const struct lp_policy *p, const struct lp_policy *other,
                              struct lp_privilege_sink *sink);

/* "none", "loopback", "host". */
const char *lp_netns_mode_name(enum lp_netns_mode mode);
