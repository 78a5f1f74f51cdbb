/* probe: tries one thing and says how it went, for the integration and
 * escape tests that run it under leastpriv (in the spirit of bubblewrap's
 * tests/try-syscall.c).
 *
 *     probe SUBCOMMAND [ARG...]
 *
 * Most subcommands print exactly one line, "SUBCOMMAND: ok" or
 * "SUBCOMMAND: ERRNO_NAME" (EPERM, ENOSYS, ...), and exit 0 on success, 1
 * on failure, 2 on a usage error. `probe` alone lists the subcommands.
 *
 * Nothing here ever sends a packet off the machine by itself: `connect`
 * goes where it is told, and the tests only point it at loopback on the
 * host (other destinations only inside leastpriv's own namespace). */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/io_uring.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "probe_output.h"

#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif

/* ---- output ------------------------------------------------------------ */

static int errno_from_name(const char *name)
{
        for (int e = 1; e < 4096; e++) {
                const char *n = strerrorname_np(e);
                if (n && !strcmp(n, name))
                        return e;
        }
        return -1;
}

/* e == 0: "NAME: ok", exit 0; otherwise "NAME: ERRNO", exit 1. */
static int report(const char *name, int e)
{
        if (e == 0)
                printf("%s: ok\n", name);
        else
                printf("%s: %s\n", name, errno_name(e));
        fflush(stdout);
        return e == 0 ? EXIT_OK : EXIT_FAILED;
}

/* -1 from a libc call: report errno; anything else: ok. */
static int report_ret(const char *name, long r)
{
        return report(name, r < 0 ? errno : 0);
}

static int usage_error(const char *name, const char *what, const char *arg)
{
        fprintf(stderr, "probe %s: %s: '%s'\n", name, what, arg);
        return EXIT_USAGE;
}

static int signal_from_name(const char *s)
{
        long n;
        if (parse_long(s, 1, NSIG - 1, &n) == 0)
                return (int)n;
        if (!strncmp(s, "SIG", 3))
                s += 3;
        for (int sig = 1; sig < NSIG; sig++) {
                const char *abbrev = sigabbrev_np(sig);
                if (abbrev && !strcmp(abbrev, s))
                        return sig;
        }
        return -1;
}

/* ---- identity and privileges -------------------------------------------- */

static int cmd_status(const char *name, char **argv)
{
        static const char *const keys[] = {"CapInh:", "CapPrm:",     "CapEff:",  "CapBnd:",
                                           "CapAmb:", "NoNewPrivs:", "Seccomp:", NULL};
        FILE *f = fopen("/proc/self/status", "re");
        if (!f)
                return report(name, errno);
        char line[512];
        while (fgets(line, sizeof(line), f))
                for (int i = 0; keys[i]; i++)
                        if (!strncmp(line, keys[i], strlen(keys[i])))
                                fputs(line, stdout);
        fclose(f);
        return EXIT_OK;
}

static int cmd_ptrace_traceme(const char *name, char **argv)
{
        return report_ret(name, ptrace(PTRACE_TRACEME, 0, NULL, NULL));
}

static int cmd_ptrace_attach(const char *name, char **argv)
{
        long pid;
        if (parse_long(argv[0], 1, INT_MAX, &pid) < 0)
                return usage_error(name, "not a pid", argv[0]);
        if (ptrace(PTRACE_ATTACH, (pid_t)pid, NULL, NULL) < 0)
                return report(name, errno);
        waitpid((pid_t)pid, NULL, __WALL);
        ptrace(PTRACE_DETACH, (pid_t)pid, NULL, NULL);
        return report(name, 0);
}

static int cmd_mount(const char *name, char **argv)
{
        char dir[] = "/tmp/probe-mount.XXXXXX";
        if (!mkdtemp(dir))
                return report(name, errno);
        int r = mount("probe", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k");
        int e = r < 0 ? errno : 0;
        if (r == 0)
                umount2(dir, MNT_DETACH);
        rmdir(dir);
        return report(name, e);
}

static int cmd_unshare_user(const char *name, char **argv)
{
        return report_ret(name, unshare(CLONE_NEWUSER));
}

static int cmd_unshare_net(const char *name, char **argv)
{
        return report_ret(name, unshare(CLONE_NEWNET));
}

/* Waits for a child that only _exit(0)s; returns 0 or an errno. */
static int reap_child(pid_t pid)
{
        int status;
        if (waitpid(pid, &status, 0) < 0)
                return errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : ECHILD;
}

static int cmd_clone_newns(const char *name, char **argv)
{
        /* The raw syscall, so the flags are exactly what the filter sees. */
        long pid = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);
        if (pid < 0)
                return report(name, errno);
        if (pid == 0)
                _exit(0);
        return report(name, reap_child((pid_t)pid));
}

static int cmd_clone3(const char *name, char **argv)
{
        /* struct clone_args (v0, 64 bytes): flags, pidfd, child_tid,
         * parent_tid, exit_signal, stack, stack_size, tls. */
        uint64_t args[8] = {0};
        args[4] = SIGCHLD;
        long pid = syscall(__NR_clone3, args, sizeof(args));
        if (pid < 0)
                return report(name, errno);
        if (pid == 0)
                _exit(0);
        return report(name, reap_child((pid_t)pid));
}

static int cmd_bpf(const char *name, char **argv)
{
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.map_type = BPF_MAP_TYPE_ARRAY;
        attr.key_size = 4;
        attr.value_size = 4;
        attr.max_entries = 1;
        long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
        if (fd >= 0)
                close((int)fd);
        return report_ret(name, fd);
}

