/* The watch table (watch.h). */
#include "rules/watch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <string.h>

#include "base/util.h"
#include "profile/policy.h"
#include "rules/checks.h"

#define SYSCALLS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Compared on the low 32 bits, as the kernel reads an ioctl request:
 * otherwise 0x1_00005412 would slip by (CVE-2017-5226 follow-up in
 * bubblewrap). */
static const uint32_t tty_injection[] = {LP_IOCTL_TIOCSTI, LP_IOCTL_TIOCLINUX};

/* ---- paths written (the filesystem check) ---- */

/* The open flags that write, create or truncate: opens without them stay
 * in the kernel. O_TMPFILE's own bit, not O_DIRECTORY's. */
#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | (O_TMPFILE & ~O_DIRECTORY))

#define PATH(op_, dirfd_, path_, ...)                                             \
        {                                                                         \
                .op = LP_FS_OP_##op_, .dirfd = dirfd_, .path = path_, __VA_ARGS__ \
        }
#define ONE(...)                           \
        {                                  \
                .first = PATH(__VA_ARGS__) \
        }
#define PATHS(...) ((const struct lp_watch_paths[]){__VA_ARGS__})
#define MODES(...) ((const struct lp_watch_mode[]){__VA_ARGS__})
#define NO_PATH                                 \
        {                                       \
                .first = {.op = LP_FS_OP_NONE } \
        }

static const struct lp_watch_paths open_paths[] = {
        ONE(OPEN, -1, 0, .flags = 1, .nofollow = O_NOFOLLOW, .follows = true)};
static const struct lp_watch_paths openat_paths[] = {
        ONE(OPEN, 0, 1, .flags = 2, .nofollow = O_NOFOLLOW, .follows = true)};

/* A syscall that needs `cap` whatever its arguments. */
#define CAPABILITY(entry_name, cap_, ...)                                           \
        {                                                                           \
                .name = entry_name, .syscalls = SYSCALLS(__VA_ARGS__), .cap = cap_, \
                .filter = LP_FILTER_NOTIFY_ALL, .check = lp_check_capability,       \
        }

/* prctl's option that needs CAP_SYS_RESOURCE. */
static const uint32_t set_mm[] = {PR_SET_MM};

