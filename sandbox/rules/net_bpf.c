/* The network observer's programs (net_bpf.h). Register use: r6 the
 * context, r7 the IPv4 address, r8 the port; on the stack, below the
 * frame pointer r10: the announcement (the key, then the process) at
 * ANNOUNCE, the map value at VALUE, a socket tuple at TUPLE. */
#include "rules/net_bpf.h"

#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>
#include <sys/un.h>

#include "base/util.h"
#include "rules/bpf_asm.h"

/* The programs' labels (bpf_asm.h). */
enum label {
        L_LOOPBACK,
        L_MAPPED_LOOPBACK, /* ::ffff:127.x.y.z, ::ffff:0.0.0.0 */
        L_OUTSIDE,
        L_RECORD,
        L_PLAIN_V6,
        L_COUNTED,
        L_DONE,
        L_UNREADABLE, /* a unix address not as the kernel's layout should give it */
        L_COUNT,
};

/* ---- the program ---- */

#define CTX_IP4 offsetof(struct bpf_sock_addr, user_ip4)
#define CTX_IP6 offsetof(struct bpf_sock_addr, user_ip6)
#define CTX_PORT offsetof(struct bpf_sock_addr, user_port)
#define CTX_PROTOCOL offsetof(struct bpf_sock_addr, protocol)
#define CTX_TYPE offsetof(struct bpf_sock_addr, type)

#define ANNOUNCE (-(int)sizeof(struct lp_net_announcement))
#define KEY ANNOUNCE /* the announcement starts with the key */
#define KEY_AT(field) (KEY + (int)offsetof(struct lp_net_key, field))
#define TGID_AT (ANNOUNCE + (int)offsetof(struct lp_net_announcement, tgid))
#define VALUE (ANNOUNCE - (int)sizeof(struct lp_net_value))
#define VALUE_AT(field) (VALUE + (int)offsetof(struct lp_net_value, field))
/* 40 bytes: the 36 of a tuple, 8-aligned. */
#define TUPLE (VALUE - 40)
#define PORT_KEY (TUPLE - 8)
/* After the count, the redirect's: the value where the tuple was, the
 * socket's cookie (its key) where the port was. */
#define REDIRECT TUPLE
#define REDIRECT_AT(field) (REDIRECT + (int)offsetof(struct lp_net_redirect, field))
#define COOKIE PORT_KEY

#define TRAP_ADDR ((int32_t)htonl(LP_NET_DNS_TRAP_ADDR))
#define MAPPED_PREFIX ((int32_t)htonl(0xffffu)) /* ::ffff:0:0/96's third word */

bool lp_net_hook_ipv6(enum lp_net_hook h)
{
        return h == LP_NET_CONNECT6 || h == LP_NET_SENDMSG6;
}

bool lp_net_hook_connect(enum lp_net_hook h)
{
        return h == LP_NET_CONNECT4 || h == LP_NET_CONNECT6 || h == LP_NET_UNIX_CONNECT;
}

bool lp_net_hook_unix(enum lp_net_hook h)
{
        return h == LP_NET_UNIX_CONNECT || h == LP_NET_UNIX_SENDMSG;
}

/* Whether the program sends DNS queries to the trap. Not an IPv6
 * socket's unconnected send to an IPv6 address: the kernel refuses a
 * sendmsg6 program's rewrite to an IPv4-mapped address (ENOTSUPP, "currently
 * unsupported" in udpv6_sendmsg), and the trap has no IPv6 address. Its
 * connect can be rewritten, and an IPv4-mapped destination's send runs the
 * IPv4 program. */
static bool traps(const struct lp_net_program_spec *s)
{
        return s->dns_trap && s->hook != LP_NET_SENDMSG6 && !lp_net_hook_unix(s->hook);
}

/* The key, all of it zero (the verifier reads a map key whole). */
static void zero_key(struct lp_bpf_asm *a)
{
        for (int off = 0; off < (int)sizeof(struct lp_net_announcement); off += 8)
                lp_bpf_emit(a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, ANNOUNCE + off, 0));
}

/* The key, all of it written; the thread's name only when the call is
 * counted (record). */
