/* escape: hostile probes for tests/escape/, the conformance suite of
 * docs/architecture.md, "Threat model". Each attack is made the way a hostile test would make it,
 * and each result is printed as one line "ATTACK: ok" or "ATTACK: ERRNO",
 * so that one run under leastpriv can try several attacks and the test can
 * check each line (and the finding that names it).
 *
 *     escape SUBCOMMAND [ARG...]
 *
 * Every attack is harmless when it succeeds bare (the tests run some of
 * them without leastpriv to prove that they would work): injected terminal
 * input goes to a pty the test owns, namespaces are entered by a child that
 * exits at once, keys go to the process keyring, and the module and kexec
 * calls carry images or flags the kernel rejects after its permission
 * check. Nothing here touches the network. */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <linux/tiocl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "probe_output.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef __NR_clone3
#define __NR_clone3 435
#endif
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
/* Another architecture's kexec image: rejected (EINVAL) after the
 * permission check, so a bare run as root loads and unloads nothing. */
#define KEXEC_ARCH_ARM_FLAG (40UL << 16)

/* ---- output ------------------------------------------------------------ */

/* "KEY: ok" or "KEY: ERRNO", flushed at once: the next attack may be the
 * one that gets the process killed. Returns 0 or 1 for an exit status. */
static int say(const char *key, int e)
{
        printf("%s: %s\n", key, e ? errno_name(e) : "ok");
        fflush(stdout);
        return e ? EXIT_FAILED : EXIT_OK;
}

static int say_ret(const char *key, long r)
{
        return say(key, r < 0 ? errno : 0);
}

static int usage_error(const char *what, const char *arg)
{
        fprintf(stderr, "escape: %s: '%s'\n", what, arg);
        return EXIT_USAGE;
}

/* Runs fn in a forked child and returns the errno it _exit()ed with, so an
 * attack that changes the process (a namespace entered) cannot change the
 * next one; a child killed by a signal gives EINTR. */
