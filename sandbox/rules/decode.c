#include "rules/decode.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "profile/policy.h"
#include "base/util.h"

/* ---- reading the tracee's memory ---- */

static ssize_t tracee_read(const void *ctx, uint64_t addr, void *buf, size_t size)
{
        const struct lp_tracee *t = ctx;
        struct iovec local = {buf, size}, remote = {(void *)(uintptr_t)addr, size};
        ssize_t n = process_vm_readv(t->pid, &local, 1, &remote, 1, 0);
        return n < 0 ? -errno : n;
}

static bool tracee_valid(const void *ctx)
{
        const struct lp_tracee *t = ctx;
        return t->listener < 0 || seccomp_notify_id_valid(t->listener, t->id) == 0;
}

static const char *tracee_socket_proto(const void *ctx, int fd)
{
        return lp_decode_socket_proto(ctx, fd);
}

static struct lp_decode_reader tracee_reader(const struct lp_tracee *t)
{
        return (struct lp_decode_reader){tracee_read, tracee_valid, tracee_socket_proto, t};
}

static int read_exact(const struct lp_decode_reader *rd, uint64_t addr, void *buf, size_t size)
{
        if (!addr)
                return -EFAULT;
        ssize_t n = rd->read(rd->ctx, addr, buf, size);
        if (n < 0)
                return n == -ESRCH ? -ESRCH : -EFAULT;
        if ((size_t)n != size)
                return -EFAULT;
        return rd->valid(rd->ctx) ? 0 : -ESRCH;
}

int lp_decode_read(const struct lp_tracee *t, uint64_t addr, void *buf, size_t size)
{
        struct lp_decode_reader rd = tracee_reader(t);
        return read_exact(&rd, addr, buf, size);
}

/* Reads up to `size` bytes but never across a page that is not mapped:
 * process_vm_readv stops at the first fault, so read page by page. */
static size_t read_partial(const struct lp_decode_reader *rd, uint64_t addr, char *buf,
                           size_t size)
{
        size_t page = (size_t)sysconf(_SC_PAGESIZE), done = 0;
        while (done < size) {
                size_t chunk = page - ((addr + done) % page);
                if (chunk > size - done)
                        chunk = size - done;
                ssize_t n = rd->read(rd->ctx, addr + done, buf + done, chunk);
                /* More than asked for would be a broken reader: trust none of it. */
                if (n <= 0 || (size_t)n > chunk)
                        break;
                done += (size_t)n;
                if (memchr(buf + done - (size_t)n, '\0', (size_t)n))
                        break;
        }
        return done;
}

int lp_decode_string_from(const struct lp_decode_reader *rd, uint64_t addr, char *buf,
                          size_t size)
{
        char raw[LP_DECODE_STRING_MAX + 1];
        size_t n = addr ? read_partial(rd, addr, raw, sizeof(raw) - 1) : 0;
        bool valid = rd->valid(rd->ctx);
        if (n == 0 || !valid) {
                snprintf(buf, size, "<unreadable>");
                return valid ? -EFAULT : -ESRCH;
        }
        raw[n] = '\0';
        size_t len = strlen(raw);
        bool cut = !memchr(raw, '\0', n) || len + 1 > size;
        /* A cut string always ends in "...", whichever bound cut it. */
        if (cut && size > 4 && len > size - 4)
                len = size - 4;
        snprintf(buf, size, "%.*s%s", (int)len, raw, cut ? "..." : "");
        return 0;
}

int lp_decode_string(const struct lp_tracee *t, uint64_t addr, char *buf, size_t size)
{
        struct lp_decode_reader rd = tracee_reader(t);
        return lp_decode_string_from(&rd, addr, buf, size);
}

static void format_inet(const struct sockaddr_storage *ss, struct lp_sockaddr_info *r)
{
        char ip[INET6_ADDRSTRLEN] = "?";
        if (ss->ss_family == AF_INET) {
                const struct sockaddr_in *in = (const void *)ss;
                uint32_t a = ntohl(in->sin_addr.s_addr);
                inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
                r->port = ntohs(in->sin_port);
                r->loopback = (a >> 24) == 127;
                r->any = a == 0;
                snprintf(r->text, sizeof(r->text), "%s:%u", ip, r->port);
                return;
        }
        const struct sockaddr_in6 *in6 = (const void *)ss;
        const struct in6_addr *a6 = &in6->sin6_addr;
        inet_ntop(AF_INET6, a6, ip, sizeof(ip));
        r->port = ntohs(in6->sin6_port);
        r->loopback = IN6_IS_ADDR_LOOPBACK(a6) ||
                      (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127);
        r->any = IN6_IS_ADDR_UNSPECIFIED(a6);
        snprintf(r->text, sizeof(r->text), "[%s]:%u", ip, r->port);
}

