/* The executable cache (supervise/exe_cache.h) against real execs: a
 * name it holds must stop being given once its process execs another
 * program in the same pid, from the leader or from another thread (which
 * takes the leader's tid). Live: it forks and execs, and, as root in the
 * initial namespaces, the cache subscribes to the kernel's process
 * events. Without them every look reads /proc and the names must still
 * be right. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "supervise/exe_cache.h"

/* The second program: it says "ready" once it runs (its exec is over, so
 * its event is queued) and waits for its stdin to close. */
#define SECOND_PROGRAM "/bin/sh"
#define SECOND_SCRIPT "echo ready; read x"

struct child {
        pid_t pid;
        int go;     /* a byte here makes the child exec */
        int out;    /* its stdout: a tid, then "ready" from the second program */
        int thread; /* the tid that execs */
};

static void exec_second_program(int go, int out)
{
        char c;
        if (read(go, &c, 1) != 1)
                _exit(3);
        dup2(go, 0);
        dup2(out, 1);
        execl(SECOND_PROGRAM, "sh", "-c", SECOND_SCRIPT, (char *)NULL);
        _exit(4);
}

struct exec_args {
        int go, out;
};

static void *thread_execs(void *arg)
{
        const struct exec_args *a = arg;
        char line[32];
        int n = snprintf(line, sizeof(line), "%ld\n", (long)syscall(SYS_gettid));
        if (write(a->out, line, (size_t)n) != n)
                _exit(5);
        exec_second_program(a->go, a->out);
        return NULL;
}

/* Forks a child that writes the tid which will exec, then waits for a
 * byte on `go` and execs the second program from that tid: the leader,
 * or a second thread. */
static struct child start_child(bool from_thread)
{
        int go[2], out[2];
        assert_int_equal(pipe(go), 0);
        assert_int_equal(pipe(out), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(go[1]);
                close(out[0]);
                static struct exec_args a;
                a = (struct exec_args){go[0], out[1]};
                pthread_t t;
                if (from_thread) {
                        if (pthread_create(&t, NULL, thread_execs, &a) != 0)
                                _exit(6);
                        for (;;)
                                pause();
                }
                thread_execs(&a);
        }
        close(go[0]);
        close(out[1]);
        struct child c = {.pid = pid, .go = go[1], .out = out[0]};
        char line[32] = "";
        ssize_t n = read(c.out, line, sizeof(line) - 1);
        assert_true(n > 0);
        line[n] = '\0';
        c.thread = atoi(line);
        assert_true(c.thread > 0);
        return c;
}

/* Lets the child exec and returns once the second program runs. */
static void exec_and_wait(struct child *c)
{
        assert_int_equal(write(c->go, "x", 1), 1);
        char line[16] = "";
        size_t len = 0;
        while (len < 6) {
                ssize_t n = read(c->out, line + len, sizeof(line) - 1 - len);
                assert_true(n > 0);
                len += (size_t)n;
        }
        assert_memory_equal(line, "ready\n", 6);
}

static void end_child(struct child *c)
{
        close(c->go); /* the second program's read ends */
        int status;
        assert_int_equal(waitpid(c->pid, &status, 0), c->pid);
        close(c->out);
}

static void exe_of(pid_t pid, char *buf, size_t size)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/exe", pid);
        ssize_t n = readlink(path, buf, size - 1);
        assert_true(n > 0);
        buf[n] = '\0';
}

static void check_exec_renames(bool from_thread)
{
        char test_binary[PATH_MAX], second[PATH_MAX];
        exe_of(getpid(), test_binary, sizeof(test_binary));
        struct lp_exe_cache cache;
        lp_exe_cache_init(&cache);
        struct child c = start_child(from_thread);

        /* Read once, then (with the process events) answered from the
         * cache: the second look reads nothing. */
        assert_string_equal(lp_exe_cache_lookup(&cache, c.pid), test_binary);
        assert_string_equal(lp_exe_cache_lookup(&cache, c.thread), test_binary);
        unsigned long reads = cache.reads;
        assert_string_equal(lp_exe_cache_lookup(&cache, c.pid), test_binary);
        assert_string_equal(lp_exe_cache_lookup(&cache, c.thread), test_binary);
        bool exact = lp_exe_cache_exact(&cache);
        assert_int_equal(cache.reads, exact ? reads : reads + 2);
        fprintf(stderr, "# exe cache: %s\n",
                exact ? "exact (process events)" : "no process events: every look reads /proc");

        exec_and_wait(&c);
        exe_of(c.pid, second, sizeof(second));
        assert_string_not_equal(second, test_binary);
        /* As the notifier asks after a receive: a poll of the connector
         * finds the exec queued, and the look must then read it. */
        struct pollfd p = {lp_exe_cache_fd(&cache), POLLIN, 0};
        assert_int_equal(poll(&p, 1, 0), exact ? 1 : 0);
        lp_exe_cache_polled(&cache, p.revents & POLLIN);
        /* The same pid, another program: the cache must say so. */
        assert_string_equal(lp_exe_cache_lookup(&cache, c.pid), second);
        /* A poll that found nothing spares the next look its read, and
         * that look only. */
        lp_exe_cache_polled(&cache, false);
        assert_string_equal(lp_exe_cache_lookup(&cache, c.pid), second);
        assert_int_equal(cache.skipped, exact ? 1 : 0);
        assert_string_equal(lp_exe_cache_lookup(&cache, c.pid), second);
        assert_int_equal(cache.skipped, exact ? 1 : 0);
        end_child(&c);
        lp_exe_cache_done(&cache);
}

static void test_exec_from_the_leader(void **state)
{
        (void)state;
        check_exec_renames(false);
}

static void test_exec_from_another_thread(void **state)
{
        (void)state;
        check_exec_renames(true);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_exec_from_the_leader),
                cmocka_unit_test(test_exec_from_another_thread),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
