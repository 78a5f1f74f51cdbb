/* The syscall group table: its invariants (names, nesting, no typos, no
 * ordinary/dangerous overlap), the memberships docs/architecture.md, "Profiles" relies on,
 * foreach's dedupe, and the two print functions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <seccomp.h>

#include "profile/syscall_sets.h"
#include "profile/syscall_table.h"

#define MAX_GROUPS 64
#define MAX_NAMES 1024

static size_t n_groups(void)
{
        size_t n = 0;
        while (lp_syscall_groups[n].name)
                n++;
        assert_true(n <= MAX_GROUPS);
        return n;
}

static size_t group_index(const char *name)
{
        const struct lp_syscall_group *g = lp_syscall_group_find(name);
        assert_non_null(g);
        return (size_t)(g - lp_syscall_groups);
}

static bool known_on_x86_64_or_aarch64(const char *name)
{
        return seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, name) >= 0 ||
               seccomp_syscall_resolve_name_arch(SCMP_ARCH_AARCH64, name) >= 0;
}

/* ---- arch-independent expansion by name, for the overlap rules ---- */

struct names {
        const char *v[MAX_NAMES];
        size_t n;
};

static bool names_has(const struct names *s, const char *name)
{
        for (size_t i = 0; i < s->n; i++)
                if (strcmp(s->v[i], name) == 0)
                        return true;
        return false;
}

static void expand_names(const struct lp_syscall_group *g, struct names *out, int depth)
{
        assert_true(depth < MAX_GROUPS); /* a cycle would recurse forever */
        for (const char *const *m = g->members; *m; m++) {
                if ((*m)[0] == '@') {
                        expand_names(lp_syscall_group_find(*m), out, depth + 1);
                } else if (!names_has(out, *m)) {
                        assert_true(out->n < MAX_NAMES);
                        out->v[out->n++] = *m;
                }
        }
}

static struct names *group_names(const char *name)
{
        struct names *s = calloc(1, sizeof(*s));
        assert_non_null(s);
        const struct lp_syscall_group *g = lp_syscall_group_find(name);
        assert_non_null(g);
        expand_names(g, s, 0);
        return s;
}

static bool in_any_ordinary(const char *syscall)
{
        bool found = false;
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name && !found; g++) {
                if (g->dangerous)
                        continue;
                struct names *s = group_names(g->name);
                found = names_has(s, syscall);
                free(s);
        }
        return found;
}

/* ---- table invariants ---- */

static int count_member(const char *syscall, int nr, void *userdata)
{
        (*(size_t *)userdata)++;
        return 0;
}

static void test_groups_names_unique_with_help(void **state)
{
        size_t n = n_groups();
        assert_true(n >= 26);
        for (size_t i = 0; i < n; i++) {
                const struct lp_syscall_group *g = &lp_syscall_groups[i];
                assert_int_equal(g->name[0], '@');
                assert_true(strlen(g->name) > 1);
                assert_non_null(g->help);
                assert_true(strlen(g->help) > 0);
                assert_null(strchr(g->help, '\n'));
                assert_non_null(g->members);
                assert_non_null(g->members[0]);
                for (size_t j = i + 1; j < n; j++)
                        if (strcmp(g->name, lp_syscall_groups[j].name) == 0)
                                fail_msg("group %s listed twice", g->name);
        }
}

static void test_groups_have_native_members(void **state)
{
        /* x86 port I/O and LDT emulation have no aarch64 counterpart. */
        bool x86_64 = seccomp_arch_native() == SCMP_ARCH_X86_64;
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++) {
                size_t n = 0;
                assert_int_equal(lp_syscall_group_foreach(g->name, count_member, &n), 0);
                bool x86_only = !strcmp(g->name, "@raw-io") || !strcmp(g->name, "@cpu-emulation") ||
                                !strcmp(g->name, "@obsolete");
                if (n == 0 && (x86_64 || !x86_only))
                        fail_msg("group %s has no syscall on this architecture", g->name);
        }
}

static void test_groups_required_exist(void **state)
{
        static const char *const ordinary[] = {
                "@default",    "@basic-io", "@file-system", "@io-event", "@ipc",   "@memory",
                "@network-io", "@process",  "@signal",      "@sync",     "@timer", "@resources"};
        static const char *const dangerous[] = {
                "@privileged", "@mount",      "@module",   "@reboot",   "@swap",
                "@raw-io",     "@clock",      "@debug",    "@obsolete", "@cpu-emulation",
                "@keyring",    "@namespaces", "@io-uring", "@bpf"};
        for (size_t i = 0; i < sizeof(ordinary) / sizeof(*ordinary); i++) {
                const struct lp_syscall_group *g = lp_syscall_group_find(ordinary[i]);
                if (!g)
                        fail_msg("missing group %s", ordinary[i]);
                assert_false(g->dangerous);
        }
        for (size_t i = 0; i < sizeof(dangerous) / sizeof(*dangerous); i++) {
                const struct lp_syscall_group *g = lp_syscall_group_find(dangerous[i]);
                if (!g)
                        fail_msg("missing group %s", dangerous[i]);
                assert_true(g->dangerous);
        }
        assert_int_equal(n_groups(), 26);
}

