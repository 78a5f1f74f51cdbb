/* storm: T threads each make N calls of one syscall, as fast as they can,
 * and print the elapsed time. Used by notify.sh to measure how many seccomp
 * notifications per second the supervisor answers.
 *
 *   storm [-s ptrace|getppid] T N
 *
 * ptrace(PTRACE_TRACEME) is denied by the default profile (@debug) and so
 * goes through the supervisor; getppid is allowed and stays in the kernel.
 * Prints one line: "calls=<T*N> ok=<K> err=<E> elapsed_s=<S>" where ok/err
 * count the calls that returned 0 / -1. Exit 0 unless setup failed. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long nr_calls;
static int use_ptrace = 1;
static pthread_barrier_t start;

struct result { long ok, err; };

static void *worker(void *arg)
{
        struct result *r = arg;
        pthread_barrier_wait(&start);
        for (long i = 0; i < nr_calls; i++) {
                long v = use_ptrace ? syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0)
                                    : syscall(SYS_getppid);
                if (v < 0)
                        r->err++;
                else
                        r->ok++;
        }
        return NULL;
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
                if (opt == 's' && !strcmp(optarg, "ptrace"))
                        use_ptrace = 1;
                else if (opt == 's' && !strcmp(optarg, "getppid"))
                        use_ptrace = 0;
                else
                        goto usage;
        }
        if (argc - optind != 2)
                goto usage;
        int t = atoi(argv[optind]);
        nr_calls = atol(argv[optind + 1]);
        if (t < 1 || t > 1024 || nr_calls < 1)
                goto usage;

        pthread_t *th = calloc(t, sizeof *th);
        struct result *res = calloc(t, sizeof *res);
        if (!th || !res || pthread_barrier_init(&start, NULL, t + 1))
                return 2;
        for (int i = 0; i < t; i++)
                if (pthread_create(&th[i], NULL, worker, &res[i])) {
                        fprintf(stderr, "storm: pthread_create failed\n");
                        return 2;
                }
        pthread_barrier_wait(&start);
        double t0 = now();
        long ok = 0, err = 0;
        for (int i = 0; i < t; i++) {
                pthread_join(th[i], NULL);
                ok += res[i].ok;
                err += res[i].err;
        }
        double el = now() - t0;
        printf("calls=%ld ok=%ld err=%ld elapsed_s=%.6f\n", (long)t * nr_calls, ok, err, el);
        return 0;
usage:
        fprintf(stderr, "usage: storm [-s ptrace|getppid] THREADS CALLS_PER_THREAD\n");
        return 2;
}
