/* Report files and learned profiles are written whole or not at all: a
 * reader (a CI uploader, a parallel `learn --merge`) never sees half a
 * file. */
#pragma once
#include <stdio.h>

/* Writes path atomically: fill(out, userdata) fills "PATH.tmp.XXXXXX" in
 * the same directory, which is flushed, fsync'ed, given mode 0666 & ~umask
 * (best effort) and renamed over path. On any failure the temporary file is
 * removed and -errno returned (fill's own negative return is passed
 * through). A path that exists and is neither a regular file nor a
 * directory is written in place when it is a pipe, a socket, a terminal
 * or /dev/null (/dev/stdout), without waiting for a reader to appear
 * (-ENXIO); anything else there (a device a symlink names) is -EINVAL. */
int lp_write_atomic(const char *path, int (*fill)(FILE *out, void *userdata), void *userdata);

/* lp_write_atomic of a string, written as it is. */
int lp_write_atomic_text(const char *path, const char *text);