static int in_child(int (*fn)(const void *), const void *arg)
{
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
                return errno;
        if (pid == 0)
                _exit(fn(arg));
        int status;
        if (waitpid(pid, &status, 0) < 0)
                return errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

/* ---- terminal injection -------------------------------------------------- */

/* The request as a full 64-bit register: the kernel reads only the low 32
 * bits (ioctl's cmd is unsigned int), so 0x1_00005412 is TIOCSTI to it; a
 * filter that compares all 64 bits would let it by. */
static long raw_ioctl(int fd, unsigned long request, void *arg)
{
        return syscall(SYS_ioctl, fd, request, arg);
}

/* Pushes `text` into the terminal's input queue one byte at a time; with
 * ECHO on, the bytes also appear in what the terminal's master reads, which
 * is how the test sees an injection that got through. */
static int inject(int tty, unsigned long request, const char *text)
{
        for (const char *p = text; *p; p++)
                if (raw_ioctl(tty, request, (void *)p) < 0)
                        return errno;
        return 0;
}

/* TIOCLINUX subcode 6 (TIOCL_GETSHIFTSTATE) only reads; on a pty the
 * kernel answers an error of its own, anything but the filter's. */
static int tioclinux(int tty, unsigned long request)
{
        char sub[2] = {TIOCL_GETSHIFTSTATE, 0};
        return raw_ioctl(tty, request, sub) < 0 ? errno : 0;
}

static int cmd_tty(int argc, char **argv)
{
        int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (tty < 0)
                return say("tty-open", errno);
        int failed = 0;
        for (int i = 0; i < argc; i++) {
                const char *a = argv[i];
                int e;
                if (!strcmp(a, "tiocsti"))
                        e = inject(tty, TIOCSTI, "{lp-inject-sti}\n");
                else if (!strcmp(a, "tiocsti-hi"))
                        e = inject(tty, 0x100000000UL | TIOCSTI, "{lp-inject-hi}\n");
                else if (!strcmp(a, "tioclinux"))
                        e = tioclinux(tty, TIOCLINUX);
                else if (!strcmp(a, "tioclinux-hi"))
                        e = tioclinux(tty, 0x100000000UL | TIOCLINUX);
                else
                        return usage_error("not tiocsti|tiocsti-hi|tioclinux|tioclinux-hi", a);
                failed |= say(a, e);
        }
        close(tty);
        return failed;
}

/* ---- namespaces ----------------------------------------------------------- */

static const struct {
        const char *name;
        int flag;
} ns_flags[] = {
        {"CLONE_NEWNS", CLONE_NEWNS},         {"CLONE_NEWUTS", CLONE_NEWUTS},
        {"CLONE_NEWIPC", CLONE_NEWIPC},       {"CLONE_NEWUSER", CLONE_NEWUSER},
        {"CLONE_NEWPID", CLONE_NEWPID},       {"CLONE_NEWNET", CLONE_NEWNET},
        {"CLONE_NEWCGROUP", CLONE_NEWCGROUP}, {"CLONE_NEWTIME", CLONE_NEWTIME},
};

static int do_unshare(const void *arg)
{
        return unshare(*(const int *)arg) < 0 ? errno : 0;
}

/* The raw syscall, so the flags are exactly what the filter sees. */
static int do_clone(const void *arg)
{
        long pid = syscall(SYS_clone, *(const int *)arg | SIGCHLD, 0, 0, 0, 0);
        if (pid < 0)
                return errno;
        if (pid == 0)
                _exit(0);
        waitpid((pid_t)pid, NULL, 0);
        return 0;
}

static int do_clone3(const void *arg)
{
        /* struct clone_args v0: flags, pidfd, child_tid, parent_tid,
         * exit_signal, stack, stack_size, tls. A plain child. */
        uint64_t args[8] = {0};
        args[4] = SIGCHLD;
        long pid = syscall(__NR_clone3, args, sizeof(args));
        if (pid < 0)
                return errno;
        if (pid == 0)
                _exit(0);
        waitpid((pid_t)pid, NULL, 0);
        return 0;
}

/* "fd:N" is a namespace fd the test opened and let us inherit (the host's
 * network namespace: the real way back out); anything else is a path. */
static int do_setns(const void *arg)
{
        const char *target = arg;
        long fd;
        if (strncmp(target, "fd:", 3) || parse_long(target + 3, 0, 1 << 20, &fd) < 0)
                fd = open(target, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return say("setns-open", errno), ECANCELED;
        return setns((int)fd, CLONE_NEWNET) < 0 ? errno : 0;
}

/* ns [SETNS_TARGET...]: unshare and clone with each namespace flag, clone3,
 * setns to each target. CLONE_NEWTIME is not a clone() flag (0x80 is
 * clone's exit-signal byte), so clone skips it. */
static int cmd_ns(int argc, char **argv)
{
        char key[64];
        int failed = 0;
        for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++) {
                snprintf(key, sizeof(key), "unshare-%s", ns_flags[i].name);
                failed |= say(key, in_child(do_unshare, &ns_flags[i].flag));
                if (ns_flags[i].flag == CLONE_NEWTIME)
                        continue;
                snprintf(key, sizeof(key), "clone-%s", ns_flags[i].name);
                failed |= say(key, in_child(do_clone, &ns_flags[i].flag));
        }
        failed |= say("clone3", in_child(do_clone3, NULL));
        for (int i = 0; i < argc; i++) {
                int e = in_child(do_setns, argv[i]);
                if (e != ECANCELED)
                        failed |= say(strncmp(argv[i], "fd:", 3) ? "setns-path" : "setns-fd", e);
        }
        return failed;
}

/* ---- kernel attack surface --------------------------------------------------- */

static long close_ok(long fd)
{
        if (fd >= 0)
                close((int)fd);
        return fd;
}

static int k_bpf(void)
{
        union bpf_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.map_type = BPF_MAP_TYPE_ARRAY;
        attr.key_size = 4;
        attr.value_size = 4;
        attr.max_entries = 1;
        return close_ok(syscall(SYS_bpf, BPF_MAP_CREATE, &attr, sizeof(attr))) < 0 ? errno : 0;
}

/* A software counter on ourselves, user space only: what
 * perf_event_paranoid=2 still lets anyone open. */
static int k_perf(void)
{
        struct perf_event_attr attr;
        memset(&attr, 0, sizeof(attr));
        attr.type = PERF_TYPE_SOFTWARE;
        attr.size = sizeof(attr);
        attr.config = PERF_COUNT_SW_TASK_CLOCK;
        attr.disabled = 1;
        attr.exclude_kernel = 1;
        attr.exclude_hv = 1;
        return close_ok(syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0)) < 0 ? errno : 0;
}

