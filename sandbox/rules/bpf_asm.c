/* The observers' assembler (bpf_asm.h). */
#include "rules/bpf_asm.h"

void lp_bpf_asm_init(struct lp_bpf_asm *a, struct bpf_insn *insns, size_t max, int n_fixed)
{
        *a = (struct lp_bpf_asm){.insns = insns, .max = max, .n_labels = n_fixed};
        for (int i = 0; i < LP_BPF_LABELS_MAX; i++)
                a->label_at[i] = -1;
        a->overflow = n_fixed > LP_BPF_LABELS_MAX;
}

int lp_bpf_label(struct lp_bpf_asm *a)
{
        if (a->n_labels < LP_BPF_LABELS_MAX)
                return a->n_labels++;
        a->overflow = true;
        return 0;
}

void lp_bpf_emit(struct lp_bpf_asm *a, struct bpf_insn insn)
{
        if (a->n < a->max)
                a->insns[a->n++] = insn;
        else
                a->overflow = true;
}

void lp_bpf_place(struct lp_bpf_asm *a, int label)
{
        if (label >= 0 && label < LP_BPF_LABELS_MAX)
                a->label_at[label] = (ssize_t)a->n;
        else
                a->overflow = true;
}

void lp_bpf_jump(struct lp_bpf_asm *a, struct bpf_insn insn, int label)
{
        if (a->n_jumps < LP_BPF_JUMPS_MAX)
                a->jumps[a->n_jumps++] = (typeof(a->jumps[0])){a->n, label};
        else
                a->overflow = true;
        lp_bpf_emit(a, insn);
}

void lp_bpf_load_map(struct lp_bpf_asm *a, int dst, int fd)
{
        lp_bpf_emit(a, LP_BPF_INSN(BPF_LD | BPF_DW | BPF_IMM, dst, BPF_PSEUDO_MAP_FD, 0, fd));
        lp_bpf_emit(a, LP_BPF_INSN(0, 0, 0, 0, 0));
}

void lp_bpf_load_imm64(struct lp_bpf_asm *a, int dst, uint64_t value)
{
        lp_bpf_emit(a, LP_BPF_INSN(BPF_LD | BPF_DW | BPF_IMM, dst, 0, 0, (int32_t)(uint32_t)value));
        lp_bpf_emit(a, LP_BPF_INSN(0, 0, 0, 0, (int32_t)(uint32_t)(value >> 32)));
}

void lp_bpf_stack_pointer(struct lp_bpf_asm *a, int dst, int offset)
{
        lp_bpf_emit(a, BPF_MOV_REG(dst, BPF_REG_10));
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_ADD, dst, offset));
}

void lp_bpf_count(struct lp_bpf_asm *a, const struct lp_bpf_count *c)
{
        lp_bpf_load_map(a, BPF_REG_1, c->events);
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_2, c->key));
        lp_bpf_stack_pointer(a, BPF_REG_3, c->value);
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_4, BPF_NOEXIST));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_map_update_elem));
        /* There already, or full: no announcement (the next six). */
        lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, 6, 0));
        lp_bpf_load_map(a, BPF_REG_1, c->announce);
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_2, c->key));
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_3, c->announce_size));
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_4, 0));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_ringbuf_output));
        lp_bpf_load_map(a, BPF_REG_1, c->events);
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_2, c->key));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_map_lookup_elem));
        /* Found: on to the add (past the overflow's six, or eight). */
        bool only = c->overflow_if_at != 0;
        lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_0, 0, only ? 8 : 6, 0));
        if (only) {
                lp_bpf_emit(a, BPF_LOAD(BPF_W, BPF_REG_1, c->key, (int16_t)c->overflow_if_at));
                lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JNE, BPF_REG_1, c->overflow_if), c->done);
        }
        lp_bpf_emit(a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, (int16_t)c->index, 0));
        lp_bpf_load_map(a, BPF_REG_1, c->overflow);
        lp_bpf_stack_pointer(a, BPF_REG_2, c->index);
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_map_lookup_elem));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_0, 0), c->done);
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_1, 1));
        lp_bpf_emit(a, BPF_ATOMIC_ADD(BPF_REG_0, 0, BPF_REG_1));
}

size_t lp_bpf_finish(struct lp_bpf_asm *a)
{
        if (a->overflow)
                return 0;
        for (size_t i = 0; i < a->n_jumps; i++) {
                size_t at = a->jumps[i].insn;
                int l = a->jumps[i].label;
                ssize_t to = l >= 0 && l < LP_BPF_LABELS_MAX ? a->label_at[l] : -1;
                if (to < 0 || at >= a->n || to <= (ssize_t)at)
                        return 0;
                a->insns[at].off = (int16_t)(to - (ssize_t)at - 1);
        }
        return a->n;
}