static int cmd_io_uring(const char *name, char **argv)
{
        struct io_uring_params params;
        memset(&params, 0, sizeof(params));
        long fd = syscall(__NR_io_uring_setup, 1, &params);
        if (fd >= 0)
                close((int)fd);
        return report_ret(name, fd);
}

/* In a child that is a session leader, opens a fresh pty slave as its
 * controlling terminal and pushes a byte with TIOCSTI: the kernel allows
 * that without any capability (dev.tty.legacy_tiocsti=1), so an EPERM can
 * only come from the seccomp filter, not from a missing CAP_SYS_ADMIN or a
 * stdin that is not a tty. Returns 0 or an errno. */
static int tiocsti_child(void)
{
        setsid();
        int master = posix_openpt(O_RDWR | O_NOCTTY);
        if (master < 0)
                return errno;
        if (grantpt(master) < 0 || unlockpt(master) < 0)
                return errno;
        const char *slave_name = ptsname(master);
        if (!slave_name)
                return errno;
        int slave = open(slave_name, O_RDWR); /* no O_NOCTTY: becomes ours */
        if (slave < 0)
                return errno;
        char c = '\n';
        return ioctl(slave, TIOCSTI, &c) < 0 ? errno : 0;
}

static int cmd_tiocsti(const char *name, char **argv)
{
        pid_t pid = fork();
        if (pid < 0)
                return report(name, errno);
        if (pid == 0)
                _exit(tiocsti_child());
        int status;
        if (waitpid(pid, &status, 0) < 0)
                return report(name, errno);
        if (!WIFEXITED(status)) {
                printf("%s: child killed by signal %d\n", name, WTERMSIG(status));
                return EXIT_FAILED;
        }
        return report(name, WEXITSTATUS(status));
}

#if defined(__x86_64__)
static int cmd_int80(const char *name, char **argv)
{
        /* getpid through the i386 entry point: 20 is __NR_getpid there. A
         * filter that checks the architecture kills us before this returns. */
        long ret = 20;
        fflush(stdout);
        __asm__ volatile("int $0x80" : "+a"(ret) : : "memory", "cc", "r8", "r9", "r10", "r11");
        if (ret < 0)
                return report(name, (int)-ret);
        if (ret != getpid()) {
                printf("%s: returned %ld, expected pid %d\n", name, ret, (int)getpid());
                return EXIT_FAILED;
        }
        return report(name, 0);
}

/* getpid with the x32 bit set: a syscall of the x32 ABI, which a filter
 * for the native ABI only must kill (docs/architecture.md, "Threat model") even where the kernel
 * lacks CONFIG_X86_X32_ABI and would answer ENOSYS. */
static int cmd_x32(const char *name, char **argv)
{
        fflush(stdout);
        return report_ret(name, syscall(0x40000000 | SYS_getpid));
}
#else
static int cmd_int80(const char *name, char **argv)
{
        printf("%s: unsupported\n", name);
        return EXIT_USAGE;
}

static int cmd_x32(const char *name, char **argv)
{
        printf("%s: unsupported\n", name);
        return EXIT_USAGE;
}
#endif

static int cmd_chown(const char *name, char **argv)
{
        long uid;
        if (parse_long(argv[1], 0, UINT32_MAX - 1, &uid) < 0)
                return usage_error(name, "not a uid", argv[1]);
        return report_ret(name, chown(argv[0], (uid_t)uid, (gid_t)-1));
}

static int cmd_setuid(const char *name, char **argv)
{
        long uid;
        if (parse_long(argv[0], 0, UINT32_MAX - 1, &uid) < 0)
                return usage_error(name, "not a uid", argv[0]);
        /* The raw syscall: glibc's wrapper would broadcast to threads. */
        return report_ret(name, syscall(SYS_setuid, (uid_t)uid));
}

static int cmd_chroot(const char *name, char **argv)
{
        return report_ret(name, chroot(argv[0]));
}

static int cmd_sethostname(const char *name, char **argv)
{
        return report_ret(name, sethostname(argv[0], strlen(argv[0])));
}

static int cmd_getenv(const char *name, char **argv)
{
        const char *v = getenv(argv[0]);
        printf("%s: %s\n", name, v ? v : "unset");
        return v ? EXIT_OK : EXIT_FAILED;
}

/* ---- ordinary work ----------------------------------------------------- */

static int write_all(int fd, const void *buf, size_t n)
{
        const char *p = buf;
        while (n > 0) {
                ssize_t w = write(fd, p, n);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return errno;
                p += w;
                n -= (size_t)w;
        }
        return 0;
}

static int files_in(const char *dir)
{
        char path[PATH_MAX], renamed[PATH_MAX + 8];
        static const char text[] = "leastpriv probe\n";
        char back[sizeof(text)] = {0};
        snprintf(path, sizeof(path), "%s/probe-files.XXXXXX", dir);
        int fd = mkstemp(path);
        if (fd < 0)
                return errno;
        int e = write_all(fd, text, sizeof(text) - 1);
        if (!e && fsync(fd) < 0)
                e = errno;
        if (!e && pread(fd, back, sizeof(back) - 1, 0) != (ssize_t)sizeof(text) - 1)
                e = EIO;
        close(fd);
        if (!e && strcmp(back, text))
                e = EIO;
        snprintf(renamed, sizeof(renamed), "%s.moved", path);
        if (!e && rename(path, renamed) < 0)
                e = errno;
        if (unlink(e ? path : renamed) < 0 && !e)
                e = errno;
        return e;
}

