/* The network observer's programs (net_bpf.h). Register use: r6 the
 * context, r7 the IPv4 address, r8 the port; on the stack, below the
 * frame pointer r10: the announcement (the key, then the process) at
 * ANNOUNCE, the map value at VALUE, a socket tuple at TUPLE. */
#include "rules/net_bpf.h"

#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#include "base/util.h"

/* ---- a small assembler: instructions and forward jumps to labels ---- */

enum label {
        L_LOOPBACK,
        L_MAPPED_LOOPBACK, /* ::ffff:127.x.y.z, ::ffff:0.0.0.0 */
        L_OUTSIDE,
        L_RECORD,
        L_PLAIN_V6,
        L_FIND, /* the key's value, new or not */
        L_ADD,  /* r0 = a counter: +1 */
        L_DONE,
        L_COUNT,
};

#define JUMPS_MAX 48

struct assembler {
        struct bpf_insn *insns;
        size_t n;
        bool overflow; /* an instruction or a jump did not fit */
        ssize_t label_at[L_COUNT];
        struct {
                size_t insn;
                enum label label;
        } jumps[JUMPS_MAX];
        size_t n_jumps;
};

static void emit(struct assembler *a, struct bpf_insn insn)
{
        if (a->n < LP_NET_PROGRAM_MAX)
                a->insns[a->n++] = insn;
        else
                a->overflow = true;
}

static void place(struct assembler *a, enum label l)
{
        a->label_at[l] = (ssize_t)a->n;
}

/* A jump whose offset is filled in by resolve(). */
static void jump(struct assembler *a, struct bpf_insn insn, enum label l)
{
        if (a->n_jumps < JUMPS_MAX)
                a->jumps[a->n_jumps++] = (typeof(a->jumps[0])){a->n, l};
        else
                a->overflow = true;
        emit(a, insn);
}

/* False when a jump goes to a label never placed. */
static bool resolve(struct assembler *a)
{
        for (size_t i = 0; i < a->n_jumps; i++) {
                size_t at = a->jumps[i].insn;
                ssize_t to = a->label_at[a->jumps[i].label];
                if (to < 0 || at >= a->n)
                        return false;
                a->insns[at].off = (int16_t)(to - (ssize_t)at - 1);
        }
        return true;
}

#define INSN(code_, dst_, src_, off_, imm_)   \
        ((struct bpf_insn){.code = (code_),   \
                           .dst_reg = (dst_), \
                           .src_reg = (src_), \
                           .off = (off_),     \
                           .imm = (imm_)})
#define MOV_REG(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define ALU_IMM(op, dst, imm) INSN(BPF_ALU64 | (op) | BPF_K, dst, 0, 0, imm)
#define ALU_REG(op, dst, src) INSN(BPF_ALU64 | (op) | BPF_X, dst, src, 0, 0)
#define LOAD(size, dst, src, off) INSN(BPF_LDX | (size) | BPF_MEM, dst, src, off, 0)
#define STORE(size, dst, off, src) INSN(BPF_STX | (size) | BPF_MEM, dst, src, off, 0)
#define STORE_IMM(size, dst, off, imm) INSN(BPF_ST | (size) | BPF_MEM, dst, 0, off, imm)
#define ATOMIC_ADD(dst, off, src) INSN(BPF_STX | BPF_DW | BPF_ATOMIC, dst, src, off, BPF_ADD)
#define JUMP_IMM(op, dst, imm) INSN(BPF_JMP | (op) | BPF_K, dst, 0, 0, imm)
/* Compares the low 32 bits: an address word is unsigned, an immediate
 * sign-extended. */
#define JUMP32_IMM(op, dst, imm) INSN(BPF_JMP32 | (op) | BPF_K, dst, 0, 0, imm)
#define ALU32_IMM(op, dst, imm) INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define GOTO INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0)
#define CALL(fn) INSN(BPF_JMP | BPF_CALL, 0, 0, 0, fn)
#define EXIT INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* A map's fd into dst: the two-slot 64-bit load the kernel turns into
 * the map's address. */
