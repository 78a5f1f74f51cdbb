/* The decision (rules/decide.h) branch by branch, without root and without
 * a process: calls are decoded from a memory image through a fake reader,
 * and what /proc would tell comes from a fake table. Every check of the
 * watch table, every way a syscall is refused, --audit and learning. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cmocka.h>

#include "profile/load.h"
#include "profile/policy.h"
#include "profile/syscall_sets.h"
#include "rules/call.h"
#include "rules/decide.h"
#include "rules/fs_plan.h"
#include "rules/watch.h"

#include "../helpers/memory_image.h"

/* ---- a tracee's memory: an image at BASE, filled by put() ---- */

#define BASE 0x10000ULL

struct image {
        unsigned char bytes[8192];
        size_t used;
};

/* fd 3 is a TCP socket, fd 4 a UDP one. */
static const char *image_proto(int fd)
{
        return fd == 4 ? "udp" : "tcp";
}

static uint64_t put(struct image *im, const void *data, size_t size)
{
        size_t at = (im->used + 15) & ~(size_t)15;
        assert_true(at + size <= sizeof(im->bytes));
        memcpy(im->bytes + at, data, size);
        im->used = at + size;
        return BASE + at;
}

static uint64_t put_inet(struct image *im, const char *ip, uint16_t port)
{
        struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(port)};
        assert_int_equal(inet_pton(AF_INET, ip, &in.sin_addr), 1);
        return put(im, &in, sizeof(in));
}

static uint64_t put_inet6(struct image *im, const char *ip, uint16_t port)
{
        struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
        assert_int_equal(inet_pton(AF_INET6, ip, &in6.sin6_addr), 1);
        return put(im, &in6, sizeof(in6));
}

static uint64_t put_msghdr(struct image *im, uint64_t name, socklen_t len)
{
        struct msghdr m = {.msg_name = (void *)(uintptr_t)name, .msg_namelen = len};
        return put(im, &m, sizeof(m));
}

/* ---- what /proc would tell: pid 100 is uid/gid 1000; pid 999 is gone;
 * port 5432 is a host service ---- */

#define PID 100
#define GONE 999

static int fake_ids(const void *ctx, int pid, char which, unsigned ret[3])
{
        if (pid != PID)
                return -ESRCH;
        ret[0] = ret[1] = ret[2] = 1000;
        return 0;
}

static bool fake_listener_outside(const void *ctx, int pid, uint16_t port, bool udp)
{
        return port == (udp ? 5353 : 5432);
}

/* Inside the namespace, the command's own server listens on 8080. */
static bool fake_listening(const void *ctx, int pid, uint16_t port)
{
        return port == 8080;
}

/* Paths resolve lexically against /work: the fixture has no symlinks. */
static int fake_resolve(const void *ctx, int pid, int dirfd, const char *path, bool follow,
                        struct lp_fs_resolved *ret)
{
        if (path[0] == '/')
                snprintf(ret->path, sizeof(ret->path), "%s", path);
        else
                snprintf(ret->path, sizeof(ret->path), "/work/%s", path);
        snprintf(ret->parent, sizeof(ret->parent), "%s", ret->path);
        char *slash = strrchr(ret->parent, '/');
        slash[slash == ret->parent] = '\0';
        static const char *const existing[] = {"/etc/passwd", "/etc",
                                               "/work",       "/work/link",
                                               "/etc/shadow", "/proc/sys/kernel/core_pattern",
                                               "/work/old",   NULL};
        ret->exists = false;
        for (size_t i = 0; existing[i]; i++)
                ret->exists |= strcmp(ret->path, existing[i]) == 0;
        /* /work/link -> /etc/passwd, followed where the call follows. */
        if (follow && strcmp(ret->path, "/work/link") == 0) {
                strcpy(ret->path, "/etc/passwd");
                strcpy(ret->parent, "/etc");
        }
        return 0;
}

/* The plan's canonical paths: what exists above is canonical already. */
static int fake_canonical(const void *ctx, const char *path, char **ret)
{
        static const char *const existing[] = {"/work", "/etc/shadow", "/home/u/.ssh", NULL};
        for (size_t i = 0; existing[i]; i++)
                if (strcmp(path, existing[i]) == 0)
                        return (*ret = strdup(path)) ? 0 : -ENOMEM;
        return -ENOENT;
}

/* pid 100's hard limits are 4096 each. */
static int fake_hard_limit(const void *ctx, int pid, int resource, uint64_t *ret)
{
        if (pid != PID)
                return -ESRCH;
        *ret = 4096;
        return 0;
}

static const struct lp_proc_reader proc = {fake_ids,     fake_listener_outside, fake_listening,
                                           fake_resolve, fake_hard_limit,       NULL};

/* ---- deciding ---- */

struct fixture {
        struct lp_policy *policy;
        struct lp_fs_plan plan;
        struct lp_decider d;
        struct image im;
        struct lp_call call;
        struct lp_verdict v;
};

static struct fixture *setup(const char *profile_text, bool audit, bool learn)
{
        struct fixture *f = calloc(1, sizeof(*f));
        assert_non_null(f);
        char *errors = NULL;
        size_t len = 0;
        FILE *e = open_memstream(&errors, &len);
        int r = lp_policy_load_string_sealed(profile_text, "t.profile", e, &f->policy);
        fclose(e);
        if (r != 0)
                fail_msg("profile did not load: %s", errors);
        free(errors);
        f->d = (struct lp_decider){.policy = f->policy,
                                   .proc = &proc,
                                   .audit = audit,
                                   .learn = learn,
                                   .unprivileged_port_start = 1024};
        return f;
}

/* The run's filesystem plan, as if `run` started in /work. */
static void with_filesystem(struct fixture *f)
{
        struct lp_fs_env env = {.cwd = "/work", .home = "/home/u", .canonical = fake_canonical};
        char *error = NULL;
        if (lp_fs_plan_build(f->policy, &env, &f->plan, &error) != 0)
                fail_msg("no plan: %s", error ? error : "?");
        /* As the notifier gives it: none where nothing is refused. */
        f->d.fs_plan = lp_fs_plan_restricts(&f->plan) ? &f->plan : NULL;
}

static void teardown(struct fixture *f)
{
        lp_fs_plan_done(&f->plan);
        lp_call_done(&f->call);
        lp_policy_free(f->policy);
        free(f);
}

static const struct lp_verdict *decide_as(struct fixture *f, int pid, int nr, uint64_t a0,
                                          uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                                          uint64_t a5)
{
        const uint64_t args[6] = {a0, a1, a2, a3, a4, a5};
        struct memory_image mem = {
                .bytes = f->im.bytes, .size = f->im.used, .base = BASE, .proto = image_proto};
        struct lp_decode_reader rd = memory_image_reader(&mem);
        assert_int_equal(lp_call_decode(&f->call, f->policy, &rd, pid, nr, args), 0);
        lp_decide(&f->d, &f->call, &f->v);
        return &f->v;
}

