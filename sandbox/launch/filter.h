/* The seccomp filter: compiled from the policy and the watch table in the
 * parent, before the fork, into a ready BPF program that the child only
 * has to load. Compiling with libseccomp costs about 0.4 ms and
 * seccomp_load about 0.9 ms, while loading a ready program costs about
 * 0.1 ms. */
#pragma once
#include <linux/filter.h>
#include <stdbool.h>

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
};

int lp_filter_compile(const struct lp_policy *p, const struct lp_filter_options *o,
                      struct lp_filter **ret);
void lp_filter_free(struct lp_filter *f);

/* In the child, after no_new_privs: loads the program and returns the
 * notification listener fd, or -errno. Async-signal-safe: no allocation. */
int lp_filter_install(const struct lp_filter *f);

/* Writes the filter in libseccomp's pseudo filter code (for tests). */
int lp_filter_export_pfc(const struct lp_policy *p, const struct lp_filter_options *o, int fd);
