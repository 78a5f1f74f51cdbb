/* --sarif FILE: a SARIF 2.1.0 log (docs/architecture.md, "Findings") for GitHub code scanning
 * and other viewers: one rule per (kind, operation), one result per unique
 * finding, located at the profile line that decided it, so a reviewer sees
 * the finding beside the line to change. */
#include "findings/report_sarif.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "findings/escape.h"
#include "findings/findings.h"
#include "findings/json.h"
#include "profile/names.h"
#include "profile/policy.h"
#include "base/util.h"

#ifndef LP_HOMEPAGE
#define LP_HOMEPAGE "https://github.com/leastpriv/leastpriv"
#endif

/* SARIF line numbers are JSON integers; keep them in int range. */
#define MAX_LINE 2147483647UL

#define SARIF_SCHEMA "https://json.schemastore.org/sarif-2.1.0.json"

struct sarif {
        const struct lp_findings *store;
        const struct lp_policy *policy;
        size_t n;
        size_t *rule_of;    /* finding -> rule number */
        size_t *rule_first; /* rule number -> its first finding */
        size_t n_rules;
        char *cwd; /* to make absolute profile paths repo-relative */
};

static uint64_t fnv1a(uint64_t h, const char *s)
{
        for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
                h = (h ^ *p) * 0x100000001b3ULL;
        return (h ^ 0xff) * 0x100000001b3ULL; /* a separator between strings */
}

static uint64_t rule_hash(const struct lp_finding *f)
{
        return fnv1a(0xcbf29ce484222325ULL ^ (uint64_t)f->kind, f->operation);
}

static bool same_rule(const struct lp_finding *a, const struct lp_finding *b)
{
        return a->kind == b->kind &&
               strcmp(a->operation ? a->operation : "", b->operation ? b->operation : "") == 0;
}

/* One rule per unique (kind, operation), numbered in first-seen order,
 * through an open-addressing table of rule numbers + 1. */
static int assign_rules(struct sarif *x)
{
        size_t slots = 16;
        while (slots < x->n * 2)
                slots *= 2;
        _cleanup_free_ size_t *table = calloc(slots, sizeof(*table));
        x->rule_of = calloc(x->n ? x->n : 1, sizeof(*x->rule_of));
        x->rule_first = calloc(x->n ? x->n : 1, sizeof(*x->rule_first));
        if (!table || !x->rule_of || !x->rule_first)
                return -ENOMEM;
        for (size_t i = 0; i < x->n; i++) {
                const struct lp_finding *f = lp_findings_at(x->store, i);
                size_t j = rule_hash(f) & (slots - 1);
                while (table[j] &&
                       !same_rule(lp_findings_at(x->store, x->rule_first[table[j] - 1]), f))
                        j = (j + 1) & (slots - 1);
                if (!table[j]) {
                        x->rule_first[x->n_rules] = i;
                        table[j] = ++x->n_rules;
                }
                x->rule_of[i] = table[j] - 1;
        }
        return 0;
}

/* "FILE:LINE" at the start of s, followed by a blank or the end. */
static bool parse_file_line(const char *s, size_t file_len, unsigned *ret_line)
{
        const char *p = s + file_len;
        if (file_len == 0 || *p != ':' || p[1] < '0' || p[1] > '9')
                return false;
        char *end;
        errno = 0;
        unsigned long line = strtoul(p + 1, &end, 10);
        if (errno || line == 0 || line > MAX_LINE || (*end && *end != ' ' && *end != '\t'))
                return false;
        *ret_line = (unsigned)line;
        return true;
}

/* Where a finding's rule came from: the file and line it names ("FILE:LINE
 * [Syscalls] ..."), else the top-level profile without a line. File names
 * the policy knows are matched first, so names with ':' or ' ' still work. */
static const char *rule_location(const struct sarif *x, const char *rule, size_t *ret_len,
                                 unsigned *ret_line)
{
        const struct lp_policy *p = x->policy;
        *ret_line = 0;
        if (rule && p)
                for (size_t i = 0; i < p->n_files; i++) {
                        size_t len = strlen(p->files[i]);
                        if (strncmp(rule, p->files[i], len) == 0 &&
                            parse_file_line(rule, len, ret_line)) {
                                *ret_len = len;
                                return rule;
                        }
                }
        if (rule && *rule != '[')
                for (const char *c = strchr(rule, ':'); c; c = strchr(c + 1, ':'))
                        if (parse_file_line(rule, (size_t)(c - rule), ret_line)) {
                                *ret_len = (size_t)(c - rule);
                                return rule;
                        }
        const char *file = p ? (p->n_files ? p->files[0] : p->source) : NULL;
        *ret_len = file ? strlen(file) : 0;
        return file;
}

