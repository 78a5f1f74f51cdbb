/* The receive loop (supervise/notify.h) serving a forked child under the
 * real filter: what notify.c decides itself, around lp_decide (which
 * test_decide.c covers): which calls are another ABI's (a kill, named in
 * that ABI's table, --audit or not), how a verdict becomes the answer
 * the child sees (the profile's errno; CONTINUE, the kernel's own answer;
 * a kill of the whole process), and the finding recorded for each, with
 * its exact count, pid and executable. The calls are harmless whatever
 * the answer: keyctl of no operation, getppid. */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "../helpers/filtered_child.h"
#include "findings/findings.h"
#include "base/util.h"
#include "profile/load.h"
#include "profile/policy.h"
#include "supervise/notify.h"

#define X32_BIT 0x40000000L

/* Deny=getppid with an errno of its own (line 4), getpgid killed (line 5). */
static const char PROFILE[] = "[Profile]\n"
                              "Include=default\n"
                              "[Syscalls]\n"
                              "Deny=getppid:EACCES\n"
                              "Deny=getpgid:kill\n";

struct served {
        struct lp_findings *store;
        struct lp_notifier *notifier;
        char text[4096]; /* the child's lines */
        int status;      /* its wait status */
        pid_t pid;
        uint64_t handled;
        bool killed; /* lp_notifier_killed for the child */
};

static int handle(void *ctx)
{
        bool more;
        return lp_notifier_handle(ctx, &more);
}

/* Runs body in a child under PROFILE's filter, served by a notifier. */
static struct served serve(bool audit, filtered_child_body body)
{
        struct served out = {0};
        struct lp_policy *p = NULL;
        assert_int_equal(lp_policy_load_string_sealed(PROFILE, "t.profile", stderr, &p), 0);
        assert_int_equal(lp_findings_new(64, &out.store), 0);
        struct filtered_child c;
        assert_int_equal(filtered_child_start(p, body, &c), 0);
        struct lp_notifier_options o = {.audit = audit, .start_ms = lp_now_ms()};
        assert_int_equal(lp_notifier_new(p, out.store, c.listener, &o, &out.notifier), 0);
        out.pid = c.pid;
        out.status = filtered_child_serve(&c, handle, out.notifier);
        assert_true(out.status >= 0);
        snprintf(out.text, sizeof(out.text), "%s", c.text);
        out.handled = lp_notifier_handled(out.notifier);
        out.killed = lp_notifier_killed(out.notifier, out.pid);
        lp_notifier_free(out.notifier);
        lp_policy_free(p);
        return out;
}

static const struct lp_finding *finding(const struct served *s, const char *operation)
{
        for (size_t i = 0; i < lp_findings_size(s->store); i++)
                if (strcmp(lp_findings_at(s->store, i)->operation, operation) == 0)
                        return lp_findings_at(s->store, i);
        fail_msg("no finding of '%s'", operation);
        return NULL;
}

/* The child is this very program, forked. */
static void assert_exe_and_pid(const struct served *s, const struct lp_finding *f)
{
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        assert_true(n > 0);
        self[n] = '\0';
        assert_string_equal(f->exe, self);
        assert_int_equal(f->pid, s->pid);
}

static void body_refused(int fd)
{
        filtered_child_say(fd, "getppid", syscall(SYS_getppid));
        filtered_child_say(fd, "getppid", syscall(SYS_getppid));
        filtered_child_say(fd, "keyctl", syscall(SYS_keyctl, -1, 0, 0, 0, 0));
        filtered_child_say(fd, "getpid", syscall(SYS_getpid));
}

/* Enforcing: each refused call gets its rule's errno and goes on; one
 * finding per call, counted. */
