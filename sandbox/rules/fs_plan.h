/* The filesystem plan: what a policy's [Filesystem] section comes to for
 * one run, once its paths are made absolute ("." against where `run`
 * started, "~" against the caller's home) and canonical (symlinks of the
 * host resolved). One rule per path; the deepest rule above a path
 * decides it. launch/fs.c builds the mounts from it, the decision
 * (checks.c) tells from it whether a write is refused and which line
 * refused it, learn/ which path to grant. Pure: the canonical form of a
 * path comes through a callback. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "profile/policy.h"

/* What a call does to the file system, for the filesystem check: refused
 * where the filesystem plan (fs_plan.h) makes its target read-only or
 * hidden. */
enum lp_fs_op {
        LP_FS_OP_NONE,
        LP_FS_OP_OPEN, /* open for writing: "write" an existing file, "create" a new one */
        LP_FS_OP_DELETE,
        LP_FS_OP_RENAME,
        LP_FS_OP_LINK,
        LP_FS_OP_SYMLINK,
        LP_FS_OP_MKDIR,
        LP_FS_OP_MKNOD,
        LP_FS_OP_CHMOD,
        LP_FS_OP_CHOWN,
        LP_FS_OP_TRUNCATE,
        LP_FS_OP_XATTR,
};

/* "write", "create", "delete", ...: how a finding names the operation. */
const char *lp_fs_op_name(enum lp_fs_op op, bool exists);

enum lp_fs_access {
        LP_FS_WRITABLE,  /* writes pass */
        LP_FS_READ_ONLY, /* writes are refused (EROFS) */
        LP_FS_HIDDEN,    /* covered by an empty inaccessible inode (EACCES) */
};

/* What made the rule: for the finding's rule text, its fix, and the mount
 * each rule needs. */
enum lp_fs_kind {
        LP_FS_PROTECT_SYSTEM,  /* ProtectSystem=strict or full */
        LP_FS_API,             /* /dev, /proc, /sys, which strict leaves as they are */
        LP_FS_PRIVATE_TMP,     /* PrivateTmp= */
        LP_FS_PRIVATE_DEVICES, /* PrivateDevices= */
        LP_FS_TUNABLES,        /* ProtectKernelTunables= */
        LP_FS_CGROUPS,         /* ProtectControlGroups= */
        LP_FS_READ_ONLY_PATH,  /* ReadOnlyPaths= */
        LP_FS_READ_WRITE_PATH, /* ReadWritePaths= */
        LP_FS_HIDDEN_PATH,     /* InaccessiblePaths= */
        /* Where `run` started, when a private /tmp would hide it: visible,
         * read-only, so that the command starts where it was started. */
        LP_FS_WORKDIR,
        /* The directory of the command's executable, likewise: a command
         * built under /tmp can still be run. */
        LP_FS_COMMAND_DIR,
};

struct lp_fs_rule {
        char *path; /* absolute, canonical, no trailing '/' ("/" for the root) */
        enum lp_fs_access access;
        enum lp_fs_kind kind;
        /* The line that made it; line 0 for built-in ones. Its file name is
         * the policy's: the policy outlives the plan. */
        struct lp_origin origin;
        char *written; /* the path as the profile wrote it; NULL for built-in ones */
};

struct lp_fs_plan {
        struct lp_fs_rule *rules; /* sorted by path: a parent before its children */
        size_t n_rules, cap_rules;
        bool landlock; /* ProtectSystem=strict: writes outside the writable rules refused twice */
};

struct lp_fs_env {
        const char *cwd;     /* where `run` started */
        const char *command; /* the executable, canonical; NULL: not known */
        const char *home;    /* the caller's home, or NULL */
        /* The canonical form of an absolute path (realpath(3)) into *ret
         * (freed by the caller): 0, or -errno (-ENOENT: it does not exist). */
        int (*canonical)(const void *ctx, const char *path, char **ret);
        const void *ctx;
};

/* Builds the plan of p's [Filesystem] section. A path that is missing and
 * not marked optional ('-'), a path that cannot be resolved, or a
 * ReadWritePaths=/ReadOnlyPaths= path inside a hidden one, is an error:
 * "FILE:LINE: message" in *ret_error (freed by the caller) and -EINVAL;
 * -ENOMEM otherwise. */
int lp_fs_plan_build(const struct lp_policy *p, const struct lp_fs_env *env, struct lp_fs_plan *ret,
                     char **ret_error);

void lp_fs_plan_done(struct lp_fs_plan *plan);

/* The rule that decides `path` (absolute, canonical): the deepest rule at
 * or above it; NULL when none does (everything is writable there). */
const struct lp_fs_rule *lp_fs_plan_lookup(const struct lp_fs_plan *plan, const char *path);

/* Whether the plan refuses some write (the supervisor then watches the
 * calls that write, create, delete or change a path). */
bool lp_fs_plan_restricts(const struct lp_fs_plan *plan);

/* Whether some rule of the plan is of `kind`. */
bool lp_fs_plan_has(const struct lp_fs_plan *plan, enum lp_fs_kind kind);

/* Whether `path` is `dir` or lies below it (component-wise: /tmpx is not
 * below /tmp). */
bool lp_fs_path_below(const char *path, const char *dir);

/* "[Filesystem] ProtectSystem=strict" and the like: the profile line the
 * rule stands for, without its origin. */
void lp_fs_rule_text(const struct lp_fs_rule *rule, char *buf, size_t size);
