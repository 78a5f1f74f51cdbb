/* run --append --sarif FILE: this run's SARIF log merged into the one
 * FILE holds (docs/architecture.md, "Findings"). No I/O: text in, text
 * out, so that a fuzzer drives it as the writer does. */
#pragma once
#include <stddef.h>

/* Merges the log `addition` into the log `existing`, both as
 * findings/report_sarif.c writes them (one run, tool leastpriv): a result
 * whose partialFingerprints equal one already there adds its count to it
 * and its test names to the sorted list properties.test, the others are
 * appended; the rules of tool.driver are unioned by id. *ret_merged
 * (free it) is the merged log, one line. Returns 0; -EBADMSG when
 * existing is not such a log, -EINVAL when addition is not, with
 * *ret_why saying what is wrong (static text); -EOVERFLOW when a count
 * would pass 2^63-1; -ENOMEM. Nothing is returned on failure. */
int lp_sarif_merge(const char *existing, size_t existing_len, const char *addition,
                   size_t addition_len, char **ret_merged, const char **ret_why);