static void load_map(struct assembler *a, int dst, int fd)
{
        emit(a, INSN(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd));
        emit(a, INSN(0, 0, 0, 0, 0));
}

/* r = r10 + offset: a pointer to a stack slot. */
static void stack_pointer(struct assembler *a, int r, int offset)
{
        emit(a, MOV_REG(r, BPF_REG_10));
        emit(a, ALU_IMM(BPF_ADD, r, offset));
}

/* ---- the program ---- */

#define CTX_IP4 offsetof(struct bpf_sock_addr, user_ip4)
#define CTX_IP6 offsetof(struct bpf_sock_addr, user_ip6)
#define CTX_PORT offsetof(struct bpf_sock_addr, user_port)
#define CTX_PROTOCOL offsetof(struct bpf_sock_addr, protocol)

#define ANNOUNCE (-(int)sizeof(struct lp_net_announcement))
#define KEY ANNOUNCE /* the announcement starts with the key */
#define KEY_AT(field) (KEY + (int)offsetof(struct lp_net_key, field))
#define TGID_AT (ANNOUNCE + (int)offsetof(struct lp_net_announcement, tgid))
#define VALUE (ANNOUNCE - (int)sizeof(struct lp_net_value))
#define VALUE_AT(field) (VALUE + (int)offsetof(struct lp_net_value, field))
/* 40 bytes: the 36 of a tuple, 8-aligned. */
#define TUPLE (VALUE - 40)
#define PORT_KEY (TUPLE - 8)

bool lp_net_hook_ipv6(enum lp_net_hook h)
{
        return h == LP_NET_CONNECT6 || h == LP_NET_SENDMSG6;
}

bool lp_net_hook_connect(enum lp_net_hook h)
{
        return h == LP_NET_CONNECT4 || h == LP_NET_CONNECT6;
}

/* The key, all of it written (the verifier reads a map key whole); the
 * thread's name only when the call is counted (record). */
static void build_key(struct assembler *a, const struct lp_net_program_spec *s)
{
        for (int off = 0; off < (int)sizeof(struct lp_net_announcement); off += 8)
                emit(a, STORE_IMM(BPF_DW, BPF_REG_10, ANNOUNCE + off, 0));
        if (lp_net_hook_ipv6(s->hook)) {
                for (int i = 0; i < 4; i++) {
                        emit(a, LOAD(BPF_W, BPF_REG_1, BPF_REG_6, (int16_t)(CTX_IP6 + 4 * i)));
                        emit(a, STORE(BPF_W, BPF_REG_10, KEY_AT(addr) + 4 * i, BPF_REG_1));
                }
        } else {
                emit(a, LOAD(BPF_W, BPF_REG_7, BPF_REG_6, CTX_IP4));
                emit(a, STORE(BPF_W, BPF_REG_10, KEY_AT(addr), BPF_REG_7));
        }
        emit(a, LOAD(BPF_W, BPF_REG_8, BPF_REG_6, CTX_PORT));
        emit(a, STORE(BPF_H, BPF_REG_10, KEY_AT(port), BPF_REG_8));
        emit(a, STORE_IMM(BPF_B, BPF_REG_10, KEY_AT(hook), s->hook));
        emit(a, LOAD(BPF_W, BPF_REG_1, BPF_REG_6, CTX_PROTOCOL));
        emit(a, STORE(BPF_W, BPF_REG_10, KEY_AT(protocol), BPF_REG_1));
}

/* 127.0.0.0/8 and 0.0.0.0 (which Linux sends to lo) jump to L_LOOPBACK,
 * the rest to L_OUTSIDE. An address is in network order: its first byte
 * is the low one of the word on a little-endian machine, so the masks
 * and values are htonl()'s. */
static void classify_ipv4(struct assembler *a)
{
        emit(a, MOV_REG(BPF_REG_1, BPF_REG_7));
        emit(a, ALU32_IMM(BPF_AND, BPF_REG_1, (int32_t)htonl(0xff000000u)));
        jump(a, JUMP32_IMM(BPF_JEQ, BPF_REG_1, (int32_t)htonl(0x7f000000u)), L_LOOPBACK);
        jump(a, JUMP32_IMM(BPF_JEQ, BPF_REG_7, 0), L_LOOPBACK);
        jump(a, GOTO, L_OUTSIDE);
}