static void test_groups_nested_refer_to_existing(void **state)
{
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++)
                for (const char *const *m = g->members; *m; m++)
                        if ((*m)[0] == '@' && !lp_syscall_group_find(*m))
                                fail_msg("%s nests unknown group %s", g->name, *m);
}

enum { WHITE, GREY, BLACK };

static void visit(size_t i, int *color)
{
        color[i] = GREY;
        for (const char *const *m = lp_syscall_groups[i].members; *m; m++) {
                if ((*m)[0] != '@')
                        continue;
                size_t j = group_index(*m);
                if (color[j] == GREY)
                        fail_msg("cycle: %s nests %s", lp_syscall_groups[i].name, *m);
                if (color[j] == WHITE)
                        visit(j, color);
        }
        color[i] = BLACK;
}

static void test_groups_no_cycles(void **state)
{
        int color[MAX_GROUPS] = {0};
        for (size_t i = 0; i < n_groups(); i++)
                if (color[i] == WHITE)
                        visit(i, color);
}

static void test_groups_members_are_real_syscalls(void **state)
{
        /* Catches typos: a misspelt name would be skipped silently at run
         * time as "not on this architecture". */
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++) {
                for (const char *const *m = g->members; *m; m++) {
                        if ((*m)[0] == '@')
                                continue;
                        if (!known_on_x86_64_or_aarch64(*m))
                                fail_msg("%s: '%s' is a syscall of neither x86_64 nor aarch64",
                                         g->name, *m);
                        for (const char *const *o = m + 1; *o; o++)
                                if (strcmp(*m, *o) == 0)
                                        fail_msg("%s lists %s twice", g->name, *m);
                }
        }
}

static void test_groups_dangerous_disjoint_from_ordinary(void **state)
{
        struct names *ordinary = calloc(1, sizeof(*ordinary));
        assert_non_null(ordinary);
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++)
                if (!g->dangerous)
                        expand_names(g, ordinary, 0);
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++) {
                if (!g->dangerous)
                        continue;
                struct names *s = group_names(g->name);
                for (size_t i = 0; i < s->n; i++)
                        if (names_has(ordinary, s->v[i]))
                                fail_msg("%s is in dangerous %s and in an ordinary group", s->v[i],
                                         g->name);
                free(s);
        }
        /* An ordinary group must not nest a dangerous one either. */
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++)
                for (const char *const *m = g->members; !g->dangerous && *m; m++)
                        if ((*m)[0] == '@')
                                assert_false(lp_syscall_group_find(*m)->dangerous);
        free(ordinary);
}

/* ---- memberships the design relies on ---- */

static void assert_in_group(const char *syscall, const char *group)
{
        struct names *s = group_names(group);
        bool found = names_has(s, syscall);
        free(s);
        if (!found)
                fail_msg("%s is not in %s", syscall, group);
}

/* syscall is listed by `only` and by no other group, so every group that
 * reaches it does so by nesting `only`. */
static void assert_only_in(const char *syscall, const char *only)
{
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++) {
                bool listed = false;
                for (const char *const *m = g->members; *m; m++)
                        listed |= strcmp(*m, syscall) == 0;
                if (listed != (strcmp(g->name, only) == 0))
                        fail_msg("%s %s listed in %s", syscall, listed ? "is" : "is not", g->name);
        }
}

static void test_group_membership_debug(void **state)
{
        assert_in_group("ptrace", "@debug");
        assert_in_group("process_vm_readv", "@debug");
        assert_in_group("process_vm_writev", "@debug");
        assert_in_group("perf_event_open", "@debug");
        assert_false(in_any_ordinary("ptrace"));
        assert_false(in_any_ordinary("process_vm_readv"));
        assert_false(in_any_ordinary("process_vm_writev"));
        assert_false(in_any_ordinary("perf_event_open"));
}

static void test_group_membership_namespaces(void **state)
{
        assert_only_in("unshare", "@namespaces");
        assert_only_in("setns", "@namespaces");
        assert_false(in_any_ordinary("unshare"));
        assert_false(in_any_ordinary("setns"));
}