static int nr_of(const char *name)
{
        int nr = lp_syscall_nr(name);
        assert_true(nr >= 0);
        return nr;
}

#define DECIDE(f, name, ...) decide_as((f), PID, nr_of(name), __VA_ARGS__)

static void assert_continue_clean(const struct lp_verdict *v)
{
        assert_int_equal(v->answer, LP_ANSWER_CONTINUE);
        assert_int_equal(v->n_findings, 0);
}

/* The one finding of v, with its kind, operation and action. */
static const struct lp_verdict_finding *only(const struct lp_verdict *v, enum lp_finding_kind kind,
                                             const char *operation, enum lp_finding_action action)
{
        assert_int_equal(v->n_findings, 1);
        const struct lp_verdict_finding *f = &v->findings[0];
        assert_int_equal(f->kind, kind);
        assert_string_equal(f->operation, operation);
        assert_int_equal(f->action, action);
        return f;
}

static const char *const DEFAULT = "[Profile]\nInclude=default\n";

/* ---- syscalls the profile does not allow ---- */

static void test_refused_by_default_action(void **state)
{
        struct fixture *f =
                setup("[Profile]\nInclude=base\n[Syscalls]\nAllow=read\n", false, false);
        const struct lp_verdict *v = DECIDE(f, "ptrace", 16 /* PTRACE_ATTACH */, 4242, 0, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_ERRNO);
        assert_int_equal(v->error, EPERM);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_SYSCALL, "ptrace", LP_FINDING_DENIED);
        assert_int_equal(x->errno_value, EPERM);
        assert_string_equal(x->target, "ptrace(PTRACE_ATTACH, 4242)");
        assert_string_equal(x->dedupe, "ptrace(PTRACE_ATTACH)");
        assert_string_equal(x->fix, "[Syscalls] Allow=ptrace");
        assert_non_null(strstr(x->rule, "[Syscalls] DefaultAction=errno:EPERM"));
        assert_non_null(strstr(x->rule, "base.profile:"));
        assert_false(x->hardening);
        teardown(f);
}

static void test_refused_by_name_and_by_group(void **state)
{
        struct fixture *f =
                setup("[Profile]\nInclude=default\n[Syscalls]\nDeny=ptrace:EINVAL\n", false, false);
        const struct lp_verdict *v = DECIDE(f, "ptrace", 0, 0, 0, 0, 0, 0);
        assert_int_equal(v->error, EINVAL);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_SYSCALL, "ptrace", LP_FINDING_DENIED);
        assert_string_equal(x->rule, "t.profile:4 [Syscalls] Deny=ptrace");
        v = DECIDE(f, "mount", 0, 0, 0, 0, 0, 0);
        x = only(v, LP_FINDING_SYSCALL, "mount", LP_FINDING_DENIED);
        assert_non_null(strstr(x->rule, "[Syscalls] Deny=@mount"));
        assert_string_equal(x->target, "mount(\"\", \"<unreadable>\", \"\")");
        teardown(f);
}

static void test_refused_by_kill(void **state)
{
        struct fixture *f = setup("[Profile]\nInclude=strict\n", false, false);
        const struct lp_verdict *v = DECIDE(f, "personality", 0, 0, 0, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_KILL);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_SYSCALL, "personality", LP_FINDING_KILLED);
        assert_int_equal(x->errno_value, 0);
        assert_non_null(strstr(x->rule, "[Syscalls] DefaultAction=kill"));
        teardown(f);
}

/* io_uring allowed through its group: the hardening still refuses it,
 * since its operations bypass seccomp. */
static void test_refused_by_whole_syscall_hardening(void **state)
{
        struct fixture *f =
                setup("[Profile]\nInclude=base\n[Syscalls]\nAllow=@io-uring\n", false, false);
        const struct lp_verdict *v = DECIDE(f, "io_uring_setup", 1, 0, 0, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_ERRNO);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_SYSCALL, "io_uring_setup", LP_FINDING_DENIED);
        assert_true(x->hardening);
        assert_string_equal(x->rule, "built-in [Syscalls] built-in hardening: io_uring_setup "
                                     "denied unless allowed by name");
        teardown(f);
}

static void test_foreign_abi_is_killed_even_in_audit(void **state)
{
        for (int audit = 0; audit <= 1; audit++) {
                struct fixture *f = setup(DEFAULT, audit, false);
                int nr = 0x40000000 | 39; /* x32 getpid */
                const struct lp_verdict *v = decide_as(f, PID, nr, 0, 0, 0, 0, 0, 0);
                assert_int_equal(v->answer, LP_ANSWER_KILL);
                const struct lp_verdict_finding *x =
                        only(v, LP_FINDING_SYSCALL, "syscall_1073741863",
                             audit ? LP_FINDING_AUDITED : LP_FINDING_KILLED);
                assert_string_equal(x->target, "syscall()");
                assert_non_null(strstr(x->rule, "[Syscalls] built-in hardening: a syscall of "
                                                "another ABI than the native one is killed"));
                assert_true(x->hardening);
                assert_int_equal(x->errno_value, 0); /* killed, not refused */
                teardown(f);
        }
        /* As the supervisor gives one: named in its own ABI's table. */
        struct fixture *f = setup(DEFAULT, false, false);
        lp_call_foreign(&f->call, PID, 20, "i386", "getpid");
        lp_decide(&f->d, &f->call, &f->v);
        assert_int_equal(f->v.answer, LP_ANSWER_KILL);
        const struct lp_verdict_finding *x =
                only(&f->v, LP_FINDING_SYSCALL, "i386:getpid", LP_FINDING_KILLED);
        assert_string_equal(x->target, "getpid() of the i386 ABI (number 20)");
        lp_call_foreign(&f->call, PID, 999, "i386", NULL);
        lp_decide(&f->d, &f->call, &f->v);
        only(&f->v, LP_FINDING_SYSCALL, "i386:syscall_999", LP_FINDING_KILLED);
        teardown(f);
}

static void test_audit_answers_continue(void **state)
{
        struct fixture *f = setup(DEFAULT, true, false);
        const struct lp_verdict *v = DECIDE(f, "ptrace", 0, 0, 0, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_CONTINUE);
        assert_int_equal(v->error, 0);
        only(v, LP_FINDING_SYSCALL, "ptrace", LP_FINDING_AUDITED);
        teardown(f);
}

/* ---- the argument hardening ---- */

