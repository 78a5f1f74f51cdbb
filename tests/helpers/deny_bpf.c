/* deny_bpf all|link-create|clone3 -- COMMAND [ARG...]: runs COMMAND with
 * bpf(2) refused (EPERM), every command or only BPF_LINK_CREATE, the way a
 * container's seccomp profile or a security module refuses it, for the
 * tests of what leastpriv does without its network observer; or with
 * clone3 answered ENOSYS, as Docker's default seccomp profile and kernels
 * before 5.3 answer it, for those of the launch without it. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DATA(field) offsetof(struct seccomp_data, field)
/* Other architectures' calls go through; the native one's number is
 * loaded for what follows. */
#define LOAD_NATIVE_NUMBER                                              \
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA(arch)),                 \
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, 1, 0), \
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),           \
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA(nr))

/* The architecture this helper is built for: its syscall numbers. */
#if defined(__x86_64__)
#define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NATIVE_ARCH AUDIT_ARCH_AARCH64
#else
#error "deny_bpf: add this architecture's AUDIT_ARCH_*"
#endif

int main(int argc, char **argv)
{
        if (argc < 4 || strcmp(argv[2], "--") != 0 ||
            (strcmp(argv[1], "all") != 0 && strcmp(argv[1], "link-create") != 0 &&
             strcmp(argv[1], "clone3") != 0)) {
                fprintf(stderr, "usage: deny_bpf all|link-create|clone3 -- COMMAND [ARG...]\n");
                return 2;
        }
        struct sock_filter no_clone3[] = {
                LOAD_NATIVE_NUMBER,
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        /* all: from the jump straight to the refusal; link-create: on to
         * the command argument (its low 32 bits), BPF_LINK_CREATE refused. */
        unsigned to_refusal = strcmp(argv[1], "all") == 0 ? 3 : 0;
        struct sock_filter insns[] = {
                LOAD_NATIVE_NUMBER,
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_bpf, 0, 3),
                BPF_JUMP(BPF_JMP | BPF_JA, to_refusal, 0, 0),
                BPF_STMT(BPF_LD | BPF_W | BPF_ABS, DATA(args[0])),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BPF_LINK_CREATE, 1, 0),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
                BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        };
        struct sock_fprog prog = {sizeof(insns) / sizeof(insns[0]), insns};
        if (strcmp(argv[1], "clone3") == 0)
                prog = (struct sock_fprog){sizeof(no_clone3) / sizeof(no_clone3[0]), no_clone3};
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
            prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
                perror("deny_bpf: seccomp");
                return 125;
        }
        execvp(argv[3], argv + 3);
        perror("deny_bpf: exec");
        return 127;
}
