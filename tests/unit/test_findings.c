/* The findings store: dedupe keys, exact counts, first-seen order, folding
 * past max_distinct, names. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "findings/findings.h"

static struct lp_findings *new_store(size_t max)
{
        struct lp_findings *s = NULL;
        assert_int_equal(lp_findings_new(max, &s), 0);
        assert_non_null(s);
        return s;
}

static struct lp_finding syscall_finding(const char *op, const char *target, int pid)
{
        return (struct lp_finding){
                .kind = LP_FINDING_SYSCALL,
                .action = LP_FINDING_DENIED,
                .operation = op,
                .target = target,
                .errno_value = EPERM,
                .pid = pid,
                .exe = "/usr/bin/gdb",
                .rule = "t.profile:3 [Syscalls] DefaultAction=errno:EPERM",
                .fix = "[Syscalls] Allow=ptrace",
        };
}

static void test_findings_add_dedupe(void **state)
{
        struct lp_findings *s = new_store(16);
        struct lp_finding f = syscall_finding("ptrace", "ptrace(PTRACE_TRACEME)", 100);
        f.first_ms = 18;
        assert_int_equal(lp_findings_add(s, &f), 0);

        f.pid = 200;
        f.first_ms = 99;
        f.count = 5;
        f.rule = "other";
        f.fix = "other";
        f.errno_value = EINVAL;
        assert_int_equal(lp_findings_add(s, &f), 0);
        f.count = 0; /* counts as 1 */
        assert_int_equal(lp_findings_add(s, &f), 0);

        assert_int_equal(lp_findings_size(s), 1);
        const struct lp_finding *got = lp_findings_at(s, 0);
        assert_non_null(got);
        assert_int_equal(got->count, 7);
        assert_int_equal(got->pid, 100);
        assert_int_equal(got->first_ms, 18);
        assert_int_equal(got->errno_value, EPERM);
        assert_string_equal(got->rule, "t.profile:3 [Syscalls] DefaultAction=errno:EPERM");
        assert_string_equal(got->fix, "[Syscalls] Allow=ptrace");
        assert_string_equal(got->exe, "/usr/bin/gdb");
        assert_null(lp_findings_at(s, 1));
        assert_int_equal(lp_findings_folded(s), 0);
        assert_int_equal(lp_findings_folded_distinct(s), 0);
        lp_findings_free(s);
}

static void test_findings_add_copies_strings(void **state)
{
        struct lp_findings *s = new_store(16);
        char op[] = "ptrace", target[] = "ptrace(1)", exe[] = "/bin/x", rule[] = "r", fix[] = "f";
        struct lp_finding f = {
                .operation = op, .target = target, .exe = exe, .rule = rule, .fix = fix};
        assert_int_equal(lp_findings_add(s, &f), 0);
        memset(op, 'X', sizeof(op) - 1);
        memset(target, 'X', sizeof(target) - 1);
        memset(exe, 'X', sizeof(exe) - 1);
        memset(rule, 'X', sizeof(rule) - 1);
        memset(fix, 'X', sizeof(fix) - 1);
        const struct lp_finding *got = lp_findings_at(s, 0);
        assert_string_equal(got->operation, "ptrace");
        assert_string_equal(got->target, "ptrace(1)");
        assert_string_equal(got->exe, "/bin/x");
        assert_string_equal(got->rule, "r");
        assert_string_equal(got->fix, "f");
        assert_null(got->dedupe_target);
        lp_findings_free(s);
}

static void test_findings_add_order(void **state)
{
        struct lp_findings *s = new_store(16);
        const char *ops[] = {"ptrace", "mount", "bpf", "reboot"};
        for (int round = 0; round < 3; round++)
                for (int i = 3; i >= 0; i--) {
                        struct lp_finding f = syscall_finding(ops[(i + round) % 4], "t", i);
                        assert_int_equal(lp_findings_add(s, &f), 0);
                }
        assert_int_equal(lp_findings_size(s), 4);
        /* round 0 adds ops 3, 2, 1, 0 */
        assert_string_equal(lp_findings_at(s, 0)->operation, "reboot");
        assert_string_equal(lp_findings_at(s, 1)->operation, "bpf");
        assert_string_equal(lp_findings_at(s, 2)->operation, "mount");
        assert_string_equal(lp_findings_at(s, 3)->operation, "ptrace");
        for (size_t i = 0; i < 4; i++)
                assert_int_equal(lp_findings_at(s, i)->count, 3);
        lp_findings_free(s);
}

