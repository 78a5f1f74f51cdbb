#include "rules/fs_plan.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* What each protection covers, after systemd's ProtectSystem=,
 * ProtectKernelTunables= and ProtectControlGroups= (systemd.exec(5)). */
static const char *const full_system[] = {"/usr", "/boot", "/efi", "/etc", NULL};
static const char *const api_dirs[] = {"/dev", "/proc", "/sys", NULL};
static const char *const private_tmp[] = {"/tmp", "/var/tmp", "/dev/shm", NULL};
static const char *const tunables[] = {
        "/proc/sys", "/proc/sysrq-trigger", "/proc/latency_stats", "/proc/acpi", "/proc/timer_list",
        "/proc/fs",  "/proc/irq",           "/proc/bus",           "/sys",       NULL};

bool lp_fs_path_below(const char *path, const char *dir)
{
        size_t n = strlen(dir);
        if (strcmp(dir, "/") == 0)
                return path[0] == '/';
        return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* At the same path a path list's rule wins over a built-in protection
 * (ReadWritePaths=/etc makes /etc writable under ProtectSystem=full, as in
 * systemd); among rules of the same origin the stricter wins: hidden, then
 * read-only, then writable. */
static int strictness(enum lp_fs_access a)
{
        return a == LP_FS_HIDDEN ? 2 : a == LP_FS_READ_ONLY ? 1 : 0;
}

static bool from_path_list(enum lp_fs_kind kind)
{
        return kind == LP_FS_READ_WRITE_PATH || kind == LP_FS_READ_ONLY_PATH ||
               kind == LP_FS_HIDDEN_PATH;
}

static bool replaces(const struct lp_fs_rule *old, enum lp_fs_access access, enum lp_fs_kind kind)
{
        if (from_path_list(kind) != from_path_list(old->kind))
                return from_path_list(kind);
        return strictness(access) >= strictness(old->access);
}

static int add_rule(struct lp_fs_plan *plan, const char *path, enum lp_fs_access access,
                    enum lp_fs_kind kind, const struct lp_origin *origin, const char *written)
{
        for (size_t i = 0; i < plan->n_rules; i++) {
                struct lp_fs_rule *r = &plan->rules[i];
                if (strcmp(r->path, path) != 0)
                        continue;
                /* Of two equal rules the later is the one a reader of
                 * the profile expects to see cited ("later lines win"). */
                if (!replaces(r, access, kind))
                        return 0;
                char *text = written ? strdup(written) : NULL;
                if (written && !text)
                        return -ENOMEM;
                free(r->written);
                *r = (struct lp_fs_rule){r->path, access, kind,
                                         origin ? *origin : (struct lp_origin){0}, text};
                return 0;
        }
        char *copy = strdup(path), *text = written ? strdup(written) : NULL;
        if (!copy || (written && !text) ||
            LP_GROW(plan->rules, plan->cap_rules, plan->n_rules) < 0) {
                free(copy);
                free(text);
                return -ENOMEM;
        }
        plan->rules[plan->n_rules++] = (struct lp_fs_rule){
                copy, access, kind, origin ? *origin : (struct lp_origin){0}, text};
        return 0;
}

static int add_list(struct lp_fs_plan *plan, const char *const *paths, enum lp_fs_access access,
                    enum lp_fs_kind kind, const struct lp_origin *origin)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && paths[i]; i++)
                r = add_rule(plan, paths[i], access, kind, origin, NULL);
        return r;
}

