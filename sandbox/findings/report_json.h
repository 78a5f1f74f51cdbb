/* --findings FILE: JSON Lines, one object per unique finding. */
#pragma once
#include <stdio.h>

struct lp_findings;

/* The lines onto out, as they are (for a writer of its own, a fuzzer). */
void lp_report_json_print(const struct lp_findings *s, FILE *out);

/* Written atomically (base/atomic_file.h). 0 or -errno. */
int lp_report_json_write(const struct lp_findings *s, const char *path);

/* Added to the end of path, in one write under a lock on it
 * (base/file_lock.h): runs appending at once lose nothing. 0 or -errno. */
int lp_report_json_append(const struct lp_findings *s, const char *path);