static void test_tty_ioctl(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        const struct lp_verdict *v = DECIDE(f, "ioctl", 0, 0x5412, 0, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_ERRNO);
        assert_int_equal(v->error, EPERM);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_SYSCALL, "ioctl", LP_FINDING_DENIED);
        assert_true(x->hardening);
        assert_string_equal(x->target, "ioctl(0, TIOCSTI)");
        assert_string_equal(x->rule, "built-in [Syscalls] built-in hardening: ioctl(TIOCSTI)");
        assert_string_equal(x->fix, "[Syscalls] Allow=ioctl");
        /* The kernel reads the low 32 bits: high bits change nothing. */
        v = DECIDE(f, "ioctl", 1, 0x10000541CULL, 0, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_ERRNO);
        assert_string_equal(v->findings[0].target, "ioctl(1, TIOCLINUX)");
        assert_continue_clean(DECIDE(f, "ioctl", 0, 0x5401 /* TCGETS */, 0, 0, 0, 0));
        teardown(f);
        /* Allowed by name: the hardening is lifted. */
        f = setup("[Profile]\nInclude=default\n[Syscalls]\nAllow=ioctl\n", false, false);
        assert_continue_clean(DECIDE(f, "ioctl", 0, 0x5412, 0, 0, 0, 0));
        teardown(f);
}

static void test_namespaces(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        const struct lp_verdict *v = DECIDE(f, "clone", CLONE_NEWNET, 0, 0, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_ERRNO);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_SYSCALL, "clone", LP_FINDING_DENIED);
        assert_string_equal(x->target, "clone(CLONE_NEWNET)");
        assert_continue_clean(DECIDE(f, "clone", CLONE_VM | CLONE_THREAD, 0, 0, 0, 0, 0));
        teardown(f);
        /* unshare allowed by name: a new namespace needs CAP_SYS_ADMIN,
         * but a user namespace brings its own. */
        f = setup("[Profile]\nInclude=default\n[Syscalls]\nAllow=unshare\n", false, false);
        v = DECIDE(f, "unshare", CLONE_NEWNET, 0, 0, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_CONTINUE);
        x = only(v, LP_FINDING_CAPABILITY, "CAP_SYS_ADMIN", LP_FINDING_DENIED);
        assert_string_equal(x->target, "unshare(CLONE_NEWNET)");
        assert_string_equal(x->fix, "[Capabilities] Keep=CAP_SYS_ADMIN");
        assert_continue_clean(DECIDE(f, "unshare", CLONE_NEWUSER | CLONE_NEWNET, 0, 0, 0, 0, 0));
        assert_continue_clean(DECIDE(f, "unshare", CLONE_FILES, 0, 0, 0, 0, 0));
        teardown(f);
}

/* ---- network ---- */

static void test_socket_families_and_raw(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        const struct lp_verdict *v = DECIDE(f, "socket", AF_PACKET, SOCK_RAW, 0, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_ERRNO);
        assert_int_equal(v->error, EAFNOSUPPORT);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_NETWORK, "socket", LP_FINDING_DENIED);
        assert_string_equal(x->target, "AF_PACKET");
        assert_string_equal(x->fix, "[Network] AddressFamilies=AF_PACKET");
        assert_non_null(strstr(x->rule, "[Network] AddressFamilies= (family not listed)"));
        v = DECIDE(f, "socket", AF_INET, SOCK_RAW, IPPROTO_ICMP, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_CONTINUE);
        x = only(v, LP_FINDING_CAPABILITY, "CAP_NET_RAW", LP_FINDING_DENIED);
        assert_string_equal(x->target, "socket(AF_INET, 3, 1)");
        assert_continue_clean(DECIDE(f, "socket", AF_INET, SOCK_STREAM, 0, 0, 0, 0));
        teardown(f);
        f = setup("[Profile]\nInclude=default\n[Capabilities]\nKeep=CAP_NET_RAW\n", false, false);
        assert_continue_clean(DECIDE(f, "socket", AF_INET, SOCK_RAW, 1, 0, 0, 0));
        teardown(f);
}

/* Learning a packet socket from base: the syscall, the family and the
 * capability, which is the most one call comes to. */
static void test_learning_socket_fills_the_verdict(void **state)
{
        struct fixture *f = setup("[Profile]\nInclude=base\n", true, true);
        const struct lp_verdict *v = DECIDE(f, "socket", AF_PACKET, SOCK_RAW, 0, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_CONTINUE);
        assert_int_equal(v->n_findings, LP_VERDICT_MAX_FINDINGS);
        assert_string_equal(v->findings[0].operation, "socket");
        assert_int_equal(v->findings[0].kind, LP_FINDING_SYSCALL);
        assert_int_equal(v->findings[1].kind, LP_FINDING_NETWORK);
        assert_string_equal(v->findings[1].target, "AF_PACKET");
        assert_int_equal(v->findings[2].kind, LP_FINDING_CAPABILITY);
        assert_string_equal(v->findings[2].target, "socket(AF_PACKET, SOCK_RAW)");
        for (size_t i = 0; i < v->n_findings; i++)
                assert_int_equal(v->findings[i].action, LP_FINDING_AUDITED);
        /* Learning keys a syscall by operation alone, a network finding by
         * its target. */
        assert_string_equal(v->findings[0].dedupe, "");
        assert_string_equal(v->findings[1].dedupe, "AF_PACKET");
        assert_string_equal(v->findings[2].dedupe, "");
        teardown(f);
}

static void test_connect_destinations(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        uint64_t out = put_inet(&f->im, "192.0.2.1", 443), lo = put_inet(&f->im, "127.0.0.1", 80);
        const struct lp_verdict *v = DECIDE(f, "connect", 3, out, 16, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_CONTINUE);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_NETWORK, "connect", LP_FINDING_DENIED);
        assert_int_equal(x->errno_value, ENETUNREACH);
        assert_string_equal(x->target, "tcp 192.0.2.1:443");
        assert_string_equal(x->fix, "[Network] Namespace=host");
        assert_non_null(strstr(x->rule, "[Network] Namespace=loopback"));
        assert_continue_clean(DECIDE(f, "connect", 3, lo, 16, 0, 0, 0));
        /* 0.0.0.0 and :: are this host's loopback as destinations. */
        assert_continue_clean(
                DECIDE(f, "connect", 3, put_inet(&f->im, "0.0.0.0", 80), 16, 0, 0, 0));
        assert_continue_clean(DECIDE(f, "sendto", 4, 0, 0, 0, put_inet6(&f->im, "::", 53), 28));
        /* An address that cannot be read is no destination. */
        assert_continue_clean(DECIDE(f, "connect", 3, 0xdead0000, 16, 0, 0, 0));
        teardown(f);

        f = setup("[Profile]\nInclude=default\n[Network]\nNamespace=none\n", false, false);
        lo = put_inet(&f->im, "127.0.0.1", 80);
        x = only(DECIDE(f, "connect", 3, lo, 16, 0, 0, 0), LP_FINDING_NETWORK, "connect",
                 LP_FINDING_DENIED);
        assert_string_equal(x->fix, "[Network] Namespace=loopback");
        teardown(f);

        f = setup("[Profile]\nInclude=default\n[Network]\nNamespace=host\n", false, false);
        out = put_inet(&f->im, "192.0.2.1", 443);
        assert_continue_clean(DECIDE(f, "connect", 3, out, 16, 0, 0, 0));
        teardown(f);
}