static int add_protections(const struct lp_policy *p, struct lp_fs_plan *plan)
{
        int r = 0;
        const struct lp_origin *ps = &p->protect_system_origin;
        if (p->protect_system == LP_PROTECT_SYSTEM_STRICT) {
                r = add_rule(plan, "/", LP_FS_READ_ONLY, LP_FS_PROTECT_SYSTEM, ps, NULL);
                if (r >= 0)
                        r = add_list(plan, api_dirs, LP_FS_WRITABLE, LP_FS_API, ps);
        } else if (p->protect_system == LP_PROTECT_SYSTEM_FULL) {
                r = add_list(plan, full_system, LP_FS_READ_ONLY, LP_FS_PROTECT_SYSTEM, ps);
        }
        if (r >= 0 && p->private_devices.value)
                r = add_rule(plan, "/dev", LP_FS_WRITABLE, LP_FS_PRIVATE_DEVICES,
                             &p->private_devices.origin, NULL);
        if (r >= 0 && p->private_tmp.value)
                r = add_list(plan, private_tmp, LP_FS_WRITABLE, LP_FS_PRIVATE_TMP,
                             &p->private_tmp.origin);
        if (r >= 0 && p->protect_tunables.value)
                r = add_list(plan, tunables, LP_FS_READ_ONLY, LP_FS_TUNABLES,
                             &p->protect_tunables.origin);
        if (r >= 0 && p->protect_cgroups.value)
                r = add_rule(plan, "/sys/fs/cgroup", LP_FS_READ_ONLY, LP_FS_CGROUPS,
                             &p->protect_cgroups.origin, NULL);
        return r;
}

