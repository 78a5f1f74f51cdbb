/* --sarif FILE: a SARIF 2.1.0 log (docs/architecture.md, "Findings") for GitHub code scanning
 * and other viewers: one rule per (kind, operation), one result per unique
 * finding, located at the profile line that decided it, so a reviewer sees
 * the finding beside the line to change. */
#include "findings/report_sarif.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/file_lock.h"
#include "findings/escape.h"
#include "findings/findings.h"
#include "findings/json.h"
#include "findings/sarif_merge.h"
#include "findings/sarif_rules.h"
#include "profile/load.h"
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
        char *cwd;        /* where the profile paths the user gave are relative to */
        char *root;       /* the repository's root (the nearest .git above cwd), or cwd */
        char *workflow;   /* the GitHub workflow file, repository-relative, or NULL */
        char *profile;    /* the profile's name, for automationDetails and fingerprints */
        const char *test; /* the run's test name, or NULL */
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

/* The path under the repository's root of a profile file as the policy
 * names it, or NULL when it is not in the repository: code scanning shows
 * a result at a file of the checkout, and a path that is not there helps
 * nobody. An embedded profile is no file, and an installed or system one
 * is not in the checkout: their results are shown at the workflow that
 * ran the command, where GitHub Actions names it. */
static char *repository_file(const struct sarif *x, const char *file, size_t len)
{
        static const char embedded[] = "<embedded>/";
        if (len >= sizeof(embedded) - 1 && strncmp(file, embedded, sizeof(embedded) - 1) == 0)
                return NULL;
        _cleanup_free_ char *named = strndup(file, len), *joined = NULL;
        if (!named || !x->root)
                return NULL;
        if (named[0] != '/' && (!x->cwd || asprintf(&joined, "%s/%s", x->cwd, named) < 0))
                return NULL;
        _cleanup_free_ char *real = realpath(joined ? joined : named, NULL);
        size_t root_len = strlen(x->root);
        if (!real || strncmp(real, x->root, root_len) != 0 || real[root_len] != '/')
                return NULL;
        return strdup(real + root_len + 1);
}

/* A path as a URI reference: everything but unreserved characters and
 * '/' percent-encoded (RFC 3986). */
static void write_uri_path(FILE *out, const char *path)
{
        for (const unsigned char *c = (const unsigned char *)path; *c; c++)
                if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                    (*c >= '0' && *c <= '9') || strchr("-._~/", *c))
                        fputc(*c, out);
                else
                        fprintf(out, "%%%02X", *c);
}

/* The nearest directory from `dir` up that holds a .git (a repository's
 * root, or a worktree's), else `dir` itself. */
static char *repository_root(const char *dir)
{
        _cleanup_free_ char *real = dir ? realpath(dir, NULL) : NULL;
        if (!real)
                return NULL;
        char *at = strdup(real);
        while (at && *at) {
                char git[PATH_MAX];
                snprintf(git, sizeof(git), "%s/.git", at);
                if (access(git, F_OK) == 0)
                        return at;
                char *slash = strrchr(at, '/');
                if (!slash || slash == at)
                        break;
                *slash = '\0';
        }
        free(at);
        return strdup(real);
}

/* GITHUB_WORKFLOW_REF is "OWNER/REPO/.github/workflows/ci.yml@refs/...": its
 * path, when that file is in the checkout. */
static char *workflow_file(const char *root)
{
        const char *ref = getenv("GITHUB_WORKFLOW_REF");
        const char *slash = ref ? strchr(ref, '/') : NULL;
        const char *path = slash ? strchr(slash + 1, '/') : NULL;
        if (!path || !root)
                return NULL;
        _cleanup_free_ char *rel = strndup(path + 1, strcspn(path + 1, "@")), *full = NULL;
        if (!rel || !*rel || strstr(rel, "..") || asprintf(&full, "%s/%s", root, rel) < 0 ||
            access(full, F_OK) != 0)
                return NULL;
        return strdup(rel);
}

