/* The executable cache (exe_cache.h). */
#include "supervise/exe_cache.h"

#include <errno.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "supervise/proc.h"
#include "supervise/tracee.h"

#define EVENTS_UNOPENED (-1)
#define EVENTS_UNAVAILABLE (-2)

/* One connector message: a netlink header, the connector's, its data. */
#define MESSAGE_SIZE 1024

void lp_exe_cache_init(struct lp_exe_cache *c)
{
        memset(c, 0, sizeof(*c));
        c->events = EVENTS_UNOPENED;
}

void lp_exe_cache_done(struct lp_exe_cache *c)
{
        if (c->events >= 0)
                close(c->events);
        c->events = EVENTS_UNOPENED;
}

bool lp_exe_cache_exact(const struct lp_exe_cache *c)
{
        return c->events >= 0;
}

static void invalidate_all(struct lp_exe_cache *c)
{
        for (size_t i = 0; i < LP_EXE_CACHE_SLOTS; i++)
                c->slots[i].valid = false;
}

/* An exec: the leader's tid runs another program now (a thread other
 * than the leader that exec'd took it), so its name is dropped; the other
 * threads of the group are gone, their names kept untrusted (see valid). */
static void forget_thread_group(struct lp_exe_cache *c, int tgid)
{
        for (size_t i = 0; i < LP_EXE_CACHE_SLOTS; i++) {
                struct lp_exe_slot *s = &c->slots[i];
                if (s->tid == tgid)
                        *s = (struct lp_exe_slot){0};
                else if (s->tgid == tgid)
                        s->valid = false;
        }
}

/* An exit: kept, no longer trusted (see valid). */
static void forget_thread(struct lp_exe_cache *c, int tid)
{
        struct lp_exe_slot *s = &c->slots[(unsigned)tid % LP_EXE_CACHE_SLOTS];
        if (s->tid == tid)
                s->valid = false;
}

/* The event of one message, copied out: it sits 36 bytes into the
 * datagram, and its 64-bit timestamp wants 8. */
static bool message_event(const void *buf, ssize_t n, struct proc_event *ret)
{
        const struct nlmsghdr *h = buf;
        if (!NLMSG_OK(h, (size_t)n) || h->nlmsg_type != NLMSG_DONE)
                return false;
        const struct cn_msg *m = NLMSG_DATA(h);
        if ((size_t)n < NLMSG_LENGTH(sizeof(*m)) + sizeof(*ret) || m->id.idx != CN_IDX_PROC ||
            m->len < sizeof(*ret))
                return false;
        memcpy(ret, m->data, sizeof(*ret));
        return true;
}

static void apply_event(struct lp_exe_cache *c, const struct proc_event *e)
{
        if (e->what == PROC_EVENT_EXEC)
                forget_thread_group(c, (int)e->event_data.exec.process_tgid);
        else if (e->what == PROC_EVENT_EXIT)
                forget_thread(c, (int)e->event_data.exit.process_pid);
}

/* Everything the connector queued since the last look. An overflow
 * (ENOBUFS) means events were lost: nothing cached can be trusted. Any
 * other failure ends the cache (every look reads /proc from then on). */
static void read_events(struct lp_exe_cache *c)
{
        union {
                char buf[MESSAGE_SIZE];
                struct nlmsghdr align;
        } u;
        for (;;) {
                ssize_t n = recv(c->events, u.buf, sizeof(u.buf), MSG_DONTWAIT);
                struct proc_event e;
                if (n > 0) {
                        if (message_event(u.buf, n, &e))
                                apply_event(c, &e);
                        continue;
                }
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return;
                invalidate_all(c);
                if (n < 0 && errno == ENOBUFS)
                        continue;
                lp_exe_cache_done(c);
                c->events = EVENTS_UNAVAILABLE;
                return;
        }
}

