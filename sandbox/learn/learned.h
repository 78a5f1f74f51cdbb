/* What a learning run observed, shared by learn.c (findings -> profile)
 * and learn_merge.c (an existing learned profile -> the same model). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum lp_learned_kind {
        LP_LEARNED_SYSCALL,     /* [Syscalls] Allow= */
        LP_LEARNED_CAPABILITY,  /* [Capabilities] Keep= */
        LP_LEARNED_FAMILY,      /* [Network] AddressFamilies= */
        LP_LEARNED_DESTINATION, /* [Network] Namespace= and a comment each */
        LP_LEARNED_ENVIRONMENT, /* [Environment] a comment each, never Pass= */
};

struct lp_learned_item {
        enum lp_learned_kind kind;
        char *value;    /* "execve", "CAP_NET_RAW", "AF_NETLINK", "tcp 192.0.2.1:80" */
        uint64_t count; /* calls (0 for the environment) */
        char *exe;      /* the first executable seen, "" when unknown */
        bool by_name;   /* syscall: needs what the built-in hardening refuses */
};

struct lp_learned {
        struct lp_learned_item *items;
        size_t n_items, cap_items;
        bool floor; /* the learning floor is granted (not --exhaustive) */
};

/* Adds evidence for (kind, value). Within one run counts add up; `merging`
 * (the existing file, read after this run's findings) keeps the larger
 * count and the file's executable, so that merging the same run twice
 * changes nothing. Control characters in value and exe become '?'. */
int lp_learned_add(struct lp_learned *l, enum lp_learned_kind kind, const char *value,
                   uint64_t count, const char *exe, bool by_name, bool merging);

void lp_learned_done(struct lp_learned *l);

/* Reads a profile that `learn` wrote into l (merging). `include` is what
 * this run's Include= line says; a file learned from another base is
 * refused. Errors are printed as "FILE:LINE: message"; -EINVAL then. */
int lp_learned_read(struct lp_learned *l, const char *path, const char *include);

/* The evidence comment of an item, "2-99 calls, first by /usr/bin/sh", and
 * its inverse (the count read back is the class's low end); a note in
 * parentheses may follow and is ignored. */
void lp_learned_format_evidence(FILE *out, const struct lp_learned_item *it);
int lp_learned_parse_evidence(const char *text, uint64_t *ret_count, char **ret_exe);
