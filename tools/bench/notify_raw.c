/* notify_raw: the floor for seccomp user notification on this machine, a
 * minimal supervisor written directly against libseccomp. It answers every
 * notified ptrace with EPERM in a tight receive/respond loop and nothing
 * else (no decoding, no findings), so notify.sh can report leastpriv's rate
 * as a fraction of what the kernel round trip allows.
 *
 *   notify_raw PROGRAM [ARG...]
 *
 * A forked child installs seccomp_init(SCMP_ACT_ALLOW) + ptrace -> NOTIFY,
 * passes the listener fd to the parent over a unix socket (SCM_RIGHTS) and
 * execs PROGRAM. The parent answers until PROGRAM exits, then prints
 * "notifications=<K>" to stderr and exits with PROGRAM's status.
 * Build: cc -O2 notify_raw.c -o notify_raw -lseccomp -lpthread */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <seccomp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t child;
static int child_status;
static atomic_int done, acked;
static pthread_t receiver;

static void on_sigusr1(int sig) { (void)sig; }

/* The receive ioctl blocks even when no task is left to notify, so a
 * waiter thread interrupts it (a handler without SA_RESTART makes it fail
 * with EINTR) until the loop has seen the flag. */
static void *waiter(void *arg)
{
        (void)arg;
        while (waitpid(child, &child_status, 0) < 0 && errno == EINTR)
                ;
        atomic_store(&done, 1);
        while (!atomic_load(&acked)) {
                pthread_kill(receiver, SIGUSR1);
                usleep(1000);
        }
        return NULL;
}

static int send_fd(int sock, int fd)
{
        char byte = 0;
        struct iovec iov = {&byte, 1};
        union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
        memset(&u, 0, sizeof u);
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = u.buf, .msg_controllen = sizeof u.buf};
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof fd);
        return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sock)
{
        char byte;
        struct iovec iov = {&byte, 1};
        union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1,
                             .msg_control = u.buf, .msg_controllen = sizeof u.buf};
        if (recvmsg(sock, &msg, 0) != 1)
                return -1;
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (!c || c->cmsg_type != SCM_RIGHTS)
                return -1;
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
        return fd;
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: notify_raw PROGRAM [ARG...]\n");
                return 2;
        }
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
                perror("notify_raw: socketpair");
                return 2;
        }
        child = fork();
        if (child < 0) {
                perror("notify_raw: fork");
                return 2;
        }
        if (child == 0) {
                close(sv[0]);
                scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
                int r = ctx ? seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, SCMP_SYS(ptrace), 0) : -ENOMEM;
                if (!r)
                        r = seccomp_load(ctx);
                int fd = r ? r : seccomp_notify_fd(ctx);
                if (fd < 0 || send_fd(sv[1], fd) < 0) {
                        fprintf(stderr, "notify_raw: filter setup failed: %s\n", strerror(fd < 0 ? -fd : errno));
                        _exit(125);
                }
                close(fd);
                execvp(argv[1], argv + 1);
                perror("notify_raw: exec");
                _exit(127);
        }
        close(sv[1]);
        int fd = recv_fd(sv[0]);
        close(sv[0]);
        if (fd < 0) {
                waitpid(child, &child_status, 0);
                fprintf(stderr, "notify_raw: no listener fd from the child\n");
                return 125;
        }

        struct sigaction sa = {.sa_handler = on_sigusr1}; /* no SA_RESTART */
        sigaction(SIGUSR1, &sa, NULL);
        receiver = pthread_self();
        pthread_t w;
        if (pthread_create(&w, NULL, waiter, NULL)) {
                fprintf(stderr, "notify_raw: pthread_create failed\n");
                return 2;
        }

        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        if (seccomp_notify_alloc(&req, &resp)) {
                fprintf(stderr, "notify_raw: seccomp_notify_alloc failed\n");
                return 2;
        }
        long answered = 0;
        while (!atomic_load(&done)) {
                memset(req, 0, sizeof *req); /* the kernel requires a zeroed request */
                if (seccomp_notify_receive(fd, req) < 0)
                        continue; /* EINTR from the waiter, or ENOENT */
                resp->id = req->id;
                resp->val = 0;
                resp->error = -EPERM;
                resp->flags = 0;
                if (seccomp_notify_respond(fd, resp) == 0)
                        answered++;
        }
        atomic_store(&acked, 1);
        pthread_join(w, NULL);
        seccomp_notify_free(req, resp);
        fprintf(stderr, "notifications=%ld\n", answered);
        if (WIFEXITED(child_status))
                return WEXITSTATUS(child_status);
        return 128 + (WIFSIGNALED(child_status) ? WTERMSIG(child_status) : 0);
}
