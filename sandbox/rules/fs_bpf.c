/* The filesystem observer's program (fs_bpf.h). Register use: r6 the
 * context (the tracepoint's arguments: struct pt_regs *, the return
 * value), r7 the syscall's entry of the calls map, r8 the key being
 * built (in the scratch map), r9 the syscall's number. On the stack,
 * below r10: the syscall's registers at REGS, its arguments in order at
 * ARGS, the paths' addresses at PATH0 and PATH1, a map index at INDEX,
 * the map value at VALUE. One path through the program for every
 * syscall: what differs between them is data (the calls map), which the
 * verifier does not follow, so it looks at the program once. */
#include "rules/fs_bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "base/util.h"
#include "profile/policy.h"
#include "rules/bpf_asm.h"
#include "rules/watch.h"

enum label {
        L_MODE,  /* the set-id mode check */
        L_OWNER, /* the own-ids check */
        L_COPY,  /* the arguments into the key */
        L_DONE,
        L_COUNT,
};

/* struct pt_regs on x86-64 (arch/x86/include/asm/ptrace.h): the
 * registers from r10 (56) to orig_ax (120) are copied to the stack. */
#define REGS_FIRST 56
#define REGS_SIZE 72
#define REGS (-REGS_SIZE)
#define ORIG_AX 120
#define ARGS (REGS - 48)
#define PATH0 (ARGS - 8)
#define PATH1 (PATH0 - 8)
#define INDEX (PATH1 - 8)
#define VALUE (INDEX - (int)sizeof(struct lp_fs_value))

#define KEY_AT(field) ((int16_t)offsetof(struct lp_fs_key, field))
#define CALL_AT(field) ((int16_t)offsetof(struct lp_fs_call, field))

/* The write-intent open flags, as the filter's (rules/watch.c). */
#define O_TMPFILE_ONLY (O_TMPFILE & ~O_DIRECTORY)
#define WRITE_FLAGS (O_WRONLY | O_RDWR | O_CREAT | O_TMPFILE_ONLY | O_TRUNC)

/* Syscall arguments in pt_regs: di, si, dx, r10, r8, r9. */
static const int pt_regs_offset[6] = {112, 104, 96, 56, 72, 64};

/* Only the refusals, only the run's processes: everything else (every
 * syscall of the machine) leaves after a few instructions. Then the
 * registers, the arguments in order, and the syscall's number (r9). */
static void prologue(struct lp_bpf_asm *a, const struct lp_fs_program_spec *s)
{
        /* -EROFS, -EACCES, -EPERM, -EXDEV (a rename or link across the
         * plan's mounts, refused before their read-only test) go on
         * (skip the goto): a call that succeeded, almost every one,
         * leaves after nine instructions. */
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_6, BPF_REG_1));
        lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_7, BPF_REG_6, 8));
        lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_7, 0, 4, -EROFS));
        lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_7, 0, 3, -EACCES));
        lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_7, 0, 2, -EPERM));
        lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_7, 0, 1, -EXDEV));
        lp_bpf_jump(a, BPF_GOTO, L_DONE);
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_get_current_cgroup_id));
        lp_bpf_load_imm64(a, BPF_REG_1, s->cgroup_id);
        lp_bpf_jump(a, BPF_JUMP_REG(BPF_JNE, BPF_REG_0, BPF_REG_1), L_DONE);
        lp_bpf_stack_pointer(a, BPF_REG_1, REGS);
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_2, REGS_SIZE));
        lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_3, BPF_REG_6, 0));
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_ADD, BPF_REG_3, REGS_FIRST));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_probe_read_kernel));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_0, 0), L_DONE);
        for (int i = 0; i < 6; i++) {
                lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_1, BPF_REG_10,
                                        (int16_t)(REGS + pt_regs_offset[i] - REGS_FIRST)));
                lp_bpf_emit(a, BPF_STORE(BPF_DW, BPF_REG_10, (int16_t)(ARGS + 8 * i), BPF_REG_1));
        }
        lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_9, BPF_REG_10, REGS + ORIG_AX - REGS_FIRST));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JGE, BPF_REG_9, LP_FS_CALLS_MAX), L_DONE);
}

/* r8 = the scratch key, zeroed whole (the map compares every byte), with
 * the number and the error; then r7 = the syscall's entry, or done. */
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
        lp_bpf_emit(a, LP_BPF_INSN(BPF_ALU64 | BPF_NEG, BPF_REG_7, 0, 0, 0));
        lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_8, KEY_AT(error), BPF_REG_7));
        lp_bpf_emit(a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, PATH0, 0));
        lp_bpf_emit(a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, PATH1, 0));
        lp_bpf_emit(a, BPF_STORE(BPF_W, BPF_REG_10, INDEX, BPF_REG_9));
        lp_bpf_load_map(a, BPF_REG_1, s->calls);
        lp_bpf_stack_pointer(a, BPF_REG_2, INDEX);
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_map_lookup_elem));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_0, 0), L_DONE);
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_7, BPF_REG_0));
        lp_bpf_emit(a, BPF_LOAD(BPF_B, BPF_REG_1, BPF_REG_7, CALL_AT(counted)));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_1, LP_FS_COUNTED_NEVER), L_DONE);
}

