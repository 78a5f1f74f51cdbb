/* A verdict's findings into the findings store, with the process that
 * made the call: shared by the notification loop and the hidden-path
 * watch. */
#pragma once
#include <stdint.h>

struct lp_findings;
struct lp_verdict;

/* 0, or the first -errno of the store (every finding is still tried). */
int lp_record_verdict(struct lp_findings *store, const struct lp_verdict *v, int pid,
                      const char *exe, uint64_t first_ms);