static int cmd_files(const char *name, char **argv)
{
        return report(name, files_in(argv[0]));
}

static void *thread_work(void *arg)
{
        uintptr_t seed = (uintptr_t)arg;
        uint64_t *v = malloc(4096 * sizeof(*v));
        if (!v)
                return NULL;
        uint64_t sum = 0;
        for (int i = 0; i < 4096; i++)
                v[i] = seed * 2654435761u + (uint64_t)i;
        for (int i = 0; i < 4096; i++)
                sum += v[i];
        free(v);
        return (void *)(uintptr_t)(sum != 0);
}

static int cmd_threads(const char *name, char **argv)
{
        long n;
        if (parse_long(argv[0], 1, 1024, &n) < 0)
                return usage_error(name, "not a thread count (1..1024)", argv[0]);
        pthread_t t[1024];
        int e = 0;
        long started = 0;
        for (; started < n; started++)
                if ((e = pthread_create(&t[started], NULL, thread_work,
                                        (void *)(uintptr_t)(started + 1))))
                        break;
        for (long i = 0; i < started; i++) {
                void *res;
                pthread_join(t[i], &res);
                if (!res && !e)
                        e = ENOMEM;
        }
        return report(name, e);
}

static int cmd_pipes(const char *name, char **argv)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return report(name, errno);
        pid_t pid = fork();
        if (pid < 0)
                return report(name, errno);
        if (pid == 0) {
                static char block[65536];
                memset(block, 'p', sizeof(block));
                close(p[0]);
                for (int i = 0; i < 16; i++)
                        if (write_all(p[1], block, sizeof(block)))
                                _exit(1);
                _exit(0);
        }
        close(p[1]);
        char buf[65536];
        size_t total = 0;
        ssize_t r;
        while ((r = read(p[0], buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR))
                total += r > 0 ? (size_t)r : 0;
        close(p[0]);
        int e = reap_child(pid);
        if (!e && total != 16 * 65536)
                e = EIO;
        return report(name, e);
}

static int cmd_fork_exec(const char *name, char **argv)
{
        pid_t pid = fork();
        if (pid < 0)
                return report(name, errno);
        if (pid == 0) {
                execl("/bin/sh", "sh", "-c", "exit 7", (char *)NULL);
                _exit(127);
        }
        int status;
        if (waitpid(pid, &status, 0) < 0)
                return report(name, errno);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 7) {
                printf("%s: child status 0x%x, expected exit 7\n", name, status);
                return EXIT_FAILED;
        }
        return report(name, 0);
}

/* ---- network ------------------------------------------------------------ */

static int loopback_listener(uint16_t port, uint16_t *ret_port)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof(a);
        int one = 1;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 16) < 0 ||
            getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
                int e = errno;
                close(fd);
                return -e;
        }
        *ret_port = ntohs(a.sin_port);
        return fd;
}

static int echo_once(int srv, uint16_t port)
{
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        char buf[8] = {0};
        int e = 0, conn = -1;
        int cli = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (cli < 0)
                return errno;
        if (connect(cli, (struct sockaddr *)&a, sizeof(a)) < 0 ||
            (conn = accept(srv, NULL, NULL)) < 0)
                e = errno;
        if (!e)
                e = write_all(cli, "ping", 4);
        if (!e && read(conn, buf, 4) != 4)
                e = EIO;
        if (!e)
                e = write_all(conn, buf, 4);
        memset(buf, 0, sizeof(buf));
        if (!e && (read(cli, buf, 4) != 4 || strcmp(buf, "ping")))
                e = EIO;
        if (conn >= 0)
                close(conn);
        close(cli);
        return e;
}

static int cmd_loopback_tcp(const char *name, char **argv)
{
        uint16_t port;
        int srv = loopback_listener(0, &port);
        if (srv < 0)
                return report(name, -srv);
        int e = echo_once(srv, port);
        close(srv);
        return report(name, e);
}

/* Numeric IPv4 or IPv6 (no brackets) and a port into *ss. */
static int parse_sockaddr(const char *host, const char *port, struct sockaddr_storage *ss,
                          socklen_t *len)
{
        long p;
        if (parse_long(port, 0, 65535, &p) < 0)
                return -1;
        memset(ss, 0, sizeof(*ss));
        struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
        if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
                a4->sin_family = AF_INET;
                a4->sin_port = htons((uint16_t)p);
                *len = sizeof(*a4);
                return 0;
        }
        if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
                a6->sin6_family = AF_INET6;
                a6->sin6_port = htons((uint16_t)p);
                *len = sizeof(*a6);
                return 0;
        }
        return -1;
}

/* Non-blocking connect with a 2 s limit; returns 0 or an errno. */
static int connect_timeout(const struct sockaddr_storage *ss, socklen_t len)
{
        int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return errno;
        int e = 0;
        if (connect(fd, (const struct sockaddr *)ss, len) < 0) {
                e = errno;
                struct pollfd pfd = {.fd = fd, .events = POLLOUT};
                socklen_t elen = sizeof(e);
                if (e == EINPROGRESS) {
                        int r = poll(&pfd, 1, 2000);
                        if (r < 0)
                                e = errno;
                        else if (r == 0)
                                e = ETIMEDOUT;
                        else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &elen) < 0)
                                e = errno;
                }
        }
        close(fd);
        return e;
}

