/* Forwards of host TCP endpoints (forward.h). */
#include "supervise/forward.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"
#include "findings/findings.h"
#include "profile/policy.h"

/* What an epoll event is about. */
enum tag_kind { TAG_LISTENER, TAG_INSIDE, TAG_OUTSIDE };

struct tag {
        enum tag_kind kind;
};

struct listener {
        struct tag tag;
        int fd;
        const struct lp_forward *f;
        const char *inside; /* "127.0.0.1" or "::1" */
};

/* One direction of a connection: from a socket, through a pipe, to the
 * other socket. */
struct flow {
        int from, to;
        int pipe[2];
        size_t pending; /* bytes in the pipe */
        bool eof;       /* `from` has no more to send */
        bool shut;      /* `to` was told so (shutdown SHUT_WR) */
};

struct conn {
        struct tag in_tag, out_tag;
        struct lp_forwarder *fw;
        const struct listener *l;
        int in, out;
        bool connecting;
        bool broken;          /* a direction failed: the inside end is reset at the end */
        struct flow up, down; /* in -> out, out -> in */
        struct conn *prev, *next;
};

/* Connections at once: five descriptors each. Past it, the listeners
 * wait (their backlog holds the next ones) until one ends. */
#define MAX_CONNS 1024

struct lp_forwarder {
        int epoll;
        const struct lp_policy *policy;
        struct lp_findings *store;
        uint64_t start_ms;
        struct listener *listeners;
        size_t n_listeners;
        struct conn *conns; /* the live ones */
        size_t n_conns;
        /* Ended during a batch of events, freed after it: a later event of
         * the batch may name one, and its memory must not be a new one's. */
        struct conn *dead;
        bool paused; /* the listeners are not watched (MAX_CONNS) */
        int reserve; /* a descriptor kept for accepting when there are none left */
};

size_t lp_forward_endpoints(const struct lp_policy *p, struct lp_forward_endpoint *out, size_t max)
{
        bool v6 = lp_policy_family(p, AF_INET6) != NULL;
        size_t n = 0;
        for (size_t i = 0; i < p->n_forwards; i++) {
                bool unix_socket = p->forwards[i].path[0] != '\0';
                if (n < max)
                        out[n] = (struct lp_forward_endpoint){i, unix_socket ? AF_UNIX : AF_INET};
                n++;
                if (unix_socket)
                        continue;
                if (v6 && n < max)
                        out[n] = (struct lp_forward_endpoint){i, AF_INET6};
                n += v6;
        }
        return n;
}

/* ---- findings ---- */

static void record(struct lp_forwarder *fw, const char *target, const char *rule, const char *fix,
                   int error)
{
        struct lp_finding finding = {
                .kind = LP_FINDING_NETWORK,
                .action = LP_FINDING_FORWARD_FAILED,
                .operation = "forward",
                .target = target,
                .errno_value = error,
                .rule = rule,
                .fix = fix,
                .first_ms = lp_now_ms() - fw->start_ms,
        };
        if (lp_findings_add(fw->store, &finding) < 0)
                lp_error("cannot record the failed forward %s", target);
}

static void record_failure(struct lp_forwarder *fw, const struct listener *l, int error)
{
        const struct lp_forward *f = l->f;
        char target[256], where[512], rule[640], fix[256];
        if (f->path[0]) {
                snprintf(target, sizeof(target), "unix %s", f->path);
                snprintf(rule, sizeof(rule), "%s [Network] Forward=unix:%s",
                         lp_origin_format(&f->origin, where, sizeof(where)), f->path);
                snprintf(fix, sizeof(fix), "start the host's service at %s before the command",
                         f->path);
                record(fw, target, rule, fix, error);
                return;
        }
        bool v6 = strchr(f->host, ':') != NULL, in6 = strchr(l->inside, ':') != NULL;
        snprintf(target, sizeof(target), "tcp %s%s%s:%u -> %s%s%s:%u", in6 ? "[" : "", l->inside,
                 in6 ? "]" : "", f->inside_port, v6 ? "[" : "", f->host, v6 ? "]" : "",
                 f->host_port);
        snprintf(rule, sizeof(rule), "%s [Network] Forward=tcp:%u=%s%s%s:%u",
                 lp_origin_format(&f->origin, where, sizeof(where)), f->inside_port, v6 ? "[" : "",
                 f->host, v6 ? "]" : "", f->host_port);
        snprintf(fix, sizeof(fix), "start the host's service at %s%s%s:%u before the command",
                 v6 ? "[" : "", f->host, v6 ? "]" : "", f->host_port);
        record(fw, target, rule, fix, error);
}

