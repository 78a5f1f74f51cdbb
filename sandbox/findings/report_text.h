/* The end-of-run summary on stderr. */
#pragma once
#include <stdbool.h>
#include <stdio.h>

struct lp_findings;

/* One line per unique finding with its count; with quiet, silent unless
 * there are findings, and withheld variables left out (the reports hold
 * them). 0, or -EIO when out fails. */
int lp_report_text(const struct lp_findings *s, FILE *out, bool quiet);