static void test_group_membership_io_uring(void **state)
{
        assert_only_in("io_uring_setup", "@io-uring");
        assert_only_in("io_uring_enter", "@io-uring");
        assert_only_in("io_uring_register", "@io-uring");
}

static void test_group_membership_dangerous(void **state)
{
        assert_in_group("mount", "@mount");
        assert_in_group("umount2", "@mount");
        assert_in_group("bpf", "@bpf");
        assert_in_group("init_module", "@module");
        assert_in_group("reboot", "@reboot");
        assert_in_group("keyctl", "@keyring");
        assert_in_group("settimeofday", "@clock");
        assert_in_group("sethostname", "@privileged");
        assert_in_group("mount", "@privileged"); /* nested */
        assert_false(in_any_ordinary("mount"));
        assert_false(in_any_ordinary("bpf"));
}

static void test_group_membership_ordinary(void **state)
{
        static const struct {
                const char *syscall, *group;
        } want[] = {
                {"openat", "@file-system"},
                {"read", "@basic-io"},
                {"write", "@basic-io"},
                {"ioctl", "@basic-io"},
                {"fcntl", "@file-system"},
                {"brk", "@default"},
                {"exit_group", "@default"},
                {"clone", "@process"},
                {"clone3", "@process"},
                {"fork", "@process"},
                {"vfork", "@process"},
                {"execve", "@process"},
                {"execveat", "@process"},
                {"wait4", "@process"},
                {"waitid", "@process"},
                {"exit", "@process"},
                {"exit_group", "@process"},
                {"kill", "@process"},
                {"tgkill", "@process"},
                {"prctl", "@process"},
                {"arch_prctl", "@process"},
                {"socket", "@network-io"},
                {"connect", "@network-io"},
                {"bind", "@network-io"},
                {"listen", "@network-io"},
                {"accept", "@network-io"},
                {"sendto", "@network-io"},
                {"recvfrom", "@network-io"},
                {"futex", "@default"},
                {"mmap", "@memory"},
                {"rt_sigaction", "@signal"},
                {"fsync", "@sync"},
                {"timer_create", "@timer"},
                {"setrlimit", "@resources"},
                {"epoll_wait", "@io-event"},
                {"pipe2", "@ipc"},
                /* glibc posix_spawn(POSIX_SPAWN_RESETIDS) in GNU make. */
                {"setresuid", "@process"},
                /* cp -a and tar x as uid 0 without CAP_CHOWN. */
                {"fchownat", "@file-system"},
        };
        for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++) {
                assert_in_group(want[i].syscall, want[i].group);
                assert_false(lp_syscall_group_find(want[i].group)->dangerous);
        }
}

static void test_groups_match_default_profile(void **state)
{
        /* profiles/default.profile allows exactly the ordinary groups and
         * denies exactly the dangerous ones; every group it names exists. */
        FILE *f = fopen(LP_SOURCE_DIR "/profiles/default.profile", "r");
        assert_non_null(f);
        bool allowed[MAX_GROUPS] = {0}, denied[MAX_GROUPS] = {0};
        char line[1024];
        while (fgets(line, sizeof(line), f)) {
                bool allow = strncmp(line, "Allow=", 6) == 0;
                bool deny = strncmp(line, "Deny=", 5) == 0;
                if (!allow && !deny)
                        continue;
                for (char *tok = strtok(strchr(line, '=') + 1, " \t\n"); tok;
                     tok = strtok(NULL, " \t\n")) {
                        if (tok[0] == '#')
                                break;
                        if (tok[0] != '@')
                                continue;
                        if (!lp_syscall_group_find(tok))
                                fail_msg("default.profile names unknown group %s", tok);
                        (allow ? allowed : denied)[group_index(tok)] = true;
                }
        }
        fclose(f);
        for (size_t i = 0; i < n_groups(); i++) {
                const struct lp_syscall_group *g = &lp_syscall_groups[i];
                if (allowed[i] != !g->dangerous || denied[i] != g->dangerous)
                        fail_msg("default.profile and %s disagree", g->name);
        }
}

/* ---- lp_syscall_nr, lp_syscall_group_find, lp_syscall_group_foreach ---- */

static void test_syscall_nr_known_and_unknown(void **state)
{
        assert_int_equal(lp_syscall_nr("read"), seccomp_syscall_resolve_name("read"));
        assert_true(lp_syscall_nr("read") >= 0);
        assert_true(lp_syscall_nr("openat") >= 0);
        assert_true(lp_syscall_nr("no_such_syscall") < 0);
        assert_true(lp_syscall_nr("") < 0);
        assert_true(lp_syscall_nr("@default") < 0);
        /* A name of another architecture only. */
        assert_true(lp_syscall_nr("socketcall") < 0);
}

