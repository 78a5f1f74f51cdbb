/* The tables everything else reads: the key table (profile/keys.h) and the
 * watch table (rules/watch.h). Their invariants, and that the parser,
 * show, diff and the filter take what they know from them. */
#include <errno.h>
#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "profile/keys.h"
#include "profile/load.h"
#include "profile/policy.h"
#include "profile/syscall_sets.h"
#include "rules/checks.h"
#include "rules/watch.h"

static struct lp_policy *load(const char *text)
{
        struct lp_policy *p = NULL;
        if (lp_policy_load_string_sealed(text, "t.profile", stderr, &p) != 0)
                fail_msg("did not load: %s", text);
        return p;
}

/* ---- the key table ---- */

static void test_keys_are_unique_and_in_known_sections(void **state)
{
        size_t n = 0;
        for (const struct lp_key *k = lp_keys; k->name; k++, n++) {
                bool known = false;
                for (size_t s = 0; lp_sections[s]; s++)
                        known |= strcmp(lp_sections[s], k->section) == 0;
                if (!known)
                        fail_msg("%s= is in section [%s], which lp_sections lacks", k->name,
                                 k->section);
                assert_ptr_equal(lp_key_find(k->section, k->name), k);
                /* Only Include= is the loader's own. */
                if (!k->apply)
                        assert_string_equal(k->name, "Include");
        }
        assert_int_equal(n, 34);
        assert_null(lp_key_find("Network", "Allow"));
        assert_null(lp_key_find("Syscalls", "allow")); /* case-sensitive */
}

/* Sections come in lp_sections' order, each in one run, so that `show`
 * prints every section once. */
static void test_keys_are_grouped_by_section(void **state)
{
        size_t section = 0;
        for (const struct lp_key *k = lp_keys; k->name; k++) {
                while (lp_sections[section] && strcmp(lp_sections[section], k->section) != 0)
                        section++;
                if (!lp_sections[section])
                        fail_msg("%s= ([%s]) is out of section order", k->name, k->section);
        }
}

/* Every key the parser accepts is one of the table's, and every one of
 * the table's is accepted. */
static void test_parser_accepts_exactly_the_table(void **state)
{
        for (const struct lp_key *k = lp_keys; k->name; k++) {
                if (!k->apply)
                        continue;
                char text[256];
                snprintf(text, sizeof(text), "[%s]\n%s=\n", k->section, k->name);
                struct lp_policy *p = NULL;
                char *errors = NULL;
                size_t len = 0;
                FILE *e = open_memstream(&errors, &len);
                int r = lp_policy_load_string_sealed(text, "t.profile", e, &p);
                fclose(e);
                /* An empty value may be wrong for the key; an unknown key
                 * it is not. */
                if (strstr(errors, "unknown key"))
                        fail_msg("%s= not accepted: %s", k->name, errors);
                if (r == 0)
                        lp_policy_free(p);
                free(errors);
        }
        struct lp_policy *p = NULL;
        assert_int_equal(lp_policy_load_string_sealed("[Network]\nForwards=\n", "t", NULL, &p),
                         -EINVAL);
}

static void test_learned_keys(void **state)
{
        /* learn writes exactly these (README, "Learning mode"). */
        const char *const want[] = {"Keep", "Allow", "AddressFamilies", "ReadWritePaths", NULL};
        size_t n = 0;
        for (const struct lp_key *k = lp_keys; k->name; k++) {
                if (!k->learned)
                        continue;
                assert_non_null(want[n]);
                assert_string_equal(k->name, want[n]);
                /* What learn grants, diff must see. */
                assert_non_null(k->privileges);
                n++;
        }
        assert_null(want[n]);
}

/* ---- the watch table ---- */

static bool exists_somewhere(const char *name)
{
        return lp_syscall_nr(name) >= 0 || lp_syscall_known_elsewhere(name);
}

