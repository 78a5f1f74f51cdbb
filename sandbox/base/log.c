#include "base/log.h"

#include <stdio.h>

int lp_log_level = LP_LOG_INFO;

__attribute__((format(printf, 1, 0))) static void log_va(const char *fmt, va_list ap)
{
        /* One fprintf per line so lines of concurrent writers do not interleave. */
        char line[4096];
        vsnprintf(line, sizeof(line), fmt, ap);
        fprintf(stderr, "leastpriv: %s\n", line);
}

void lp_log(int level, const char *fmt, ...)
{
        if (level > lp_log_level)
                return;
        va_list ap;
        va_start(ap, fmt);
        log_va(fmt, ap);
        va_end(ap);
}

int lp_log_errno(int r, const char *fmt, ...)
{
        if (lp_log_level >= LP_LOG_ERROR) {
                va_list ap;
                errno = r < 0 ? -r : r;
                va_start(ap, fmt);
                log_va(fmt, ap);
                va_end(ap);
        }
        return r < 0 ? r : -r;
}