/* ---- connections ---- */

static void close_fd(int *fd)
{
        if (*fd >= 0)
                close(*fd);
        *fd = -1;
}

static void pause_listeners(struct lp_forwarder *fw, bool pause);

/* Closes everything of c and moves it to the dead list. */
static void conn_free(struct conn *c)
{
        struct lp_forwarder *fw = c->fw;
        if (c->prev)
                c->prev->next = c->next;
        else
                fw->conns = c->next;
        if (c->next)
                c->next->prev = c->prev;
        fw->n_conns--;
        close_fd(&c->in);
        close_fd(&c->out);
        for (int i = 0; i < 2; i++) {
                close_fd(&c->up.pipe[i]);
                close_fd(&c->down.pipe[i]);
        }
        c->prev = NULL;
        c->next = fw->dead;
        fw->dead = c;
        if (fw->paused)
                pause_listeners(fw, false);
}

static void free_dead(struct lp_forwarder *fw)
{
        while (fw->dead) {
                struct conn *c = fw->dead;
                fw->dead = c->next;
                free(c);
        }
}

/* The inside connection ends with a reset: its peer sees ECONNRESET at
 * once rather than waiting on a forward that will not come. */
static void reset_inside(struct conn *c)
{
        struct linger lg = {.l_onoff = 1, .l_linger = 0};
        (void)setsockopt(c->in, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
        conn_free(c);
}

static int flow_broken(struct flow *fl, int r)
{
        fl->eof = fl->shut = true;
        fl->pending = 0;
        return r;
}

/* Moves what can be moved without blocking; 0, or -errno (the flow is
 * then finished: nothing more is read from or written to it). */
static int flow_pump(struct flow *fl)
{
        if (fl->shut)
                return 0;
        for (;;) {
                bool progress = false;
                if (!fl->eof) {
                        ssize_t n = splice(fl->from, NULL, fl->pipe[1], NULL, 1 << 16,
                                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                        if (n > 0)
                                fl->pending += (size_t)n;
                        else if (n == 0)
                                fl->eof = true;
                        else if (errno != EAGAIN)
                                return flow_broken(fl, -errno);
                        progress |= n >= 0;
                }
                if (fl->pending > 0) {
                        ssize_t n = splice(fl->pipe[0], NULL, fl->to, NULL, fl->pending,
                                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                        if (n > 0)
                                fl->pending -= (size_t)n;
                        else if (n < 0 && errno != EAGAIN)
                                return flow_broken(fl, -errno);
                        progress |= n > 0;
                }
                if (fl->eof && fl->pending == 0 && !fl->shut) {
                        (void)shutdown(fl->to, SHUT_WR); /* the half-close, passed on */
                        fl->shut = true;
                }
                if (!progress)
                        return 0;
        }
}

/* Both directions, each as far as it goes: one that breaks (a reset, a
 * closed reader) ends, while the other still delivers what it holds; the
 * inside end is reset once both are done. */
static void conn_pump(struct conn *c)
{
        c->broken |= flow_pump(&c->up) < 0;
        c->broken |= flow_pump(&c->down) < 0;
        if (!(c->up.shut && c->down.shut))
                return;
        if (c->broken)
                reset_inside(c);
        else
                conn_free(c);
}

/* An error on a socket (a reset while idle) ends its connection. */
static bool socket_failed(int fd)
{
        int error = 0;
        socklen_t len = sizeof(error);
        return getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == 0 && error != 0;
}

/* The outside connect has finished, one way or the other. */
static void conn_connected(struct conn *c)
{
        int error = 0;
        socklen_t len = sizeof(error);
        if (getsockopt(c->out, SOL_SOCKET, SO_ERROR, &error, &len) < 0)
                error = errno;
        if (error) {
                record_failure(c->fw, c->l, error);
                reset_inside(c);
                return;
        }
        c->connecting = false;
        conn_pump(c);
}

/* A connection's sockets: edge-triggered, every event drained by a pump. */
#define CONN_EVENTS (EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)
/* A listener: level-triggered, so that a connection left in the backlog
 * (an accept that could not be finished) is offered again. */
#define LISTENER_EVENTS EPOLLIN

static int watch(int epoll, int op, int fd, uint32_t events, struct tag *tag)
{
        struct epoll_event ev = {.events = events, .data.ptr = tag};
        return epoll_ctl(epoll, op, fd, &ev) < 0 ? -errno : 0;
}

static void pause_listeners(struct lp_forwarder *fw, bool pause)
{
        fw->paused = pause;
        for (size_t i = 0; i < fw->n_listeners; i++)
                (void)watch(fw->epoll, EPOLL_CTL_MOD, fw->listeners[i].fd,
                            pause ? 0 : LISTENER_EVENTS, &fw->listeners[i].tag);
}

/* The host's address of a forward, for connect(2). */
static socklen_t host_address(const struct lp_forward *f, struct sockaddr_storage *ss)
{
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        struct sockaddr_un *un = (struct sockaddr_un *)ss;
        memset(ss, 0, sizeof(*ss));
        if (f->path[0]) {
                un->sun_family = AF_UNIX;
                snprintf(un->sun_path, sizeof(un->sun_path), "%s", f->path);
                return (socklen_t)sizeof(*un);
        }
        if (inet_pton(AF_INET, f->host, &in->sin_addr) == 1) {
                in->sin_family = AF_INET;
                in->sin_port = htons(f->host_port);
                return sizeof(*in);
        }
        inet_pton(AF_INET6, f->host, &in6->sin6_addr);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(f->host_port);
        return sizeof(*in6);
}

static int conn_open(struct lp_forwarder *fw, const struct listener *l, int in)
{
        struct conn *c = calloc(1, sizeof(*c));
        if (!c) {
                close(in);
                return -ENOMEM;
        }
        *c = (struct conn){.in_tag = {TAG_INSIDE},
                           .out_tag = {TAG_OUTSIDE},
                           .fw = fw,
                           .l = l,
                           .in = in,
                           .out = -1,
                           .connecting = true,
                           .up = {.pipe = {-1, -1}},
                           .down = {.pipe = {-1, -1}},
                           .next = fw->conns};
        if (fw->conns)
                fw->conns->prev = c;
        fw->conns = c;
        fw->n_conns++;
        struct sockaddr_storage ss;
        socklen_t len = host_address(l->f, &ss);
        c->out = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (c->out < 0 || pipe2(c->up.pipe, O_NONBLOCK | O_CLOEXEC) < 0 ||
            pipe2(c->down.pipe, O_NONBLOCK | O_CLOEXEC) < 0) {
                /* Out of descriptors or memory: this one is reset and
                 * reported, the next ones are tried again. */
                record_failure(fw, l, errno);
                reset_inside(c);
                return 0;
        }
        c->up.from = c->down.to = c->in;
        c->up.to = c->down.from = c->out;
        /* A unix listener with a full backlog answers EAGAIN: refused too. */
        if (connect(c->out, (struct sockaddr *)&ss, len) < 0 && errno != EINPROGRESS) {
                record_failure(fw, l, errno);
                reset_inside(c);
                return 0;
        }
        int r = watch(fw->epoll, EPOLL_CTL_ADD, c->in, CONN_EVENTS, &c->in_tag);
        if (r >= 0)
                r = watch(fw->epoll, EPOLL_CTL_ADD, c->out, CONN_EVENTS, &c->out_tag);
        if (r < 0)
                reset_inside(c);
        return r;
}

/* Out of descriptors: the connection waiting is accepted with the one
 * kept in reserve and reset, and reported, rather than left in the
 * backlog (the level-triggered listener would offer it forever). */
static bool refuse_one(struct lp_forwarder *fw, const struct listener *l, int error)
{
        if (fw->reserve >= 0)
                close(fw->reserve);
        int in = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
        if (in >= 0) {
                struct linger lg = {.l_onoff = 1, .l_linger = 0};
                (void)setsockopt(in, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
                close(in);
                record_failure(fw, l, error);
        }
        fw->reserve = open("/dev/null", O_RDONLY | O_CLOEXEC);
        return in >= 0;
}

static int accept_all(struct lp_forwarder *fw, const struct listener *l)
{
        while (fw->n_conns < MAX_CONNS) {
                int in = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                int r = in < 0 ? -errno : conn_open(fw, l, in);
                if (r == -EAGAIN || r == -ECONNABORTED || r == -EINTR)
                        return 0;
                if (in < 0 && (r == -EMFILE || r == -ENFILE)) {
                        if (refuse_one(fw, l, -r))
                                continue;
                        return r; /* not even the reserve: the system is out */
                }
                if (r < 0)
                        return r;
        }
        /* Offered again once a connection has ended. */
        pause_listeners(fw, true);
        return 0;
}

/* ---- the forwarder ---- */

static struct listener *listener_of(struct lp_forwarder *fw, const struct tag *t)
{
        for (size_t i = 0; i < fw->n_listeners; i++)
                if (t == &fw->listeners[i].tag)
                        return &fw->listeners[i];
        return NULL;
}

static struct conn *conn_of(struct lp_forwarder *fw, const struct tag *t)
{
        for (struct conn *c = fw->conns; c; c = c->next)
                if (t == &c->in_tag || t == &c->out_tag)
                        return c;
        return NULL;
}

int lp_forwarder_fd(const struct lp_forwarder *fw)
{
        return fw ? fw->epoll : -1;
}

int lp_forwarder_handle(struct lp_forwarder *fw)
{
        struct epoll_event events[64];
        int n = epoll_wait(fw->epoll, events, LP_ELEMENTSOF(events), 0);
        if (n < 0)
                return errno == EINTR ? 0 : -errno;
        /* A connection freed by an earlier event of this batch may still
         * have one later in it: a tag is looked up by its address among
         * the live ones before it is read. */
        for (int i = 0; i < n; i++) {
                const struct tag *t = events[i].data.ptr;
                struct listener *l = listener_of(fw, t);
                struct conn *c = l ? NULL : conn_of(fw, t);
                if (l) {
                        int r = accept_all(fw, l);
                        if (r < 0)
                                lp_log_errno(r, "forward: cannot accept: %m");
                } else if (c && !c->connecting && (events[i].events & EPOLLERR) &&
                           socket_failed(t == &c->in_tag ? c->in : c->out)) {
                        /* (SO_ERROR is read once: a connecting socket's is
                         * conn_connected's to read.) */
                        /* Both directions that touch the failed socket end
                         * at the next read or write of it; the other still
                         * delivers what it holds; then the inside end is
                         * reset. */
                        c->broken = true;
                        conn_pump(c);
                } else if (c && c->connecting && t == &c->out_tag) {
                        conn_connected(c);
                } else if (c && !c->connecting) {
                        conn_pump(c);
                }
        }
        free_dead(fw);
        return 0;
}

/* Many connections each hold five descriptors: the soft limit goes up to
 * the hard one (the command, forked before, keeps its own). */
static void raise_open_files(void)
{
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                (void)setrlimit(RLIMIT_NOFILE, &rl);
        }
}

int lp_forwarder_new(const struct lp_policy *p, const int *fds,
                     const struct lp_forward_endpoint *endpoints, size_t n,
                     struct lp_findings *store, uint64_t start_ms, struct lp_forwarder **ret)
{
        struct lp_forwarder *fw = calloc(1, sizeof(*fw));
        if (!fw || !(fw->listeners = calloc(n ? n : 1, sizeof(*fw->listeners)))) {
                free(fw);
                for (size_t i = 0; i < n; i++)
                        if (fds[i] >= 0)
                                close(fds[i]);
                return -ENOMEM;
        }
        *fw = (struct lp_forwarder){.epoll = -1,
                                    .reserve = open("/dev/null", O_RDONLY | O_CLOEXEC),
                                    .policy = p,
                                    .store = store,
                                    .start_ms = start_ms,
                                    .listeners = fw->listeners};
        /* Every descriptor is the forwarder's from here: freed with it. */
        for (size_t i = 0; i < n; i++) {
                if (fds[i] < 0)
                        continue;
                struct listener *l = &fw->listeners[fw->n_listeners++];
                *l = (struct listener){.tag = {TAG_LISTENER},
                                       .fd = fds[i],
                                       .f = &p->forwards[endpoints[i].forward],
                                       .inside = endpoints[i].family == AF_INET6 ? "::1"
                                                                                 : "127.0.0.1"};
                if (endpoints[i].family == AF_UNIX)
                        l->inside = l->f->path;
        }
        int r = (fw->epoll = epoll_create1(EPOLL_CLOEXEC)) < 0 ? -errno : 0;
        for (size_t i = 0; r >= 0 && i < fw->n_listeners; i++)
                r = watch(fw->epoll, EPOLL_CTL_ADD, fw->listeners[i].fd, LISTENER_EVENTS,
                          &fw->listeners[i].tag);
        if (r < 0) {
                lp_forwarder_free(fw);
                return r;
        }
        raise_open_files();
        *ret = fw;
        return 0;
}

void lp_forwarder_free(struct lp_forwarder *fw)
{
        if (!fw)
                return;
        while (fw->conns)
                conn_free(fw->conns);
        free_dead(fw);
        for (size_t i = 0; i < fw->n_listeners; i++)
                close(fw->listeners[i].fd);
        if (fw->epoll >= 0)
                close(fw->epoll);
        if (fw->reserve >= 0)
                close(fw->reserve);
        free(fw->listeners);
        free(fw);
}
