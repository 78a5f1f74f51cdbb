/* Learning mode: the findings of a run that blocked nothing -> the model
 * (learned.h) -> merged with OUT (merge.h) -> text (render.h) -> checked
 * (verify.h) -> written atomically, under a directory lock when merging. */
#include "learn/learn.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/file_lock.h"
#include "base/log.h"
#include "base/util.h"
#include "findings/findings.h"
#include "learn/floor.h"
#include "learn/learned.h"
#include "learn/paths.h"
#include "learn/merge.h"
#include "learn/render.h"
#include "learn/verify.h"
#include "profile/keys.h"
#include "profile/names.h"
#include "profile/syscall_sets.h"

/* ---- findings -> the model ---- */

struct from_findings {
        struct lp_learned *l;
        const char *cwd;
        /* This leastpriv: the command's first execve is made by its child. */
        char self[PATH_MAX];
};

/* Say "leastpriv" rather than print the path of this build, which
 * differs per machine. */
static const char *evidence_exe(const struct from_findings *c, const struct lp_finding *f)
{
        if (!f->exe)
                return "";
        return c->self[0] && strcmp(f->exe, c->self) == 0 ? "leastpriv" : f->exe;
}

static int grant(struct from_findings *c, const struct lp_finding *f, const char *section,
                 const char *key, const char *value, bool by_name)
{
        struct lp_learned_item it = {.kind = LP_LEARNED_GRANT,
                                     .key = lp_key_find(section, key),
                                     .value = (char *)value,
                                     .count = f->count,
                                     .exe = (char *)evidence_exe(c, f),
                                     .by_name = by_name};
        return lp_learned_add(c->l, &it, false);
}

static int note(struct from_findings *c, const struct lp_finding *f, enum lp_learned_kind kind,
                const char *value)
{
        struct lp_learned_item it = {
                .kind = kind,
                .value = (char *)value,
                .count = kind == LP_LEARNED_WITHHELD ? 0 : f->count,
                .exe = (char *)(kind == LP_LEARNED_WITHHELD ? "" : evidence_exe(c, f))};
        return lp_learned_add(c->l, &it, false);
}

/* A path as ReadWritePaths= resolves it at the next run: "." for the
 * working directory, relative below it, absolute elsewhere. */
static char *relative_to(const char *path, const char *cwd)
{
        size_t n = cwd ? strlen(cwd) : 0;
        if (n && strcmp(path, cwd) == 0)
                return strdup(".");
        if (n && strncmp(path, cwd, n) == 0 && path[n] == '/' && strcmp(cwd, "/") != 0)
                return strdup(path + n + 1);
        return strdup(path);
}

/* A filesystem finding: the path its fix names becomes a ReadWritePaths=
 * grant (a directory where the command created or deleted, a file where it
 * wrote one; a rotating temporary or log directory as its parent,
 * paths.h); what only a hidden path or a kernel tunable refused is noted,
 * not granted: un-hiding credentials is a reviewer's decision. */
static int learned_path(struct from_findings *c, const struct lp_finding *f)
{
        static const char key[] = "[Filesystem] ReadWritePaths=";
        if (f->fix && strncmp(f->fix, key, sizeof(key) - 1) == 0) {
                _cleanup_free_ char *written = strdup(f->fix + sizeof(key) - 1);
                if (!written)
                        return -ENOMEM;
                lp_learn_generalise_path(written);
                _cleanup_free_ char *path = relative_to(written, c->cwd);
                if (!path)
                        return -ENOMEM;
                return grant(c, f, "Filesystem", "ReadWritePaths", path, false);
        }
        _cleanup_free_ char *text = NULL;
        if (asprintf(&text, "%s %s (%s)", f->operation, f->target ? f->target : "",
                     f->fix ? f->fix : "") < 0)
                return -ENOMEM;
        return note(c, f, LP_LEARNED_FS_NOTE, text);
}

static int learned_from(struct from_findings *c, const struct lp_finding *f)
{
        switch (f->kind) {
        case LP_FINDING_SYSCALL:
                if (lp_syscall_nr(f->operation) < 0) {
                        lp_error("learn: %s has no name on this architecture and cannot be "
                                 "granted; left out",
                                 f->operation);
                        return 0;
                }
                /* fork and vfork come with clone (floor.h): one grant. */
                return grant(c, f, "Syscalls", "Allow",
                             lp_learn_creates(f->operation) ? lp_learn_creation[0] : f->operation,
                             f->hardening);
        case LP_FINDING_CAPABILITY:
                return grant(c, f, "Capabilities", "Keep", f->operation, false);
        case LP_FINDING_NETWORK: {
                int family, protocol;
                if (strcmp(f->operation, "socket") != 0) {
                        _cleanup_free_ char *stable = lp_learn_stable_destination(f->target);
                        return stable ? note(c, f, LP_LEARNED_DESTINATION, stable) : -ENOMEM;
                }
                if (lp_family_token_parse(f->target, &family, &protocol) < 0)
                        return 0;
                return grant(c, f, "Network", "AddressFamilies", f->target, false);
        }
        case LP_FINDING_ENVIRONMENT:
                return note(c, f, LP_LEARNED_WITHHELD, f->operation);
        case LP_FINDING_FILESYSTEM:
                return learned_path(c, f);
        case LP_FINDING_IDENTITY: /* under --audit there is no dynamic user */
        case LP_FINDING_RESOURCE: /* limits are the profile's to set, not learned */
        case LP_FINDING_KIND_COUNT:
                break;
        }
        return 0;
}

