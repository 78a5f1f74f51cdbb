/* The filter compiled for a policy (launch/filter.h), read back from
 * libseccomp's pseudo filter code: which syscalls stay in the kernel
 * outright, which only for some arguments (the watch table's filter rules),
 * and which always reach the supervisor. test_live_filter.c loads it in a
 * child and runs the calls. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "launch/filter.h"
#include "learn/floor.h"
#include "profile/load.h"
#include "profile/policy.h"
#include "profile/syscall_sets.h"
#include "rules/fs_bpf.h"
#include "rules/watch.h"

#define HANDSHAKE_FD 77

enum rule { NOTIFIED, ALLOWED, SOME_ALLOWED, ERRNO_IN_KERNEL };

struct pfc {
        char *text;
};

static struct pfc compile_with(const char *profile, const struct lp_filter_options *o)
{
        struct lp_policy *p = NULL;
        if (lp_policy_load_string_sealed(profile, "t.profile", stderr, &p) != 0)
                fail_msg("did not load: %s", profile);
        int fd = memfd_create("pfc", MFD_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(lp_filter_export_pfc(p, o, fd), 0);
        off_t size = lseek(fd, 0, SEEK_END);
        struct pfc out = {calloc(1, (size_t)size + 1)};
        assert_int_equal(pread(fd, out.text, (size_t)size, 0), size);
        close(fd);
        lp_policy_free(p);
        return out;
}

static struct pfc compile(const char *profile, const char *const *also_allow)
{
        struct lp_filter_options o = {.handshake_fd = HANDSHAKE_FD, .also_allow = also_allow};
        return compile_with(profile, &o);
}

/* What the filter does with `name`: its block in the PFC, up to the next. */
static enum rule rule_of(const struct pfc *f, const char *name)
{
        char head[96];
        snprintf(head, sizeof(head), "# filter for syscall \"%s\" (", name);
        const char *block = strstr(f->text, head);
        if (!block)
                return NOTIFIED;
        const char *end = strstr(block + 1, "# filter for syscall");
        size_t len = end ? (size_t)(end - block) : strlen(block);
        char *b = strndup(block, len);
        enum rule r = strstr(b, "ERRNO")          ? ERRNO_IN_KERNEL
                      : strstr(b, "if ($a")       ? SOME_ALLOWED
                      : strstr(b, "action ALLOW") ? ALLOWED
                                                  : NOTIFIED;
        free(b);
        return r;
}

static bool mentions(const struct pfc *f, const char *name, const char *text)
{
        char head[96];
        snprintf(head, sizeof(head), "# filter for syscall \"%s\" (", name);
        const char *block = strstr(f->text, head);
        const char *end = block ? strstr(block + 1, "# filter for syscall") : NULL;
        const char *hit = block ? strstr(block, text) : NULL;
        return hit && (!end || hit < end);
}

