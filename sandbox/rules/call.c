#include "rules/call.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "base/util.h"
#include "profile/policy.h"
#include "rules/watch.h"

/* x32 syscalls carry this bit with the x86_64 audit arch, so the filter's
 * bad-arch action does not see them; the supervisor kills them. */
#define X32_SYSCALL_BIT 0x40000000

void lp_call_describe(const struct lp_decode_reader *rd, const char *name, const uint64_t args[6],
                      struct lp_decoded *d)
{
        const struct lp_watch *w = lp_watch_find(name);
        if (w && w->decode)
                w->decode(rd, name, args, d);
        else
                lp_decode_generic(rd, name, args, d);
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

int lp_call_decode(struct lp_call *c, const struct lp_policy *p, const struct lp_decode_reader *rd,
                   int pid, int nr, const uint64_t args[6])
{
        c->pid = pid;
        c->nr = nr;
        for (int i = 0; i < 6; i++)
                c->args[i] = args[i];
        c->foreign_abi = (nr & X32_SYSCALL_BIT) != 0;
        c->rule = c->foreign_abi ? NULL : lp_policy_syscall(p, nr);
        c->watch = c->rule ? lp_watch_find(c->rule->name) : NULL;
        snprintf(c->unnamed, sizeof(c->unnamed), "syscall_%d", nr);
        c->name = c->rule ? c->rule->name : c->unnamed;
        /* A call without a name is shown as "syscall()". */
        lp_call_describe(rd, c->rule ? c->name : "syscall", c->args, &c->decoded);
        c->n_addresses = 0;
        int r = read_addresses(c, rd);
        c->proto = address_proto(c, rd);
        return r;
}

void lp_call_done(struct lp_call *c)
{
        free(c->addresses);
        c->addresses = NULL;
        c->n_addresses = c->cap_addresses = 0;
}
