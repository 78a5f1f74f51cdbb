/* A child under the real seccomp filter, for the live unit tests: forked,
 * no_new_privs set, the filter compiled for a policy (launch/filter.h)
 * installed, and the notification listener handed back over the
 * handshake socket the way launch.c hands it over (the filter must allow
 * that sendmsg, or the child would wait for a supervisor that has no
 * listener). The child then runs a body that tries calls and writes one
 * line per call, "NAME RESULT" (ok, or the errno's name), to a pipe; the
 * test is its supervisor meanwhile. Every wait is bounded. */
#pragma once
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch/filter.h"

/* How long any one wait of the test may take before it fails. */
#define FILTERED_CHILD_WAIT_MS 10000

struct filtered_child {
        pid_t pid;
        int listener;    /* the filter's notification listener */
        int results;     /* read end of the body's lines */
        char text[4096]; /* the lines read so far */
        size_t len;
};

/* In the child: the body writes its lines to fd. */
typedef void (*filtered_child_body)(int fd);

/* In the child, after the call NAME returned r: its line. */
static inline void filtered_child_say(int fd, const char *name, long r)
{
        const char *what = r >= 0 ? "ok" : strerrorname_np(errno);
        dprintf(fd, "%s %s\n", name, what ? what : "?");
}

static inline int send_listener(int sock, int listener)
{
        char data = 'L';
        struct iovec iov = {&data, 1};
        char control[CMSG_SPACE(sizeof(int))] = {0};
        struct msghdr m = {.msg_iov = &iov,
                           .msg_iovlen = 1,
                           .msg_control = control,
                           .msg_controllen = sizeof(control)};
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &listener, sizeof(int));
        return sendmsg(sock, &m, 0) == 1 ? 0 : -errno;
}

static inline int receive_listener(int sock)
{
        struct pollfd p = {sock, POLLIN, 0};
        if (poll(&p, 1, FILTERED_CHILD_WAIT_MS) != 1)
                return -ETIMEDOUT;
        char data;
        struct iovec iov = {&data, 1};
        char control[CMSG_SPACE(sizeof(int))] = {0};
        struct msghdr m = {.msg_iov = &iov,
                           .msg_iovlen = 1,
                           .msg_control = control,
                           .msg_controllen = sizeof(control)};
        if (recvmsg(sock, &m, MSG_CMSG_CLOEXEC) != 1)
                return -EIO;
        struct cmsghdr *c = CMSG_FIRSTHDR(&m);
        if (!c || c->cmsg_type != SCM_RIGHTS)
                return -EPROTO;
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        return fd;
}

_Noreturn static inline void run_child(const struct lp_filter *f, int sock, int results,
                                       filtered_child_body body)
{
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                _exit(100);
        int listener = lp_filter_install(f);
        if (listener < 0)
                _exit(101);
        if (send_listener(sock, listener) < 0)
                _exit(102);
        close(listener);
        body(results);
        _exit(0);
}

/* Starts the child under the filter compiled for p (the handshake socket
 * being the one sendmsg stays allowed on, as in launch.c). 0 or -errno. */
static inline int filtered_child_start(const struct lp_policy *p, filtered_child_body body,
                                       struct filtered_child *ret)
{
        int sv[2], out[2];
        struct lp_filter *f = NULL;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        if (pipe2(out, O_CLOEXEC) < 0)
                return -errno;
        struct lp_filter_options o = {.handshake_fd = sv[1]};
        int r = lp_filter_compile(p, &o, &f);
        if (r < 0)
                return r;
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid == 0) {
                close(sv[0]);
                close(out[0]);
                run_child(f, sv[1], out[1], body);
        }
        lp_filter_free(f);
        close(sv[1]);
        close(out[1]);
        *ret = (struct filtered_child){.pid = pid, .results = out[0]};
        ret->listener = receive_listener(sv[0]);
        close(sv[0]);
        if (ret->listener < 0) {
                kill(pid, SIGKILL);
                waitpid(pid, NULL, 0);
                return ret->listener;
        }
        return 0;
}

/* Appends what the body wrote; false at its end (EOF). */
static inline bool read_results(struct filtered_child *c)
{
        ssize_t n = read(c->results, c->text + c->len, sizeof(c->text) - 1 - c->len);
        if (n <= 0)
                return false;
        c->len += (size_t)n;
        c->text[c->len] = '\0';
        return true;
}

/* Supervises the child until its body is done: `on_notification(ctx)`
 * for each notification pending on the listener. Then reaps the child
 * and returns its wait status; or, the child killed first, -ETIMEDOUT
 * when a wait passed its bound, the callback's -errno when it failed. */
static inline int filtered_child_serve(struct filtered_child *c, int (*on_notification)(void *),
                                       void *ctx)
{
        int r = 0;
        for (;;) {
                struct pollfd p[2] = {{c->listener, POLLIN, 0}, {c->results, POLLIN, 0}};
                if (poll(p, 2, FILTERED_CHILD_WAIT_MS) <= 0) {
                        r = -ETIMEDOUT;
                        break;
                }
                if ((p[0].revents & POLLIN) && (r = on_notification(ctx)) < 0)
                        break;
                if ((p[1].revents & (POLLIN | POLLHUP)) && !read_results(c))
                        break;
        }
        if (r < 0)
                kill(c->pid, SIGKILL);
        int status = 0;
        if (waitpid(c->pid, &status, 0) < 0 && r >= 0)
                r = -errno;
        close(c->listener);
        close(c->results);
        return r < 0 ? r : status;
}