static void build_key(struct lp_bpf_asm *a, const struct lp_net_program_spec *s)
{
        zero_key(a);
        if (lp_net_hook_ipv6(s->hook)) {
                for (int i = 0; i < 4; i++) {
                        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_6,
                                                (int16_t)(CTX_IP6 + 4 * i)));
                        lp_bpf_emit(a,
                                    BPF_STORE(BPF_W, BPF_REG_10, KEY_AT(addr) + 4 * i, BPF_REG_1));
                }
        } else {
                lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_7, BPF_REG_6, CTX_IP4));
                lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_10, KEY_AT(addr), BPF_REG_7));
        }
        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_8, BPF_REG_6, CTX_PORT));
        lp_bpf_emit(a, BPF_STORE(BPF_H, BPF_REG_10, KEY_AT(port), BPF_REG_8));
        lp_bpf_emit(a, BPF_STORE_IMM(BPF_B, BPF_REG_10, KEY_AT(hook), s->hook));
        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_6, CTX_PROTOCOL));
        lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_10, KEY_AT(protocol), BPF_REG_1));
}

/* 127.0.0.0/8 and 0.0.0.0 (which Linux sends to lo) jump to L_LOOPBACK,
 * the rest to L_OUTSIDE. An address is in network order: its first byte
 * is the low one of the word on a little-endian machine, so the masks
 * and values are htonl()'s. */
static void classify_ipv4(struct lp_bpf_asm *a)
{
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_1, BPF_REG_7));
        lp_bpf_emit(a, BPF_ALU32_IMM(BPF_AND, BPF_REG_1, (int32_t)htonl(0xff000000u)));
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JEQ, BPF_REG_1, (int32_t)htonl(0x7f000000u)), L_LOOPBACK);
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JEQ, BPF_REG_7, 0), L_LOOPBACK);
        lp_bpf_jump(a, BPF_GOTO, L_OUTSIDE);
}

/* ::1 and :: jump to L_LOOPBACK; ::ffff:127.0.0.0/104 and ::ffff:0.0.0.0
 * (IPv4's, on an IPv6 socket) to L_MAPPED_LOOPBACK; the rest to
 * L_OUTSIDE. From the key's address words. */
static void classify_ipv6(struct lp_bpf_asm *a)
{
        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_10, KEY_AT(addr)));
        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_2, BPF_REG_10, KEY_AT(addr) + 4));
        lp_bpf_emit(a, BPF_ALU_REG(BPF_OR, BPF_REG_1, BPF_REG_2));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_1, 0), L_OUTSIDE);
        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_10, KEY_AT(addr) + 8));
        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_2, BPF_REG_10, KEY_AT(addr) + 12));
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JEQ, BPF_REG_1, 0), L_PLAIN_V6);
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JNE, BPF_REG_1, (int32_t)htonl(0xffffu)), L_OUTSIDE);
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JEQ, BPF_REG_2, 0), L_MAPPED_LOOPBACK);
        lp_bpf_emit(a, BPF_ALU32_IMM(BPF_AND, BPF_REG_2, (int32_t)htonl(0xff000000u)));
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JEQ, BPF_REG_2, (int32_t)htonl(0x7f000000u)),
                    L_MAPPED_LOOPBACK);
        lp_bpf_jump(a, BPF_GOTO, L_OUTSIDE);
        lp_bpf_place(a, L_PLAIN_V6);
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JEQ, BPF_REG_2, 0), L_LOOPBACK);
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JEQ, BPF_REG_2, (int32_t)htonl(1)), L_LOOPBACK);
        lp_bpf_jump(a, BPF_GOTO, L_OUTSIDE);
}

/* The socket tuple of a listener on the destination, for
 * bpf_sk_lookup_tcp: source zero, destination the key's, the unspecified
 * address as lo's (where Linux sends it). An IPv4-mapped destination is
 * asked as IPv4 (`mapped`): an IPv6 socket's connect to it reaches IPv4
 * listeners, which an IPv6 lookup does not find. Returns the tuple's
 * size. */