/* Learning runs on the host network: a loopback TCP port that a host
 * service holds is a destination; the test's own servers are not. */
static void test_learning_host_services(void **state)
{
        struct fixture *f = setup("[Profile]\nInclude=default\n", true, true);
        uint64_t pg = put_inet(&f->im, "127.0.0.1", 5432),
                 own = put_inet(&f->im, "127.0.0.1", 8080);
        const struct lp_verdict_finding *x =
                only(DECIDE(f, "connect", 3, pg, 16, 0, 0, 0), LP_FINDING_NETWORK, "connect",
                     LP_FINDING_AUDITED);
        assert_string_equal(x->target, "tcp 127.0.0.1:5432");
        /* The fix: a forward of the port, not the whole host network. */
        assert_string_equal(x->fix, "[Network] Forward=tcp:5432");
        assert_continue_clean(DECIDE(f, "connect", 3, own, 16, 0, 0, 0));
        /* A UDP service of the host's is a destination too (no forward:
         * Forward= is TCP only); UDP to the TCP one's port is not. */
        assert_continue_clean(DECIDE(f, "connect", 4, pg, 16, 0, 0, 0));
        x = only(DECIDE(f, "sendto", 4, 0, 0, 0, put_inet(&f->im, "127.0.0.1", 5353), 16),
                 LP_FINDING_NETWORK, "sendto", LP_FINDING_AUDITED);
        assert_string_equal(x->target, "udp 127.0.0.1:5353");
        assert_string_equal(x->fix, "[Network] Namespace=host");
        teardown(f);
}

/* `run`: a port the host served on loopback at launch is a finding when
 * it is not forwarded and nothing inside listens on it; the command's own
 * server on such a port, a forwarded one, and other ports are not. */
static void test_run_host_services(void **state)
{
        static const uint16_t host_ports[] = {5432, 6379, 8080};
        struct fixture *f = setup(DEFAULT, false, false);
        f->d.host_ports = host_ports;
        f->d.n_host_ports = 3;
        uint64_t pg = put_inet(&f->im, "127.0.0.1", 5432),
                 own = put_inet(&f->im, "127.0.0.1", 8080),
                 other = put_inet(&f->im, "127.0.0.1", 9000),
                 any = put_inet(&f->im, "0.0.0.0", 6379);
        const struct lp_verdict_finding *x = only(DECIDE(f, "connect", 3, pg, 16, 0, 0, 0),
                                                  LP_FINDING_NETWORK, "connect", LP_FINDING_DENIED);
        assert_string_equal(x->target, "tcp 127.0.0.1:5432");
        assert_int_equal(x->errno_value, ECONNREFUSED);
        assert_string_equal(x->fix, "[Network] Forward=tcp:5432");
        assert_non_null(strstr(x->rule, "[Network] Namespace=loopback"));
        x = only(DECIDE(f, "connect", 3, any, 16, 0, 0, 0), LP_FINDING_NETWORK, "connect",
                 LP_FINDING_DENIED);
        assert_string_equal(x->fix, "[Network] Forward=tcp:6379");
        assert_continue_clean(DECIDE(f, "connect", 3, own, 16, 0, 0, 0));
        assert_continue_clean(DECIDE(f, "connect", 3, other, 16, 0, 0, 0));
        /* UDP to such a port is not told apart. */
        assert_continue_clean(DECIDE(f, "connect", 4, pg, 16, 0, 0, 0));
        teardown(f);

        f = setup("[Profile]\nInclude=default\n[Network]\nForward=tcp:5432\n", false, false);
        f->d.host_ports = host_ports;
        f->d.n_host_ports = 3;
        pg = put_inet(&f->im, "127.0.0.1", 5432);
        assert_continue_clean(DECIDE(f, "connect", 3, pg, 16, 0, 0, 0));
        teardown(f);
}

/* RestrictSUIDSGID= (base): a mode with S_ISUID or S_ISGID is refused
 * with EPERM for every command, as the caller's files are its own; the
 * line that refuses it is cited. Off, the kernel decides. */
static void test_restrict_suid_modes(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        const struct lp_verdict *v = DECIDE(f, "fchmod", 3, 04755, 0, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_ERRNO);
        assert_int_equal(v->error, EPERM);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_SYSCALL, "fchmod", LP_FINDING_DENIED);
        assert_non_null(strstr(x->rule, "[Filesystem] RestrictSUIDSGID=yes"));
        assert_string_equal(x->fix, "[Filesystem] RestrictSUIDSGID=no");
        assert_int_equal(DECIDE(f, "fchmod", 3, 02755, 0, 0, 0, 0)->error, EPERM);
        assert_continue_clean(DECIDE(f, "fchmod", 3, 0755, 0, 0, 0, 0));
        /* open: the mode counts with O_CREAT only. */
        assert_int_equal(DECIDE(f, "openat", AT_FDCWD, 0, O_CREAT | O_WRONLY, 04755, 0, 0)->error,
                         EPERM);
        assert_continue_clean(DECIDE(f, "openat", AT_FDCWD, 0, O_RDONLY, 04755, 0, 0));
        /* openat2's mode is in memory: ENOSYS, libc falls back to openat. */
        assert_int_equal(DECIDE(f, "openat2", AT_FDCWD, 0, 0, 0, 0, 0)->error, ENOSYS);
        teardown(f);

        f = setup("[Profile]\nInclude=default\n[Filesystem]\nRestrictSUIDSGID=no\n", false, false);
        assert_continue_clean(DECIDE(f, "fchmod", 3, 04755, 0, 0, 0, 0));
        teardown(f);

        f = setup("[Profile]\nInclude=default\n[Filesystem]\nRestrictSUIDSGID=no\n"
                  "[Identity]\nDynamicUser=yes\n",
                  false, false);
        x = only(DECIDE(f, "fchmod", 3, 04755, 0, 0, 0, 0), LP_FINDING_SYSCALL, "fchmod",
                 LP_FINDING_DENIED);
        assert_non_null(strstr(x->rule, "[Identity] DynamicUser=yes"));
        teardown(f);
}

/* Two long paths that share what a target shows of them are two
 * findings: a cut string carries the hash of the whole. */
static void test_long_targets_stay_distinct(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        char a[700], b[700];
        memset(a, 'a', sizeof(a) - 1);
        a[sizeof(a) - 1] = '\0';
        memcpy(b, a, sizeof(b));
        b[sizeof(b) - 2] = 'b';
        uint64_t pa = put(&f->im, a, sizeof(a)), pb = put(&f->im, b, sizeof(b));
        const struct lp_verdict_finding *x = only(DECIDE(f, "mount", pa, pa, 0, 0, 0, 0),
                                                  LP_FINDING_SYSCALL, "mount", LP_FINDING_DENIED);
        char first[LP_TARGET_SIZE];
        snprintf(first, sizeof(first), "%s", x->target);
        assert_non_null(strstr(first, "...#"));
        x = only(DECIDE(f, "mount", pb, pb, 0, 0, 0, 0), LP_FINDING_SYSCALL, "mount",
                 LP_FINDING_DENIED);
        assert_string_not_equal(first, x->target);
        teardown(f);
}