/* dst = the argument whose index is the entry's byte at `field`; past 5
 * (none), a jump to `none`. A stack read at a bounded variable offset
 * (privileged programs may). Uses r2 and r3. */
static void arg_of(struct lp_bpf_asm *a, int dst, int16_t field, int none)
{
        lp_bpf_emit(a, BPF_LOAD(BPF_B, BPF_REG_2, BPF_REG_7, field));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JGT, BPF_REG_2, 5), none);
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_LSH, BPF_REG_2, 3));
        lp_bpf_stack_pointer(a, BPF_REG_3, ARGS);
        lp_bpf_emit(a, BPF_ALU_REG(BPF_ADD, BPF_REG_3, BPF_REG_2));
        lp_bpf_emit(a, BPF_LOAD(BPF_DW, dst, BPF_REG_3, 0));
}

/* Not counted unless an open writes: its flags in a register, or
 * openat2's in its struct open_how (copied into the key). */
static void require_write_open(struct lp_bpf_asm *a)
{
        int how = lp_bpf_label(a), check = lp_bpf_label(a);
        lp_bpf_emit(a, BPF_LOAD(BPF_B, BPF_REG_4, BPF_REG_7, CALL_AT(open)));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_4, LP_FS_OPEN_NONE), L_MODE);
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_4, LP_FS_OPEN_HOW), how);
        arg_of(a, BPF_REG_1, CALL_AT(open_arg), L_DONE);
        lp_bpf_jump(a, BPF_GOTO, check);
        lp_bpf_place(a, how);
        lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_1, BPF_REG_8));
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_ADD, BPF_REG_1, KEY_AT(how_flags)));
        lp_bpf_emit(a, BPF_MOV_IMM(BPF_REG_2, 8));
        lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_3, BPF_REG_10, ARGS + 8 * 2));
        lp_bpf_emit(a, BPF_CALL_HELPER(BPF_FUNC_probe_read_user));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_0, 0), L_DONE);
        lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_1, BPF_REG_8, KEY_AT(how_flags)));
        lp_bpf_place(a, check);
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_AND, BPF_REG_1, WRITE_FLAGS));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_1, 0), L_DONE);
}

/* The calls the filter still notifies (lp_watch_fs_counted) are the
 * supervisor's: a set-id mode with flags that create (or none), an owner
 * other than the own ids and -1. */
static void require_in_kernel(struct lp_bpf_asm *a, const struct lp_fs_program_spec *s)
{
        lp_bpf_place(a, L_MODE);
        lp_bpf_emit(a, BPF_LOAD(BPF_B, BPF_REG_4, BPF_REG_7, CALL_AT(counted)));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_4, LP_FS_COUNTED_OWN_IDS), L_OWNER);
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_4, LP_FS_COUNTED_PLAIN_MODE), L_COPY);
        arg_of(a, BPF_REG_1, CALL_AT(mode_arg), L_DONE);
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_AND, BPF_REG_1, S_ISUID | S_ISGID));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_1, 0), L_COPY);
        arg_of(a, BPF_REG_1, CALL_AT(mode_flags_arg), L_DONE); /* no flags: notified */
        lp_bpf_emit(a, BPF_ALU_IMM(BPF_AND, BPF_REG_1, O_CREAT | O_TMPFILE_ONLY));
        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JEQ, BPF_REG_1, 0), L_COPY);
        lp_bpf_jump(a, BPF_GOTO, L_DONE);

        lp_bpf_place(a, L_OWNER);
        const uint32_t ids[2] = {s->own_uid, s->own_gid};
        for (int i = 0; i < 2; i++) {
                arg_of(a, BPF_REG_1, CALL_AT(owner_arg), L_DONE);
                if (i) { /* the group: the next argument (r3 still points at the owner) */
                        lp_bpf_jump(a, BPF_JUMP_IMM(BPF_JGE, BPF_REG_2, 5 * 8), L_DONE);
                        lp_bpf_emit(a, BPF_LOAD(BPF_DW, BPF_REG_1, BPF_REG_3, 8));
                }
                lp_bpf_emit(a, LP_BPF_INSN(BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_1, 0, 1,
                                           (int32_t)ids[i]));
                lp_bpf_jump(a, BPF_JUMP32_IMM(BPF_JNE, BPF_REG_1, -1), L_DONE);
        }
}