static int build_tuple(struct lp_bpf_asm *a, bool v6, bool mapped)
{
        struct bpf_sock_tuple t;
        bool as_v6 = v6 && !mapped;
        int daddr = as_v6 ? (int)((char *)t.ipv6.daddr - (char *)&t)
                          : (int)((char *)&t.ipv4.daddr - (char *)&t);
        int dport = as_v6 ? (int)((char *)&t.ipv6.dport - (char *)&t)
                          : (int)((char *)&t.ipv4.dport - (char *)&t);
        int words = as_v6 ? 4 : 1, first = mapped ? 3 : 0;
        for (int off = 0; off < (int)sizeof(t); off += 8)
                lp_bpf_emit(a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, TUPLE + off, 0));
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_2, 0));
        for (int i = 0; i < words; i++) {
                lp_bpf_emit(a,
                            BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_10, KEY_AT(addr) + 4 * (first + i)));
                lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_10, TUPLE + daddr + 4 * i, BPF_REG_1));
                lp_bpf_emit(a, BPF_ALU_REG(BPF_OR, BPF_REG_2, BPF_REG_1));
        }
        /* Unspecified: lo's address in the last word (else skip that). */
        lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 1, 0));
        lp_bpf_emit(a, BPF_STORE_IMM(BPF_W, BPF_REG_10, TUPLE + daddr + 4 * (words - 1),
                                     (int32_t)(as_v6 ? htonl(1) : htonl(INADDR_LOOPBACK))));
        lp_bpf_emit(a, BPF_STORE(BPF_H, BPF_REG_10, TUPLE + dport, BPF_REG_8));
        return as_v6 ? (int)sizeof(t.ipv6) : (int)sizeof(t.ipv4);
}

/* A loopback TCP destination whose port the host serves (the host_ports
 * map), where nothing inside listens (bpf_sk_lookup_tcp finds no socket
 * in the command's namespace): marked LP_NET_HOST_SERVICE and recorded.
 * Any other loopback destination: let through, uncounted. */
static void check_host_service(struct lp_bpf_asm *a, const struct lp_net_program_spec *s,
                               bool mapped)
{
        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_10, KEY_AT(protocol)));
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JNE, BPF_REG_1, IPPROTO_TCP), L_DONE);
        lp_bpf_emit(a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, PORT_KEY, 0));
        lp_bpf_emit(a, BPF_STORE(BPF_H, BPF_REG_10, PORT_KEY, BPF_REG_8));
        lp_bpf_load_map(a, BPF_REG_1, s->host_ports);
        lp_bpf_stack_pointer(a, BPF_REG_2, PORT_KEY);
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_map_lookup_elem));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_0, 0), L_DONE);
        int size = build_tuple(a, lp_net_hook_ipv6(s->hook), mapped);
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_1, BPF_REG_6));
        lp_bpf_stack_pointer(a, BPF_REG_2, TUPLE);
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_3, size));
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_4, -1)); /* BPF_F_CURRENT_NETNS */
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_5, 0));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_sk_lookup_tcp));
        /* A listener inside: its reference given back, the call let through. */
        lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 3, 0));
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_1, BPF_REG_0));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_sk_release));
        lp_bpf_jump(a, BPF_GOTO, L_DONE);
        lp_bpf_emit(a,
                    BPF_STORE_IMM(BPF_B, BPF_REG_10, KEY_AT(hook), s->hook | LP_NET_HOST_SERVICE));
        lp_bpf_jump(a, BPF_GOTO, L_RECORD);
}

/* What a loopback destination comes to: nothing (lo reaches it), a host
 * service check (a connect, with the host's ports known), or a finding
 * (Namespace=none: lo is down). */
static void on_loopback(struct lp_bpf_asm *a, const struct lp_net_program_spec *s, bool mapped)
{
        if (!s->loopback_reaches)
                lp_bpf_jump(a, BPF_GOTO, L_RECORD);
        else if (lp_net_hook_connect(s->hook) && s->host_ports >= 0)
                check_host_service(a, s, mapped);
        else
                lp_bpf_jump(a, BPF_GOTO, L_DONE);
}

/* Counts the key: a new entry (count 0, when, the process) is added
 * unless one is there (BPF_NOEXIST), and then announced in the ring
 * buffer, so that the supervisor reads the process's executable while it
 * runs; then the entry's count gets an atomic add. A full map: the
 * overflow counter. Every sighting is counted once; one path through the
 * program, short for the verifier (its time is paid at every launch). */
