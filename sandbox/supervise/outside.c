/* The outside route's reader (outside.h). */
#include "supervise/outside.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/close_later.h"
#include "base/log.h"
#include "base/util.h"
#include "rules/checks.h"
#include "rules/decode.h"
#include "rules/dns_query.h"
#include "rules/packet.h"
#include "supervise/listeners.h"
#include "supervise/record.h"
#include "supervise/tracee.h"

/* Packets read per call: the poll loop's other work does not wait for a
 * flood. */
#define BATCH 64
/* SYNs remembered: one the kernel sends again (its answer came while
 * the socket was busy, so the connect waits for the retry) is not a
 * second connect. */
#define SYNS_SEEN 64

struct syn {
        uint8_t dst[16];
        uint16_t src_port, dst_port;
        uint32_t seq;
};

/* Senders told, by protocol and source port: a socket's later packets
 * (a flood's, those read after the run) are its first one's, without
 * another look through /proc, which costs a millisecond. A port taken
 * again by another socket of the same run would keep the first name:
 * names are the findings' best effort, the counts are exact. */
#define SENDERS 256

struct sender {
        bool known;
        uint8_t protocol;
        uint16_t port;
        pid_t pid;
        char *exe; /* NULL: not read */
};

struct lp_outside {
        int fd;
        int counters; /* the namespace's /proc/net/dev: the device's drops */
        pid_t holder;
        char pid_ns[64]; /* the command's PID namespace ("": the holder's) */
        const struct lp_policy *policy;
        struct lp_findings *store;
        uint64_t start_ms;
        struct syn syns[SYNS_SEEN];
        size_t next_syn;
        struct sender senders[SENDERS];
};

int lp_outside_new(int fd, int counters, pid_t holder, pid_t command, const struct lp_policy *p,
                   struct lp_findings *store, uint64_t start_ms, struct lp_outside **ret)
{
        /* The device's close waits (lp_outside_free); < 0 skipped. */
        const int fds[] = {fd, counters};
        *ret = NULL;
        if (fd < 0 || counters < 0) {
                lp_close_later(fds, LP_ELEMENTSOF(fds));
                return fd < 0 && counters < 0 ? 0 : -EBADF;
        }
        struct lp_outside *o = calloc(1, sizeof(*o));
        if (!o) {
                lp_close_later(fds, LP_ELEMENTSOF(fds));
                return -ENOMEM;
        }
        *o = (struct lp_outside){.fd = fd,
                                 .counters = counters,
                                 .holder = holder,
                                 .policy = p,
                                 .store = store,
                                 .start_ms = start_ms};
        /* Read through the command, which is dumpable: the init is not,
         * and without root its links cannot be read. */
        if (lp_pid_namespace_read(command, o->pid_ns, sizeof(o->pid_ns)) < 0)
                o->pid_ns[0] = '\0';
        *ret = o;
        return 0;
}

int lp_outside_fd(const struct lp_outside *o)
{
        return o ? o->fd : -1;
}

static bool syn_seen_before(struct lp_outside *o, const struct lp_packet *p)
{
        struct syn s = {.src_port = p->src_port, .dst_port = p->dst_port, .seq = p->tcp_seq};
        memcpy(s.dst, p->dst, sizeof(s.dst));
        for (size_t i = 0; i < SYNS_SEEN; i++)
                if (memcmp(&o->syns[i], &s, sizeof(s)) == 0)
                        return true;
        o->syns[o->next_syn++ % SYNS_SEEN] = s;
        return false;
}

static void destination_of(const struct lp_packet *p, struct lp_sockaddr_info *sa)
{
        struct sockaddr_storage ss = {.ss_family = (sa_family_t)p->family};
        size_t len;
        if (p->family == AF_INET6) {
                struct sockaddr_in6 *in6 = (void *)&ss;
                in6->sin6_port = htons(p->dst_port);
                memcpy(&in6->sin6_addr, p->dst, sizeof(in6->sin6_addr));
                len = sizeof(*in6);
        } else {
                struct sockaddr_in *in = (void *)&ss;
                in->sin_port = htons(p->dst_port);
                memcpy(&in->sin_addr, p->dst, sizeof(in->sin_addr));
                len = sizeof(*in);
        }
        lp_decode_sockaddr_bytes(&ss, len, sa);
}

/* Who sent it: the holder of the socket of its source port. A TCP
 * connect waits for the answer, and so does a resolver: they are there
 * to be found; a UDP sender that has closed its socket since is not. */
static const struct sender *sender_of(struct lp_outside *o, const struct lp_packet *p)
{
        struct sender *s = &o->senders[(p->src_port + (unsigned)p->protocol * 131u) % SENDERS];
        if (s->known && s->protocol == p->protocol && s->port == p->src_port)
                return s;
        bool tcp = p->protocol == IPPROTO_TCP;
        if (o->holder <= 0 || (!tcp && p->protocol != IPPROTO_UDP))
                return NULL; /* after the run: its processes are gone */
        free(s->exe);
        *s = (struct sender){.known = true, .protocol = p->protocol, .port = p->src_port};
        s->pid = lp_socket_holder(o->holder, o->pid_ns[0] ? o->pid_ns : NULL, p->src_port, tcp);
        char exe[4096] = "";
        if (s->pid > 0)
                lp_tracee_exe(s->pid, exe, sizeof(exe));
        s->exe = exe[0] ? strdup(exe) : NULL;
        return s;
}