static int cmd_connect(const char *name, char **argv)
{
        struct sockaddr_storage ss;
        socklen_t len;
        if (parse_sockaddr(argv[0], argv[1], &ss, &len) < 0)
                return usage_error(name, "not a numeric address and port", argv[0]);
        return report(name, connect_timeout(&ss, len));
}

/* One UDP datagram to HOST PORT through sendmsg(2), the address in msg_name. */
static int cmd_udp_sendmsg(const char *name, char **argv)
{
        struct sockaddr_storage ss;
        socklen_t len;
        if (parse_sockaddr(argv[0], argv[1], &ss, &len) < 0)
                return usage_error(name, "not a numeric address and port", argv[0]);
        int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return report(name, errno);
        struct iovec iov = {"x", 1};
        struct msghdr m = {.msg_name = &ss, .msg_namelen = len, .msg_iov = &iov, .msg_iovlen = 1};
        int e = sendmsg(fd, &m, 0) < 0 ? errno : 0;
        close(fd);
        return report(name, e);
}

/* sendmmsg(2) of two UDP datagrams: the first to 127.0.0.1 PORT, the
 * second to HOST PORT. Prints the errno of the first that was not sent
 * (the kernel stops at it), then how many were. */
static int cmd_udp_sendmmsg(const char *name, char **argv)
{
        struct sockaddr_storage lo, out;
        socklen_t lo_len, out_len;
        if (parse_sockaddr("127.0.0.1", argv[1], &lo, &lo_len) < 0 ||
            parse_sockaddr(argv[0], argv[1], &out, &out_len) < 0 || out.ss_family != AF_INET)
                return usage_error(name, "not a numeric IPv4 address and port", argv[0]);
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return report(name, errno);
        struct iovec iov = {"x", 1};
        struct mmsghdr m[2] = {
                {.msg_hdr = {.msg_name = &lo,
                             .msg_namelen = lo_len,
                             .msg_iov = &iov,
                             .msg_iovlen = 1}},
                {.msg_hdr = {.msg_name = &out,
                             .msg_namelen = out_len,
                             .msg_iov = &iov,
                             .msg_iovlen = 1}},
        };
        int sent = sendmmsg(fd, m, 2, 0);
        int e = sent < 0 ? errno : 0;
        /* After a partial send, the error of the message that failed is
         * what the next send on the socket returns. */
        if (sent == 1)
                e = sendmmsg(fd, m + 1, 1, 0) < 0 ? errno : 0;
        close(fd);
        int status = report(name, e);
        printf("sent: %d\n", sent < 0 ? 0 : sent);
        return status;
}

static int cmd_bind(const char *name, char **argv)
{
        long port;
        if (parse_long(argv[0], 0, 65535, &port) < 0)
                return usage_error(name, "not a port", argv[0]);
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
        a.sin_addr.s_addr = htonl(INADDR_ANY);
        int one = 1;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return report(name, errno);
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        int r = bind(fd, (struct sockaddr *)&a, sizeof(a));
        int e = r < 0 ? errno : 0;
        close(fd);
        return report(name, e);
}

/* A loopback-only TCP server for the tests: 127.0.0.1 on an ephemeral
 * port written to PORTFILE, greets each client with "hello" for SECONDS. */
static int cmd_listen(const char *name, char **argv)
{
        long secs;
        uint16_t port;
        if (parse_long(argv[1], 1, 3600, &secs) < 0)
                return usage_error(name, "not a duration in seconds", argv[1]);
        int srv = loopback_listener(0, &port);
        if (srv < 0)
                return report(name, -srv);
        FILE *f = fopen(argv[0], "we");
        if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0)
                return report(name, errno ? errno : EIO);
        time_t end = time(NULL) + secs;
        while (time(NULL) < end) {
                struct pollfd pfd = {.fd = srv, .events = POLLIN};
                if (poll(&pfd, 1, 200) <= 0)
                        continue;
                int c = accept4(srv, NULL, NULL, SOCK_CLOEXEC);
                if (c >= 0) {
                        write_all(c, "hello\n", 6);
                        close(c);
                }
        }
        close(srv);
        return report(name, 0);
}

static int cmd_raw_socket(const char *name, char **argv)
{
        int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
        if (fd >= 0)
                close(fd);
        return report_ret(name, fd);
}

static int cmd_packet_socket(const char *name, char **argv)
{
        int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
        if (fd >= 0)
                close(fd);
        return report_ret(name, fd);
}

static const struct {
        const char *name;
        int family, type, protocol;
} families[] = {
        {"AF_UNIX", AF_UNIX, SOCK_STREAM, 0},
        {"AF_INET", AF_INET, SOCK_STREAM, 0},
        {"AF_INET6", AF_INET6, SOCK_STREAM, 0},
        {"AF_NETLINK", AF_NETLINK, SOCK_RAW, 0 /* NETLINK_ROUTE */},
        {"AF_NETLINK:AUDIT", AF_NETLINK, SOCK_RAW, 9 /* NETLINK_AUDIT */},
        {"AF_PACKET", AF_PACKET, SOCK_DGRAM, 0},
        {"AF_KEY", AF_KEY, SOCK_RAW, 2 /* PF_KEY_V2 */},
        {"AF_ALG", AF_ALG, SOCK_SEQPACKET, 0},
        {"AF_VSOCK", AF_VSOCK, SOCK_STREAM, 0},
        {"AF_BLUETOOTH", AF_BLUETOOTH, SOCK_RAW, 0},
        {"AF_CAN", AF_CAN, SOCK_RAW, 1 /* CAN_RAW */},
        {"AF_TIPC", AF_TIPC, SOCK_RDM, 0},
        {"AF_XDP", AF_XDP, SOCK_RAW, 0},
};