static void record(struct lp_bpf_asm *a, const struct lp_net_program_spec *s)
{
        lp_bpf_place(a, L_RECORD);
        lp_bpf_stack_pointer(a, BPF_REG_1, KEY_AT(comm));
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_2, sizeof(((struct lp_net_key *)0)->comm)));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_get_current_comm));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_get_current_pid_tgid));
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_RSH, BPF_REG_0, 32));
        lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_10, TGID_AT, BPF_REG_0));
        for (int off = 0; off < (int)sizeof(struct lp_net_value); off += 8)
                lp_bpf_emit(a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, VALUE + off, 0));
        lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_10, VALUE_AT(tgid), BPF_REG_0));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_ktime_get_ns));
        lp_bpf_emit(a, BPF_STORE(BPF_DW, BPF_REG_10, VALUE_AT(first_ns), BPF_REG_0));
        lp_bpf_stack_pointer(a, BPF_REG_9, KEY);
        lp_bpf_count(a, &(struct lp_bpf_count){.events = s->events,
                                               .announce = s->announce,
                                               .overflow = s->overflow,
                                               .key = BPF_REG_9,
                                               .announce_size = sizeof(struct lp_net_announcement),
                                               .value = VALUE,
                                               .index = PORT_KEY,
                                               .done = traps(s) ? L_COUNTED : L_DONE});
}

/* A DNS query's destination (UDP, port 53) is marked LP_NET_DNS_TRAPPED
 * in the key; anything else goes on to L_RECORD as it is. */
static void mark_dns(struct lp_bpf_asm *a, const struct lp_net_program_spec *s)
{
        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_10, KEY_AT(protocol)));
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JNE, BPF_REG_1, IPPROTO_UDP), L_RECORD);
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JNE, BPF_REG_8, htons(LP_NET_DNS_PORT)), L_RECORD);
        lp_bpf_emit(a,
                    BPF_STORE_IMM(BPF_B, BPF_REG_10, KEY_AT(hook), s->hook | LP_NET_DNS_TRAPPED));
}

/* A counted key marked LP_NET_DNS_TRAPPED: the original destination
 * saved under the socket's cookie, then the call's destination made the
 * trap's. Where it cannot be saved (the map refuses), the call goes on
 * unchanged (the namespace refuses it, as without the trap): a reply
 * that the resolver would not take is worse than none. r7 and r8 (the
 * IPv4 address, the port) survive the count. */
static void redirect(struct lp_bpf_asm *a, const struct lp_net_program_spec *s)
{
        bool v6 = lp_net_hook_ipv6(s->hook);
        lp_bpf_place(a, L_COUNTED);
        lp_bpf_emit(a, BPF_LOAD(BPF_B, BPF_REG_1, BPF_REG_10, KEY_AT(hook)));
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_AND, BPF_REG_1, LP_NET_DNS_TRAPPED));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_1, 0), L_DONE);
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_1, BPF_REG_6));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_get_socket_cookie));
        lp_bpf_emit(a, BPF_STORE(BPF_DW, BPF_REG_10, COOKIE, BPF_REG_0));
        for (int off = 0; off < 24; off += 8)
                lp_bpf_emit(a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, REDIRECT + off, 0));
        for (int i = 0; v6 && i < 4; i++) {
                lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_10, KEY_AT(addr) + 4 * i));
                lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_10, REDIRECT_AT(addr) + 4 * i, BPF_REG_1));
        }
        if (!v6) {
                lp_bpf_emit(a,
                            BPF_STORE_IMM(BPF_W, BPF_REG_10, REDIRECT_AT(addr) + 8, MAPPED_PREFIX));
                lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_10, REDIRECT_AT(addr) + 12, BPF_REG_7));
        }
        lp_bpf_emit(a, BPF_STORE(BPF_H, BPF_REG_10, REDIRECT_AT(port), BPF_REG_8));
        lp_bpf_load_map(a, BPF_REG_1, s->redirects);
        lp_bpf_stack_pointer(a, BPF_REG_2, COOKIE);
        lp_bpf_stack_pointer(a, BPF_REG_3, REDIRECT);
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_4, BPF_ANY));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_map_update_elem));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_0, 0), L_DONE);
        /* The context is written from registers: the verifier refuses
         * BPF_ST into it. */
        if (v6) {
                lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_1, 0));
                lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_6, CTX_IP6, BPF_REG_1));
                lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_6, CTX_IP6 + 4, BPF_REG_1));
                lp_bpf_emit(a, BPF_ALU32_IMM(BPF_MOV, BPF_REG_1, MAPPED_PREFIX));
                lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_6, CTX_IP6 + 8, BPF_REG_1));
        }
        lp_bpf_emit(a, BPF_ALU32_IMM(BPF_MOV, BPF_REG_1, TRAP_ADDR));
        lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_6, v6 ? CTX_IP6 + 12 : CTX_IP4, BPF_REG_1));
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_1, htons(LP_NET_DNS_TRAP_PORT)));
        lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_6, CTX_PORT, BPF_REG_1));
}