/* A UDP destination that a stand-in of the resolver's answers inside
 * (launch/dns_standins.h): still a finding, without an errno (the call
 * goes through, to the stand-in); another server, or TCP to the same
 * one, as before. */
static void test_dns_standin_destinations(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        const struct lp_sockaddr_info standin = {
                .family = AF_INET, .port = 53, .text = "192.0.2.53:53"};
        f->d.dns_standins = &standin;
        f->d.n_dns_standins = 1;
        const struct lp_verdict *v =
                DECIDE(f, "sendto", 4, 0, 0, 0, put_inet(&f->im, "192.0.2.53", 53), 16);
        assert_int_equal(v->answer, LP_ANSWER_CONTINUE);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_NETWORK, "sendto", LP_FINDING_DENIED);
        assert_string_equal(x->target, "udp 192.0.2.53:53");
        assert_int_equal(x->errno_value, 0);
        x = only(DECIDE(f, "sendto", 4, 0, 0, 0, put_inet(&f->im, "192.0.2.54", 53), 16),
                 LP_FINDING_NETWORK, "sendto", LP_FINDING_DENIED);
        assert_int_equal(x->errno_value, ENETUNREACH);
        x = only(DECIDE(f, "connect", 3, put_inet(&f->im, "192.0.2.53", 53), 16, 0, 0, 0),
                 LP_FINDING_NETWORK, "connect", LP_FINDING_DENIED);
        assert_string_equal(x->target, "tcp 192.0.2.53:53");
        assert_int_equal(x->errno_value, ENETUNREACH);
        teardown(f);
}

static void test_send_destinations(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        uint64_t out = put_inet(&f->im, "192.0.2.7", 53), lo = put_inet(&f->im, "127.0.0.1", 53);
        const struct lp_verdict_finding *x = only(DECIDE(f, "sendto", 4, 0, 0, 0, out, 16),
                                                  LP_FINDING_NETWORK, "sendto", LP_FINDING_DENIED);
        assert_string_equal(x->target, "udp 192.0.2.7:53");
        x = only(DECIDE(f, "sendmsg", 4, put_msghdr(&f->im, out, 16), 0, 0, 0, 0),
                 LP_FINDING_NETWORK, "sendmsg", LP_FINDING_DENIED);
        assert_string_equal(x->target, "udp 192.0.2.7:53");
        assert_int_equal(x->errno_value, ENETUNREACH);
        /* No name: a connected socket, looked at when it connected. */
        assert_continue_clean(DECIDE(f, "sendmsg", 4, put_msghdr(&f->im, 0, 0), 0, 0, 0, 0));
        assert_continue_clean(DECIDE(f, "sendmsg", 4, put_msghdr(&f->im, lo, 16), 0, 0, 0, 0));
        teardown(f);
}

/* sendmmsg: the kernel stops at the first message it cannot send, so the
 * finding is the first outside destination, after loopback and unix ones. */
static void test_sendmmsg_first_outside_message(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        struct sockaddr_un un = {.sun_family = AF_UNIX, .sun_path = "/run/x.sock"};
        uint64_t lo = put_inet(&f->im, "127.0.0.1", 53),
                 out1 = put_inet(&f->im, "198.51.100.1", 53),
                 out2 = put_inet(&f->im, "203.0.113.9", 53), path = put(&f->im, &un, sizeof(un));
        struct mmsghdr msgs[4] = {
                {.msg_hdr = {.msg_name = (void *)(uintptr_t)lo, .msg_namelen = 16}},
                {.msg_hdr = {.msg_name = (void *)(uintptr_t)path, .msg_namelen = sizeof(un)}},
                {.msg_hdr = {.msg_name = (void *)(uintptr_t)out1, .msg_namelen = 16}},
                {.msg_hdr = {.msg_name = (void *)(uintptr_t)out2, .msg_namelen = 16}},
        };
        uint64_t vec = put(&f->im, msgs, sizeof(msgs));
        const struct lp_verdict *v = DECIDE(f, "sendmmsg", 4, vec, 4, 0, 0, 0);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_NETWORK, "sendmmsg", LP_FINDING_DENIED);
        assert_string_equal(x->target, "udp 198.51.100.1:53");
        assert_int_equal(f->call.n_addresses, 3); /* nothing after the outside one */
        /* The target of the call names its first message. */
        assert_string_equal(f->call.decoded.target, "sendmmsg(udp 127.0.0.1:53)");
        /* Only the loopback message: nothing to report. */
        assert_continue_clean(DECIDE(f, "sendmmsg", 4, vec, 1, 0, 0, 0));
        teardown(f);
}

/* ---- capability-gated calls ---- */

static void test_bind_below_the_port_start(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        uint64_t low = put_inet(&f->im, "0.0.0.0", 80), high = put_inet(&f->im, "0.0.0.0", 8080),
                 any = put_inet(&f->im, "0.0.0.0", 0);
        const struct lp_verdict *v = DECIDE(f, "bind", 3, low, 16, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_CONTINUE);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_CAPABILITY, "CAP_NET_BIND_SERVICE", LP_FINDING_DENIED);
        assert_int_equal(x->errno_value, EACCES);
        assert_string_equal(x->target, "bind tcp 0.0.0.0:80");
        assert_string_equal(x->dedupe, x->target);
        assert_continue_clean(DECIDE(f, "bind", 3, high, 16, 0, 0, 0));
        assert_continue_clean(DECIDE(f, "bind", 3, any, 16, 0, 0, 0));
        teardown(f);
        f = setup("[Profile]\nInclude=default\n[Capabilities]\nKeep=CAP_NET_BIND_SERVICE\n", false,
                  false);
        low = put_inet(&f->im, "0.0.0.0", 80);
        assert_continue_clean(DECIDE(f, "bind", 3, low, 16, 0, 0, 0));
        teardown(f);
}

static void test_owner_changes(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        assert_continue_clean(DECIDE(f, "fchown", 3, 1000, 1000, 0, 0, 0));
        assert_continue_clean(DECIDE(f, "fchown", 3, (uint32_t)-1, 1000, 0, 0, 0));
        const struct lp_verdict *v = DECIDE(f, "fchown", 3, 0, 1000, 0, 0, 0);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_CAPABILITY, "CAP_CHOWN", LP_FINDING_DENIED);
        assert_int_equal(x->errno_value, EPERM);
        /* fchownat's owner is its third argument; a group not one's own. */
        only(DECIDE(f, "fchownat", 3, 0, 1000, 0, 0, 0), LP_FINDING_CAPABILITY, "CAP_CHOWN",
             LP_FINDING_DENIED);
        /* A tracee that is gone has nothing left to report. */
        assert_continue_clean(decide_as(f, GONE, nr_of("fchown"), 3, 0, 0, 0, 0, 0));
        /* In leastpriv's own user namespace an unmapped id is EINVAL. */
        f->d.own_userns = true;
        x = only(DECIDE(f, "fchown", 3, 0, 1000, 0, 0, 0), LP_FINDING_CAPABILITY, "CAP_CHOWN",
                 LP_FINDING_DENIED);
        assert_int_equal(x->errno_value, EINVAL);
        teardown(f);
}