static void test_default_profile(void **state)
{
        struct pfc f = compile("[Profile]\nInclude=default\n", NULL);
        assert_int_equal(rule_of(&f, "read"), ALLOWED);
        /* RestrictSUIDSGID= (base): only a creating open with S_ISUID or
         * S_ISGID in its mode leaves the kernel; fchmod likewise. */
        assert_int_equal(rule_of(&f, "openat"), SOME_ALLOWED);
        assert_true(mentions(&f, "openat", "$a3"));
        assert_int_equal(rule_of(&f, "fchmod"), SOME_ALLOWED);
        struct pfc off =
                compile("[Profile]\nInclude=default\n[Filesystem]\nRestrictSUIDSGID=no\n", NULL);
        assert_int_equal(rule_of(&off, "openat"), ALLOWED);
        assert_int_equal(rule_of(&off, "fchmod"), ALLOWED);
        free(off.text);
        assert_int_equal(rule_of(&f, "ptrace"), NOTIFIED); /* denied: reported */
        assert_int_equal(rule_of(&f, "clone3"), ERRNO_IN_KERNEL);
        assert_true(mentions(&f, "clone3", "action ERRNO(38);")); /* ENOSYS */
        /* Denied by group: reported, never answered in the kernel. */
        assert_int_equal(rule_of(&f, "mount"), NOTIFIED);
        assert_int_equal(rule_of(&f, "keyctl"), NOTIFIED);
        /* Watched, every call. */
        assert_int_equal(rule_of(&f, "connect"), NOTIFIED);
        assert_int_equal(rule_of(&f, "bind"), NOTIFIED);
        assert_int_equal(rule_of(&f, "chown"), NOTIFIED);
        assert_int_equal(rule_of(&f, "setresuid"), NOTIFIED);
        /* Watched, some calls stay in the kernel. */
        assert_int_equal(rule_of(&f, "ioctl"), SOME_ALLOWED);
        assert_int_equal(rule_of(&f, "clone"), SOME_ALLOWED);
        assert_int_equal(rule_of(&f, "socket"), SOME_ALLOWED);
        assert_int_equal(rule_of(&f, "sendto"), SOME_ALLOWED);
        assert_true(mentions(&f, "sendto", "$a4"));
        /* sendmsg: only the launch handshake's own stays in the kernel. */
        assert_int_equal(rule_of(&f, "sendmsg"), SOME_ALLOWED);
        assert_true(mentions(&f, "sendmsg", "$a0.lo32 == 77"));
        assert_int_equal(rule_of(&f, "sendmmsg"), NOTIFIED);
        /* Non-native ABIs: notified, for the supervisor's kill and its
         * finding; never allowed. */
        /* (libseccomp prints SECCOMP_RET_USER_NOTIF by its value.) */
        assert_non_null(strstr(f.text, "# invalid architecture action\naction 0x7fc00000;"));
        free(f.text);
}

static void test_lifted_watches(void **state)
{
        struct pfc f = compile("[Profile]\nInclude=default\n[Network]\nNamespace=host\n"
                               "[Capabilities]\nKeep=CAP_CHOWN CAP_NET_BIND_SERVICE\n"
                               "[Syscalls]\nAllow=ioctl\n",
                               NULL);
        assert_int_equal(rule_of(&f, "connect"), ALLOWED);
        assert_int_equal(rule_of(&f, "sendto"), ALLOWED);
        assert_int_equal(rule_of(&f, "sendmsg"), ALLOWED);
        assert_int_equal(rule_of(&f, "sendmmsg"), ALLOWED);
        assert_int_equal(rule_of(&f, "chown"), ALLOWED);
        assert_int_equal(rule_of(&f, "bind"), ALLOWED);
        assert_int_equal(rule_of(&f, "ioctl"), ALLOWED);
        /* Still watched: another capability, the hardening of clone. */
        assert_int_equal(rule_of(&f, "setresuid"), NOTIFIED);
        assert_int_equal(rule_of(&f, "clone"), SOME_ALLOWED);
        free(f.text);
}

/* Learning's floor is allowed where BASE leaves it to DefaultAction, and
 * nothing else is. */
static void test_floor(void **state)
{
        struct pfc f =
                compile("[Profile]\nInclude=base\n[Syscalls]\nDeny=getpid\n", lp_learn_floor);
        assert_int_equal(rule_of(&f, "read"), ALLOWED);
        assert_int_equal(rule_of(&f, "mmap"), ALLOWED);
        assert_int_equal(rule_of(&f, "getpid"), NOTIFIED); /* BASE names it */
        assert_int_equal(rule_of(&f, "execve"), NOTIFIED);
        assert_int_equal(rule_of(&f, "connect"), NOTIFIED);
        free(f.text);
        f = compile("[Profile]\nInclude=base\n", NULL);
        assert_int_equal(rule_of(&f, "read"), NOTIFIED);
        free(f.text);
}

/* Learning in a PID namespace: clone, fork and vfork are allowed with the
 * floor, clone's namespace flags still notified (its hardening), clone3
 * still ENOSYS; where BASE names one of them, it stays as named. */
