/* Report files and learned profiles that several runs add to at once
 * (`ctest -j`, `go test -p`): each run's addition whole, none lost. */
#pragma once
#include <stdio.h>

/* An exclusive flock(2) on the directory that holds path, for a file that
 * is replaced by rename (a lock on the file itself would stay with the
 * inode renamed away) and with nothing left behind. Returns the
 * descriptor to close to unlock, or -errno. */
int lp_lock_directory_of(const char *path);

/* Adds what fill(out, userdata) writes to the end of path (created 0666 &
 * ~umask when missing) in one write(2), under an exclusive flock(2) on
 * the file: concurrent appenders never interleave. A path that exists and
 * is not a regular file is written as lp_write_atomic writes it (a pipe,
 * /dev/stdout). 0 or -errno (fill's own negative return passed through);
 * on failure nothing was added. */
int lp_append_locked(const char *path, int (*fill)(FILE *out, void *userdata), void *userdata);