static int learned_from_findings(struct lp_learned *l, const struct lp_findings *store,
                                 const char *cwd)
{
        if (lp_findings_folded(store) > 0) {
                lp_error("learn: %llu occurrences did not fit in memory; the profile would "
                         "be incomplete",
                         (unsigned long long)lp_findings_folded(store));
                return -E2BIG;
        }
        struct from_findings c = {.l = l, .cwd = cwd};
        if (readlink("/proc/self/exe", c.self, sizeof(c.self) - 1) < 0)
                c.self[0] = '\0';
        for (size_t i = 0; i < lp_findings_size(store); i++) {
                int r = learned_from(&c, lp_findings_at(store, i));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- writing ---- */

/* Include= as the learned file must say it: a name stays a name; a path is
 * made relative to OUT's directory when it lies below it (includes are
 * relative to the including file), else absolute. */
static char *include_for(const char *base, const char *output)
{
        if (!strchr(base, '/') && !strstr(base, ".profile"))
                return strdup(base);
        char abs_base[PATH_MAX], out_dir[PATH_MAX];
        _cleanup_free_ char *copy = strdup(output);
        if (!copy || !realpath(base, abs_base))
                return strdup(base);
        if (!realpath(dirname(copy), out_dir))
                return strdup(abs_base);
        size_t n = strlen(out_dir);
        if (strncmp(abs_base, out_dir, n) == 0 && abs_base[n] == '/')
                return strdup(abs_base + n + 1);
        return strdup(abs_base);
}

/* A written path below another written path is granted with it: the
 * fewest lines (a test that writes 500 files under /var/cache/x learns
 * /var/cache/x once). */
static void collapse_paths(struct lp_learned *l, const char *cwd)
{
        const struct lp_key *key = lp_key_find("Filesystem", "ReadWritePaths");
        for (size_t i = 0; i < l->n_items; i++) {
                struct lp_learned_item *it = &l->items[i];
                if (it->kind != LP_LEARNED_GRANT || it->key != key)
                        continue;
                for (size_t j = 0; j < l->n_items; j++) {
                        struct lp_learned_item *up = &l->items[j];
                        if (j == i || up->kind != LP_LEARNED_GRANT || up->key != key ||
                            !lp_learned_path_below(it->value, up->value, cwd))
                                continue;
                        up->count += it->count;
                        free(it->value);
                        free(it->exe);
                        l->items[i--] = l->items[--l->n_items];
                        break;
                }
        }
}

static int render_checked(const struct lp_policy *base, struct lp_learned *l, const char *include,
                          const char *output, const char *cwd, char **ret_text)
{
        collapse_paths(l, cwd);
        lp_learned_sort(l);
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        if (!mem)
                return -ENOMEM;
        lp_learn_render(mem, base, l, include);
        if (fclose(mem) != 0) {
                free(text);
                return -ENOMEM;
        }
        int r = lp_learn_verify(text, output, base, l);
        if (r < 0) {
                free(text);
                return r;
        }
        *ret_text = text;
        return 0;
}

static int merge_and_write(const struct lp_policy *base, struct lp_learned *l,
                           const struct lp_learn_request *o)
{
        _cleanup_free_ char *include = include_for(o->base, o->output);
        if (!include)
                return -ENOMEM;
        if (o->merge && access(o->output, F_OK) == 0) {
                int r = lp_learned_read(l, o->output, include);
                if (r < 0)
                        return r == -EINVAL
                                       ? r
                                       : lp_log_errno(r, "learn: cannot read %s: %m", o->output);
        }
        _cleanup_free_ char *text = NULL;
        int r = render_checked(base, l, include, o->output, o->cwd, &text);
        if (r < 0)
                return r;
        r = lp_write_atomic_text(o->output, text);
        return r < 0 ? lp_log_errno(r, "learn: cannot write %s: %m", o->output) : 0;
}

int lp_learn_write(const struct lp_policy *base, const struct lp_findings *store,
                   const struct lp_learn_request *o)
{
        struct lp_learned l = {.floor = !o->exhaustive};
        int r = learned_from_findings(&l, store, o->cwd);
        int lock = -1;
        /* Many learns into one file (ctest -j): the directory is locked
         * while the file is read, merged and replaced, so no run's grants
         * are lost. */
        if (r >= 0 && o->merge && (lock = lp_lock_directory_of(o->output)) < 0)
                r = lp_log_errno(lock, "learn: cannot lock the directory of %s: %m", o->output);
        if (r >= 0)
                r = merge_and_write(base, &l, o);
        if (lock >= 0)
                close(lock);
        if (r >= 0)
                lp_info("learned %zu grants into %s", l.n_items, o->output);
        lp_learned_done(&l);
        return r;
}
