/* Decoding syscall arguments into a finding's target (decode.h), through a
 * reader: pure, no system calls of its own. */
#include "rules/decode.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "base/text.h"
#include "base/util.h"
#include "findings/escape.h"
#include "profile/names.h"

/* The smallest page of the architectures leastpriv runs on: a read is
 * never asked to cross a boundary of it (see read_partial). */
#define PAGE 4096

/* ---- reading the tracee's memory ---- */

int lp_decode_read(const struct lp_decode_reader *rd, uint64_t addr, void *buf, size_t size)
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

/* Reads up to `size` bytes but never across a page that is not mapped:
 * process_vm_readv stops at the first fault, so read page by page. */
static size_t read_partial(const struct lp_decode_reader *rd, uint64_t addr, char *buf, size_t size)
{
        size_t done = 0;
        while (done < size) {
                size_t chunk = PAGE - ((addr + done) % PAGE);
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

/* FNV-1a of the string at addr, as far as LP_PATH_SIZE (the kernel's own
 * bound on a path argument): two long strings that share what is shown of
 * them are still told apart. */
static uint32_t string_hash(const struct lp_decode_reader *rd, uint64_t addr)
{
        char whole[LP_PATH_SIZE];
        size_t n = read_partial(rd, addr, whole, sizeof(whole));
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < n && whole[i]; i++)
                h = (h ^ (uint8_t)whole[i]) * 16777619u;
        return h;
}

/* "...#" and 8 hex digits: what a cut string ends in. */
#define CUT_MARK_SIZE 12

int lp_decode_string(const struct lp_decode_reader *rd, uint64_t addr, char *buf, size_t size)
{
        char raw[LP_DECODE_STRING_MAX + 1];
        size_t n = addr ? read_partial(rd, addr, raw, sizeof(raw) - 1) : 0;
        bool valid = rd->valid(rd->ctx);
        if (n == 0 || !valid) {
                snprintf(buf, size, "<unreadable>");
                return valid ? -EFAULT : -ESRCH;
        }
        raw[n] = '\0';
        /* Quoted as a C string: a quote in a path cannot end the
         * argument and write the rest of the target (or of the line). */
        bool whole = memchr(raw, '\0', n) != NULL;
        if (whole && lp_escape(buf, size, raw, LP_ESCAPE_QUOTES) == strlen(raw))
                return 0;
        /* A cut string always ends in "...", whichever bound cut it, and
         * the hash of the whole: a finding is keyed on all of it. The cut
         * falls between escapes, never inside one. */
        if (size == 0)
                return 0;
        if (size <= CUT_MARK_SIZE + 1) { /* no room for the hash: "..." alone */
                lp_escape(buf, size > 4 ? size - 3 : 1, raw, LP_ESCAPE_QUOTES);
                size_t len = strlen(buf);
                snprintf(buf + len, size - len, "...");
                return 0;
        }
        lp_escape(buf, size - CUT_MARK_SIZE, raw, LP_ESCAPE_QUOTES);
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, "...#%08x", (unsigned)string_hash(rd, addr));
        return 0;
}

int lp_decode_path(const struct lp_decode_reader *rd, uint64_t addr, char *buf, size_t size)
{
        size_t n = addr && size ? read_partial(rd, addr, buf, size) : 0;
        if (!rd->valid(rd->ctx))
                return -ESRCH;
        if (n == 0)
                return -EFAULT;
        if (!memchr(buf, '\0', n))
                return n == size ? -ENAMETOOLONG : -EFAULT;
        return 0;
}

/* ---- socket addresses ---- */

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
        r->loopback =
                IN6_IS_ADDR_LOOPBACK(a6) || (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127);
        /* ::ffff:0.0.0.0 is 0.0.0.0: lo, as :: is. */
        r->any = IN6_IS_ADDR_UNSPECIFIED(a6) || (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr32[3] == 0);
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

int lp_decode_sockaddr(const struct lp_decode_reader *rd, uint64_t addr, uint64_t len,
                       struct lp_sockaddr_info *ret)
{
        struct sockaddr_storage ss = {0};
        *ret = (struct lp_sockaddr_info){.family = -1};
        if (len < sizeof(sa_family_t) || len > sizeof(ss)) {
                snprintf(ret->text, sizeof(ret->text), "<bad address length %llu>",
                         (unsigned long long)len);
                return -EINVAL;
        }
        int r = lp_decode_read(rd, addr, &ss, (size_t)len);
        if (r < 0) {
                snprintf(ret->text, sizeof(ret->text), "<unreadable>");
                return r;
        }
        lp_decode_sockaddr_bytes(&ss, (size_t)len, ret);
        return 0;
}

