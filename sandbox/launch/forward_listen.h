/* The inside ends of [Network] Forward= (supervise/forward.h): made in
 * the child, in the command's network namespace once lo is up and before
 * the command exists, then handed to the supervisor with the seccomp
 * listener. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "supervise/forward.h"

struct lp_policy;

/* Listens on each endpoint of lp_forward_endpoints(p): fds[i] and bit i
 * of *ret_present for each one made. [::1] is skipped where the namespace
 * has no IPv6 (its bit stays clear); anything else that fails is the
 * step's failure: -errno, with what was made closed. */
int lp_forward_listen(const struct lp_policy *p, int fds[LP_FORWARD_LISTENERS_MAX],
                      uint64_t *ret_present);
