/* The filesystem observer's program (fs_bpf.h). Register use: r6 the
 * context (the tracepoint's arguments: struct pt_regs *, the return
 * value), r7 the return value, r8 the key being built (in the scratch
 * map), r9 the syscall's number. On the stack, below r10: the syscall's
 * registers at REGS, the paths' addresses at PATH0 and PATH1, a zero map
 * index at INDEX, the map value at VALUE. */
#include "rules/fs_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>

#include "base/util.h"
#include "profile/policy.h"
#include "rules/bpf_asm.h"
#include "rules/watch.h"

enum label {
        L_READ, /* the syscall is one of ours: copy its paths */
        L_FIND,
        L_ADD,
        L_DONE,
        L_COUNT,
};

/* struct pt_regs on x86-64 (arch/x86/include/asm/ptrace.h): the
 * registers from r10 (56) to orig_ax (120) are copied to the stack. */
#define REGS_FIRST 56
#define REGS_SIZE 72
#define REGS (-REGS_SIZE)
#define ORIG_AX 120
#define PATH0 (REGS - 8)
#define PATH1 (PATH0 - 8)
#define INDEX (PATH1 - 8)
#define VALUE (INDEX - (int)sizeof(struct lp_fs_value))

#define KEY_AT(field) ((int16_t)offsetof(struct lp_fs_key, field))

/* The write-intent open flags, as the filter's (rules/watch.c). */
#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TMPFILE_ONLY | O_TRUNC)
#define O_TMPFILE_ONLY (O_TMPFILE & ~O_DIRECTORY)

/* Where syscall argument i is on the stack: di, si, dx, r10, r8, r9. */
static int arg_at(int i)
{
        static const int pt_regs_offset[6] = {112, 104, 96, 56, 72, 64};
        return REGS + pt_regs_offset[i] - REGS_FIRST;
}

static void load_arg(struct lp_bpf_asm *a, int dst, int i)
{
        lp_bpf_emit(a, BPF_LOAD(BPF_DW, dst, BPF_REG_10, (int16_t)arg_at(i)));
}

/* Only the run's processes, only the refusals: everything else (every
 * syscall of the machine) leaves after a few instructions. */
static void prologue(struct lp_bpf_asm *a, const struct lp_fs_program_spec *s)
{
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_6, BPF_REG_1));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_get_current_cgroup_id));
        lp_bpf_load_imm64(a, BPF_REG_1, s->cgroup_id);
        lp_bpf_jump(a, BPF_JUMP_REG(BPF_JNE, BPF_REG_0, BPF_REG_1), L_DONE);
        lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_7, BPF_REG_6, 8));
        /* -EROFS, -EACCES, -EPERM: on to the registers (skip the goto). */
        lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_7, 0, 3, -EROFS));
        lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_7, 0, 2, -EACCES));
        lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_7, 0, 1, -EPERM));
        lp_bpf_jump(a, BPF_GOTO, L_DONE);
        lp_bpf_stack_pointer(a, BPF_REG_1, REGS);
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_2, REGS_SIZE));
        lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_3, BPF_REG_6, 0));
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_ADD, BPF_REG_3, REGS_FIRST));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_probe_read_kernel));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_0, 0), L_DONE);
        lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_9, BPF_REG_10, REGS + ORIG_AX - REGS_FIRST));
}

/* r8 = the scratch key, zeroed whole (the map compares every byte), with
 * the number and the error. */
static void start_key(struct lp_bpf_asm *a, const struct lp_fs_program_spec *s)
{
        lp_bpf_emit(a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, INDEX, 0));
        lp_bpf_load_map(a, BPF_REG_1, s->scratch);
        lp_bpf_stack_pointer(a, BPF_REG_2, INDEX);
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_map_lookup_elem));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_0, 0), L_DONE);
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_8, BPF_REG_0));
        for (int off = 0; off < (int)sizeof(struct lp_fs_key); off += 8)
                lp_bpf_emit(a, BPF_STORE_IMM(BPF_DW, BPF_REG_8, (int16_t)off, 0));
        lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_8, KEY_AT(nr), BPF_REG_9));
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_1, BPF_REG_7));
        lp_bpf_emit(a, LP_BPF_INSN(BPF_ALU64 | BPF_NEG, BPF_REG_1, 0, 0, 0));
        lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_8, KEY_AT(error), BPF_REG_1));
        lp_bpf_emit(a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, PATH1, 0));
}

