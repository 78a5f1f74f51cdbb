/* Idmapped clones of the writable paths (fs_idmap.h). */
#include "launch/fs_idmap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "rules/fs_plan.h"

/* The type of the filesystem `path` is on, from the mount table: the
 * mount whose id statx(2) gives. */
static void fs_type(const char *path, char *buf, size_t size)
{
        struct statx stx;
        char line[4096];
        snprintf(buf, size, "unknown");
        if (statx(AT_FDCWD, path, 0, STATX_MNT_ID, &stx) < 0 || !(stx.stx_mask & STATX_MNT_ID))
                return;
        FILE *f = fopen("/proc/self/mountinfo", "re");
        while (f && fgets(line, sizeof(line), f)) {
                char *sep = strstr(line, " - ");
                if (strtoull(line, NULL, 10) != stx.stx_mnt_id || !sep)
                        continue;
                sep += 3;
                snprintf(buf, size, "%.*s", (int)strcspn(sep, " \n"), sep);
                break;
        }
        if (f)
                fclose(f);
}

__attribute__((format(printf, 3, 4))) static int fail(char **ret_error, const struct lp_fs_rule *r,
                                                      const char *fmt, ...)
{
        va_list ap;
        _cleanup_free_ char *why = NULL;
        va_start(ap, fmt);
        int n = vasprintf(&why, fmt, ap);
        va_end(ap);
        if (n < 0 ||
            asprintf(ret_error,
                     "%s:%u: [Filesystem] ReadWritePaths=%s: %s ([Identity] DynamicUser=yes)",
                     r->origin.file ? r->origin.file : "built-in", r->origin.line,
                     r->written ? r->written : r->path, why) < 0)
                return -ENOMEM;
        return -EINVAL;
}

/* Whether the id may search directory `dir` (st) of the view. */
static bool searchable(const struct lp_fs_plan *plan, const char *dir, const struct stat *st,
                       uid_t caller)
{
        const struct lp_fs_rule *decides = lp_fs_plan_lookup(plan, dir);
        if (decides && decides->kind == LP_FS_PRIVATE_TMP)
                return true; /* a tmpfs of the run's own, 1777, mount points 0755 */
        if (decides && decides->kind == LP_FS_READ_WRITE_PATH && st->st_uid == caller)
                return st->st_mode & S_IXUSR; /* idmapped: the caller's is the id's */
        return st->st_mode & S_IXOTH;
}

/* Every directory above the rule's path, from the root down. */
static int check_reachable(const struct lp_fs_plan *plan, const struct lp_fs_rule *r, uid_t caller,
                           char **ret_error)
{
        size_t len = strlen(r->path);
        _cleanup_free_ char *dir = malloc(len + 1);
        if (!dir)
                return -ENOMEM;
        for (size_t end = 0; len > 1 && end < len; end++) {
                if (r->path[end] != '/')
                        continue;
                size_t n = end ? end : 1; /* "/" itself for the first */
                memcpy(dir, r->path, n);
                dir[n] = '\0';
                struct stat st;
                char mode[16];
                if (stat(dir, &st) < 0)
                        return fail(ret_error, r, "%s cannot be looked at (%s)", dir,
                                    strerror(errno));
                if (searchable(plan, dir, &st, caller))
                        continue;
                snprintf(mode, sizeof(mode), "%04o", (unsigned)(st.st_mode & 07777));
                return fail(ret_error, r,
                            "the run's user cannot reach it: %s is not searchable by others "
                            "(mode %s); allow it (chmod o+x), or keep the workspace elsewhere",
                            dir, mode);
        }
        return 0;
}

static int idmap_clone(const struct lp_fs_rule *r, int userns, int *ret, char **ret_error)
{
        int fd = open_tree(AT_FDCWD, r->path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
        if (fd < 0)
                return fail(ret_error, r, "it cannot be cloned (%s)", strerror(errno));
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
        if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0) {
                int error = errno;
                char type[64];
                close(fd);
                fs_type(r->path, type, sizeof(type));
                errno = error;
                return fail(ret_error, r,
                            "its filesystem (%s), or one mounted below it, cannot be idmapped "
                            "(%s), so it cannot stay writable for the run's user; keep the "
                            "workspace on ext4, xfs, btrfs or tmpfs",
                            type, strerror(error));
        }
        *ret = fd;
        return 0;
}

int lp_fs_idmap_clones(const struct lp_fs_plan *plan, int userns, uid_t caller, int **ret,
                       char **ret_error)
{
        int *clones = malloc((plan->n_rules ? plan->n_rules : 1) * sizeof(int));
        if (!clones)
                return -ENOMEM;
        int r = 0;
        for (size_t i = 0; i < plan->n_rules; i++)
                clones[i] = -1;
        for (size_t i = 0; r >= 0 && i < plan->n_rules; i++) {
                const struct lp_fs_rule *rule = &plan->rules[i];
                if (rule->kind != LP_FS_READ_WRITE_PATH || access(rule->path, F_OK) < 0)
                        continue;
                r = check_reachable(plan, rule, caller, ret_error);
                if (r >= 0)
                        r = idmap_clone(rule, userns, &clones[i], ret_error);
        }
        if (r < 0) {
                lp_fs_idmap_done(plan, clones);
                return r;
        }
        *ret = clones;
        return 0;
}

void lp_fs_idmap_done(const struct lp_fs_plan *plan, int *clones)
{
        for (size_t i = 0; clones && i < plan->n_rules; i++)
                if (clones[i] >= 0)
                        close(clones[i]);
        free(clones);
}
