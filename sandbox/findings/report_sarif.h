/* --sarif FILE: a SARIF 2.1.0 log for code scanning. */
#pragma once

struct lp_findings;
struct lp_policy;

/* Written atomically (base/atomic_file.h); results are located at the
 * profile lines of p that decided them. 0 or -errno. */
int lp_report_sarif_write(const struct lp_findings *s, const struct lp_policy *p, const char *path);