const struct lp_watch lp_watches[] = {
        /* ---- the always-on argument hardening ---- */
        {
                .name = "ioctl",
                .syscalls = SYSCALLS("ioctl"),
                .hardening = "ioctl(TIOCSTI, TIOCLINUX)",
                .cap = -1,
                .filter = LP_FILTER_ARG_LO32_NOT_IN,
                .filter_arg = 1,
                .filter_values = tty_injection,
                .n_filter_values = LP_ELEMENTSOF(tty_injection),
                .decode = lp_decode_ioctl,
                .check = lp_check_tty_ioctl,
        },
        {
                /* clone3's flags are in memory: it answers ENOSYS in the
                 * kernel (profile/resolve.c) so that libc falls back here. */
                .name = "clone",
                .syscalls = SYSCALLS("clone"),
                .hardening = "clone(CLONE_NEW*)",
                .cap = -1,
                .filter = LP_FILTER_ARG_MASK_ZERO,
                .filter_arg = 0,
                .filter_mask = LP_NAMESPACE_FLAGS,
                .decode = lp_decode_ns_call,
                .check = lp_check_namespaces,
        },
        {
                .name = "unshare",
                .syscalls = SYSCALLS("unshare"),
                .hardening = "unshare(CLONE_NEW*)",
                .cap = CAP_SYS_ADMIN,
                .filter = LP_FILTER_ARG_MASK_ZERO,
                .filter_arg = 0,
                .filter_mask = LP_NAMESPACE_FLAGS,
                .decode = lp_decode_ns_call,
                .check = lp_check_namespaces,
        },

        /* ---- network ---- */
        {
                /* AddressFamilies= is enforced even when socket is allowed
                 * by name: the family list is itself the grant. */
                .name = "socket",
                .syscalls = SYSCALLS("socket"),
                .cap = CAP_NET_RAW,
                .always = true,
                .filter = LP_FILTER_SOCKET_FAMILIES,
                .decode = lp_decode_socket,
                .check = lp_check_socket,
        },
        {
                /* Destinations are in memory, which BPF cannot read. */
                .name = "connect",
                .syscalls = SYSCALLS("connect"),
                .cap = -1,
                .destination = true,
                .filter = LP_FILTER_NOTIFY_ALL,
                .observed = LP_OBSERVED_INET_LENGTH,
                .observed_arg = 2,
                .decode = lp_decode_sockaddr_call,
                .address = LP_ADDRESS_ARGS_1_2,
                .check = lp_check_destination,
        },
        {
                /* Without an address (a connected socket) it stays in the
                 * kernel: send() is sendto(fd, buf, len, flags, NULL, 0). */
                .name = "sendto",
                .syscalls = SYSCALLS("sendto"),
                .cap = -1,
                .destination = true,
                .filter = LP_FILTER_ARG_ZERO,
                .filter_arg = 4,
                .observed = LP_OBSERVED_INET_LENGTH,
                .observed_arg = 5,
                .decode = lp_decode_sendto,
                .address = LP_ADDRESS_ARGS_4_5,
                .check = lp_check_destination,
        },
        {
                /* The address is inside the struct msghdr: every call is
                 * looked at (launch/filter.c keeps the launch handshake's
                 * own sendmsg in the kernel). */
                .name = "sendmsg",
                .syscalls = SYSCALLS("sendmsg"),
                .cap = -1,
                .destination = true,
                .filter = LP_FILTER_NOTIFY_ALL,
                .observed = LP_OBSERVED_ALL,
                .decode = lp_decode_sendmsg,
                .address = LP_ADDRESS_MSGHDR,
                .check = lp_check_destination,
        },
        {
                .name = "sendmmsg",
                .syscalls = SYSCALLS("sendmmsg"),
                .cap = -1,
                .destination = true,
                .filter = LP_FILTER_NOTIFY_ALL,
                .observed = LP_OBSERVED_ALL,
                .decode = lp_decode_sendmsg,
                .address = LP_ADDRESS_MMSGHDR,
                .check = lp_check_destination,
        },
        {
                .name = "bind",
                .syscalls = SYSCALLS("bind"),
                .cap = CAP_NET_BIND_SERVICE,
                .filter = LP_FILTER_NOTIFY_ALL,
                .decode = lp_decode_sockaddr_call,
                .address = LP_ADDRESS_ARGS_1_2,
                .check = lp_check_bind_port,
        },

        /* ---- writing to the file system: watched where the plan refuses
         * some write (the filesystem check); the kernel refuses (EROFS,
         * EACCES), the finding says which path and which line. Timestamps
         * (utime*) are left to the kernel alone: an extract sets one per
         * file, and a refused one changes nothing a test could rely on. ---- */
        {
                .name = "open",
                .syscalls = SYSCALLS("open"),
                .cap = -1,
                .paths = open_paths,
                .modes = MODES({2, 1}),
                .filter = LP_FILTER_ARG_MASK_ZERO,
                .filter_arg = 1,
                .filter_mask = WRITE_FLAGS,
        },
        {
                .name = "openat",
                .syscalls = SYSCALLS("openat"),
                .cap = -1,
                .paths = openat_paths,
                .modes = MODES({3, 2}),
                .filter = LP_FILTER_ARG_MASK_ZERO,
                .filter_arg = 2,
                .filter_mask = WRITE_FLAGS,
        },
        {
                /* The flags are in its struct open_how: every call. */
                .name = "openat2",
                .syscalls = SYSCALLS("openat2"),
                .cap = -1,
                .paths = PATHS(
                        ONE(OPEN, 0, 1, .flags = -1, .nofollow = O_NOFOLLOW, .follows = true)),
                /* Its mode is in memory, which may change after a look. */
                .modes = MODES({LP_MODE_UNSEEN, -1}),
                .filter = LP_FILTER_NOTIFY_ALL,
        },
        {
                .name = "creat",
                .syscalls = SYSCALLS("creat"),
                .cap = -1,
                .paths = PATHS(ONE(OPEN, -1, 0, .follows = true)),
                .modes = MODES({1, -1}),
                .filter = LP_FILTER_NOTIFY_ALL,
        },
        {
                .name = "mkdir",
                .syscalls = SYSCALLS("mkdir", "mkdirat"),
                .cap = -1,
                .paths = PATHS(ONE(MKDIR, -1, 0, .parent = true), ONE(MKDIR, 0, 1, .parent = true)),
                .filter = LP_FILTER_NOTIFY_ALL,
        },
        {
                .name = "unlink",
                .syscalls = SYSCALLS("unlink", "unlinkat", "rmdir"),
                .cap = -1,
                .paths =
                        PATHS(ONE(DELETE, -1, 0, .parent = true), ONE(DELETE, 0, 1, .parent = true),
                              ONE(DELETE, -1, 0, .parent = true)),
                .filter = LP_FILTER_NOTIFY_ALL,
        },
        {
                .name = "rename",
                .syscalls = SYSCALLS("rename", "renameat", "renameat2"),
                .cap = -1,
                .paths = PATHS(
                        {PATH(RENAME, -1, 0, .parent = true), PATH(RENAME, -1, 1, .parent = true)},
                        {PATH(RENAME, 0, 1, .parent = true), PATH(RENAME, 2, 3, .parent = true)},
                        {PATH(RENAME, 0, 1, .parent = true), PATH(RENAME, 2, 3, .parent = true)}),
                .filter = LP_FILTER_NOTIFY_ALL,
        },
        {
                /* The new name is what changes a directory. */
                .name = "link",
                .syscalls = SYSCALLS("link", "linkat", "symlink", "symlinkat"),
                .cap = -1,
                .paths = PATHS(ONE(LINK, -1, 1, .parent = true), ONE(LINK, 2, 3, .parent = true),
                               ONE(SYMLINK, -1, 1, .parent = true),
                               ONE(SYMLINK, 1, 2, .parent = true)),
                .filter = LP_FILTER_NOTIFY_ALL,
        },
        {
                /* fchmodat2 (Linux 6.6) is what glibc 2.39 calls for
                 * fchmodat(AT_SYMLINK_NOFOLLOW). */
                .name = "chmod",
                .syscalls = SYSCALLS("chmod", "fchmodat", "fchmodat2"),
                .cap = -1,
                .paths =
                        PATHS(ONE(CHMOD, -1, 0, .follows = true), ONE(CHMOD, 0, 1, .follows = true),
                              ONE(CHMOD, 0, 1, .flags = 3, .nofollow = AT_SYMLINK_NOFOLLOW,
                                  .follows = true)),
                .modes = MODES({1, -1}, {2, -1}, {2, -1}),
                .filter = LP_FILTER_NOTIFY_ALL,
        },
        {
                /* No path (a descriptor's file): watched only for its mode,
                 * and only the calls that set S_ISUID or S_ISGID. */
                .name = "fchmod",
                .syscalls = SYSCALLS("fchmod"),
                .cap = -1,
                .modes = MODES({1, -1}),
                .filter = LP_FILTER_ARG_MASK_ZERO,
                .filter_arg = 1,
                .filter_mask = S_ISUID | S_ISGID,
        },
        {
                .name = "truncate",
                .syscalls = SYSCALLS("truncate"),
                .cap = -1,
                .paths = PATHS(ONE(TRUNCATE, -1, 0, .follows = true)),
                .filter = LP_FILTER_NOTIFY_ALL,
        },
        {
                .name = "xattr",
                .syscalls = SYSCALLS("setxattr", "lsetxattr", "removexattr", "lremovexattr"),
                .cap = -1,
                .paths = PATHS(ONE(XATTR, -1, 0, .follows = true), ONE(XATTR, -1, 0),
                               ONE(XATTR, -1, 0, .follows = true), ONE(XATTR, -1, 0)),
                .filter = LP_FILTER_NOTIFY_ALL,
        },

        /* ---- capability-gated (capabilities(7)): the supervisor tells
         * from the arguments whether this call needed the capability;
         * the kernel's own answer stands ---- */
        {
                .name = "the chown family",
                .syscalls = SYSCALLS("chown", "fchown", "lchown", "fchownat"),
                .cap = CAP_CHOWN,
                .paths = PATHS(ONE(CHOWN, -1, 0, .follows = true), NO_PATH, ONE(CHOWN, -1, 0),
                               ONE(CHOWN, 0, 1, .flags = 4, .nofollow = AT_SYMLINK_NOFOLLOW,
                                   .follows = true)),
                .filter = LP_FILTER_NOTIFY_ALL,
                /* chown(path, o, g), fchown(fd, o, g), lchown(path, o, g),
                 * fchownat(dirfd, path, o, g, flags) */
                .owner_args = (const signed char[]){1, 1, 1, 2},
                .check = lp_check_owner,
        },
        {
                .name = "the setuid family",
                .syscalls = SYSCALLS("setuid", "setreuid", "setresuid", "setfsuid"),
                .cap = CAP_SETUID,
                .filter = LP_FILTER_NOTIFY_ALL,
                .check = lp_check_set_ids,
        },
        {
                .name = "the setgid family",
                .syscalls = SYSCALLS("setgid", "setregid", "setresgid", "setfsgid", "setgroups"),
                .cap = CAP_SETGID,
                .filter = LP_FILTER_NOTIFY_ALL,
                .check = lp_check_set_ids,
        },
        {
                .name = "mknod",
                .syscalls = SYSCALLS("mknod", "mknodat"),
                .cap = CAP_MKNOD,
                .paths = PATHS(ONE(MKNOD, -1, 0, .parent = true), ONE(MKNOD, 0, 1, .parent = true)),
                .modes = MODES({1, -1}, {2, -1}),
                .filter = LP_FILTER_NOTIFY_ALL,
                .check = lp_check_device_node,
        },
        {
                .name = "setpriority",
                .syscalls = SYSCALLS("setpriority"),
                .cap = CAP_SYS_NICE,
                .filter = LP_FILTER_NOTIFY_ALL,
                .check = lp_check_raise_priority,
        },
        {
                /* Every other prctl stays in the kernel. */
                .name = "prctl(PR_SET_MM)",
                .syscalls = SYSCALLS("prctl"),
                .cap = CAP_SYS_RESOURCE,
                .filter = LP_FILTER_ARG_LO32_NOT_IN,
                .filter_arg = 0,
                .filter_values = set_mm,
                .n_filter_values = LP_ELEMENTSOF(set_mm),
                .check = lp_check_set_mm,
        },
        {
                /* setrlimit(resource, new): a raised hard limit needs the
                 * capability; the new limits are in memory. */
                .name = "setrlimit",
                .syscalls = SYSCALLS("setrlimit"),
                .cap = CAP_SYS_RESOURCE,
                .filter = LP_FILTER_NOTIFY_ALL,
                .rlimit = 1,
                .check = lp_check_raise_hard_limit,
        },
        {
                /* prlimit64(pid, resource, new, old): getrlimit is
                 * prlimit64 without new, and stays in the kernel. */
                .name = "prlimit64",
                .syscalls = SYSCALLS("prlimit64"),
                .cap = CAP_SYS_RESOURCE,
                .filter = LP_FILTER_ARG_ZERO,
                .filter_arg = 2,
                .rlimit = 2,
                .check = lp_check_raise_hard_limit,
        },
        CAPABILITY("chroot", CAP_SYS_CHROOT, "chroot"),
        CAPABILITY("mount", CAP_SYS_ADMIN, "mount", "umount2"),
        CAPABILITY("setns", CAP_SYS_ADMIN, "setns"),
        CAPABILITY("the hostname", CAP_SYS_ADMIN, "sethostname", "setdomainname"),
        CAPABILITY("the clock", CAP_SYS_TIME, "settimeofday", "clock_settime", "adjtimex",
                   "clock_adjtime"),
        {.name = NULL},
};