void lp_decode_sockaddr_bytes(const struct sockaddr_storage *ss, size_t len,
                              struct lp_sockaddr_info *ret)
{
        *ret = (struct lp_sockaddr_info){.family = ss->ss_family};
        if ((ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) ||
            (ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)))
                format_inet(ss, ret);
        else if (ss->ss_family == AF_UNIX)
                format_unix(ss, len, ret);
        else
                snprintf(ret->text, sizeof(ret->text), "%s",
                         lp_family_name(ss->ss_family) ? lp_family_name(ss->ss_family) : "?");
}

int lp_decode_msghdr_address(const struct lp_decode_reader *rd, uint64_t addr,
                             struct lp_sockaddr_info *ret)
{
        struct msghdr m;
        *ret = (struct lp_sockaddr_info){.family = -1};
        int r = lp_decode_read(rd, addr, &m, sizeof(m));
        if (r < 0) {
                snprintf(ret->text, sizeof(ret->text), "<unreadable>");
                return r;
        }
        /* No name: the socket's peer (connect) is the destination, and the
         * connect was looked at when it happened. */
        if (!m.msg_name || m.msg_namelen == 0)
                return 0;
        r = lp_decode_sockaddr(rd, (uint64_t)(uintptr_t)m.msg_name, m.msg_namelen, ret);
        return r < 0 ? r : 1;
}

int lp_decode_mmsghdr_address(const struct lp_decode_reader *rd, uint64_t addr, size_t index,
                              struct lp_sockaddr_info *ret)
{
        return lp_decode_msghdr_address(rd, addr + index * sizeof(struct mmsghdr), ret);
}

/* ---- names of constants ---- */

#define NAME(x)       \
        {             \
                x, #x \
        }
struct named {
        long value;
        const char *name;
};

static const struct named ioctl_names[] = {
        NAME(TIOCSTI), NAME(TIOCLINUX),  NAME(TIOCSCTTY),  NAME(TIOCSETD), NAME(TCGETS),
        NAME(TCSETS),  NAME(TIOCGWINSZ), NAME(TIOCSWINSZ), NAME(FIONREAD), NAME(FIONBIO),
};

static const struct named ptrace_names[] = {
        NAME(PTRACE_TRACEME),  NAME(PTRACE_PEEKTEXT), NAME(PTRACE_PEEKDATA),  NAME(PTRACE_POKETEXT),
        NAME(PTRACE_POKEDATA), NAME(PTRACE_CONT),     NAME(PTRACE_KILL),      NAME(PTRACE_ATTACH),
        NAME(PTRACE_DETACH),   NAME(PTRACE_SEIZE),    NAME(PTRACE_INTERRUPT), NAME(PTRACE_GETREGS),
        NAME(PTRACE_SETREGS),  NAME(PTRACE_SYSCALL),
};

static const struct named rlimit_names[] = {
        NAME(RLIMIT_CPU),      NAME(RLIMIT_FSIZE), NAME(RLIMIT_DATA),   NAME(RLIMIT_STACK),
        NAME(RLIMIT_CORE),     NAME(RLIMIT_RSS),   NAME(RLIMIT_NPROC),  NAME(RLIMIT_NOFILE),
        NAME(RLIMIT_MEMLOCK),  NAME(RLIMIT_AS),    NAME(RLIMIT_LOCKS),  NAME(RLIMIT_SIGPENDING),
        NAME(RLIMIT_MSGQUEUE), NAME(RLIMIT_NICE),  NAME(RLIMIT_RTPRIO), NAME(RLIMIT_RTTIME),
};

static const struct named ns_flags[] = {
        NAME(CLONE_NEWNS),   NAME(CLONE_NEWCGROUP), NAME(CLONE_NEWUTS), NAME(CLONE_NEWIPC),
        NAME(CLONE_NEWUSER), NAME(CLONE_NEWPID),    NAME(CLONE_NEWNET), {0x80, "CLONE_NEWTIME"},
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

const char *lp_decode_rlimit_name(int resource)
{
        return lookup(rlimit_names, LP_ELEMENTSOF(rlimit_names), resource);
}

void lp_decode_ns_flags(uint64_t flags, char *buf, size_t size)
{
        size_t used = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < LP_ELEMENTSOF(ns_flags); i++)
                if (flags & (uint64_t)ns_flags[i].value && used < size)
                        used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "|" : "",
                                                 ns_flags[i].name);
        if (!used)
                snprintf(buf, size, "0x%llx", (unsigned long long)flags);
}