/* User-mode-only faults: allowed without privilege since Linux 5.11. */
static int k_userfaultfd(void)
{
        return close_ok(syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY)) < 0 ? errno : 0;
}

static int k_io_uring(void)
{
        struct io_uring_params params;
        memset(&params, 0, sizeof(params));
        return close_ok(syscall(__NR_io_uring_setup, 1, &params)) < 0 ? errno : 0;
}

static int k_keyctl(void)
{
        return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 1) < 0 ? errno
                                                                                           : 0;
}

static int k_add_key(void)
{
        return syscall(SYS_add_key, "user", "leastpriv-escape", "x", 1, KEY_SPEC_PROCESS_KEYRING) <
                               0
                       ? errno
                       : 0;
}

static int k_kexec(void)
{
        return syscall(SYS_kexec_load, 0, 0, NULL, KEXEC_ARCH_ARM_FLAG) < 0 ? errno : 0;
}

/* 64 zero bytes are not an ELF image: refused after the capability check. */
static int k_init_module(void)
{
        static const char image[64];
        return syscall(SYS_init_module, image, sizeof(image), "") < 0 ? errno : 0;
}

static int k_finit_module(void)
{
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        long r = syscall(SYS_finit_module, fd, "", 0);
        int e = r < 0 ? errno : 0;
        if (fd >= 0)
                close(fd);
        return e;
}

/* The "shocker" pair: a handle for / and an open by handle, which skips
 * every path check (CAP_DAC_READ_SEARCH). */
struct handle {
        struct file_handle fh;
        unsigned char bytes[MAX_HANDLE_SZ];
};

static int k_name_to_handle(struct handle *h)
{
        int mount_id;
        h->fh.handle_bytes = MAX_HANDLE_SZ;
        return name_to_handle_at(AT_FDCWD, "/", &h->fh, &mount_id, 0) < 0 ? errno : 0;
}

static int k_open_by_handle(struct handle *h)
{
        int root = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        long fd = syscall(SYS_open_by_handle_at, root, &h->fh, O_RDONLY | O_CLOEXEC);
        int e = close_ok(fd) < 0 ? errno : 0;
        if (root >= 0)
                close(root);
        return e;
}

static int k_personality(unsigned long persona)
{
        return syscall(SYS_personality, persona) < 0 ? errno : 0;
}

/* ---- a sibling to attack --------------------------------------------------- */

static volatile int victim_word;

/* The victim: waits for the attacker to finish, then says through its exit
 * status whether its memory was written (3) or not (0). */
static void victim(int done_fd)
{
        char c;
        alarm(10);
        while (read(done_fd, &c, 1) < 0 && errno == EINTR)
                ;
        _exit(victim_word ? 3 : 0);
}

static void attacker(pid_t target, int done_fd)
{
        int one = 1;
        struct iovec local = {&one, sizeof(one)};
        struct iovec remote = {(void *)&victim_word, sizeof(victim_word)};
        say_ret("process_vm_writev", process_vm_writev(target, &local, 1, &remote, 1, 0));
        long r = ptrace(PTRACE_ATTACH, target, NULL, NULL);
        say_ret("ptrace-attach", r);
        if (r == 0) {
                waitpid(target, NULL, __WALL);
                ptrace(PTRACE_DETACH, target, NULL, NULL);
        }
        if (write(done_fd, "x", 1) < 0)
                _exit(EXIT_FAILED);
        _exit(EXIT_OK);
}

