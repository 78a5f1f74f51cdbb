/* The workspace of a dynamic user ([Identity] DynamicUser=yes): each
 * ReadWritePaths= path of the plan becomes an idmapped clone of the host's
 * tree there, made in the parent (so that a filesystem that cannot be
 * idmapped is named in a clear error before anything starts) and attached
 * by launch/fs.c in the command's view. Through it the caller's files are
 * the dynamic user's, and what the dynamic user creates is the caller's
 * on disk: the CI job's later steps and `git clean` see ordinary files. */
#pragma once
#include <sys/types.h>

struct lp_fs_plan;

/* Per plan rule, the idmapped clone of a ReadWritePaths= path (-1 for the
 * other rules), in *ret (n_rules entries, freed with lp_fs_idmap_done).
 * `userns` holds the mapping (launch/dynamic_user.h). Also checks that
 * the id can reach each path: every directory above it must be
 * searchable by others (the id is nobody's owner or group there). A path
 * it cannot idmap or reach: "message" in *ret_error and -EINVAL. */
int lp_fs_idmap_clones(const struct lp_fs_plan *plan, int userns, uid_t caller, int **ret,
                       char **ret_error);

void lp_fs_idmap_done(const struct lp_fs_plan *plan, int *clones);
