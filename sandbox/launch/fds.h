/* Descriptors the command inherits: 0, 1 and 2, and those named by
 * --pass-fd; every other one the caller had open above 2 is closed before
 * the exec (a root-only file the caller opened must not reach an
 * unprivileged command). */
#pragma once
#include <stddef.h>

/* How many descriptors lp_fds_close_except may keep: more than --pass-fd
 * allows (64) plus leastpriv's own status socket. */
#define LP_FDS_KEEP_MAX 128

/* In the child: closes every descriptor above 2 but `keep` (n of them,
 * any order). 0, -E2BIG past LP_FDS_KEEP_MAX, or -EBADF when a kept
 * descriptor is not open. */
int lp_fds_close_except(const int *keep, size_t n);