/* ::1 and :: jump to L_LOOPBACK; ::ffff:127.0.0.0/104 and ::ffff:0.0.0.0
 * (IPv4's, on an IPv6 socket) to L_MAPPED_LOOPBACK; the rest to
 * L_OUTSIDE. From the key's address words. */
static void classify_ipv6(struct assembler *a)
{
        emit(a, LOAD(BPF_W, BPF_REG_1, BPF_REG_10, KEY_AT(addr)));
        emit(a, LOAD(BPF_W, BPF_REG_2, BPF_REG_10, KEY_AT(addr) + 4));
        emit(a, ALU_REG(BPF_OR, BPF_REG_1, BPF_REG_2));
        jump(a, JUMP_IMM(BPF_JNE, BPF_REG_1, 0), L_OUTSIDE);
        emit(a, LOAD(BPF_W, BPF_REG_1, BPF_REG_10, KEY_AT(addr) + 8));
        emit(a, LOAD(BPF_W, BPF_REG_2, BPF_REG_10, KEY_AT(addr) + 12));
        jump(a, JUMP32_IMM(BPF_JEQ, BPF_REG_1, 0), L_PLAIN_V6);
        jump(a, JUMP32_IMM(BPF_JNE, BPF_REG_1, (int32_t)htonl(0xffffu)), L_OUTSIDE);
        jump(a, JUMP32_IMM(BPF_JEQ, BPF_REG_2, 0), L_MAPPED_LOOPBACK);
        emit(a, ALU32_IMM(BPF_AND, BPF_REG_2, (int32_t)htonl(0xff000000u)));
        jump(a, JUMP32_IMM(BPF_JEQ, BPF_REG_2, (int32_t)htonl(0x7f000000u)), L_MAPPED_LOOPBACK);
        jump(a, GOTO, L_OUTSIDE);
        place(a, L_PLAIN_V6);
        jump(a, JUMP32_IMM(BPF_JEQ, BPF_REG_2, 0), L_LOOPBACK);
        jump(a, JUMP32_IMM(BPF_JEQ, BPF_REG_2, (int32_t)htonl(1)), L_LOOPBACK);
        jump(a, GOTO, L_OUTSIDE);
}

/* The socket tuple of a listener on the destination, for
 * bpf_sk_lookup_tcp: source zero, destination the key's, the unspecified
 * address as lo's (where Linux sends it). An IPv4-mapped destination is
 * asked as IPv4 (`mapped`): an IPv6 socket's connect to it reaches IPv4
 * listeners, which an IPv6 lookup does not find. Returns the tuple's
 * size. */
static int build_tuple(struct assembler *a, bool v6, bool mapped)
{
        struct bpf_sock_tuple t;
        bool as_v6 = v6 && !mapped;
        int daddr = as_v6 ? (int)((char *)t.ipv6.daddr - (char *)&t)
                          : (int)((char *)&t.ipv4.daddr - (char *)&t);
        int dport = as_v6 ? (int)((char *)&t.ipv6.dport - (char *)&t)
                          : (int)((char *)&t.ipv4.dport - (char *)&t);
        int words = as_v6 ? 4 : 1, first = mapped ? 3 : 0;
        for (int off = 0; off < (int)sizeof(t); off += 8)
                emit(a, STORE_IMM(BPF_DW, BPF_REG_10, TUPLE + off, 0));
        emit(a, MOV_IMM(BPF_REG_2, 0));
        for (int i = 0; i < words; i++) {
                emit(a, LOAD(BPF_W, BPF_REG_1, BPF_REG_10, KEY_AT(addr) + 4 * (first + i)));
                emit(a, STORE(BPF_W, BPF_REG_10, TUPLE + daddr + 4 * i, BPF_REG_1));
                emit(a, ALU_REG(BPF_OR, BPF_REG_2, BPF_REG_1));
        }
        /* Unspecified: lo's address in the last word (else skip that). */
        emit(a, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 1, 0));
        emit(a, STORE_IMM(BPF_W, BPF_REG_10, TUPLE + daddr + 4 * (words - 1),
                          (int32_t)(as_v6 ? htonl(1) : htonl(INADDR_LOOPBACK))));
        emit(a, STORE(BPF_H, BPF_REG_10, TUPLE + dport, BPF_REG_8));
        return as_v6 ? (int)sizeof(t.ipv6) : (int)sizeof(t.ipv4);
}

