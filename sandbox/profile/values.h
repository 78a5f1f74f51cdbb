/* What the key appliers (keys_*.c) share: splitting a value into tokens,
 * the small value types (yes/no, ports), printing a resolved line for
 * `show`, and naming a privilege for `diff`. */
#pragma once
#include <stdint.h>
#include <stdio.h>

#include "profile/policy.h"

struct lp_builder;

/* Where `diff` collects the privileges of a policy, one string each. */
struct lp_privilege_sink {
        /* Copies text; 0 or -ENOMEM. */
        int (*add)(struct lp_privilege_sink *sink, const struct lp_origin *origin,
                   const char *text);
};

/* Calls fn for each whitespace-separated token of value; stops at and
 * returns fn's first negative value. */
int lp_value_foreach_token(struct lp_builder *b, const char *value, struct lp_origin o,
                           int (*fn)(struct lp_builder *b, const char *token, struct lp_origin o));

/* yes/true/on/1 -> 1, no/false/off/0 -> 0, anything else -> -1. */
int lp_value_bool(const char *text);

/* A yes/no key: sets *flag, or reports "KEY= must be yes or no" at o. */
int lp_value_flag_apply(struct lp_builder *b, struct lp_flag *flag, const char *key,
                        const char *value, struct lp_origin o);

/* "KEY=yes" or "KEY=no", for `show`. */
void lp_value_flag_show(FILE *out, const char *key, const struct lp_flag *flag);

/* A protection turned off is a privilege: adds `text` to sink when flag
 * is no. 0 or -ENOMEM. */
int lp_value_flag_privilege(const struct lp_flag *flag, struct lp_privilege_sink *sink,
                            const char *text);

/* A decimal port 1..65535; 0 on anything else. */
uint16_t lp_value_port(const char *text);

/* "Key=value", padded, then "# FILE:LINE" of the line that set it. */
void lp_value_print(FILE *out, const char *key, const char *value, const struct lp_origin *o);

/* Adds the privilege named by fmt to sink. 0 or -ENOMEM. */
int lp_value_grant(struct lp_privilege_sink *sink, const struct lp_origin *o, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
