/* A policy being built from profile lines: the policy so far, where errors
 * go, and the bookkeeping of the loader (load.c) and of the key appliers
 * (keys_*.c). Not for stages above profile/. */
#pragma once
#include <stdbool.h>
#include <stdio.h>

#include "profile/policy.h"

/* docs/architecture.md, "Profiles": cycles and depth > 16 are errors. */
#define LP_MAX_INCLUDE_DEPTH 16

struct lp_builder {
        struct lp_policy *policy;
        FILE *errors;
        int n_errors;
        const char *stack[LP_MAX_INCLUDE_DEPTH + 2]; /* the profiles being applied */
        size_t depth;
        /* Include= may name only embedded profiles: text from an untrusted
         * source (a fuzzer) must not make us open files or devices. */
        bool embedded_only;
        /* Capacities of the policy's growing arrays. */
        size_t cap_files, cap_allow, cap_deny, cap_keep, cap_families, cap_forwards, cap_withhold,
                cap_pass, cap_set_env, cap_rw_paths, cap_ro_paths, cap_hidden_paths;
};

/* A policy with the defaults no line sets: DefaultAction=errno:EPERM,
 * Namespace=loopback. 0 or -ENOMEM. */
int lp_builder_init(struct lp_builder *b, FILE *errors);

/* Counts an error and prints "FILE:LINE: message" to b->errors. */
void lp_builder_error(struct lp_builder *b, const char *file, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* The same, at an origin. */
#define LP_BUILDER_ERROR(b, o, ...) lp_builder_error((b), (o).file, (o).line, __VA_ARGS__)

/* The policy's own copy of a file name, which origins point into. */
const char *lp_builder_intern_file(struct lp_builder *b, const char *file);
