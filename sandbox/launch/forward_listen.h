/* The inside ends of [Network] Forward= (supervise/forward.h): made in
 * the child, in the command's network namespace once lo is up and before
 * the command exists, then handed to the supervisor with the seccomp
 * listener. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "supervise/forward.h"

struct lp_policy;
struct lp_fs_plan;

/* Listens on each endpoint of lp_forward_endpoints(p): fds[i] and bit i
 * of *ret_present for each one made. [::1] is skipped where the namespace
 * has no IPv6 (its bit stays clear); anything else that fails is the
 * step's failure: -errno, with what was made closed. */
int lp_forward_listen(const struct lp_policy *p, int fds[LP_FORWARD_LISTENERS_MAX],
                      uint64_t *ret_present);

/* The unix endpoints (Forward=unix:PATH), once the command's view is
 * built, in its mount namespace: a listening socket of ours mounted over
 * PATH (an empty file made first where the view has nothing there because
 * `plan` gives it a private /tmp). Sets fds[i] and bit i of *present for
 * each. 0, or -errno (-ENOENT: nothing at PATH, the host's socket is not
 * there). */
int lp_forward_bind_unix(const struct lp_policy *p, const struct lp_fs_plan *plan,
                         int fds[LP_FORWARD_LISTENERS_MAX], uint64_t *present);
