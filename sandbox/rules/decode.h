/* Syscall arguments -> the `target` of a finding (docs/architecture.md,
 * "Findings").
 *
 * Memory of the tracee is read only to *describe* what it attempted, never
 * to decide (the seccomp user-notification TOCTOU, docs/architecture.md,
 * "Threat model"). Every read goes through a reader (struct
 * lp_decode_reader): the supervisor's reads process_vm_readv and checks the
 * notification is still valid afterwards (supervise/tracee.c); fuzzers and
 * unit tests serve a buffer. Nothing here makes a system call. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Every namespace flag of clone() and unshare() (CLONE_NEWTIME, 0x80, is
 * only valid for unshare and clone3, but is refused wherever it appears). */
#define LP_NAMESPACE_FLAGS 0x7e020080ULL

/* The tty ioctls that inject input or reach the console. */
#define LP_IOCTL_TIOCSTI 0x5412U
#define LP_IOCTL_TIOCLINUX 0x541CU

/* Longest path or name shown in a target, in bytes read; longer ones end
 * in "...". */
#define LP_DECODE_STRING_MAX 256

/* Size of a target or dedupe buffer. */
#define LP_TARGET_SIZE 512

/* Paths longer than this are not resolved (PATH_MAX). */
#define LP_PATH_SIZE 4096

/* A socket address as a finding shows it. */
struct lp_sockaddr_info {
        int family;     /* AF_*, or -1 when unreadable */
        bool loopback;  /* 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104 */
        bool any;       /* 0.0.0.0 or :: */
        uint16_t port;  /* host order; inet only */
        char text[160]; /* "192.0.2.1:443", "[2001:db8::1]:443", "/run/x.sock", "@abstract" */
};

/* Where the decoder reads the tracee's memory. */
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

/* Reads exactly `size` bytes at `addr`: 0, -EFAULT (unmapped, short) or
 * -ESRCH (the tracee is gone, or the notification is no longer valid). */
int lp_decode_read(const struct lp_decode_reader *rd, uint64_t addr, void *buf, size_t size);

/* A NUL-terminated string at `addr` into buf (always terminated), as
 * the inside of a C string literal: `"` and `\` as \" and \\ (and nothing
 * else escaped: the reports escape the rest, each for its reader).
 * "<unreadable>" when it cannot be read, cut with "..." when no NUL comes
 * within LP_DECODE_STRING_MAX or it does not fit in buf; a cut falls
 * between escapes. Returns 0, or -errno as lp_decode_read. */
int lp_decode_string(const struct lp_decode_reader *rd, uint64_t addr, char *buf, size_t size);

/* A whole path at `addr` into buf, for resolving it (not for display):
 * 0, -ENAMETOOLONG when no NUL comes within size, -EFAULT or -ESRCH. */
int lp_decode_path(const struct lp_decode_reader *rd, uint64_t addr, char *buf, size_t size);

/* A sockaddr of `len` bytes at `addr`. 0, -EINVAL for a length no sockaddr
 * has, or -errno as lp_decode_read; ret->family is -1 on failure. */
int lp_decode_sockaddr(const struct lp_decode_reader *rd, uint64_t addr, uint64_t len,
                       struct lp_sockaddr_info *ret);

/* The same for a sockaddr already in memory of ours (`len` of its bytes,
 * at most sizeof(*ss)). */
void lp_decode_sockaddr_bytes(const struct sockaddr_storage *ss, size_t len,
                              struct lp_sockaddr_info *ret);

/* Where a message of sendmsg/sendmmsg goes: the msg_name of the struct
 * msghdr at `addr`. 1 with *ret filled when it names an address, 0 when
 * it names none (a connected socket), -EINVAL for a length no sockaddr
 * has, -EFAULT or -ESRCH when it cannot be read. */
int lp_decode_msghdr_address(const struct lp_decode_reader *rd, uint64_t addr,
                             struct lp_sockaddr_info *ret);

/* The address of message `index` of the struct mmsghdr array at `addr`,
 * as lp_decode_msghdr_address. */
int lp_decode_mmsghdr_address(const struct lp_decode_reader *rd, uint64_t addr, size_t index,
                              struct lp_sockaddr_info *ret);

/* Names for flag and constant arguments; NULL when unknown. */
const char *lp_decode_ioctl_name(unsigned long request);
const char *lp_decode_ptrace_name(long request);
/* "RLIMIT_NOFILE", or NULL. */
const char *lp_decode_rlimit_name(int resource);
/* "CLONE_NEWUSER|CLONE_NEWNET" for the namespace bits of flags. */
void lp_decode_ns_flags(uint64_t flags, char *buf, size_t size);

/* What a decoder writes: the target, and the same without pids and fds
 * (the findings store's key). */
struct lp_decoded {
        char target[LP_TARGET_SIZE]; /* "ptrace(PTRACE_ATTACH, 4242)" */
        char dedupe[LP_TARGET_SIZE]; /* "ptrace(PTRACE_ATTACH)" */
};

/* Decoders of the calls with a shape of their own; the watch table
 * (watch.h) names the decoder of each watched call. */
void lp_decode_ioctl(const struct lp_decode_reader *rd, const char *syscall, const uint64_t *a,
                     struct lp_decoded *d);
void lp_decode_ns_call(const struct lp_decode_reader *rd, const char *syscall, const uint64_t *a,
                       struct lp_decoded *d);
void lp_decode_socket(const struct lp_decode_reader *rd, const char *syscall, const uint64_t *a,
                      struct lp_decoded *d);
/* connect(fd, addr, len), bind(fd, addr, len): "connect(tcp 192.0.2.1:80)". */
void lp_decode_sockaddr_call(const struct lp_decode_reader *rd, const char *syscall,
                             const uint64_t *a, struct lp_decoded *d);
/* sendto(fd, buf, len, flags, addr, len). */
void lp_decode_sendto(const struct lp_decode_reader *rd, const char *syscall, const uint64_t *a,
                      struct lp_decoded *d);
/* sendmsg(fd, msg, flags), sendmmsg(fd, msgvec, vlen, flags): the first
 * message's address. */
void lp_decode_sendmsg(const struct lp_decode_reader *rd, const char *syscall, const uint64_t *a,
                       struct lp_decoded *d);

/* Every other call: ptrace, mount, the kill family, a path argument
 * where the call has one, else "name()". */
void lp_decode_generic(const struct lp_decode_reader *rd, const char *syscall, const uint64_t *a,
                       struct lp_decoded *d);
