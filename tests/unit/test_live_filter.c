/* The filter compiled for a policy (launch/filter.h), loaded in a forked
 * child: which calls the kernel answers itself (allowed, or refused with
 * the hardening's errno) and which reach the supervisor, told apart by
 * running them. The test supervises: it records each notification and
 * answers EXDEV, which none of the calls below can get from the kernel.
 * The calls are harmless whatever the filter does with them (a mount on
 * a path that does not exist, a ptrace of nobody). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>
#include <seccomp.h>

#include "../helpers/filtered_child.h"
#include "launch/filter.h"
#include "profile/load.h"
#include "profile/policy.h"

#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#define X32_BIT 0x40000000L

struct notified {
        int listener;
        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        int nr[32];
        uint32_t arch[32];
        size_t n;
};

static int answer_exdev(void *ctx)
{
        struct notified *s = ctx;
        /* The kernel refuses a request buffer that is not zeroed. */
        memset(s->req, 0, sizeof(*s->req));
        int r = seccomp_notify_receive(s->listener, s->req);
        if (r < 0)
                return r;
        if (s->n < 32) {
                s->nr[s->n] = s->req->data.nr;
                s->arch[s->n] = s->req->data.arch;
        }
        s->n++;
        memset(s->resp, 0, sizeof(*s->resp));
        s->resp->id = s->req->id;
        s->resp->error = -EXDEV;
        return seccomp_notify_respond(s->listener, s->resp);
}

struct run {
        struct notified seen;
        char text[4096]; /* the body's lines */
        int status;
};

/* Runs body in a child under the filter for `profile`, supervised. */
static struct run run_under(const char *profile, filtered_child_body body)
{
        struct run out = {0};
        struct lp_policy *p = NULL;
        if (lp_policy_load_string_sealed(profile, "t.profile", stderr, &p) != 0)
                fail_msg("did not load: %s", profile);
        struct filtered_child c;
        assert_int_equal(filtered_child_start(p, body, &c), 0);
        assert_int_equal(seccomp_notify_alloc(&out.seen.req, &out.seen.resp), 0);
        out.seen.listener = c.listener;
        out.status = filtered_child_serve(&c, answer_exdev, &out.seen);
        seccomp_notify_free(out.seen.req, out.seen.resp);
        out.seen.req = NULL;
        out.seen.resp = NULL;
        snprintf(out.text, sizeof(out.text), "%s", c.text);
        lp_policy_free(p);
        if (!WIFEXITED(out.status) || WEXITSTATUS(out.status) != 0)
                fail_msg("the child ended with status %#x (lines: %s)", out.status, out.text);
        return out;
}

static void body_default(int fd)
{
        filtered_child_say(fd, "getpid", syscall(SYS_getpid));
        filtered_child_say(fd, "mount",
                           syscall(SYS_mount, "none", "/nonexistent/lp-test", "tmpfs", 0, NULL));
        /* (pid 1, not getpid(): under Deny=getpid that would be a call of
         * its own.) */
        filtered_child_say(fd, "ptrace", syscall(SYS_ptrace, PTRACE_PEEKUSER, 1, 0, 0));
        filtered_child_say(fd, "clone3", syscall(__NR_clone3, NULL, 0));
        /* No such operation: the kernel's answer, privileged or not. */
        filtered_child_say(fd, "keyctl", syscall(SYS_keyctl, -1, 0, 0, 0, 0));
}

/* The default profile: allowed calls stay in the kernel, denied ones go to
 * the supervisor (which answers and reports them), clone3 gets ENOSYS in
 * the kernel (libc falls back to clone; no finding). */
static void test_default_profile_in_a_child(void **state)
{
        struct run r = run_under("[Profile]\nInclude=default\n", body_default);
        assert_string_equal(r.text, "getpid ok\n"
                                    "mount EXDEV\n"
                                    "ptrace EXDEV\n"
                                    "clone3 ENOSYS\n"
                                    "keyctl EXDEV\n");
        assert_int_equal(r.seen.n, 3);
        assert_int_equal(r.seen.nr[0], SYS_mount);
        assert_int_equal(r.seen.nr[1], SYS_ptrace);
        assert_int_equal(r.seen.nr[2], SYS_keyctl);
        assert_int_equal(r.seen.arch[0], seccomp_arch_native());
}

