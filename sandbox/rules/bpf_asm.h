/* A small BPF assembler for the observers' programs (net_bpf.h,
 * fs_bpf.h): instructions, and forward jumps to labels filled in at the
 * end. Programs of a few dozen to a few hundred instructions, built at
 * each launch without a compiler or a loader library, as systemd builds
 * its IPAddressDeny= programs. Pure: makes no system call. */
#pragma once
#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define LP_BPF_LABELS_MAX 128
#define LP_BPF_JUMPS_MAX 320

struct lp_bpf_asm {
        struct bpf_insn *insns;
        size_t n, max;
        bool overflow; /* an instruction, a label or a jump did not fit */
        ssize_t label_at[LP_BPF_LABELS_MAX];
        int n_labels;
        struct {
                size_t insn;
                int label;
        } jumps[LP_BPF_JUMPS_MAX];
        size_t n_jumps;
};

/* Room for `max` instructions in `insns`; labels 0..n_fixed-1 are the
 * caller's (an enum), lp_bpf_label() hands out the next ones. */
void lp_bpf_asm_init(struct lp_bpf_asm *a, struct bpf_insn *insns, size_t max, int n_fixed);
int lp_bpf_label(struct lp_bpf_asm *a);
void lp_bpf_emit(struct lp_bpf_asm *a, struct bpf_insn insn);
void lp_bpf_place(struct lp_bpf_asm *a, int label);
/* A jump whose offset lp_bpf_finish fills in. */
void lp_bpf_jump(struct lp_bpf_asm *a, struct bpf_insn insn, int label);
/* A map's fd into dst: the two-slot 64-bit load the kernel turns into
 * the map's address. */
void lp_bpf_load_map(struct lp_bpf_asm *a, int dst, int fd);
/* A 64-bit constant into dst (two slots). */
void lp_bpf_load_imm64(struct lp_bpf_asm *a, int dst, uint64_t value);
/* dst = r10 + offset: a pointer to a stack slot. */
void lp_bpf_stack_pointer(struct lp_bpf_asm *a, int dst, int offset);
/* Counting a key, as both observers do: a new entry (the value the
 * caller filled on the stack) is added unless one is there
 * (BPF_NOEXIST), and then announced in the ring buffer (the announcement
 * starts with the key); then the entry's count (its value's first u64)
 * gets an atomic add. A full map: the overflow counter (array[1]).
 * Every sighting is counted once. Uses r0-r5. */
struct lp_bpf_count {
        int events, announce, overflow; /* map fds */
        int key;                        /* a register (r6-r9) pointing at the key */
        int announce_size;
        int value, index; /* stack offsets: the new entry's value, a u32 slot */
        /* The overflow counts only keys whose u32 at this offset is
         * overflow_if (0: every key). */
        int overflow_if_at;
        int32_t overflow_if;
        int done; /* the label past the count */
};
void lp_bpf_count(struct lp_bpf_asm *a, const struct lp_bpf_count *c);

/* The number of instructions, or 0: something did not fit, or a jump
 * goes to a label never placed (a program cut short would still pass
 * the verifier, and count the wrong calls). */
size_t lp_bpf_finish(struct lp_bpf_asm *a);

#define LP_BPF_INSN(code_, dst_, src_, off_, imm_) \
        ((struct bpf_insn){.code = (code_),        \
                           .dst_reg = (dst_),      \
                           .src_reg = (src_),      \
                           .off = (off_),          \
                           .imm = (imm_)})
#define BPF_MOV_REG(dst, src) LP_BPF_INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define BPF_MOV_IMM(dst, imm) LP_BPF_INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define BPF_ALU_IMM(op, dst, imm) LP_BPF_INSN(BPF_ALU64 | (op) | BPF_K, dst, 0, 0, imm)
#define BPF_ALU_REG(op, dst, src) LP_BPF_INSN(BPF_ALU64 | (op) | BPF_X, dst, src, 0, 0)
#define BPF_ALU32_IMM(op, dst, imm) LP_BPF_INSN(BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define BPF_LOAD(size, dst, src, off) LP_BPF_INSN(BPF_LDX | (size) | BPF_MEM, dst, src, off, 0)
#define BPF_STORE(size, dst, off, src) LP_BPF_INSN(BPF_STX | (size) | BPF_MEM, dst, src, off, 0)
#define BPF_STORE_IMM(size, dst, off, imm) LP_BPF_INSN(BPF_ST | (size) | BPF_MEM, dst, 0, off, imm)
#define BPF_ATOMIC_ADD(dst, off, src) \
        LP_BPF_INSN(BPF_STX | BPF_DW | BPF_ATOMIC, dst, src, off, BPF_ADD)
#define BPF_JUMP_IMM(op, dst, imm) LP_BPF_INSN(BPF_JMP | (op) | BPF_K, dst, 0, 0, imm)
#define BPF_JUMP_REG(op, dst, src) LP_BPF_INSN(BPF_JMP | (op) | BPF_X, dst, src, 0, 0)
/* Compares the low 32 bits: an address word is unsigned, an immediate
 * sign-extended. */
#define BPF_JUMP32_IMM(op, dst, imm) LP_BPF_INSN(BPF_JMP32 | (op) | BPF_K, dst, 0, 0, imm)
#define BPF_GOTO LP_BPF_INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0)
#define BPF_CALL_HELPER(fn) LP_BPF_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, fn)
#define BPF_EXIT_INSN LP_BPF_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)