/* A profile file name as a URI reference: embedded profiles are the
 * repository's profiles/NAME.profile; absolute paths under the working
 * directory become relative (what code scanning resolves against the
 * checkout), other absolute paths file:// URIs. Everything but unreserved
 * characters and '/' is percent-encoded (RFC 3986). */
static void write_uri(FILE *out, const struct sarif *x, const char *file, size_t len)
{
        static const char embedded[] = "<embedded>/";
        const char *prefix = "";
        size_t cwd_len = x->cwd ? strlen(x->cwd) : 0;
        if (len >= sizeof(embedded) - 1 && strncmp(file, embedded, sizeof(embedded) - 1) == 0) {
                prefix = "profiles/";
                file += sizeof(embedded) - 1, len -= sizeof(embedded) - 1;
        } else if (file[0] == '/' && cwd_len > 1 && len > cwd_len + 1 &&
                   strncmp(file, x->cwd, cwd_len) == 0 && file[cwd_len] == '/') {
                file += cwd_len + 1, len -= cwd_len + 1;
        } else if (file[0] == '/') {
                prefix = "file://";
        }
        while (len >= 2 && file[0] == '.' && file[1] == '/')
                file += 2, len -= 2;

        fprintf(out, "\"%s", prefix);
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)file[i];
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    strchr("-._~/", c))
                        fputc(c, out);
                else
                        fprintf(out, "%%%02X", c);
        }
        fputc('"', out);
}

static const char *level(enum lp_finding_action a)
{
        switch (a) {
        case LP_FINDING_AUDITED:
        case LP_FINDING_CLEANED:
                return "warning";
        case LP_FINDING_WITHHELD:
                return "note";
        default:
                return "error"; /* denied, killed */
        }
}

/* s escaped for a reader (findings/escape.h), or NULL without memory. */
static char *escaped_text(const char *s)
{
        char *text = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&text, &size);
        if (!m)
                return NULL;
        lp_escape_write(m, s, LP_ESCAPE_TEXT);
        if (fclose(m) != 0) {
                free(text);
                return NULL;
        }
        return text;
}

static void write_rule(FILE *out, const struct lp_finding *f, bool last)
{
        static const char *const noun[] = {
                [LP_FINDING_SYSCALL] = "System call",
                [LP_FINDING_NETWORK] = "Network operation",
                [LP_FINDING_CAPABILITY] = "Capability",
                [LP_FINDING_ENVIRONMENT] = "Environment variable",
                [LP_FINDING_FILESYSTEM] = "File system operation",
        };
        const char *op = f->operation ? f->operation : "";
        /* The id is data; the description is text a viewer shows (a
         * variable's name is the environment's choice). */
        _cleanup_free_ char *id = NULL, *text = NULL, *shown = escaped_text(op);
        if (asprintf(&id, "%s/%s", lp_finding_kind_name(f->kind), op) < 0)
                id = NULL;
        int r = -1;
        if (shown && f->kind == LP_FINDING_IDENTITY)
                r = asprintf(&text, "A %s of the run's dynamic user was left behind", shown);
        else if (shown && f->kind == LP_FINDING_RESOURCE)
                r = asprintf(&text, "The run's cgroup limit %s was reached", shown);
        else if (shown && (unsigned)f->kind < LP_ELEMENTSOF(noun))
                r = asprintf(&text, "%s %s is %s by the profile", noun[f->kind], shown,
                             f->kind == LP_FINDING_ENVIRONMENT ? "withheld" : "not granted");
        if (r < 0)
                text = NULL;
        fputs("        {\"id\":", out);
        lp_json_string(out, id ? id : op);
        fputs(",\"shortDescription\":{\"text\":", out);
        lp_json_string(out, text ? text : shown ? shown : "");
        fprintf(out, "}}%s\n", last ? "" : ",");
}