static void format_unix(const struct sockaddr_storage *ss, size_t len, struct lp_sockaddr_info *r)
{
        const struct sockaddr_un *un = (const void *)ss;
        size_t path_len = len > offsetof(struct sockaddr_un, sun_path)
                                  ? len - offsetof(struct sockaddr_un, sun_path)
                                  : 0;
        /* len may run past sun_path into the rest of sockaddr_storage; the
         * kernel refuses such an address (EINVAL), so show only sun_path. */
        if (path_len > sizeof(un->sun_path))
                path_len = sizeof(un->sun_path);
        if (path_len == 0) {
                snprintf(r->text, sizeof(r->text), "<unnamed>");
        } else if (un->sun_path[0] == '\0') {
                /* Abstract names may hold any byte; show them up to a NUL. */
                snprintf(r->text, sizeof(r->text), "@%.*s", (int)(path_len - 1), un->sun_path + 1);
        } else {
                snprintf(r->text, sizeof(r->text), "%.*s", (int)path_len, un->sun_path);
        }
        r->loopback = true;
}

int lp_decode_sockaddr_from(const struct lp_decode_reader *rd, uint64_t addr, uint64_t len,
                            struct lp_sockaddr_info *ret)
{
        struct sockaddr_storage ss = {0};
        *ret = (struct lp_sockaddr_info){.family = -1};
        if (len < sizeof(sa_family_t) || len > sizeof(ss)) {
                snprintf(ret->text, sizeof(ret->text), "<bad address length %llu>",
                         (unsigned long long)len);
                return -EINVAL;
        }
        int r = read_exact(rd, addr, &ss, (size_t)len);
        if (r < 0) {
                snprintf(ret->text, sizeof(ret->text), "<unreadable>");
                return r;
        }
        ret->family = ss.ss_family;
        if ((ss.ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) ||
            (ss.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)))
                format_inet(&ss, ret);
        else if (ss.ss_family == AF_UNIX)
                format_unix(&ss, (size_t)len, ret);
        else
                snprintf(ret->text, sizeof(ret->text), "%s",
                         lp_family_name(ss.ss_family) ? lp_family_name(ss.ss_family) : "?");
        return 0;
}

int lp_decode_sockaddr(const struct lp_tracee *t, uint64_t addr, uint64_t len,
                       struct lp_sockaddr_info *ret)
{
        struct lp_decode_reader rd = tracee_reader(t);
        return lp_decode_sockaddr_from(&rd, addr, len, ret);
}

const char *lp_decode_socket_proto(const struct lp_tracee *t, int fd)
{
        int pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
        if (pidfd < 0)
                return "inet";
        int sock = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
        close(pidfd);
        if (sock < 0)
                return "inet";
        int type = 0;
        socklen_t len = sizeof(type);
        int r = getsockopt(sock, SOL_SOCKET, SO_TYPE, &type, &len);
        close(sock);
        if (r < 0)
                return "inet";
        return type == SOCK_STREAM ? "tcp" : type == SOCK_DGRAM ? "udp" : "raw";
}

void lp_decode_exe(int pid, char *buf, size_t size)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/exe", pid);
        ssize_t n = readlink(path, buf, size - 1);
        buf[n > 0 ? n : 0] = '\0';
}

#define NAME(x) {x, #x}
struct named {
        long value;
        const char *name;
};

static const struct named ioctl_names[] = {
        NAME(TIOCSTI), NAME(TIOCLINUX), NAME(TIOCSCTTY), NAME(TIOCSETD), NAME(TCGETS),
        NAME(TCSETS), NAME(TIOCGWINSZ), NAME(TIOCSWINSZ), NAME(FIONREAD), NAME(FIONBIO),
};

