/* The watch table (watch.h). */
#include "rules/watch.h"

#include <linux/capability.h>
#include <string.h>

#include "base/util.h"
#include "profile/policy.h"
#include "rules/checks.h"

#define SYSCALLS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Compared on the low 32 bits, as the kernel reads an ioctl request:
 * otherwise 0x1_00005412 would slip by (CVE-2017-5226 follow-up in
 * bubblewrap). */
static const uint32_t tty_injection[] = {LP_IOCTL_TIOCSTI, LP_IOCTL_TIOCLINUX};

/* A syscall that needs `cap` whatever its arguments. */
#define CAPABILITY(entry_name, cap_, ...)                                           \
        {                                                                           \
                .name = entry_name, .syscalls = SYSCALLS(__VA_ARGS__), .cap = cap_, \
                .filter = LP_FILTER_NOTIFY_ALL, .check = lp_check_capability,       \
        }

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

        /* ---- capability-gated (capabilities(7)): the supervisor tells
         * from the arguments whether this call needed the capability;
         * the kernel's own answer stands ---- */
        {
                .name = "the chown family",
                .syscalls = SYSCALLS("chown", "fchown", "lchown", "fchownat"),
                .cap = CAP_CHOWN,
                .filter = LP_FILTER_NOTIFY_ALL,
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
        CAPABILITY("chroot", CAP_SYS_CHROOT, "chroot"),
        CAPABILITY("mount", CAP_SYS_ADMIN, "mount", "umount2"),
        CAPABILITY("setns", CAP_SYS_ADMIN, "setns"),
        CAPABILITY("the hostname", CAP_SYS_ADMIN, "sethostname", "setdomainname"),
        CAPABILITY("the clock", CAP_SYS_TIME, "settimeofday", "clock_settime", "adjtimex",
                   "clock_adjtime"),
        {.name = NULL},
};

static bool member(const struct lp_watch *w, const char *syscall)
{
        for (size_t i = 0; w->syscalls[i]; i++)
                if (strcmp(w->syscalls[i], syscall) == 0)
                        return true;
        return false;
}

const struct lp_watch *lp_watch_find(const char *syscall)
{
        for (const struct lp_watch *w = lp_watches; syscall && w->name; w++)
                if (member(w, syscall))
                        return w;
        return NULL;
}

bool lp_watch_hardened(const struct lp_policy *p, const char *syscall)
{
        return lp_watch_hardens(lp_watch_find(syscall), lp_policy_syscall_by_name(p, syscall));
}

bool lp_watch_active(const struct lp_policy *p, const struct lp_watch *w, const char *syscall)
{
        return (w->hardening && lp_watch_hardened(p, syscall)) ||
               (w->cap >= 0 && !lp_policy_keeps(p, w->cap)) ||
               (w->destination && p->netns != LP_NETNS_HOST) || w->always;
}
