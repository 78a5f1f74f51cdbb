/* --findings FILE: JSON Lines, one object per unique finding, with exactly
 * the keys of docs/architecture.md, "Findings", in that order (tools parse
 * them). Findings folded past the store's bound come last, one line per
 * (kind, operation, action) with the same keys: its exact count, and a
 * target that says how many distinct findings it stands for. Appended
 * (run --append), each run's lines come whole and after the others': a
 * reader sums the counts of equal keys. */
#include "findings/report_json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "base/atomic_file.h"
#include "base/file_lock.h"
#include "findings/findings.h"
#include "findings/json.h"
#include "profile/names.h"

static void write_finding(FILE *out, const struct lp_finding *f, const char *test)
{
        fputs("{\"kind\":", out);
        lp_json_string(out, lp_finding_kind_name(f->kind));
        fputs(",\"operation\":", out);
        lp_json_string(out, f->operation ? f->operation : "");
        fputs(",\"target\":", out);
        lp_json_string(out, f->target ? f->target : "");
        fputs(",\"action\":", out);
        lp_json_string(out, lp_finding_action_name(f->action));
        fputs(",\"errno\":", out);
        if (f->errno_value == 0) {
                fputs("null", out);
        } else {
                /* An errno without a name stays a string: "123". */
                const char *name = lp_errno_name(f->errno_value);
                if (name)
                        lp_json_string(out, name);
                else
                        fprintf(out, "\"%d\"", f->errno_value);
        }
        fprintf(out, ",\"count\":%" PRIu64 ",\"pid\":%d,\"exe\":", f->count, f->pid);
        lp_json_string(out, f->exe);
        fputs(",\"rule\":", out);
        lp_json_string(out, f->rule ? f->rule : "");
        fputs(",\"fix\":", out);
        lp_json_string(out, f->fix ? f->fix : "");
        fprintf(out, ",\"first_ms\":%" PRIu64 ",\"test\":", f->first_ms);
        /* Always there, null when unknown: every line has the same keys. */
        if (test)
                lp_json_string(out, test);
        else
                fputs("null", out);
        fputs("}\n", out);
}

void lp_report_json_print(const struct lp_findings *s, FILE *out)
{
        const char *test = lp_findings_test_name(s);
        for (size_t i = 0; i < lp_findings_size(s); i++)
                write_finding(out, lp_findings_at(s, i), test);
        for (size_t i = 0; i < lp_findings_folded_groups(s); i++) {
                uint64_t distinct = 0;
                struct lp_finding g = *lp_findings_folded_group(s, i, &distinct);
                char target[128];
                snprintf(target, sizeof(target),
                         "(%" PRIu64 " more distinct findings, folded: not listed one by one)",
                         distinct);
                g.target = target;
                write_finding(out, &g, test);
        }
}

static int write_lines(FILE *out, void *userdata)
{
        lp_report_json_print(userdata, out);
        return 0;
}

int lp_report_json_write(const struct lp_findings *s, const char *path)
{
        if (!path)
                return -EINVAL;
        return lp_write_atomic(path, write_lines, (void *)s);
}

int lp_report_json_append(const struct lp_findings *s, const char *path)
{
        if (!path)
                return -EINVAL;
        return lp_append_locked(path, write_lines, (void *)s);
}
