/* Small helpers shared by every module: cleanup attributes and array growth. */
#pragma once
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

static inline void lp_freep(void *p)
{
        free(*(void **)p);
}
static inline void lp_closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_free_ __attribute__((cleanup(lp_freep)))
#define _cleanup_close_ __attribute__((cleanup(lp_closep)))

#define LP_ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Grows *array (of element size elem) so that index n fits; doubles capacity.
 * Returns 0 or -ENOMEM, leaving *array untouched on failure. */
int lp_grow(void **array, size_t *capacity, size_t n, size_t elem);
#define LP_GROW(arr, cap, n) lp_grow((void **)&(arr), &(cap), (n), sizeof(*(arr)))

/* CLOCK_MONOTONIC in milliseconds: the clock of a finding's first_ms. */
uint64_t lp_now_ms(void);

/* The number in a one-value file such as a sysctl under /proc/sys, or
 * `fallback` when it cannot be read. */
long lp_read_long(const char *path, long fallback);

/* The whole of a small file (up to its first NUL), NUL-terminated, in
 * *ret (free it; "" for an empty file): 0, or -errno. */
int lp_read_text(const char *path, char **ret);

/* SIGKILL through a pidfd (the process it names, never a recycled pid),
 * then up to timeout_ms for its exit: 1 killed and gone, 0 gone already,
 * -ETIMEDOUT, or -errno. */
int lp_pidfd_kill_wait(int pidfd, int timeout_ms);

/* Writes `text` into an existing file in one write(2), as the kernel's
 * files (uid_map, cgroup knobs) want it: 0, or -errno (-EIO when short). */
int lp_write_text(const char *path, const char *text);