static void test_creation_counted(void **state)
{
        const char *names[128];
        size_t n = 0;
        for (size_t i = 0; lp_learn_floor[i]; i++)
                names[n++] = lp_learn_floor[i];
        for (size_t i = 0; lp_learn_creation[i]; i++)
                names[n++] = lp_learn_creation[i];
        names[n] = NULL;
        assert_true(n < sizeof(names) / sizeof(names[0]));
        struct pfc f = compile("[Profile]\nInclude=base\n", names);
        assert_int_equal(rule_of(&f, "clone"), SOME_ALLOWED);
        assert_int_equal(rule_of(&f, "fork"), ALLOWED);
        assert_int_equal(rule_of(&f, "vfork"), ALLOWED);
        assert_int_equal(rule_of(&f, "clone3"), ERRNO_IN_KERNEL);
        assert_int_equal(rule_of(&f, "execve"), NOTIFIED);
        free(f.text);
        f = compile("[Profile]\nInclude=base\n[Syscalls]\nDeny=vfork\n", names);
        assert_int_equal(rule_of(&f, "fork"), ALLOWED);
        assert_int_equal(rule_of(&f, "vfork"), NOTIFIED);
        free(f.text);
}

/* The program compiled for `profile`, with the cache in `dir` (NULL:
 * none); the caller frees it. */
static struct lp_filter *program(const char *profile, const char *dir)
{
        struct lp_policy *p = NULL;
        if (lp_policy_load_string_sealed(profile, "t.profile", stderr, &p) != 0)
                fail_msg("did not load: %s", profile);
        struct lp_filter_options o = {.handshake_fd = HANDSHAKE_FD, .cache_dir = dir};
        struct lp_filter *f = NULL;
        assert_int_equal(lp_filter_compile(p, &o, &f), 0);
        lp_policy_free(p);
        return f;
}

static void assert_same_program(const struct lp_filter *a, const struct lp_filter *b)
{
        assert_int_equal(a->prog.len, b->prog.len);
        assert_memory_equal(a->prog.filter, b->prog.filter, a->prog.len * sizeof(*a->prog.filter));
}

/* The entries in dir (not counting . and ..), and the path of the last. */
static int entries(const char *dir, char *last, size_t size)
{
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "ls -A '%s' 2>/dev/null", dir);
        FILE *ls = popen(cmd, "r");
        int n = 0;
        char line[256];
        while (ls && fgets(line, sizeof(line), ls)) {
                line[strcspn(line, "\n")] = '\0';
                snprintf(last, size, "%s/%s", dir, line);
                n++;
        }
        if (ls)
                pclose(ls);
        return n;
}

/* A cached program is the very program libseccomp compiles: stored on
 * the first compile, read on the second, one entry per policy, and a
 * damaged entry is compiled again (and replaced), never used. */
static void test_cache(void **state)
{
        char dir[] = "/tmp/lp-filter-cache.XXXXXX";
        assert_non_null(mkdtemp(dir));
        char cache[64], entry[320];
        snprintf(cache, sizeof(cache), "%s/cache", dir);
        const char *a = "[Profile]\nInclude=default\n";
        const char *b = "[Profile]\nInclude=default\n[Syscalls]\nDeny=getcwd\n";
        struct lp_filter *fresh = program(a, NULL);
        struct lp_filter *first = program(a, cache);
        assert_int_equal(entries(cache, entry, sizeof(entry)), 1);
        struct lp_filter *second = program(a, cache);
        assert_same_program(fresh, first);
        assert_same_program(fresh, second);
        struct lp_filter *other = program(b, cache);
        assert_int_equal(entries(cache, entry, sizeof(entry)), 2);
        assert_true(other->prog.len != fresh->prog.len ||
                    memcmp(other->prog.filter, fresh->prog.filter,
                           fresh->prog.len * sizeof(*fresh->prog.filter)) != 0);
        lp_filter_free(other);
        /* Damage every entry's last instruction: both are compiled again. */
        char cmd[512];
        snprintf(cmd, sizeof(cmd),
                 "for f in '%s'/*.bpf; do printf '\\377' | dd of=\"$f\" bs=1 "
                 "seek=$(($(stat -c %%s \"$f\") - 1)) conv=notrunc status=none; done",
                 cache);
        assert_int_equal(system(cmd), 0);
        struct lp_filter *rebuilt = program(a, cache);
        assert_same_program(fresh, rebuilt);
        struct lp_filter *again = program(a, cache);
        assert_same_program(fresh, again);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        assert_int_equal(system(cmd), 0);
        lp_filter_free(fresh);
        lp_filter_free(first);
        lp_filter_free(second);
        lp_filter_free(rebuilt);
        lp_filter_free(again);
}