/* The supervisor's calls go through uncounted (to L_DONE). */
static void skip_supervisor(struct lp_bpf_asm *a, const struct lp_net_program_spec *s)
{
        if (!s->supervisor)
                return;
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_get_current_pid_tgid));
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_RSH, BPF_REG_0, 32));
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JEQ, BPF_REG_0, (int32_t)s->supervisor), L_DONE);
}

/* bpf_probe_read_kernel(fp + to, size, r6 + from): the kernel's context
 * read as it is (the verifier lets root pass the context's address as
 * a plain value). A failed read: to `failed`. */
static void read_context(struct lp_bpf_asm *a, int to, int size, int from, int failed)
{
        lp_bpf_stack_pointer(a, BPF_REG_1, to);
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_2, size));
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_3, BPF_REG_6));
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_ADD, BPF_REG_3, from));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_probe_read_kernel));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_0, 0), failed);
}

/* Where the context's address is (the value's slot holds it and its
 * length until record() writes the value). */
#define UNIX_LEN VALUE
#define UNIX_UADDR (VALUE + 8)
#define UNIX_PATH (KEY_AT(unix_addr) + (int)sizeof(sa_family_t))

/* The address's path, as a string (bytes past its NUL, which a caller
 * may leave uninitialised, are not the address: they stay zero), after
 * its family: at most the length given less the family's two bytes. */
static void read_unix_path(struct lp_bpf_asm *a)
{
        lp_bpf_stack_pointer(a, BPF_REG_1, UNIX_PATH);
        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_2, BPF_REG_10, UNIX_LEN));
        /* the path's bytes, and room for the NUL the helper writes */
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_ADD, BPF_REG_2, 1 - (int)sizeof(sa_family_t)));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JLT, BPF_REG_2, 2), L_UNREADABLE);
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JGT, BPF_REG_2, LP_NET_UNIX_ADDR_MAX - sizeof(sa_family_t)),
                    L_UNREADABLE);
        lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_3, BPF_REG_10, UNIX_UADDR));
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_ADD, BPF_REG_3, sizeof(sa_family_t)));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_probe_read_kernel_str));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JSLT, BPF_REG_0, 0), L_UNREADABLE);
}

/* An address the program could not read as the kernel's 6.7-6.18 layout
 * gives it: one key per hook and thread name, its address all zero, so
 * that the supervisor can say that findings may be missing. */
static void unreadable(struct lp_bpf_asm *a, const struct lp_net_program_spec *s)
{
        lp_bpf_place(a, L_UNREADABLE);
        for (int off = 0; off < LP_NET_UNIX_ADDR_MAX; off += 8)
                lp_bpf_emit(a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, KEY_AT(unix_addr) + off, 0));
        lp_bpf_emit(a, BPF_STORE_IMM(BPF_B, BPF_REG_10, KEY_AT(hook), s->hook));
        lp_bpf_jump(a, BPF_GOTO, L_RECORD);
}

/* A unix hook's program: the address the command gave (its length, its
 * family, then its path, read from the kernel's context into the key),
 * counted when its path is absolute (an abstract address is no file;
 * a relative one is not looked at, as in the notified path); the
 * supervisor looks for a hidden path among them. An unnamed address
 * (autobind) is none. Every call is let through: the mounts refuse what
 * is hidden. The kernel has checked the address before the hook, so
 * anything else is a context the program does not understand. */
