/* Compiled seccomp programs kept between runs, so that the same filter is
 * compiled once (libseccomp's rule building and BPF export are most of
 * the launch's user CPU time). An entry is found by a hash of its key,
 * the exact input given to libseccomp (launch/filter.c), and used only
 * when its key matches byte for byte, its checksum holds, and it is a
 * regular file of ours, mode 0600, in a directory of ours that nobody
 * else may write: anything else is ignored and replaced, never trusted.
 * Where: $LEASTPRIV_CACHE_DIR, else /var/cache/leastpriv for root, else
 * $XDG_CACHE_HOME/leastpriv or ~/.cache/leastpriv. */
#pragma once
#include <linux/filter.h>
#include <stddef.h>

/* The directory's path (free it), or NULL when there is none to use (no
 * HOME, out of memory). Does not create it. */
char *lp_filter_cache_dir(void);

/* Looks `key` up in `dir`: 1 and the program in *insns (free it) and
 * *len; 0 when there is no usable entry. Never fails otherwise: a cache
 * that cannot be read is a miss. Says which and why with `run -v`. */
int lp_filter_cache_load(const char *dir, const void *key, size_t key_len,
                         struct sock_filter **insns, size_t *len);

/* The decoder of one entry, for lp_filter_cache_load and the fuzzer:
 * NULL and the program (free *insns) when the entry in `fd` may be used
 * for `key`, else why not. */
const char *lp_filter_cache_read(int fd, const void *key, size_t key_len,
                                 struct sock_filter **insns, size_t *len);

/* Stores the program for `key` in `dir` (created, mode 0700, when
 * missing), replacing what was there. A cache that cannot be written
 * only costs the next run a compilation: said with `run -v`. */
void lp_filter_cache_store(const char *dir, const void *key, size_t key_len,
                           const struct sock_filter *insns, size_t len);