/* The arguments the path check reads into the key, at their index (a
 * bounded variable offset into the map value); the paths' addresses. */
static void copy_args(struct lp_bpf_asm *a)
{
        lp_bpf_place(a, L_COPY);
        for (int j = 0; j < 4; j++) {
                int next = lp_bpf_label(a);
                arg_of(a, BPF_REG_1, (int16_t)(CALL_AT(copy_arg) + j), next);
                lp_bpf_emit(a, BPF_MOV_REG(BPF_REG_4, BPF_REG_8));
                lp_bpf_emit(a, BPF_ALU_REG(BPF_ADD, BPF_REG_4, BPF_REG_2));
                lp_bpf_emit(a, BPF_STORE(BPF_DW, BPF_REG_4, KEY_AT(args), BPF_REG_1));
                lp_bpf_place(a, next);
        }
        for (int i = 0; i < 2; i++) {
                int next = lp_bpf_label(a);
                arg_of(a, BPF_REG_1, (int16_t)(CALL_AT(path_arg) + i), next);
                lp_bpf_emit(a, BPF_STORE(BPF_DW, BPF_REG_10, i ? PATH1 : PATH0, BPF_REG_1));
                lp_bpf_place(a, next);
        }
}

/* The paths, then the process, then the count (as the network
 * observer's: a new key added and announced, then an atomic add; a full
 * map, the overflow counter). */
