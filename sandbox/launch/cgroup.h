/* The run's cgroups (docs/architecture.md, "Resources"): an rlimit on
 * processes does not bind uid 0 and no rlimit bounds a tree's memory, so
 * [Limits] Processes= and Memory= are also a cgroup's pids.max and memory
 * limit. Made in the parent before the fork; the child is born in the v2
 * one and joins the v1 ones as its first step, so every process of the
 * run is born inside; after the
 * run what is left inside is killed, the limits' events become findings,
 * and the cgroups are removed. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct lp_policy;
struct lp_findings;

enum lp_cgroup_controller {
        LP_CGROUP_PIDS = 1 << 0,
        LP_CGROUP_MEMORY = 1 << 1,
};

/* One hierarchy's cgroup of the run: the unified one (cgroup v2: the
 * tree's membership, cgroup.kill, and the controllers it has) and the v1
 * pids and memory ones on hybrid hosts. */
struct lp_cgroup_dir {
        char *path;           /* "/sys/fs/cgroup/pids/leastpriv-4242" */
        int dir;              /* v2: the directory, for clone3's CLONE_INTO_CGROUP */
        int join;             /* v1: its `tasks`; v2: its cgroup.procs; -1 once joined */
        unsigned controllers; /* the limits set here (lp_cgroup_controller) */
        bool unified;
};

#define LP_CGROUP_DIRS_MAX 3

struct lp_cgroup {
        struct lp_cgroup_dir dirs[LP_CGROUP_DIRS_MAX];
        size_t n;
        unsigned long long pidns; /* our PID namespace's inode, named in the cgroups */
};

#define LP_CGROUP_INIT \
        {              \
                .n = 0 \
        }

/* Makes the run's cgroups and sets the policy's limits in them. Where a
 * limit cannot be had: exit-125 material (a logged error, negative) when
 * the profile asks for it in its own words (Memory= anywhere, Processes=
 * as root, from a profile file rather than an embedded one), else one
 * line that says so, and 0. */
int lp_cgroup_create(const struct lp_policy *p, struct lp_cgroup *cg);

/* In the child: moves the calling thread into the v1 cgroups (and,
 * with `unified`, the v2 one). Moving a whole process (cgroup.procs) waits
 * for an RCU grace period, 5-15 ms here; the child has one thread,
 * and moving one thread by itself (v1 `tasks`) does not wait. */
int lp_cgroup_join(struct lp_cgroup *cg, bool unified);

/* The run's v2 cgroup directory (for programs attached to it), or -1. */
int lp_cgroup_unified_fd(struct lp_cgroup *cg);

/* clone3 with the `namespaces` flags (CLONE_NEW*), the child born in the
 * v2 cgroup where there is one (CLONE_INTO_CGROUP): its pid, 0 in the
 * child, or -errno where the kernel refuses (no clone3, a container's
 * seccomp policy, no permission for a namespace), with no child. The
 * caller must have one thread. */
pid_t lp_cgroup_clone(struct lp_cgroup *cg, uint64_t namespaces);

/* fork(), but the child is born in the v2 cgroup (clone3 with
 * CLONE_INTO_CGROUP, Linux 5.7), which costs no grace period; where the
 * kernel has no clone3 the child joins it itself. */
pid_t lp_cgroup_fork(struct lp_cgroup *cg);

/* After the run: kills what is left inside, records the limits' events
 * in `store` (may be NULL) as `resource` findings, removes the cgroups.
 * Safe to call twice and on a cg that was never created. */
void lp_cgroup_finish(struct lp_cgroup *cg, const struct lp_policy *p, struct lp_findings *store,
                      uint64_t start_ms);
