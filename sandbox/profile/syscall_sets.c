/* Named syscall groups, in the spirit of systemd's SystemCallFilter= groups
 * (src/shared/seccomp-util.c): membership follows systemd where it can, and
 * departs from it where leastpriv needs a clean ordinary/dangerous split:
 *
 *  - unshare and setns live only in @namespaces (systemd: @process), so that
 *    allowing @process never grants a new namespace by name;
 *  - process_vm_readv/writev and process_madvise act on another process's
 *    memory, so they are in @debug next to ptrace (systemd: @ipc);
 *  - io_uring_* are only in @io-uring (systemd: @aio), because their
 *    operations bypass seccomp; Linux AIO (io_submit) stays ordinary in
 *    @basic-io since the filter still sees each syscall around it;
 *  - @privileged nests the dangerous groups that need a capability (@clock
 *    @module @raw-io @reboot @swap @mount @bpf) but not @namespaces: an
 *    unprivileged user namespace needs no capability, and the rule "nothing
 *    reachable from an ordinary group is reachable from a dangerous one" is
 *    checked by tests/unit/test_syscall_sets.c either way;
 *  - @memory has no systemd counterpart: the allocator's and the loader's
 *    calls (systemd spreads them over @default, @memlock, @pkey and
 *    @system-service);
 *  - chown and set*id are ordinary (systemd: @privileged): leastpriv drops
 *    every capability and sets no_new_privs, so the kernel lets them do only
 *    what an unprivileged process may, and make, cp -a and tar need that;
 *  - what systemd keeps in @system-service only (ioctl, uname, sendfile,
 *    sched_get*, umask, ...) is placed in the ordinary group it reads as.
 *
 * Members are the names of x86_64 and aarch64 (32-bit-only names such as
 * getuid32 or socketcall are left out; tests reject a name neither knows).
 * Deliberately in no group, so DefaultAction decides: personality (can turn
 * off ASLR or set READ_IMPLIES_EXEC) and userfaultfd (a classic exploit
 * primitive for stretching kernel race windows). */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/syscall_sets.h"
#include "profile/syscall_table.h"

#include "base/suggest.h"
#include "base/util.h"

#define MEMBERS(...) ((const char *const[]){__VA_ARGS__, NULL})