static void test_syscall_group_find_known_and_unknown(void **state)
{
        const struct lp_syscall_group *g = lp_syscall_group_find("@file-system");
        assert_non_null(g);
        assert_string_equal(g->name, "@file-system");
        assert_null(lp_syscall_group_find("@nope"));
        assert_null(lp_syscall_group_find("file-system"));
        assert_null(lp_syscall_group_find(""));
}

static void test_syscall_group_foreach_unknown(void **state)
{
        size_t n = 0;
        assert_int_equal(lp_syscall_group_foreach("@nope", count_member, &n), -ENOENT);
        assert_int_equal(lp_syscall_group_foreach("read", count_member, &n), -ENOENT);
        assert_int_equal(n, 0);
}

struct nr_log {
        int nr[MAX_NAMES];
        size_t n;
};

static int log_nr(const char *syscall, int nr, void *userdata)
{
        struct nr_log *l = userdata;
        assert_true(nr >= 0);
        assert_int_equal(lp_syscall_nr(syscall), nr);
        assert_true(l->n < MAX_NAMES);
        l->nr[l->n++] = nr;
        return 0;
}

static size_t distinct(const struct nr_log *l)
{
        size_t d = 0;
        for (size_t i = 0; i < l->n; i++) {
                bool dup = false;
                for (size_t j = 0; j < i && !dup; j++)
                        dup = l->nr[j] == l->nr[i];
                d += !dup;
        }
        return d;
}

static void test_syscall_group_foreach_dedupe(void **state)
{
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++) {
                struct nr_log l = {.n = 0};
                assert_int_equal(lp_syscall_group_foreach(g->name, log_nr, &l), 0);
                if (distinct(&l) != l.n)
                        fail_msg("%s reports a syscall twice", g->name);
        }
        /* @privileged lists chroot itself (as systemd's does) and reaches it
         * again through @mount: reported once. */
        struct nr_log priv = {.n = 0};
        size_t chroot = 0;
        assert_int_equal(lp_syscall_group_foreach("@privileged", log_nr, &priv), 0);
        for (size_t i = 0; i < priv.n; i++)
                chroot += priv.nr[i] == lp_syscall_nr("chroot");
        assert_int_equal(chroot, 1);
        struct nr_log mount = {.n = 0};
        assert_int_equal(lp_syscall_group_foreach("@mount", log_nr, &mount), 0);
        for (size_t i = 0; i < mount.n; i++) {
                bool found = false;
                for (size_t j = 0; j < priv.n && !found; j++)
                        found = priv.nr[j] == mount.nr[i];
                assert_true(found);
        }
}

static int stop_after_two(const char *syscall, int nr, void *userdata)
{
        int *n = userdata;
        return ++*n == 2 ? -ECANCELED : 0;
}

static void test_syscall_group_foreach_stops_on_error(void **state)
{
        int n = 0;
        assert_int_equal(lp_syscall_group_foreach("@file-system", stop_after_two, &n), -ECANCELED);
        assert_int_equal(n, 2);
}

/* ---- printing ---- */

static char *print_to_string(int (*print)(FILE *, const char *), const char *arg, int *ret)
{
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        assert_non_null(f);
        *ret = print(f, arg);
        fclose(f);
        return buf;
}

static int print_all(FILE *f, const char *unused)
{
        return lp_syscall_groups_print(f);
}

static void test_syscall_groups_print_lists_every_group(void **state)
{
        int r;
        char *out = print_to_string(print_all, NULL, &r);
        assert_int_equal(r, 0);
        size_t lines = 0;
        for (char *line = out, *next; *line; line = next) {
                next = strchr(line, '\n');
                assert_non_null(next);
                *next++ = '\0';
                const struct lp_syscall_group *g = &lp_syscall_groups[lines++];
                assert_true(strncmp(line, g->name, strlen(g->name)) == 0);
                assert_int_equal(line[strlen(g->name)], ' ');
                assert_non_null(strstr(line, g->help));
                bool marked = strstr(line, "(dangerous)") != NULL;
                assert_int_equal(marked, g->dangerous);
        }
        assert_int_equal(lines, n_groups());
        free(out);
}