static int send_listen(int fd, uint32_t cookie)
{
        /* Built in a buffer: struct cn_msg ends in a flexible array, so it
         * cannot be followed by a member of a struct in ISO C. */
        union {
                char buf[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(uint32_t))];
                struct nlmsghdr align;
        } req;
        memset(&req, 0, sizeof(req));
        struct nlmsghdr *h = &req.align;
        struct cn_msg *m = NLMSG_DATA(h);
        uint32_t op = PROC_CN_MCAST_LISTEN; /* enum proc_cn_mcast_op: every event type */
        *h = (struct nlmsghdr){.nlmsg_len = NLMSG_LENGTH(sizeof(*m) + sizeof(op)),
                               .nlmsg_type = NLMSG_DONE};
        *m = (struct cn_msg){.id = {CN_IDX_PROC, CN_VAL_PROC}, .ack = cookie, .len = sizeof(op)};
        memcpy(m->data, &op, sizeof(op));
        ssize_t want = (ssize_t)h->nlmsg_len;
        return send(fd, req.buf, (size_t)want, 0) == want ? 0 : -errno;
}

/* The kernel acknowledges a subscription it took, synchronously, with
 * err 0 and our cookie + 1 in its ack field (its seq is the kernel's own); it ignores, without a
 * word, one from outside the initial user and PID namespaces (whose pids its events would not match
 * ours). Events of other processes may come first: they are applied. */
static bool await_ack(struct lp_exe_cache *c, uint32_t cookie)
{
        union {
                char buf[MESSAGE_SIZE];
                struct nlmsghdr align;
        } u;
        ssize_t n;
        while ((n = recv(c->events, u.buf, sizeof(u.buf), MSG_DONTWAIT)) > 0 ||
               (n < 0 && errno == ENOBUFS)) {
                struct proc_event e;
                if (n <= 0 || !message_event(u.buf, n, &e))
                        continue;
                const struct cn_msg *m = NLMSG_DATA((const struct nlmsghdr *)u.buf);
                if (e.what == PROC_EVENT_NONE && m->ack == cookie + 1)
                        return e.event_data.ack.err == 0;
                apply_event(c, &e);
        }
        return false;
}

/* Subscribes to the connector, once, before anything is cached: a name
 * read after this is dropped by any later exec or exit. */
static void open_events(struct lp_exe_cache *c)
{
        c->events = EVENTS_UNAVAILABLE;
        int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_CONNECTOR);
        if (fd < 0)
                return;
        struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC};
        uint32_t cookie = (uint32_t)getpid();
        c->events = fd;
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || send_listen(fd, cookie) < 0 ||
            !await_ack(c, cookie)) {
                close(fd);
                c->events = EVENTS_UNAVAILABLE;
        }
}

/* /proc/TID/exe; where it cannot be read (the thread is gone), the name
 * its slot last held, so that its finding joins its siblings'. The thread
 * group is read first: an exec after it (which may move the thread to
 * its leader's tid) is queued and drops the slot at the next look. */
static const char *read_exe(struct lp_exe_cache *c, struct lp_exe_slot *s, int tid)
{
        char buf[LP_EXE_NAME_MAX];
        bool exact = lp_exe_cache_exact(c);
        int tgid = exact ? lp_proc_thread_group(tid) : tid;
        c->reads++;
        lp_tracee_exe(tid, buf, sizeof(buf));
        if (!buf[0])
                return s->tid == tid ? s->exe : "";
        *s = (struct lp_exe_slot){.tid = tid, .tgid = tgid, .valid = exact};
        memcpy(s->exe, buf, sizeof(buf));
        return s->exe;
}

int lp_exe_cache_fd(const struct lp_exe_cache *c)
{
        return c->events >= 0 ? c->events : -1;
}

void lp_exe_cache_polled(struct lp_exe_cache *c, bool queued)
{
        c->quiet = c->events >= 0 && !queued;
}

const char *lp_exe_cache_lookup(struct lp_exe_cache *c, int tid)
{
        if (c->events == EVENTS_UNOPENED)
                open_events(c);
        if (c->events >= 0 && !c->quiet)
                read_events(c);
        else if (c->quiet)
                c->skipped++;
        c->quiet = false;
        struct lp_exe_slot *s = &c->slots[(unsigned)tid % LP_EXE_CACHE_SLOTS];
        if (s->valid && s->tid == tid && c->events >= 0) {
                c->hits++;
                return s->exe;
        }
        return read_exe(c, s, tid);
}
