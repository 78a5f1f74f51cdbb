/* The seccomp filter: compiled from the policy and the watch table in the
 * parent, before the fork, into a ready BPF program that the child only
 * has to load. The policy is first turned into the list of rules
 * libseccomp is to be given; that list is the key of a compiled program
 * kept from an earlier run (launch/filter_cache.h), and only a miss pays
 * libseccomp's rule building and BPF export (2-3 ms on the default
 * profile, most of a launch's user CPU time). */
#pragma once
#include <linux/filter.h>
#include <stdbool.h>
#include <stdint.h>

struct lp_policy;

struct lp_filter {
        struct sock_fprog prog;
};

struct lp_filter_options {
        /* The child's end of the status socket. sendmsg() on exactly that fd
         * stays allowed so the child can pass the listener to the parent
         * even under a profile that denies sendmsg (otherwise the child
         * would wait for a supervisor that has no listener yet). -1: none. */
        int handshake_fd;
        /* NULL-terminated syscall names allowed unless the policy denies
         * them by name (learning's floor); NULL: none. */
        const char *const *also_allow;
        /* The run's filesystem plan refuses some write: the calls that
         * write paths are watched (rules/watch.h). */
        bool fs_restricted;
        /* The network observer is attached (supervise/net_observer.h): the
         * calls it counts in the kernel are not notified (rules/watch.h). */
        bool net_observed;
        /* ... and unix destinations too (its unix hooks): connect and
         * sendto are not notified at all. */
        bool unix_observed;
        /* The filesystem observer counts refused writes in the kernel
         * (supervise/fs_observer.h): paths are not watched, whatever
         * fs_restricted says (rules/watch.h, lp_watch_fs_counted). */
        bool fs_observed;
        /* The ids the command runs as, when it cannot change them (no
         * CAP_SETUID or CAP_SETGID kept): a chown to them stays in the
         * kernel (rules/watch.h, owner_args). */
        bool own_ids_fixed;
        uint32_t own_uid, own_gid;
        /* Where compiled programs are kept (launch/filter_cache.h); NULL:
         * compile every time (--no-cache). */
        const char *cache_dir;
};

int lp_filter_compile(const struct lp_policy *p, const struct lp_filter_options *o,
                      struct lp_filter **ret);
void lp_filter_free(struct lp_filter *f);

/* In the child, after no_new_privs: loads the program and returns the
 * notification listener fd, or -errno. Async-signal-safe: no allocation. */
int lp_filter_install(const struct lp_filter *f);

/* Writes the filter in libseccomp's pseudo filter code (for tests). */
int lp_filter_export_pfc(const struct lp_policy *p, const struct lp_filter_options *o, int fd);