static const struct named ptrace_names[] = {
        NAME(PTRACE_TRACEME), NAME(PTRACE_PEEKTEXT), NAME(PTRACE_PEEKDATA),
        NAME(PTRACE_POKETEXT), NAME(PTRACE_POKEDATA), NAME(PTRACE_CONT), NAME(PTRACE_KILL),
        NAME(PTRACE_ATTACH), NAME(PTRACE_DETACH), NAME(PTRACE_SEIZE), NAME(PTRACE_INTERRUPT),
        NAME(PTRACE_GETREGS), NAME(PTRACE_SETREGS), NAME(PTRACE_SYSCALL),
};

static const struct named ns_flags[] = {
        NAME(CLONE_NEWNS), NAME(CLONE_NEWCGROUP), NAME(CLONE_NEWUTS), NAME(CLONE_NEWIPC),
        NAME(CLONE_NEWUSER), NAME(CLONE_NEWPID), NAME(CLONE_NEWNET), {0x80, "CLONE_NEWTIME"},
};

static const char *lookup(const struct named *t, size_t n, long value)
{
        for (size_t i = 0; i < n; i++)
                if (t[i].value == value)
                        return t[i].name;
        return NULL;
}

const char *lp_decode_ioctl_name(unsigned long request)
{
        return lookup(ioctl_names, LP_ELEMENTSOF(ioctl_names), (long)(uint32_t)request);
}

const char *lp_decode_ptrace_name(long request)
{
        return lookup(ptrace_names, LP_ELEMENTSOF(ptrace_names), request);
}

void lp_decode_ns_flags(uint64_t flags, char *buf, size_t size)
{
        size_t used = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < LP_ELEMENTSOF(ns_flags); i++)
                if (flags & (uint64_t)ns_flags[i].value && used < size)
                        used += (size_t)snprintf(buf + used, size - used, "%s%s",
                                                 used ? "|" : "", ns_flags[i].name);
        if (!used)
                snprintf(buf, size, "0x%llx", (unsigned long long)flags);
}

/* Syscalls whose interesting argument is a path, and which one it is. */
static const struct {
        const char *name;
        int arg;
} path_args[] = {
        {"open", 0},     {"openat", 1},     {"openat2", 1},   {"creat", 0},    {"chroot", 0},
        {"chdir", 0},    {"mkdir", 0},      {"mkdirat", 1},   {"rmdir", 0},    {"unlink", 0},
        {"unlinkat", 1}, {"rename", 0},     {"renameat", 1},  {"renameat2", 1}, {"execve", 0},
        {"execveat", 1}, {"umount2", 0},    {"pivot_root", 1}, {"swapon", 0},  {"swapoff", 0},
        {"acct", 0},     {"mknod", 0},      {"mknodat", 1},   {"chown", 0},    {"lchown", 0},
        {"fchownat", 1}, {"chmod", 0},      {"fchmodat", 1},  {"truncate", 0}, {"symlink", 1},
        {"symlinkat", 2}, {"link", 1},      {"linkat", 3},    {"stat", 0},     {"lstat", 0},
        {"newfstatat", 1}, {"statx", 1},    {"access", 0},    {"faccessat", 1}, {"faccessat2", 1},
        {"readlink", 0}, {"readlinkat", 1}, {"utimensat", 1}, {"setxattr", 0}, {"getxattr", 0},
        {"open_tree", 1}, {"move_mount", 1}, {"fsopen", 0},   {"init_module", 2},
        {"delete_module", 0}, {"sethostname", 0}, {"setdomainname", 0},
};

static int path_arg(const char *syscall)
{
        for (size_t i = 0; i < LP_ELEMENTSOF(path_args); i++)
                if (strcmp(path_args[i].name, syscall) == 0)
                        return path_args[i].arg;
        return -1;
}

