/* The executable of a notifying thread, by thread id, without a readlink
 * of /proc/TID/exe per notification where the kernel says when a cached
 * name stops being true: the process events connector (cn_proc) reports
 * every exec and every exit, in the context of the task that does it, so
 * its message is queued before that task (or a new one with its tid) can
 * make another notified call. Every look first reads what the connector
 * queued (unless a poll after the notification's receive found nothing
 * there: lp_exe_cache_polled); an exec drops the names of its whole
 * thread group, an exit its thread's; a lost message (the socket
 * overflowed) drops them all.
 *
 * Without the connector (outside the initial user and PID namespaces,
 * whose pids its events are in; not root before Linux 6.6; a kernel
 * without CONFIG_PROC_EVENTS; a network namespace of our own),
 * every look reads /proc/TID/exe, as before: a cache that could name the
 * wrong program would be worse than none. */
#pragma once
#include <stdbool.h>

/* Slots, by tid modulo: a storm comes from a handful of threads. */
#define LP_EXE_CACHE_SLOTS 64
#define LP_EXE_NAME_MAX 256

struct lp_exe_cache {
        /* The connector's socket: -1 until the first look, -2 when the
         * kernel does not give us its events (every look reads /proc). */
        int events;
        struct lp_exe_slot {
                int tid, tgid;
                /* Still true: no exec or exit of tid since it was read. A
                 * slot that is not is kept for a thread already gone, whose
                 * finding then joins its siblings' (the tid still matches). */
                bool valid;
                char exe[LP_EXE_NAME_MAX];
        } slots[LP_EXE_CACHE_SLOTS];
        unsigned long hits, reads; /* for the benchmarks and the tests */
        /* The caller's poll found the connector empty after the
         * notification of the next look was received (lp_exe_cache_polled). */
        bool quiet;
        unsigned long skipped; /* reads of the connector that quiet spared */
};

void lp_exe_cache_init(struct lp_exe_cache *c);
void lp_exe_cache_done(struct lp_exe_cache *c);

/* The executable of tid ("/usr/bin/gdb"), "" when it cannot be told; the
 * string is the cache's, valid until the next look. tid must be blocked
 * in a notified call (its exec cannot race the look). */
const char *lp_exe_cache_lookup(struct lp_exe_cache *c, int tid);

/* Whether looks are answered from the cache (the connector is ours). */
bool lp_exe_cache_exact(const struct lp_exe_cache *c);

/* The connector's socket, for the caller's poll set; -1 while there is
 * none. */
int lp_exe_cache_fd(const struct lp_exe_cache *c);

/* What a poll of that socket said (`queued`: anything at all, POLLERR
 * included: an overrun can leave it empty, marked ENOBUFS), made after the
 * notification the next look is for was received: its task's last exec
 * or exit came before its call, and the connector had queued its event
 * before the call was made, so an empty connector then means that the
 * look need not read it (the notifier polls the listener and this socket
 * in one call after each receive: a storm's look then costs no system
 * call of its own). Good for that look only. */
void lp_exe_cache_polled(struct lp_exe_cache *c, bool queued);
