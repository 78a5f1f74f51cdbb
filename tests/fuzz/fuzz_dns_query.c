/* libFuzzer: arbitrary datagrams as the DNS trap receives them
 * (rules/dns_query.h): the question is read without reading past the
 * datagram, its name is bounded text, and an answer echoes exactly the
 * question's bytes. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rules/dns_query.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* A copy of the exact size: ASan sees a read past the datagram. */
        uint8_t *msg = malloc(size ? size : 1);
        FUZZ_CHECK(msg);
        memcpy(msg, data, size);
        struct lp_dns_question q;
        bool query = lp_dns_question(msg, size, &q) == 0;
        uint8_t out[LP_DNS_ANSWER_MAX];
        if (query) {
                size_t len = strlen(q.name);
                FUZZ_CHECK(len > 0 && len < sizeof(q.name));
                FUZZ_CHECK(q.end > LP_DNS_HEADER && q.end <= size && q.end <= sizeof(out));
                size_t n = lp_dns_answer(msg, size, &q, LP_DNS_REFUSED, out, sizeof(out));
                FUZZ_CHECK(n == q.end);
                FUZZ_CHECK(memcmp(out, msg, 2) == 0 && (out[2] & 0x80) && (out[3] & 0x0f) == 5);
                FUZZ_CHECK(memcmp(out + LP_DNS_HEADER, msg + LP_DNS_HEADER, n - LP_DNS_HEADER) ==
                           0);
        } else {
                size_t n = lp_dns_answer(msg, size, NULL, LP_DNS_FORMERR, out, sizeof(out));
                bool answerable = size >= LP_DNS_HEADER && !(msg[2] & 0x80);
                FUZZ_CHECK(n == (answerable ? LP_DNS_HEADER : 0));
        }
        free(msg);
        return 0;
}