static void write_message(FILE *out, const struct lp_finding *f)
{
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&text, &size);
        if (!m) {
                lp_json_string(out, f->target ? f->target : "");
                return;
        }
        const char *errno_name = f->errno_value ? lp_errno_name(f->errno_value) : NULL;
        const char *op = f->operation ? f->operation : "";
        const char *target = f->target ? f->target : "";
        fprintf(m, "%s ", lp_finding_kind_name(f->kind));
        /* As in the text summary: "connect tcp 10.0.0.5:443", "ptrace(...)",
         * escaped as it is: a viewer shows this text to a reader. */
        if (!*target || strncmp(target, op, strlen(op)) != 0) {
                lp_escape_write(m, op, LP_ESCAPE_TEXT);
                fputs(*target ? " " : "", m);
        }
        lp_escape_write_target(m, f->kind, target);
        fprintf(m, " %s", lp_finding_action_name(f->action));
        if (errno_name)
                fprintf(m, " (%s)", errno_name);
        fprintf(m, " %" PRIu64 " %s", f->count, f->count == 1 ? "time" : "times");
        if (f->exe) {
                fputs(" by ", m);
                lp_escape_write(m, f->exe, LP_ESCAPE_TEXT);
        }
        if (f->fix && *f->fix) {
                fputs(". To grant it: ", m);
                lp_escape_write(m, f->fix, LP_ESCAPE_TEXT);
        }
        fclose(m);
        lp_json_string(out, text);
}

static void write_result(FILE *out, const struct sarif *x, size_t i)
{
        const struct lp_finding *f = lp_findings_at(x->store, i);
        const struct lp_finding *rf = lp_findings_at(x->store, x->rule_first[x->rule_of[i]]);
        _cleanup_free_ char *id = NULL;
        if (asprintf(&id, "%s/%s", lp_finding_kind_name(rf->kind),
                     rf->operation ? rf->operation : "") < 0)
                id = NULL;
        fputs("        {\"ruleId\":", out);
        lp_json_string(out, id ? id : "");
        fprintf(out, ",\"ruleIndex\":%zu,\"level\":\"%s\",\"message\":{\"text\":", x->rule_of[i],
                level(f->action));
        write_message(out, f);
        fputc('}', out);

        size_t len;
        unsigned line;
        const char *file = rule_location(x, f->rule, &len, &line);
        if (file && len > 0) {
                fputs(",\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":", out);
                write_uri(out, x, file, len);
                fputc('}', out);
                if (line > 0)
                        fprintf(out, ",\"region\":{\"startLine\":%u}", line);
                fputs("}}]", out);
        }

        /* Code scanning tells results apart by rule and location; several
         * findings often share the DefaultAction= line, so give each its
         * own stable fingerprint (the store's key). */
        uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)f->kind;
        h = fnv1a(h, f->operation);
        h = fnv1a(h, f->dedupe_target ? f->dedupe_target : f->target);
        h = fnv1a(h, f->exe);
        fprintf(out, ",\"partialFingerprints\":{\"leastprivFinding/v1\":\"%016" PRIx64 "\"}", h);

        fprintf(out, ",\"properties\":{\"count\":%" PRIu64 ",\"action\":\"%s\",\"exe\":", f->count,
                lp_finding_action_name(f->action));
        lp_json_string(out, f->exe);
        fprintf(out, ",\"pid\":%d,\"fix\":", f->pid);
        lp_json_string(out, f->fix ? f->fix : "");
        fprintf(out, "}}%s\n", i + 1 == x->n ? "" : ",");
}

static int write_log(FILE *out, void *userdata)
{
        const struct sarif *x = userdata;
        fputs("{\"$schema\":\"" SARIF_SCHEMA "\",\"version\":\"2.1.0\",\"runs\":[{\n", out);
        fputs("  \"tool\":{\"driver\":{\"name\":\"leastpriv\",\"version\":\"" LP_VERSION
              "\",\"informationUri\":\"" LP_HOMEPAGE "\",\"rules\":[\n",
              out);
        for (size_t r = 0; r < x->n_rules; r++)
                write_rule(out, lp_findings_at(x->store, x->rule_first[r]), r + 1 == x->n_rules);
        fputs("  ]}},\n", out);
        uint64_t folded = lp_findings_folded(x->store);
        if (folded > 0)
                fprintf(out,
                        "  \"properties\":{\"foldedOccurrences\":%" PRIu64
                        ",\"foldedDistinctFindings\":%" PRIu64 "},\n",
                        folded, lp_findings_folded_distinct(x->store));
        fputs("  \"results\":[\n", out);
        for (size_t i = 0; i < x->n; i++)
                write_result(out, x, i);
        fputs("  ]\n}]}\n", out);
        return 0;
}

int lp_report_sarif_write(const struct lp_findings *s, const struct lp_policy *p, const char *path)
{
        if (!path)
                return -EINVAL;
        struct sarif x = {.store = s, .policy = p, .n = lp_findings_size(s)};
        int r = assign_rules(&x);
        if (r == 0) {
                x.cwd = get_current_dir_name(); /* NULL is fine: no rewriting */
                r = lp_write_atomic(path, write_log, &x);
        }
        free(x.rule_of);
        free(x.rule_first);
        free(x.cwd);
        return r;
}