static void unix_program(struct lp_bpf_asm *a, const struct lp_net_program_spec *s)
{
        zero_key(a);
        read_context(a, UNIX_LEN, 4, LP_BPF_SOCK_ADDR_KERN_UADDRLEN, L_UNREADABLE);
        read_context(a, UNIX_UADDR, 8, LP_BPF_SOCK_ADDR_KERN_UADDR, L_UNREADABLE);
        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_2, BPF_REG_10, UNIX_LEN));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JLE, BPF_REG_2, sizeof(sa_family_t)), L_DONE);
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JGT, BPF_REG_2, sizeof(struct sockaddr_un)), L_UNREADABLE);
        /* The family, then the path. */
        lp_bpf_stack_pointer(a, BPF_REG_1, KEY_AT(unix_addr));
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_2, sizeof(sa_family_t)));
        lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_3, BPF_REG_10, UNIX_UADDR));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_probe_read_kernel));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_0, 0), L_UNREADABLE);
        lp_bpf_emit(a, BPF_LOAD(BPF_H, BPF_REG_1, BPF_REG_10, KEY_AT(unix_addr)));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_1, AF_UNIX), L_UNREADABLE);
        read_unix_path(a);
        lp_bpf_emit(a, BPF_LOAD(BPF_B, BPF_REG_1, BPF_REG_10, UNIX_PATH));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_1, '/'), L_DONE);
        lp_bpf_emit(a, BPF_STORE_IMM(BPF_B, BPF_REG_10, KEY_AT(hook), s->hook));
        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_6, CTX_TYPE));
        lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_10, KEY_AT(protocol), BPF_REG_1));
        lp_bpf_jump(a, BPF_GOTO, L_RECORD);
        unreadable(a, s);
}

size_t lp_net_unix_probe_program(struct bpf_insn *insns)
{
        struct lp_bpf_asm a;
        lp_bpf_asm_init(&a, insns, LP_NET_UNIX_PROBE_MAX, L_COUNT);
        lp_bpf_emit(&a, BPF_MOV_REG(BPF_REG_6, BPF_REG_1));
        read_context(&a, -8, 4, LP_BPF_SOCK_ADDR_KERN_UADDRLEN, L_DONE);
        lp_bpf_place(&a, L_DONE);
        lp_bpf_emit(&a, BPF_MOV_IMM(BPF_REG_0, 1));
        lp_bpf_emit(&a, BPF_EXIT_INSN);
        return lp_bpf_finish(&a);
}

/* An inet hook's program: lo's destinations let through (or a host
 * service's looked at), the rest counted; a DNS query sent to the trap. */
static void inet_program(struct lp_bpf_asm *a, const struct lp_net_program_spec *s)
{
        bool v6 = lp_net_hook_ipv6(s->hook);
        build_key(a, s);
        if (v6)
                classify_ipv6(a);
        else
                classify_ipv4(a);
        lp_bpf_place(a, L_LOOPBACK);
        on_loopback(a, s, false);
        lp_bpf_place(a, L_MAPPED_LOOPBACK);
        if (v6)
                on_loopback(a, s, true);
        lp_bpf_place(a, L_OUTSIDE);
        if (traps(s))
                mark_dns(a, s);
        record(a, s);
        if (traps(s))
                redirect(a, s);
}

size_t lp_net_program(const struct lp_net_program_spec *s, struct bpf_insn *insns)
{
        struct lp_bpf_asm a;
        lp_bpf_asm_init(&a, insns, LP_NET_PROGRAM_MAX, L_COUNT);
        lp_bpf_emit(&a, BPF_MOV_REG(BPF_REG_6, BPF_REG_1));
        skip_supervisor(&a, s);
        if (lp_net_hook_unix(s->hook)) {
                unix_program(&a, s);
                record(&a, s);
        } else {
                inet_program(&a, s);
        }
        lp_bpf_place(&a, L_DONE);
        lp_bpf_emit(&a, BPF_MOV_IMM(BPF_REG_0, 1)); /* let the call through */
        lp_bpf_emit(&a, BPF_EXIT_INSN);
        return lp_bpf_finish(&a);
}

