/* The profile syntax: sections, keys, comments, list values, and every
 * malformed input class of the foundation issue, fed through fmemopen. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/suggest.h"
#include "profile/keys.h"
#include "profile/syntax.h"

struct parsed {
        struct lp_profile *profile;
        char *errors;
        int r;
};

static struct parsed parse_bytes(const char *text, size_t size)
{
        struct parsed out = {0};
        size_t len = 0;
        FILE *errors = open_memstream(&out.errors, &len);
        FILE *in = fmemopen((void *)text, size, "r");
        assert_non_null(in);
        out.r = lp_profile_parse(in, "t.profile", errors, &out.profile);
        fclose(in);
        fclose(errors);
        return out;
}

static struct parsed parse(const char *text)
{
        return parse_bytes(text, strlen(text));
}

static void done(struct parsed *p)
{
        lp_profile_free(p->profile);
        free(p->errors);
}

static void assert_error(const char *text, const char *expected)
{
        struct parsed p = parse(text);
        assert_int_equal(p.r, -EINVAL);
        assert_null(p.profile);
        if (!strstr(p.errors, expected))
                fail_msg("expected '%s' in: %s", expected, p.errors);
        done(&p);
}

static void test_parse_sections_and_keys(void **state)
{
        struct parsed p = parse("# comment\n; another\n[Profile]\nDescription=  hello world  \n"
                                "\n[Syscalls]\nAllow=read write\nAllow=\nDeny=ptrace # why\n");
        assert_int_equal(p.r, 0);
        assert_int_equal(p.profile->n_lines, 4);
        assert_string_equal(p.profile->lines[0].key->section, "Profile");
        assert_string_equal(p.profile->lines[0].value, "hello world");
        assert_int_equal(p.profile->lines[0].line, 4);
        assert_string_equal(p.profile->lines[1].value, "read write");
        assert_string_equal(p.profile->lines[2].key->name, "Allow");
        assert_string_equal(p.profile->lines[2].value, "");
        assert_string_equal(p.profile->lines[3].value, "ptrace");
        assert_int_equal(p.profile->lines[3].line, 9);
        done(&p);
}

static void test_parse_hash_inside_value_is_kept(void **state)
{
        struct parsed p = parse("[Environment]\nWithhold=A#B   # but this is a comment\n");
        assert_int_equal(p.r, 0);
        assert_string_equal(p.profile->lines[0].value, "A#B");
        done(&p);
}

static void test_parse_crlf_line_ends(void **state)
{
        struct parsed p = parse("[Syscalls]\r\nAllow=read\r\nDeny=ptrace\r\n");
        assert_int_equal(p.r, 0);
        assert_int_equal(p.profile->n_lines, 2);
        assert_string_equal(p.profile->lines[0].value, "read");
        assert_string_equal(p.profile->lines[1].value, "ptrace");
        done(&p);
}

static void test_parse_unknown_section(void **state)
{
        assert_error("[Sycalls]\nAllow=read\n",
                     "t.profile:1: unknown section [Sycalls]; did you mean [Syscalls]?");
        assert_error("[Bogus]\nAllow=read\n", "t.profile:1: unknown section [Bogus]");
}

static void test_parse_unknown_key(void **state)
{
        assert_error("[Syscalls]\nAlow=read\n",
                     "t.profile:2: unknown key Alow= in [Syscalls]; did you mean Allow=?");
        assert_error("[Network]\nFrobnicate=1\n",
                     "t.profile:2: unknown key Frobnicate= in [Network]");
}

static void test_parse_key_case_sensitive(void **state)
{
        assert_error("[Syscalls]\nallow=read\n", "t.profile:2: unknown key allow=");
}

static void test_parse_key_before_section(void **state)
{
        assert_error("Allow=read\n[Syscalls]\n",
                     "t.profile:1: Allow= outside of any known section");
}

static void test_parse_line_without_equals(void **state)
{
        assert_error("[Syscalls]\nAllow read\n", "t.profile:2: expected Key=Value");
}

static void test_parse_empty_file(void **state)
{
        assert_error("", "t.profile:1: profile is empty");
        assert_error("# only comments\n\n", "t.profile:2: profile is empty");
        assert_error("[Syscalls]\n", "profile is empty");
}

static void test_parse_nul_byte(void **state)
{
        static const char text[] = "[Syscalls]\nAllow=re\0ad\nDeny=ptrace\n";
        struct parsed p = parse_bytes(text, sizeof(text) - 1);
        assert_int_equal(p.r, -EINVAL);
        assert_non_null(strstr(p.errors, "t.profile:2: NUL byte in line"));
        done(&p);
}

static void test_parse_line_of_one_mib(void **state)
{
        size_t n = 1 << 20;
        char *text = malloc(n + 64);
        assert_non_null(text);
        strcpy(text, "[Syscalls]\nAllow=");
        size_t head = strlen(text);
        memset(text + head, 'a', n);
        strcpy(text + head + n, "\nDeny=ptrace\n");
        struct parsed p = parse(text);
        assert_int_equal(p.r, -EINVAL);
        assert_non_null(strstr(p.errors, "t.profile:2: line is"));
        assert_non_null(strstr(p.errors, "the limit is 65536"));
        /* The next line is still read and numbered right. */
        assert_null(strstr(p.errors, "t.profile:3"));
        done(&p);
        free(text);
}

static void test_parse_malformed_section_header(void **state)
{
        assert_error("[Syscalls\nAllow=read\n", "t.profile:1: malformed section header");
}

static void test_parse_reports_every_error(void **state)
{
        struct parsed p = parse("[Syscalls]\nAlow=1\n[Nope]\nX=1\n[Network]\nBad=2\n");
        assert_int_equal(p.r, -EINVAL);
        assert_non_null(strstr(p.errors, "t.profile:2:"));
        assert_non_null(strstr(p.errors, "t.profile:3:"));
        assert_null(strstr(p.errors, "t.profile:4:")); /* keys of an unknown section: once */
        assert_non_null(strstr(p.errors, "t.profile:6:"));
        done(&p);
}

static void test_suggest_limits(void **state)
{
        static const char *const words[] = {"Allow", "Deny", "DefaultAction", NULL};
        assert_string_equal(lp_suggest("Alow", words), "Allow");
        assert_string_equal(lp_suggest("DefaultActoin", words), "DefaultAction");
        assert_null(lp_suggest("Zebra", words));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_sections_and_keys),
                cmocka_unit_test(test_parse_hash_inside_value_is_kept),
                cmocka_unit_test(test_parse_crlf_line_ends),
                cmocka_unit_test(test_parse_unknown_section),
                cmocka_unit_test(test_parse_unknown_key),
                cmocka_unit_test(test_parse_key_case_sensitive),
                cmocka_unit_test(test_parse_key_before_section),
                cmocka_unit_test(test_parse_line_without_equals),
                cmocka_unit_test(test_parse_empty_file),
                cmocka_unit_test(test_parse_nul_byte),
                cmocka_unit_test(test_parse_line_of_one_mib),
                cmocka_unit_test(test_parse_malformed_section_header),
                cmocka_unit_test(test_parse_reports_every_error),
                cmocka_unit_test(test_suggest_limits),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
