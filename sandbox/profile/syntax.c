/* The profile syntax (docs/architecture.md, "Profiles"), in the style of
 * systemd unit files: [Section] headers, Key=Value lines, '#' or ';'
 * comment lines, and '#' after whitespace ending a value. Which sections
 * and keys exist is the key table's (keys.h). */
#include "profile/syntax.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/suggest.h"
#include "base/util.h"
#include "profile/keys.h"

struct parser {
        struct lp_profile *profile;
        FILE *errors;
        const char *section; /* the current section, NULL after a bad header */
        unsigned line;
        int n_errors;
};

static void parse_error(struct parser *ps, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static void parse_error(struct parser *ps, const char *fmt, ...)
{
        ps->n_errors++;
        if (!ps->errors)
                return;
        va_list ap;
        va_start(ap, fmt);
        fprintf(ps->errors, "%s:%u: ", ps->profile->file, ps->line);
        vfprintf(ps->errors, fmt, ap);
        fputc('\n', ps->errors);
        va_end(ap);
}

/* No key is close: the keys the section has are the hint. */
static void unknown_key(struct parser *ps, const char *key, const char *const *names)
{
        char known[512] = "";
        size_t used = 0;
        for (size_t i = 0; names[i] && used < sizeof(known); i++)
                used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s=", i ? ", " : "",
                                         names[i]);
        parse_error(ps, "unknown key %s= in [%s]; its keys are %s", key, ps->section, known);
}

static char *trim(char *s)
{
        while (*s == ' ' || *s == '\t')
                s++;
        size_t n = strlen(s);
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
                s[--n] = '\0';
        return s;
}

/* '#' after whitespace ends a value, so "Keep=   # none" is empty. */
static void strip_trailing_comment(char *value)
{
        for (char *p = value; *p; p++) {
                if (*p == '#' && (p == value || p[-1] == ' ' || p[-1] == '\t')) {
                        *p = '\0';
                        return;
                }
        }
}

static void parse_section(struct parser *ps, char *text)
{
        size_t n = strlen(text);
        if (n < 2 || text[n - 1] != ']') {
                parse_error(ps, "malformed section header '%s': expected [Name]", text);
                ps->section = NULL;
                return;
        }
        text[n - 1] = '\0';
        char *name = text + 1;
        for (size_t i = 0; lp_sections[i]; i++) {
                if (strcmp(lp_sections[i], name) == 0) {
                        ps->section = lp_sections[i];
                        return;
                }
        }
        const char *hint = lp_suggest(name, lp_sections);
        if (hint)
                parse_error(ps, "unknown section [%s]; did you mean [%s]?", name, hint);
        else
                parse_error(ps, "unknown section [%s]", name);
        /* Keys under an unknown section would only repeat the error. */
        ps->section = NULL;
}

static int add_line(struct parser *ps, const struct lp_key *key, const char *value)
{
        struct lp_profile *p = ps->profile;
        if (LP_GROW(p->lines, p->capacity, p->n_lines) < 0)
                return -ENOMEM;
        char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        p->lines[p->n_lines++] =
                (struct lp_profile_line){.key = key, .value = copy, .line = ps->line};
        return 0;
}

static int parse_assignment(struct parser *ps, char *text, bool *seen_section_error)
{
        char *eq = strchr(text, '=');
        if (!eq) {
                parse_error(ps, "expected Key=Value or [Section], got '%.60s'", text);
                return 0;
        }
        *eq = '\0';
        char *key = trim(text);
        char *value = eq + 1;
        strip_trailing_comment(value);
        value = trim(value);
        if (!ps->section) {
                if (!*seen_section_error)
                        parse_error(ps, "%s= outside of any known section", key);
                return 0;
        }
        const struct lp_key *known_key = lp_key_find(ps->section, key);
        if (!known_key) {
                const char *names[64];
                lp_key_names(ps->section, names, LP_ELEMENTSOF(names));
                const char *hint = lp_suggest(key, names);
                if (hint)
                        parse_error(ps, "unknown key %s= in [%s]; did you mean %s=?", key,
                                    ps->section, hint);
                else
                        unknown_key(ps, key, names);
                return 0;
        }
        return add_line(ps, known_key, value);
}

/* One physical line, CR LF already stripped. */
static int parse_line(struct parser *ps, char *raw, bool *section_error)
{
        char *text = trim(raw);
        if (*text == '\0' || *text == '#' || *text == ';')
                return 0;
        if (*text == '[') {
                parse_section(ps, text);
                *section_error = ps->section == NULL;
                return 0;
        }
        return parse_assignment(ps, text, section_error);
}

/* Reads one line into *buf; returns its length, -1 at EOF. Rejects NUL
 * bytes and over-long lines here, where the raw length is known. */
static ssize_t read_line(struct parser *ps, FILE *in, char **buf, size_t *cap, bool *bad)
{
        ssize_t n = getline(buf, cap, in);
        *bad = false;
        if (n < 0)
                return -1;
        ps->line++;
        if (n > LP_PROFILE_MAX_LINE) {
                parse_error(ps, "line is %zd bytes long; the limit is %d", n, LP_PROFILE_MAX_LINE);
                *bad = true;
        } else if ((size_t)n != strlen(*buf)) {
                parse_error(ps, "NUL byte in line: a profile is text");
                *bad = true;
        }
        if (n > 0 && (*buf)[n - 1] == '\n')
                (*buf)[--n] = '\0';
        if (n > 0 && (*buf)[n - 1] == '\r') /* CRLF from a Windows editor */
                (*buf)[--n] = '\0';
        return n;
}

void lp_profile_free(struct lp_profile *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < p->n_lines; i++)
                free(p->lines[i].value);
        free(p->lines);
        free(p->file);
        free(p);
}

int lp_profile_parse(FILE *in, const char *file, FILE *errors, struct lp_profile **ret)
{
        struct lp_profile *p = calloc(1, sizeof(*p));
        if (!p || !(p->file = strdup(file))) {
                free(p);
                return -ENOMEM;
        }
        struct parser ps = {.profile = p, .errors = errors};
        _cleanup_free_ char *buf = NULL;
        size_t cap = 0;
        bool bad, section_error = false;
        int r = 0;
        while (r >= 0 && read_line(&ps, in, &buf, &cap, &bad) >= 0)
                if (!bad)
                        r = parse_line(&ps, buf, &section_error);
        if (r >= 0 && ferror(in)) {
                r = -EIO;
                parse_error(&ps, "read error");
        }
        if (r >= 0 && ps.n_errors == 0 && p->n_lines == 0) {
                ps.line = ps.line ? ps.line : 1;
                parse_error(&ps, "profile is empty: it has no Key=Value line");
        }
        if (r < 0 || ps.n_errors > 0) {
                lp_profile_free(p);
                return r < 0 ? r : -EINVAL;
        }
        *ret = p;
        return 0;
}
