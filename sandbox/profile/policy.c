/* Profiles -> one resolved policy: finds profiles by name or path, expands
 * Include= in place (later lines win), applies the list rules (repeating a
 * key appends, `Key=` resets) and checks every name, citing FILE:LINE. */
#include "profile/policy.h"

#include <arpa/inet.h>
#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "profile/embedded.h"
#include "profile/builder.h"
#include "profile/syntax.h"
#include "profile/syscall_sets.h"
#include "base/util.h"

/* DESIGN.md §3: "cycles and depth > 16 are errors". */
#define MAX_INCLUDE_DEPTH 16
/* Profiles are a few KiB. The cap keeps Include=/dev/zero, or a huge file
 * named by mistake, from taking all memory before the parser sees a line. */
#define MAX_PROFILE_SIZE (1024 * 1024)

void lp_builder_error(struct lp_builder *b, const char *file, unsigned line, const char *fmt, ...)
{
        b->n_errors++;
        if (!b->errors)
                return;
        va_list ap;
        va_start(ap, fmt);
        fprintf(b->errors, "%s:%u: ", file, line);
        vfprintf(b->errors, fmt, ap);
        fputc('\n', b->errors);
        va_end(ap);
}

static const char *intern_file(struct lp_builder *b, const char *file)
{
        struct lp_policy *p = b->policy;
        for (size_t i = 0; i < p->n_files; i++)
                if (strcmp(p->files[i], file) == 0)
                        return p->files[i];
        char *copy = strdup(file);
        if (!copy || LP_GROW(p->files, b->cap_files, p->n_files) < 0) {
                free(copy);
                return NULL;
        }
        p->files[p->n_files++] = copy;
        return copy;
}

/* A profile's text and the names it goes by. */
struct source {
        char *text;     /* NUL-terminated */
        size_t size;
        char *file;     /* for messages: the path, or "<embedded>/NAME.profile" */
        char *identity; /* for cycle detection: realpath, or "embedded:NAME" */
};

static void source_done(struct source *s)
{
        free(s->text);
        free(s->file);
        free(s->identity);
}

static bool is_path(const char *name)
{
        size_t n = strlen(name);
        return strchr(name, '/') || (n > 8 && strcmp(name + n - 8, ".profile") == 0);
}

static int read_file(const char *path, struct source *s)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        struct stat st;
        int r = fstat(fileno(f), &st) < 0 ? -errno : S_ISDIR(st.st_mode) ? -EISDIR : 0;
        if (r < 0) {
                fclose(f);
                return r;
        }
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        char buf[65536];
        size_t n, total = 0;
        while (mem && total <= MAX_PROFILE_SIZE && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
                fwrite(buf, 1, n, mem);
                total += n;
        }
        r = ferror(f) ? -EIO : total > MAX_PROFILE_SIZE ? -EFBIG : 0;
        fclose(f);
        if (!mem || fclose(mem) != 0)
                r = -ENOMEM;
        if (r < 0) {
                free(text);
                return r;
        }
        char resolved[PATH_MAX];
        s->text = text;
        s->size = size;
        s->file = strdup(path);
        s->identity = strdup(realpath(path, resolved) ? resolved : path);
        return s->file && s->identity ? 0 : -ENOMEM;
}

static int embedded_source(const char *name, struct source *s)
{
        for (const struct lp_embedded_profile *e = lp_embedded_profiles; e->name; e++) {
                if (strcmp(e->name, name) != 0)
                        continue;
                s->size = strlen(e->text);
                s->text = strdup(e->text);
                if (!s->text || asprintf(&s->file, "<embedded>/%s.profile", name) < 0 ||
                    asprintf(&s->identity, "embedded:%s", name) < 0)
                        return -ENOMEM;
                return 0;
        }
        return -ENOENT;
}

/* Tries DIR/NAME.profile; -ENOENT when absent. */
static int dir_source(const char *dir, size_t dir_len, const char *name, struct source *s)
{
        _cleanup_free_ char *path = NULL;
        if (dir_len == 0)
                return -ENOENT;
        if (asprintf(&path, "%.*s/%s.profile", (int)dir_len, dir, name) < 0)
                return -ENOMEM;
        if (access(path, F_OK) < 0)
                return -ENOENT;
        return read_file(path, s);
}

