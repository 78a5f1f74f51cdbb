/* The network observer's counts, as findings (net_observed.h). */
#include "supervise/net_observed.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "rules/checks.h"
#include "rules/packet.h"
#include "rules/net_bpf.h"
#include "supervise/exec_names.h"
#include "supervise/net_observer.h"
#include "supervise/record.h"
#include "supervise/tracee.h"

/* What was read of a key's first process when it was announced, while
 * it ran: its executable; for a unix key, where its path led in the
 * command's view (the run's mount namespace is gone by the collection).
 * Either may be NULL. */
struct exe {
        struct lp_net_key key;
        char *path;
        char *unix_path;
};

struct lp_net_observed {
        const struct lp_net_observer *o;
        int execs, command; /* lp_net_observed_names */
        struct lp_proc proc;
        struct exe *exes;
        size_t n_exes, cap_exes;
        uint64_t unreadable; /* unix addresses the programs could not read */
};

/* One counted destination, read back from the map. */
struct counted {
        struct lp_net_key key;
        struct lp_net_value value;
};

int lp_net_observed_new(const struct lp_net_observer *o, struct lp_net_observed **ret)
{
        *ret = NULL;
        if (!o || o->events < 0)
                return 0;
        struct lp_net_observed *w = calloc(1, sizeof(*w));
        if (!w)
                return -ENOMEM;
        w->o = o;
        w->execs = -1;
        *ret = w;
        return 0;
}

void lp_net_observed_free(struct lp_net_observed *w)
{
        if (!w)
                return;
        for (size_t i = 0; i < w->n_exes; i++) {
                free(w->exes[i].path);
                free(w->exes[i].unix_path);
        }
        free(w->exes);
        lp_proc_done(&w->proc);
        free(w);
}

void lp_net_observed_names(struct lp_net_observed *w, int execs, int command)
{
        if (!w)
                return;
        w->execs = execs;
        w->command = command;
}

int lp_net_observed_fd(const struct lp_net_observed *w)
{
        return w ? w->o->announce.fd : -1;
}

/* By key, not by pid: a pid may be another process's by the end. */
static const struct exe *entry_of(const struct lp_net_observed *w, const struct lp_net_key *key)
{
        for (size_t i = 0; i < w->n_exes; i++)
                if (memcmp(&w->exes[i].key, key, sizeof(*key)) == 0)
                        return &w->exes[i];
        return NULL;
}

static const char *exe_of(const struct lp_net_observed *w, const struct lp_net_key *key)
{
        const struct exe *e = entry_of(w, key);
        return e ? e->path : NULL;
}

static bool is_unix_key(const struct lp_net_key *k)
{
        return lp_net_hook_unix((enum lp_net_hook)(k->hook & ~LP_NET_HOOK_FLAGS));
}

/* A unix key's path as the command gave it, if absolute; else "" (an
 * abstract address is no file, and the notified path looks only at
 * absolute ones too). */
static void unix_path_of(const struct lp_net_key *k, char *buf, size_t size)
{
        const char *path = k->unix_addr + sizeof(sa_family_t);
        int n = (int)strnlen(path, sizeof(k->unix_addr) - sizeof(sa_family_t));
        snprintf(buf, size, "%.*s", path[0] == '/' ? n : 0, path);
}

/* Where a unix key's path leads in the command's view: resolved in the
 * root of its process, or of the command's init (the same mount
 * namespace, alive until the end). NULL where it cannot be. */
static char *resolve_unix(struct lp_net_observed *w, const struct lp_net_announcement *a)
{
        char path[LP_NET_UNIX_ADDR_MAX];
        unix_path_of(&a->key, path, sizeof(path));
        struct lp_proc_reader r = lp_proc_reader(&w->proc);
        struct lp_fs_resolved res;
        if (!path[0] ||
            (r.resolve(r.ctx, (int)a->tgid, AT_FDCWD, path, true, &res) < 0 &&
             (w->command <= 0 || r.resolve(r.ctx, w->command, AT_FDCWD, path, true, &res) < 0)))
                return NULL;
        return strdup(res.path);
}

/* The executable of a key's first process, while it runs: a process
 * that exits right after its call may be gone already (then its thread's
 * name stands for it). Holding every exit_group for this cost 170 us a
 * process (a shell loop of 500 /bin/true: 396 -> 482 ms). */
static void remember(struct lp_net_observed *w, const struct lp_net_announcement *a)
{
        char path[4096];
        if (entry_of(w, &a->key))
                return;
        lp_tracee_exe((int)a->tgid, path, sizeof(path));
        char *unix_path = is_unix_key(&a->key) ? resolve_unix(w, a) : NULL;
        char *copy = path[0] ? strdup(path) : NULL;
        if ((!copy && !unix_path) || LP_GROW(w->exes, w->cap_exes, w->n_exes) < 0) {
                free(copy);
                free(unix_path);
                return;
        }
        w->exes[w->n_exes++] = (struct exe){a->key, copy, unix_path};
}

static void announced(void *ctx, const void *record)
{
        struct lp_net_announcement a;
        memcpy(&a, record, sizeof(a));
        remember(ctx, &a);
}

void lp_net_observed_drain(struct lp_net_observed *w)
{
        if (w)
                lp_bpf_ring_drain(&w->o->announce, sizeof(struct lp_net_announcement), announced,
                                  w);
}

_Static_assert(sizeof(struct counted) == sizeof(struct lp_net_key) + sizeof(struct lp_net_value),
               "a counted entry is the map's key then its value");