static int cmd_socket(const char *name, char **argv)
{
        for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
                if (strcmp(families[i].name, argv[0]))
                        continue;
                int fd = socket(families[i].family, families[i].type | SOCK_CLOEXEC,
                                families[i].protocol);
                if (fd >= 0)
                        close(fd);
                return report_ret(name, fd);
        }
        return usage_error(name, "unknown address family", argv[0]);
}

/* /proc/net/dev reflects the reader's network namespace; /sys/class/net
 * would show the namespace sysfs was mounted in (the host's). */
static int cmd_netdevs(const char *name, char **argv)
{
        FILE *f = fopen("/proc/net/dev", "re");
        if (!f)
                return report(name, errno);
        char line[512];
        while (fgets(line, sizeof(line), f)) {
                char *colon = strchr(line, ':');
                if (!colon)
                        continue;
                *colon = '\0';
                char *dev = line + strspn(line, " ");
                printf("%s\n", dev);
        }
        fclose(f);
        return EXIT_OK;
}

static int cmd_netns(const char *name, char **argv)
{
        char buf[128];
        ssize_t n = readlink("/proc/self/ns/net", buf, sizeof(buf) - 1);
        if (n < 0)
                return report(name, errno);
        buf[n] = '\0';
        printf("%s\n", buf);
        return EXIT_OK;
}

/* ---- files and processes ------------------------------------------------ */

static int cmd_write_file(const char *name, char **argv)
{
        int fd = open(argv[0], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return report(name, errno);
        int e = write_all(fd, "probe\n", 6);
        if (close(fd) < 0 && !e)
                e = errno;
        return report(name, e);
}

static void write_pidfile_or_exit(const char *path)
{
        char tmp[PATH_MAX];
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        FILE *f = fopen(tmp, "we");
        if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0 || rename(tmp, path) < 0)
                _exit(1);
}

/* Waits (5 s at most) for the byte a process writes to `fd` once it is
 * ready; every other holder of the pipe's write end has closed it, so EOF
 * says that it died first. */
static int wait_ready(int fd)
{
        struct pollfd p = {.fd = fd, .events = POLLIN};
        char c;
        int n = poll(&p, 1, 5000);
        if (n < 0)
                return errno;
        if (n == 0)
                return ETIMEDOUT;
        return read(fd, &c, 1) == 1 ? 0 : ECHILD;
}

/* The descriptors this process holds, "fds: 0 1 2", leaving out the one
 * that reads /proc/self/fd: what the command was handed, so a descriptor
 * the launcher let slip shows up by its number. */
static int cmd_fds(const char *name, char **argv)
{
        DIR *d = opendir("/proc/self/fd");
        if (!d)
                return report(name, errno);
        printf("%s:", name);
        for (struct dirent *e; (e = readdir(d));) {
                long fd;
                if (parse_long(e->d_name, 0, INT_MAX, &fd) == 0 && fd != dirfd(d))
                        printf(" %ld", fd);
        }
        closedir(d);
        printf("\n");
        return EXIT_OK;
}

/* Classic double fork: the grandchild leaves the session and the parent's
 * tree, so only a subreaper that kills everything can stop it. Returns
 * once the grandchild's pid file is there (it says so on a pipe). */
static int cmd_daemon(const char *name, char **argv)
{
        int ready[2];
        if (pipe2(ready, O_CLOEXEC) < 0)
                return report(name, errno);
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
                return report(name, errno);
        if (pid == 0) {
                setsid();
                if (fork() != 0)
                        _exit(0);
                int null = open("/dev/null", O_RDWR);
                dup2(null, 0);
                dup2(null, 1);
                dup2(null, 2);
                close(ready[0]);
                write_pidfile_or_exit(argv[0]);
                (void)!write(ready[1], "r", 1);
                close(ready[1]);
                /* The workload: a daemon that lives on (300 s at most). */
                for (int i = 0; i < 300; i++)
                        sleep(1);
                _exit(0);
        }
        close(ready[1]);
        int e = reap_child(pid);
        if (!e)
                e = wait_ready(ready[0]);
        close(ready[0]);
        return report(name, e);
}

static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
        got_signal = sig;
}

static int cmd_wait_signal(const char *name, char **argv)
{
        static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
        struct sigaction sa = {.sa_handler = on_signal};
        sigset_t block, old;
        sigemptyset(&block);
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
                sigaction(sigs[i], &sa, NULL);
                sigaddset(&block, sigs[i]);
        }
        sigprocmask(SIG_BLOCK, &block, &old);
        alarm(120); /* never hang a test run forever */
        printf("ready\n");
        fflush(stdout);
        while (!got_signal)
                sigsuspend(&old);
        printf("got SIG%s\n", sigabbrev_np(got_signal));
        fflush(stdout);
        return EXIT_OK;
}

static int cmd_sleep(const char *name, char **argv)
{
        long secs;
        if (parse_long(argv[0], 0, 86400, &secs) < 0)
                return usage_error(name, "not a duration in seconds", argv[0]);
        struct timespec ts = {.tv_sec = secs};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
        return report(name, 0);
}

static int cmd_exit(const char *name, char **argv)
{
        long n;
        if (parse_long(argv[0], 0, 255, &n) < 0)
                return usage_error(name, "not an exit status (0..255)", argv[0]);
        exit((int)n);
}

