/* The resolved policy: a plain, read-only struct that every later stage
 * (the filter, caps, netns, env, limits, findings, show, diff, learn)
 * consumes. profile/load.h makes one from profile text.
 *
 * Every granted item carries the FILE:LINE that granted it, so findings and
 * `leastpriv show` can cite it. This header includes no other leastpriv
 * header: everything above the profile stage reads it. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Where an item came from. `file` is owned by the policy (interned);
 * line 0 means "built in" (a default or the always-on hardening). */
struct lp_origin {
        const char *file;
        unsigned line;
};

enum lp_action_type {
        LP_ACTION_ALLOW,
        LP_ACTION_ERRNO,
        LP_ACTION_KILL,
};

struct lp_action {
        enum lp_action_type type;
        int errno_value; /* LP_ACTION_ERRNO only */
};

/* One token of [Syscalls] Allow= or Deny=, after resets and includes. */
struct lp_syscall_token {
        char *token;             /* "ptrace" or "@mount" */
        struct lp_action action; /* ALLOW for Allow=; ERRNO/KILL for Deny= */
        bool action_given;       /* Deny=name:EINVAL rather than plain Deny=name */
        struct lp_origin origin;
};

/* What the policy decides for one syscall of the native architecture. */
struct lp_syscall_rule {
        int nr;
        char *name; /* libseccomp's name, owned by the policy */
        struct lp_action action;
        bool named;              /* decided by the bare name, not via a group */
        const char *group;       /* "@mount" when a group decided, else NULL */
        bool hardening;          /* decided by the always-on hardening (clone3, io_uring) */
        struct lp_origin origin; /* the deciding line (DefaultAction= for the default) */
};

enum lp_netns_mode {
        LP_NETNS_NONE,     /* new namespace, lo down */
        LP_NETNS_LOOPBACK, /* new namespace, lo up (default) */
        LP_NETNS_HOST,     /* no new namespace */
};

/* Forward=tcp:[INSIDE=][HOST:]PORT: inside 127.0.0.1:INSIDE (and [::1]
 * where AF_INET6 is granted) -> the host's HOST:PORT (127.0.0.1 when
 * HOST is not given). */
struct lp_forward {
        uint16_t inside_port;
        char host[64]; /* numeric IPv4 or IPv6 address, no brackets */
        uint16_t host_port;
        /* Forward=unix:PATH: the host's unix socket at PATH, reachable at
         * the same path inside; "" for a tcp: forward. */
        char path[108];
        struct lp_origin origin;
};

struct lp_capability {
        int cap; /* CAP_* number */
        struct lp_origin origin;
};

struct lp_family {
        int family;   /* AF_* number */
        int protocol; /* AF_NETLINK: the one protocol granted; -1: every one */
        struct lp_origin origin;
};

struct lp_pattern {
        char *glob; /* fnmatch(3) pattern */
        struct lp_origin origin;
};

struct lp_setenv {
        char *name;
        char *value;
        struct lp_origin origin;
};

/* [Filesystem] ProtectSystem=, in systemd's meanings. */
enum lp_protect_system {
        LP_PROTECT_SYSTEM_NO,     /* nothing read-only */
        LP_PROTECT_SYSTEM_FULL,   /* /usr, /boot, /efi, /etc read-only */
        LP_PROTECT_SYSTEM_STRICT, /* everything read-only but /dev, /proc, /sys */
};

/* A path of ReadWritePaths=, ReadOnlyPaths= or InaccessiblePaths=, as
 * written: absolute, "~" or "~/..." (the caller's home), or relative to
 * where `run` started. Resolved at launch (rules/fs_plan.h). */
struct lp_path {
        char *path;    /* without the leading '-' */
        bool optional; /* '-': skipped when missing */
        struct lp_origin origin;
};

struct lp_flag {
        bool value;
        struct lp_origin origin;
};

struct lp_limit {
        bool set;
        uint64_t value;
        struct lp_origin origin;
};

/* [Identity] DynamicUser=: the ids a run may be given (a uid and the gid
 * of the same number). systemd's DynamicUser= range: no distribution
 * gives accounts there, and systemd's own allocations are skipped
 * (launch/dynamic_user.c). */
#define LP_DYNAMIC_ID_MIN 61184
#define LP_DYNAMIC_ID_MAX 65519
#define LP_DYNAMIC_RANGE_TEXT "61184-65519"

struct lp_policy {
        char *source; /* the top-level profile as the user named it */
        char *description;

        /* [Syscalls], as written (after includes and resets) ... */
        struct lp_syscall_token *allow;
        size_t n_allow;
        struct lp_syscall_token *deny;
        size_t n_deny;
        struct lp_action default_action;
        struct lp_origin default_origin;
        /* ... and resolved: one rule per syscall of the native arch, by nr. */
        struct lp_syscall_rule *syscalls;
        size_t n_syscalls;

        struct lp_capability *keep;
        size_t n_keep;
        struct lp_origin keep_origin; /* the last Keep= line: findings cite it */