/* Two children of ours: one writes into the other's memory and attaches
 * to it, as a hostile test would go after a sibling test's process. */
static int k_sibling(void)
{
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return say("sibling", errno);
        fflush(stdout);
        pid_t v = fork();
        if (v == 0)
                victim(p[0]);
        pid_t a = v > 0 ? fork() : -1;
        if (a == 0)
                attacker(v, p[1]);
        close(p[0]);
        close(p[1]);
        int vs = 0;
        if (a > 0)
                waitpid(a, NULL, 0);
        if (v > 0)
                waitpid(v, &vs, 0);
        printf("sibling-modified: %s\n", WIFEXITED(vs) && WEXITSTATUS(vs) == 3 ? "yes" : "no");
        fflush(stdout);
        return v < 0 || a < 0 ? EXIT_FAILED : EXIT_OK;
}

/* kern ATTACK...: each ATTACK in order, one line each. */
static int kern_one(const char *a, struct handle *h)
{
        if (!strcmp(a, "bpf"))
                return say(a, k_bpf());
        if (!strcmp(a, "perf_event_open"))
                return say(a, k_perf());
        if (!strcmp(a, "userfaultfd"))
                return say(a, k_userfaultfd());
        if (!strcmp(a, "io_uring_setup"))
                return say(a, k_io_uring());
        if (!strcmp(a, "keyctl"))
                return say(a, k_keyctl());
        if (!strcmp(a, "add_key"))
                return say(a, k_add_key());
        if (!strcmp(a, "kexec_load"))
                return say(a, k_kexec());
        if (!strcmp(a, "init_module"))
                return say(a, k_init_module());
        if (!strcmp(a, "finit_module"))
                return say(a, k_finit_module());
        if (!strcmp(a, "name_to_handle_at"))
                return say(a, k_name_to_handle(h));
        if (!strcmp(a, "open_by_handle_at"))
                return say(a, k_open_by_handle(h));
        if (!strcmp(a, "personality-read-implies-exec"))
                return say(a, k_personality(READ_IMPLIES_EXEC));
        if (!strcmp(a, "personality-addr-no-randomize"))
                return say(a, k_personality(ADDR_NO_RANDOMIZE));
        if (!strcmp(a, "sibling"))
                return k_sibling();
        return -1;
}

static int cmd_kern(int argc, char **argv)
{
        /* A plausible handle even when name_to_handle_at is not tried or
         * fails, so open_by_handle_at always reaches the kernel. */
        struct handle h = {.fh = {.handle_bytes = 8, .handle_type = 1}};
        int failed = 0;
        for (int i = 0; i < argc; i++) {
                int r = kern_one(argv[i], &h);
                if (r < 0)
                        return usage_error("unknown attack (see `escape`)", argv[i]);
                failed |= r;
        }
        return failed;
}

/* ---- privilege regain -------------------------------------------------------- */

static int cap_from_name(const char *s)
{
        static const struct {
                const char *name;
                int cap;
        } caps[] = {{"CAP_DAC_OVERRIDE", CAP_DAC_OVERRIDE},
                    {"CAP_SETUID", CAP_SETUID},
                    {"CAP_NET_RAW", CAP_NET_RAW},
                    {"CAP_SYS_ADMIN", CAP_SYS_ADMIN}};
        for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
                if (!strcmp(caps[i].name, s))
                        return caps[i].cap;
        return -1;
}

/* capset CAP: raise CAP into the permitted and effective sets. */
static int cmd_capset(int argc, char **argv)
{
        int cap = cap_from_name(argv[0]);
        if (cap < 0)
                return usage_error("unknown capability", argv[0]);
        struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
        struct __user_cap_data_struct data[2];
        if (syscall(SYS_capget, &hdr, data) < 0)
                return say("capget", errno);
        data[cap / 32].permitted |= 1U << (cap % 32);
        data[cap / 32].effective |= 1U << (cap % 32);
        return say_ret("capset", syscall(SYS_capset, &hdr, data));
}