/* "FILE:LINE: message" of the line that named the path, into *ret_error. */
static int fail(char **ret_error, const struct lp_origin *origin, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail(char **ret_error, const struct lp_origin *origin, const char *fmt, ...)
{
        char where[512], *text = NULL;
        va_list ap;
        va_start(ap, fmt);
        int n = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        free(*ret_error);
        n = asprintf(ret_error, "%s: %s", lp_origin_format(origin, where, sizeof(where)), text);
        free(text);
        if (n < 0) {
                *ret_error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

/* "." and "rel" against cwd, "~" and "~/x" against home. */
static int absolute(const struct lp_path *path, const struct lp_fs_env *env, char **ret,
                    char **ret_error)
{
        const char *p = path->path;
        int n;
        if (p[0] == '/')
                n = asprintf(ret, "%s", p);
        else if (p[0] == '~' && !env->home)
                return fail(ret_error, &path->origin,
                            "%s: the caller has no home directory (HOME is unset and no "
                            "passwd entry has one)",
                            p);
        else if (p[0] == '~')
                n = asprintf(ret, "%s%s", env->home, p + 1);
        else if (strcmp(p, ".") == 0)
                n = asprintf(ret, "%s", env->cwd);
        else
                n = asprintf(ret, "%s/%s", env->cwd, p + (strncmp(p, "./", 2) == 0 ? 2 : 0));
        return n < 0 ? -ENOMEM : 0;
}

/* The canonical path of a profile path into *ret, NULL when it is
 * optional and missing. */
static int resolve(const struct lp_path *path, const struct lp_fs_env *env, char **ret,
                   char **ret_error)
{
        _cleanup_free_ char *abs = NULL;
        *ret = NULL;
        int r = absolute(path, env, &abs, ret_error);
        if (r < 0)
                return r;
        r = env->canonical(env->ctx, abs, ret);
        /* Optional and out of the caller's reach: out of the command's
         * reach as well (it runs as the caller or less). */
        if ((r == -ENOENT || r == -EACCES || r == -ENOTDIR) && path->optional)
                return 0;
        if (r == -ENOENT)
                return fail(ret_error, &path->origin,
                            "%s (%s) does not exist; write -%s to skip a path that may be missing",
                            path->path, abs, path->path);
        if (r < 0)
                return fail(ret_error, &path->origin, "%s (%s) cannot be resolved: %s", path->path,
                            abs, strerror(-r));
        return 0;
}

static int add_paths(const struct lp_path *paths, size_t n, enum lp_fs_access access,
                     enum lp_fs_kind kind, const struct lp_fs_env *env, struct lp_fs_plan *plan,
                     char **ret_error)
{
        for (size_t i = 0; i < n; i++) {
                char *canonical = NULL;
                int r = resolve(&paths[i], env, &canonical, ret_error);
                if (r >= 0 && canonical)
                        r = add_rule(plan, canonical, access, kind, &paths[i].origin,
                                     paths[i].path);
                free(canonical);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A path made visible inside a hidden one would need a mount point in the
 * empty inode that hides it. */
static int check_not_inside_hidden(const struct lp_fs_plan *plan, char **ret_error)
{
        for (size_t i = 0; i < plan->n_rules; i++) {
                const struct lp_fs_rule *inner = &plan->rules[i];
                if (inner->kind != LP_FS_READ_WRITE_PATH && inner->kind != LP_FS_READ_ONLY_PATH)
                        continue;
                for (size_t j = 0; j < plan->n_rules; j++) {
                        const struct lp_fs_rule *h = &plan->rules[j];
                        if (h->access != LP_FS_HIDDEN || i == j ||
                            !lp_fs_path_below(inner->path, h->path))
                                continue;
                        return fail(ret_error, &inner->origin,
                                    "%s lies inside %s, which InaccessiblePaths= hides",
                                    inner->written, h->path);
                }
        }
        return 0;
}

static int compare_rules(const void *a, const void *b)
{
        return strcmp(((const struct lp_fs_rule *)a)->path, ((const struct lp_fs_rule *)b)->path);
}

/* Adds a read-only rule of `kind` at `path` where a private /tmp would
 * cover it. */
static int keep_in_view(struct lp_fs_plan *plan, const char *path, enum lp_fs_kind kind,
                        const char *written)
{
        const struct lp_fs_rule *r = lp_fs_plan_lookup(plan, path);
        if (!r || r->kind != LP_FS_PRIVATE_TMP)
                return 0;
        int q = add_rule(plan, path, LP_FS_READ_ONLY, kind, NULL, written);
        if (q >= 0)
                qsort(plan->rules, plan->n_rules, sizeof(plan->rules[0]), compare_rules);
        return q;
}

/* The command's directory stays in view, read-only, where a private /tmp
 * would hide it (a test binary built under a `mktemp -d` checkout). */
static int keep_command_visible(struct lp_fs_plan *plan, const struct lp_fs_env *env)
{
        if (!env->command || env->command[0] != '/')
                return 0;
        _cleanup_free_ char *dir = strdup(env->command);
        if (!dir)
                return -ENOMEM;
        char *slash = strrchr(dir, '/');
        slash[slash == dir] = '\0';
        return keep_in_view(plan, dir, LP_FS_COMMAND_DIR, dir);
}

/* The working directory stays in view: inside a private /tmp it is bound
 * in read-only (ReadWritePaths=. makes it writable instead); inside a
 * hidden path the run cannot start. */
static int keep_workdir_visible(struct lp_fs_plan *plan, const struct lp_fs_env *env,
                                char **ret_error)
{
        const struct lp_fs_rule *r = lp_fs_plan_lookup(plan, env->cwd);
        if (r && r->access == LP_FS_HIDDEN)
                return fail(ret_error, &r->origin,
                            "the working directory %s lies inside %s, which InaccessiblePaths= "
                            "hides; run from elsewhere",
                            env->cwd, r->path);
        return keep_in_view(plan, env->cwd, LP_FS_WORKDIR, ".");
}

int lp_fs_plan_build(const struct lp_policy *p, const struct lp_fs_env *env, struct lp_fs_plan *ret,
                     char **ret_error)
{
        struct lp_fs_plan plan = {.landlock = p->protect_system == LP_PROTECT_SYSTEM_STRICT};
        *ret_error = NULL;
        int r = add_protections(p, &plan);
        if (r >= 0)
                r = add_paths(p->ro_paths, p->n_ro_paths, LP_FS_READ_ONLY, LP_FS_READ_ONLY_PATH,
                              env, &plan, ret_error);
        if (r >= 0)
                r = add_paths(p->rw_paths, p->n_rw_paths, LP_FS_WRITABLE, LP_FS_READ_WRITE_PATH,
                              env, &plan, ret_error);
        if (r >= 0)
                r = add_paths(p->hidden_paths, p->n_hidden_paths, LP_FS_HIDDEN, LP_FS_HIDDEN_PATH,
                              env, &plan, ret_error);
        if (r >= 0 && plan.n_rules > 0)
                qsort(plan.rules, plan.n_rules, sizeof(plan.rules[0]), compare_rules);
        if (r >= 0)
                r = check_not_inside_hidden(&plan, ret_error);
        if (r >= 0)
                r = keep_workdir_visible(&plan, env, ret_error);
        if (r >= 0)
                r = keep_command_visible(&plan, env);
        if (r < 0) {
                lp_fs_plan_done(&plan);
                return r;
        }
        *ret = plan;
        return 0;
}

void lp_fs_plan_done(struct lp_fs_plan *plan)
{
        for (size_t i = 0; i < plan->n_rules; i++) {
                free(plan->rules[i].path);
                free(plan->rules[i].written);
        }
        free(plan->rules);
        *plan = (struct lp_fs_plan){0};
}

const struct lp_fs_rule *lp_fs_plan_lookup(const struct lp_fs_plan *plan, const char *path)
{
        const struct lp_fs_rule *best = NULL;
        for (size_t i = 0; i < plan->n_rules; i++) {
                const struct lp_fs_rule *r = &plan->rules[i];
                if (lp_fs_path_below(path, r->path) &&
                    (!best || strlen(r->path) > strlen(best->path)))
                        best = r;
        }
        return best;
}

bool lp_fs_plan_has(const struct lp_fs_plan *plan, enum lp_fs_kind kind)
{
        for (size_t i = 0; i < plan->n_rules; i++)
                if (plan->rules[i].kind == kind)
                        return true;
        return false;
}

bool lp_fs_plan_restricts(const struct lp_fs_plan *plan)
{
        for (size_t i = 0; i < plan->n_rules; i++)
                if (plan->rules[i].access != LP_FS_WRITABLE)
                        return true;
        return false;
}

void lp_fs_rule_text(const struct lp_fs_rule *rule, char *buf, size_t size)
{
        switch (rule->kind) {
        case LP_FS_PROTECT_SYSTEM:
                snprintf(buf, size, "[Filesystem] ProtectSystem=%s",
                         strcmp(rule->path, "/") == 0 ? "strict" : "full");
                return;
        case LP_FS_API:
                snprintf(buf, size, "[Filesystem] ProtectSystem=strict (API file systems)");
                return;
        case LP_FS_PRIVATE_TMP:
                snprintf(buf, size, "[Filesystem] PrivateTmp=yes");
                return;
        case LP_FS_PRIVATE_DEVICES:
                snprintf(buf, size, "[Filesystem] PrivateDevices=yes");
                return;
        case LP_FS_TUNABLES:
                snprintf(buf, size, "[Filesystem] ProtectKernelTunables=yes");
                return;
        case LP_FS_CGROUPS:
                snprintf(buf, size, "[Filesystem] ProtectControlGroups=yes");
                return;
        case LP_FS_READ_ONLY_PATH:
                snprintf(buf, size, "[Filesystem] ReadOnlyPaths=%s", rule->written);
                return;
        case LP_FS_READ_WRITE_PATH:
                snprintf(buf, size, "[Filesystem] ReadWritePaths=%s", rule->written);
                return;
        case LP_FS_HIDDEN_PATH:
                snprintf(buf, size, "[Filesystem] InaccessiblePaths=%s", rule->written);
                return;
        case LP_FS_WORKDIR:
                snprintf(buf, size,
                         "[Filesystem] PrivateTmp=yes (the working directory, "
                         "read-only)");
                return;
        case LP_FS_COMMAND_DIR:
                snprintf(buf, size,
                         "[Filesystem] PrivateTmp=yes (the command's directory, "
                         "read-only)");
                return;
        }
        snprintf(buf, size, "[Filesystem]");
}

const char *lp_fs_op_name(enum lp_fs_op op, bool exists)
{
        static const char *const names[] = {
                [LP_FS_OP_NONE] = "?",
                [LP_FS_OP_OPEN] = "write",
                [LP_FS_OP_DELETE] = "delete",
                [LP_FS_OP_RENAME] = "rename",
                [LP_FS_OP_LINK] = "link",
                [LP_FS_OP_SYMLINK] = "symlink",
                [LP_FS_OP_MKDIR] = "mkdir",
                [LP_FS_OP_MKNOD] = "mknod",
                [LP_FS_OP_CHMOD] = "chmod",
                [LP_FS_OP_CHOWN] = "chown",
                [LP_FS_OP_TRUNCATE] = "truncate",
                [LP_FS_OP_XATTR] = "xattr",
        };
        if (op == LP_FS_OP_OPEN && !exists)
                return "create";
        return (unsigned)op < LP_ELEMENTSOF(names) ? names[op] : "?";
}