static void test_set_ids(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        assert_continue_clean(DECIDE(f, "setresuid", (uint32_t)-1, 1000, (uint32_t)-1, 0, 0, 0));
        only(DECIDE(f, "setresuid", 1000, 1000, 0, 0, 0, 0), LP_FINDING_CAPABILITY, "CAP_SETUID",
             LP_FINDING_DENIED);
        only(DECIDE(f, "setreuid", 1000, 0, 7, 0, 0, 0), LP_FINDING_CAPABILITY, "CAP_SETUID",
             LP_FINDING_DENIED);
        /* setuid looks at one id only. */
        assert_continue_clean(DECIDE(f, "setuid", 1000, 0, 0, 0, 0, 0));
        only(DECIDE(f, "setgid", 0, 0, 0, 0, 0, 0), LP_FINDING_CAPABILITY, "CAP_SETGID",
             LP_FINDING_DENIED);
        /* setgroups always needs it. */
        only(DECIDE(f, "setgroups", 0, 0, 0, 0, 0, 0), LP_FINDING_CAPABILITY, "CAP_SETGID",
             LP_FINDING_DENIED);
        teardown(f);
}

static void test_device_nodes_priority_and_plain_gates(void **state)
{
        struct fixture *f =
                setup("[Profile]\nInclude=default\n[Syscalls]\nAllow=mount\n", false, false);
        only(DECIDE(f, "mknodat", 3, 0, S_IFCHR | 0600, 0x0501, 0, 0), LP_FINDING_CAPABILITY,
             "CAP_MKNOD", LP_FINDING_DENIED);
        assert_continue_clean(DECIDE(f, "mknodat", 3, 0, S_IFIFO | 0600, 0, 0, 0));
        assert_int_equal(only(DECIDE(f, "setpriority", 0, 0, (uint64_t)-5, 0, 0, 0),
                              LP_FINDING_CAPABILITY, "CAP_SYS_NICE", LP_FINDING_DENIED)
                                 ->errno_value,
                         EACCES);
        assert_continue_clean(DECIDE(f, "setpriority", 0, 0, 5, 0, 0, 0));
        /* Allowed, and in need of its capability whatever the arguments. */
        const struct lp_verdict_finding *x =
                only(DECIDE(f, "mount", 0, 0, 0, 0, 0, 0), LP_FINDING_CAPABILITY, "CAP_SYS_ADMIN",
                     LP_FINDING_DENIED);
        assert_non_null(strstr(x->rule, "[Capabilities] Keep="));
        teardown(f);
}

/* CAP_SYS_RESOURCE: PR_SET_MM but checkpoint/restore's map; a hard limit
 * raised above the process's own (4096 here), not one lowered or kept,
 * nor a prlimit64 on another process. */
static void test_resource_capability(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        const struct lp_verdict_finding *x =
                only(DECIDE(f, "prctl", PR_SET_MM, PR_SET_MM_START_CODE, 0x400000, 0, 0, 0),
                     LP_FINDING_CAPABILITY, "CAP_SYS_RESOURCE", LP_FINDING_DENIED);
        assert_string_equal(x->target, "prctl(PR_SET_MM, 1)");
        assert_continue_clean(DECIDE(f, "prctl", PR_SET_MM, PR_SET_MM_MAP_SIZE, 0, 0, 0, 0));
        /* Every other prctl, as learning notifies them all: npm names its
         * process with PR_SET_NAME, whose second argument is a pointer. */
        assert_continue_clean(DECIDE(f, "prctl", PR_SET_NAME, 0x7ffd12345678, 0, 0, 0, 0));
        uint64_t raise = put(&f->im, (uint64_t[2]){1024, 1 << 20}, 16);
        uint64_t keep = put(&f->im, (uint64_t[2]){1024, 4096}, 16);
        x = only(DECIDE(f, "prlimit64", 0, RLIMIT_NOFILE, raise, 0, 0, 0), LP_FINDING_CAPABILITY,
                 "CAP_SYS_RESOURCE", LP_FINDING_DENIED);
        assert_string_equal(x->target, "prlimit64(RLIMIT_NOFILE, hard 4096 -> 1048576)");
        x = only(DECIDE(f, "setrlimit", RLIMIT_NPROC, raise, 0, 0, 0, 0), LP_FINDING_CAPABILITY,
                 "CAP_SYS_RESOURCE", LP_FINDING_DENIED);
        assert_string_equal(x->target, "setrlimit(RLIMIT_NPROC, hard 4096 -> 1048576)");
        assert_continue_clean(DECIDE(f, "prlimit64", 0, RLIMIT_NOFILE, keep, 0, 0, 0));
        assert_continue_clean(DECIDE(f, "prlimit64", 42, RLIMIT_NOFILE, raise, 0, 0, 0));
        teardown(f);
        /* Kept: the kernel grants it, nothing to report. */
        f = setup("[Profile]\nInclude=default\n[Capabilities]\nKeep=CAP_SYS_RESOURCE\n", false,
                  false);
        assert_continue_clean(DECIDE(f, "prlimit64", 0, RLIMIT_NOFILE, raise, 0, 0, 0));
        assert_continue_clean(DECIDE(f, "prctl", PR_SET_MM, PR_SET_MM_START_CODE, 0, 0, 0, 0));
        teardown(f);
}

/* Learning a refused connect: the syscall to grant, and where it went. */
static void test_learning_arguments_of_a_refused_call(void **state)
{
        struct fixture *f = setup("[Profile]\nInclude=base\n", true, true);
        uint64_t out = put_inet(&f->im, "192.0.2.1", 80);
        const struct lp_verdict *v = DECIDE(f, "connect", 3, out, 16, 0, 0, 0);
        assert_int_equal(v->answer, LP_ANSWER_CONTINUE);
        assert_int_equal(v->n_findings, 2);
        assert_int_equal(v->findings[0].kind, LP_FINDING_SYSCALL);
        assert_int_equal(v->findings[1].kind, LP_FINDING_NETWORK);
        assert_string_equal(v->findings[1].dedupe, "tcp 192.0.2.1:80");
        /* A refused ioctl(TIOCSTI) is learned apart: it needs the bare name. */
        v = DECIDE(f, "ioctl", 0, 0x5412, 0, 0, 0, 0);
        assert_int_equal(v->n_findings, 2);
        assert_false(v->findings[0].hardening);
        assert_string_equal(v->findings[0].dedupe, "");
        assert_true(v->findings[1].hardening);
        assert_string_equal(v->findings[1].dedupe, "hardening");
        teardown(f);
}

