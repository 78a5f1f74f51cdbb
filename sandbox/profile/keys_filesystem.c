/* [Filesystem]: ProtectSystem=, the three path lists, PrivateTmp=,
 * PrivateDevices=, ProtectKernelTunables=, ProtectControlGroups=. */
#include "profile/keys_filesystem.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "profile/builder.h"

/* In the order of enum lp_protect_system. */
static const char *const levels[] = {"no", "full", "strict", NULL};

const char *lp_protect_system_name(enum lp_protect_system level)
{
        return (unsigned)level < LP_ELEMENTSOF(levels) - 1 ? levels[level] : "?";
}

int lp_key_protect_system_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        for (int i = 0; levels[i]; i++) {
                if (strcmp(value, levels[i]) == 0) {
                        b->policy->protect_system = (enum lp_protect_system)i;
                        b->policy->protect_system_origin = o;
                        return 0;
                }
        }
        LP_BUILDER_ERROR(b, o, "ProtectSystem= must be strict, full or no, not '%s'", value);
        return 0;
}

/* "/abs", "~", "~/x" or a path relative to where `run` started; "~user"
 * is not known. Trailing slashes go. */
static bool valid_path(struct lp_builder *b, const char *path, struct lp_origin o)
{
        if (!*path) {
                LP_BUILDER_ERROR(b, o, "'-' must be followed by a path");
                return false;
        }
        if (path[0] == '~' && path[1] && path[1] != '/') {
                LP_BUILDER_ERROR(b, o,
                                 "'%s': only the caller's own home (~ or ~/...) is known, not "
                                 "another user's",
                                 path);
                return false;
        }
        return true;
}

static int add_path(struct lp_builder *b, struct lp_path **arr, size_t *n, size_t *cap,
                    const char *tok, struct lp_origin o)
{
        bool optional = tok[0] == '-';
        const char *path = tok + optional;
        if (!valid_path(b, path, o))
                return 0;
        char *copy = strdup(path);
        if (!copy || LP_GROW(*arr, *cap, *n) < 0) {
                free(copy);
                return -ENOMEM;
        }
        for (size_t len = strlen(copy); len > 1 && copy[len - 1] == '/'; len--)
                copy[len - 1] = '\0';
        (*arr)[(*n)++] = (struct lp_path){copy, optional, o};
        return 0;
}

static void reset_paths(struct lp_path *arr, size_t *n)
{
        for (size_t i = 0; i < *n; i++)
                free(arr[i].path);
        *n = 0;
}

static int rw_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        return add_path(b, &p->rw_paths, &p->n_rw_paths, &b->cap_rw_paths, tok, o);
}

static int ro_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        return add_path(b, &p->ro_paths, &p->n_ro_paths, &b->cap_ro_paths, tok, o);
}

static int hidden_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        return add_path(b, &p->hidden_paths, &p->n_hidden_paths, &b->cap_hidden_paths, tok, o);
}

int lp_key_rw_paths_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        if (!*value)
                reset_paths(b->policy->rw_paths, &b->policy->n_rw_paths);
        return lp_value_foreach_token(b, value, o, rw_token);
}

int lp_key_ro_paths_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        if (!*value)
                reset_paths(b->policy->ro_paths, &b->policy->n_ro_paths);
        return lp_value_foreach_token(b, value, o, ro_token);
}

int lp_key_hidden_paths_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        if (!*value)
                reset_paths(b->policy->hidden_paths, &b->policy->n_hidden_paths);
        return lp_value_foreach_token(b, value, o, hidden_token);
}

int lp_key_private_tmp_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return lp_value_flag_apply(b, &b->policy->private_tmp, "PrivateTmp", value, o);
}

int lp_key_private_devices_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return lp_value_flag_apply(b, &b->policy->private_devices, "PrivateDevices", value, o);
}

int lp_key_protect_tunables_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return lp_value_flag_apply(b, &b->policy->protect_tunables, "ProtectKernelTunables", value,
                                   o);
}

int lp_key_protect_cgroups_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return lp_value_flag_apply(b, &b->policy->protect_cgroups, "ProtectControlGroups", value,
                                   o);
}

/* ---- show ---- */

void lp_key_protect_system_show(const struct lp_policy *p, FILE *out)
{
        lp_value_print(out, "ProtectSystem", lp_protect_system_name(p->protect_system),
                       &p->protect_system_origin);
}

static void show_paths(FILE *out, const char *key, const struct lp_path *arr, size_t n)
{
        fprintf(out, "%s=\n", key);
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *text = NULL;
                if (asprintf(&text, "%s%s", arr[i].optional ? "-" : "", arr[i].path) < 0) {
                        text = NULL;
                        continue;
                }
                lp_value_print(out, key, text, &arr[i].origin);
        }
}

void lp_key_rw_paths_show(const struct lp_policy *p, FILE *out)
{
        show_paths(out, "ReadWritePaths", p->rw_paths, p->n_rw_paths);
}