/* Not counted unless the open writes: its flags in a register, or
 * openat2's in its struct open_how (copied into the key). */
static void require_write_open(struct lp_bpf_asm *a, const struct lp_watch_path *how)
{
        if (how->op != LP_FS_OP_OPEN || how->flags == 0)
                return; /* creat(2), or not an open */
        if (how->flags > 0) {
                load_arg(a, BPF_REG_1, how->flags);
        } else {
                lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_1, BPF_REG_8));
                lp_bpf_emit(a, BPF_ALU_IMM(BPF_ADD, BPF_REG_1, KEY_AT(how_flags)));
                lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_2, 8));
                load_arg(a, BPF_REG_3, 2);
                lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_probe_read_user));
                lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_0, 0), L_DONE);
                lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_1, BPF_REG_8, KEY_AT(how_flags)));
        }
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_AND, BPF_REG_1, WRITE_FLAGS));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_1, 0), L_DONE);
}

/* The calls the filter still notifies (lp_watch_fs_counted) are the
 * supervisor's: not counted here. */
static void require_in_kernel(struct lp_bpf_asm *a, const struct lp_fs_program_spec *s,
                              struct lp_fs_counted c)
{
        if (c.kind == LP_FS_COUNTED_PLAIN_MODE) {
                /* Notified: a set-id mode, with flags that create (if any). */
                load_arg(a, BPF_REG_1, c.arg);
                lp_bpf_emit(a, BPF_ALU_IMM(BPF_AND, BPF_REG_1, S_ISUID | S_ISGID));
                lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0,
                                           c.flags_arg >= 0 ? 4 : 1, 0));
                if (c.flags_arg >= 0) {
                        load_arg(a, BPF_REG_1, c.flags_arg);
                        lp_bpf_emit(a, BPF_ALU_IMM(BPF_AND, BPF_REG_1, O_CREAT | O_TMPFILE_ONLY));
                        lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_1, 0, 1, 0));
                }
                lp_bpf_jump(a, BPF_GOTO, L_DONE);
        } else if (c.kind == LP_FS_COUNTED_OWN_IDS) {
                /* In the kernel: each id the own one, or -1 (32 bits). */
                const uint32_t ids[2] = {s->own_uid, s->own_gid};
                for (int i = 0; i < 2; i++) {
                        load_arg(a, BPF_REG_1, c.arg + i);
                        lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_1, 0, 1,
                                                   (int32_t)ids[i]));
                        lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JNE, BPF_REG_1, -1), L_DONE);
                }
        }
}

/* A path's resolution arguments into the key, its address to PATH0/1. */
static void take_path(struct lp_bpf_asm *a, const struct lp_watch_path *how, int slot)
{
        if (how->dirfd >= 0) {
                load_arg(a, BPF_REG_1, how->dirfd);
                lp_bpf_emit(a,
                            BPF_STORE(BPF_DW, BPF_REG_8, KEY_AT(args) + 8 * how->dirfd, BPF_REG_1));
        }
        if (how->flags > 0) {
                load_arg(a, BPF_REG_1, how->flags);
                lp_bpf_emit(a,
                            BPF_STORE(BPF_DW, BPF_REG_8, KEY_AT(args) + 8 * how->flags, BPF_REG_1));
        }
        load_arg(a, BPF_REG_1, how->path);
        lp_bpf_emit(a, BPF_STORE(BPF_DW, BPF_REG_10, (int16_t)slot, BPF_REG_1));
}

/* One syscall of the policy's: its number, then what it needs. */
static void dispatch(struct lp_bpf_asm *a, const struct lp_fs_program_spec *s,
                     const struct lp_syscall_rule *rule, struct lp_fs_counted c)
{
        const struct lp_watch_paths *paths =
                lp_watch_paths_of(lp_watch_find(rule->name), rule->name);
        int next = lp_bpf_label(a);
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_9, rule->nr), next);
        require_write_open(a, &paths->first);
        require_in_kernel(a, s, c);
        take_path(a, &paths->first, PATH0);
        if (paths->second.op != LP_FS_OP_NONE)
                take_path(a, &paths->second, PATH1);
        /* The number is in the key: r9 forgotten, so that the verifier
         * sees one state at L_READ, not one per syscall (its time is
         * paid at every launch). */
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_9, 0));
        lp_bpf_jump(a, BPF_GOTO, L_READ);
        lp_bpf_place(a, next);
}

