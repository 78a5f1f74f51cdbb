/* The watch table (docs/architecture.md, "The watch table"): every syscall
 * the supervisor must see even when the profile allows it, one entry per
 * syscall or family of syscalls, holding
 *
 *   - when it is watched for a policy (its hardening is on, its
 *     capability is not kept, or the command has a network namespace of
 *     its own: each entry says which of these concern it),
 *   - its filter rule: which calls stay in the kernel, and so cost
 *     nothing (launch/filter.c builds the BPF from it),
 *   - its decoder: how a call is described in a finding (decode.h),
 *   - its check: what a watched call comes to (checks.h: a refusal, a
 *     finding with the kernel's own answer standing, or nothing).
 *
 * learn/ and review/ read it too: which syscalls carry argument hardening,
 * and what lifting it grants. Adding a watched call is one entry here,
 * its decoder and check where they are new, and its tests. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "profile/policy.h"
#include "rules/fs_plan.h"
#include "rules/decode.h"
#include "rules/verdict.h"

struct lp_call;

/* Which calls of a watched syscall stay in the kernel. */
enum lp_watch_filter {
        LP_FILTER_NOTIFY_ALL,      /* none: every call goes to the supervisor */
        LP_FILTER_ARG_ZERO,        /* those with args[arg] == 0 */
        LP_FILTER_ARG_MASK_ZERO,   /* those with (args[arg] & mask) == 0 */
        LP_FILTER_ARG_LO32_NOT_IN, /* those whose args[arg] has none of values[] in its low 32 bits
                                    */
        LP_FILTER_SOCKET_FAMILIES, /* socket(): the profile's families (filter.c) */
};

/* Which more calls stay in the kernel under the network observer
 * (supervise/net_observer.h), which counts inet destinations there. */
enum lp_watch_observed {
        LP_OBSERVED_NONE,
        /* those whose args[observed_arg], an address's length, is an IPv4
         * or IPv6 address's (16 or 28): a unix socket's goes on to the
         * supervisor, which looks for a hidden path */
        LP_OBSERVED_INET_LENGTH,
        LP_OBSERVED_ALL, /* every call */
};

/* Where a watched call's destination or bound address is (call.c reads
 * it into the call's addresses). */
enum lp_watch_address {
        LP_ADDRESS_NONE,
        LP_ADDRESS_ARGS_1_2, /* connect(fd, addr, len), bind(fd, addr, len) */
        LP_ADDRESS_ARGS_4_5, /* sendto(fd, buf, len, flags, addr, len) */
        LP_ADDRESS_MSGHDR,   /* sendmsg(fd, msghdr, flags): msg_name */
        LP_ADDRESS_MMSGHDR,  /* sendmmsg(fd, mmsghdr[], vlen, flags): each msg_name */
};

/* Where a path a call writes is in its arguments. */
struct lp_watch_path {
        enum lp_fs_op op;
        signed char dirfd;      /* the argument with the directory fd; -1: the cwd */
        signed char path;       /* the argument with the path */
        signed char flags;      /* the argument with `nofollow` (no call has its
                                 * flags first: 0 is none); -1: openat2's, in
                                 * its struct open_how */
        unsigned long nofollow; /* the flag that keeps a last symlink unfollowed */
        bool follows;           /* without that flag, a last symlink is followed */
        bool parent;            /* it changes the directory, which must be writable */
};

/* Where the mode a call gives a file is (chmod's, open's with O_CREAT):
 * under a dynamic user it may not carry S_ISUID or S_ISGID (checks.h,
 * lp_check_mode). */
struct lp_watch_mode {
        signed char mode;  /* the argument; LP_MODE_UNSEEN: not in a register */
        signed char flags; /* open's flags: the mode counts with O_CREAT or
                            * O_TMPFILE only; -1: always */
};
#define LP_MODE_UNSEEN (-2)

/* The paths of one syscall: one, or two for rename and link. */
struct lp_watch_paths {
        struct lp_watch_path first, second;
};

struct lp_watch {
        const char *name;            /* "ioctl", "the chown family" */
        const char *const *syscalls; /* NULL-terminated libseccomp names */
        /* Argument hardening (always on unless the profile allows the
         * syscall by its bare name): what it refuses, as `diff` names the
         * privilege of lifting it ("ioctl(TIOCSTI, TIOCLINUX)"); NULL when
         * the entry has none. */
        const char *hardening;
        int cap;          /* the capability calls may need, or -1 */
        bool destination; /* watched where the command has its own network namespace */
        bool always;      /* watched under every policy */
        /* One per member of syscalls: the paths each writes (NULL: none,
         * or the entry writes no path). Watched where the filesystem plan
         * refuses some write. */
        const struct lp_watch_paths *paths;
        /* One per member of syscalls: where its mode is (NULL: no member
         * gives one). Watched under [Identity] DynamicUser=yes. */
        const struct lp_watch_mode *modes;
        enum lp_watch_filter filter;
        unsigned filter_arg;
        uint64_t filter_mask;
        const uint32_t *filter_values;
        size_t n_filter_values;
        enum lp_watch_observed observed;
        unsigned observed_arg;
        /* One per member of syscalls: the argument with the new owner (the
         * group follows it), for calls that give a file the process's own
         * ids, which need no capability (lp_check_owner finds nothing in
         * them): they stay in the kernel where the run's ids cannot change
         * and no path of the call is watched (launch/filter.c). NULL: none. */
        const signed char *owner_args;
        /* NULL: lp_decode_generic. */
        void (*decode)(const struct lp_decode_reader *rd, const char *syscall, const uint64_t *args,
                       struct lp_decoded *d);
        enum lp_watch_address address;
        /* setrlimit, prlimit64: the argument with the new struct rlimit
         * (call.c reads it into the call's rlimit; the resource is the
         * argument before it); 0: none. */
        unsigned char rlimit;
        /* Adds what a watched call comes to to v (nothing when the call is
         * fine); leaves v->answer alone unless it refuses the call. NULL:
         * the entry is about paths only (the filesystem check). */
        void (*check)(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v);
};

