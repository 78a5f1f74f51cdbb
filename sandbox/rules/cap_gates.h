/* Capability-gated operations (DESIGN.md §4): syscalls whose success can
 * depend on a capability. When such a syscall is allowed but the capability
 * is not kept, the filter notifies it so the supervisor can tell whether the
 * call needed the capability (chown to another owner, bind below the
 * unprivileged port start, ...) and name it in a finding; the kernel's own
 * answer stands (CONTINUE). */
#pragma once

struct lp_cap_gate {
        const char *syscall; /* libseccomp name */
        int cap;             /* CAP_* it may need */
};

/* Terminated by an entry whose syscall is NULL. A syscall may appear more
 * than once (setns: CAP_SYS_ADMIN only here; socket: CAP_NET_RAW). */
extern const struct lp_cap_gate lp_cap_gates[];
