#include "supervise/tracee.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "supervise/proc.h"

static ssize_t tracee_read(const void *ctx, uint64_t addr, void *buf, size_t size)
{
        const struct lp_tracee *t = ctx;
        struct iovec local = {buf, size}, remote = {(void *)(uintptr_t)addr, size};
        ssize_t n = process_vm_readv(t->pid, &local, 1, &remote, 1, 0);
        return n < 0 ? -errno : n;
}

static bool tracee_valid(const void *ctx)
{
        const struct lp_tracee *t = ctx;
        return t->listener < 0 || seccomp_notify_id_valid(t->listener, t->id) == 0;
}

/* Asked by the decoder and again by the decision for one call: the
 * answer is kept for the notification. */
static const char *tracee_socket_proto(const void *ctx, int fd)
{
        struct lp_tracee *t = (struct lp_tracee *)ctx;
        if (!t->proto || t->proto_fd != fd) {
                t->proto = lp_tracee_socket_proto(t, fd);
                t->proto_fd = fd;
        }
        return t->proto;
}

struct lp_decode_reader lp_tracee_reader(const struct lp_tracee *t)
{
        return (struct lp_decode_reader){tracee_read, tracee_valid, tracee_socket_proto, t};
}

/* Linux 6.9: a pidfd of any thread; Debian 12's headers predate it. */
#define PIDFD_THREAD_FLAG O_EXCL

const char *lp_tracee_socket_proto(const struct lp_tracee *t, int fd)
{
        int pidfd = (int)syscall(SYS_pidfd_open, t->pid, PIDFD_THREAD_FLAG);
        if (pidfd < 0 && errno == EINVAL)
                pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
        /* A thread other than the leader has no pidfd of its own before
         * PIDFD_THREAD (ENOENT): its thread group's has the same
         * descriptors. */
        int tgid = pidfd < 0 ? lp_proc_thread_group(t->pid) : t->pid;
        if (pidfd < 0 && tgid != t->pid)
                pidfd = (int)syscall(SYS_pidfd_open, tgid, 0);
        if (pidfd < 0)
                return "inet";
        int sock = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
        close(pidfd);
        if (sock < 0)
                return "inet";
        int type = 0;
        socklen_t len = sizeof(type);
        int r = getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len);
        close(sock);
        if (r < 0)
                return "inet";
        return type == SOCK_STREAM ? "tcp" : type == SOCK_DGRAM ? "udp" : "raw";
}

void lp_tracee_exe(int pid, char *buf, size_t size)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/exe", pid);
        ssize_t n = readlink(path, buf, size - 1);
        buf[n > 0 ? n : 0] = '\0';
}
