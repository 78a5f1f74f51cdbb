/* base/text.h: the same bytes as snprintf of the whole, cut at the same
 * place, for every buffer size from 1 to past the text. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/text.h"

static void test_joined_as_snprintf(void **state)
{
        (void)state;
        for (size_t size = 1; size < 40; size++) {
                char want[64], got[64];
                memset(got, 'x', sizeof(got));
                snprintf(want, size, "ptrace(%s, %lld)", "PTRACE_PEEKUSER", -42LL);
                size_t n = lp_text_join(got, size, 0, "ptrace(");
                n = lp_text_join(got, size, n, "PTRACE_PEEKUSER");
                n = lp_text_join(got, size, n, ", ");
                n = lp_text_join_int(got, size, n, -42);
                n = lp_text_join(got, size, n, ")");
                assert_string_equal(got, want);
                assert_int_equal(n, strlen(want));
                assert_int_equal(got[size], 'x'); /* nothing past the buffer */
        }
}

static void test_integers(void **state)
{
        (void)state;
        const long long values[] = {0, 7, -7, 10, 4096, -1000000, LLONG_MAX, LLONG_MIN};
        for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
                char want[32], got[32];
                snprintf(want, sizeof(want), "%lld", values[i]);
                lp_text_join_int(got, sizeof(got), 0, values[i]);
                assert_string_equal(got, want);
                /* Cut anywhere, the longest one included. */
                for (size_t size = 1; size < sizeof(want); size++) {
                        memset(got, 'x', sizeof(got));
                        snprintf(want, size, "%lld", values[i]);
                        lp_text_join_int(got, size, 0, values[i]);
                        assert_string_equal(got, want);
                        assert_int_equal(got[size], 'x');
                }
        }
}

static void test_edges(void **state)
{
        (void)state;
        char buf[4] = "abc";
        assert_int_equal(lp_text_join(buf, 0, 0, "zz"), 0); /* no room at all: untouched */
        assert_string_equal(buf, "abc");
        assert_int_equal(lp_text_join(buf, sizeof(buf), 9, "zz"), 3); /* past the end: cut */
        assert_string_equal(buf, "abc");
        assert_int_equal(lp_text_join(buf, sizeof(buf), 0, ""), 0);
        assert_string_equal(buf, "");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_joined_as_snprintf),
                cmocka_unit_test(test_integers),
                cmocka_unit_test(test_edges),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
