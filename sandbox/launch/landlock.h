/* Landlock (Linux 5.13) as the second layer of ProtectSystem=strict: the
 * command may write, create, remove or rename only beneath the plan's
 * writable paths (rules/fs_plan.h), whatever the mounts say. Reads are not
 * Landlock's concern here. */
#pragma once

struct lp_fs_plan;

/* In the command's process, after no_new_privs. 1 when the restriction
 * is in place, 0 when the kernel has no Landlock (the mounts alone hold),
 * -errno when it could not be put in place. */
int lp_landlock_apply(const struct lp_fs_plan *plan);
