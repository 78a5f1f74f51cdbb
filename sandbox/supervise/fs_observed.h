/* What the filesystem observer (supervise/fs_observer.h) counted, turned
 * into findings. A key's first sighting is announced in a ring buffer
 * while the command runs: its relative paths are made absolute from the
 * process's cwd or directory fd, and its executable read, while the
 * process still exists. After the run, each key is checked against the
 * filesystem plan in the command's mount namespace (kept for this), as
 * a notified call would have been (rules/checks.h, lp_check_paths), and
 * becomes a finding with its exact count. */
#pragma once
#include <stdint.h>

struct lp_findings;
struct lp_fs_observer;
struct lp_fs_observed;
struct lp_fs_plan;
struct lp_policy;

/* NULL (and 0) when the observer is not attached. `command`: a process
 * of the command's mount namespace that outlives it where there is one
 * (its PID namespace's init), whose namespace and root are kept from
 * here until lp_fs_observed_free; `cwd`: the command's first working directory
 * (for a relative path of a process gone before it was read). -ENOMEM. */
int lp_fs_observed_new(const struct lp_fs_observer *o, const struct lp_policy *p,
                       const struct lp_fs_plan *plan, int command, const char *cwd,
                       struct lp_fs_observed **ret);
void lp_fs_observed_free(struct lp_fs_observed *w);

/* The fd to poll for announcements; -1 for NULL. */
int lp_fs_observed_fd(const struct lp_fs_observed *w);

/* Reads the announcements waiting. */
void lp_fs_observed_drain(struct lp_fs_observed *w);

/* After the command's tree is gone: every counted refusal into `store`.
 * 0 or -errno. */
int lp_fs_observed_collect(struct lp_fs_observed *w, struct lp_findings *store, uint64_t start_ms);