/* "default" for <embedded>/default.profile or ./profiles/default.profile. */
static char *profile_name(const struct lp_policy *p)
{
        const char *file = p ? (p->n_files ? p->files[0] : p->source) : NULL;
        const char *name = "none";
        size_t len = file ? lp_profile_name(file, &name) : strlen(name);
        return strndup(name, len);
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
        const struct lp_sarif_kind *k = lp_sarif_kind((int)f->kind);
        fputs("        {\"id\":", out);
        lp_json_string(out, id ? id : op);
        fputs(",\"shortDescription\":{\"text\":", out);
        lp_json_string(out, text ? text : shown ? shown : "");
        fputs("},\"fullDescription\":{\"text\":", out);
        lp_json_string(out, k->full);
        fputs("},\"help\":{\"text\":", out);
        lp_json_string(out, k->help);
        fprintf(out, "},\"helpUri\":\"%s#%s\"", LP_HOMEPAGE, k->anchor);
        fprintf(out,
                ",\"properties\":{\"security-severity\":\"%s\","
                "\"tags\":[\"security\",\"least-privilege\",\"%s\"]}}%s\n",
                k->severity, lp_finding_kind_name(f->kind), last ? "" : ",");
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

/* At the profile line that decided it, relative to the repository's
 * root; no location where that file is not in the repository. */
static void write_location(FILE *out, const struct sarif *x, const struct lp_finding *f)
{
        size_t len;
        unsigned line;
        const char *file = rule_location(x, f->rule, &len, &line);
        _cleanup_free_ char *in_repository = file && len > 0 ? repository_file(x, file, len) : NULL;
        const char *path = in_repository ? in_repository : x->workflow;
        if (!path)
                return;
        fputs(",\"locations\":[{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"", out);
        write_uri_path(out, path);
        fputs("\",\"uriBaseId\":\"%SRCROOT%\"}", out);
        /* A line of the profile is no line of the workflow. */
        if (line > 0 && in_repository)
                fprintf(out, ",\"region\":{\"startLine\":%u}", line);
        fputs("}}]", out);
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

        write_location(out, x, f);

        /* Code scanning tells results apart by rule and location; several
         * findings often share the DefaultAction= line, so each gets its
         * own fingerprint, the same in every run: kind, operation, target
         * without pids, profile. */
        uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)f->kind;
        h = fnv1a(h, f->operation);
        h = fnv1a(h, f->dedupe_target ? f->dedupe_target : f->target);
        h = fnv1a(h, x->profile);
        fprintf(out, ",\"partialFingerprints\":{\"leastprivFinding/v2\":\"%016" PRIx64 "\"}", h);

        fprintf(out, ",\"properties\":{\"count\":%" PRIu64 ",\"action\":\"%s\",\"exe\":", f->count,
                lp_finding_action_name(f->action));
        lp_json_string(out, f->exe);
        fprintf(out, ",\"pid\":%d,\"fix\":", f->pid);
        lp_json_string(out, f->fix ? f->fix : "");
        /* A list: a result merged from several tests' runs (--append)
         * names each of them. */
        fputs(",\"test\":[", out);
        if (x->test)
                lp_json_string(out, x->test);
        fprintf(out, "]}}%s\n", i + 1 == x->n ? "" : ",");
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
        /* Several wrapped suites each upload their own log: code scanning
         * keeps one category per profile. */
        fputs("  \"automationDetails\":{\"id\":", out);
        _cleanup_free_ char *category = NULL;
        lp_json_string(out, asprintf(&category, "leastpriv/%s/", x->profile ? x->profile : "") < 0
                                    ? "leastpriv/"
                                    : category);
        fputs("},\n", out);
        if (x->root) {
                fputs("  \"originalUriBaseIds\":{\"%SRCROOT%\":{\"uri\":\"file://", out);
                write_uri_path(out, x->root);
                fputs("/\"}},\n", out);
        }
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

/* Everything a log needs besides the findings; NULL parts are left out. */
static int sarif_open(struct sarif *x, const struct lp_findings *s, const struct lp_policy *p)
{
        *x = (struct sarif){.store = s, .policy = p, .n = lp_findings_size(s)};
        x->test = lp_findings_test_name(s);
        int r = assign_rules(x);
        if (r == 0) {
                x->cwd = get_current_dir_name(); /* NULL: no location but the workflow's */
                x->root = repository_root(x->cwd);
                x->workflow = workflow_file(x->root);
                x->profile = profile_name(p);
        }
        return r;
}

static void sarif_close(struct sarif *x)
{
        free(x->rule_of);
        free(x->rule_first);
        free(x->cwd);
        free(x->root);
        free(x->workflow);
        free(x->profile);
}

int lp_report_sarif_write(const struct lp_findings *s, const struct lp_policy *p, const char *path)
{
        if (!path)
                return -EINVAL;
        struct sarif x;
        int r = sarif_open(&x, s, p);
        if (r == 0)
                r = lp_write_atomic(path, write_log, &x);
        sarif_close(&x);
        return r;
}

/* This run's log as text. */
static int log_text(const struct lp_findings *s, const struct lp_policy *p, char **ret,
                    size_t *ret_len)
{
        struct sarif x;
        int r = sarif_open(&x, s, p);
        FILE *m = r == 0 ? open_memstream(ret, ret_len) : NULL;
        if (r == 0 && !m)
                r = -ENOMEM;
        if (m && (write_log(m, &x) < 0 || fclose(m) != 0))
                r = -ENOMEM;
        sarif_close(&x);
        return r;
}

/* The whole of what path holds (NULs included): 0, -ENOENT, -errno. A
 * path that is not a regular file (/dev/stdout, a pipe) holds no log to
 * merge into: -ESPIPE. */
static int read_log(const char *path, char **ret, size_t *ret_len)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -ESPIPE;
        FILE *m = open_memstream(ret, ret_len);
        if (!m)
                return -ENOMEM;
        char buf[65536];
        ssize_t n;
        while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
                if (n > 0 && fwrite(buf, 1, (size_t)n, m) != (size_t)n)
                        break;
        int r = n < 0 ? -errno : n > 0 ? -ENOMEM : 0;
        if (fclose(m) != 0 && r == 0)
                r = -ENOMEM;
        if (r < 0) {
                free(*ret);
                *ret = NULL;
        }
        return r;
}

/* Under the lock of path's directory: read, merged, replaced. */
static int merge_into(const char *path, const char *addition, size_t addition_len,
                      const char **ret_why)
{
        _cleanup_free_ char *existing = NULL, *merged = NULL;
        size_t existing_len = 0;
        int r = read_log(path, &existing, &existing_len);
        /* Nothing there yet (a missing or empty file, or a stream): this
         * run's log is the first. */
        if (r == -ENOENT || r == -ESPIPE || (r == 0 && existing_len == 0))
                return lp_write_atomic_text(path, addition);
        if (r < 0)
                return r;
        r = lp_sarif_merge(existing, existing_len, addition, addition_len, &merged, ret_why);
        return r < 0 ? r : lp_write_atomic_text(path, merged);
}

int lp_report_sarif_append(const struct lp_findings *s, const struct lp_policy *p, const char *path,
                           const char **ret_why)
{
        *ret_why = NULL;
        if (!path)
                return -EINVAL;
        _cleanup_free_ char *addition = NULL;
        size_t addition_len = 0;
        int r = log_text(s, p, &addition, &addition_len);
        if (r < 0)
                return r;
        /* The directory, not the file: the file is replaced by rename. */
        _cleanup_close_ int lock = lp_lock_directory_of(path);
        if (lock < 0)
                return lock;
        return merge_into(path, addition, addition_len, ret_why);
}