static void count(struct lp_bpf_asm *a, const struct lp_fs_program_spec *s)
{
        for (int i = 0; i < 2; i++) {
                /* No such path: the four that copy it are skipped. */
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
        /* Past the map, only what a read-only mount refused is counted:
         * certainly the plan's (fs_observed.c reports it), where an
         * EACCES could be the file's own permissions. */
        lp_bpf_count(a, &(struct lp_bpf_count){.events = s->events,
                                               .announce = s->announce,
                                               .overflow = s->overflow,
                                               .key = BPF_REG_8,
                                               .announce_size = sizeof(struct lp_fs_key),
                                               .value = VALUE,
                                               .index = INDEX,
                                               .overflow_if_at = KEY_AT(error),
                                               .overflow_if = EROFS,
                                               .done = L_DONE});
}

static uint8_t arg_index(int i)
{
        return i >= 0 && i < 6 ? (uint8_t)i : LP_FS_NO_ARG;
}

bool lp_fs_call(const struct lp_fs_program_spec *s, const struct lp_syscall_rule *rule,
                struct lp_fs_call *ret)
{
        struct lp_fs_counted c = lp_watch_fs_counted(s->policy, rule, s->own_ids_fixed);
        if (c.kind == LP_FS_COUNTED_NEVER || rule->nr < 0 || rule->nr >= LP_FS_CALLS_MAX)
                return false;
        const struct lp_watch_paths *paths =
                lp_watch_paths_of(lp_watch_find(rule->name), rule->name);
        const struct lp_watch_path *how[2] = {&paths->first, &paths->second};
        struct lp_fs_call e = {.counted = (uint8_t)c.kind,
                               .mode_arg =
                                       arg_index(c.kind == LP_FS_COUNTED_PLAIN_MODE ? c.arg : -1),
                               .mode_flags_arg = arg_index(c.flags_arg),
                               .owner_arg = arg_index(c.kind == LP_FS_COUNTED_OWN_IDS ? c.arg : -1),
                               .open_arg = LP_FS_NO_ARG};
        if (how[0]->op == LP_FS_OP_OPEN && how[0]->flags > 0) {
                e.open = LP_FS_OPEN_FLAGS;
                e.open_arg = arg_index(how[0]->flags);
        } else if (how[0]->op == LP_FS_OP_OPEN && how[0]->flags == -1) {
                e.open = LP_FS_OPEN_HOW;
        }
        size_t n = 0;
        for (int i = 0; i < 2; i++) {
                bool used = how[i]->op != LP_FS_OP_NONE;
                e.path_arg[i] = arg_index(used ? how[i]->path : -1);
                /* Directory fds, and flags (open's, or a nofollow's). */
                e.copy_arg[n++] = arg_index(used ? how[i]->dirfd : -1);
                e.copy_arg[n++] = arg_index(used && how[i]->flags > 0 ? how[i]->flags : -1);
        }
        *ret = e;
        return true;
}

size_t lp_fs_counted_syscalls(const struct lp_fs_program_spec *s)
{
        const struct lp_policy *p = s->policy;
        struct lp_fs_call e;
        size_t n = 0;
        for (size_t i = 0; i < p->n_syscalls; i++)
                n += lp_fs_call(s, &p->syscalls[i], &e);
        return n;
}

size_t lp_fs_program(const struct lp_fs_program_spec *s, struct bpf_insn *insns)
{
        struct lp_bpf_asm a;
        lp_bpf_asm_init(&a, insns, LP_FS_PROGRAM_MAX, L_COUNT);
        prologue(&a, s);
        start_key(&a, s);
        require_write_open(&a);
        require_in_kernel(&a, s);
        copy_args(&a);
        count(&a, s);
        lp_bpf_place(&a, L_DONE);
        lp_bpf_emit(&a, BPF_MOV_IMM(BPF_REG_0, 0));
        lp_bpf_emit(&a, BPF_EXIT_INSN);
        return lp_bpf_finish(&a);
}

/* The exec program's stack: the filename's address, the path, the key. */
#define EXEC_FILENAME (-8)
#define EXEC_PATH (EXEC_FILENAME - LP_FS_PATH_MAX)
#define EXEC_TGID (EXEC_PATH - 8)

size_t lp_fs_exec_program(const struct lp_fs_program_spec *s, struct bpf_insn *insns)
{
        struct lp_bpf_asm a;
        lp_bpf_asm_init(&a, insns, LP_FS_PROGRAM_MAX, L_COUNT);
        /* sys_enter's arguments: struct pt_regs *, the syscall's number;
         * anything but an execve leaves after three instructions. */
        lp_bpf_emit(&a, BPF_MOV_REG(BPF_REG_6, BPF_REG_1));
        lp_bpf_emit(&a, BPF_LOAD(BPF_DW, BPF_REG_1, BPF_REG_6, 8));
        lp_bpf_jump(&a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_1, SYS_execve), L_DONE);
        lp_bpf_emit(&a, BPF_CALL_HELPER(BPF_FUNC_get_current_cgroup_id));
        lp_bpf_load_imm64(&a, BPF_REG_1, s->cgroup_id);
        lp_bpf_jump(&a, BPF_JUMP_REG(BPF_JNE, BPF_REG_0, BPF_REG_1), L_DONE);
        lp_bpf_stack_pointer(&a, BPF_REG_1, EXEC_FILENAME);
        lp_bpf_emit(&a, BPF_MOV_IMM(BPF_REG_2, 8));
        lp_bpf_emit(&a, BPF_LOAD(BPF_DW, BPF_REG_3, BPF_REG_6, 0));
        lp_bpf_emit(&a, BPF_ALU_IMM(BPF_ADD, BPF_REG_3, pt_regs_offset[0]));
        lp_bpf_emit(&a, BPF_CALL_HELPER(BPF_FUNC_probe_read_kernel));
        lp_bpf_jump(&a, BPF_JUMP_IMM(BPF_JNE, BPF_REG_0, 0), L_DONE);
        /* Zeroed: probe_read_user_str writes up to the NUL, the map
         * takes all of it. */
        for (int off = 0; off < LP_FS_PATH_MAX; off += 8)
                lp_bpf_emit(&a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, (int16_t)(EXEC_PATH + off), 0));
        lp_bpf_stack_pointer(&a, BPF_REG_1, EXEC_PATH);
        lp_bpf_emit(&a, BPF_MOV_IMM(BPF_REG_2, LP_FS_PATH_MAX));
        lp_bpf_emit(&a, BPF_LOAD(BPF_DW, BPF_REG_3, BPF_REG_10, EXEC_FILENAME));
        lp_bpf_emit(&a, BPF_CALL_HELPER(BPF_FUNC_probe_read_user_str));
        lp_bpf_jump(&a, BPF_JUMP_IMM(BPF_JSLE, BPF_REG_0, 0), L_DONE);
        lp_bpf_emit(&a, BPF_STORE_IMM(BPF_DW, BPF_REG_10, EXEC_TGID, 0));
        lp_bpf_emit(&a, BPF_CALL_HELPER(BPF_FUNC_get_current_pid_tgid));
        lp_bpf_emit(&a, BPF_ALU_IMM(BPF_RSH, BPF_REG_0, 32));
        lp_bpf_emit(&a, BPF_STORE(BPF_W, BPF_REG_10, EXEC_TGID, BPF_REG_0));
        lp_bpf_load_map(&a, BPF_REG_1, s->execs);
        lp_bpf_stack_pointer(&a, BPF_REG_2, EXEC_TGID);
        lp_bpf_stack_pointer(&a, BPF_REG_3, EXEC_PATH);
        lp_bpf_emit(&a, BPF_MOV_IMM(BPF_REG_4, BPF_ANY));
        lp_bpf_emit(&a, BPF_CALL_HELPER(BPF_FUNC_map_update_elem));
        lp_bpf_place(&a, L_DONE);
        lp_bpf_emit(&a, BPF_MOV_IMM(BPF_REG_0, 0));
        lp_bpf_emit(&a, BPF_EXIT_INSN);
        return lp_bpf_finish(&a);
}