/* ambient CAP: prctl(PR_CAP_AMBIENT_RAISE), which keeps CAP across exec. */
static int cmd_ambient(int argc, char **argv)
{
        int cap = cap_from_name(argv[0]);
        if (cap < 0)
                return usage_error("unknown capability", argv[0]);
        return say_ret("ambient-raise", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0));
}

/* ---- network ------------------------------------------------------------------ */

static int cmd_netlink_audit(int argc, char **argv)
{
        return say_ret("netlink-audit",
                       close_ok(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT)));
}

/* ---- resource abuse --------------------------------------------------------------- */

struct bomb {
        atomic_long forks, eagain;
        long cap;
};

/* Every process of the bomb runs this: fork until the limit (or the
 * probe's own safety cap) says no, then idle. Each keeps a 30 s alarm so
 * that a launcher that fails to kill the tree leaves nothing for long. */
static void bomb_loop(struct bomb *b)
{
        alarm(30);
        for (;;) {
                /* A slot is taken before the fork, so that however many
                 * processes race here, no more than b->cap are made. */
                if (atomic_fetch_add(&b->forks, 1) >= b->cap) {
                        atomic_fetch_sub(&b->forks, 1);
                        pause();
                        continue;
                }
                pid_t pid = fork();
                if (pid == 0) {
                        alarm(30);
                        continue;
                }
                if (pid < 0) {
                        atomic_fetch_sub(&b->forks, 1);
                        if (errno == EAGAIN)
                                atomic_fetch_add(&b->eagain, 1);
                }
                usleep(pid > 0 ? 1000 : 20000);
        }
}

/* forkbomb SECONDS CAP TOKEN: lets a bomb grow for SECONDS (never past CAP
 * processes), prints how far it got and exits, leaving the bomb to the
 * launcher. TOKEN only marks the command line so the test can look for
 * survivors. */
static int cmd_forkbomb(int argc, char **argv)
{
        long secs, cap;
        if (parse_long(argv[0], 1, 60, &secs) < 0 || parse_long(argv[1], 1, 1000, &cap) < 0)
                return usage_error("forkbomb SECONDS(1..60) CAP(1..1000) TOKEN", argv[0]);
        struct bomb *b =
                mmap(NULL, sizeof(*b), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (b == MAP_FAILED)
                return say("forkbomb", errno);
        b->cap = cap;
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0)
                return say("forkbomb", errno);
        if (pid == 0)
                bomb_loop(b);
        sleep((unsigned)secs);
        printf("forkbomb: forks=%ld eagain=%ld\n", atomic_load(&b->forks), atomic_load(&b->eagain));
        return EXIT_OK;
}

/* ---- supervisor robustness ------------------------------------------------------- */

/* Denied by default and strict alike (Deny=@debug, Deny=@privileged), and
 * harmless bare: nobody traces us, and there is no such file to account. */
static long denied_ptrace(void)
{
        return syscall(SYS_ptrace, PTRACE_PEEKUSER, getpid(), 0, 0);
}

static long denied_acct(void)
{
        return syscall(SYS_acct, "/nonexistent/leastpriv-escape-flood");
}

struct flood {
        long per_thread;
        atomic_long made, denied;
};

static void *flood_thread(void *arg)
{
        struct flood *f = arg;
        for (long i = 0; i < f->per_thread; i++) {
                long r = denied_ptrace();
                atomic_fetch_add(&f->made, 1);
                if (r == -1 && errno == EPERM)
                        atomic_fetch_add(&f->denied, 1);
        }
        return NULL;
}

/* A child that makes n denied acct() calls and exits: 0 when all were
 * EPERM. */
static void flood_child(long n)
{
        long denied = 0;
        for (long i = 0; i < n; i++)
                if (denied_acct() == -1 && errno == EPERM)
                        denied++;
        _exit(denied == n ? 0 : 1);
}