/* What the profile allows by name stays in the kernel, whose own answer
 * stands; unless the watch table looks at it: mount needs CAP_SYS_ADMIN,
 * which the profile does not keep, so it still goes to the supervisor
 * (which names the capability). */
static void test_allowed_by_the_profile(void **state)
{
        struct run r = run_under("[Profile]\nInclude=default\n[Syscalls]\nAllow=mount keyctl\n",
                                 body_default);
        assert_string_equal(r.text, "getpid ok\n"
                                    "mount EXDEV\n"
                                    "ptrace EXDEV\n"
                                    "clone3 ENOSYS\n"
                                    "keyctl EOPNOTSUPP\n");
        assert_int_equal(r.seen.n, 2);
        assert_int_equal(r.seen.nr[0], SYS_mount);
        assert_int_equal(r.seen.nr[1], SYS_ptrace);
}

/* Denied by name, getpid too goes to the supervisor: the filter allows
 * nothing the policy does not. */
static void test_denied_by_the_profile(void **state)
{
        struct run r =
                run_under("[Profile]\nInclude=default\n[Syscalls]\nDeny=getpid\n", body_default);
        assert_string_equal(r.text, "getpid EXDEV\n"
                                    "mount EXDEV\n"
                                    "ptrace EXDEV\n"
                                    "clone3 ENOSYS\n"
                                    "keyctl EXDEV\n");
        assert_int_equal(r.seen.n, 4);
        assert_int_equal(r.seen.nr[0], SYS_getpid);
}

static void body_x32(int fd)
{
        filtered_child_say(fd, "x32-getpid", syscall(SYS_getpid | X32_BIT));
}

/* Another ABI's call never runs in the kernel: it goes to the supervisor
 * (whose answer is a kill, with a finding), even when the native call of
 * the same number is allowed. */
static void test_x32_goes_to_the_supervisor(void **state)
{
#ifndef __x86_64__
        skip(); /* the x32 ABI is x86_64's */
#endif
        struct run r = run_under("[Profile]\nInclude=default\n", body_x32);
        assert_string_equal(r.text, "x32-getpid EXDEV\n");
        assert_int_equal(r.seen.n, 1);
        assert_int_equal(r.seen.nr[0], SYS_getpid | X32_BIT);
        assert_int_equal(r.seen.arch[0], SCMP_ARCH_X86_64);
}

static int peer[2];

static void body_sendmsg(int fd)
{
        char byte = 'x';
        struct iovec iov = {&byte, 1};
        struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};
        filtered_child_say(fd, "sendmsg", sendmsg(peer[1], &m, MSG_DONTWAIT));
}

/* The child hands the listener over by sendmsg on the handshake socket,
 * which stays allowed whatever the profile says of sendmsg (else the
 * child would wait forever for a supervisor that has no listener, and
 * filtered_child_start's bound would fail the test); a sendmsg on another
 * socket goes to the supervisor unless the profile lets it through. */
static void test_handshake_and_sendmsg(void **state)
{
        assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, peer), 0);
        /* Watched (its destination is looked at). */
        struct run r = run_under("[Profile]\nInclude=default\n", body_sendmsg);
        assert_string_equal(r.text, "sendmsg EXDEV\n");
        assert_int_equal(r.seen.n, 1);
        assert_int_equal(r.seen.nr[0], SYS_sendmsg);
        /* Denied. */
        r = run_under("[Profile]\nInclude=default\n[Syscalls]\nDeny=sendmsg\n", body_sendmsg);
        assert_string_equal(r.text, "sendmsg EXDEV\n");
        assert_int_equal(r.seen.n, 1);
        /* Neither: the host's network, nothing to look at. */
        r = run_under("[Profile]\nInclude=default\n[Network]\nNamespace=host\n", body_sendmsg);
        assert_string_equal(r.text, "sendmsg ok\n");
        assert_int_equal(r.seen.n, 0);
        close(peer[0]);
        close(peer[1]);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_profile_in_a_child),
                cmocka_unit_test(test_allowed_by_the_profile),
                cmocka_unit_test(test_denied_by_the_profile),
                cmocka_unit_test(test_x32_goes_to_the_supervisor),
                cmocka_unit_test(test_handshake_and_sendmsg),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
