#include "rules/call.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "base/util.h"
#include "profile/policy.h"
#include "rules/watch.h"

/* x32 syscalls carry this bit with the x86_64 audit arch, so the filter's
 * bad-arch action does not see them; the supervisor kills them. */
#define X32_SYSCALL_BIT 0x40000000

static void describe(const struct lp_decode_reader *rd, const struct lp_watch *w, const char *name,
                     const uint64_t args[6], struct lp_decoded *d)
{
        if (w && w->decode)
                w->decode(rd, name, args, d);
        else
                lp_decode_generic(rd, name, args, d);
}

void lp_call_describe(const struct lp_decode_reader *rd, const char *name, const uint64_t args[6],
                      struct lp_decoded *d)
{
        describe(rd, lp_watch_find(name), name, args, d);
}

static bool is_inet(int family)
{
        return family == AF_INET || family == AF_INET6;
}

static int add_address(struct lp_call *c, const struct lp_sockaddr_info *sa)
{
        if (LP_GROW(c->addresses, c->cap_addresses, c->n_addresses) < 0)
                return -ENOMEM;
        c->addresses[c->n_addresses++] = *sa;
        return 0;
}

/* The messages of a sendmmsg up to the first inet address outside
 * loopback: the kernel stops at the first message it cannot send, so
 * nothing after that one was tried. */
static int read_mmsghdr_addresses(struct lp_call *c, const struct lp_decode_reader *rd)
{
        uint64_t vlen = c->args[2] < LP_CALL_MAX_ADDRESSES ? c->args[2] : LP_CALL_MAX_ADDRESSES;
        for (size_t i = 0; i < vlen; i++) {
                struct lp_sockaddr_info sa;
                int r = lp_decode_mmsghdr_address(rd, c->args[1], i, &sa);
                if (r < 0)
                        return 0; /* unreadable: the kernel fails the call there too */
                if (r == 0)
                        continue;
                if ((r = add_address(c, &sa)) < 0)
                        return r;
                if (is_inet(sa.family) && !sa.loopback)
                        return 0;
        }
        return 0;
}

static int read_addresses(struct lp_call *c, const struct lp_decode_reader *rd)
{
        struct lp_sockaddr_info sa;
        int r = 0;
        switch (c->watch ? c->watch->address : LP_ADDRESS_NONE) {
        case LP_ADDRESS_NONE:
                return 0;
        case LP_ADDRESS_ARGS_1_2:
                r = lp_decode_sockaddr(rd, c->args[1], c->args[2], &sa) < 0 ? 0 : 1;
                break;
        case LP_ADDRESS_ARGS_4_5:
                r = c->args[4] && lp_decode_sockaddr(rd, c->args[4], c->args[5], &sa) >= 0;
                break;
        case LP_ADDRESS_MSGHDR:
                r = lp_decode_msghdr_address(rd, c->args[1], &sa) > 0;
                break;
        case LP_ADDRESS_MMSGHDR:
                return read_mmsghdr_addresses(c, rd);
        }
        return r ? add_address(c, &sa) : 0;
}

static const char *address_proto(const struct lp_call *c, const struct lp_decode_reader *rd)
{
        for (size_t i = 0; i < c->n_addresses; i++)
                if (is_inet(c->addresses[i].family))
                        return rd->socket_proto(rd->ctx, (int)c->args[0]);
        return c->n_addresses && c->addresses[0].family == AF_UNIX ? "unix" : "";
}

/* open(2)'s flags: the argument, or the first field of openat2's struct
 * open_how; 0 when it cannot be read (the kernel fails the call then). */
static uint64_t open_flags(const struct lp_call *c, const struct lp_watch_path *how,
                           const struct lp_decode_reader *rd)
{
        uint64_t flags = 0;
        if (how->flags > 0)
                return c->args[how->flags];
        if (how->flags == -1)
                return lp_decode_read(rd, c->args[2], &flags, sizeof(flags)) == 0 ? flags : 0;
        return O_WRONLY | O_CREAT | O_TRUNC; /* creat(2) */
}

static bool opens_for_writing(uint64_t flags)
{
        return (flags & (O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | (O_TMPFILE & ~O_DIRECTORY))) != 0;
}