/* Processes counted in a PID namespace while learning (clone, fork and
 * vfork stayed in the kernel): the one finding a notified clone would have
 * been, its target the count. */
static void test_learning_counted_creation(void **state)
{
        struct fixture *f = setup("[Profile]\nInclude=base\n", true, true);
        lp_decide_created(&f->d, "clone", 15, &f->v);
        assert_int_equal(f->v.answer, LP_ANSWER_CONTINUE);
        const struct lp_verdict_finding *x =
                only(&f->v, LP_FINDING_SYSCALL, "clone", LP_FINDING_AUDITED);
        assert_string_equal(x->target,
                            "15 processes or threads created (counted in the command's PID "
                            "namespace)");
        assert_string_equal(x->dedupe, ""); /* learning: one grant per syscall */
        assert_string_equal(x->fix, "[Syscalls] Allow=clone");
        assert_non_null(strstr(x->rule, "[Syscalls] DefaultAction=errno:EPERM"));
        assert_false(x->hardening);
        teardown(f);
}

/* ---- the filesystem ---- */

static uint64_t put_path(struct image *im, const char *path)
{
        return put(im, path, strlen(path) + 1);
}

static const struct lp_verdict_finding *refused_path(const struct lp_verdict *v, const char *op,
                                                     const char *target, int error)
{
        assert_int_equal(v->answer, LP_ANSWER_CONTINUE); /* the kernel refuses, not us */
        const struct lp_verdict_finding *x = only(v, LP_FINDING_FILESYSTEM, op, LP_FINDING_DENIED);
        assert_string_equal(x->target, target);
        assert_int_equal(x->errno_value, error);
        return x;
}

static void test_filesystem_writes(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        with_filesystem(f);
        uint64_t passwd = put_path(&f->im, "/etc/passwd");
        const struct lp_verdict *v =
                DECIDE(f, "openat", AT_FDCWD, passwd, O_WRONLY | O_APPEND, 0, 0, 0);
        const struct lp_verdict_finding *x = refused_path(v, "write", "/etc/passwd", EROFS);
        assert_string_equal(x->fix, "[Filesystem] ReadWritePaths=/etc/passwd");
        assert_non_null(strstr(x->rule, "base.profile:"));
        assert_non_null(strstr(x->rule, "[Filesystem] ProtectSystem=strict"));
        /* Reading is no write; the workspace (ReadWritePaths=.) is writable. */
        assert_continue_clean(DECIDE(f, "openat", AT_FDCWD, passwd, O_RDONLY, 0, 0, 0));
        uint64_t out = put_path(&f->im, "out.txt");
        assert_continue_clean(DECIDE(f, "openat", AT_FDCWD, out, O_WRONLY | O_CREAT, 0644, 0, 0));
        assert_continue_clean(DECIDE(f, "unlink", out, 0, 0, 0, 0, 0));
        /* A missing file opened without O_CREAT fails with ENOENT anyway. */
        uint64_t missing = put_path(&f->im, "/etc/missing");
        assert_continue_clean(DECIDE(f, "openat", AT_FDCWD, missing, O_WRONLY, 0, 0, 0));
        /* Created: the directory is what changes; the fix names the file. */
        v = DECIDE(f, "openat", AT_FDCWD, missing, O_WRONLY | O_CREAT, 0644, 0, 0);
        x = refused_path(v, "create", "/etc/missing", EROFS);
        assert_string_equal(x->fix, "[Filesystem] ReadWritePaths=/etc");
        v = DECIDE(f, "mkdir", missing, 0755, 0, 0, 0, 0);
        refused_path(v, "mkdir", "/etc/missing", EROFS);
        /* A name that exists: EEXIST comes before EROFS, nothing refused. */
        assert_continue_clean(DECIDE(f, "mkdir", passwd, 0755, 0, 0, 0, 0));
        assert_continue_clean(DECIDE(f, "symlinkat", out, AT_FDCWD, passwd, 0, 0, 0));
        assert_continue_clean(
                DECIDE(f, "openat", AT_FDCWD, passwd, O_WRONLY | O_CREAT | O_EXCL, 0644, 0, 0));
        refused_path(DECIDE(f, "unlinkat", AT_FDCWD, passwd, 0, 0, 0, 0), "delete", "/etc/passwd",
                     EROFS);
        refused_path(DECIDE(f, "fchmodat", AT_FDCWD, passwd, 0777, 0, 0, 0), "chmod", "/etc/passwd",
                     EROFS);
        refused_path(DECIDE(f, "truncate", passwd, 0, 0, 0, 0, 0), "truncate", "/etc/passwd",
                     EROFS);
        uint64_t user = put_path(&f->im, "user.x");
        refused_path(DECIDE(f, "setxattr", passwd, user, 0, 0, 0, 0), "xattr", "/etc/passwd",
                     EROFS);
        teardown(f);
}

static void test_filesystem_two_paths_and_symlinks(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        with_filesystem(f);
        /* A rename out of the workspace is refused at its new name. */
        uint64_t old = put_path(&f->im, "old"), to = put_path(&f->im, "/etc/new");
        refused_path(DECIDE(f, "renameat2", AT_FDCWD, old, AT_FDCWD, to, 0, 0), "rename",
                     "/etc/new", EROFS);
        assert_continue_clean(DECIDE(f, "rename", old, put_path(&f->im, "new"), 0, 0, 0, 0));
        /* A symlink in the workspace does not make its target writable. */
        uint64_t link = put_path(&f->im, "link");
        refused_path(DECIDE(f, "openat", AT_FDCWD, link, O_WRONLY | O_TRUNC, 0, 0, 0), "write",
                     "/etc/passwd", EROFS);
        /* ...unless the call does not follow it: then the link itself is
         * written, in the workspace. */
        assert_continue_clean(DECIDE(f, "openat", AT_FDCWD, link, O_WRONLY | O_NOFOLLOW, 0, 0, 0));
        assert_continue_clean(DECIDE(f, "unlink", link, 0, 0, 0, 0, 0));
        teardown(f);
}