/* Forks `children` short-lived flood children one after another (while
 * the threads storm), reaps them, returns how many exited 0. */
static long fork_children(long children, long per_child)
{
        long ok = 0;
        for (long i = 0; i < children; i++) {
                pid_t pid = fork();
                if (pid == 0)
                        flood_child(per_child);
                int status;
                if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
                    WEXITSTATUS(status) == 0)
                        ok++;
        }
        return ok;
}

/* flood THREADS PER_THREAD CHILDREN PER_CHILD: THREADS threads make
 * PER_THREAD denied ptrace() calls each while the main thread forks
 * CHILDREN processes that make PER_CHILD denied acct() calls each and
 * exit. Prints what was made, so the test can compare the counts. */
static int cmd_flood(int argc, char **argv)
{
        long n, children, per_child;
        struct flood f = {0};
        if (parse_long(argv[0], 1, 64, &n) < 0 ||
            parse_long(argv[1], 1, 10000000, &f.per_thread) < 0 ||
            parse_long(argv[2], 0, 10000, &children) < 0 ||
            parse_long(argv[3], 1, 1000000, &per_child) < 0)
                return usage_error("flood THREADS PER_THREAD CHILDREN PER_CHILD", argv[0]);
        pthread_t t[64];
        long started = 0;
        while (started < n && pthread_create(&t[started], NULL, flood_thread, &f) == 0)
                started++;
        fflush(stdout);
        long ok = fork_children(children, per_child);
        for (long i = 0; i < started; i++)
                pthread_join(t[i], NULL);
        long made = atomic_load(&f.made), denied = atomic_load(&f.denied);
        printf("flood: ptrace=%ld denied=%ld acct=%ld children_ok=%ld\n", made, denied,
               children * per_child, ok);
        return started == n && denied == made && ok == children ? EXIT_OK : EXIT_FAILED;
}

/* ---- dispatch -------------------------------------------------------------------- */

struct command {
        const char *name;
        int min_args; /* at least this many arguments */
        int (*fn)(int argc, char **argv);
        const char *help;
};

static const struct command commands[] = {
        {"tty", 1, cmd_tty, "tiocsti|tiocsti-hi|tioclinux|tioclinux-hi...: on /dev/tty"},
        {"ns", 0, cmd_ns, "[PATH|fd:N...]: unshare/clone with each namespace flag, clone3, setns"},
        {"kern", 1, cmd_kern,
         "ATTACK...: bpf perf_event_open userfaultfd io_uring_setup keyctl add_key kexec_load "
         "init_module finit_module name_to_handle_at open_by_handle_at "
         "personality-read-implies-exec personality-addr-no-randomize sibling"},
        {"capset", 1, cmd_capset, "CAP: raise CAP into the permitted and effective sets"},
        {"ambient", 1, cmd_ambient, "CAP: prctl(PR_CAP_AMBIENT_RAISE, CAP)"},
        {"netlink-audit", 0, cmd_netlink_audit, "socket(AF_NETLINK, SOCK_RAW, NETLINK_AUDIT)"},
        {"forkbomb", 3, cmd_forkbomb, "SECONDS CAP TOKEN: a fork bomb of at most CAP processes"},
        {"flood", 4, cmd_flood, "THREADS PER_THREAD CHILDREN PER_CHILD: denied calls, forking"},
};

static int usage(void)
{
        fprintf(stderr, "usage: escape SUBCOMMAND [ARG...]\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(stderr, "  %-14s %s\n", commands[i].name, commands[i].help);
        return EXIT_USAGE;
}

int main(int argc, char **argv)
{
        if (argc < 2)
                return usage();
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
                const struct command *c = &commands[i];
                if (strcmp(c->name, argv[1]))
                        continue;
                if (argc - 2 < c->min_args) {
                        fprintf(stderr, "escape %s: %s\n", c->name, c->help);
                        return EXIT_USAGE;
                }
                return c->fn(argc - 2, argv + 2);
        }
        fprintf(stderr, "escape: unknown subcommand '%s'\n", argv[1]);
        return usage();
}
