/* What a learning run observed, the model shared by learn.c (findings ->
 * model), merge.c (a learned profile -> the same model), render.c (model
 * -> profile text) and verify.c. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct lp_key;

enum lp_learned_kind {
        /* A value of a key the key table marks `learned` (profile/keys.h):
         * Allow=, Keep=, AddressFamilies=. */
        LP_LEARNED_GRANT,
        LP_LEARNED_DESTINATION, /* [Network]: a comment each, and Namespace= */
        LP_LEARNED_WITHHELD,    /* [Environment]: a comment each, never Pass= */
        /* [Filesystem]: a hidden path (or a kernel tunable) the command
         * reached for: a comment each, never granted automatically. */
        LP_LEARNED_FS_NOTE,
};

struct lp_learned_item {
        enum lp_learned_kind kind;
        const struct lp_key *key; /* LP_LEARNED_GRANT: which key */
        char *value;              /* "execve", "CAP_NET_RAW", "AF_NETLINK", "tcp 192.0.2.1:80" */
        uint64_t count;           /* calls (0 for the environment) */
        char *exe;                /* the first executable seen, "" when unknown */
        bool by_name;             /* syscall: needs what the built-in hardening refuses */
};

struct lp_learned {
        struct lp_learned_item *items;
        size_t n_items, cap_items;
        bool floor; /* the learning floor is granted (not --exhaustive) */
};

/* Adds evidence for (it->kind, it->key, it->value); it->value and it->exe
 * are copied. Within one run counts add up; `merging` (the existing file,
 * read after this run's findings) keeps the larger count and the file's
 * executable, so that merging the same run twice changes nothing. Control
 * characters in value and exe become '?'. */
int lp_learned_add(struct lp_learned *l, const struct lp_learned_item *it, bool merging);

/* The item of (kind, key, value), or NULL. */
const struct lp_learned_item *lp_learned_find(const struct lp_learned *l, enum lp_learned_kind kind,
                                              const struct lp_key *key, const char *value);

/* Sorts the items: by kind, by the key's place in the key table, by value. */
void lp_learned_sort(struct lp_learned *l);

void lp_learned_done(struct lp_learned *l);

/* Whether ReadWritePaths= value `path` lies strictly below `dir`, both as
 * learn writes them (relative to cwd, or absolute). */
bool lp_learned_path_below(const char *path, const char *dir, const char *cwd);

/* The evidence comment of an item, "2-99 calls, first by /usr/bin/sh", and
 * its inverse (the count read back is the class's low end); a note in
 * parentheses may follow and is ignored. */
void lp_learned_format_evidence(FILE *out, const struct lp_learned_item *it);
int lp_learned_parse_evidence(const char *text, uint64_t *ret_count, char **ret_exe);
