/* storm: T threads each make N calls of one syscall, as fast as they can,
 * and print the elapsed time. Used by notify.sh to measure how many seccomp
 * notifications per second the supervisor answers.
 *
 *   storm [-s ptrace|getppid|chown|connect|distinct] T N
 *
 * Under the default profile:
 *   ptrace    ptrace(PTRACE_PEEKUSER, own pid): denied (@debug), through the
 *             supervisor; bare, the kernel's ESRCH (not traced). Not
 *             PTRACE_TRACEME: bare, its first call would succeed and make
 *             the storm's thread a tracee of whoever runs it;
 *   getppid   allowed, stays in the kernel;
 *   chown     chown(FILE, own uid, own gid) of a file the storm creates in
 *             the working directory: watched (CAP_CHOWN is not kept, so the
 *             supervisor reads the ids and the path) and allowed: the
 *             kernel does it (CONTINUE);
 *   connect   connect() of a UDP socket to 127.0.0.1:9: watched (the
 *             destination is in memory) and allowed (loopback); no packet;
 *   distinct  mount() on /nonexistent/storm-distinct/<thread>/<i>: denied
 *             (@mount), each call a distinct finding.
 * Prints one line: "calls=<T*N> ok=<K> err=<E> elapsed_s=<S>" where ok/err
 * count the calls that returned 0 / -1. Exit 0 unless setup failed. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum mode { PTRACE, GETPPID, CHOWN, CONNECT, DISTINCT };

static long nr_calls;
static enum mode mode = PTRACE;
static char chown_path[] = "storm-chown-XXXXXX";
static pthread_barrier_t start;

struct result {
        int thread;
        long ok, err;
};

/* The descriptor a mode needs in each thread: a UDP socket for connect. */
static int thread_setup(void)
{
        return mode == CONNECT ? socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0) : 0;
}

static long one_call(int fd, int thread, long i)
{
        static const struct sockaddr_in discard = {
                .sin_family = AF_INET,
                .sin_port = __builtin_bswap16(9),
                .sin_addr = {__builtin_bswap32(INADDR_LOOPBACK)},
        };
        char path[96];
        switch (mode) {
        case PTRACE:
                return syscall(SYS_ptrace, PTRACE_PEEKUSER, getpid(), 0, 0);
        case GETPPID:
                return syscall(SYS_getppid);
        case CHOWN:
                return chown(chown_path, getuid(), getgid());
        case CONNECT:
                return connect(fd, (const struct sockaddr *)&discard, sizeof(discard));
        case DISTINCT:
                snprintf(path, sizeof(path), "/nonexistent/storm-distinct/%d/%ld", thread, i);
                return mount("storm", path, "tmpfs", 0, NULL);
        }
        return -1;
}

static void *worker(void *arg)
{
        struct result *r = arg;
        int fd = thread_setup();
        if (fd < 0) {
                perror("storm: socket");
                exit(2);
        }
        pthread_barrier_wait(&start);
        for (long i = 0; i < nr_calls; i++) {
                if (one_call(fd, r->thread, i) < 0)
                        r->err++;
                else
                        r->ok++;
        }
        if (fd > 0)
                close(fd);
        return NULL;
}

static int parse_mode(const char *name)
{
        static const char *const names[] = {"ptrace", "getppid", "chown", "connect", "distinct"};
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (!strcmp(name, names[i])) {
                        mode = (enum mode)i;
                        return 0;
                }
        return -1;
}

static double now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
        int opt;
        while ((opt = getopt(argc, argv, "s:")) != -1) {
                if (opt != 's' || parse_mode(optarg) < 0)
                        goto usage;
        }
        if (argc - optind != 2)
                goto usage;
        int t = atoi(argv[optind]);
        nr_calls = atol(argv[optind + 1]);
        if (t < 1 || t > 1024 || nr_calls < 1)
                goto usage;

        if (mode == CHOWN) {
                int fd = mkstemp(chown_path);
                if (fd < 0) {
                        perror("storm: mkstemp in the working directory");
                        return 2;
                }
                close(fd);
        }
        pthread_t *th = calloc(t, sizeof *th);
        struct result *res = calloc(t, sizeof *res);
        if (!th || !res || pthread_barrier_init(&start, NULL, t + 1))
                return 2;
        for (int i = 0; i < t; i++)
                res[i].thread = i;
        for (int i = 0; i < t; i++)
                if (pthread_create(&th[i], NULL, worker, &res[i])) {
                        fprintf(stderr, "storm: pthread_create failed\n");
                        return 2;
                }
        /* Before the release: a worker may finish before this thread runs
         * again. */
        double t0 = now();
        pthread_barrier_wait(&start);
        long ok = 0, err = 0;
        for (int i = 0; i < t; i++) {
                pthread_join(th[i], NULL);
                ok += res[i].ok;
                err += res[i].err;
        }
        double el = now() - t0;
        if (mode == CHOWN)
                unlink(chown_path);
        printf("calls=%ld ok=%ld err=%ld elapsed_s=%.6f\n", (long)t * nr_calls, ok, err, el);
        return 0;
usage:
        fprintf(stderr, "usage: storm [-s ptrace|getppid|chown|connect|distinct] THREADS "
                        "CALLS_PER_THREAD\n");
        return 2;
}
