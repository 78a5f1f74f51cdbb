/* A verdict's findings into the findings store, with the process that
 * made the call: shared by the notification loop and the hidden-path
 * watch. */
#pragma once
#include <stdint.h>

struct lp_findings;
struct lp_verdict;

/* Each finding of v `count` times (one call: 1). 0, or the first -errno
 * of the store (every finding is still tried). */
int lp_record_verdict(struct lp_findings *store, const struct lp_verdict *v, uint64_t count,
                      int pid, const char *exe, uint64_t first_ms);
