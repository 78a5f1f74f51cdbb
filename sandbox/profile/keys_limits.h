/* [Limits] Timeout=, Processes=, OpenFiles= (keys.h). */
#pragma once
#include <stdio.h>

#include "profile/values.h"

struct lp_builder;

int lp_key_timeout_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_processes_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_open_files_apply(struct lp_builder *b, const char *value, struct lp_origin o);

void lp_key_timeout_show(const struct lp_policy *p, FILE *out);
void lp_key_processes_show(const struct lp_policy *p, FILE *out);
void lp_key_open_files_show(const struct lp_policy *p, FILE *out);
