/* Output helpers shared by the probe programs (probe.c, escape.c): each
 * attempt prints "NAME: ok" or "NAME: ERRNO_NAME". Header-only, because
 * every .c file under tests/helpers is a program of its own. */
#pragma once
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2 };

/* "EPERM", or "E<n>" for a number glibc has no name for. */
static inline const char *errno_name(int e)
{
        static char buf[32];
        const char *n = strerrorname_np(e);
        if (n)
                return n;
        snprintf(buf, sizeof(buf), "E%d", e);
        return buf;
}

/* A whole number in [min, max] (any base strtol takes); 0, or -1. */
static inline int parse_long(const char *s, long min, long max, long *ret)
{
        char *end;
        errno = 0;
        long v = strtol(s, &end, 0);
        if (errno || end == s || *end || v < min || v > max)
                return -1;
        *ret = v;
        return 0;
}