static void test_refused_calls_get_the_profiles_errno(void **state)
{
        struct served s = serve(false, body_refused);
        assert_string_equal(s.text, "getppid EACCES\n"
                                    "getppid EACCES\n"
                                    "keyctl EPERM\n"
                                    "getpid ok\n");
        assert_true(WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0);
        assert_int_equal(s.handled, 3);
        assert_false(s.killed);
        assert_int_equal(lp_findings_size(s.store), 2);
        const struct lp_finding *f = finding(&s, "getppid");
        assert_int_equal(f->kind, LP_FINDING_SYSCALL);
        assert_int_equal(f->action, LP_FINDING_DENIED);
        assert_int_equal(f->errno_value, EACCES);
        assert_int_equal(f->count, 2);
        assert_string_equal(f->rule, "t.profile:4 [Syscalls] Deny=getppid");
        assert_string_equal(f->fix, "[Syscalls] Allow=getppid");
        assert_exe_and_pid(&s, f);
        f = finding(&s, "keyctl");
        assert_int_equal(f->action, LP_FINDING_DENIED);
        assert_int_equal(f->errno_value, EPERM);
        assert_int_equal(f->count, 1);
        assert_non_null(strstr(f->rule, "/default.profile:"));
        assert_non_null(strstr(f->rule, " [Syscalls] Deny=@keyring"));
        assert_exe_and_pid(&s, f);
        lp_findings_free(s.store);
}

/* --audit: CONTINUE, so the kernel answers (getppid works, keyctl has no
 * such operation), and the findings say "audited". */
static void test_audit_lets_the_kernel_answer(void **state)
{
        struct served s = serve(true, body_refused);
        assert_string_equal(s.text, "getppid ok\n"
                                    "getppid ok\n"
                                    "keyctl EOPNOTSUPP\n"
                                    "getpid ok\n");
        assert_int_equal(s.handled, 3);
        assert_int_equal(lp_findings_size(s.store), 2);
        assert_int_equal(finding(&s, "getppid")->action, LP_FINDING_AUDITED);
        assert_int_equal(finding(&s, "getppid")->count, 2);
        assert_int_equal(finding(&s, "keyctl")->action, LP_FINDING_AUDITED);
        lp_findings_free(s.store);
}

static void body_killed(int fd)
{
        filtered_child_say(fd, "getpid", syscall(SYS_getpid));
        filtered_child_say(fd, "getpgid", syscall(SYS_getpgid, 0));
        filtered_child_say(fd, "after", 0);
}

/* A profile's kill: the process dies of SIGKILL before its call returns,
 * and the notifier knows it killed it (the run reports 128+SIGSYS). */
static void test_kill(void **state)
{
        struct served s = serve(false, body_killed);
        assert_string_equal(s.text, "getpid ok\n");
        assert_true(WIFSIGNALED(s.status));
        assert_int_equal(WTERMSIG(s.status), SIGKILL);
        assert_true(s.killed);
        assert_int_equal(s.handled, 1);
        const struct lp_finding *f = finding(&s, "getpgid");
        assert_int_equal(f->action, LP_FINDING_KILLED);
        assert_int_equal(f->count, 1);
        assert_string_equal(f->rule, "t.profile:5 [Syscalls] Deny=getpgid");
        assert_exe_and_pid(&s, f);
        lp_findings_free(s.store);
}

static void body_x32(int fd)
{
        filtered_child_say(fd, "x32-getpid", syscall(SYS_getpid | X32_BIT));
        filtered_child_say(fd, "after", 0);
}

/* A call of the x32 ABI (its numbers carry bit 30): killed, under --audit
 * as well, and named in x32's own table, not as the native syscall of
 * that number (decoded as native, it would be refused with an errno and
 * run on). */
static void test_x32_is_killed_and_named(void **state)
{
#ifndef __x86_64__
        skip(); /* the x32 ABI is x86_64's */
#endif
        for (int audit = 0; audit <= 1; audit++) {
                struct served s = serve(audit, body_x32);
                assert_string_equal(s.text, "");
                assert_true(WIFSIGNALED(s.status));
                assert_int_equal(WTERMSIG(s.status), SIGKILL);
                assert_true(s.killed);
                assert_int_equal(lp_findings_size(s.store), 1);
                const struct lp_finding *f = finding(&s, "x32:getpid");
                assert_int_equal(f->action, audit ? LP_FINDING_AUDITED : LP_FINDING_KILLED);
                assert_string_equal(f->target, "getpid() of the x32 ABI (number 1073741863)");
                assert_string_equal(f->rule, "built-in [Syscalls] built-in hardening: a syscall "
                                             "of another ABI than the native one is killed");
                assert_exe_and_pid(&s, f);
                lp_findings_free(s.store);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_refused_calls_get_the_profiles_errno),
                cmocka_unit_test(test_audit_lets_the_kernel_answer),
                cmocka_unit_test(test_kill),
                cmocka_unit_test(test_x32_is_killed_and_named),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