static void test_findings_add_dedupe_target(void **state)
{
        struct lp_findings *s = new_store(16);
        struct lp_finding f = syscall_finding("ptrace", "ptrace(PTRACE_ATTACH, 4242)", 1);
        f.dedupe_target = "ptrace(PTRACE_ATTACH)";
        assert_int_equal(lp_findings_add(s, &f), 0);
        f.target = "ptrace(PTRACE_ATTACH, 777)";
        assert_int_equal(lp_findings_add(s, &f), 0);
        assert_int_equal(lp_findings_size(s), 1);
        assert_string_equal(lp_findings_at(s, 0)->target, "ptrace(PTRACE_ATTACH, 4242)");
        assert_string_equal(lp_findings_at(s, 0)->dedupe_target, "ptrace(PTRACE_ATTACH)");
        assert_int_equal(lp_findings_at(s, 0)->count, 2);

        /* Same target, other dedupe_target: another finding. */
        f.dedupe_target = "ptrace(PTRACE_SEIZE)";
        assert_int_equal(lp_findings_add(s, &f), 0);
        assert_int_equal(lp_findings_size(s), 2);

        /* No dedupe_target: the target is the key, and equals a dedupe_target. */
        f.dedupe_target = NULL;
        f.target = "ptrace(PTRACE_ATTACH)";
        assert_int_equal(lp_findings_add(s, &f), 0);
        assert_int_equal(lp_findings_size(s), 2);
        assert_int_equal(lp_findings_at(s, 0)->count, 3);
        f.target = "ptrace(PTRACE_ATTACH, 4242)";
        assert_int_equal(lp_findings_add(s, &f), 0);
        assert_int_equal(lp_findings_size(s), 3);
        lp_findings_free(s);
}

static void test_findings_add_exe_and_kind_in_key(void **state)
{
        struct lp_findings *s = new_store(16);
        struct lp_finding f = syscall_finding("ptrace", "ptrace(PTRACE_TRACEME)", 1);
        f.exe = "/a";
        assert_int_equal(lp_findings_add(s, &f), 0);
        f.exe = "/b";
        assert_int_equal(lp_findings_add(s, &f), 0);
        f.exe = NULL;
        assert_int_equal(lp_findings_add(s, &f), 0);
        f.exe = "";
        assert_int_equal(lp_findings_add(s, &f), 0);
        f.exe = NULL;
        assert_int_equal(lp_findings_add(s, &f), 0);
        f.kind = LP_FINDING_CAPABILITY;
        assert_int_equal(lp_findings_add(s, &f), 0);
        /* The action is not part of the key. */
        f.action = LP_FINDING_AUDITED;
        assert_int_equal(lp_findings_add(s, &f), 0);

        assert_int_equal(lp_findings_size(s), 5);
        assert_string_equal(lp_findings_at(s, 0)->exe, "/a");
        assert_string_equal(lp_findings_at(s, 1)->exe, "/b");
        assert_null(lp_findings_at(s, 2)->exe);
        assert_int_equal(lp_findings_at(s, 2)->count, 2);
        assert_string_equal(lp_findings_at(s, 3)->exe, "");
        assert_int_equal(lp_findings_at(s, 4)->kind, LP_FINDING_CAPABILITY);
        assert_int_equal(lp_findings_at(s, 4)->action, LP_FINDING_DENIED);
        assert_int_equal(lp_findings_at(s, 4)->count, 2);
        lp_findings_free(s);
}

static void test_findings_add_invalid(void **state)
{
        struct lp_findings *s = new_store(16);
        struct lp_finding f = syscall_finding(NULL, "t", 1);
        assert_int_equal(lp_findings_add(s, &f), -EINVAL);
        f = syscall_finding("x", "t", 1);
        f.kind = (enum lp_finding_kind)42;
        assert_int_equal(lp_findings_add(s, &f), -EINVAL);
        assert_int_equal(lp_findings_size(s), 0);
        lp_findings_free(s);
        lp_findings_free(NULL);
}

