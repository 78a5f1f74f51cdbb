/* Profile text -> Key=Value lines, each with its FILE:LINE and its entry
 * of the key table (keys.h), which says which sections and keys exist;
 * what values mean is the entry's. Makes no system calls but reading the
 * FILE*. */
#pragma once
#include <stddef.h>
#include <stdio.h>

struct lp_key;

struct lp_profile_line {
        const struct lp_key *key; /* its section and name, and what it means */
        char *value;              /* trimmed, comments removed; "" for Key= */
        unsigned line;
};

struct lp_profile {
        char *file; /* as named in messages */
        struct lp_profile_line *lines;
        size_t n_lines;
        size_t capacity;
};

/* Longest line accepted; longer ones are an error, not a truncation. */
#define LP_PROFILE_MAX_LINE 65536

/* Parses `in`; `file` names it in messages. Errors are printed to `errors`
 * (may be NULL) as "FILE:LINE: message", all of them, then -EINVAL is
 * returned and *ret is untouched. */
int lp_profile_parse(FILE *in, const char *file, FILE *errors, struct lp_profile **ret);
void lp_profile_free(struct lp_profile *p);
