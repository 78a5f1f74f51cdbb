/* [Network] Namespace=, AddressFamilies=, Forward=, ForwardOutside= (keys.h). */
#pragma once
#include <stdbool.h>
#include <stdio.h>

#include "profile/values.h"

struct lp_builder;

int lp_key_namespace_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_families_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_forward_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_forward_outside_apply(struct lp_builder *b, const char *value, struct lp_origin o);

void lp_key_namespace_show(const struct lp_policy *p, FILE *out);
void lp_key_families_show(const struct lp_policy *p, FILE *out);
void lp_key_forward_show(const struct lp_policy *p, FILE *out);
void lp_key_forward_outside_show(const struct lp_policy *p, FILE *out);

int lp_key_namespace_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                struct lp_privilege_sink *sink);
int lp_key_families_privileges(const struct lp_policy *p, const struct lp_policy *other,
                               struct lp_privilege_sink *sink);
int lp_key_forward_privileges(const struct lp_policy *p, const struct lp_policy *other,
                              struct lp_privilege_sink *sink);
int lp_key_forward_outside_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                      struct lp_privilege_sink *sink);

/* Whether a forward's host address is the host's loopback (127/8, ::1). */
bool lp_forward_host_is_loopback(const struct lp_forward *f);

/* "none", "loopback", "host". */
const char *lp_netns_mode_name(enum lp_netns_mode mode);