/* The table; the entry after the last has a NULL name. */
extern const struct lp_watch lp_watches[];

/* Whether the calls of `syscall` are watched for the paths they write
 * (the filesystem check), where the plan refuses some write. */
bool lp_watch_paths_watched(const struct lp_watch *w, const char *syscall, bool fs_restricted);

/* The syscall names of the whole table that lp_watch_find indexes (a
 * table with more is scanned: tests/unit/test_tables.c keeps it within). */
#define LP_WATCH_MEMBERS_MAX 512

/* The entry of a syscall, by libseccomp name; NULL when it has none. */
const struct lp_watch *lp_watch_find(const char *syscall);

/* Whether the argument hardening of `syscall` is on in p: the entry has
 * one and p does not allow the syscall by its bare name. */
bool lp_watch_hardened(const struct lp_policy *p, const char *syscall);

/* The same for an entry and the syscall's rule (NULL: not native). */
static inline bool lp_watch_hardens(const struct lp_watch *w, const struct lp_syscall_rule *rule)
{
        return w && w->hardening && !lp_syscall_rule_named_allow(rule);
}

/* Whether the filter must send calls of `syscall` (allowed by p) to the
 * supervisor, as far as w's filter rule does not keep them in the kernel.
 * `fs_restricted`: the run's filesystem plan refuses some write. */
bool lp_watch_active(const struct lp_policy *p, const struct lp_watch *w, const char *syscall,
                     bool fs_restricted);

/* The place of `syscall` among w's members, the index of its row in the
 * per-member tables (paths, modes, owner_args); -1 when it is none. */
static inline int lp_watch_member(const struct lp_watch *w, const char *syscall)
{
        for (int i = 0; w && w->syscalls[i]; i++)
                if (strcmp(w->syscalls[i], syscall) == 0)
                        return i;
        return -1;
}

/* Where `syscall` of w has its mode, or NULL. (Inline: checks.c reads it,
 * and the table points at checks.c's functions.) */
static inline const struct lp_watch_mode *lp_watch_mode_of(const struct lp_watch *w,
                                                           const char *syscall)
{
        int i = w && w->modes ? lp_watch_member(w, syscall) : -1;
        return i >= 0 ? &w->modes[i] : NULL;
}

/* The argument of `syscall` of w with the new owner, or -1. */
static inline int lp_watch_owner_arg(const struct lp_watch *w, const char *syscall)
{
        int i = w && w->owner_args ? lp_watch_member(w, syscall) : -1;
        return i >= 0 ? w->owner_args[i] : -1;
}

/* Where `syscall` has its mode when the mode is the only reason it is
 * watched (RestrictSUIDSGID=): the filter then keeps the calls without
 * S_ISUID and S_ISGID in the kernel. NULL otherwise. */
const struct lp_watch_mode *lp_watch_mode_only(const struct lp_policy *p, const struct lp_watch *w,
                                               const char *syscall, bool fs_restricted);

/* The paths `syscall` of w writes, or NULL. */
const struct lp_watch_paths *lp_watch_paths_of(const struct lp_watch *w, const char *syscall);

/* The filesystem observer (supervise/fs_observer.h) counts, in the
 * kernel, the refused calls of a path-writing syscall that the filter
 * leaves in the kernel once it no longer watches paths: exactly the
 * complement of what is still notified for another reason (a capability,
 * a set-id mode, the own-ids chown rule), so that no refusal is counted
 * twice or not at all. */
enum lp_fs_counted_kind {
        LP_FS_COUNTED_NEVER,      /* notified, or not allowed: the supervisor's */
        LP_FS_COUNTED_ALWAYS,     /* every call */
        LP_FS_COUNTED_PLAIN_MODE, /* unless `arg` has S_ISUID or S_ISGID and the
                                   * open flags at `flags_arg` (if >= 0) create */
        LP_FS_COUNTED_OWN_IDS,    /* when args `arg` and `arg`+1 are the own ids or -1 */
};

struct lp_fs_counted {
        enum lp_fs_counted_kind kind;
        int arg, flags_arg;
};

/* For an allowed syscall of the policy; own_ids_fixed as the filter's
 * option of that name. */
struct lp_fs_counted lp_watch_fs_counted(const struct lp_policy *p,
                                         const struct lp_syscall_rule *rule, bool own_ids_fixed);
