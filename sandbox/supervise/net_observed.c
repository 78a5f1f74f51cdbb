/* The network observer's counts, as findings (net_observed.h). */
#include "supervise/net_observed.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "rules/checks.h"
#include "rules/net_bpf.h"
#include "supervise/net_observer.h"
#include "supervise/record.h"

/* The executable of a key's first process, read when it was announced. */
struct exe {
        struct lp_net_key key;
        char *path;
};

struct lp_net_observed {
        const struct lp_net_observer *o;
        struct exe *exes;
        size_t n_exes, cap_exes;
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
        *ret = w;
        return 0;
}

void lp_net_observed_free(struct lp_net_observed *w)
{
        if (!w)
                return;
        for (size_t i = 0; i < w->n_exes; i++)
                free(w->exes[i].path);
        free(w->exes);
        free(w);
}

int lp_net_observed_fd(const struct lp_net_observed *w)
{
        return w ? w->o->announce : -1;
}

/* By key, not by pid: a pid may be another process's by the end. */
static const char *exe_of(const struct lp_net_observed *w, const struct lp_net_key *key)
{
        for (size_t i = 0; i < w->n_exes; i++)
                if (memcmp(&w->exes[i].key, key, sizeof(*key)) == 0)
                        return w->exes[i].path;
        return NULL;
}

/* The executable of a key's first process, while it runs: a process
 * that exits right after its call may be gone already (then its thread's
 * name stands for it). Holding every exit_group for this cost 170 us a
 * process (a shell loop of 500 /bin/true: 396 -> 482 ms). */
static void remember(struct lp_net_observed *w, const struct lp_net_announcement *a)
{
        char link[64], path[4096];
        snprintf(link, sizeof(link), "/proc/%u/exe", a->tgid);
        ssize_t n = readlink(link, path, sizeof(path) - 1);
        if (n <= 0 || exe_of(w, &a->key) || LP_GROW(w->exes, w->cap_exes, w->n_exes) < 0)
                return;
        path[n] = '\0';
        char *copy = strdup(path);
        if (copy)
                w->exes[w->n_exes++] = (struct exe){a->key, copy};
}

/* The ring's records (the kernel's layout, linux/bpf.h): a header of
 * length and flags, the data, padded to 8 bytes; the consumer position
 * is ours to advance. */
