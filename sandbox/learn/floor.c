#include "learn/floor.h"

#include <string.h>

#include "profile/policy.h"

const char *const lp_learn_floor[] = {
        /* files and pipes already open, or being opened and stat-ed */
        "read",
        "write",
        "readv",
        "writev",
        "pread64",
        "pwrite64",
        "preadv",
        "pwritev",
        "close",
        "lseek",
        "fstat",
        "newfstatat",
        "stat",
        "lstat",
        "statx",
        "open",
        "openat",
        "getdents64",
        "fcntl",
        "dup",
        "dup2",
        "dup3",
        "pipe",
        "pipe2",
        "access",
        "faccessat",
        "faccessat2",
        "readlink",
        "readlinkat",
        "getcwd",
        "poll",
        "ppoll",
        /* memory and the dynamic loader */
        "mmap",
        "munmap",
        "mprotect",
        "mremap",
        "madvise",
        "brk",
        /* threads, signals, exit */
        "futex",
        "rt_sigaction",
        "rt_sigprocmask",
        "rt_sigreturn",
        "sigaltstack",
        "set_tid_address",
        "set_robust_list",
        "rseq",
        "arch_prctl",
        "sched_yield",
        "exit",
        "exit_group",
        "wait4",
        /* one's own ids, time, randomness */
        "getpid",
        "gettid",
        "getppid",
        "getuid",
        "geteuid",
        "getgid",
        "getegid",
        "clock_gettime",
        "clock_getres",
        "gettimeofday",
        "time",
        "nanosleep",
        "clock_nanosleep",
        "getrandom",
        "uname",
        NULL,
};

static bool in_floor(const char *name)
{
        for (size_t i = 0; lp_learn_floor[i]; i++)
                if (strcmp(lp_learn_floor[i], name) == 0)
                        return true;
        return false;
}

bool lp_floor_grants(const struct lp_policy *base, bool floor, const char *name)
{
        const struct lp_syscall_rule *r = lp_policy_syscall_by_name(base, name);
        return floor && in_floor(name) && r && r->action.type != LP_ACTION_ALLOW &&
               lp_syscall_rule_is_default(r);
}
