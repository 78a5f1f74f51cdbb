/* The DNS trap (dns_trap.h). */
#include "supervise/dns_trap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "rules/checks.h"
#include "rules/dns_query.h"
#include "base/util.h"
#include "supervise/listeners.h"
#include "supervise/net_observer.h"
#include "supervise/record.h"
#include "supervise/tracee.h"

/* Datagrams read per call: the poll loop's other work does not wait for
 * a flood. */
#define BATCH 64

struct lp_dns_trap {
        int epoll; /* readable when a socket is */
        int fds[LP_DNS_TRAP_SOCKETS_MAX];
        size_t n;
        struct lp_net_observer *observer; /* fds[0] is its trap; NULL: none (borrowed) */
        bool replies_attached;
        pid_t holder;
        char pid_ns[64]; /* the command's PID namespace ("": the holder's) */
        const struct lp_policy *policy;
        struct lp_findings *store;
        uint64_t start_ms;
};

static int watch_sockets(struct lp_dns_trap *t)
{
        t->epoll = epoll_create1(EPOLL_CLOEXEC);
        if (t->epoll < 0)
                return -errno;
        for (size_t i = 0; i < t->n; i++) {
                struct epoll_event e = {.events = EPOLLIN};
                if (epoll_ctl(t->epoll, EPOLL_CTL_ADD, t->fds[i], &e) < 0)
                        return -errno;
        }
        return 0;
}

int lp_dns_trap_new(const int *fds, size_t n, struct lp_net_observer *observer, pid_t holder,
                    pid_t command, const struct lp_policy *p, struct lp_findings *store,
                    uint64_t start_ms, struct lp_dns_trap **ret)
{
        *ret = NULL;
        if (n == 0)
                return 0;
        struct lp_dns_trap *t = malloc(sizeof(*t));
        if (!t) {
                for (size_t i = 0; i < n; i++)
                        close(fds[i]);
                return -ENOMEM;
        }
        *t = (struct lp_dns_trap){.epoll = -1,
                                  .observer = observer,
                                  .holder = holder,
                                  .policy = p,
                                  .store = store,
                                  .start_ms = start_ms};
        for (size_t i = 0; i < n; i++)
                if (t->n < LP_DNS_TRAP_SOCKETS_MAX)
                        t->fds[t->n++] = fds[i];
                else
                        close(fds[i]);
        /* Read through the command: the init is not dumpable, and
         * without root its links cannot be read. */
        if (lp_pid_namespace_read(command, t->pid_ns, sizeof(t->pid_ns)) < 0)
                t->pid_ns[0] = '\0';
        int r = watch_sockets(t);
        if (r < 0) {
                lp_dns_trap_free(t);
                return r;
        }
        *ret = t;
        return 0;
}

int lp_dns_trap_fd(const struct lp_dns_trap *t)
{
        return t ? t->epoll : -1;
}

/* The sender's port: the same field of either family's address. */
static uint16_t port_of(const struct sockaddr_storage *from)
{
        return ntohs(from->ss_family == AF_INET6 ? ((const struct sockaddr_in6 *)from)->sin6_port
                                                 : ((const struct sockaddr_in *)from)->sin_port);
}

/* The query's finding, its program told from the sender's port: the
 * sender waits for the answer, so it is there to be found. */
static int record_query(const struct lp_dns_trap *t, const struct lp_dns_question *q,
                        const struct sockaddr_storage *from)
{
        pid_t pid = t->holder > 0 ? lp_socket_holder(t->holder, t->pid_ns[0] ? t->pid_ns : NULL,
                                                     port_of(from), false)
                                  : 0;
        char exe[4096] = "", type[16];
        if (pid > 0)
                lp_tracee_exe(pid, exe, sizeof(exe));
        lp_debug("dns trap: %s query for %s from pid %d (%s)",
                 lp_dns_type_name(q->type, type, sizeof(type)), q->name, pid, exe);
        struct lp_decider d = {.policy = t->policy};
        struct lp_verdict v;
        lp_check_dns_query(&d, q->name, &v);
        return lp_record_verdict(t->store, &v, 1, pid, exe[0] ? exe : NULL,
                                 lp_now_ms() - t->start_ms);
}