/* ---- decoders of the calls with a shape of their own ---- */

static void same_key(struct lp_decoded *d)
{
        snprintf(d->dedupe, sizeof(d->dedupe), "%s", d->target);
}

void lp_decode_ioctl(const struct lp_decode_reader *rd, const char *syscall, const uint64_t *a,
                     struct lp_decoded *d)
{
        char num[32];
        const char *name = lp_decode_ioctl_name(a[1]);
        snprintf(num, sizeof(num), "0x%llx", (unsigned long long)(uint32_t)a[1]);
        snprintf(d->target, sizeof(d->target), "ioctl(%d, %s)", (int)a[0], name ? name : num);
        snprintf(d->dedupe, sizeof(d->dedupe), "ioctl(%s)", name ? name : num);
}

void lp_decode_ns_call(const struct lp_decode_reader *rd, const char *syscall, const uint64_t *a,
                       struct lp_decoded *d)
{
        char flags[160];
        lp_decode_ns_flags(a[0], flags, sizeof(flags));
        snprintf(d->target, sizeof(d->target), "%s(%s)", syscall, flags);
        same_key(d);
}

void lp_decode_socket(const struct lp_decode_reader *rd, const char *syscall, const uint64_t *a,
                      struct lp_decoded *d)
{
        const char *fam = lp_family_name((int)a[0]);
        snprintf(d->target, sizeof(d->target), "%s(%s, %d, %d)", syscall, fam ? fam : "?",
                 (int)(a[1] & 0xf), (int)a[2]);
        same_key(d);
}

static const char *address_proto(const struct lp_decode_reader *rd,
                                 const struct lp_sockaddr_info *sa, int fd)
{
        if (sa->family == AF_INET || sa->family == AF_INET6)
                return rd->socket_proto(rd->ctx, fd);
        return sa->family == AF_UNIX ? "unix" : "";
}

static void address_target(const struct lp_decode_reader *rd, const char *syscall,
                           const struct lp_sockaddr_info *sa, int fd, struct lp_decoded *d)
{
        const char *proto = address_proto(rd, sa, fd);
        /* A unix socket's name is the command's string, as a path is:
         * its quotes and backslashes are escaped (sa->text stays as it is,
         * for the rules to resolve). */
        char shown[2 * sizeof(sa->text)];
        lp_escape(shown, sizeof(shown), sa->text, LP_ESCAPE_QUOTES);
        snprintf(d->target, sizeof(d->target), "%s(%s%s%s)", syscall, proto, *proto ? " " : "",
                 shown);
        same_key(d);
}

void lp_decode_sockaddr_call(const struct lp_decode_reader *rd, const char *syscall,
                             const uint64_t *a, struct lp_decoded *d)
{
        struct lp_sockaddr_info sa;
        lp_decode_sockaddr(rd, a[1], a[2], &sa);
        address_target(rd, syscall, &sa, (int)a[0], d);
}

void lp_decode_sendto(const struct lp_decode_reader *rd, const char *syscall, const uint64_t *a,
                      struct lp_decoded *d)
{
        struct lp_sockaddr_info sa;
        lp_decode_sockaddr(rd, a[4], a[5], &sa);
        address_target(rd, syscall, &sa, (int)a[0], d);
}

void lp_decode_sendmsg(const struct lp_decode_reader *rd, const char *syscall, const uint64_t *a,
                       struct lp_decoded *d)
{
        struct lp_sockaddr_info sa;
        bool many = strcmp(syscall, "sendmmsg") == 0;
        int r = many ? lp_decode_mmsghdr_address(rd, a[1], 0, &sa)
                     : lp_decode_msghdr_address(rd, a[1], &sa);
        if (r == 0) {
                snprintf(d->target, sizeof(d->target), "%s()", syscall);
                same_key(d);
                return;
        }
        address_target(rd, syscall, &sa, (int)a[0], d);
}

/* ---- every other call ---- */

