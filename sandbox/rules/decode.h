/* Syscall arguments -> the `target` of a finding (DESIGN.md §4).
 *
 * Memory of the tracee is read only to *describe* what it attempted, never
 * to decide (seccomp user-notification TOCTOU, DESIGN.md §1): every read is
 * bounded, and checked against seccomp_notify_id_valid afterwards so that a
 * pid reused meanwhile cannot lend us another process's memory. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Every namespace flag of clone() and unshare() (CLONE_NEWTIME, 0x80, is
 * only valid for unshare and clone3, but is refused wherever it appears). */
#define LP_NAMESPACE_FLAGS 0x7e020080ULL

/* The tty ioctls that inject input or reach the console (DESIGN.md §1). */
#define LP_IOCTL_TIOCSTI 0x5412U
#define LP_IOCTL_TIOCLINUX 0x541CU

struct lp_tracee {
        int pid;
        int listener; /* for id_valid */
        uint64_t id;  /* the notification's cookie */
};

/* Longest path or name shown in a target; longer ones end in "...". */
#define LP_DECODE_STRING_MAX 256

/* A socket address as a finding shows it. */
struct lp_sockaddr_info {
        int family;       /* AF_*, or -1 when unreadable */
        bool loopback;    /* 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104 */
        bool any;         /* 0.0.0.0 or :: */
        uint16_t port;    /* host order; inet only */
        char text[160];   /* "192.0.2.1:443", "[2001:db8::1]:443", "/run/x.sock", "@abstract" */
};

/* Where the decoder reads the tracee's memory. lp_decode_*(tracee, ...)
 * use process_vm_readv on the tracee; the *_from variants take any reader,
 * so that fuzzers and unit tests decode a buffer without a process. */
struct lp_decode_reader {
        /* As process_vm_readv with one iovec: bytes copied (possibly fewer
         * than size, stopping at a fault), or -errno. */
        ssize_t (*read)(const void *ctx, uint64_t addr, void *buf, size_t size);
        /* Whether what was read still belongs to the notification. */
        bool (*valid)(const void *ctx);
        /* "tcp" / "udp" / "raw" for the socket fd, "inet" when unknown. */
        const char *(*socket_proto)(const void *ctx, int fd);
        const void *ctx;
};

/* Reads `size` bytes at `addr`; 0 or -errno (-EFAULT when unmapped,
 * -ESRCH when the tracee is gone or the notification is no longer valid). */
int lp_decode_read(const struct lp_tracee *t, uint64_t addr, void *buf, size_t size);

/* A NUL-terminated string at `addr` into buf (always terminated): "<unreadable>"
 * when it cannot be read, truncated with "..." when no NUL comes within
 * LP_DECODE_STRING_MAX. Returns 0, or -errno as lp_decode_read. */
int lp_decode_string(const struct lp_tracee *t, uint64_t addr, char *buf, size_t size);

int lp_decode_sockaddr(const struct lp_tracee *t, uint64_t addr, uint64_t len,
                       struct lp_sockaddr_info *ret);

/* "tcp" / "udp" / "raw" ... for the socket fd of the tracee, "inet" when
 * it cannot be told. */
const char *lp_decode_socket_proto(const struct lp_tracee *t, int fd);

/* target: what was attempted, e.g. "ptrace(PTRACE_ATTACH, 4242)";
 * dedupe: the same without pids and fds, e.g. "ptrace(PTRACE_ATTACH)". */
void lp_decode_target(const struct lp_tracee *t, const char *syscall, const uint64_t args[6],
                      char *target, size_t tsize, char *dedupe, size_t dsize);

/* The same, reading through `rd`. */
int lp_decode_string_from(const struct lp_decode_reader *rd, uint64_t addr, char *buf,
                          size_t size);
int lp_decode_sockaddr_from(const struct lp_decode_reader *rd, uint64_t addr, uint64_t len,
                            struct lp_sockaddr_info *ret);
void lp_decode_target_from(const struct lp_decode_reader *rd, const char *syscall,
                           const uint64_t args[6], char *target, size_t tsize, char *dedupe,
                           size_t dsize);

/* The executable of pid ("/usr/bin/gdb"), or "" when gone. */
void lp_decode_exe(int pid, char *buf, size_t size);

/* Names for flag and constant arguments; NULL when unknown. */
const char *lp_decode_ioctl_name(unsigned long request);
const char *lp_decode_ptrace_name(long request);
/* "CLONE_NEWUSER|CLONE_NEWNET" for the namespace bits of flags. */
void lp_decode_ns_flags(uint64_t flags, char *buf, size_t size);