const struct lp_syscall_group lp_syscall_groups[] = {
        /* ---- ordinary work ---- */
        {
                .name = "@default",
                .help = "What every process needs: exit, memory, time, its own ids",
                /* systemd's @default, plus the read-only facts every runtime
                 * asks for (uname, sysinfo, getcpu) and the futex2 calls. */
                .members = MEMBERS(
                        "arch_prctl", "brk", "clock_getres", "clock_gettime", "clock_nanosleep",
                        "execve", "exit", "exit_group", "futex", "futex_requeue", "futex_wait",
                        "futex_waitv", "futex_wake", "get_robust_list", "get_thread_area", "getcpu",
                        "getegid", "geteuid", "getgid", "getgroups", "getpgid", "getpgrp", "getpid",
                        "getppid", "getrandom", "getresgid", "getresuid", "getrlimit", "getsid",
                        "gettid", "gettimeofday", "getuid", "membarrier", "mmap", "mprotect",
                        "munmap", "nanosleep", "pause", "prlimit64", "restart_syscall", "rseq",
                        "rt_sigreturn", "sched_getaffinity", "sched_yield", "set_robust_list",
                        "set_thread_area", "set_tid_address", "sysinfo", "time", "uname"),
        },
        {
                .name = "@basic-io",
                .help = "Read, write, seek, duplicate and close open descriptors",
                .members = MEMBERS("close", "close_range", "copy_file_range", "dup", "dup2", "dup3",
                                   "io_cancel", "io_destroy", "io_getevents", "io_pgetevents",
                                   "io_setup", "io_submit", "ioctl", "lseek", "pread64", "preadv",
                                   "preadv2", "pwrite64", "pwritev", "pwritev2", "read", "readv",
                                   "sendfile", "splice", "tee", "vmsplice", "write", "writev"),
        },
        {
                .name = "@file-system",
                .help = "Paths and files: open, stat, rename, mkdir, chown, xattrs (not mount)",
                /* chown without CAP_CHOWN (dropped) can only pick one of
                 * one's own groups; root in a container still tries it in
                 * cp -a and tar x and fails the copy on EPERM. */
                .members = MEMBERS(
                        "access", "cachestat", "chdir", "chmod", "chown", "close", "creat",
                        "faccessat", "faccessat2", "fadvise64", "fallocate", "fchdir", "fchmod",
                        "fchmodat", "fchmodat2", "fchown", "fchownat", "fcntl", "fgetxattr",
                        "flistxattr", "flock", "fremovexattr", "fsetxattr", "fstat", "fstatfs",
                        "ftruncate", "futimesat", "getcwd", "getdents", "getdents64", "getxattr",
                        "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
                        "lchown", "lgetxattr", "link", "linkat", "listxattr", "llistxattr",
                        "lremovexattr", "lsetxattr", "lstat", "mkdir", "mkdirat", "mknod",
                        "mknodat", "name_to_handle_at", "newfstatat", "open", "openat", "openat2",
                        "readahead", "readlink", "readlinkat", "removexattr", "rename", "renameat",
                        "renameat2", "rmdir", "setxattr", "stat", "statfs", "statx", "symlink",
                        "symlinkat", "truncate", "umask", "unlink", "unlinkat", "utime",
                        "utimensat", "utimes"),
        },
        {
                .name = "@io-event",
                .help = "Event loops: poll, select, epoll, eventfd",
                .members = MEMBERS("epoll_create", "epoll_create1", "epoll_ctl", "epoll_ctl_old",
                                   "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old",
                                   "eventfd", "eventfd2", "poll", "ppoll", "pselect6", "select"),
        },
        {
                .name = "@ipc",
                .help = "Pipes, SysV IPC, POSIX message queues, memfd",
                .members =
                        MEMBERS("memfd_create", "mq_getsetattr", "mq_notify", "mq_open",
                                "mq_timedreceive", "mq_timedsend", "mq_unlink", "msgctl", "msgget",
                                "msgrcv", "msgsnd", "pipe", "pipe2", "semctl", "semget", "semop",
                                "semtimedop", "shmat", "shmctl", "shmdt", "shmget"),
        },
        {
                .name = "@memory",
                .help = "Mapping, protecting and advising memory: allocators and the loader",
                .members = MEMBERS("brk", "get_mempolicy", "madvise", "map_shadow_stack",
                                   "memfd_secret", "mincore", "mlock", "mlock2", "mlockall", "mmap",
                                   "mprotect", "mremap", "munlock", "munlockall", "munmap",
                                   "pkey_alloc", "pkey_free", "pkey_mprotect", "remap_file_pages"),
        },
        {
                .name = "@network-io",
                .help = "Sockets: socket, connect, bind, send, recv (families per [Network])",
                .members = MEMBERS("accept", "accept4", "bind", "connect", "getpeername",
                                   "getsockname", "getsockopt", "listen", "recvfrom", "recvmmsg",
                                   "recvmsg", "sendmmsg", "sendmsg", "sendto", "setsockopt",
                                   "shutdown", "socket", "socketpair"),
        },
        {
                .name = "@process",
                .help = "fork, clone, exec, wait, kill, prctl, own ids, within one's own tree",
                /* clone's namespace flags are filtered by argument (policy
                 * hardening), unshare/setns are @namespaces. seccomp and
                 * landlock_* only ever narrow what the caller may do, like
                 * prctl(PR_SET_SECCOMP) which is here anyway. set*id: with
                 * every capability dropped and no_new_privs set, they only
                 * move among the ids one already has; glibc's posix_spawn
                 * (POSIX_SPAWN_RESETIDS, used by GNU make) calls
                 * setresuid(-1, uid, -1) and fails the spawn on EPERM. */
                .members = MEMBERS(
                        "arch_prctl", "capget", "clone", "clone3", "execve", "execveat", "exit",
                        "exit_group", "fork", "getrusage", "kill", "landlock_add_rule",
                        "landlock_create_ruleset", "landlock_restrict_self", "pidfd_open",
                        "pidfd_send_signal", "prctl", "process_mrelease", "rt_sigqueueinfo",
                        "rt_tgsigqueueinfo", "seccomp", "setfsgid", "setfsuid", "setgid",
                        "setgroups", "setpgid", "setregid", "setresgid", "setresuid", "setreuid",
                        "setsid", "setuid", "tgkill", "times", "tkill", "vfork", "wait4", "waitid"),
        },
        {
                .name = "@signal",
                .help = "Signal handlers, masks, waiting for signals, signalfd",
                .members = MEMBERS("rt_sigaction", "rt_sigpending", "rt_sigprocmask",
                                   "rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait",
                                   "sigaltstack", "signalfd", "signalfd4"),
        },
        {
                .name = "@sync",
                .help = "Flushing files and memory to storage: fsync and friends",
                .members =
                        MEMBERS("fdatasync", "fsync", "msync", "sync", "sync_file_range", "syncfs"),
        },
        {
                .name = "@timer",
                .help = "Timers, alarms and timerfd",
                .members =
                        MEMBERS("alarm", "getitimer", "setitimer", "timer_create", "timer_delete",
                                "timer_getoverrun", "timer_gettime", "timer_settime",
                                "timerfd_create", "timerfd_gettime", "timerfd_settime", "times"),
        },
        {
                .name = "@resources",
                .help = "Reading and changing one's own limits, priorities, affinity, NUMA policy",
                /* Raising a hard limit or a priority still needs
                 * CAP_SYS_RESOURCE / CAP_SYS_NICE, which the sandbox drops. */
                .members = MEMBERS("getpriority", "getrlimit", "ioprio_get", "ioprio_set", "mbind",
                                   "migrate_pages", "move_pages", "prlimit64",
                                   "sched_get_priority_max", "sched_get_priority_min",
                                   "sched_getaffinity", "sched_getattr", "sched_getparam",
                                   "sched_getscheduler", "sched_rr_get_interval",
                                   "sched_setaffinity", "sched_setattr", "sched_setparam",
                                   "sched_setscheduler", "set_mempolicy", "set_mempolicy_home_node",
                                   "setpriority", "setrlimit"),
        },

        /* ---- dangerous: denied by the shipped profiles ---- */
        {
                .name = "@privileged",
                .help = "Calls that only work with a capability: hostname, acct, quota, capset, "
                        "...",
                .dangerous = true,
                /* Not here, unlike systemd: chown and set*id (see @process
                 * and @file-system). chroot and pivot_root are listed as in
                 * systemd although @mount has them too. */
                .members = MEMBERS("@bpf", "@clock", "@module", "@mount", "@raw-io", "@reboot",
                                   "@swap", "_sysctl", "acct", "capset", "chroot", "fanotify_init",
                                   "fanotify_mark", "nfsservctl", "open_by_handle_at", "pivot_root",
                                   "quotactl", "quotactl_fd", "setdomainname", "sethostname",
                                   "syslog", "vhangup"),
        },
        {
                .name = "@mount",
                .help = "Mounting, unmounting, chroot and pivot_root",
                .dangerous = true,
                .members = MEMBERS("chroot", "fsconfig", "fsmount", "fsopen", "fspick", "mount",
                                   "mount_setattr", "move_mount", "open_tree", "pivot_root",
                                   "umount2"),
        },
        {
                .name = "@module",
                .help = "Loading and unloading kernel modules",
                .dangerous = true,
                .members = MEMBERS("delete_module", "finit_module", "init_module"),
        },
        {
                .name = "@reboot",
                .help = "Reboot and kexec",
                .dangerous = true,
                .members = MEMBERS("kexec_file_load", "kexec_load", "reboot"),
        },
        {
                .name = "@swap",
                .help = "Enabling and disabling swap devices",
                .dangerous = true,
                .members = MEMBERS("swapoff", "swapon"),
        },
        {
                .name = "@raw-io",
                .help = "x86 I/O port access: ioperm, iopl",
                .dangerous = true,
                .members = MEMBERS("ioperm", "iopl"),
        },
        {
                .name = "@clock",
                .help = "Setting the system clock",
                .dangerous = true,
                .members = MEMBERS("adjtimex", "clock_adjtime", "clock_settime", "settimeofday"),
        },
        {
                .name = "@debug",
                .help = "Reading or changing other processes: ptrace, process_vm_*, perf",
                .dangerous = true,
                /* kcmp and pidfd_getfd pass the same ptrace access check as
                 * ptrace itself (PTRACE_MODE_READ / _ATTACH). */
                .members = MEMBERS("kcmp", "lookup_dcookie", "perf_event_open", "pidfd_getfd",
                                   "process_madvise", "process_vm_readv", "process_vm_writev",
                                   "ptrace"),
        },
        {
                .name = "@obsolete",
                .help = "Unused, obsolete or unimplemented syscalls",
                .dangerous = true,
                .members = MEMBERS("_sysctl", "afs_syscall", "create_module", "get_kernel_syms",
                                   "getpmsg", "nfsservctl", "putpmsg", "query_module", "security",
                                   "sysfs", "tuxcall", "uselib", "ustat", "vserver"),
        },
        {
                .name = "@cpu-emulation",
                .help = "x86 LDT changes for CPU emulators: modify_ldt",
                .dangerous = true,
                .members = MEMBERS("modify_ldt"),
        },
        {
                .name = "@keyring",
                .help = "The kernel keyring",
                .dangerous = true,
                .members = MEMBERS("add_key", "keyctl", "request_key"),
        },
        {
                .name = "@namespaces",
                .help = "Entering or creating namespaces: unshare, setns",
                .dangerous = true,
                /* clone(CLONE_NEW*) is filtered by argument instead, since
                 * clone itself is needed by every threaded program. */
                .members = MEMBERS("setns", "unshare"),
        },
        {
                .name = "@io-uring",
                .help = "io_uring, whose operations bypass seccomp",
                .dangerous = true,
                .members = MEMBERS("io_uring_enter", "io_uring_register", "io_uring_setup"),
        },
        {
                .name = "@bpf",
                .help = "Loading BPF programs and maps",
                .dangerous = true,
                .members = MEMBERS("bpf"),
        },
        {0},
};