/* Syscalls whose interesting argument is a path, and which one it is. */
static const struct {
        const char *name;
        int arg;
} path_args[] = {
        {"open", 0},        {"openat", 1},        {"openat2", 1},     {"creat", 0},
        {"chroot", 0},      {"chdir", 0},         {"mkdir", 0},       {"mkdirat", 1},
        {"rmdir", 0},       {"unlink", 0},        {"unlinkat", 1},    {"rename", 0},
        {"renameat", 1},    {"renameat2", 1},     {"execve", 0},      {"execveat", 1},
        {"umount2", 0},     {"pivot_root", 1},    {"swapon", 0},      {"swapoff", 0},
        {"acct", 0},        {"mknod", 0},         {"mknodat", 1},     {"chown", 0},
        {"lchown", 0},      {"fchownat", 1},      {"chmod", 0},       {"fchmodat", 1},
        {"truncate", 0},    {"symlink", 1},       {"symlinkat", 2},   {"link", 1},
        {"linkat", 3},      {"stat", 0},          {"lstat", 0},       {"newfstatat", 1},
        {"statx", 1},       {"access", 0},        {"faccessat", 1},   {"faccessat2", 1},
        {"readlink", 0},    {"readlinkat", 1},    {"utimensat", 1},   {"setxattr", 0},
        {"getxattr", 0},    {"open_tree", 1},     {"move_mount", 1},  {"fsopen", 0},
        {"init_module", 2}, {"delete_module", 0}, {"sethostname", 0}, {"setdomainname", 0},
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

static void decode_ptrace(const uint64_t *a, struct lp_decoded *d)
{
        const char *req = lp_decode_ptrace_name((long)a[0]);
        char num[32];
        if (!req)
                req = num, snprintf(num, sizeof(num), "%lld", (long long)a[0]);
        /* "ptrace(REQ)" and "ptrace(REQ, PID)", joined: a denied ptrace
         * storm decodes every call (base/text.h). */
        size_t n = lp_text_join(d->dedupe, sizeof(d->dedupe), 0, "ptrace(");
        n = lp_text_join(d->dedupe, sizeof(d->dedupe), n, req);
        lp_text_join(d->dedupe, sizeof(d->dedupe), n, ")");
        n = lp_text_join(d->target, sizeof(d->target), 0, "ptrace(");
        n = lp_text_join(d->target, sizeof(d->target), n, req);
        if ((long)a[0] != PTRACE_TRACEME) {
                n = lp_text_join(d->target, sizeof(d->target), n, ", ");
                n = lp_text_join_int(d->target, sizeof(d->target), n, (int)a[1]);
        }
        lp_text_join(d->target, sizeof(d->target), n, ")");
}

static void decode_mount(const struct lp_decode_reader *rd, const uint64_t *a, struct lp_decoded *d)
{
        char src[96], dst[96], type[32];
        lp_decode_string(rd, a[0], src, sizeof(src));
        lp_decode_string(rd, a[1], dst, sizeof(dst));
        lp_decode_string(rd, a[2], type, sizeof(type));
        snprintf(d->target, sizeof(d->target), "mount(\"%s\", \"%s\", \"%s\")", a[0] ? src : "",
                 dst, a[2] ? type : "");
        same_key(d);
}

/* Calls on another process: the pid is in the target, not in the key. */
static bool on_a_process(const char *sc)
{
        return is(sc, "kill") || is(sc, "tkill") || is(sc, "tgkill") || is(sc, "pidfd_open") ||
               is(sc, "process_vm_readv") || is(sc, "process_vm_writev") || is(sc, "kcmp");
}

void lp_decode_generic(const struct lp_decode_reader *rd, const char *syscall, const uint64_t *a,
                       struct lp_decoded *d)
{
        if (is(syscall, "ptrace")) {
                decode_ptrace(a, d);
                return;
        }
        if (is(syscall, "mount")) {
                decode_mount(rd, a, d);
                return;
        }
        if (is(syscall, "socketpair")) {
                lp_decode_socket(rd, syscall, a, d);
                return;
        }
        if (on_a_process(syscall)) {
                snprintf(d->target, sizeof(d->target), "%s(%d)", syscall, (int)a[0]);
                snprintf(d->dedupe, sizeof(d->dedupe), "%s()", syscall);
                return;
        }
        int arg = path_arg(syscall);
        if (arg >= 0) {
                char path[LP_DECODE_STRING_MAX + 8];
                lp_decode_string(rd, a[arg], path, sizeof(path));
                snprintf(d->target, sizeof(d->target), "%s(\"%s\")", syscall, path);
        } else {
                snprintf(d->target, sizeof(d->target), "%s()", syscall);
        }
        same_key(d);
}