        enum lp_netns_mode netns;
        struct lp_origin netns_origin;
        struct lp_family *families;
        size_t n_families;
        struct lp_forward *forwards;
        size_t n_forwards;
        struct lp_flag forward_outside; /* ForwardOutside=: HOST beyond loopback */

        struct lp_pattern *withhold;
        size_t n_withhold;
        struct lp_pattern *pass;
        size_t n_pass;
        bool clear_env;
        struct lp_origin clear_env_origin;
        struct lp_setenv *set_env;
        size_t n_set_env;

        enum lp_protect_system protect_system;
        struct lp_origin protect_system_origin;
        struct lp_path *rw_paths; /* ReadWritePaths= */
        size_t n_rw_paths;
        struct lp_path *ro_paths; /* ReadOnlyPaths= */
        size_t n_ro_paths;
        struct lp_path *hidden_paths; /* InaccessiblePaths= */
        size_t n_hidden_paths;
        struct lp_flag private_tmp;
        struct lp_flag private_devices;
        struct lp_flag protect_tunables; /* ProtectKernelTunables= */
        struct lp_flag protect_cgroups;  /* ProtectControlGroups= */
        struct lp_flag restrict_suid;    /* RestrictSUIDSGID= */

        struct lp_flag withhold_url_passwords; /* [Environment] WithholdURLPasswords= */
        struct lp_flag private_ipc;            /* [Host] PrivateIPC= */
        struct lp_flag protect_hostname;       /* [Host] ProtectHostname= */

        struct lp_limit timeout;    /* seconds */
        struct lp_limit processes;  /* RLIMIT_NPROC */
        struct lp_limit open_files; /* RLIMIT_NOFILE */
        struct lp_limit tmp_size;   /* bytes of each private /tmp, /var/tmp, /dev/shm */
        struct lp_limit memory;     /* bytes: the run's memory cgroup limit */

        char *user; /* [Identity] User=, NULL when absent */
        struct lp_origin user_origin;
        char *group; /* [Identity] Group=, NULL when absent */
        struct lp_origin group_origin;
        /* [Identity] DynamicUser=: a uid and gid of the run's own
         * (launch/dynamic_user.h). */
        struct lp_flag dynamic_user;

        /* Interned file names that origins point into. */
        char **files;
        size_t n_files;
};

/* Whether the profile changes the command's view of the file system at
 * all (any [Filesystem] rule): it then needs a mount namespace. */
bool lp_policy_has_filesystem_rules(const struct lp_policy *p);

/* Whether the command gets any namespace of its own (network, IPC, UTS,
 * mount): without root they need a user namespace. */
bool lp_policy_wants_namespaces(const struct lp_policy *p);

/* Frees a policy of lp_policy_load* (profile/load.h); NULL is a no-op. */
void lp_policy_free(struct lp_policy *p);

/* Whether nothing in the profile names this syscall: neither by name, nor
 * through a group, nor the built-in hardening; DefaultAction decides. */
static inline bool lp_syscall_rule_is_default(const struct lp_syscall_rule *r)
{
        return !r->named && !r->group && !r->hardening;
}

/* Whether the profile allows the syscall by its bare name: that, and only
 * that, lifts the always-on argument hardening of the syscall (the
 * watch table, rules/watch.h, says which syscalls have one). */
static inline bool lp_syscall_rule_named_allow(const struct lp_syscall_rule *r)
{
        return r && r->named && r->action.type == LP_ACTION_ALLOW;
}

/* Whether modes with S_ISUID or S_ISGID are refused (rules/checks.h,
 * lp_check_mode): RestrictSUIDSGID=yes, or a dynamic user, which implies
 * it (its files in the workspace are the caller's on disk). */
static inline bool lp_policy_restricts_suid(const struct lp_policy *p)
{
        return p->restrict_suid.value || p->dynamic_user.value;
}

/* Look-ups for the later stages; NULL when not found. */
const struct lp_syscall_rule *lp_policy_syscall(const struct lp_policy *p, int nr);
const struct lp_syscall_rule *lp_policy_syscall_by_name(const struct lp_policy *p,
                                                        const char *name);
const struct lp_capability *lp_policy_keeps(const struct lp_policy *p, int cap);
/* The entry of `family` (the whole family's, else a protocol's), or NULL. */
const struct lp_family *lp_policy_family(const struct lp_policy *p, int family);
/* Whether socket(family, *, protocol) is granted. */
bool lp_policy_socket(const struct lp_policy *p, int family, int protocol);
/* Whether a [Network] Forward= serves the inside port `port`. */
bool lp_policy_forwards(const struct lp_policy *p, uint16_t port);

/* The first Withhold= pattern that matches NAME, Pass= aside, or NULL.
 * Pass= overrides it (lp_policy_passes); launch/env.c also judges the
 * value (docs/architecture.md, "Profiles"). */
const struct lp_pattern *lp_policy_withhold_pattern(const struct lp_policy *p, const char *name);

/* Whether a Pass= pattern names the variable NAME. */
bool lp_policy_passes(const struct lp_policy *p, const char *name);

/* "FILE:LINE" (or "built-in" for line 0) into buf; returns buf. */
const char *lp_origin_format(const struct lp_origin *o, char *buf, size_t size);