enum bpf_attach_type lp_net_attach_type(enum lp_net_hook hook)
{
        static const enum bpf_attach_type types[LP_NET_ALL_HOOKS] = {
                [LP_NET_CONNECT4] = BPF_CGROUP_INET4_CONNECT,
                [LP_NET_CONNECT6] = BPF_CGROUP_INET6_CONNECT,
                [LP_NET_SENDMSG4] = BPF_CGROUP_UDP4_SENDMSG,
                [LP_NET_SENDMSG6] = BPF_CGROUP_UDP6_SENDMSG,
                [LP_NET_UNIX_CONNECT] = (enum bpf_attach_type)LP_BPF_CGROUP_UNIX_CONNECT,
                [LP_NET_UNIX_SENDMSG] = (enum bpf_attach_type)LP_BPF_CGROUP_UNIX_SENDMSG,
        };
        return types[hook];
}

/* ---- the replies ---- */

/* Whether the reply's source (the context's address) is the trap's:
 * else to L_DONE. */
static void from_trap(struct lp_bpf_asm *a, bool v6)
{
        if (v6) {
                lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_6, CTX_IP6));
                lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_2, BPF_REG_6, CTX_IP6 + 4));
                lp_bpf_emit(a, BPF_ALU_REG(BPF_OR, BPF_REG_1, BPF_REG_2));
                lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_1, 0), L_DONE);
                lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_6, CTX_IP6 + 8));
                lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JNE, BPF_REG_1, MAPPED_PREFIX), L_DONE);
        }
        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_6, v6 ? CTX_IP6 + 12 : CTX_IP4));
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JNE, BPF_REG_1, TRAP_ADDR), L_DONE);
        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_6, CTX_PORT));
        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JNE, BPF_REG_1, htons(LP_NET_DNS_TRAP_PORT)), L_DONE);
}

/* The saved destination (r0: the map's value) as the source. An IPv4
 * socket's is ::ffff:a.b.c.d (the IPv4 hooks saved it so). */
static void show_original(struct lp_bpf_asm *a, bool v6)
{
        if (v6) {
                for (int i = 0; i < 4; i++) {
                        lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_0, 4 * i));
                        lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_6, CTX_IP6 + 4 * i, BPF_REG_1));
                }
        } else {
                lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_0, 8));
                lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JNE, BPF_REG_1, MAPPED_PREFIX), L_DONE);
                lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, BPF_REG_0, 12));
                lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_6, CTX_IP4, BPF_REG_1));
        }
        lp_bpf_emit(a, BPF_LOAD(BPF_H, BPF_REG_1, BPF_REG_0,
                                (int16_t)offsetof(struct lp_net_redirect, port)));
        lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_6, CTX_PORT, BPF_REG_1));
}

size_t lp_net_reply_program(enum lp_net_reply_hook hook, int redirects, struct bpf_insn *insns)
{
        struct lp_bpf_asm a;
        bool v6 = hook == LP_NET_RECVMSG6;
        lp_bpf_asm_init(&a, insns, LP_NET_PROGRAM_MAX, L_COUNT);
        lp_bpf_emit(&a, BPF_MOV_REG(BPF_REG_6, BPF_REG_1));
        from_trap(&a, v6);
        lp_bpf_emit(&a, BPF_MOV_REG(BPF_REG_1, BPF_REG_6));
        lp_bpf_emit(&a, BPF_CALL_HELPER(BPF_FUNC_get_socket_cookie));
        lp_bpf_emit(&a, BPF_STORE(BPF_DW, BPF_REG_10, -8, BPF_REG_0));
        lp_bpf_load_map(&a, BPF_REG_1, redirects);
        lp_bpf_stack_pointer(&a, BPF_REG_2, -8);
        lp_bpf_emit(&a, BPF_CALL_HELPER(BPF_FUNC_map_lookup_elem));
        lp_bpf_jump(&a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_0, 0), L_DONE);
        show_original(&a, v6);
        lp_bpf_place(&a, L_DONE);
        lp_bpf_emit(&a, BPF_MOV_IMM(BPF_REG_0, 1)); /* a recvmsg program must return 1 */
        lp_bpf_emit(&a, BPF_EXIT_INSN);
        return lp_bpf_finish(&a);
}

enum bpf_attach_type lp_net_reply_attach_type(enum lp_net_reply_hook hook)
{
        return hook == LP_NET_RECVMSG6 ? BPF_CGROUP_UDP6_RECVMSG : BPF_CGROUP_UDP4_RECVMSG;
}