static void read_path(struct lp_call *c, const struct lp_watch_path *how,
                      const struct lp_decode_reader *rd)
{
        struct lp_call_path *cp = &c->paths[c->n_paths++];
        bool has_flags = how->op == LP_FS_OP_OPEN || how->flags > 0;
        uint64_t flags = has_flags ? open_flags(c, how, rd) : 0;
        cp->how = how;
        cp->dirfd = how->dirfd >= 0 ? (int)c->args[how->dirfd] : AT_FDCWD;
        cp->follow = how->follows && !(how->nofollow && (flags & how->nofollow));
        bool open_excl = how->op == LP_FS_OP_OPEN && (flags & O_CREAT) && (flags & O_EXCL);
        /* O_CREAT|O_EXCL never follows a last symlink (open(2)). */
        if (open_excl)
                cp->follow = false;
        cp->exclusive = open_excl || how->op == LP_FS_OP_MKDIR || how->op == LP_FS_OP_LINK ||
                        how->op == LP_FS_OP_SYMLINK || how->op == LP_FS_OP_MKNOD;
        cp->writes = how->op != LP_FS_OP_OPEN || opens_for_writing(flags);
        cp->creates = how->op == LP_FS_OP_OPEN && (flags & (O_CREAT | (O_TMPFILE & ~O_DIRECTORY)));
        cp->readable = cp->writes &&
                       lp_decode_path(rd, c->args[how->path], cp->path, sizeof(cp->path)) == 0;
}

static void read_paths(struct lp_call *c, const struct lp_decode_reader *rd)
{
        c->n_paths = 0;
        const struct lp_watch_paths *paths = c->watch ? lp_watch_paths_of(c->watch, c->name) : NULL;
        if (!paths || paths->first.op == LP_FS_OP_NONE)
                return;
        read_path(c, &paths->first, rd);
        if (paths->second.op != LP_FS_OP_NONE)
                read_path(c, &paths->second, rd);
}

/* The new limits of a setrlimit or prlimit64 (two 64-bit words on every
 * 64-bit ABI), to tell a raised hard limit. */
static void read_rlimit(struct lp_call *c, const struct lp_decode_reader *rd)
{
        unsigned arg = c->watch ? c->watch->rlimit : 0;
        uint64_t limits[2];
        c->rlimit.read = arg > 0 && c->args[arg] != 0 &&
                         lp_decode_read(rd, c->args[arg], limits, sizeof(limits)) == 0;
        if (!c->rlimit.read)
                return;
        c->rlimit.resource = (int)c->args[arg - 1];
        c->rlimit.soft = limits[0];
        c->rlimit.hard = limits[1];
}

int lp_call_decode(struct lp_call *c, const struct lp_policy *p, const struct lp_decode_reader *rd,
                   int pid, int nr, const uint64_t args[6])
{
        c->pid = pid;
        c->nr = nr;
        for (int i = 0; i < 6; i++)
                c->args[i] = args[i];
        c->foreign_abi = (nr & X32_SYSCALL_BIT) != 0;
        c->rule = c->foreign_abi ? NULL : lp_policy_syscall(p, nr);
        /* A storm is one syscall again and again: its entry is looked up
         * (a string compare per entry of the table) once per rule. */
        if (c->rule != c->watch_rule || !c->rule)
                c->watch = c->rule ? lp_watch_find(c->rule->name) : NULL;
        c->watch_rule = c->rule;
        if (!c->rule)
                snprintf(c->unnamed, sizeof(c->unnamed), "syscall_%d", nr);
        c->name = c->rule ? c->rule->name : c->unnamed;
        /* A call without a name is shown as "syscall()". */
        describe(rd, c->watch, c->rule ? c->name : "syscall", c->args, &c->decoded);
        c->n_addresses = 0;
        int r = read_addresses(c, rd);
        c->proto = address_proto(c, rd);
        read_paths(c, rd);
        read_rlimit(c, rd);
        return r;
}

void lp_call_foreign(struct lp_call *c, int pid, int nr, const char *abi, const char *name)
{
        c->pid = pid;
        c->nr = nr;
        c->foreign_abi = true;
        c->rule = c->watch_rule = NULL;
        c->watch = NULL;
        c->n_addresses = c->n_paths = 0;
        c->rlimit.read = false;
        c->proto = "";
        if (name)
                snprintf(c->unnamed, sizeof(c->unnamed), "%s:%s", abi, name);
        else
                snprintf(c->unnamed, sizeof(c->unnamed), "%s:syscall_%d", abi, nr);
        c->name = c->unnamed;
        snprintf(c->decoded.target, sizeof(c->decoded.target), "%s() of the %s ABI (number %d)",
                 name ? name : "syscall", abi, nr);
        snprintf(c->decoded.dedupe, sizeof(c->decoded.dedupe), "%s() of the %s ABI",
                 name ? name : "syscall", abi);
}

void lp_call_done(struct lp_call *c)
{
        free(c->addresses);
        c->addresses = NULL;
        c->n_addresses = c->cap_addresses = 0;
}