/* DESIGN.md §3 search order: LEASTPRIV_PATH, ./profiles,
 * /etc/leastpriv/profiles, the install's share dir, then embedded. */
static int find_by_name(const char *name, struct source *s)
{
        const char *env = getenv("LEASTPRIV_PATH");
        for (const char *p = env; p && *p;) {
                size_t len = strcspn(p, ":");
                int r = dir_source(p, len, name, s);
                if (r != -ENOENT)
                        return r;
                p += len + (p[len] == ':');
        }
        static const char *const dirs[] = {"./profiles", "/etc/leastpriv/profiles", LP_DATADIR};
        for (size_t i = 0; i < LP_ELEMENTSOF(dirs); i++) {
                int r = dir_source(dirs[i], strlen(dirs[i]), name, s);
                if (r != -ENOENT)
                        return r;
        }
        return embedded_source(name, s);
}

static int find_source(const struct lp_builder *b, const char *name, const char *including_file,
                       struct source *s)
{
        if (b->embedded_only)
                return is_path(name) ? -EACCES : embedded_source(name, s);
        if (!is_path(name))
                return find_by_name(name, s);
        /* A relative include is relative to the including file, as in C. */
        const char *slash = including_file ? strrchr(including_file, '/') : NULL;
        if (name[0] == '/' || !slash || including_file[0] == '<')
                return read_file(name, s);
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%.*s/%s", (int)(slash - including_file), including_file, name) < 0)
                return -ENOMEM;
        return read_file(path, s);
}

static int apply_profile(struct lp_builder *b, const struct lp_profile *prof);

static bool on_stack(const struct lp_builder *b, const char *identity)
{
        for (size_t i = 0; i < b->depth; i++)
                if (strcmp(b->stack[i], identity) == 0)
                        return true;
        return false;
}

static int parse_and_apply(struct lp_builder *b, struct source *s)
{
        FILE *in = fmemopen(s->text, s->size, "r");
        if (!in)
                return -errno;
        struct lp_profile *prof = NULL;
        int r = lp_profile_parse(in, s->file, b->errors, &prof);
        fclose(in);
        if (r < 0) {
                b->n_errors++;
                return r;
        }
        b->stack[b->depth++] = s->identity;
        r = apply_profile(b, prof);
        b->depth--;
        lp_profile_free(prof);
        return r;
}

/* Loads NAME (from an Include= at FILE:LINE, or the top level when file is
 * NULL) and applies it in place. */
int lp_builder_include(struct lp_builder *b, const char *name, const char *file, unsigned line)
{
        struct source s = {0};
        const char *where = file ? file : name;
        int r = find_source(b, name, file, &s);
        if (r == -ENOMEM)
                goto out;
        if (r < 0) {
                lp_builder_error(b, where, line, "cannot read profile '%s': %s%s", name,
                                 strerror(-r),
                                 r == -ENOENT && !is_path(name) && !b->embedded_only
                                         ? " (looked in LEASTPRIV_PATH, ./profiles, "
                                           "/etc/leastpriv/profiles, " LP_DATADIR
                                           " and the embedded profiles)"
                                         : "");
                r = 0;
                goto out;
        }
        if (on_stack(b, s.identity)) {
                lp_builder_error(b, where, line, "include cycle: '%s' includes itself", name);
        } else if (b->depth >= MAX_INCLUDE_DEPTH + 1) {
                lp_builder_error(b, where, line, "includes nested deeper than %d",
                                 MAX_INCLUDE_DEPTH);
        } else {
                r = parse_and_apply(b, &s);
                if (r == -EINVAL)
                        r = 0; /* already reported; keep going to report more */
        }
out:
        source_done(&s);
        return r;
}

