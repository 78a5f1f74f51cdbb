/* [Limits] Timeout=, Processes=, OpenFiles=, TmpSize=, Memory= (keys.h). */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "profile/values.h"

struct lp_builder;

int lp_key_timeout_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_processes_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_open_files_apply(struct lp_builder *b, const char *value, struct lp_origin o);
/* TmpSize= and Memory=: bytes, with an optional K, M, G or T suffix (powers of 1024), or
 * infinity. */
int lp_key_tmp_size_apply(struct lp_builder *b, const char *value, struct lp_origin o);
int lp_key_memory_apply(struct lp_builder *b, const char *value, struct lp_origin o);

/* "64M": bytes in the largest unit that shows them exactly. */
void lp_limit_size_format(uint64_t bytes, char *buf, size_t size);

void lp_key_timeout_show(const struct lp_policy *p, FILE *out);
void lp_key_processes_show(const struct lp_policy *p, FILE *out);
void lp_key_open_files_show(const struct lp_policy *p, FILE *out);
void lp_key_tmp_size_show(const struct lp_policy *p, FILE *out);
void lp_key_memory_show(const struct lp_policy *p, FILE *out);
