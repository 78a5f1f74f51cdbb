/* [Filesystem] (keys.h): the command's view of the host's files, in
 * systemd's vocabulary. What each key means at launch is
 * rules/fs_plan.h's. */
#pragma once
#include <stdio.h>

#include "profile/values.h"

struct lp_builder;

int lp_key_protect_system_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_rw_paths_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_ro_paths_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_hidden_paths_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_private_tmp_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_private_devices_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_protect_tunables_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_protect_cgroups_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_restrict_suid_apply(struct lp_builder *b, const char *value, struct lp_origin o);

void lp_key_protect_system_show(const struct lp_policy *p, FILE *out);
void lp_key_rw_paths_show(const struct lp_policy *p, FILE *out);
void lp_key_ro_paths_show(const struct lp_policy *p, FILE *out);
void lp_key_hidden_paths_show(const struct lp_policy *p, FILE *out);
void lp_key_private_tmp_show(const struct lp_policy *p, FILE *out);
void lp_key_private_devices_show(const struct lp_policy *p, FILE *out);
void lp_key_protect_tunables_show(const struct lp_policy *p, FILE *out);
void lp_key_protect_cgroups_show(const struct lp_policy *p, FILE *out);
void lp_key_restrict_suid_show(const struct lp_policy *p, FILE *out);

/* strict < full < no: each looser level holds the stricter ones' writes. */
int lp_key_protect_system_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                     struct lp_privilege_sink *sink);
int lp_key_rw_paths_privileges(const struct lp_policy *p, const struct lp_policy *other,
                               struct lp_privilege_sink *sink);
/* A read-only or hidden path is a restriction: each of `other`'s that p
 * lacks is the privilege. */
int lp_key_ro_paths_privileges(const struct lp_policy *p, const struct lp_policy *other,
                               struct lp_privilege_sink *sink);
int lp_key_hidden_paths_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                   struct lp_privilege_sink *sink);
int lp_key_private_tmp_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                  struct lp_privilege_sink *sink);
int lp_key_private_devices_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                      struct lp_privilege_sink *sink);
int lp_key_protect_tunables_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                       struct lp_privilege_sink *sink);
int lp_key_protect_cgroups_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                      struct lp_privilege_sink *sink);
int lp_key_restrict_suid_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                    struct lp_privilege_sink *sink);

/* "strict", "full", "no". */
const char *lp_protect_system_name(enum lp_protect_system level);