static int record(const struct lp_outside *o, const struct lp_verdict *v, const struct sender *from)
{
        return lp_record_verdict(o->store, v, 1, from ? from->pid : 0, from ? from->exe : NULL,
                                 lp_now_ms() - o->start_ms);
}

/* A DNS query's name is a finding of its own; the answer REFUSED, from
 * the server asked. Returns the answer's length, 0 when it is no query. */
static size_t answer_query(const struct lp_outside *o, const struct lp_packet *p,
                           const struct sender *from, uint8_t *out, size_t size, int *r)
{
        struct lp_dns_question q;
        if (p->dst_port != 53 || lp_dns_question(p->payload, p->payload_len, &q) < 0)
                return 0;
        struct lp_decider d = {.policy = o->policy};
        struct lp_verdict v;
        lp_check_dns_query(&d, q.name, &v);
        *r = record(o, &v, from);
        uint8_t answer[LP_DNS_ANSWER_MAX];
        size_t n = lp_dns_answer(p->payload, p->payload_len, &q, LP_DNS_REFUSED, answer,
                                 sizeof(answer));
        return lp_packet_udp_reply(p, answer, n, out, size);
}

/* One packet: its finding(s), then its answer. */
static int take_one(struct lp_outside *o, const uint8_t *pkt, size_t len)
{
        struct lp_packet p;
        if (lp_packet_parse(pkt, len, &p) < 0 || !lp_packet_from_command(&p) || !p.first)
                return 0;
        bool tcp = p.protocol == IPPROTO_TCP;
        /* Only a SYN opens a connection: nothing answers it, so nothing
         * else of TCP comes. */
        if (tcp && (!p.tcp_syn || syn_seen_before(o, &p)))
                return 0;
        char proto[32];
        const struct sender *from = sender_of(o, &p);
        struct lp_sockaddr_info sa;
        destination_of(&p, &sa);
        struct lp_decider d = {.policy = o->policy};
        struct lp_verdict v;
        /* A connect fails; a datagram was sent (the call returned). */
        lp_check_observed_destination(&d, tcp ? "connect" : "sendmsg",
                                      lp_ip_protocol_name(p.protocol, proto, sizeof(proto)), &sa,
                                      !tcp, &v);
        int r = record(o, &v, from);
        uint8_t out[LP_PACKET_MTU];
        size_t n = p.protocol == IPPROTO_UDP ? answer_query(o, &p, from, out, sizeof(out), &r) : 0;
        if (!n)
                n = lp_packet_unreachable(pkt, len, &p, out, sizeof(out));
        /* A full device queue loses the answer: the command waits for
         * its own timeout, its finding is made. */
        if (n)
                (void)!write(o->fd, out, n);
        return r;
}

/* Up to BATCH packets: how many were read, or -errno. */
static int read_batch(struct lp_outside *o)
{
        int i;
        for (i = 0; i < BATCH; i++) {
                uint8_t pkt[LP_PACKET_MTU + 1];
                ssize_t n = read(o->fd, pkt, sizeof(pkt));
                if (n < 0 && errno == EINTR) {
                        i--;
                        continue;
                }
                if (n < 0)
                        return errno == EAGAIN ? i : -errno;
                int r = take_one(o, pkt, (size_t)n);
                if (r < 0)
                        return r;
        }
        return i;
}

int lp_outside_handle(struct lp_outside *o)
{
        int r = o ? read_batch(o) : 0;
        return r < 0 ? r : 0;
}

/* The device's transmit drops (/proc/net/dev: the 12th number after
 * the name is tx "drop"): packets its full queue refused. */
static int dropped(const struct lp_outside *o, uint64_t *ret)
{
        char buf[8192];
        ssize_t n = pread(o->counters, buf, sizeof(buf) - 1, 0);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        char *line = strstr(buf, LP_OUTSIDE_ROUTE_NAME ":");
        unsigned long long v[12];
        if (!line ||
            sscanf(line + strlen(LP_OUTSIDE_ROUTE_NAME ":"),
                   "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                   &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9], &v[10], &v[11]) != 12)
                return -EPROTO;
        *ret = v[11];
        return 0;
}

static int record_dropped(const struct lp_outside *o)
{
        uint64_t count = 0;
        int r = dropped(o, &count);
        if (r < 0 || count == 0)
                return r;
        struct lp_sockaddr_info lost = {.family = -1};
        snprintf(lost.text, sizeof(lost.text),
                 "packets the outside route's queue could not hold, destinations not read");
        struct lp_decider d = {.policy = o->policy};
        struct lp_verdict v;
        lp_check_observed_destination(&d, "connect or sendmsg", "tcp or udp", &lost, true, &v);
        return lp_record_verdict(o->store, &v, count, 0, NULL, lp_now_ms() - o->start_ms);
}

int lp_outside_finish(struct lp_outside *o)
{
        if (!o)
                return 0;
        o->holder = 0;
        int r;
        while ((r = read_batch(o)) == BATCH)
                ;
        return r < 0 ? r : record_dropped(o);
}

void lp_outside_free(struct lp_outside *o)
{
        if (!o)
                return;
        /* The device's last close unregisters it, which waits for RCU
         * grace periods (about 20 ms here, longer than the launch): a
         * kernel worker waits instead of the run. */
        lp_close_later(&o->fd, 1);
        for (size_t i = 0; i < SENDERS; i++)
                free(o->senders[i].exe);
        if (o->counters >= 0)
                close(o->counters);
        free(o);
}
