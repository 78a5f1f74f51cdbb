/* [Profile] Description=, [Capabilities] Keep=, [Identity] User= Group=
 * DynamicUser=
 * (keys.h): who the command is and what it keeps of root's powers. */
#pragma once
#include <stdio.h>

#include "profile/values.h"

struct lp_builder;

int lp_key_description_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_keep_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_user_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_group_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_dynamic_user_apply(struct lp_builder *b, const char *value, struct lp_origin o);

void lp_key_description_show(const struct lp_policy *p, FILE *out);
void lp_key_keep_show(const struct lp_policy *p, FILE *out);
void lp_key_user_show(const struct lp_policy *p, FILE *out);
void lp_key_group_show(const struct lp_policy *p, FILE *out);
void lp_key_dynamic_user_show(const struct lp_policy *p, FILE *out);

int lp_key_keep_privileges(const struct lp_policy *p, const struct lp_policy *other,
                           struct lp_privilege_sink *sink);
int lp_key_dynamic_user_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                   struct lp_privilege_sink *sink);
