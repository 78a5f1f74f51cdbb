/* The network observer's counts, as findings (net_observed.h). */
#include "supervise/net_observed.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/util.h"
#include "findings/findings.h"
#include "rules/net_bpf.h"
#include "supervise/net_observer.h"
#include "profile/policy.h"
#include "rules/checks.h"
#include "supervise/record.h"

struct exe {
        uint32_t tgid;
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

static const char *exe_of(const struct lp_net_observed *w, uint32_t tgid)
{
        for (size_t i = 0; i < w->n_exes; i++)
                if (w->exes[i].tgid == tgid)
                        return w->exes[i].path;
        return NULL;
}

/* The executable of a process seen for the first time, while it runs
 * (a process that is gone already keeps its thread's name instead). */
static void remember(struct lp_net_observed *w, uint32_t tgid)
{
        char link[64], path[4096];
        if (exe_of(w, tgid))
                return;
        snprintf(link, sizeof(link), "/proc/%u/exe", tgid);
        ssize_t n = readlink(link, path, sizeof(path) - 1);
        if (n <= 0 || LP_GROW(w->exes, w->cap_exes, w->n_exes) < 0)
                return;
        path[n] = '\0';
        char *copy = strdup(path);
        if (copy)
                w->exes[w->n_exes++] = (struct exe){tgid, copy};
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
                if (!(len & BPF_RINGBUF_DISCARD_BIT) && size >= sizeof(struct lp_net_key)) {
                        struct lp_net_key key;
                        memcpy(&key, (const char *)header + BPF_RINGBUF_HDR_SZ, sizeof(key));
                        remember(w, key.tgid);
                }
                pos += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
                __atomic_store_n(consumer, pos, __ATOMIC_RELEASE);
        }
}

static int bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
        return syscall(SYS_bpf, cmd, attr, sizeof(*attr)) < 0 ? -errno : 0;
}

/* Every entry of the events map, in the order first seen. */
static int read_counted(int map, struct counted **ret, size_t *ret_n)
{
        struct counted *v = NULL;
        size_t n = 0, cap = 0;
        struct lp_net_key key, *previous = NULL;
        for (;;) {
                union bpf_attr a = {.map_fd = (uint32_t)map,
                                    .key = (uint64_t)(uintptr_t)previous,
                                    .next_key = (uint64_t)(uintptr_t)&key};
                if (bpf(BPF_MAP_GET_NEXT_KEY, &a) < 0)
                        break; /* ENOENT: the last one */
                if (LP_GROW(v, cap, n) < 0) {
                        free(v);
                        return -ENOMEM;
                }
                v[n].key = key;
                a = (union bpf_attr){.map_fd = (uint32_t)map,
                                     .key = (uint64_t)(uintptr_t)&v[n].key,
                                     .value = (uint64_t)(uintptr_t)&v[n].value};
                if (bpf(BPF_MAP_LOOKUP_ELEM, &a) == 0)
                        n++;
                previous = &key; /* the kernel reads it before writing the next */
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
        enum lp_net_hook hook = (enum lp_net_hook)(k->hook & ~LP_NET_HOST_SERVICE);
        size_t len;
        if (hook == LP_NET_CONNECT6 || hook == LP_NET_SENDMSG6) {
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
        char proto_buf[32], comm[sizeof(c->value.comm) + 3];
        enum lp_net_hook hook = (enum lp_net_hook)(c->key.hook & ~LP_NET_HOST_SERVICE);
        destination_of(&c->key, &sa);
        const char *operation =
                hook == LP_NET_CONNECT4 || hook == LP_NET_CONNECT6 ? "connect" : "sendmsg";
        lp_check_observed_destination(d, operation,
                                      protocol_name(c->key.protocol, proto_buf, sizeof(proto_buf)),
                                      &sa, &v);
        const char *exe = exe_of(w, c->key.tgid);
        if (!exe) {
                /* Gone before it could be read: its thread's name, as ps
                 * shows a process without an executable. */
                snprintf(comm, sizeof(comm), "[%.*s]", (int)sizeof(c->value.comm), c->value.comm);
                exe = comm;
        }
        return lp_record_verdict(store, &v, c->value.count, (int)c->key.tgid, exe,
                                 run_ms(c->value.first_ns, start_ms));
}

/* Sightings the full map could not keep: counted, without a destination. */
static int record_overflow(const struct lp_net_observer *o, const struct lp_policy *p,
                           struct lp_findings *store, uint64_t start_ms)
{
        uint32_t zero = 0;
        uint64_t count = 0;
        union bpf_attr a = {.map_fd = (uint32_t)o->overflow,
                            .key = (uint64_t)(uintptr_t)&zero,
                            .value = (uint64_t)(uintptr_t)&count};
        if (bpf(BPF_MAP_LOOKUP_ELEM, &a) < 0 || count == 0)
                return 0;
        char rule[256];
        snprintf(rule, sizeof(rule), "[Network] Namespace=%s",
                 p->netns == LP_NETNS_NONE ? "none" : "loopback");
        struct lp_finding f = {
                .kind = LP_FINDING_NETWORK,
                .action = LP_FINDING_DENIED,
                .operation = "connect or sendmsg",
                .target = "destinations past the first 8192 (not told apart)",
                .errno_value = ENETUNREACH,
                .count = count,
                .rule = rule,
                .fix = "[Network] Namespace=host",
                .first_ms = lp_now_ms() - start_ms,
        };
        return lp_findings_add(store, &f);
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
        free(all);
        if (r >= 0)
                r = record_overflow(w->o, p, store, start_ms);
        return r;
}
