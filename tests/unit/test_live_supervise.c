/* The supervisor loop when its listener fails: the run must end at once,
 * with the command's tree killed and exit 125, never wait (or spin) until
 * a timeout that may not exist. The failing listener is a descriptor that
 * is always readable but is no seccomp listener, so every receive fails
 * (ENOTTY), as a listener the kernel no longer honours would. Live (not
 * under valgrind): it forks a command, and the notifier asks the kernel
 * for its sizes with seccomp(2), which valgrind cannot run. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/exit_status.h"
#include "base/log.h"
#include "findings/findings.h"
#include "profile/load.h"
#include "profile/policy.h"
#include "supervise/notify.h"
#include "supervise/supervise.h"

/* A command that runs until it is killed: it waits on a pipe nobody
 * writes. */
static pid_t start_waiting_command(const sigset_t *old_mask)
{
        int p[2];
        assert_int_equal(pipe(p), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                char c;
                sigprocmask(SIG_SETMASK, old_mask, NULL);
                close(p[1]);
                _exit(read(p[0], &c, 1) == 0 ? 0 : 3);
        }
        close(p[0]);
        /* Kept open in the parent: the child's read never ends by itself. */
        return pid;
}

static void test_failed_listener_ends_the_run(void **state)
{
        (void)state;
        struct lp_policy *policy = NULL;
        assert_int_equal(lp_policy_load_string_sealed("[Profile]\nDescription=t\n", "t.profile",
                                                      stderr, &policy),
                         0);
        struct lp_findings *store = NULL;
        assert_int_equal(lp_findings_new(64, &store), 0);
        int listener = eventfd(1, EFD_CLOEXEC); /* readable from the start, forever */
        assert_true(listener >= 0);
        struct lp_notifier_options no = {0};
        struct lp_notifier *n = NULL;
        assert_int_equal(lp_notifier_new(policy, store, listener, &no, &n), 0);

        sigset_t old;
        assert_int_equal(lp_supervise_block_signals(&old), 0);
        pid_t command = start_waiting_command(&old);
        struct lp_child_status failure = {.kind = LP_CHILD_NONE};
        struct lp_supervision s = {.child = command,
                                   .command = command,
                                   .status_fd = -1,
                                   .listener = listener,
                                   .notifier = n,
                                   .failure = &failure,
                                   .policy = policy,
                                   .findings = store};
        /* A supervisor that waits or spins is this test's failure, not a
         * hang of the suite. */
        alarm(20);
        int status = lp_supervise(&s);
        alarm(0);
        assert_int_equal(status, LP_EXIT_SETUP_FAILED);
        /* Killed and reaped: nothing of the tree is left. */
        assert_int_equal(waitpid(command, NULL, WNOHANG), -1);
        assert_int_equal(errno, ECHILD);

        sigprocmask(SIG_SETMASK, &old, NULL);
        lp_notifier_free(n);
        close(listener);
        lp_findings_free(store);
        lp_policy_free(policy);
}

int main(void)
{
        lp_log_level = LP_LOG_QUIET;
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_failed_listener_ends_the_run),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