static void test_syscall_group_print_sorted_expanded(void **state)
{
        int r;
        char *out = print_to_string(lp_syscall_group_print, "@privileged", &r);
        assert_int_equal(r, 0);
        const struct lp_syscall_group *g = lp_syscall_group_find("@privileged");
        char header[256];
        snprintf(header, sizeof(header), "# @privileged: %s\n", g->help);
        assert_true(strncmp(out, header, strlen(header)) == 0);
        size_t n = 0;
        assert_int_equal(lp_syscall_group_foreach("@privileged", count_member, &n), 0);
        size_t lines = 0;
        const char *prev = "";
        bool saw_mount = false;
        for (char *line = out + strlen(header), *next; *line; line = next) {
                next = strchr(line, '\n');
                assert_non_null(next);
                *next++ = '\0';
                assert_true(strcmp(prev, line) < 0); /* sorted, no repeats */
                assert_true(lp_syscall_nr(line) >= 0);
                assert_int_not_equal(line[0], '@');
                saw_mount |= strcmp(line, "mount") == 0;
                prev = line;
                lines++;
        }
        assert_int_equal(lines, n);
        assert_true(saw_mount); /* nested @mount expanded */
        free(out);
}

static void test_syscall_group_print_file_system(void **state)
{
        int r;
        char *out = print_to_string(lp_syscall_group_print, "@file-system", &r);
        assert_int_equal(r, 0);
        assert_non_null(strstr(out, "\nopenat\n"));
        assert_non_null(strstr(out, "\nfcntl\n"));
        assert_null(strstr(out, "\nmount\n"));
        free(out);
}

static void test_syscall_group_print_unknown(void **state)
{
        int r;
        char *out = print_to_string(lp_syscall_group_print, "@nope", &r);
        assert_int_equal(r, -ENOENT);
        assert_true(out == NULL || out[0] == '\0');
        free(out);
}

/* The generated table is libseccomp's native table: every number below
 * LP_SYSCALL_MAX_NR has the same name both ways, and each name the same
 * number; none is missing or extra, and the two orders hold the same
 * entries. */
static void test_generated_table_is_libseccomps(void **state)
{
        size_t native = 0;
        for (int nr = 0; nr < LP_SYSCALL_MAX_NR; nr++) {
                char *name = seccomp_syscall_resolve_num_arch(seccomp_arch_native(), nr);
                const char *ours = lp_syscall_table_name(nr);
                if (!name) {
                        assert_null(ours);
                        continue;
                }
                native++;
                assert_non_null(ours);
                assert_string_equal(name, ours);
                assert_int_equal(lp_syscall_table_number(name), nr);
                assert_int_equal(lp_syscall_nr(name), nr);
                free(name);
        }
        assert_int_equal(native, lp_syscall_table_size);
        assert_true(native > 300);
        for (size_t i = 1; i < lp_syscall_table_size; i++) {
                assert_true(lp_syscall_table[i - 1].nr < lp_syscall_table[i].nr);
                assert_true(strcmp(lp_syscall_table_by_name[i - 1].name,
                                   lp_syscall_table_by_name[i].name) < 0);
        }
        assert_int_equal(lp_syscall_table_number("no_such_call"), -1);
        assert_null(lp_syscall_table_name(-1));
        assert_null(lp_syscall_table_name(LP_SYSCALL_MAX_NR));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_groups_names_unique_with_help),
                cmocka_unit_test(test_groups_have_native_members),
                cmocka_unit_test(test_groups_required_exist),
                cmocka_unit_test(test_groups_nested_refer_to_existing),
                cmocka_unit_test(test_groups_no_cycles),
                cmocka_unit_test(test_groups_members_are_real_syscalls),
                cmocka_unit_test(test_groups_dangerous_disjoint_from_ordinary),
                cmocka_unit_test(test_group_membership_debug),
                cmocka_unit_test(test_group_membership_namespaces),
                cmocka_unit_test(test_group_membership_io_uring),
                cmocka_unit_test(test_group_membership_dangerous),
                cmocka_unit_test(test_group_membership_ordinary),
                cmocka_unit_test(test_groups_match_default_profile),
                cmocka_unit_test(test_syscall_nr_known_and_unknown),
                cmocka_unit_test(test_generated_table_is_libseccomps),
                cmocka_unit_test(test_syscall_group_find_known_and_unknown),
                cmocka_unit_test(test_syscall_group_foreach_unknown),
                cmocka_unit_test(test_syscall_group_foreach_dedupe),
                cmocka_unit_test(test_syscall_group_foreach_stops_on_error),
                cmocka_unit_test(test_syscall_groups_print_lists_every_group),
                cmocka_unit_test(test_syscall_group_print_sorted_expanded),
                cmocka_unit_test(test_syscall_group_print_file_system),
                cmocka_unit_test(test_syscall_group_print_unknown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