/* Before the observer's trap answers: its reply programs, or the
 * resolver would drop the answer (and wait for its timeout). */
static void attach_replies(struct lp_dns_trap *t)
{
        if (t->replies_attached)
                return;
        int r = lp_net_observer_attach_replies(t->observer);
        if (r < 0)
                lp_log_errno(r, "cannot attach the DNS trap's reply programs: %m (a "
                                "resolver asked through the trap waits for its timeout)");
        t->replies_attached = true; /* tried once */
}

/* A query gets REFUSED (its question echoed), anything else that has a
 * query's header FORMERR; an answer (QR set) or a runt nothing. */
static int take_one(struct lp_dns_trap *t, int fd, const uint8_t *msg, size_t len,
                    const struct sockaddr_storage *from, socklen_t from_len)
{
        struct lp_dns_question q;
        bool query = lp_dns_question(msg, len, &q) == 0;
        int r = query ? record_query(t, &q, from) : 0;
        uint8_t out[LP_DNS_ANSWER_MAX];
        size_t n = lp_dns_answer(msg, len, query ? &q : NULL,
                                 query ? LP_DNS_REFUSED : LP_DNS_FORMERR, out, sizeof(out));
        if (n && t->observer && fd == t->fds[0])
                attach_replies(t);
        /* A resolver gone meanwhile: nothing to answer. */
        if (n)
                (void)sendto(fd, out, n, MSG_DONTWAIT | MSG_NOSIGNAL, (const void *)from, from_len);
        return r;
}

/* Up to BATCH datagrams of one socket: how many were read, or -errno. */
static int read_batch(struct lp_dns_trap *t, int fd)
{
        int i;
        for (i = 0; i < BATCH; i++) {
                uint8_t msg[4096];
                struct sockaddr_storage from;
                socklen_t from_len = sizeof(from);
                ssize_t n = recvfrom(fd, msg, sizeof(msg), MSG_DONTWAIT, (void *)&from, &from_len);
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR ? i : -errno;
                int r = take_one(t, fd, msg, (size_t)n, &from, from_len);
                if (r < 0)
                        return r;
        }
        return i;
}

int lp_dns_trap_handle(struct lp_dns_trap *t)
{
        for (size_t i = 0; t && i < t->n; i++) {
                int r = read_batch(t, t->fds[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Queries the kernel dropped because a socket's buffer was full
 * (SO_MEMINFO's SK_MEMINFO_DROPS): counted, their names unread. */
static int record_dropped(const struct lp_dns_trap *t)
{
        uint64_t dropped = 0;
        for (size_t i = 0; i < t->n; i++) {
                uint32_t info[SK_MEMINFO_VARS];
                socklen_t len = sizeof(info);
                if (getsockopt(t->fds[i], SOL_SOCKET, SO_MEMINFO, info, &len) < 0)
                        return -errno;
                if (len > SK_MEMINFO_DROPS * sizeof(uint32_t))
                        dropped += info[SK_MEMINFO_DROPS];
        }
        if (dropped == 0)
                return 0;
        struct lp_decider d = {.policy = t->policy};
        struct lp_verdict v;
        lp_check_dns_query(&d, "(queries the trap's buffer could not hold: names not read)", &v);
        return lp_record_verdict(t->store, &v, dropped, 0, NULL, lp_now_ms() - t->start_ms);
}

int lp_dns_trap_finish(struct lp_dns_trap *t)
{
        if (!t)
                return 0;
        t->holder = 0;
        for (size_t i = 0; i < t->n; i++) {
                int r;
                while ((r = read_batch(t, t->fds[i])) == BATCH)
                        ;
                if (r < 0)
                        return r;
        }
        return record_dropped(t);
}

void lp_dns_trap_free(struct lp_dns_trap *t)
{
        if (!t)
                return;
        for (size_t i = 0; i < t->n; i++)
                close(t->fds[i]);
        if (t->epoll >= 0)
                close(t->epoll);
        free(t);
}
