/* DNS queries (dns_query.h). */
#include "rules/dns_query.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

#define QR 0x80     /* in the third byte */
#define OPCODE 0x78 /* the same byte */
#define RD 0x01     /* the same byte */

static uint16_t be16(const uint8_t *p)
{
        return (uint16_t)(p[0] << 8 | p[1]);
}

static bool plain(uint8_t c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '_';
}

/* One label's bytes appended to `name` at *at (room checked by the
 * caller's bound: 4 bytes of text a byte at most). */
static void append_label(char *name, size_t *at, const uint8_t *label, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (plain(label[i])) {
                        name[(*at)++] = (char)label[i];
                        continue;
                }
                name[(*at)++] = '\\'; /* \DDD, decimal */
                name[(*at)++] = (char)('0' + label[i] / 100);
                name[(*at)++] = (char)('0' + label[i] / 10 % 10);
                name[(*at)++] = (char)('0' + label[i] % 10);
        }
        name[(*at)++] = '.';
}

/* The name at `off`: labels until the zero one. Returns the offset past
 * it, or 0 when malformed. */
static size_t read_name(const uint8_t *msg, size_t len, size_t off, char *name)
{
        size_t at = 0, wire = 1; /* the root's zero byte */
        for (;;) {
                if (off >= len)
                        return 0;
                uint8_t n = msg[off++];
                if (n == 0)
                        break;
                if (n >= 64 || off + n > len || (wire += n + 1u) > 255)
                        return 0; /* a pointer (0xc0), a reserved kind, a cut label */
                append_label(name, &at, msg + off, n);
                off += n;
        }
        if (at == 0)
                name[at++] = '.';
        else if (at > 1)
                at--; /* no trailing dot */
        name[at] = '\0';
        return off;
}

int lp_dns_question(const uint8_t *query, size_t len, struct lp_dns_question *q)
{
        if (len < LP_DNS_HEADER || (query[2] & QR) || be16(query + 4) == 0)
                return -EBADMSG;
        size_t off = read_name(query, len, LP_DNS_HEADER, q->name);
        if (off == 0 || off + 4 > len)
                return -EBADMSG;
        q->type = be16(query + off);
        q->end = off + 4; /* QTYPE, QCLASS */
        return 0;
}

size_t lp_dns_answer(const uint8_t *query, size_t len, const struct lp_dns_question *q,
                     uint8_t rcode, uint8_t *out, size_t out_size)
{
        size_t n = q ? q->end : LP_DNS_HEADER;
        if (len < n || out_size < n || (query[2] & QR))
                return 0; /* a runt, or an answer: nothing answers an answer */
        memset(out, 0, LP_DNS_HEADER);
        memcpy(out, query, 2); /* ID */
        out[2] = (uint8_t)(QR | (query[2] & (OPCODE | RD)));
        out[3] = rcode & 0x0f;
        if (q) {
                out[5] = 1; /* QDCOUNT */
                memcpy(out + LP_DNS_HEADER, query + LP_DNS_HEADER, n - LP_DNS_HEADER);
        }
        return n;
}

const char *lp_dns_type_name(uint16_t type, char *buf, size_t size)
{
        static const struct {
                uint16_t type;
                const char *name;
        } names[] = {{1, "A"},    {2, "NS"},    {5, "CNAME"},  {6, "SOA"},
                     {12, "PTR"}, {15, "MX"},   {16, "TXT"},   {28, "AAAA"},
                     {33, "SRV"}, {64, "SVCB"}, {65, "HTTPS"}, {255, "ANY"}};
        for (size_t i = 0; i < LP_ELEMENTSOF(names); i++)
                if (names[i].type == type)
                        return names[i].name;
        snprintf(buf, size, "TYPE%u", type);
        return buf;
}
