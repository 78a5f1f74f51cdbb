#include "rules/cap_gates.h"

#include <linux/capability.h>
#include <stddef.h>

/* Each row is the capability the kernel checks for that call, from
 * capabilities(7); the supervisor decides from the arguments whether this
 * particular call needed it (for example chown to one's own uid does not). */
const struct lp_cap_gate lp_cap_gates[] = {
        {"chown", CAP_CHOWN},           {"fchown", CAP_CHOWN},
        {"lchown", CAP_CHOWN},          {"fchownat", CAP_CHOWN},
        {"setuid", CAP_SETUID},         {"setreuid", CAP_SETUID},
        {"setresuid", CAP_SETUID},      {"setfsuid", CAP_SETUID},
        {"setgid", CAP_SETGID},         {"setregid", CAP_SETGID},
        {"setresgid", CAP_SETGID},      {"setfsgid", CAP_SETGID},
        {"setgroups", CAP_SETGID},      {"mknod", CAP_MKNOD},
        {"mknodat", CAP_MKNOD},         {"chroot", CAP_SYS_CHROOT},
        {"mount", CAP_SYS_ADMIN},       {"umount2", CAP_SYS_ADMIN},
        {"setns", CAP_SYS_ADMIN},       {"unshare", CAP_SYS_ADMIN},
        {"sethostname", CAP_SYS_ADMIN}, {"setdomainname", CAP_SYS_ADMIN},
        {"settimeofday", CAP_SYS_TIME}, {"clock_settime", CAP_SYS_TIME},
        {"adjtimex", CAP_SYS_TIME},     {"clock_adjtime", CAP_SYS_TIME},
        {"setpriority", CAP_SYS_NICE},  {"bind", CAP_NET_BIND_SERVICE},
        {"socket", CAP_NET_RAW},        {NULL, 0},
};
