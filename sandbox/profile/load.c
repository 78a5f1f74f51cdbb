/* Profiles -> one resolved policy: finds profiles by name or path, expands
 * Include= in place (later lines win), and hands every other line to its
 * key's applier (keys.h), which checks it and cites FILE:LINE. */
#include "profile/load.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "profile/builder.h"
#include "profile/embedded.h"
#include "profile/keys.h"
#include "profile/keys_network.h"
#include "profile/resolve.h"
#include "profile/syntax.h"
#include "profile/values.h"
/* Profiles are a few KiB. The cap keeps Include=/dev/zero, or a huge file
 * named by mistake, from taking all memory before the parser sees a line. */
#define MAX_PROFILE_SIZE (1024 * 1024)

/* A profile's text and the names it goes by. */
struct source {
        char *text; /* NUL-terminated */
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

void lp_profile_installed_dir(char *buf, size_t size)
{
        /* The install's share dir is found from where the binary is, not
         * where it was configured to go: `cmake --install --prefix P` and a
         * relocated package both put it at P/bin/leastpriv next to
         * P/share/leastpriv/profiles. /proc/self/exe is the resolved path
         * (a symlink in /usr/local/bin leads to the real install), so its
         * ".." can be taken off lexically. */
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        const char *rel = LP_DATADIR_FROM_BINDIR;
        char *dir_end = n > 0 && exe[0] == '/' ? memrchr(exe, '/', (size_t)n) : NULL;
        while (dir_end && strncmp(rel, "../", 3) == 0) {
                rel += 3;
                dir_end = dir_end == exe ? NULL : memrchr(exe, '/', (size_t)(dir_end - exe));
        }
        if (!dir_end || snprintf(buf, size, "%.*s/%s", (int)(dir_end - exe), exe, rel) >= (int)size)
                /* No /proc (early in a container's life): where it was
                 * configured to go. */
                snprintf(buf, size, "%s", LP_DATADIR);
}

/* The search order of docs/architecture.md, "Profiles": LEASTPRIV_PATH,
 * ./profiles, /etc/leastpriv/profiles, the install's share dir, then the
 * embedded profiles. */
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
        char installed[PATH_MAX];
        lp_profile_installed_dir(installed, sizeof(installed));
        const char *const dirs[] = {"./profiles", "/etc/leastpriv/profiles", installed};
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

static void report_unreadable(struct lp_builder *b, const char *name, const char *where,
                              unsigned line, int r)
{
        if (r == -ENOENT && is_path(name)) {
                lp_builder_error(b, where, line,
                                 "cannot read profile '%s': %s; check the path (a name without "
                                 "'/' or '.profile' is looked up among the installed profiles)",
                                 name, strerror(-r));
                return;
        }
        if (r != -ENOENT || b->embedded_only) {
                lp_builder_error(b, where, line, "cannot read profile '%s': %s", name,
                                 strerror(-r));
                return;
        }
        char installed[PATH_MAX];
        lp_profile_installed_dir(installed, sizeof(installed));
        lp_builder_error(b, where, line,
                         "cannot read profile '%s': %s (looked in LEASTPRIV_PATH, ./profiles, "
                         "/etc/leastpriv/profiles, %s and the embedded profiles); name a "
                         "profile file by its path, as ./%s.profile",
                         name, strerror(-r), installed, name);
}

/* Loads NAME (from an Include= at FILE:LINE, or the top level when file is
 * NULL) and applies it in place. */
static int include(struct lp_builder *b, const char *name, const char *file, unsigned line)
{
        struct source s = {0};
        /* A profile named on the command line has no line to cite. */
        const char *where = file ? file : "leastpriv";
        int r = find_source(b, name, file, &s);
        if (r == -ENOMEM)
                goto out;
        if (r < 0) {
                report_unreadable(b, name, where, line, r);
                r = 0;
                goto out;
        }
        if (on_stack(b, s.identity)) {
                lp_builder_error(b, where, line, "include cycle: '%s' includes itself", name);
        } else if (b->depth >= LP_MAX_INCLUDE_DEPTH + 1) {
                lp_builder_error(b, where, line, "includes nested deeper than %d",
                                 LP_MAX_INCLUDE_DEPTH);
        } else {
                r = parse_and_apply(b, &s);
                if (r == -EINVAL)
                        r = 0; /* already reported; keep going to report more */
        }
out:
        source_done(&s);
        return r;
}

static int include_token(struct lp_builder *b, const char *token, struct lp_origin o)
{
        return include(b, token, o.file, o.line);
}

static int apply_profile(struct lp_builder *b, const struct lp_profile *prof)
{
        const char *file = lp_builder_intern_file(b, prof->file);
        if (!file)
                return -ENOMEM;
        for (size_t i = 0; i < prof->n_lines; i++) {
                const struct lp_profile_line *l = &prof->lines[i];
                struct lp_origin o = {.file = file, .line = l->line};
                /* Include= is the loader's own: the key table's appliers
                 * never call back into loading. */
                int r = l->key->apply ? l->key->apply(b, l->value, o)
                                      : lp_value_foreach_token(b, l->value, o, include_token);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Forwards need lo up, and a host beyond loopback needs its own yes. */
static void check_forwards(struct lp_builder *b)
{
        const struct lp_policy *p = b->policy;
        char where[512];
        for (size_t i = 0; i < p->n_forwards; i++) {
                const struct lp_forward *f = &p->forwards[i];
                if (f->path[0])
                        continue; /* a path in the command's view: no network needed */
                if (p->netns == LP_NETNS_NONE)
                        lp_builder_error(b, f->origin.file, f->origin.line,
                                         "Forward= needs lo up: [Network] Namespace=loopback "
                                         "(it is none, %s)",
                                         lp_origin_format(&p->netns_origin, where, sizeof(where)));
                else if (!p->forward_outside.value && !lp_forward_host_is_loopback(f))
                        lp_builder_error(b, f->origin.file, f->origin.line,
                                         "Forward= to %s: not the host's loopback; forwarding "
                                         "beyond it needs [Network] ForwardOutside=yes",
                                         f->host);
        }
}

/* Keys that exclude each other, once every line and include is applied. */
static void check_exclusions(struct lp_builder *b)
{
        const struct lp_policy *p = b->policy;
        check_forwards(b);
        if (p->dynamic_user.value && (p->user || p->group))
                lp_builder_error(b, p->dynamic_user.origin.file, p->dynamic_user.origin.line,
                                 "[Identity] DynamicUser=yes excludes User= and Group= (%s:%u): "
                                 "the run's uid and gid are allocated for it",
                                 p->user ? p->user_origin.file : p->group_origin.file,
                                 p->user ? p->user_origin.line : p->group_origin.line);
}

static int builder_finish(struct lp_builder *b, const char *source, struct lp_policy **ret)
{
        check_exclusions(b);
        int r = b->n_errors ? -EINVAL : 0;
        if (r == 0 && !(b->policy->source = strdup(source)))
                r = -ENOMEM;
        if (r == 0)
                r = lp_resolve_syscalls(b->policy);
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
        int r = lp_builder_init(&b, errors);
        if (r < 0)
                return r;
        r = include(&b, name_or_path, NULL, 0);
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
        int r = lp_builder_init(&b, errors);
        if (r < 0)
                return r;
        b.embedded_only = embedded_only;
        struct source s = {.text = strdup(text),
                           .size = strlen(text),
                           .file = strdup(file),
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

int lp_policy_load_string(const char *text, const char *file, FILE *errors, struct lp_policy **ret)
{
        return load_string(text, file, errors, false, ret);
}

int lp_policy_load_string_sealed(const char *text, const char *file, FILE *errors,
                                 struct lp_policy **ret)
{
        return load_string(text, file, errors, true, ret);
}

bool lp_profile_is_shipped(const char *file)
{
        static const char embedded[] = "<embedded>/";
        if (!file)
                return false;
        if (strncmp(file, embedded, sizeof(embedded) - 1) == 0)
                return true;
        /* An installed copy: NAME.profile with the embedded NAME's text. */
        const char *name;
        size_t len = lp_profile_name(file, &name);
        if (strlen(name) != len + 8)
                return false; /* not NAME.profile */
        _cleanup_free_ char *text = NULL;
        for (const struct lp_embedded_profile *e = lp_embedded_profiles; e->name; e++)
                if (strlen(e->name) == len && strncmp(e->name, name, len) == 0)
                        return lp_read_text(file, &text) == 0 && strcmp(text, e->text) == 0;
        return false;
}

size_t lp_profile_name(const char *file, const char **ret_name)
{
        const char *base = strrchr(file, '/');
        base = base ? base + 1 : file;
        size_t len = strlen(base);
        if (len > 8 && strcmp(base + len - 8, ".profile") == 0)
                len -= 8;
        *ret_name = base;
        return len;
}
