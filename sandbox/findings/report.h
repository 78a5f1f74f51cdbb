/* The three ways findings leave the run: a text summary on stderr, JSON
 * Lines (--findings) and SARIF 2.1.0 (--sarif). */
#pragma once
#include <stdbool.h>
#include <stdio.h>

struct lp_findings;
struct lp_policy;

/* The end-of-run summary; with quiet, silent unless there are findings. */
int lp_report_text(const struct lp_findings *s, FILE *out, bool quiet);

/* Written atomically (temporary file, fsync, rename). */
int lp_report_json_write(const struct lp_findings *s, const char *path);
int lp_report_sarif_write(const struct lp_findings *s, const struct lp_policy *p,
                          const char *path);