static bool is(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

static void decode_ptrace(const uint64_t *a, char *target, size_t ts, char *dedupe, size_t ds)
{
        const char *req = lp_decode_ptrace_name((long)a[0]);
        char num[32];
        snprintf(num, sizeof(num), "%lld", (long long)a[0]);
        if (!req)
                req = num;
        snprintf(dedupe, ds, "ptrace(%s)", req);
        if ((long)a[0] == PTRACE_TRACEME)
                snprintf(target, ts, "ptrace(%s)", req);
        else
                snprintf(target, ts, "ptrace(%s, %d)", req, (int)a[1]);
}

static void decode_sockaddr_call(const struct lp_decode_reader *rd, const char *syscall,
                                 uint64_t addr, uint64_t len, int fd, char *target, size_t ts)
{
        struct lp_sockaddr_info sa;
        lp_decode_sockaddr_from(rd, addr, len, &sa);
        const char *proto = sa.family == AF_INET || sa.family == AF_INET6
                                    ? rd->socket_proto(rd->ctx, fd)
                                    : (sa.family == AF_UNIX ? "unix" : "");
        snprintf(target, ts, "%s(%s%s%s)", syscall, proto, *proto ? " " : "", sa.text);
}

static void decode_mount(const struct lp_decode_reader *rd, const uint64_t *a, char *target,
                         size_t ts)
{
        char src[96], dst[96], type[32];
        lp_decode_string_from(rd, a[0], src, sizeof(src));
        lp_decode_string_from(rd, a[1], dst, sizeof(dst));
        lp_decode_string_from(rd, a[2], type, sizeof(type));
        snprintf(target, ts, "mount(\"%s\", \"%s\", \"%s\")", a[0] ? src : "", dst,
                 a[2] ? type : "");
}

static bool decode_special(const struct lp_decode_reader *rd, const char *sc, const uint64_t *a,
                           char *target, size_t ts, char *dedupe, size_t ds)
{
        char buf[160];
        if (is(sc, "ptrace")) {
                decode_ptrace(a, target, ts, dedupe, ds);
                return true;
        }
        if (is(sc, "clone") || is(sc, "unshare")) {
                lp_decode_ns_flags(a[0], buf, sizeof(buf));
                snprintf(target, ts, "%s(%s)", sc, buf);
        } else if (is(sc, "ioctl")) {
                const char *name = lp_decode_ioctl_name(a[1]);
                snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)(uint32_t)a[1]);
                snprintf(target, ts, "ioctl(%d, %s)", (int)a[0], name ? name : buf);
                snprintf(dedupe, ds, "ioctl(%s)", name ? name : buf);
                return true;
        } else if (is(sc, "socket") || is(sc, "socketpair")) {
                const char *fam = lp_family_name((int)a[0]);
                snprintf(target, ts, "%s(%s, %d, %d)", sc, fam ? fam : "?", (int)(a[1] & 0xf),
                         (int)a[2]);
        } else if (is(sc, "connect") || is(sc, "bind")) {
                decode_sockaddr_call(rd, sc, a[1], a[2], (int)a[0], target, ts);
        } else if (is(sc, "sendto")) {
                decode_sockaddr_call(rd, sc, a[4], a[5], (int)a[0], target, ts);
        } else if (is(sc, "mount")) {
                decode_mount(rd, a, target, ts);
        } else if (is(sc, "kill") || is(sc, "tkill") || is(sc, "tgkill") ||
                   is(sc, "pidfd_open") || is(sc, "process_vm_readv") ||
                   is(sc, "process_vm_writev") || is(sc, "kcmp")) {
                snprintf(target, ts, "%s(%d)", sc, (int)a[0]);
                snprintf(dedupe, ds, "%s()", sc);
                return true;
        } else {
                return false;
        }
        snprintf(dedupe, ds, "%s", target);
        return true;
}

void lp_decode_target_from(const struct lp_decode_reader *rd, const char *syscall,
                           const uint64_t args[6], char *target, size_t tsize, char *dedupe,
                           size_t dsize)
{
        if (decode_special(rd, syscall, args, target, tsize, dedupe, dsize))
                return;
        int arg = path_arg(syscall);
        if (arg >= 0) {
                char path[LP_DECODE_STRING_MAX + 8];
                lp_decode_string_from(rd, args[arg], path, sizeof(path));
                snprintf(target, tsize, "%s(\"%s\")", syscall, path);
        } else {
                snprintf(target, tsize, "%s()", syscall);
        }
        snprintf(dedupe, dsize, "%s", target);
}

void lp_decode_target(const struct lp_tracee *t, const char *syscall, const uint64_t args[6],
                      char *target, size_t tsize, char *dedupe, size_t dsize)
{
        struct lp_decode_reader rd = tracee_reader(t);
        lp_decode_target_from(&rd, syscall, args, target, tsize, dedupe, dsize);
}
