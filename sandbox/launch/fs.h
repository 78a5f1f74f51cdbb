/* The filesystem plan (rules/fs_plan.h) as mounts in the command's mount
 * namespace: the host read-only, the writable and read-only paths bound
 * in, private /tmp, /var/tmp, /dev/shm and /dev, the kernel's tunables
 * read-only, hidden paths covered by an empty inaccessible inode. Built
 * with the new mount API (open_tree, move_mount, mount_setattr, fsopen,
 * fsmount; Linux 5.12), in the child, after the namespaces exist. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "launch/steps.h"

struct lp_fs_plan;

/* The inodes that cover hidden paths: an empty file or directory per
 * InaccessiblePaths= rule of the plan (named by the rule's index), on a
 * tmpfs of their own that is never attached anywhere. Made by the parent
 * when it watches opens of them (supervise/hidden.h), else by the child. */
struct lp_fs_store {
        int fd;      /* the tmpfs, detached; -1: none */
        ino_t *inos; /* per plan rule: its inode, 0 for rules that hide nothing */
        size_t n;
};

/* Makes the store for plan's hidden rules (`st` the host's view of each
 * path, to make a file or a directory). `readable`: mode 0444/0555, so
 * that an open gets as far as a fanotify permission check (whose answer
 * refuses it); else 0000, refused by the kernel's permission check alone.
 * 0 or -errno. */
int lp_fs_store_create(const struct lp_fs_plan *plan, bool readable, struct lp_fs_store *ret);
void lp_fs_store_done(struct lp_fs_store *store);

/* A new tmpfs, detached, with MOUNT_ATTR_* `attrs`: 0 or -errno, the
 * mount in *ret. */
int lp_fs_new_tmpfs(const char *mode, uint64_t size, uint64_t attrs, int *ret);

struct lp_fs_options {
        const char *cwd;   /* where `run` started: entered again in the new view */
        uint64_t tmp_size; /* bytes of each private tmpfs; 0: unbounded */
        /* The parent's store (borrowed); NULL: the child makes its own. */
        const struct lp_fs_store *store;
        /* Per plan rule, a clone made by the parent to attach instead of
         * one of the host's tree (launch/fs_idmap.h), or -1; NULL: none. */
        const int *premade;
        /* A tmpfs holding "passwd" and "group", bound over /etc/passwd
         * and /etc/group (launch/dynamic_user.h); -1: none. */
        int identity_files;
        /* Where each step's time is added (`run -v`); NULL: not timed. */
        struct lp_step_times *times;
};

/* In the child, in its own mount namespace: 0, or -errno with *ret_step
 * naming the step that failed. Nothing of the host changes: the mount
 * namespace is made a slave of the host's first. */
int lp_fs_apply(const struct lp_fs_plan *plan, const struct lp_fs_options *o,
                enum lp_step *ret_step);