/* A loopback TCP destination whose port the host serves (the host_ports
 * map), where nothing inside listens (bpf_sk_lookup_tcp finds no socket
 * in the command's namespace): marked LP_NET_HOST_SERVICE and recorded.
 * Any other loopback destination: let through, uncounted. */
static void check_host_service(struct assembler *a, const struct lp_net_program_spec *s,
                               bool mapped)
{
        emit(a, LOAD(BPF_W, BPF_REG_1, BPF_REG_10, KEY_AT(protocol)));
        jump(a, JUMP32_IMM(BPF_JNE, BPF_REG_1, IPPROTO_TCP), L_DONE);
        emit(a, STORE_IMM(BPF_DW, BPF_REG_10, PORT_KEY, 0));
        emit(a, STORE(BPF_H, BPF_REG_10, PORT_KEY, BPF_REG_8));
        load_map(a, BPF_REG_1, s->host_ports);
        stack_pointer(a, BPF_REG_2, PORT_KEY);
        emit(a, CALL(BPF_FUNC_map_lookup_elem));
        jump(a, JUMP_IMM(BPF_JEQ, BPF_REG_0, 0), L_DONE);
        int size = build_tuple(a, lp_net_hook_ipv6(s->hook), mapped);
        emit(a, MOV_REG(BPF_REG_1, BPF_REG_6));
        stack_pointer(a, BPF_REG_2, TUPLE);
        emit(a, MOV_IMM(BPF_REG_3, size));
        emit(a, MOV_IMM(BPF_REG_4, -1)); /* BPF_F_CURRENT_NETNS */
        emit(a, MOV_IMM(BPF_REG_5, 0));
        emit(a, CALL(BPF_FUNC_sk_lookup_tcp));
        /* A listener inside: its reference given back, the call let through. */
        emit(a, INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 3, 0));
        emit(a, MOV_REG(BPF_REG_1, BPF_REG_0));
        emit(a, CALL(BPF_FUNC_sk_release));
        jump(a, GOTO, L_DONE);
        emit(a, STORE_IMM(BPF_B, BPF_REG_10, KEY_AT(hook), s->hook | LP_NET_HOST_SERVICE));
        jump(a, GOTO, L_RECORD);
}

/* What a loopback destination comes to: nothing (lo reaches it), a host
 * service check (a connect, with the host's ports known), or a finding
 * (Namespace=none: lo is down). */
static void on_loopback(struct assembler *a, const struct lp_net_program_spec *s, bool mapped)
{
        if (!s->loopback_reaches)
                jump(a, GOTO, L_RECORD);
        else if (lp_net_hook_connect(s->hook) && s->host_ports >= 0)
                check_host_service(a, s, mapped);
        else
                jump(a, GOTO, L_DONE);
}

/* Counts the key: a new entry (count 0, when, the process) is added
 * unless one is there (BPF_NOEXIST), and then announced in the ring
 * buffer, so that the supervisor reads the process's executable while it
 * runs; then the entry's count gets an atomic add. A full map: the
 * overflow counter. Every sighting is counted once; one path through the
 * program, short for the verifier (its time is paid at every launch). */
