/* The DNS trap (dns_trap.h). */
#include "supervise/dns_trap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "rules/checks.h"
#include "rules/dns_query.h"
#include "supervise/bpf_maps.h"
#include "supervise/listeners.h"
#include "supervise/record.h"
#include "supervise/tracee.h"

/* Datagrams read per call: the poll loop's other work does not wait for
 * a flood. */
#define BATCH 64

struct lp_dns_trap {
        int fd;
        pid_t holder;
        const struct lp_policy *policy;
        struct lp_findings *store;
        uint64_t start_ms;
};

int lp_dns_trap_new(int fd, pid_t holder, const struct lp_policy *p, struct lp_findings *store,
                    uint64_t start_ms, struct lp_dns_trap **ret)
{
        *ret = NULL;
        if (fd < 0)
                return 0;
        struct lp_dns_trap *t = malloc(sizeof(*t));
        if (!t) {
                close(fd);
                return -ENOMEM;
        }
        *t = (struct lp_dns_trap){fd, holder, p, store, start_ms};
        *ret = t;
        return 0;
}

int lp_dns_trap_fd(const struct lp_dns_trap *t)
{
        return t ? t->fd : -1;
}

static uint64_t run_ms(uint64_t start_ms)
{
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        return lp_bpf_run_ms((uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec, start_ms);
}

/* The query's finding, its program told from the sender's port: the
 * sender waits for the answer, so it is there to be found. */
static int record_query(const struct lp_dns_trap *t, const struct lp_dns_question *q,
                        const struct sockaddr_in *from)
{
        pid_t pid = t->holder > 0 ? lp_udp_socket_holder(t->holder, ntohs(from->sin_port)) : 0;
        char exe[4096] = "", type[16];
        if (pid > 0)
                lp_tracee_exe(pid, exe, sizeof(exe));
        lp_debug("dns trap: %s query for %s from pid %d (%s)",
                 lp_dns_type_name(q->type, type, sizeof(type)), q->name, pid, exe);
        struct lp_decider d = {.policy = t->policy};
        struct lp_verdict v;
        lp_check_dns_query(&d, q->name, &v);
        return lp_record_verdict(t->store, &v, 1, pid, exe[0] ? exe : NULL, run_ms(t->start_ms));
}

/* A query gets REFUSED (its question echoed), anything else that has a
 * query's header FORMERR; an answer (QR set) or a runt nothing. */
static int take_one(const struct lp_dns_trap *t, const uint8_t *msg, size_t len,
                    const struct sockaddr_in *from)
{
        struct lp_dns_question q;
        bool query = lp_dns_question(msg, len, &q) == 0;
        int r = query ? record_query(t, &q, from) : 0;
        if (len < LP_DNS_HEADER || (msg[2] & 0x80))
                return r;
        uint8_t out[LP_DNS_HEADER + 260 + 4];
        size_t n = lp_dns_answer(msg, len, query ? &q : NULL,
                                 query ? LP_DNS_REFUSED : LP_DNS_FORMERR, out, sizeof(out));
        /* A resolver gone meanwhile: nothing to answer. */
        if (n)
                (void)sendto(t->fd, out, n, MSG_DONTWAIT | MSG_NOSIGNAL, (const void *)from,
                             sizeof(*from));
        return r;
}

/* Up to BATCH datagrams: how many were read, or -errno. */
static int read_batch(struct lp_dns_trap *t)
{
        int i;
        for (i = 0; i < BATCH; i++) {
                uint8_t msg[4096];
                struct sockaddr_in from;
                socklen_t from_len = sizeof(from);
                ssize_t n =
                        recvfrom(t->fd, msg, sizeof(msg), MSG_DONTWAIT, (void *)&from, &from_len);
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR ? i : -errno;
                int r = take_one(t, msg, (size_t)n, &from);
                if (r < 0)
                        return r;
        }
        return i;
}

int lp_dns_trap_handle(struct lp_dns_trap *t)
{
        int r = t ? read_batch(t) : 0;
        return r < 0 ? r : 0;
}

/* Queries the kernel dropped because the socket's buffer was full
 * (SO_MEMINFO's SK_MEMINFO_DROPS): counted, their names unread. */
static int record_dropped(const struct lp_dns_trap *t)
{
        uint32_t info[SK_MEMINFO_VARS];
        socklen_t len = sizeof(info);
        if (getsockopt(t->fd, SOL_SOCKET, SO_MEMINFO, info, &len) < 0)
                return -errno;
        if (len <= SK_MEMINFO_DROPS * sizeof(uint32_t) || info[SK_MEMINFO_DROPS] == 0)
                return 0;
        struct lp_decider d = {.policy = t->policy};
        struct lp_verdict v;
        lp_check_dns_query(&d, "(queries the trap's buffer could not hold: names not read)", &v);
        return lp_record_verdict(t->store, &v, info[SK_MEMINFO_DROPS], 0, NULL,
                                 run_ms(t->start_ms));
}

int lp_dns_trap_finish(struct lp_dns_trap *t)
{
        if (!t)
                return 0;
        t->holder = 0;
        int r;
        while ((r = read_batch(t)) == BATCH)
                ;
        return r < 0 ? r : record_dropped(t);
}

void lp_dns_trap_free(struct lp_dns_trap *t)
{
        if (!t)
                return;
        close(t->fd);
        free(t);
}
