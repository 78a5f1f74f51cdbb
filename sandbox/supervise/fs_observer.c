/* The filesystem observer: maps, program, attachment (fs_observer.h). */
#include "supervise/fs_observer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/close_later.h"
#include "base/log.h"
#include "base/util.h"
#include "profile/policy.h"

/* The announcements' ring: 512 first sightings (of about 500 bytes)
 * before the supervisor reads them; past them a key is named when the
 * run ends. */
#define RING_SIZE (256 * 1024)

/* The tracepoint every syscall passes on its way out. */
#define TRACEPOINT "sys_exit"

/* A cgroup's id, as bpf_get_current_cgroup_id() tells it: the 64-bit
 * handle of its directory (kernfs). 0 when it cannot be read. */
static uint64_t cgroup_id(int cgroup_dir)
{
        struct {
                struct file_handle handle;
                uint64_t id;
        } h = {.handle.handle_bytes = sizeof(uint64_t)};
        int mount_id;
        if (name_to_handle_at(cgroup_dir, "", &h.handle, &mount_id, AT_EMPTY_PATH) < 0 ||
            h.handle.handle_bytes != sizeof(uint64_t))
                return 0;
        uint64_t id;
        memcpy(&id, h.handle.f_handle, sizeof(id));
        return id;
}

/* Why the observer cannot be had here, or NULL. Whether the kernel lets
 * us load tracing programs is the programs' own load to say, before the
 * fork (lp_fs_observer_prepare). */
static const char *observer_refused(int cgroup_dir)
{
#ifndef __x86_64__
        (void)cgroup_dir;
        return "not x86-64 (the program reads x86-64's syscall registers)";
#else
        if (cgroup_dir < 0)
                return "no cgroup v2 of the run";
        if (!lp_bpf_host_pids())
                return "not in the host's PID namespace";
        return NULL;
#endif
}

static int create_maps(struct lp_fs_observer *o)
{
        /* Preallocated: a tracing program's hash must be (before Linux
         * 6.1 the verifier warns, and PREEMPT_RT refuses). */
        int r = lp_bpf_counting_maps(sizeof(struct lp_fs_key), sizeof(struct lp_fs_value),
                                     LP_FS_EVENTS_MAX, true, &o->events, &o->overflow);
        if (r < 0)
                return r;
        o->scratch = lp_bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(uint32_t),
                                       sizeof(struct lp_fs_key), 1);
        if (o->scratch < 0)
                return o->scratch;
        o->calls = lp_bpf_map_create(BPF_MAP_TYPE_ARRAY, sizeof(uint32_t),
                                     sizeof(struct lp_fs_call), LP_FS_CALLS_MAX);
        if (o->calls < 0)
                return o->calls;
        o->execs = lp_bpf_map_create(BPF_MAP_TYPE_LRU_HASH, sizeof(uint32_t), LP_FS_PATH_MAX,
                                     LP_FS_EXECS_MAX);
        if (o->execs < 0)
                return o->execs;
        return lp_bpf_ring_create(&o->announce, RING_SIZE);
}

/* The program's table: an entry for each syscall it counts. */
static int fill_calls(const struct lp_fs_observer *o, const struct lp_fs_program_spec *spec)
{
        const struct lp_policy *p = spec->policy;
        for (size_t i = 0; i < p->n_syscalls; i++) {
                struct lp_fs_call e;
                if (!lp_fs_call(spec, &p->syscalls[i], &e))
                        continue;
                uint32_t nr = (uint32_t)p->syscalls[i].nr;
                int r = lp_bpf_map_set(o->calls, &nr, &e);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int load_program(const struct lp_fs_observer *o, bool exec)
{
        _cleanup_free_ struct bpf_insn *insns = calloc(LP_FS_PROGRAM_MAX, sizeof(*insns));
        if (!insns)
                return -ENOMEM;
        size_t n = exec ? lp_fs_exec_program(&o->spec, insns) : lp_fs_program(&o->spec, insns);
        if (n == 0)
                return -E2BIG; /* ours: the program outgrew LP_FS_PROGRAM_MAX */
        return lp_bpf_load(BPF_PROG_TYPE_RAW_TRACEPOINT, 0, insns, n,
                           exec ? "the filesystem observer's exec program"
                                : "the filesystem observer's program");
}

int lp_fs_observer_prepare(const struct lp_fs_program_spec *spec, int cgroup_dir,
                           struct lp_fs_observer *o)
{
        *o = (struct lp_fs_observer)LP_FS_OBSERVER_INIT;
        if (lp_fs_counted_syscalls(spec) == 0)
                return 0; /* every path-writing call is notified for another reason */
        const char *why = observer_refused(cgroup_dir);
        uint64_t id = why ? 0 : cgroup_id(cgroup_dir);
        if (!why && !id)
                why = "the run's cgroup has no id (name_to_handle_at)";
        if (why) {
                lp_debug("filesystem observer: %s; path-writing calls are notified", why);
                return 0;
        }
        int r = create_maps(o);
        if (r >= 0)
                r = fill_calls(o, spec);
        if (r < 0) {
                lp_debug("filesystem observer: no BPF maps (%s: a container's seccomp profile, "
                         "no CAP_BPF in the host's user namespace, an old kernel); path-writing "
                         "calls are notified",
                         strerror(-r));
                lp_fs_observer_stop(o);
                return 0;
        }
        o->spec = *spec;
        o->spec.cgroup_id = id;
        o->spec.events = o->events;
        o->spec.overflow = o->overflow;
        o->spec.announce = o->announce.fd;
        o->spec.scratch = o->scratch;
        o->spec.calls = o->calls;
        o->spec.execs = o->execs;
        o->exec_prog = load_program(o, true);
        o->prog = o->exec_prog < 0 ? o->exec_prog : load_program(o, false);
        if (o->prog < 0) {
                lp_debug("filesystem observer: its program was refused (%s: no CAP_PERFMON, "
                         "an old kernel; the verifier's reasons above); path-writing "
                         "calls are notified",
                         strerror(-o->prog));
                lp_fs_observer_stop(o);
                return 0;
        }
        return 1;
}

/* A loaded program attached to `tracepoint` (the attachment holds it
 * from then on): the link's fd, or -errno. */
static int attach(int *prog, const char *tracepoint)
{
        union bpf_attr a = {.raw_tracepoint = {.name = (uint64_t)(uintptr_t)tracepoint,
                                               .prog_fd = (uint32_t)*prog}};
        int link = lp_bpf(BPF_RAW_TRACEPOINT_OPEN, &a);
        close(*prog);
        *prog = -1;
        return link;
}

int lp_fs_observer_attach(struct lp_fs_observer *o)
{
        o->exec_link = attach(&o->exec_prog, "sys_enter");
        if (o->exec_link < 0)
                return o->exec_link;
        o->link = attach(&o->prog, TRACEPOINT);
        if (o->link < 0)
                return o->link;
        int r = lp_bpf_ring_map(&o->announce);
        if (r < 0)
                return r;
        lp_debug("filesystem observer: attached; path-writing calls stay in the kernel");
        return 0;
}

void lp_fs_observer_stop(struct lp_fs_observer *o)
{
        lp_bpf_ring_unmap(&o->announce);
        int fds[] = {o->prog,     o->exec_prog, o->link,  o->exec_link, o->events,
                     o->overflow, o->scratch,   o->calls, o->execs,     o->announce.fd};
        lp_close_later(fds, LP_ELEMENTSOF(fds));
        *o = (struct lp_fs_observer)LP_FS_OBSERVER_INIT;
}
