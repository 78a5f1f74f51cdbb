/* DNS queries as the DNS trap reads and answers them (rules/dns_query.h). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rules/dns_query.h"

/* A query for `wire` (a name in wire form, its zero byte included),
 * type `type`, class IN; ID 0xbeef, RD set. Returns its length. */
static size_t build(uint8_t *out, const char *wire, size_t wire_len, uint16_t type)
{
        const uint8_t header[LP_DNS_HEADER] = {0xbe, 0xef, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
        memcpy(out, header, sizeof(header));
        memcpy(out + LP_DNS_HEADER, wire, wire_len);
        size_t n = LP_DNS_HEADER + wire_len;
        out[n++] = (uint8_t)(type >> 8);
        out[n++] = (uint8_t)type;
        out[n++] = 0;
        out[n++] = 1;
        return n;
}

static void test_lp_dns_question_names(void **state)
{
        (void)state;
        uint8_t msg[600];
        struct lp_dns_question q;
        size_t n = build(msg, "\7example\3com", 13, 28);
        assert_int_equal(lp_dns_question(msg, n, &q), 0);
        assert_string_equal(q.name, "example.com");
        assert_int_equal(q.type, 28);
        assert_int_equal(q.end, n);
        n = build(msg, "", 1, 2);
        assert_int_equal(lp_dns_question(msg, n, &q), 0);
        assert_string_equal(q.name, ".");
        /* Bytes a name should not hold are shown as dig shows them. */
        n = build(msg, "\5a.b\n_\3x-Y", 11, 1);
        assert_int_equal(lp_dns_question(msg, n, &q), 0);
        assert_string_equal(q.name, "a\\046b\\010_.x-Y");
        char buf[16];
        assert_string_equal(lp_dns_type_name(28, buf, sizeof(buf)), "AAAA");
        assert_string_equal(lp_dns_type_name(65, buf, sizeof(buf)), "HTTPS");
        assert_string_equal(lp_dns_type_name(4242, buf, sizeof(buf)), "TYPE4242");
}

static void test_lp_dns_question_refuses_what_is_not_a_query(void **state)
{
        (void)state;
        uint8_t msg[600];
        struct lp_dns_question q;
        size_t n = build(msg, "\7example\3com", 13, 1);
        for (size_t cut = 0; cut < n; cut++)
                assert_int_equal(lp_dns_question(msg, cut, &q), -EBADMSG);
        msg[2] |= 0x80; /* an answer */
        assert_int_equal(lp_dns_question(msg, n, &q), -EBADMSG);
        msg[2] &= 0x7f;
        msg[5] = 0; /* no question */
        assert_int_equal(lp_dns_question(msg, n, &q), -EBADMSG);
        /* A compression pointer, a label of 64. */
        n = build(msg, "\xc0\x0c", 2, 1);
        assert_int_equal(lp_dns_question(msg, n, &q), -EBADMSG);
        char wire[70] = {64};
        memset(wire + 1, 'a', 64);
        n = build(msg, wire, 66, 1);
        assert_int_equal(lp_dns_question(msg, n, &q), -EBADMSG);
}

/* A wire name of labels of these lengths (each of '\\'), then the zero
 * byte. Returns its length. */
static size_t labels(char *wire, const int *lengths, size_t n)
{
        size_t at = 0;
        for (size_t i = 0; i < n; i++) {
                wire[at++] = (char)lengths[i];
                memset(wire + at, '\\', (size_t)lengths[i]);
                at += (size_t)lengths[i];
        }
        wire[at++] = 0;
        return at;
}

/* 255 bytes of wire name is the most (RFC 1035 §2.3.4); 256 is not. */
static void test_lp_dns_question_name_length(void **state)
{
        (void)state;
        uint8_t msg[600];
        char wire[300];
        struct lp_dns_question q;
        size_t n = labels(wire, (const int[]){63, 63, 63, 62}, 4); /* 256 */
        assert_int_equal(n, 256);
        assert_int_equal(lp_dns_question(msg, build(msg, wire, n, 1), &q), -EBADMSG);
        n = labels(wire, (const int[]){63, 63, 63, 61}, 4);
        assert_int_equal(n, 255);
        assert_int_equal(lp_dns_question(msg, build(msg, wire, n, 1), &q), 0);
        assert_int_equal(strlen(q.name), 4 * (3 * 63 + 61) + 3); /* "\\092" each, 3 dots */
}

static void test_lp_dns_answer(void **state)
{
        (void)state;
        uint8_t msg[600], out[600];
        struct lp_dns_question q;
        size_t n = build(msg, "\7example\3com", 13, 1);
        n += 11; /* an EDNS OPT record after the question: not echoed */
        memset(msg + n - 11, 0, 11);
        msg[11] = 1;
        assert_int_equal(lp_dns_question(msg, n, &q), 0);
        size_t len = lp_dns_answer(msg, n, &q, LP_DNS_REFUSED, out, sizeof(out));
        assert_int_equal(len, q.end);
        const uint8_t header[LP_DNS_HEADER] = {0xbe, 0xef, 0x81, 0x05, 0, 1, 0, 0, 0, 0, 0, 0};
        assert_memory_equal(out, header, sizeof(header));
        assert_memory_equal(out + LP_DNS_HEADER, msg + LP_DNS_HEADER, q.end - LP_DNS_HEADER);
        /* Without a question: the header alone, FORMERR. */
        len = lp_dns_answer(msg, n, NULL, LP_DNS_FORMERR, out, sizeof(out));
        assert_int_equal(len, LP_DNS_HEADER);
        assert_int_equal(out[3], LP_DNS_FORMERR);
        assert_int_equal(out[5], 0);
        assert_int_equal(lp_dns_answer(msg, 11, NULL, LP_DNS_FORMERR, out, sizeof(out)), 0);
        assert_int_equal(lp_dns_answer(msg, n, &q, LP_DNS_REFUSED, out, q.end - 1), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lp_dns_question_names),
                cmocka_unit_test(test_lp_dns_question_refuses_what_is_not_a_query),
                cmocka_unit_test(test_lp_dns_question_name_length),
                cmocka_unit_test(test_lp_dns_answer),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