/* Each member name's entry, sorted by name: a launch asks for
 * each of the few hundred syscalls a profile allows, and scanning every
 * entry's members for each was 2 % of a launch's time. Built once; a
 * table that outgrew it is scanned as before. */
struct member_entry {
        const char *name;
        const struct lp_watch *w;
};

static struct member_entry members[LP_WATCH_MEMBERS_MAX];
static size_t n_members;
static bool members_indexed; /* leastpriv has one thread */

static int by_entry_name(const void *a, const void *b)
{
        return strcmp(((const struct member_entry *)a)->name,
                      ((const struct member_entry *)b)->name);
}

static void index_members(void)
{
        size_t n = 0;
        members_indexed = true;
        for (const struct lp_watch *w = lp_watches; w->name; w++)
                for (size_t i = 0; w->syscalls[i]; i++, n++)
                        if (n < LP_ELEMENTSOF(members))
                                members[n] = (struct member_entry){w->syscalls[i], w};
        if (n > LP_ELEMENTSOF(members))
                return; /* n_members 0: scanned */
        /* A name is one entry's (test_tables checks it). */
        qsort(members, n, sizeof(*members), by_entry_name);
        n_members = n;
}

static int by_name(const void *key, const void *entry)
{
        return strcmp(key, ((const struct member_entry *)entry)->name);
}