const struct lp_syscall_group *lp_syscall_group_find(const char *name)
{
        if (!name || name[0] != '@')
                return NULL;
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++)
                if (strcmp(g->name, name) == 0)
                        return g;
        return NULL;
}

int lp_syscall_nr(const char *name)
{
        if (!name || !name[0] || name[0] == '@')
                return -EINVAL;
        /* The native table only (names libseccomp knows from other
         * architectures resolve to pseudo numbers there: not here). */
        int nr = lp_syscall_table_number(name);
        return nr >= 0 ? nr : -ENOENT;
}

struct expansion {
        bool *visited; /* per group index: already expanded in this call */
        int *seen;     /* numbers already reported in this call */
        size_t n_seen, cap_seen;
        int (*fn)(const char *syscall, int nr, void *userdata);
        void *userdata;
};

static bool seen_before(const struct expansion *e, int nr)
{
        /* At most a few hundred numbers per call: a linear scan is fine and
         * works for every architecture's numbering (mips starts at 4000). */
        for (size_t i = 0; i < e->n_seen; i++)
                if (e->seen[i] == nr)
                        return true;
        return false;
}

static int expand(struct expansion *e, const struct lp_syscall_group *g)
{
        size_t index = (size_t)(g - lp_syscall_groups);
        /* A group reached twice was reported whole the first time; this
         * also makes a cycle in the table harmless here (tests forbid it). */
        if (e->visited[index])
                return 0;
        e->visited[index] = true;
        for (const char *const *m = g->members; *m; m++) {
                if ((*m)[0] == '@') {
                        const struct lp_syscall_group *nested = lp_syscall_group_find(*m);
                        if (!nested)
                                return -EINVAL; /* a broken table; tests catch it */
                        int r = expand(e, nested);
                        if (r < 0)
                                return r;
                        continue;
                }
                int nr = lp_syscall_nr(*m);
                if (nr < 0 || seen_before(e, nr))
                        continue;
                if (LP_GROW(e->seen, e->cap_seen, e->n_seen) < 0)
                        return -ENOMEM;
                e->seen[e->n_seen++] = nr;
                int r = e->fn(*m, nr, e->userdata);
                if (r < 0)
                        return r;
        }
        return 0;
}

