/* --sarif FILE: a SARIF 2.1.0 log for code scanning. */
#pragma once

struct lp_findings;
struct lp_policy;

/* Written atomically (base/atomic_file.h); results are located at the
 * profile lines of p that decided them. 0 or -errno. */
int lp_report_sarif_write(const struct lp_findings *s, const struct lp_policy *p, const char *path);

/* This run's log merged into the one path holds (findings/sarif_merge.h)
 * under a lock on path's directory, then written atomically; a missing or
 * empty path gets this run's log. 0 or -errno; -EBADMSG when path holds
 * something else than a log leastpriv wrote, *ret_why saying what (static
 * text), path left as it was. */
int lp_report_sarif_append(const struct lp_findings *s, const struct lp_policy *p, const char *path,
                           const char **ret_why);