static void test_findings_add_folds_past_max(void **state)
{
        struct lp_findings *s = new_store(4096);
        uint64_t adds = 0;
        char target[48];
        /* 10 000 distinct targets, each added 1..3 times, interleaved. */
        for (int round = 0; round < 3; round++)
                for (int i = 0; i < 10000; i++) {
                        if (round > i % 3)
                                continue;
                        snprintf(target, sizeof(target), "tcp 10.0.%d.%d:443", i / 256, i % 256);
                        struct lp_finding f = {.kind = LP_FINDING_NETWORK,
                                               .operation = "connect",
                                               .target = target,
                                               .count = (uint64_t)(round + 1)};
                        assert_int_equal(lp_findings_add(s, &f), 0);
                        adds += f.count;
                }
        assert_int_equal(lp_findings_size(s), 4096);
        uint64_t stored = 0;
        for (size_t i = 0; i < lp_findings_size(s); i++)
                stored += lp_findings_at(s, i)->count;
        assert_int_equal(stored + lp_findings_folded(s), adds);
        /* The first 4096 keys are stored, in order. */
        assert_string_equal(lp_findings_at(s, 0)->target, "tcp 10.0.0.0:443");
        assert_string_equal(lp_findings_at(s, 4095)->target, "tcp 10.0.15.255:443");
        assert_int_equal(lp_findings_folded_distinct(s), 10000 - 4096);
        /* The folded ones again, as one group: its count exact. */
        assert_int_equal(lp_findings_folded_groups(s), 1);
        uint64_t distinct = 0;
        const struct lp_finding *g = lp_findings_folded_group(s, 0, &distinct);
        assert_string_equal(g->operation, "connect");
        assert_null(g->target);
        assert_int_equal(g->count, lp_findings_folded(s));
        assert_int_equal(distinct, 10000 - 4096);
        assert_null(lp_findings_folded_group(s, 1, NULL));
        /* Another operation folds into a group of its own. */
        struct lp_finding other = {.kind = LP_FINDING_SYSCALL, .operation = "mount", .target = "x"};
        assert_int_equal(lp_findings_add(s, &other), 0);
        assert_int_equal(lp_findings_folded_groups(s), 2);
        assert_int_equal(lp_findings_folded_group(s, 1, NULL)->count, 1);
        lp_findings_free(s);
}

static void test_findings_add_million_exact(void **state)
{
        struct lp_findings *s = new_store(4096);
        char targets[1000][48];
        for (int i = 0; i < 1000; i++)
                snprintf(targets[i], sizeof(targets[i]), "ptrace(PTRACE_PEEKDATA, %d)", i);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int n = 0; n < 1000000; n++) {
                struct lp_finding f = syscall_finding("ptrace", targets[n % 1000], n);
                lp_findings_add(s, &f);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ns = (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec);
        /* A sanity figure, not an assertion: timing varies with the machine. */
        print_message("lp_findings_add: %.0f ns per add (1e6 adds, 1000 keys)\n", ns / 1e6);

        assert_int_equal(lp_findings_size(s), 1000);
        for (size_t i = 0; i < 1000; i++) {
                assert_int_equal(lp_findings_at(s, i)->count, 1000);
                assert_int_equal(lp_findings_at(s, i)->pid, (int)i);
        }

        /* One key a million times in one add and in many. */
        struct lp_finding f = syscall_finding("bpf", "bpf(BPF_PROG_LOAD)", 1);
        f.count = 1000000;
        assert_int_equal(lp_findings_add(s, &f), 0);
        f.count = 1;
        for (int n = 0; n < 1000000; n++)
                lp_findings_add(s, &f);
        assert_int_equal(lp_findings_at(s, 1000)->count, 2000000);
        assert_int_equal(lp_findings_folded(s), 0);
        lp_findings_free(s);
}

static void test_finding_names(void **state)
{
        assert_string_equal(lp_finding_kind_name(LP_FINDING_SYSCALL), "syscall");
        assert_string_equal(lp_finding_kind_name(LP_FINDING_NETWORK), "network");
        assert_string_equal(lp_finding_kind_name(LP_FINDING_CAPABILITY), "capability");
        assert_string_equal(lp_finding_kind_name(LP_FINDING_ENVIRONMENT), "environment");
        assert_string_equal(lp_finding_action_name(LP_FINDING_DENIED), "denied");
        assert_string_equal(lp_finding_action_name(LP_FINDING_KILLED), "killed");
        assert_string_equal(lp_finding_action_name(LP_FINDING_AUDITED), "audited");
        assert_string_equal(lp_finding_action_name(LP_FINDING_WITHHELD), "withheld");
        assert_non_null(lp_finding_kind_name((enum lp_finding_kind)99));
        assert_non_null(lp_finding_action_name((enum lp_finding_action)99));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_findings_add_dedupe),
                cmocka_unit_test(test_findings_add_copies_strings),
                cmocka_unit_test(test_findings_add_order),
                cmocka_unit_test(test_findings_add_dedupe_target),
                cmocka_unit_test(test_findings_add_exe_and_kind_in_key),
                cmocka_unit_test(test_findings_add_invalid),
                cmocka_unit_test(test_findings_add_folds_past_max),
                cmocka_unit_test(test_findings_add_million_exact),
                cmocka_unit_test(test_finding_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
