/* Shared between the policy files (policy.c: loading and includes;
 * policy_keys.c: what each key means; policy_resolve.c: the syscall table).
 * Not for other modules. */
#pragma once
#include <stdio.h>

#include "profile/policy.h"

struct lp_builder {
        struct lp_policy *policy;
        FILE *errors;
        int n_errors;
        const char *stack[17 + 1]; /* identities of the profiles being applied */
        size_t depth;
        /* Include= may name only embedded profiles: text from an untrusted
         * source (a fuzzer) must not make us open files or devices. */
        bool embedded_only;
        /* Capacities of the policy's growing arrays. */
        size_t cap_files, cap_allow, cap_deny, cap_keep, cap_families, cap_forwards,
                cap_withhold, cap_pass, cap_set_env;
};

void lp_builder_error(struct lp_builder *b, const char *file, unsigned line, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Applies one Key=Value of [section]; -errno only for fatal errors (ENOMEM),
 * bad values are reported through lp_builder_error and return 0. */
int lp_builder_apply(struct lp_builder *b, const char *section, const char *key,
                     const char *value, struct lp_origin origin);

int lp_builder_include(struct lp_builder *b, const char *name, const char *file, unsigned line);

/* Builds policy->syscalls and policy->hardening from the tokens. */
int lp_policy_resolve_syscalls(struct lp_builder *b);

/* For messages about syscall names that are not native. */
bool lp_syscall_known_elsewhere(const char *name);
const char *lp_syscall_suggest(const char *name);
