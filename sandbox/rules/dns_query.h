/* DNS queries as the DNS trap receives them (supervise/dns_trap.h): the
 * question's name and type out of a datagram, and the REFUSED answer
 * that makes the command's resolver fail at once. RFC 1035 §4.1. Pure:
 * bytes in, bytes out, no system call; fuzzed (tests/fuzz/fuzz_dns_query.c). */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* The longest name text: 255 bytes of wire name, each byte of it at most
 * four of text (\DDD), and the terminator. */
#define LP_DNS_NAME_MAX (255 * 4 + 1)

#define LP_DNS_HEADER 12
/* The longest answer lp_dns_answer makes: the header and a question of
 * 255 bytes of name, QTYPE and QCLASS. */
#define LP_DNS_ANSWER_MAX (LP_DNS_HEADER + 255 + 4)
#define LP_DNS_REFUSED 5 /* RCODE */
#define LP_DNS_FORMERR 1

struct lp_dns_question {
        char name[LP_DNS_NAME_MAX]; /* dotted, "." for the root; bytes other
                                     * than letters, digits, '-' and '_' as
                                     * \DDD, as dig prints them */
        uint16_t type;              /* QTYPE: 1 A, 28 AAAA, ... */
        size_t end;                 /* the question's end in the datagram */
};

/* The first question of `query` (a query, not an answer: QR clear, at
 * least one question). 0, or -EBADMSG: not a query, or a question that
 * runs past the datagram, a label of 64 or more bytes, a name of more
 * than 255, or a compression pointer (a query has nothing to point at). */
int lp_dns_question(const uint8_t *query, size_t len, struct lp_dns_question *q);

/* The answer to `query` in `out`: its ID, opcode and RD, QR set,
 * `rcode`, and its first question echoed back when `q` is given (its
 * bytes up to q->end), no records. Returns the answer's length, or 0 when
 * there is none to give (fewer than LP_DNS_HEADER bytes, QR set: an
 * answer is not answered) or `out` is too small. */
size_t lp_dns_answer(const uint8_t *query, size_t len, const struct lp_dns_question *q,
                     uint8_t rcode, uint8_t *out, size_t out_size);

/* The type's name ("A", "AAAA", "TYPE65" for one without). */
const char *lp_dns_type_name(uint16_t type, char *buf, size_t size);
