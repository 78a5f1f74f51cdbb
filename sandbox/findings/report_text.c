/* The end-of-run summary on stderr (docs/architecture.md, "Findings"): one line per unique
 * finding with its count, the executable, the profile line that would grant
 * it and the one that decided it. Every field is escaped (findings/escape.h):
 * targets, executables and paths come from a hostile process, and must
 * reach a terminal neither as escape sequences nor as text that passes
 * for the rest of the line. */
#include "findings/report_text.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "findings/escape.h"
#include "findings/findings.h"

static const char *plural(uint64_t n, const char *one, const char *many)
{
        return n == 1 ? one : many;
}

static void print_finding(FILE *out, const struct lp_finding *f)
{
        const char *op = f->operation ? f->operation : "";
        const char *target = f->target ? f->target : "";
        fprintf(out, "leastpriv:   %-8s %s ", lp_finding_action_name(f->action),
                lp_finding_kind_name(f->kind));
        /* "ptrace(PTRACE_TRACEME)" and "GITHUB_TOKEN" already name the
         * operation; "tcp 10.0.0.5:443" needs "connect" in front. */
        if (strncmp(target, op, strlen(op)) != 0 || !*target) {
                lp_escape_write(out, op, LP_ESCAPE_TEXT);
                if (*target)
                        fputc(' ', out);
        }
        lp_escape_write_target(out, f->kind, target);
        fprintf(out, " x%" PRIu64, f->count);
        if (f->exe) {
                fputs("  [", out);
                lp_escape_write(out, f->exe, LP_ESCAPE_TEXT);
                fputc(']', out);
        }
        if (f->fix && *f->fix) {
                fputs("  fix: ", out);
                lp_escape_write(out, f->fix, LP_ESCAPE_TEXT);
        }
        if (f->rule && *f->rule) {
                fputs("  (rule: ", out);
                lp_escape_write(out, f->rule, LP_ESCAPE_TEXT);
                fputc(')', out);
        }
        fputc('\n', out);
}

/* A withheld variable is the sandbox working, not the command reaching
 * for a privilege: it is a note of its own, not a finding of the count
 * (the reports still hold it, at SARIF's level "note"). */
static bool is_note(const struct lp_finding *f)
{
        return f->action == LP_FINDING_WITHHELD;
}

/* "leastpriv: note: withheld from the command: A B C", one line, or
 * nothing. */
static void print_withheld(FILE *out, const struct lp_findings *s)
{
        bool any = false;
        for (size_t i = 0; i < lp_findings_size(s); i++) {
                const struct lp_finding *f = lp_findings_at(s, i);
                if (!is_note(f))
                        continue;
                fputs(any ? " " : "leastpriv: note: withheld from the command: ", out);
                lp_escape_write(out, f->operation ? f->operation : "", LP_ESCAPE_TEXT);
                any = true;
        }
        if (any)
                fputs("  ([Environment] Pass=NAME passes one)\n", out);
}

int lp_report_text(const struct lp_findings *s, FILE *out, bool quiet)
{
        size_t n = lp_findings_size(s), n_shown = 0;
        uint64_t folded = lp_findings_folded(s);
        uint64_t folded_distinct = lp_findings_folded_distinct(s);
        uint64_t total = folded;
        for (size_t i = 0; i < n; i++) {
                const struct lp_finding *f = lp_findings_at(s, i);
                if (!is_note(f)) {
                        total += f->count;
                        n_shown++;
                }
        }
        if (!quiet)
                print_withheld(out, s);
        if (n_shown == 0 && folded == 0) {
                if (!quiet)
                        fputs("leastpriv: no findings\n", out);
                return ferror(out) ? -EIO : 0;
        }
        uint64_t distinct = n_shown + folded_distinct;
        fprintf(out, "leastpriv: %" PRIu64 " %s (%" PRIu64 " %s)\n", distinct,
                plural(distinct, "finding", "findings"), total,
                plural(total, "occurrence", "occurrences"));
        for (size_t i = 0; i < n; i++)
                if (!is_note(lp_findings_at(s, i)))
                        print_finding(out, lp_findings_at(s, i));
        if (folded > 0)
                fprintf(out,
                        "leastpriv:   ... and %" PRIu64 " more %s (%" PRIu64 " %s) not listed:"
                        " too many distinct findings to keep each one\n",
                        folded_distinct, plural(folded_distinct, "finding", "findings"), folded,
                        plural(folded, "occurrence", "occurrences"));
        return ferror(out) ? -EIO : 0;
}
