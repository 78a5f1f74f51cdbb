/* The key table: one entry per profile key, holding everything that key
 * means to leastpriv (docs/architecture.md, "The key table"): how a line
 * is applied to the policy being built, how `show` prints it back, which
 * privileges `diff` counts for it, and whether `learn` writes it.
 *
 * The syntax parser (syntax.c) accepts exactly the keys of this table;
 * show (review/show.c), diff (review/diff.c) and the learned-profile
 * writer (learn/) read it. Adding a key is one entry here, its functions
 * in the keys_<section>.c of its section, and their tests. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "profile/values.h"

struct lp_builder;

struct lp_key {
        const char *section; /* "Network", case-sensitive as written */
        const char *name;    /* "Namespace" */
        /* Applies one Key=Value line to b->policy. Bad values are reported
         * through lp_builder_error and return 0; -errno only when building
         * cannot go on (ENOMEM). NULL for Include=, which the loader
         * (load.c) expands in place. */
        int (*apply)(struct lp_builder *b, const char *value, struct lp_origin o);
        /* Prints the key's lines of the resolved policy as `check` accepts
         * them, each with "# FILE:LINE"; NULL when there is nothing to show. */
        void (*show)(const struct lp_policy *p, FILE *out);
        /* Adds each privilege p grants through this key to sink, one string
         * per privilege so that `diff` reports creep line by line; `other`
         * is the policy p is compared with, for restrictions whose absence
         * is the privilege (Withhold=). NULL: the key grants nothing. */
        int (*privileges)(const struct lp_policy *p, const struct lp_policy *other,
                          struct lp_privilege_sink *sink);
        /* `learn` writes "Key=VALUE # evidence" for each value of this key
         * the command was seen to need (and reads such lines back with
         * --merge). */
        bool learned;
};

/* Every key, in the order `show` prints them; the entry after the last
 * has a NULL name. */
extern const struct lp_key lp_keys[];

/* Every section, in that order; NULL-terminated. */
extern const char *const lp_sections[];

/* The key `name` of `section`, or NULL. */
const struct lp_key *lp_key_find(const char *section, const char *name);

/* The names of the keys of `section` into names[] (NULL-terminated, at
 * most size - 1 of them), for "did you mean". Returns how many. */
size_t lp_key_names(const char *section, const char **names, size_t size);
