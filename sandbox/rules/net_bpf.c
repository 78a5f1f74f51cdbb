/* The network observer's programs (net_bpf.h). Register use: r6 the
 * context, r7 the IPv4 address, r8 the port; the key is built on the
 * stack at KEY, the value at VALUE, a socket tuple at TUPLE. */
#include "rules/net_bpf.h"

#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

#include "base/util.h"

/* ---- a small assembler: instructions and forward jumps to labels ---- */

enum label {
        L_LOOPBACK,
        L_OUTSIDE,
        L_RECORD,
        L_PLAIN_V6,
        L_INSERT,   /* the count */
        L_ANNOUNCE, /* the add */
        L_DONE,
        L_COUNT,
};

struct assembler {
        struct bpf_insn *insns;
        size_t n;
        ssize_t label_at[L_COUNT];
        struct {
                size_t insn;
                enum label label;
        } jumps[32];
        size_t n_jumps;
};

static void emit(struct assembler *a, struct bpf_insn insn)
{
        if (a->n < LP_NET_PROGRAM_MAX)
                a->insns[a->n++] = insn;
}

static void place(struct assembler *a, enum label l)
{
        a->label_at[l] = (ssize_t)a->n;
}

/* A jump whose offset is filled in by resolve(). */
static void jump(struct assembler *a, struct bpf_insn insn, enum label l)
{
        if (a->n_jumps < LP_ELEMENTSOF(a->jumps))
                a->jumps[a->n_jumps++] = (typeof(a->jumps[0])){a->n, l};
        emit(a, insn);
}