void lp_net_observed_drain(struct lp_net_observed *w)
{
        const struct lp_net_observer *o = w ? w->o : NULL;
        if (!o || !o->producer)
                return;
        unsigned long *consumer = o->consumer;
        const unsigned long *producer = o->producer;
        const char *data = (const char *)o->producer + sysconf(_SC_PAGESIZE);
        unsigned long pos = __atomic_load_n(consumer, __ATOMIC_ACQUIRE);
        unsigned long end = __atomic_load_n(producer, __ATOMIC_ACQUIRE);
        while (pos < end) {
                const uint32_t *header = (const void *)(data + (pos & (o->ring_size - 1)));
                uint32_t len = __atomic_load_n(header, __ATOMIC_ACQUIRE);
                if (len & BPF_RINGBUF_BUSY_BIT)
                        break; /* still being written */
                uint32_t size = len & ~(uint32_t)(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
                if (!(len & BPF_RINGBUF_DISCARD_BIT) &&
                    size >= sizeof(struct lp_net_announcement)) {
                        struct lp_net_announcement a;
                        memcpy(&a, (const char *)header + BPF_RINGBUF_HDR_SZ, sizeof(a));
                        remember(w, &a);
                }
                pos += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
                __atomic_store_n(consumer, pos, __ATOMIC_RELEASE);
        }
}

/* Every entry of the events map. */
static int read_counted(int map, struct counted **ret, size_t *ret_n)
{
        struct counted *v = NULL;
        size_t n = 0, cap = 0;
        struct lp_net_key key, *previous = NULL;
        int r;
        for (;;) {
                union bpf_attr a = {.map_fd = (uint32_t)map,
                                    .key = (uint64_t)(uintptr_t)previous,
                                    .next_key = (uint64_t)(uintptr_t)&key};
                if ((r = lp_net_bpf(BPF_MAP_GET_NEXT_KEY, &a)) < 0)
                        break;
                if ((r = LP_GROW(v, cap, n)) < 0)
                        break;
                v[n].key = key;
                a = (union bpf_attr){.map_fd = (uint32_t)map,
                                     .key = (uint64_t)(uintptr_t)&v[n].key,
                                     .value = (uint64_t)(uintptr_t)&v[n].value};
                if ((r = lp_net_bpf(BPF_MAP_LOOKUP_ELEM, &a)) < 0)
                        break; /* nothing deletes: a key that went is a failure */
                n++;
                previous = &key; /* the kernel reads it before writing the next */
        }
        if (r != -ENOENT) { /* ENOENT: past the last key */
                free(v);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static int by_first_sighting(const void *a, const void *b)
{
        uint64_t x = ((const struct counted *)a)->value.first_ns;
        uint64_t y = ((const struct counted *)b)->value.first_ns;
        return x < y ? -1 : x > y;
}

static const char *protocol_name(uint32_t protocol, char *buf, size_t size)
{
        switch (protocol) {
        case IPPROTO_TCP:
                return "tcp";
        case IPPROTO_UDP:
                return "udp";
        case IPPROTO_UDPLITE:
                return "udplite";
        case IPPROTO_MPTCP:
                return "mptcp";
        default:
                snprintf(buf, size, "ip-protocol-%u", protocol);
                return buf;
        }
}

static void destination_of(const struct lp_net_key *k, struct lp_sockaddr_info *sa)
{
        struct sockaddr_storage ss = {0};
        size_t len;
        if (lp_net_hook_ipv6((enum lp_net_hook)(k->hook & ~LP_NET_HOST_SERVICE))) {
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

/* ms since the run started, of a CLOCK_MONOTONIC time in ns. */
static uint64_t run_ms(uint64_t ns, uint64_t start_ms)
{
        uint64_t ms = ns / 1000000;
        return ms > start_ms ? ms - start_ms : 0;
}

static int record_counted(struct lp_net_observed *w, const struct lp_decider *d,
                          const struct counted *c, struct lp_findings *store, uint64_t start_ms)
{
        struct lp_sockaddr_info sa;
        struct lp_verdict v;
        char proto_buf[32], comm[sizeof(c->key.comm) + 3];
        destination_of(&c->key, &sa);
        bool connect = lp_net_hook_connect((enum lp_net_hook)(c->key.hook & ~LP_NET_HOST_SERVICE));
        lp_check_observed_destination(d, connect ? "connect" : "sendmsg",
                                      protocol_name(c->key.protocol, proto_buf, sizeof(proto_buf)),
                                      &sa, &v);
        const char *exe = exe_of(w, &c->key);
        if (!exe) {
                /* Gone before it could be read (killed, not exited): its
                 * thread's name, as ps shows a process without one. */
                snprintf(comm, sizeof(comm), "[%.*s]", (int)sizeof(c->key.comm), c->key.comm);
                exe = comm;
        }
        return lp_record_verdict(store, &v, c->value.count, (int)c->value.tgid, exe,
                                 run_ms(c->value.first_ns, start_ms));
}

/* Sightings the full map could not keep: counted, one finding, its
 * destination the map's overflow (the same rule and fix as the others'). */
static int record_overflow(const struct lp_net_observer *o, const struct lp_decider *d,
                           struct lp_findings *store, uint64_t first_ms)
{
        uint32_t zero = 0;
        uint64_t count = 0;
        union bpf_attr a = {.map_fd = (uint32_t)o->overflow,
                            .key = (uint64_t)(uintptr_t)&zero,
                            .value = (uint64_t)(uintptr_t)&count};
        if (lp_net_bpf(BPF_MAP_LOOKUP_ELEM, &a) < 0 || count == 0)
                return 0;
        struct lp_sockaddr_info past = {.family = -1};
        snprintf(past.text, sizeof(past.text),
                 "destinations past the observer's first %d (the map full), not told apart",
                 LP_NET_EVENTS_MAX);
        struct lp_verdict v;
        lp_check_observed_destination(d, "connect or sendmsg", "tcp or udp", &past, &v);
        return lp_record_verdict(store, &v, count, 0, NULL, first_ms);
}

int lp_net_observed_collect(struct lp_net_observed *w, const struct lp_policy *p,
                            struct lp_findings *store, uint64_t start_ms)
{
        if (!w)
                return 0;
        lp_net_observed_drain(w);
        struct counted *all = NULL;
        size_t n = 0;
        int r = read_counted(w->o->events, &all, &n);
        if (r < 0)
                return r;
        if (n > 1)
                qsort(all, n, sizeof(*all), by_first_sighting);
        struct lp_decider d = {.policy = p};
        for (size_t i = 0; i < n && r >= 0; i++)
                r = record_counted(w, &d, &all[i], store, start_ms);
        /* The overflow began after the last entry the map took. */
        uint64_t last_ms = n ? run_ms(all[n - 1].value.first_ns, start_ms) : 0;
        free(all);
        if (r >= 0)
                r = record_overflow(w->o, &d, store, last_ms);
        return r;
}