static int cmd_kill_self(const char *name, char **argv)
{
        int sig = signal_from_name(argv[0]);
        if (sig < 0)
                return usage_error(name, "unknown signal", argv[0]);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        signal(sig, SIG_DFL);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        fflush(stdout);
        if (kill(getpid(), sig) < 0)
                return report(name, errno);
        printf("%s: survived SIG%s\n", name, sigabbrev_np(sig));
        return EXIT_FAILED;
}

/* ---- the supervisor under load ----------------------------------------- */

static const char *const denied_calls[] = {"ptrace", "mount", "chroot", "acct", NULL};

/* Calls to syscalls the default profile denies, made harmless for a bare
 * run: bad targets and requests that fail without side effects. */
static long denied_call(const char *which, const char *path)
{
        if (!strcmp(which, "ptrace"))
                return syscall(SYS_ptrace, PTRACE_PEEKUSER, getpid(), 0, 0);
        if (!strcmp(which, "mount"))
                return syscall(SYS_mount, "probe", path, "tmpfs", 0, NULL);
        if (!strcmp(which, "chroot"))
                return syscall(SYS_chroot, path);
        if (!strcmp(which, "acct"))
                return syscall(SYS_acct, path);
        errno = EINVAL;
        return -2;
}

struct storm {
        const char *which;
        long per_thread;
        int expected;
        atomic_long attempts, matched;
        const char *ready; /* written once the first call has come back; NULL: none */
        atomic_flag said_ready;
};

/* "ready" to s->ready (a FIFO the test reads), once: a call came back, so
 * the supervisor has answered one, and recorded it before that. */
static void storm_say_ready(struct storm *s)
{
        if (!s->ready || atomic_flag_test_and_set(&s->said_ready))
                return;
        int fd = open(s->ready, O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write_all(fd, "ready\n", 6) != 0)
                fprintf(stderr, "storm: cannot say ready on %s: %s\n", s->ready, strerror(errno));
        if (fd >= 0)
                close(fd);
}

static void *storm_thread(void *arg)
{
        struct storm *s = arg;
        for (long i = 0; i < s->per_thread; i++) {
                long r = denied_call(s->which, "/nonexistent/leastpriv-probe-storm");
                atomic_fetch_add(&s->attempts, 1);
                if (r == -1 && errno == s->expected)
                        atomic_fetch_add(&s->matched, 1);
                storm_say_ready(s);
        }
        return NULL;
}

/* SYSCALL[:ERRNO]: ptrace, mount, chroot or acct; ERRNO defaults to EPERM. */
static int parse_storm_target(char *arg, struct storm *s)
{
        char *colon = strchr(arg, ':');
        s->expected = EPERM;
        if (colon) {
                *colon = '\0';
                if ((s->expected = errno_from_name(colon + 1)) < 0)
                        return -1;
        }
        s->which = arg;
        /* Checked by name: a trial call would be one attempt too many. */
        for (int i = 0; denied_calls[i]; i++)
                if (!strcmp(denied_calls[i], arg))
                        return 0;
        return -1;
}

static int storm(const char *name, char **argv, const char *ready)
{
        long n;
        struct storm s = {.ready = ready, .said_ready = ATOMIC_FLAG_INIT};
        if (parse_long(argv[0], 1, 256, &n) < 0)
                return usage_error(name, "not a thread count (1..256)", argv[0]);
        if (parse_long(argv[1], 1, 100000000, &s.per_thread) < 0)
                return usage_error(name, "not a per-thread count", argv[1]);
        if (parse_storm_target(argv[2], &s) < 0)
                return usage_error(name, "not ptrace|mount|chroot|acct[:ERRNO]", argv[2]);
        pthread_t t[256];
        long started = 0;
        while (started < n && pthread_create(&t[started], NULL, storm_thread, &s) == 0)
                started++;
        for (long i = 0; i < started; i++)
                pthread_join(t[i], NULL);
        long attempts = atomic_load(&s.attempts), matched = atomic_load(&s.matched);
        printf("%s: attempts=%ld expected=%ld errno=%s\n", name, attempts, matched,
               errno_name(s.expected));
        return started == n && matched == attempts ? EXIT_OK : EXIT_FAILED;
}

static int cmd_storm(const char *name, char **argv)
{
        return storm(name, argv, NULL);
}

static int cmd_storm_ready(const char *name, char **argv)
{
        return storm(name, argv, argv[3]);
}

/* N mount calls, each on its own target path, so a supervisor that keys
 * findings by target must keep N distinct entries. */
static int cmd_distinct(const char *name, char **argv)
{
        long n, denied = 0;
        if (parse_long(argv[0], 1, 1000000, &n) < 0)
                return usage_error(name, "not a count", argv[0]);
        for (long i = 0; i < n; i++) {
                char path[64];
                snprintf(path, sizeof(path), "/nonexistent/leastpriv-distinct/%ld", i);
                if (denied_call("mount", path) == -1 && errno == EPERM)
                        denied++;
        }
        printf("%s: attempts=%ld denied=%ld\n", name, n, denied);
        return denied == n ? EXIT_OK : EXIT_FAILED;
}

/* ---- exec in the same pid: whose finding is whose ----------------------- */

#define EXEC_DENIED_PATH "/nonexistent/leastpriv-exec-denied"

struct exec_denied {
        const char *program;
        bool from_thread;
};