static void resolve(struct assembler *a)
{
        for (size_t i = 0; i < a->n_jumps; i++) {
                size_t at = a->jumps[i].insn;
                a->insns[at].off = (int16_t)(a->label_at[a->jumps[i].label] - (ssize_t)at - 1);
        }
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

/* ---- the program ---- */

#define CTX_IP4 offsetof(struct bpf_sock_addr, user_ip4)
#define CTX_IP6 offsetof(struct bpf_sock_addr, user_ip6)
#define CTX_PORT offsetof(struct bpf_sock_addr, user_port)
#define CTX_PROTOCOL offsetof(struct bpf_sock_addr, protocol)

/* Stack slots, below the frame pointer r10. */
#define KEY (-(int)sizeof(struct lp_net_key))
#define KEY_AT(field) (KEY + (int)offsetof(struct lp_net_key, field))
#define VALUE (KEY - (int)sizeof(struct lp_net_value))
#define VALUE_AT(field) (VALUE + (int)offsetof(struct lp_net_value, field))
/* 40 bytes: the 36 of a tuple, 8-aligned. */
#define TUPLE (VALUE - 40)
#define PORT_KEY (TUPLE - 8)

static bool is_ipv6(enum lp_net_hook h)
{
        return h == LP_NET_CONNECT6 || h == LP_NET_SENDMSG6;
}

static bool is_connect(enum lp_net_hook h)
{
        return h == LP_NET_CONNECT4 || h == LP_NET_CONNECT6;
}

/* The key, all of it written (the verifier reads a map key whole). */
static void build_key(struct assembler *a, const struct lp_net_program_spec *s)
{
        for (int off = 0; off < (int)sizeof(struct lp_net_key); off += 8)
                emit(a, STORE_IMM(BPF_DW, BPF_REG_10, KEY + off, 0));
        if (is_ipv6(s->hook)) {
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

/* ::1, ::, ::ffff:127.0.0.0/104 and ::ffff:0.0.0.0, from the key's
 * address words. */
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
        jump(a, JUMP32_IMM(BPF_JEQ, BPF_REG_2, 0), L_LOOPBACK); /* ::ffff:0.0.0.0 */
        emit(a, ALU32_IMM(BPF_AND, BPF_REG_2, (int32_t)htonl(0xff000000u)));
        jump(a, JUMP32_IMM(BPF_JEQ, BPF_REG_2, (int32_t)htonl(0x7f000000u)), L_LOOPBACK);
        jump(a, GOTO, L_OUTSIDE);
        place(a, L_PLAIN_V6);
        jump(a, JUMP32_IMM(BPF_JEQ, BPF_REG_2, 0), L_LOOPBACK);
        jump(a, JUMP32_IMM(BPF_JEQ, BPF_REG_2, (int32_t)htonl(1)), L_LOOPBACK);
        jump(a, GOTO, L_OUTSIDE);
}

/* The socket tuple of a listener on the destination, for
 * bpf_sk_lookup_tcp: source zero, destination the key's, the unspecified
 * address as lo's (where Linux sends it). Returns the tuple's size. */
static int build_tuple(struct assembler *a, bool v6)
{
        struct bpf_sock_tuple t;
        int daddr = v6 ? (int)((char *)t.ipv6.daddr - (char *)&t)
                       : (int)((char *)&t.ipv4.daddr - (char *)&t);
        int dport = v6 ? (int)((char *)&t.ipv6.dport - (char *)&t)
                       : (int)((char *)&t.ipv4.dport - (char *)&t);
        int words = v6 ? 4 : 1;
        for (int off = 0; off < (int)sizeof(t); off += 8)
                emit(a, STORE_IMM(BPF_DW, BPF_REG_10, TUPLE + off, 0));
        emit(a, MOV_IMM(BPF_REG_2, 0));
        for (int i = 0; i < words; i++) {
                emit(a, LOAD(BPF_W, BPF_REG_1, BPF_REG_10, KEY_AT(addr) + 4 * i));
                emit(a, STORE(BPF_W, BPF_REG_10, TUPLE + daddr + 4 * i, BPF_REG_1));
                emit(a, ALU_REG(BPF_OR, BPF_REG_2, BPF_REG_1));
        }
        /* Unspecified: skip nothing, store lo's address in the last word. */
        emit(a, INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_2, 0, 1, 0));
        emit(a, STORE_IMM(BPF_W, BPF_REG_10, TUPLE + daddr + 4 * (words - 1),
                          (int32_t)(v6 ? htonl(1) : htonl(INADDR_LOOPBACK))));
        emit(a, STORE(BPF_H, BPF_REG_10, TUPLE + dport, BPF_REG_8));
        return v6 ? (int)sizeof(t.ipv6) : (int)sizeof(t.ipv4);
}

/* A loopback TCP destination whose port the host serves (the host_ports
 * map), where nothing inside listens (bpf_sk_lookup_tcp finds no socket
 * in the command's namespace): marked LP_NET_HOST_SERVICE and recorded.
 * Any other loopback destination: let through, uncounted. */
static void check_host_service(struct assembler *a, const struct lp_net_program_spec *s)
{
        emit(a, LOAD(BPF_W, BPF_REG_1, BPF_REG_10, KEY_AT(protocol)));
        jump(a, JUMP32_IMM(BPF_JNE, BPF_REG_1, IPPROTO_TCP), L_DONE);
        emit(a, STORE_IMM(BPF_DW, BPF_REG_10, PORT_KEY, 0));
        emit(a, STORE(BPF_H, BPF_REG_10, PORT_KEY, BPF_REG_8));
        load_map(a, BPF_REG_1, s->host_ports);
        emit(a, MOV_REG(BPF_REG_2, BPF_REG_10));
        emit(a, ALU_IMM(BPF_ADD, BPF_REG_2, PORT_KEY));
        emit(a, CALL(BPF_FUNC_map_lookup_elem));
        jump(a, JUMP_IMM(BPF_JEQ, BPF_REG_0, 0), L_DONE);
        int size = build_tuple(a, is_ipv6(s->hook));
        emit(a, MOV_REG(BPF_REG_1, BPF_REG_6));
        emit(a, MOV_REG(BPF_REG_2, BPF_REG_10));
        emit(a, ALU_IMM(BPF_ADD, BPF_REG_2, TUPLE));
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

/* r0 = the events map's value for the key, or NULL. */
static void lookup_key(struct assembler *a, int map)
{
        load_map(a, BPF_REG_1, map);
        emit(a, MOV_REG(BPF_REG_2, BPF_REG_10));
        emit(a, ALU_IMM(BPF_ADD, BPF_REG_2, KEY));
        emit(a, CALL(BPF_FUNC_map_lookup_elem));
}

/* Counts the key: a new entry (count 0, when, the thread's name) is added
 * unless one is there (BPF_NOEXIST), and its first sighting announced in
 * the ring buffer, so that the supervisor reads the process's executable
 * while it runs; then the entry's count gets an atomic add. A full map:
 * the overflow counter. Every sighting is counted once; one path through
 * the program, short for the verifier (its time is paid at every launch). */
static void record(struct assembler *a, const struct lp_net_program_spec *s)
{
        place(a, L_RECORD);
        emit(a, CALL(BPF_FUNC_get_current_pid_tgid));
        emit(a, ALU_IMM(BPF_RSH, BPF_REG_0, 32));
        emit(a, STORE(BPF_W, BPF_REG_10, KEY_AT(tgid), BPF_REG_0));
        for (int off = 0; off < (int)sizeof(struct lp_net_value); off += 8)
                emit(a, STORE_IMM(BPF_DW, BPF_REG_10, VALUE + off, 0));
        emit(a, CALL(BPF_FUNC_ktime_get_ns));
        emit(a, STORE(BPF_DW, BPF_REG_10, VALUE_AT(first_ns), BPF_REG_0));
        emit(a, MOV_REG(BPF_REG_1, BPF_REG_10));
        emit(a, ALU_IMM(BPF_ADD, BPF_REG_1, VALUE_AT(comm)));
        emit(a, MOV_IMM(BPF_REG_2, sizeof(((struct lp_net_value *)0)->comm)));
        emit(a, CALL(BPF_FUNC_get_current_comm));
        load_map(a, BPF_REG_1, s->events);
        emit(a, MOV_REG(BPF_REG_2, BPF_REG_10));
        emit(a, ALU_IMM(BPF_ADD, BPF_REG_2, KEY));
        emit(a, MOV_REG(BPF_REG_3, BPF_REG_10));
        emit(a, ALU_IMM(BPF_ADD, BPF_REG_3, VALUE));
        emit(a, MOV_IMM(BPF_REG_4, BPF_NOEXIST));
        emit(a, CALL(BPF_FUNC_map_update_elem));
        jump(a, JUMP_IMM(BPF_JNE, BPF_REG_0, 0), L_INSERT); /* there already, or full */
        load_map(a, BPF_REG_1, s->announce);
        emit(a, MOV_REG(BPF_REG_2, BPF_REG_10));
        emit(a, ALU_IMM(BPF_ADD, BPF_REG_2, KEY));
        emit(a, MOV_IMM(BPF_REG_3, sizeof(struct lp_net_key)));
        emit(a, MOV_IMM(BPF_REG_4, 0));
        emit(a, CALL(BPF_FUNC_ringbuf_output));

        place(a, L_INSERT); /* (the count) */
        lookup_key(a, s->events);
        jump(a, JUMP_IMM(BPF_JNE, BPF_REG_0, 0), L_ANNOUNCE); /* (the add) */
        emit(a, STORE_IMM(BPF_DW, BPF_REG_10, PORT_KEY, 0));
        load_map(a, BPF_REG_1, s->overflow);
        emit(a, MOV_REG(BPF_REG_2, BPF_REG_10));
        emit(a, ALU_IMM(BPF_ADD, BPF_REG_2, PORT_KEY));
        emit(a, CALL(BPF_FUNC_map_lookup_elem));
        jump(a, JUMP_IMM(BPF_JEQ, BPF_REG_0, 0), L_DONE);
        place(a, L_ANNOUNCE);
        emit(a, MOV_IMM(BPF_REG_1, 1));
        emit(a, ATOMIC_ADD(BPF_REG_0, 0, BPF_REG_1));
}

size_t lp_net_program(const struct lp_net_program_spec *s, struct bpf_insn *insns)
{
        struct assembler a = {.insns = insns};
        for (int i = 0; i < L_COUNT; i++)
                a.label_at[i] = -1;
        emit(&a, MOV_REG(BPF_REG_6, BPF_REG_1));
        build_key(&a, s);
        if (is_ipv6(s->hook))
                classify_ipv6(&a);
        else
                classify_ipv4(&a);
        place(&a, L_LOOPBACK);
        if (s->loopback_reaches) {
                if (is_connect(s->hook) && s->host_ports >= 0)
                        check_host_service(&a, s);
                else
                        jump(&a, GOTO, L_DONE);
        }
        place(&a, L_OUTSIDE);
        record(&a, s);
        place(&a, L_DONE);
        emit(&a, MOV_IMM(BPF_REG_0, 1)); /* let the call through */
        emit(&a, EXIT);
        resolve(&a);
        return a.n;
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