const struct lp_watch *lp_watch_find(const char *syscall)
{
        if (!syscall)
                return NULL;
        if (!members_indexed)
                index_members();
        if (!n_members) {
                for (const struct lp_watch *w = lp_watches; w->name; w++)
                        if (lp_watch_member(w, syscall) >= 0)
                                return w;
                return NULL;
        }
        const struct member_entry *e =
                bsearch(syscall, members, n_members, sizeof(*members), by_name);
        return e ? e->w : NULL;
}

bool lp_watch_hardened(const struct lp_policy *p, const char *syscall)
{
        return lp_watch_hardens(lp_watch_find(syscall), lp_policy_syscall_by_name(p, syscall));
}

bool lp_watch_paths_watched(const struct lp_watch *w, const char *syscall, bool fs_restricted)
{
        const struct lp_watch_paths *paths = lp_watch_paths_of(w, syscall);
        return fs_restricted && paths && paths->first.op != LP_FS_OP_NONE;
}

/* Watched for a reason other than its mode. */
static bool active_but_mode(const struct lp_policy *p, const struct lp_watch *w,
                            const char *syscall, bool fs_restricted)
{
        return (w->hardening && lp_watch_hardened(p, syscall)) ||
               (w->cap >= 0 && !lp_policy_keeps(p, w->cap)) ||
               (w->destination && p->netns != LP_NETNS_HOST) || w->always ||
               lp_watch_paths_watched(w, syscall, fs_restricted);
}

