/* [Environment] Withhold=, Pass=, Set=, Clear= (keys.h). */
#pragma once
#include <stdio.h>

#include "profile/values.h"

struct lp_builder;

int lp_key_withhold_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_pass_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_set_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_clear_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_withhold_url_passwords_apply(struct lp_builder *b, const char *value,
                                        struct lp_origin o);
void lp_key_withhold_url_passwords_show(const struct lp_policy *p, FILE *out);
int lp_key_withhold_url_passwords_privileges(const struct lp_policy *p,
                                             const struct lp_policy *other,
                                             struct lp_privilege_sink *sink);

void lp_key_withhold_show(const struct lp_policy *p, FILE *out);
void lp_key_pass_show(const struct lp_policy *p, FILE *out);
void lp_key_set_show(const struct lp_policy *p, FILE *out);
void lp_key_clear_show(const struct lp_policy *p, FILE *out);

/* A withhold is a restriction: each of `other`'s that p lacks is the
 * privilege. */
int lp_key_withhold_privileges(const struct lp_policy *p, const struct lp_policy *other,
                               struct lp_privilege_sink *sink);
int lp_key_pass_privileges(const struct lp_policy *p, const struct lp_policy *other,
                           struct lp_privilege_sink *sink);
int lp_key_clear_privileges(const struct lp_policy *p, const struct lp_policy *other,
                            struct lp_privilege_sink *sink);
