/* Opens of hidden paths (InaccessiblePaths=), seen and refused as they
 * happen. As root, a fanotify permission mark (Linux 5.1: FAN_MARK_FILESYSTEM)
 * on the superblock of the inaccessible store (launch/fs.h): nothing else
 * lives there, so the mark costs nothing to any other open, and every
 * event is the sandbox reaching for a hidden file or directory. The
 * answer is a refusal (EPERM) and the event a filesystem finding. Without
 * root there is no fanotify permission mark: the store's inodes are then
 * mode 0000 and the kernel refuses alone (EACCES), without a finding. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct lp_findings;
struct lp_fs_rule;
struct lp_policy;
struct lp_hidden;

/* An inode of the store and the rule it stands for. */
struct lp_hidden_target {
        ino_t ino;
        const struct lp_fs_rule *rule;
};

/* A fanotify group, not yet marking anything: -errno where there is no
 * permission for one (not root, a container without CAP_SYS_ADMIN) or no
 * kernel support; the store is then made unreadable instead. */
int lp_hidden_new(struct lp_hidden **ret);

/* Marks the store (launch/fs.h) and learns its targets (copied; the
 * rules are borrowed). 0 or -errno. */
int lp_hidden_watch(struct lp_hidden *h, int store_fd, const struct lp_hidden_target *targets,
                    size_t n);

/* The fd to poll for events. */
int lp_hidden_fd(const struct lp_hidden *h);

/* Answers and records what is waiting: every open refused, each a
 * finding in `store` (borrowed). 0, or -errno of the fanotify fd. */
int lp_hidden_handle(struct lp_hidden *h, const struct lp_policy *p, struct lp_findings *store,
                     uint64_t start_ms);

/* Refuses whatever is still waiting, then closes the group. NULL: no-op. */
void lp_hidden_free(struct lp_hidden *h);
