/* findings/sarif_merge.c: two leastpriv SARIF logs as one; anything else
 * refused with the reason. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "findings/sarif_merge.h"

/* A log as report_sarif.c writes it, reduced to what the merge reads:
 * RULES and RESULTS are the arrays' contents. */
static char *log_of(const char *rules, const char *results)
{
        char *text = NULL;
        assert_true(asprintf(&text,
                             "{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":"
                             "\"leastpriv\",\"rules\":[%s]}},\"results\":[%s]}]}\n",
                             rules, results) > 0);
        return text;
}

static char *result(const char *rule, int index, const char *fingerprint, const char *count,
                    const char *test)
{
        char *text = NULL;
        assert_true(asprintf(&text,
                             "{\"ruleId\":\"%s\",\"ruleIndex\":%d,\"message\":{\"text\":\"x "
                             "denied %s time%s by /bin/t\"},\"partialFingerprints\":{"
                             "\"leastprivFinding/v2\":\"%s\"},\"properties\":{\"count\":%s,"
                             "\"test\":[\"%s\"]}}",
                             rule, index, count, strcmp(count, "1") ? "s" : "", fingerprint, count,
                             test) > 0);
        return text;
}

static int merge(const char *a, const char *b, char **ret, const char **why)
{
        return lp_sarif_merge(a, strlen(a), b, strlen(b), ret, why);
}

static void test_sarif_merge_sums_and_unions(void **state)
{
        char *r1 = result("syscall/ptrace", 0, "aa", "2", "t1");
        char *r2 = result("syscall/mount", 0, "bb", "1", "t2");
        char *r3 = result("syscall/ptrace", 1, "aa", "5", "t0");
        char *both = NULL;
        assert_true(asprintf(&both, "%s,%s", r2, r3) > 0);
        char *a = log_of("{\"id\":\"syscall/ptrace\"}", r1);
        char *b = log_of("{\"id\":\"syscall/mount\"},{\"id\":\"syscall/ptrace\"}", both);
        char *merged = NULL;
        const char *why = NULL;
        assert_int_equal(merge(a, b, &merged, &why), 0);
        /* mount is a new rule, second in the union: its result points there. */
        assert_non_null(strstr(merged, "\"rules\":[{\"id\":\"syscall/ptrace\"},"
                                       "{\"id\":\"syscall/mount\"}]"));
        assert_non_null(strstr(merged, "\"ruleId\":\"syscall/mount\",\"ruleIndex\":1,"));
        /* ptrace: one result, 2 + 5, both tests sorted, the message too. */
        assert_non_null(strstr(merged, "\"text\":\"x denied 7 times by /bin/t\""));
        assert_non_null(strstr(merged, "\"count\":7,\"test\":[\"t0\",\"t1\"]"));
        assert_null(strstr(merged, "\"count\":5"));
        free(merged);
        free(a);
        free(b);
        free(both);
        free(r1);
        free(r2);
        free(r3);
}

static void test_sarif_merge_refuses_other_files(void **state)
{
        static const struct {
                const char *text, *why;
        } cases[] = {
                {"not json", "it is not JSON"},
                {"{\"version\":\"2.1.0\",\"runs\":[]}\n{}", "it is not JSON"},
                {"{\"version\":\"2.0.0\",\"runs\":[]}", "it is not a SARIF 2.1.0 log"},
                {"{\"version\":\"2.1.0\",\"runs\":[]}", "it does not hold exactly one run"},
                {"{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"CodeQL\","
                 "\"rules\":[]}},\"results\":[]}]}",
                 "its tool is not leastpriv"},
                {"{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"leastpriv\","
                 "\"rules\":[]}},\"results\":[{\"ruleId\":\"x\",\"ruleIndex\":0}]}]}",
                 "a result of it is not one leastpriv writes"},
        };
        char *good = log_of("", ""), *merged = NULL;
        const char *why = NULL;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                assert_int_equal(merge(cases[i].text, good, &merged, &why), -EBADMSG);
                assert_string_equal(why, cases[i].why);
                assert_null(merged);
                assert_int_equal(merge(good, cases[i].text, &merged, &why), -EINVAL);
        }
        free(good);
}

static void test_sarif_merge_overflow(void **state)
{
        char *r = result("syscall/ptrace", 0, "aa", "9223372036854775807", "t");
        char *a = log_of("{\"id\":\"syscall/ptrace\"}", r), *merged = NULL;
        const char *why = NULL;
        assert_int_equal(merge(a, a, &merged, &why), -EOVERFLOW);
        assert_null(merged);
        free(r);
        r = result("syscall/ptrace", 0, "aa", "9223372036854775808", "t"); /* 2^63 */
        free(a);
        a = log_of("{\"id\":\"syscall/ptrace\"}", r);
        assert_int_equal(merge(a, a, &merged, &why), -EBADMSG);
        free(r);
        free(a);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_sarif_merge_sums_and_unions),
                cmocka_unit_test(test_sarif_merge_refuses_other_files),
                cmocka_unit_test(test_sarif_merge_overflow),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