void lp_key_ro_paths_show(const struct lp_policy *p, FILE *out)
{
        show_paths(out, "ReadOnlyPaths", p->ro_paths, p->n_ro_paths);
}

void lp_key_hidden_paths_show(const struct lp_policy *p, FILE *out)
{
        show_paths(out, "InaccessiblePaths", p->hidden_paths, p->n_hidden_paths);
}

void lp_key_private_tmp_show(const struct lp_policy *p, FILE *out)
{
        lp_value_flag_show(out, "PrivateTmp", &p->private_tmp);
}

void lp_key_private_devices_show(const struct lp_policy *p, FILE *out)
{
        lp_value_flag_show(out, "PrivateDevices", &p->private_devices);
}

void lp_key_protect_tunables_show(const struct lp_policy *p, FILE *out)
{
        lp_value_flag_show(out, "ProtectKernelTunables", &p->protect_tunables);
}

int lp_key_restrict_suid_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return lp_value_flag_apply(b, &b->policy->restrict_suid, "RestrictSUIDSGID", value, o);
}

void lp_key_restrict_suid_show(const struct lp_policy *p, FILE *out)
{
        lp_value_flag_show(out, "RestrictSUIDSGID", &p->restrict_suid);
}

void lp_key_protect_cgroups_show(const struct lp_policy *p, FILE *out)
{
        lp_value_flag_show(out, "ProtectControlGroups", &p->protect_cgroups);
}

/* ---- diff ---- */

int lp_key_protect_system_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                     struct lp_privilege_sink *sink)
{
        int r = 0;
        const struct lp_origin *o = &p->protect_system_origin;
        if (p->protect_system <= LP_PROTECT_SYSTEM_FULL)
                r = lp_value_grant(sink, o,
                                   "filesystem host writable outside /usr /boot /efi "
                                   "/etc (ProtectSystem=full)");
        if (r >= 0 && p->protect_system == LP_PROTECT_SYSTEM_NO)
                r = lp_value_grant(sink, o,
                                   "filesystem host writable everywhere (ProtectSystem=no)");
        return r;
}

int lp_key_rw_paths_privileges(const struct lp_policy *p, const struct lp_policy *other,
                               struct lp_privilege_sink *sink)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && i < p->n_rw_paths; i++)
                r = lp_value_grant(sink, &p->rw_paths[i].origin, "filesystem writable %s",
                                   p->rw_paths[i].path);
        return r;
}

/* Each of other's paths that p's list lacks, as "TEXT PATH". */
static int lifted_paths(const struct lp_path *mine, size_t n_mine, const struct lp_path *theirs,
                        size_t n_theirs, const char *text, struct lp_privilege_sink *sink)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && i < n_theirs; i++) {
                bool kept = false;
                for (size_t j = 0; j < n_mine && !kept; j++)
                        kept = strcmp(mine[j].path, theirs[i].path) == 0;
                if (!kept)
                        r = lp_value_grant(sink, &theirs[i].origin, "%s %s", text, theirs[i].path);
        }
        return r;
}

int lp_key_ro_paths_privileges(const struct lp_policy *p, const struct lp_policy *other,
                               struct lp_privilege_sink *sink)
{
        if (!other)
                return 0;
        return lifted_paths(p->ro_paths, p->n_ro_paths, other->ro_paths, other->n_ro_paths,
                            "filesystem no longer read-only", sink);
}

int lp_key_hidden_paths_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                   struct lp_privilege_sink *sink)
{
        if (!other)
                return 0;
        return lifted_paths(p->hidden_paths, p->n_hidden_paths, other->hidden_paths,
                            other->n_hidden_paths, "filesystem no longer hides", sink);
}

int lp_key_private_tmp_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                  struct lp_privilege_sink *sink)
{
        return lp_value_flag_privilege(
                &p->private_tmp, sink,
                "filesystem the host's /tmp, /var/tmp, /dev/shm (PrivateTmp=no)");
}

int lp_key_private_devices_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                      struct lp_privilege_sink *sink)
{
        return lp_value_flag_privilege(&p->private_devices, sink,
                                       "filesystem the host's /dev (PrivateDevices=no)");
}

int lp_key_protect_tunables_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                       struct lp_privilege_sink *sink)
{
        return lp_value_flag_privilege(
                &p->protect_tunables, sink,
                "filesystem kernel tunables writable (ProtectKernelTunables=no)");
}

int lp_key_protect_cgroups_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                      struct lp_privilege_sink *sink)
{
        return lp_value_flag_privilege(&p->protect_cgroups, sink,
                                       "filesystem cgroupfs writable (ProtectControlGroups=no)");
}

int lp_key_restrict_suid_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                    struct lp_privilege_sink *sink)
{
        return lp_value_flag_privilege(&p->restrict_suid, sink,
                                       "filesystem set-user-ID and set-group-ID files "
                                       "(RestrictSUIDSGID=no)");
}
