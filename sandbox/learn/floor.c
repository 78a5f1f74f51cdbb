#include "learn/floor.h"

#include <string.h>

#include "learn/learned.h"
#include "profile/keys.h"
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

/* The one that names the grant first: the learned item is always it. */
const char *const lp_learn_creation[] = {"clone", "fork", "vfork", NULL};

static bool in_list(const char *const *list, const char *name)
{
        for (size_t i = 0; list[i]; i++)
                if (strcmp(list[i], name) == 0)
                        return true;
        return false;
}

/* What BASE leaves to DefaultAction: the filter allows it where the
 * learn asks (launch/filter.c's also_allow), and a learned line grants
 * it; what BASE names stays as named. */
static bool left_to_default(const struct lp_policy *base, const char *name)
{
        const struct lp_syscall_rule *r = lp_policy_syscall_by_name(base, name);
        return r && r->action.type != LP_ACTION_ALLOW && lp_syscall_rule_is_default(r);
}

bool lp_floor_grants(const struct lp_policy *base, bool floor, const char *name)
{
        return floor && in_list(lp_learn_floor, name) && left_to_default(base, name);
}

bool lp_learn_creates(const char *name)
{
        return in_list(lp_learn_creation, name);
}

bool lp_creation_grants(const struct lp_policy *base, const struct lp_learned *l, const char *name)
{
        const char *clone = lp_learn_creation[0];
        return lp_learn_creates(name) && strcmp(name, clone) != 0 &&
               lp_learned_find(l, LP_LEARNED_GRANT, lp_key_find("Syscalls", "Allow"), clone) &&
               left_to_default(base, name);
}