bool lp_watch_active(const struct lp_policy *p, const struct lp_watch *w, const char *syscall,
                     bool fs_restricted)
{
        return active_but_mode(p, w, syscall, fs_restricted) ||
               (lp_policy_restricts_suid(p) && lp_watch_mode_of(w, syscall));
}

const struct lp_watch_mode *lp_watch_mode_only(const struct lp_policy *p, const struct lp_watch *w,
                                               const char *syscall, bool fs_restricted)
{
        const struct lp_watch_mode *m = lp_watch_mode_of(w, syscall);
        if (!m || !lp_policy_restricts_suid(p) || active_but_mode(p, w, syscall, fs_restricted))
                return NULL;
        return m;
}

const struct lp_watch_paths *lp_watch_paths_of(const struct lp_watch *w, const char *syscall)
{
        int i = w && w->paths ? lp_watch_member(w, syscall) : -1;
        return i >= 0 ? &w->paths[i] : NULL;
}

struct lp_fs_counted lp_watch_fs_counted(const struct lp_policy *p,
                                         const struct lp_syscall_rule *rule, bool own_ids_fixed)
{
        struct lp_fs_counted never = {LP_FS_COUNTED_NEVER, -1, -1};
        const struct lp_watch *w = lp_watch_find(rule->name);
        /* The filter's own questions (launch/filter.c, add_allowed), asked
         * as it asks them with the paths no longer watched. */
        if (rule->action.type != LP_ACTION_ALLOW || !lp_watch_paths_watched(w, rule->name, true))
                return never;
        const struct lp_watch_mode *m = lp_watch_mode_only(p, w, rule->name, false);
        if (m)
                return m->mode == LP_MODE_UNSEEN ? never
                                                 : (struct lp_fs_counted){LP_FS_COUNTED_PLAIN_MODE,
                                                                          m->mode, m->flags};
        if (!lp_watch_active(p, w, rule->name, false))
                return (struct lp_fs_counted){LP_FS_COUNTED_ALWAYS, -1, -1};
        int owner = lp_watch_owner_arg(w, rule->name);
        if (owner >= 0 && own_ids_fixed)
                return (struct lp_fs_counted){LP_FS_COUNTED_OWN_IDS, owner, -1};
        return never;
}