/* One denied mount, then PROGRAM replaces this process (same pid) and
 * makes the same call as "exec-denied last": a supervisor that caches the
 * executable per pid must name PROGRAM for that one. */
static void *exec_after_denied(void *arg)
{
        const struct exec_denied *e = arg;
        if (denied_call("mount", EXEC_DENIED_PATH) != -1 || errno != EPERM) {
                printf("exec-denied: the first mount was not denied (%s)\n", errno_name(errno));
                exit(EXIT_FAILED);
        }
        fflush(stdout);
        execl(e->program, e->program, "exec-denied", "last", "-", (char *)NULL);
        printf("exec-denied: exec %s: %s\n", e->program, errno_name(errno));
        exit(EXIT_FAILED);
}

/* WHERE: "leader" (the main thread makes its call and execs), "thread"
 * (the main thread makes its call, then a second thread makes its own
 * and execs: it takes the leader's pid), or "last" (the exec'd program's
 * call, printed with its pid). */
static int cmd_exec_denied(const char *name, char **argv)
{
        static struct exec_denied e;
        e = (struct exec_denied){.program = argv[1], .from_thread = !strcmp(argv[0], "thread")};
        if (!strcmp(argv[0], "last")) {
                long r = denied_call("mount", EXEC_DENIED_PATH);
                printf("%s: pid=%d %s\n", name, (int)getpid(),
                       r == -1 ? errno_name(errno) : "allowed");
                return r == -1 && errno == EPERM ? EXIT_OK : EXIT_FAILED;
        }
        if (strcmp(argv[0], "leader") && !e.from_thread)
                return usage_error(name, "not leader|thread|last", argv[0]);
        printf("%s: pid=%d before exec\n", name, (int)getpid());
        if (!e.from_thread)
                exec_after_denied(&e);
        if (denied_call("mount", EXEC_DENIED_PATH) != -1 || errno != EPERM)
                return report(name, errno);
        pthread_t t;
        if (pthread_create(&t, NULL, exec_after_denied, &e) != 0)
                return report(name, EAGAIN);
        pthread_join(t, NULL); /* ends with the exec */
        return EXIT_FAILED;
}

/* A denied path syscall whose arguments point at memory that was just
 * unmapped: the supervisor cannot decode them and must still answer. */
static int cmd_unmapped_arg(const char *name, char **argv)
{
        long page = sysconf(_SC_PAGESIZE);
        void *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                       0);
        if (p == MAP_FAILED)
                return report(name, errno);
        munmap(p, (size_t)page);
        return report_ret(name, syscall(SYS_mount, p, p, p, 0, NULL));
}

/* A denied path syscall whose path is 68 KiB without a NUL, ending at a
 * PROT_NONE guard page: a supervisor that reads until NUL would fault or
 * run away. */
