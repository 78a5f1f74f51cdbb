/* The findings store: one entry per unique (kind, operation, target, exe),
 * with an exact count however many times it happened (docs/architecture.md,
 * "Findings"). This header includes no other leastpriv header. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum lp_finding_kind {
        LP_FINDING_SYSCALL,
        LP_FINDING_NETWORK,
        LP_FINDING_CAPABILITY,
        LP_FINDING_ENVIRONMENT,
        LP_FINDING_FILESYSTEM,
        LP_FINDING_IDENTITY,   /* what a run's dynamic uid left behind */
        LP_FINDING_RESOURCE,   /* a [Limits] cgroup limit the command reached */
        LP_FINDING_KIND_COUNT, /* (the number of kinds) */
};

enum lp_finding_action {
        LP_FINDING_DENIED, /* enforced by errno or by the kernel */
        LP_FINDING_KILLED,
        LP_FINDING_AUDITED,  /* --audit / learn: allowed, would be denied */
        LP_FINDING_WITHHELD, /* environment variable not passed */
        LP_FINDING_CLEANED,  /* left behind by the command, removed after it */
        /* A forwarded connection the host's endpoint refused: reset inside. */
        LP_FINDING_FORWARD_FAILED,
};

/* All strings are borrowed by lp_findings_add and copied by the store. */
struct lp_finding {
        enum lp_finding_kind kind;
        enum lp_finding_action action;
        const char *operation;     /* "ptrace", "connect", "CAP_NET_RAW", "GITHUB_TOKEN" */
        const char *target;        /* "ptrace(PTRACE_ATTACH, 4242)", "tcp 192.0.2.1:443" */
        const char *dedupe_target; /* target without pids; NULL: same as target */
        int errno_value;           /* 0 when none */
        uint64_t count;
        int pid;           /* first pid seen */
        const char *exe;   /* may be NULL */
        const char *rule;  /* "FILE:LINE [Syscalls] DefaultAction=errno:EPERM" */
        const char *fix;   /* "[Syscalls] Allow=ptrace" */
        uint64_t first_ms; /* ms since the run started */
        /* Refused by the always-on hardening (not part of the key): a
         * profile grants it only by the syscall's bare name. */
        bool hardening;
};

struct lp_findings;

/* max_distinct bounds memory: past it, new unique findings are folded
 * (counted in lp_findings_folded) instead of stored. */
int lp_findings_new(size_t max_distinct, struct lp_findings **ret);
void lp_findings_free(struct lp_findings *s);

/* Adds f->count occurrences (a count of 0 counts as 1). */
int lp_findings_add(struct lp_findings *s, const struct lp_finding *f);

/* The name of the test the run was (--test-name, LEASTPRIV_TEST_NAME),
 * copied; NULL: none known. The reports record it with each finding, so
 * that runs appending to one file stay told apart. 0 or -ENOMEM. */
int lp_findings_set_test_name(struct lp_findings *s, const char *name);
const char *lp_findings_test_name(const struct lp_findings *s);

/* Unique findings in first-seen order. */
size_t lp_findings_size(const struct lp_findings *s);
const struct lp_finding *lp_findings_at(const struct lp_findings *s, size_t i);

/* Occurrences (not unique findings) that did not fit under max_distinct,
 * and how many distinct findings they were. */
uint64_t lp_findings_folded(const struct lp_findings *s);
uint64_t lp_findings_folded_distinct(const struct lp_findings *s);

/* The folded occurrences by (kind, operation, action): f->count is exact
 * for each group, the other fields are its first finding's (target NULL);
 * *ret_distinct (may be NULL) how many distinct findings it folded, as
 * lp_findings_folded_distinct counts them. Past 64 groups the last one
 * counts the rest. */
size_t lp_findings_folded_groups(const struct lp_findings *s);
const struct lp_finding *lp_findings_folded_group(const struct lp_findings *s, size_t i,
                                                  uint64_t *ret_distinct);

const char *lp_finding_kind_name(enum lp_finding_kind k);     /* "syscall" ... */
const char *lp_finding_action_name(enum lp_finding_action a); /* "denied" ... */
