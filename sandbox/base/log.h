/* Human output: everything goes to stderr prefixed "leastpriv: ". */
#pragma once
#include <errno.h>
#include <stdarg.h>

enum lp_log_level { LP_LOG_QUIET = 0, LP_LOG_ERROR = 1, LP_LOG_INFO = 2, LP_LOG_DEBUG = 3 };

/* The only global the project has (STYLE.md). */
extern int lp_log_level;

void lp_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Logs with errno set to -r so "%m" names it; returns r (negative), so a
 * caller can write: return lp_log_errno(r, "Failed to ...: %m"); */
int lp_log_errno(int r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define lp_error(...) lp_log(LP_LOG_ERROR, __VA_ARGS__)
#define lp_info(...) lp_log(LP_LOG_INFO, __VA_ARGS__)
#define lp_debug(...) lp_log(LP_LOG_DEBUG, __VA_ARGS__)