static void destination_of(const struct lp_net_key *k, struct lp_sockaddr_info *sa)
{
        struct sockaddr_storage ss = {0};
        size_t len;
        if (lp_net_hook_ipv6((enum lp_net_hook)(k->hook & ~LP_NET_HOOK_FLAGS))) {
                struct sockaddr_in6 *in6 = (void *)&ss;
                in6->sin6_family = AF_INET6;
                in6->sin6_port = k->port;
                memcpy(&in6->sin6_addr, k->addr, sizeof(in6->sin6_addr));
                len = sizeof(*in6);
        } else {
                struct sockaddr_in *in = (void *)&ss;
                in->sin_family = AF_INET;
                in->sin_port = k->port;
                in->sin_addr.s_addr = k->addr[0];
                len = sizeof(*in);
        }
        lp_decode_sockaddr_bytes(&ss, len, sa);
}

/* A counted unix destination: a finding only where its path is hidden.
 * Its path as resolved at its announcement, or (none: the ring was full)
 * as the command gave it. */
static void check_unix(const struct lp_net_observed *w, const struct lp_decider *d,
                       const struct lp_net_key *k, const char *operation, struct lp_verdict *v)
{
        const struct exe *e = entry_of(w, k);
        char given[LP_NET_UNIX_ADDR_MAX];
        unix_path_of(k, given, sizeof(given));
        lp_check_observed_unix(d, operation, e && e->unix_path ? e->unix_path : given, v);
}

static int record_counted(struct lp_net_observed *w, const struct lp_decider *d,
                          const struct counted *c, struct lp_exec_names *names,
                          struct lp_findings *store, uint64_t start_ms)
{
        struct lp_sockaddr_info sa;
        struct lp_verdict v;
        char proto_buf[32], comm[sizeof(c->key.comm) + 3];
        bool connect = lp_net_hook_connect((enum lp_net_hook)(c->key.hook & ~LP_NET_HOOK_FLAGS));
        const char *operation = connect ? "connect" : "sendmsg";
        if (is_unix_key(&c->key)) {
                uint16_t family;
                memcpy(&family, c->key.unix_addr, sizeof(family));
                if (family != AF_UNIX) {
                        w->unreadable += c->value.count;
                        return 0;
                }
                check_unix(w, d, &c->key, operation, &v);
                if (v.n_findings == 0)
                        return 0;
        } else {
                destination_of(&c->key, &sa);
                lp_check_observed_destination(
                        d, operation,
                        lp_ip_protocol_name(c->key.protocol, proto_buf, sizeof(proto_buf)), &sa,
                        c->key.hook & LP_NET_DNS_TRAPPED, &v);
        }
        const char *exe = exe_of(w, &c->key);
        if (!exe)
                exe = lp_exec_name(names, c->value.tgid, c->key.comm);
        if (!exe) {
                /* Gone before it could be read (killed, not exited): its
                 * thread's name, as ps shows a process without one. */
                snprintf(comm, sizeof(comm), "[%.*s]", (int)sizeof(c->key.comm), c->key.comm);
                exe = comm;
        }
        return lp_record_verdict(store, &v, c->value.count, (int)c->value.tgid, exe,
                                 lp_bpf_run_ms(c->value.first_ns, start_ms));
}

/* Sightings the full map could not keep: counted, one finding, its
 * destination the map's overflow (the same rule and fix as the others'). */
static int record_overflow(const struct lp_net_observer *o, const struct lp_decider *d,
                           struct lp_findings *store, uint64_t first_ms)
{
        uint64_t count = lp_bpf_counter(o->overflow);
        if (count == 0)
                return 0;
        struct lp_sockaddr_info past = {.family = -1};
        snprintf(past.text, sizeof(past.text),
                 "destinations past the observer's first %d (the map full), not told apart",
                 LP_NET_EVENTS_MAX);
        struct lp_verdict v;
        /* Unix destinations share the map: a hidden socket's among them
         * is counted here too, not named. */
        lp_check_observed_destination(d, "connect or sendmsg", "tcp, udp or unix", &past, false,
                                      &v);
        return lp_record_verdict(store, &v, count, 0, NULL, first_ms);
}

int lp_net_observed_collect(struct lp_net_observed *w, const struct lp_decider *d,
                            struct lp_findings *store, uint64_t start_ms)
{
        if (!w)
                return 0;
        lp_net_observed_drain(w);
        struct counted *all = NULL;
        size_t n = 0;
        int r = lp_bpf_map_entries(w->o->events, sizeof(struct lp_net_key),
                                   sizeof(struct lp_net_value),
                                   offsetof(struct counted, value.first_ns), (void **)&all, &n);
        if (r < 0)
                return r;
        struct lp_exec_names *names = lp_exec_names_read(w->execs, &w->proc, w->command);
        for (size_t i = 0; i < n && r >= 0; i++)
                r = record_counted(w, d, &all[i], names, store, start_ms);
        lp_exec_names_free(names);
        if (w->unreadable)
                lp_error("warning: the network observer could not read %llu unix socket "
                         "address(es) (a kernel whose sock_addr context differs from 6.7's); "
                         "a connect or send to a socket under a hidden path may have no finding",
                         (unsigned long long)w->unreadable);
        /* The overflow began after the last entry the map took. */
        uint64_t last_ms = n ? lp_bpf_run_ms(all[n - 1].value.first_ns, start_ms) : 0;
        free(all);
        if (r >= 0)
                r = record_overflow(w->o, d, store, last_ms);
        return r;
}
