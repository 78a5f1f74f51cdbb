/* The filesystem observer's program (docs/architecture.md, "The
 * filesystem observer"): a raw tracepoint program at every syscall's
 * exit that, for the run's cgroup alone, counts each path-writing call
 * the kernel refused (EROFS: the read-only mounts; EACCES or EPERM:
 * Landlock, a hidden path, the file's permissions) with what the
 * supervisor needs to name it: the syscall, the arguments that say how
 * its paths are resolved, and the paths as the process gave them. The
 * kernel enforces; the program only counts. Assembled here
 * (rules/bpf_asm.h). Pure: builds instructions, makes no system call.
 * x86-64 only: the program reads the syscall's registers in struct
 * pt_regs, whose layout is the architecture's. */
#pragma once
#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lp_policy;

/* A path as the program copies it, with its NUL: longer ones are cut
 * (and then named as cut, not resolved). Two paths and the rest of the
 * key fit in the 512 bytes the kernel allows a hash map's key. */
#define LP_FS_PATH_MAX 200

/* One counted kind of refusal, the key of the events map. */
struct lp_fs_key {
        uint32_t nr;   /* the syscall (the native ABI's number) */
        int32_t error; /* EROFS, EACCES or EPERM */
        uint32_t tgid; /* the process, in the host's PID namespace */
        uint32_t pad;
        uint64_t args[6];   /* the arguments that are not pointers and that
                             * the path check reads (directory fds, flags);
                             * the others 0 */
        uint64_t how_flags; /* openat2's struct open_how .flags */
        char comm[16];      /* the thread's name */
        char path[2][LP_FS_PATH_MAX];
};

struct lp_fs_value {
        uint64_t count;
        uint64_t first_ns; /* CLOCK_MONOTONIC */
};

struct lp_fs_program_spec {
        const struct lp_policy *policy;
        uint64_t cgroup_id; /* the run's cgroup v2 (bpf_get_current_cgroup_id) */
        /* As the filter's options of these names (launch/filter.h). */
        bool own_ids_fixed;
        uint32_t own_uid, own_gid;
        /* The maps: events (hash of struct lp_fs_key), overflow
         * (array[1] of u64), announce (ring buffer), scratch (per-CPU
         * array[1] of struct lp_fs_key: the key is built there, being
         * too big for the stack). */
        int events, overflow, announce, scratch;
};

#define LP_FS_PROGRAM_MAX 1536

/* Assembles the program into insns (LP_FS_PROGRAM_MAX of room). Returns
 * the number of instructions; 0 when they did not fit, or when the
 * policy leaves no refusal for it to count (*none then true). */
size_t lp_fs_program(const struct lp_fs_program_spec *spec, struct bpf_insn *insns, bool *none);

/* The syscalls the program counts the refusals of, for a test and -v:
 * fills up to `max` numbers, returns how many there are. */
size_t lp_fs_counted_syscalls(const struct lp_fs_program_spec *spec, int *nrs, size_t max);