/* The paths, then the process, then the count (as the network
 * observer's: a new key added and announced, then an atomic add; a full
 * map, the overflow counter). */
static void count(struct lp_bpf_asm *a, const struct lp_fs_program_spec *s)
{
        lp_bpf_place(a, L_READ);
        for (int i = 0; i < 2; i++) {
                /* No second path: the four that copy it are skipped. */
                lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_3, BPF_REG_10, i ? PATH1 : PATH0));
                lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_3, 0, 4, 0));
                lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_1, BPF_REG_8));
                lp_bpf_emit(a, BPF_ALU_IMM(BPF_ADD, BPF_REG_1, KEY_AT(path) + i * LP_FS_PATH_MAX));
                lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_2, LP_FS_PATH_MAX));
                lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_probe_read_user_str));
        }
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_get_current_pid_tgid));
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_RSH, BPF_REG_0, 32));
        lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_8, KEY_AT(tgid), BPF_REG_0));
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_1, BPF_REG_8));
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_ADD, BPF_REG_1, KEY_AT(comm)));
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_2, sizeof(((struct lp_fs_key *)0)->comm)));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_get_current_comm));
        lp_bpf_emit(a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, VALUE, 0));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_ktime_get_ns));
        lp_bpf_emit(a, BPF_STORE(BPF_DW, BPF_REG_10, VALUE + 8, BPF_REG_0));
        lp_bpf_load_map(a, BPF_REG_1, s->events);
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_2, BPF_REG_8));
        lp_bpf_stack_pointer(a, BPF_REG_3, VALUE);
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_4, BPF_NOEXIST));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_map_update_elem));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_0, 0), L_FIND); /* there already, or full */
        lp_bpf_load_map(a, BPF_REG_1, s->announce);
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_2, BPF_REG_8));
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_3, sizeof(struct lp_fs_key)));
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_4, 0));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_ringbuf_output));
        lp_bpf_place(a, L_FIND);
        lp_bpf_load_map(a, BPF_REG_1, s->events);
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_2, BPF_REG_8));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_map_lookup_elem));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_0, 0), L_ADD);
        lp_bpf_load_map(a, BPF_REG_1, s->overflow);
        lp_bpf_stack_pointer(a, BPF_REG_2, INDEX);
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_map_lookup_elem));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_0, 0), L_DONE);
        lp_bpf_place(a, L_ADD);
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_1, 1));
        lp_bpf_emit(a, BPF_ATOMIC_ADD(BPF_REG_0, 0, BPF_REG_1));
}

size_t lp_fs_counted_syscalls(const struct lp_fs_program_spec *s, int *nrs, size_t max)
{
        const struct lp_policy *p = s->policy;
        size_t n = 0;
        for (size_t i = 0; i < p->n_syscalls; i++) {
                struct lp_fs_counted c = lp_watch_fs_counted(p, &p->syscalls[i], s->own_ids_fixed);
                if (c.kind == LP_FS_COUNTED_NEVER || p->syscalls[i].nr < 0)
                        continue;
                if (n < max)
                        nrs[n] = p->syscalls[i].nr;
                n++;
        }
        return n;
}

size_t lp_fs_program(const struct lp_fs_program_spec *s, struct bpf_insn *insns, bool *none)
{
        const struct lp_policy *p = s->policy;
        struct lp_bpf_asm a;
        lp_bpf_asm_init(&a, insns, LP_FS_PROGRAM_MAX, L_COUNT);
        *none = lp_fs_counted_syscalls(s, NULL, 0) == 0;
        if (*none)
                return 0;
        prologue(&a, s);
        start_key(&a, s);
        for (size_t i = 0; i < p->n_syscalls; i++) {
                struct lp_fs_counted c = lp_watch_fs_counted(p, &p->syscalls[i], s->own_ids_fixed);
                if (c.kind != LP_FS_COUNTED_NEVER && p->syscalls[i].nr >= 0)
                        dispatch(&a, s, &p->syscalls[i], c);
        }
        lp_bpf_jump(&a, BPF_GOTO, L_DONE);
        count(&a, s);
        lp_bpf_place(&a, L_DONE);
        lp_bpf_emit(&a, BPF_MOV_IMM(BPF_REG_0, 0));
        lp_bpf_emit(&a, BPF_EXIT_INSN);
        return lp_bpf_finish(&a);
}