/* The filesystem observer counts exactly the path-writing calls the
 * filter leaves in the kernel (rules/watch.h, lp_watch_fs_counted): for
 * every syscall of the policy, its calls map entry exists if and only if
 * the filter allows some of its calls; and what it no longer watches. */
static void test_fs_observed(void **state)
{
        (void)state;
        const char *profile = "[Profile]\nInclude=default\n";
        struct lp_filter_options watched = {
                .handshake_fd = HANDSHAKE_FD, .fs_restricted = true, .own_ids_fixed = true};
        struct lp_filter_options observed = watched;
        observed.fs_observed = true;
        struct pfc w = compile_with(profile, &watched), f = compile_with(profile, &observed);
        assert_int_equal(rule_of(&w, "mkdir"), NOTIFIED);
        assert_int_equal(rule_of(&w, "unlinkat"), NOTIFIED);
        assert_int_equal(rule_of(&f, "mkdir"), ALLOWED);
        assert_int_equal(rule_of(&f, "unlinkat"), ALLOWED);
        assert_int_equal(rule_of(&f, "renameat2"), ALLOWED);
        assert_int_equal(rule_of(&f, "openat"), SOME_ALLOWED); /* a set-id mode: notified */
        assert_int_equal(rule_of(&f, "chown"), SOME_ALLOWED);  /* another owner: notified */
        assert_int_equal(rule_of(&f, "openat2"), NOTIFIED);    /* its mode is in memory */
        assert_int_equal(rule_of(&f, "mknod"), NOTIFIED);      /* CAP_MKNOD */
        struct lp_policy *p = NULL;
        assert_int_equal(lp_policy_load_string_sealed(profile, "t.profile", stderr, &p), 0);
        struct lp_fs_program_spec spec = {.policy = p, .own_ids_fixed = true};
        size_t counted = 0;
        for (size_t i = 0; i < p->n_syscalls; i++) {
                const struct lp_syscall_rule *r = &p->syscalls[i];
                const struct lp_watch *watch = lp_watch_find(r->name);
                if (!lp_watch_paths_watched(watch, r->name, true) ||
                    r->action.type != LP_ACTION_ALLOW)
                        continue;
                struct lp_fs_call e;
                bool in_map = lp_fs_call(&spec, r, &e);
                counted += in_map;
                if (in_map != (rule_of(&f, r->name) != NOTIFIED))
                        fail_msg("%s: counted %d, filter %d", r->name, in_map,
                                 rule_of(&f, r->name));
                if (in_map && e.path_arg[0] > 5)
                        fail_msg("%s: no path argument", r->name);
        }
        assert_int_equal(counted, lp_fs_counted_syscalls(&spec));
        assert_true(counted >= 20);
        /* openat: flags in argument 2, the path in 1, the dirfd copied. */
        const struct lp_syscall_rule *openat = lp_policy_syscall_by_name(p, "openat");
        struct lp_fs_call e;
        assert_true(lp_fs_call(&spec, openat, &e));
        assert_int_equal(e.open, LP_FS_OPEN_FLAGS);
        assert_int_equal(e.open_arg, 2);
        assert_int_equal(e.path_arg[0], 1);
        assert_int_equal(e.path_arg[1], LP_FS_NO_ARG);
        assert_int_equal(e.copy_arg[0], 0);
        assert_int_equal(e.counted, LP_FS_COUNTED_PLAIN_MODE);
        assert_int_equal(e.mode_arg, 3);
        /* The program assembles, within its room. */
        struct bpf_insn insns[LP_FS_PROGRAM_MAX];
        size_t n = lp_fs_program(&spec, insns);
        assert_true(n > 100 && n < LP_FS_PROGRAM_MAX);
        lp_policy_free(p);
        free(w.text);
        free(f.text);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_profile),  cmocka_unit_test(test_lifted_watches),
                cmocka_unit_test(test_fs_observed),      cmocka_unit_test(test_floor),
                cmocka_unit_test(test_creation_counted), cmocka_unit_test(test_cache),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