static int apply_profile(struct lp_builder *b, const struct lp_profile *prof)
{
        const char *file = intern_file(b, prof->file);
        if (!file)
                return -ENOMEM;
        for (size_t i = 0; i < prof->n_lines; i++) {
                const struct lp_profile_line *l = &prof->lines[i];
                struct lp_origin o = {.file = file, .line = l->line};
                int r = lp_builder_apply(b, l->section, l->key, l->value, o);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int builder_init(struct lp_builder *b, FILE *errors)
{
        *b = (struct lp_builder){.errors = errors};
        b->policy = calloc(1, sizeof(*b->policy));
        if (!b->policy)
                return -ENOMEM;
        /* Defaults for what no profile line sets (DESIGN.md §3). */
        b->policy->default_action = (struct lp_action){LP_ACTION_ERRNO, EPERM};
        b->policy->netns = LP_NETNS_LOOPBACK;
        return 0;
}

static int builder_finish(struct lp_builder *b, const char *source, struct lp_policy **ret)
{
        int r = b->n_errors ? -EINVAL : 0;
        if (r == 0 && !(b->policy->source = strdup(source)))
                r = -ENOMEM;
        if (r == 0)
                r = lp_policy_resolve_syscalls(b);
        if (r == 0 && b->n_errors)
                r = -EINVAL;
        if (r < 0) {
                lp_policy_free(b->policy);
                return r;
        }
        *ret = b->policy;
        return 0;
}

int lp_policy_load(const char *name_or_path, FILE *errors, struct lp_policy **ret)
{
        struct lp_builder b;
        int r = builder_init(&b, errors);
        if (r < 0)
                return r;
        r = lp_builder_include(&b, name_or_path, NULL, 0);
        if (r < 0) {
                lp_policy_free(b.policy);
                return r;
        }
        return builder_finish(&b, name_or_path, ret);
}

static int load_string(const char *text, const char *file, FILE *errors, bool embedded_only,
                       struct lp_policy **ret)
{
        struct lp_builder b;
        int r = builder_init(&b, errors);
        if (r < 0)
                return r;
        b.embedded_only = embedded_only;
        struct source s = {.text = strdup(text), .size = strlen(text), .file = strdup(file),
                           .identity = strdup(file)};
        if (!s.text || !s.file || !s.identity)
                r = -ENOMEM;
        else
                r = parse_and_apply(&b, &s);
        source_done(&s);
        if (r < 0 && r != -EINVAL) {
                lp_policy_free(b.policy);
                return r;
        }
        return builder_finish(&b, file, ret);
}

int lp_policy_load_string(const char *text, const char *file, FILE *errors,
                          struct lp_policy **ret)
{
        return load_string(text, file, errors, false, ret);
}

int lp_policy_load_string_sealed(const char *text, const char *file, FILE *errors,
                                 struct lp_policy **ret)
{
        return load_string(text, file, errors, true, ret);
}

static void free_tokens(struct lp_syscall_token *t, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(t[i].token);
        free(t);
}

static void free_patterns(struct lp_pattern *t, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(t[i].glob);
        free(t);
}

void lp_policy_free(struct lp_policy *p)
{
        if (!p)
                return;
        free(p->source);
        free(p->description);
        free_tokens(p->allow, p->n_allow);
        free_tokens(p->deny, p->n_deny);
        for (size_t i = 0; i < p->n_syscalls; i++)
                free(p->syscalls[i].name);
        free(p->syscalls);
        free(p->keep);
        free(p->families);
        free(p->forwards);
        free_patterns(p->withhold, p->n_withhold);
        free_patterns(p->pass, p->n_pass);
        for (size_t i = 0; i < p->n_set_env; i++) {
                free(p->set_env[i].name);
                free(p->set_env[i].value);
        }
        free(p->set_env);
        free(p->user);
        free(p->group);
        for (size_t i = 0; i < p->n_files; i++)
                free(p->files[i]);
        free(p->files);
        free(p);
}

const char *lp_origin_format(const struct lp_origin *o, char *buf, size_t size)
{
        if (!o || !o->file || o->line == 0)
                snprintf(buf, size, "built-in");
        else
                snprintf(buf, size, "%s:%u", o->file, o->line);
        return buf;
}