static int cmd_no_nul_path(const char *name, char **argv)
{
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        size_t len = 17 * page;
        char *p =
                mmap(NULL, len + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return report(name, errno);
        memset(p, 'A', len);
        p[0] = '/';
        if (mprotect(p + len, page, PROT_NONE) < 0)
                return report(name, errno);
        return report_ret(name, syscall(SYS_mount, p, p, "tmpfs", 0, NULL));
}

/* N times: fork a child whose threads make denied mount() calls in a loop
 * (each one a notification the supervisor has to answer) and SIGKILL it
 * after a short, varying delay, so that children die with notifications
 * still pending. Prints "NAME: killed=K of N"; exit 0 when every child died
 * of the SIGKILL. */
static void *kill_pending_thread(void *arg)
{
        for (;;)
                denied_call("mount", arg);
        return NULL;
}

static int cmd_kill_pending(const char *name, char **argv)
{
        static char path[] = "/nonexistent/leastpriv-probe-kill-pending";
        long n, killed = 0;
        if (parse_long(argv[0], 1, 100000, &n) < 0)
                return usage_error(name, "not a count (1..100000)", argv[0]);
        fflush(stdout);
        for (long i = 0; i < n; i++) {
                pid_t pid = fork();
                if (pid < 0)
                        return report(name, errno);
                if (pid == 0) {
                        pthread_t t;
                        for (int k = 0; k < 3; k++)
                                pthread_create(&t, NULL, kill_pending_thread, path);
                        kill_pending_thread(path);
                        _exit(0);
                }
                struct timespec ts = {0, (i % 20) * 100000L}; /* 0 .. 1.9 ms */
                nanosleep(&ts, NULL);
                int status;
                kill(pid, SIGKILL);
                if (waitpid(pid, &status, 0) < 0)
                        return report(name, errno);
                if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
                        killed++;
        }
        printf("%s: killed=%ld of %ld\n", name, killed, n);
        return killed == n ? EXIT_OK : EXIT_FAILED;
}

/* ---- dispatch ----------------------------------------------------------- */

struct command {
        const char *name;
        int argc;
        int (*fn)(const char *name, char **argv);
        const char *help;
};

static const struct command commands[] = {
        {"status", 0, cmd_status, "print the Cap*, NoNewPrivs, Seccomp lines of /proc/self/status"},
        {"ptrace-traceme", 0, cmd_ptrace_traceme, "ptrace(PTRACE_TRACEME)"},
        {"ptrace-attach", 1, cmd_ptrace_attach, "PID: ptrace(PTRACE_ATTACH, PID), then detach"},
        {"mount", 0, cmd_mount, "mount a tmpfs on a fresh directory in /tmp"},
        {"unshare-user", 0, cmd_unshare_user, "unshare(CLONE_NEWUSER)"},
        {"unshare-net", 0, cmd_unshare_net, "unshare(CLONE_NEWNET)"},
        {"clone-newns", 0, cmd_clone_newns, "raw clone(CLONE_NEWNS|SIGCHLD)"},
        {"clone3", 0, cmd_clone3, "raw clone3() of a plain child"},
        {"bpf", 0, cmd_bpf, "bpf(BPF_MAP_CREATE) of a one-entry array"},
        {"io-uring", 0, cmd_io_uring, "io_uring_setup(1)"},
        {"tiocsti", 0, cmd_tiocsti, "ioctl(TIOCSTI) on a fresh pty that is our terminal"},
        {"int80", 0, cmd_int80, "getpid through the i386 int $0x80 entry (x86_64)"},
        {"x32", 0, cmd_x32, "getpid through the x32 ABI (x86_64)"},
        {"files", 1, cmd_files, "DIR: create, write, read, rename, unlink a file in DIR"},
        {"threads", 1, cmd_threads, "N: start N threads that allocate and compute, join"},
        {"pipes", 0, cmd_pipes, "1 MiB from a forked child through a pipe"},
        {"fork-exec", 0, cmd_fork_exec, "fork, exec /bin/sh -c 'exit 7', expect 7"},
        {"loopback-tcp", 0, cmd_loopback_tcp, "server and client on 127.0.0.1, echo"},
        {"connect", 2, cmd_connect, "HOST PORT: TCP connect, 2 s limit, numeric address"},
        {"bind", 1, cmd_bind, "PORT: bind TCP 0.0.0.0:PORT"},
        {"udp-sendmsg", 2, cmd_udp_sendmsg, "HOST PORT: one UDP datagram by sendmsg, msg_name set"},
        {"udp-sendmmsg", 2, cmd_udp_sendmmsg,
         "HOST PORT: sendmmsg of two datagrams, to 127.0.0.1 PORT and to HOST PORT"},
        {"listen", 2, cmd_listen, "PORTFILE SECONDS: 127.0.0.1 server, port written to PORTFILE"},
        {"raw-socket", 0, cmd_raw_socket, "socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)"},
        {"packet-socket", 0, cmd_packet_socket, "socket(AF_PACKET, SOCK_RAW)"},
        {"socket", 1, cmd_socket, "FAMILY: socket() of AF_UNIX, AF_NETLINK, AF_INET6, ..."},
        {"chown", 2, cmd_chown, "PATH UID: chown(PATH, UID, -1)"},
        {"setuid", 1, cmd_setuid, "UID: setuid(UID)"},
        {"chroot", 1, cmd_chroot, "DIR: chroot(DIR)"},
        {"sethostname", 1, cmd_sethostname, "NAME: sethostname(NAME)"},
        {"getenv", 1, cmd_getenv, "NAME: print the value or 'unset' (exit 1)"},
        {"write-file", 1, cmd_write_file, "PATH: create PATH"},
        {"fds", 0, cmd_fds, "print the open descriptors: 'fds: 0 1 2'"},
        {"daemon", 1, cmd_daemon, "PIDFILE: leave a setsid grandchild sleeping 300 s"},
        {"wait-signal", 0, cmd_wait_signal, "print 'ready', wait, print 'got SIGxxx'"},
        {"sleep", 1, cmd_sleep, "SECONDS"},
        {"exit", 1, cmd_exit, "N: exit with status N"},
        {"kill-self", 1, cmd_kill_self, "SIGNAME: die of that signal"},
        {"netdevs", 0, cmd_netdevs, "the network devices of our namespace, one a line"},
        {"netns", 0, cmd_netns, "readlink /proc/self/ns/net"},
        {"storm", 3, cmd_storm,
         "THREADS PER_THREAD ptrace|mount|chroot|acct[:ERRNO]: denied calls in parallel"},
        {"storm-ready", 4, cmd_storm_ready,
         "THREADS PER_THREAD CALL READY: storm, writing 'ready' to READY after the first call"},
        {"distinct", 1, cmd_distinct, "N: N denied mounts, each on a distinct target"},
        {"exec-denied", 2, cmd_exec_denied,
         "leader|thread|last PROGRAM: a denied mount, then PROGRAM exec-denied last (same pid)"},
        {"unmapped-arg", 0, cmd_unmapped_arg, "denied mount() with unmapped pointer arguments"},
        {"no-nul-path", 0, cmd_no_nul_path, "denied mount() of a 68 KiB path with no NUL"},
        {"kill-pending", 1, cmd_kill_pending,
         "N: N times fork a child looping on denied mount() in 4 threads, SIGKILL it"},
};

static int usage(FILE *out)
{
        fprintf(out, "usage: probe SUBCOMMAND [ARG...]\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(out, "  %-15s %s\n", commands[i].name, commands[i].help);
        return EXIT_USAGE;
}

int main(int argc, char **argv)
{
        if (argc < 2)
                return usage(stderr);
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
                const struct command *c = &commands[i];
                if (strcmp(c->name, argv[1]))
                        continue;
                if (argc - 2 != c->argc) {
                        fprintf(stderr, "probe %s: expects %d argument(s): %s\n", c->name, c->argc,
                                c->help);
                        return EXIT_USAGE;
                }
                return c->fn(c->name, argv + 2);
        }
        fprintf(stderr, "probe: unknown subcommand '%s'\n", argv[1]);
        return usage(stderr);
}