int lp_syscall_group_foreach(const char *name,
                             int (*fn)(const char *syscall, int nr, void *userdata), void *userdata)
{
        const struct lp_syscall_group *g = lp_syscall_group_find(name);
        if (!g)
                return -ENOENT;
        size_t n_groups = 0;
        while (lp_syscall_groups[n_groups].name)
                n_groups++;
        struct expansion e = {.fn = fn, .userdata = userdata};
        e.visited = calloc(n_groups, sizeof(*e.visited));
        if (!e.visited)
                return -ENOMEM;
        int r = expand(&e, g);
        free(e.visited);
        free(e.seen);
        return r < 0 ? r : 0;
}

int lp_syscall_groups_print(FILE *out)
{
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++)
                fprintf(out, "%-16s %s%s\n", g->name, g->help, g->dangerous ? " (dangerous)" : "");
        return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}

struct name_list {
        const char **names;
        size_t n, cap;
};

static int collect_name(const char *syscall, int nr, void *userdata)
{
        struct name_list *l = userdata;
        if (LP_GROW(l->names, l->cap, l->n) < 0)
                return -ENOMEM;
        l->names[l->n++] = syscall;
        return 0;
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int lp_syscall_group_print(FILE *out, const char *name)
{
        const struct lp_syscall_group *g = lp_syscall_group_find(name);
        if (!g)
                return -ENOENT;
        struct name_list l = {0};
        int r = lp_syscall_group_foreach(name, collect_name, &l);
        if (r < 0)
                goto out;
        /* Table names are static strings, so the list only borrows them. */
        if (l.n > 0)
                qsort(l.names, l.n, sizeof(*l.names), compare_names);
        fprintf(out, "# %s: %s\n", g->name, g->help);
        for (size_t i = 0; i < l.n; i++)
                fprintf(out, "%s\n", l.names[i]);
        r = fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
out:
        free(l.names);
        return r;
}

bool lp_syscall_known_elsewhere(const char *name)
{
        static const uint32_t arches[] = {SCMP_ARCH_X86_64, SCMP_ARCH_AARCH64, SCMP_ARCH_X86,
                                          SCMP_ARCH_ARM, SCMP_ARCH_RISCV64};
        for (size_t i = 0; i < LP_ELEMENTSOF(arches); i++)
                if (seccomp_syscall_resolve_name_arch(arches[i], name) >= 0)
                        return true;
        return false;
}

char *lp_syscall_suggest(const char *name)
{
        const char **names = calloc(lp_syscall_table_size + 1, sizeof(*names));
        if (!names)
                return NULL;
        for (size_t i = 0; i < lp_syscall_table_size; i++)
                names[i] = lp_syscall_table[i].name;
        const char *hint = lp_suggest(name, (const char *const *)names);
        free(names);
        return hint ? strdup(hint) : NULL;
}