static void record(struct assembler *a, const struct lp_net_program_spec *s)
{
        place(a, L_RECORD);
        stack_pointer(a, BPF_REG_1, KEY_AT(comm));
        emit(a, MOV_IMM(BPF_REG_2, sizeof(((struct lp_net_key *)0)->comm)));
        emit(a, CALL(BPF_FUNC_get_current_comm));
        emit(a, CALL(BPF_FUNC_get_current_pid_tgid));
        emit(a, ALU_IMM(BPF_RSH, BPF_REG_0, 32));
        emit(a, STORE(BPF_W, BPF_REG_10, TGID_AT, BPF_REG_0));
        for (int off = 0; off < (int)sizeof(struct lp_net_value); off += 8)
                emit(a, STORE_IMM(BPF_DW, BPF_REG_10, VALUE + off, 0));
        emit(a, STORE(BPF_W, BPF_REG_10, VALUE_AT(tgid), BPF_REG_0));
        emit(a, CALL(BPF_FUNC_ktime_get_ns));
        emit(a, STORE(BPF_DW, BPF_REG_10, VALUE_AT(first_ns), BPF_REG_0));
        load_map(a, BPF_REG_1, s->events);
        stack_pointer(a, BPF_REG_2, KEY);
        stack_pointer(a, BPF_REG_3, VALUE);
        emit(a, MOV_IMM(BPF_REG_4, BPF_NOEXIST));
        emit(a, CALL(BPF_FUNC_map_update_elem));
        jump(a, JUMP_IMM(BPF_JNE, BPF_REG_0, 0), L_FIND); /* there already, or full */
        load_map(a, BPF_REG_1, s->announce);
        stack_pointer(a, BPF_REG_2, ANNOUNCE);
        emit(a, MOV_IMM(BPF_REG_3, sizeof(struct lp_net_announcement)));
        emit(a, MOV_IMM(BPF_REG_4, 0));
        emit(a, CALL(BPF_FUNC_ringbuf_output));

        place(a, L_FIND);
        load_map(a, BPF_REG_1, s->events);
        stack_pointer(a, BPF_REG_2, KEY);
        emit(a, CALL(BPF_FUNC_map_lookup_elem));
        jump(a, JUMP_IMM(BPF_JNE, BPF_REG_0, 0), L_ADD);
        emit(a, STORE_IMM(BPF_DW, BPF_REG_10, PORT_KEY, 0)); /* the overflow's key: 0 */
        load_map(a, BPF_REG_1, s->overflow);
        stack_pointer(a, BPF_REG_2, PORT_KEY);
        emit(a, CALL(BPF_FUNC_map_lookup_elem));
        jump(a, JUMP_IMM(BPF_JEQ, BPF_REG_0, 0), L_DONE);
        place(a, L_ADD);
        emit(a, MOV_IMM(BPF_REG_1, 1));
        emit(a, ATOMIC_ADD(BPF_REG_0, 0, BPF_REG_1));
}

size_t lp_net_program(const struct lp_net_program_spec *s, struct bpf_insn *insns)
{
        struct assembler a = {.insns = insns};
        bool v6 = lp_net_hook_ipv6(s->hook);
        for (int i = 0; i < L_COUNT; i++)
                a.label_at[i] = -1;
        emit(&a, MOV_REG(BPF_REG_6, BPF_REG_1));
        build_key(&a, s);
        if (v6)
                classify_ipv6(&a);
        else
                classify_ipv4(&a);
        place(&a, L_LOOPBACK);
        on_loopback(&a, s, false);
        place(&a, L_MAPPED_LOOPBACK);
        if (v6)
                on_loopback(&a, s, true);
        place(&a, L_OUTSIDE);
        record(&a, s);
        place(&a, L_DONE);
        emit(&a, MOV_IMM(BPF_REG_0, 1)); /* let the call through */
        emit(&a, EXIT);
        return !a.overflow && resolve(&a) ? a.n : 0;
}

enum bpf_attach_type lp_net_attach_type(enum lp_net_hook hook)
{
        static const enum bpf_attach_type types[LP_NET_HOOKS] = {
                [LP_NET_CONNECT4] = BPF_CGROUP_INET4_CONNECT,
                [LP_NET_CONNECT6] = BPF_CGROUP_INET6_CONNECT,
                [LP_NET_SENDMSG4] = BPF_CGROUP_UDP4_SENDMSG,
                [LP_NET_SENDMSG6] = BPF_CGROUP_UDP6_SENDMSG,
        };
        return types[hook];
}