static void test_filesystem_hidden_and_tunables(void **state)
{
        struct fixture *f = setup(DEFAULT, false, false);
        with_filesystem(f);
        uint64_t shadow = put_path(&f->im, "/etc/shadow");
        const struct lp_verdict_finding *x =
                refused_path(DECIDE(f, "openat", AT_FDCWD, shadow, O_WRONLY, 0, 0, 0), "write",
                             "/etc/shadow", EACCES);
        assert_string_equal(x->fix, "[Filesystem] InaccessiblePaths= without /etc/shadow");
        assert_non_null(strstr(x->rule, "[Filesystem] InaccessiblePaths=/etc/shadow"));
        uint64_t core = put_path(&f->im, "/proc/sys/kernel/core_pattern");
        x = refused_path(DECIDE(f, "openat", AT_FDCWD, core, O_WRONLY | O_TRUNC, 0, 0, 0), "write",
                         "/proc/sys/kernel/core_pattern", EROFS);
        assert_string_equal(x->fix, "[Filesystem] ProtectKernelTunables=no");
        /* Created in a hidden directory: the read-only mount answers. */
        uint64_t key = put_path(&f->im, "/home/u/.ssh/new_key");
        x = refused_path(DECIDE(f, "openat", AT_FDCWD, key, O_WRONLY | O_CREAT, 0600, 0, 0),
                         "create", "/home/u/.ssh/new_key", EROFS);
        assert_string_equal(x->fix, "[Filesystem] InaccessiblePaths= without ~/.ssh");
        /* A unix socket under a hidden directory: connect() is refused too. */
        struct sockaddr_un un = {.sun_family = AF_UNIX};
        strcpy(un.sun_path, "/home/u/.ssh/agent.sock");
        uint64_t addr = put(&f->im, &un, sizeof(un));
        x = only(DECIDE(f, "connect", 3, addr, sizeof(un), 0, 0, 0), LP_FINDING_FILESYSTEM,
                 "connect", LP_FINDING_DENIED);
        assert_string_equal(x->target, "/home/u/.ssh/agent.sock");
        assert_string_equal(x->fix, "[Filesystem] InaccessiblePaths= without ~/.ssh");
        teardown(f);
}

/* A ReadOnlyPaths= path itself cannot be made writable by a
 * ReadWritePaths= of the same path: the fix says to drop it; below it, a
 * deeper ReadWritePaths= does. */
static void test_filesystem_read_only_path_fix(void **state)
{
        struct fixture *f =
                setup("[Profile]\nInclude=default\n[Filesystem]\nReadOnlyPaths=.\n", false, false);
        with_filesystem(f);
        uint64_t work = put_path(&f->im, "/work");
        const struct lp_verdict_finding *x = refused_path(
                DECIDE(f, "fchmodat", AT_FDCWD, work, 0700, 0, 0, 0), "chmod", "/work", EROFS);
        assert_string_equal(x->fix, "[Filesystem] ReadOnlyPaths= without .");
        assert_non_null(strstr(x->rule, "t.profile:4 [Filesystem] ReadOnlyPaths=."));
        x = refused_path(
                DECIDE(f, "openat", AT_FDCWD, put_path(&f->im, "new"), O_CREAT | O_WRONLY, 0, 0, 0),
                "create", "/work/new", EROFS);
        assert_string_equal(x->fix, "[Filesystem] ReadOnlyPaths= without .");
        x = refused_path(DECIDE(f, "openat", AT_FDCWD, put_path(&f->im, "old"), O_WRONLY, 0, 0, 0),
                         "write", "/work/old", EROFS);
        assert_string_equal(x->fix, "[Filesystem] ReadWritePaths=/work/old");
        /* fchmodat2 is watched as fchmodat is. */
        refused_path(DECIDE(f, "fchmodat2", AT_FDCWD, put_path(&f->im, "old"), 0600, 0, 0, 0),
                     "chmod", "/work/old", EROFS);
        teardown(f);
}

static void test_filesystem_audit_and_learning(void **state)
{
        struct fixture *f = setup(DEFAULT, true, true);
        with_filesystem(f);
        uint64_t a = put_path(&f->im, "/etc/a"), b = put_path(&f->im, "/etc/b");
        const struct lp_verdict *v = DECIDE(f, "openat", AT_FDCWD, a, O_WRONLY | O_CREAT, 0, 0, 0);
        const struct lp_verdict_finding *x =
                only(v, LP_FINDING_FILESYSTEM, "create", LP_FINDING_AUDITED);
        /* Learning counts by the grant it needs: two files, one line. */
        assert_string_equal(x->dedupe, "[Filesystem] ReadWritePaths=/etc");
        v = DECIDE(f, "openat", AT_FDCWD, b, O_WRONLY | O_CREAT, 0, 0, 0);
        x = only(v, LP_FINDING_FILESYSTEM, "create", LP_FINDING_AUDITED);
        assert_string_equal(x->target, "/etc/b");
        assert_string_equal(x->dedupe, "[Filesystem] ReadWritePaths=/etc");
        teardown(f);

        /* Without a plan that refuses anything, writes are not looked at. */
        f = setup("[Profile]\nInclude=default\n[Filesystem]\nProtectSystem=no\nPrivateTmp=no\n"
                  "PrivateDevices=no\nProtectKernelTunables=no\nProtectControlGroups=no\n"
                  "InaccessiblePaths=\n",
                  false, false);
        with_filesystem(f);
        assert_false(lp_fs_plan_restricts(&f->plan));
        assert_continue_clean(
                DECIDE(f, "openat", AT_FDCWD, put_path(&f->im, "/etc/passwd"), O_WRONLY, 0, 0, 0));
        teardown(f);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_refused_by_default_action),
                cmocka_unit_test(test_refused_by_name_and_by_group),
                cmocka_unit_test(test_refused_by_kill),
                cmocka_unit_test(test_refused_by_whole_syscall_hardening),
                cmocka_unit_test(test_foreign_abi_is_killed_even_in_audit),
                cmocka_unit_test(test_audit_answers_continue),
                cmocka_unit_test(test_tty_ioctl),
                cmocka_unit_test(test_namespaces),
                cmocka_unit_test(test_socket_families_and_raw),
                cmocka_unit_test(test_learning_socket_fills_the_verdict),
                cmocka_unit_test(test_connect_destinations),
                cmocka_unit_test(test_learning_host_services),
                cmocka_unit_test(test_run_host_services),
                cmocka_unit_test(test_restrict_suid_modes),
                cmocka_unit_test(test_long_targets_stay_distinct),
                cmocka_unit_test(test_send_destinations),
                cmocka_unit_test(test_dns_standin_destinations),
                cmocka_unit_test(test_sendmmsg_first_outside_message),
                cmocka_unit_test(test_bind_below_the_port_start),
                cmocka_unit_test(test_owner_changes),
                cmocka_unit_test(test_set_ids),
                cmocka_unit_test(test_device_nodes_priority_and_plain_gates),
                cmocka_unit_test(test_resource_capability),
                cmocka_unit_test(test_learning_arguments_of_a_refused_call),
                cmocka_unit_test(test_learning_counted_creation),
                cmocka_unit_test(test_filesystem_writes),
                cmocka_unit_test(test_filesystem_two_paths_and_symlinks),
                cmocka_unit_test(test_filesystem_hidden_and_tunables),
                cmocka_unit_test(test_filesystem_read_only_path_fix),
                cmocka_unit_test(test_filesystem_audit_and_learning),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
