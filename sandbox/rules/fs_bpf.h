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
struct lp_syscall_rule;

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

/* How the program treats one syscall: an entry of the calls map,
 * indexed by the syscall's number (rules/watch.h, lp_watch_fs_counted,
 * as data: the program is the same for every policy, and short for the
 * verifier, whose time every launch pays). An argument index past 5
 * means none. */
enum lp_fs_open {
        LP_FS_OPEN_NONE,  /* not an open, or creat(2): every call writes */
        LP_FS_OPEN_FLAGS, /* counted when the flags in `open_arg` write */
        LP_FS_OPEN_HOW,   /* openat2: the flags in its struct open_how */
};

#define LP_FS_NO_ARG 0xff

struct lp_fs_call {
        uint8_t counted;        /* enum lp_fs_counted_kind; 0 (NEVER): not ours */
        uint8_t open;           /* enum lp_fs_open */
        uint8_t open_arg;       /* LP_FS_OPEN_FLAGS: the flags' argument */
        uint8_t mode_arg;       /* PLAIN_MODE: the mode's argument */
        uint8_t mode_flags_arg; /* PLAIN_MODE: open's flags, or LP_FS_NO_ARG */
        uint8_t owner_arg;      /* OWN_IDS: the owner's (the group's follows) */
        uint8_t path_arg[2];    /* the paths' arguments */
        uint8_t copy_arg[4];    /* the arguments copied into the key */
        uint8_t pad[4];
};

/* Syscall numbers the calls map covers (x86-64's end below 512). */
#define LP_FS_CALLS_MAX 512

struct lp_fs_program_spec {
        const struct lp_policy *policy;
        uint64_t cgroup_id; /* the run's cgroup v2 (bpf_get_current_cgroup_id) */
        /* As the filter's options of these names (launch/filter.h). */
        bool own_ids_fixed;
        uint32_t own_uid, own_gid;
        /* The maps: events (hash of struct lp_fs_key), overflow
         * (array[1] of u64), announce (ring buffer), scratch (per-CPU
         * array[1] of struct lp_fs_key: the key is built there, being
         * too big for the stack), calls (array[LP_FS_CALLS_MAX] of
         * struct lp_fs_call), execs (an LRU hash of a tgid's last
         * program, as execve was given it: LP_FS_PATH_MAX bytes). */
        int events, overflow, announce, scratch, calls, execs;
};

#define LP_FS_PROGRAM_MAX 512

/* Assembles the program into insns (LP_FS_PROGRAM_MAX of room). Returns
 * the number of instructions, 0 when they did not fit. */
size_t lp_fs_program(const struct lp_fs_program_spec *spec, struct bpf_insn *insns);

/* The exec program, for the raw tracepoint at every syscall's entry: a
 * run's process's execve records the path it is given as its tgid's
 * program (the execs map), so that a process gone before the supervisor
 * could read /proc/PID/exe is still named. The last execve tried wins
 * (a shell tries each directory of PATH and stops at the one that
 * runs). Returns the number of instructions, 0 if they did not fit. */
size_t lp_fs_exec_program(const struct lp_fs_program_spec *spec, struct bpf_insn *insns);

/* The calls map's entry of one syscall of the policy, by number: false
 * when the program is not to count it. */
bool lp_fs_call(const struct lp_fs_program_spec *spec, const struct lp_syscall_rule *rule,
                struct lp_fs_call *ret);

/* How many syscalls of the policy the program counts. */
size_t lp_fs_counted_syscalls(const struct lp_fs_program_spec *spec);
