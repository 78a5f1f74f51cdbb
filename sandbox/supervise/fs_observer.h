/* The filesystem observer (docs/architecture.md, "The filesystem
 * observer"): the program of fs_bpf.h, attached to the raw tracepoint
 * at every syscall's exit, so that the command's writes are plain
 * syscalls that never wait for the supervisor while each one the kernel
 * refuses is still counted exactly. For `run` as root in the host's PID
 * namespace, on x86-64, where the run has a cgroup v2 and the kernel
 * lets us load tracing programs; elsewhere the seccomp filter notifies
 * path-writing calls as before (lp_fs_observer_prepare says why with
 * -v). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "rules/fs_bpf.h"
#include "supervise/bpf_maps.h"

struct lp_policy;

/* Distinct keys the events map holds; past them a refusal is still
 * counted, in the overflow counter. */
#define LP_FS_EVENTS_MAX 4096
/* Processes whose program the execs map remembers (the least recently
 * exec'd go first). */
#define LP_FS_EXECS_MAX 2048

struct lp_fs_observer {
        int events, overflow, scratch, calls, execs;
        struct lp_bpf_ring announce; /* a key's first sighting */
        int prog, exec_prog;         /* loaded before the fork, until attached */
        int link;                    /* the attachment: closing it detaches */
        int exec_link;               /* the exec program's */
        struct lp_fs_program_spec spec;
};

#define LP_FS_OBSERVER_INIT                                                            \
        {                                                                              \
                .events = -1, .overflow = -1, .scratch = -1, .calls = -1, .execs = -1, \
                .announce = LP_BPF_RING_INIT, .link = -1, .exec_link = -1, .prog = -1, \
                .exec_prog = -1,                                                       \
        }

/* Before the fork: the maps and both programs, loaded (the verifier's
 * word comes before the filter counts on the observer). `spec` as the
 * programs are to be built, its maps and cgroup id filled in here. 1
 * when the observer can be had, 0 when not (the reason said with -v;
 * nothing is left). */
int lp_fs_observer_prepare(const struct lp_fs_program_spec *spec, int cgroup_dir,
                           struct lp_fs_observer *o);

/* After the fork, while the child builds the sandbox: the
 * programs, attached. The command must not start before this returned
 * 0. */
int lp_fs_observer_attach(struct lp_fs_observer *o);

/* Detaches and closes everything; safe on an observer never started. */
void lp_fs_observer_stop(struct lp_fs_observer *o);
