/* --findings FILE: JSON Lines, one object per unique finding. */
#pragma once

struct lp_findings;

/* Written atomically (base/atomic_file.h). 0 or -errno. */
int lp_report_json_write(const struct lp_findings *s, const char *path);