static void test_watch_entries_are_well_formed(void **state)
{
        size_t n = 0, members = 0;
        for (const struct lp_watch *w = lp_watches; w->name; w++, n++) {
                assert_non_null(w->syscalls[0]);
                assert_true(w->check || w->paths || w->modes);
                /* Watched for some reason, or it would never be watched. */
                assert_true(w->hardening || w->cap >= 0 || w->destination || w->always ||
                            w->paths || w->modes);
                /* A mode is in a register of the call, or declared unseen;
                 * open's flags, where they count, too. */
                for (size_t i = 0; w->modes && w->syscalls[i]; i++) {
                        assert_true(w->modes[i].mode == LP_MODE_UNSEEN ||
                                    (w->modes[i].mode >= 0 && w->modes[i].mode < 6));
                        assert_true(w->modes[i].flags >= -1 && w->modes[i].flags < 6);
                }
                assert_true(w->cap >= -1 && w->cap <= CAP_LAST_CAP);
                assert_true(w->filter_arg < 6);
                if (w->filter == LP_FILTER_ARG_LO32_NOT_IN)
                        assert_true(w->filter_values && w->n_filter_values > 0);
                if (w->filter == LP_FILTER_ARG_MASK_ZERO)
                        assert_true(w->filter_mask != 0);
                /* A destination is read from memory before it is checked. */
                if (w->destination) {
                        assert_ptr_equal(w->check, lp_check_destination);
                        assert_int_not_equal(w->address, LP_ADDRESS_NONE);
                }
                for (size_t i = 0; w->syscalls[i]; i++) {
                        if (!exists_somewhere(w->syscalls[i]))
                                fail_msg("%s (%s) is no syscall", w->syscalls[i], w->name);
                        /* One entry per syscall. */
                        assert_ptr_equal(lp_watch_find(w->syscalls[i]), w);
                        members++;
                }
        }
        assert_true(n >= 18);
        /* lp_watch_find's index holds them all (else it scans). */
        if (members > LP_WATCH_MEMBERS_MAX)
                fail_msg("%zu syscall names in the watch table: raise LP_WATCH_MEMBERS_MAX",
                         members);
        assert_null(lp_watch_find("read"));
        assert_null(lp_watch_find(NULL));
        /* Names beside members in the index's order, and none. */
        assert_null(lp_watch_find(""));
        assert_null(lp_watch_find("chow"));
        assert_null(lp_watch_find("chownz"));
        assert_null(lp_watch_find("~"));
}

/* Entries other stages rely on: the sendmsg family the network checks
 * read, the capabilities of the gates, what the hardening names. */
static void test_watch_entries_of_note(void **state)
{
        const struct lp_watch *w = lp_watch_find("sendmsg");
        assert_non_null(w);
        assert_true(w->destination);
        assert_int_equal(w->filter, LP_FILTER_NOTIFY_ALL);
        w = lp_watch_find("sendmmsg");
        assert_non_null(w);
        assert_int_equal(w->address, LP_ADDRESS_MMSGHDR);
        assert_int_equal(lp_watch_find("fchownat")->cap, CAP_CHOWN);
        assert_int_equal(lp_watch_find("unshare")->cap, CAP_SYS_ADMIN);
        assert_string_equal(lp_watch_find("ioctl")->hardening, "ioctl(TIOCSTI, TIOCLINUX)");
}

static void test_watch_active(void **state)
{
        struct lp_policy *p = load("[Profile]\nInclude=default\n");
        const struct lp_watch *connect = lp_watch_find("connect"), *chown = lp_watch_find("chown"),
                              *ioctl = lp_watch_find("ioctl"), *socket = lp_watch_find("socket");
        assert_true(lp_watch_active(p, connect, "connect", false));
        assert_true(lp_watch_active(p, chown, "chown", false));
        assert_true(lp_watch_active(p, ioctl, "ioctl", false));
        assert_true(lp_watch_active(p, socket, "socket", false));
        lp_policy_free(p);
        p = load("[Profile]\nInclude=default\n[Network]\nNamespace=host\n[Capabilities]\n"
                 "Keep=CAP_CHOWN CAP_NET_RAW\n[Syscalls]\nAllow=ioctl\n");
        assert_false(lp_watch_active(p, connect, "connect", false));
        assert_false(lp_watch_active(p, chown, "chown", false));
        assert_false(lp_watch_active(p, ioctl, "ioctl", false));
        assert_false(lp_watch_hardened(p, "ioctl"));
        assert_true(lp_watch_hardened(p, "clone"));
        /* Families are enforced under every policy. */
        assert_true(lp_watch_active(p, socket, "socket", false));
        lp_policy_free(p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_keys_are_unique_and_in_known_sections),
                cmocka_unit_test(test_keys_are_grouped_by_section),
                cmocka_unit_test(test_parser_accepts_exactly_the_table),
                cmocka_unit_test(test_learned_keys),
                cmocka_unit_test(test_watch_entries_are_well_formed),
                cmocka_unit_test(test_watch_entries_of_note),
                cmocka_unit_test(test_watch_active),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
