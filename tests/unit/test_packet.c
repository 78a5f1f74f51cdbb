/* The outside route's packets (rules/packet.h): read as the kernel sends
 * them, answered so that the kernel takes the answer (checksums that add
 * up, addresses and ports swapped, the packet quoted). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "rules/packet.h"

/* A UDP datagram as the kernel sent it through the route: "hello" from
 * 192.0.0.8:56322 to 192.0.2.1:5300 (read off a TUN device). */
static const uint8_t udp4[] = {0x45, 0x00, 0x00, 0x21, 0xd2, 0x0f, 0x40, 0x00, 0x40, 0x11, 0xe6,
                               0xb2, 0xc0, 0x00, 0x00, 0x08, 0xc0, 0x00, 0x02, 0x01, 0xdc, 0x02,
                               0x14, 0xb4, 0x00, 0x0d, 0x49, 0x41, 'h',  'e',  'l',  'l',  'o'};

/* RFC 1071's sum over `n` bytes plus `sum`, folded: 0xffff when a
 * checksum in them is right. Written apart from the code under test. */
static uint16_t ones_sum(const uint8_t *b, size_t n, uint32_t sum)
{
        for (size_t i = 0; i < n; i++)
                sum += i % 2 ? b[i] : (uint32_t)b[i] << 8;
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t)sum;
}

static uint32_t pseudo(const uint8_t *src, const uint8_t *dst, size_t addr_len, uint8_t proto,
                       size_t len)
{
        uint32_t sum = ones_sum(src, addr_len, 0);
        sum = ones_sum(dst, addr_len, sum);
        return sum + proto + (uint32_t)len;
}

/* A TCP segment to 192.0.2.1:443 from port 40000, seq 0x01020304,
 * `flags`. */
static size_t tcp4(uint8_t *out, uint8_t flags)
{
        memset(out, 0, 40);
        out[0] = 0x45;
        out[3] = 40;
        out[8] = 64;
        out[9] = IPPROTO_TCP;
        memcpy(out + 12, (uint8_t[]){192, 0, 0, 8}, 4);
        memcpy(out + 16, (uint8_t[]){192, 0, 2, 1}, 4);
        uint8_t *t = out + 20;
        t[0] = 40000 >> 8, t[1] = 40000 & 0xff, t[2] = 443 >> 8, t[3] = 443 & 0xff;
        t[4] = 1, t[5] = 2, t[6] = 3, t[7] = 4;
        t[12] = 5 << 4;
        t[13] = flags;
        return 40;
}

/* A UDP datagram from [100::1]:5000 to [2001:db8::1]:53 carrying "q",
 * behind a fragment header of offset `offset` (8-byte units) or none. */
static size_t udp6(uint8_t *out, int offset)
{
        size_t ext = offset >= 0 ? 8 : 0;
        memset(out, 0, 40 + ext + 9);
        out[0] = 0x60;
        out[5] = (uint8_t)(ext + 9);
        out[6] = offset >= 0 ? 44 : IPPROTO_UDP;
        out[7] = 64;
        out[8] = 0x01; /* 100::1 */
        out[23] = 1;
        inet_pton(AF_INET6, "2001:db8::1", out + 24);
        uint8_t *u = out + 40;
        if (offset >= 0) {
                u[0] = IPPROTO_UDP;
                u[2] = (uint8_t)((offset << 3) >> 8);
                u[3] = (uint8_t)(offset << 3);
                u += 8;
        }
        u[0] = 5000 >> 8, u[1] = 5000 & 0xff, u[3] = 53, u[5] = 9, u[8] = 'q';
        return 40 + ext + 9;
}

static void test_lp_packet_parse_udp4(void **state)
{
        (void)state;
        struct lp_packet p;
        assert_int_equal(lp_packet_parse(udp4, sizeof(udp4), &p), 0);
        assert_int_equal(p.family, AF_INET);
        assert_int_equal(p.protocol, IPPROTO_UDP);
        assert_memory_equal(p.src, ((uint8_t[]){192, 0, 0, 8}), 4);
        assert_memory_equal(p.dst, ((uint8_t[]){192, 0, 2, 1}), 4);
        assert_int_equal(p.src_port, 56322);
        assert_int_equal(p.dst_port, 5300);
        assert_true(p.first);
        assert_false(p.tcp_syn);
        assert_int_equal(p.payload_len, 5);
        assert_memory_equal(p.payload, "hello", 5);
        assert_true(lp_packet_from_command(&p));
}

static void test_lp_packet_parse_tcp_syn(void **state)
{
        (void)state;
        uint8_t pkt[40];
        struct lp_packet p;
        assert_int_equal(lp_packet_parse(pkt, tcp4(pkt, 0x02), &p), 0);
        assert_true(p.tcp_syn);
        assert_int_equal(p.tcp_seq, 0x01020304);
        assert_int_equal(p.dst_port, 443);
        /* A SYN-ACK or a plain ACK opens nothing. */
        assert_int_equal(lp_packet_parse(pkt, tcp4(pkt, 0x12), &p), 0);
        assert_false(p.tcp_syn);
        assert_int_equal(lp_packet_parse(pkt, tcp4(pkt, 0x10), &p), 0);
        assert_false(p.tcp_syn);
}

static void test_lp_packet_parse_fragments(void **state)
{
        (void)state;
        uint8_t pkt[80];
        struct lp_packet p;
        assert_int_equal(lp_packet_parse(pkt, udp6(pkt, -1), &p), 0);
        assert_true(p.first);
        assert_int_equal(p.dst_port, 53);
        assert_int_equal(p.payload_len, 1);
        assert_int_equal(lp_packet_parse(pkt, udp6(pkt, 0), &p), 0);
        assert_true(p.first);
        assert_int_equal(p.protocol, IPPROTO_UDP);
        assert_int_equal(p.src_port, 5000);
        /* A later fragment has no ports: it is not counted. */
        assert_int_equal(lp_packet_parse(pkt, udp6(pkt, 1), &p), 0);
        assert_false(p.first);
        assert_int_equal(p.dst_port, 0);
        uint8_t v4[sizeof(udp4)];
        memcpy(v4, udp4, sizeof(v4));
        v4[6] = 0x00, v4[7] = 0x02; /* offset 16 bytes */
        assert_int_equal(lp_packet_parse(v4, sizeof(v4), &p), 0);
        assert_false(p.first);
}

static void test_lp_packet_parse_refuses_short(void **state)
{
        (void)state;
        struct lp_packet p;
        uint8_t pkt[80];
        assert_int_equal(lp_packet_parse(udp4, 0, &p), -EBADMSG);
        assert_int_equal(lp_packet_parse(udp4, 19, &p), -EBADMSG);
        /* The total length says more than was read. */
        assert_int_equal(lp_packet_parse(udp4, sizeof(udp4) - 1, &p), -EBADMSG);
        memcpy(pkt, udp4, sizeof(udp4));
        pkt[0] = 0x44; /* IHL 16 bytes */
        assert_int_equal(lp_packet_parse(pkt, sizeof(udp4), &p), -EBADMSG);
        pkt[0] = 0x55; /* version 5 */
        assert_int_equal(lp_packet_parse(pkt, sizeof(udp4), &p), -EBADMSG);
        /* A TCP header cut short. */
        size_t n = tcp4(pkt, 0x02);
        pkt[3] = 30;
        assert_int_equal(lp_packet_parse(pkt, n, &p), -EBADMSG);
        n = udp6(pkt, 0);
        assert_int_equal(lp_packet_parse(pkt, n - 1, &p), -EBADMSG);
        pkt[5] = 12; /* the fragment header and 4 bytes: no UDP header */
        assert_int_equal(lp_packet_parse(pkt, 52, &p), -EBADMSG);
        pkt[5] = 4; /* the fragment header itself cut short */
        assert_int_equal(lp_packet_parse(pkt, 44, &p), -EBADMSG);
}

static void test_lp_packet_from_command(void **state)
{
        (void)state;
        uint8_t pkt[80];
        struct lp_packet p;
        udp6(pkt, -1);
        pkt[6] = IPPROTO_ICMPV6;
        assert_int_equal(lp_packet_parse(pkt, 49, &p), 0);
        assert_false(lp_packet_from_command(&p));
        /* The command's own, from a link-local address, counts. */
        udp6(pkt, -1);
        pkt[8] = 0xfe, pkt[9] = 0x80;
        assert_int_equal(lp_packet_parse(pkt, 49, &p), 0);
        assert_true(lp_packet_from_command(&p));
}

/* A TCP SYN sent through a loose source route: the header goes to the
 * first hop 198.51.100.1, the option ends with the final destination
 * 192.0.2.1 (as the kernel builds it). */
static size_t tcp4_source_routed(uint8_t *out)
{
        uint8_t tcp[40];
        tcp4(tcp, 0x02);
        memcpy(out, tcp, 20);
        out[0] = 0x48; /* 12 bytes of options */
        out[3] = 52;
        memcpy(out + 16, (uint8_t[]){198, 51, 100, 1}, 4);
        const uint8_t lsrr[12] = {1, 131, 11, 8, 198, 51, 100, 1, 192, 0, 2, 1};
        memcpy(out + 20, lsrr, sizeof(lsrr));
        memcpy(out + 32, tcp + 20, 20);
        return 52;
}

static void test_lp_packet_source_routes(void **state)
{
        (void)state;
        uint8_t pkt[120], out[LP_PACKET_REPLY_MAX];
        struct lp_packet p;
        size_t len = tcp4_source_routed(pkt);
        assert_int_equal(lp_packet_parse(pkt, len, &p), 0);
        assert_true(p.source_routed);
        assert_memory_equal(p.dst, ((uint8_t[]){192, 0, 2, 1}), 4);
        assert_true(p.tcp_syn);
        assert_int_equal(p.dst_port, 443);
        /* Answered from the final destination, which the quote names too:
         * the kernel finds the socket by it. */
        size_t n = lp_packet_unreachable(pkt, len, &p, out, sizeof(out));
        assert_int_equal(n, 20 + 8 + len);
        assert_memory_equal(out + 12, ((uint8_t[]){192, 0, 2, 1}), 4);
        assert_memory_equal(out + 28 + 16, ((uint8_t[]){192, 0, 2, 1}), 4);
        assert_int_equal(ones_sum(out + 20, n - 20, 0), 0xffff);
        /* An option that runs past the header is no source route. */
        pkt[22] = 40;
        assert_int_equal(lp_packet_parse(pkt, len, &p), 0);
        assert_false(p.source_routed);
        assert_memory_equal(p.dst, ((uint8_t[]){198, 51, 100, 1}), 4);

        /* IPv6: a segment routing header (type 4), segments left 1, the
         * final destination 2001:db8::1 first. */
        memset(pkt, 0, sizeof(pkt));
        pkt[0] = 0x60;
        pkt[5] = 40 + 9;
        pkt[6] = 43;
        pkt[7] = 64;
        pkt[8] = 0x01, pkt[23] = 1;                    /* 100::1 */
        inet_pton(AF_INET6, "2001:db8::ff", pkt + 24); /* the next segment */
        uint8_t *rh = pkt + 40;
        rh[0] = IPPROTO_UDP, rh[1] = 4, rh[2] = 4, rh[3] = 1, rh[4] = 1;
        inet_pton(AF_INET6, "2001:db8::1", rh + 8);
        inet_pton(AF_INET6, "2001:db8::ff", rh + 24);
        uint8_t *u = pkt + 80;
        u[1] = 9, u[3] = 53, u[5] = 9, u[8] = 'q';
        assert_int_equal(lp_packet_parse(pkt, 89, &p), 0);
        assert_true(p.source_routed);
        uint8_t final[16];
        inet_pton(AF_INET6, "2001:db8::1", final);
        assert_memory_equal(p.dst, final, 16);
        assert_int_equal(p.dst_port, 53);
        n = lp_packet_unreachable(pkt, 89, &p, out, sizeof(out));
        assert_memory_equal(out + 48 + 24, final, 16);
}

static void test_lp_packet_unreachable_tcp4(void **state)
{
        (void)state;
        uint8_t pkt[40], out[LP_PACKET_REPLY_MAX];
        struct lp_packet p;
        size_t len = tcp4(pkt, 0x02);
        assert_int_equal(lp_packet_parse(pkt, len, &p), 0);
        size_t n = lp_packet_unreachable(pkt, len, &p, out, sizeof(out));
        assert_int_equal(n, 20 + 8 + len);
        assert_int_equal(out[0], 0x45);
        assert_int_equal(out[9], IPPROTO_ICMP);
        assert_int_equal(out[2] << 8 | out[3], n);
        assert_memory_equal(out + 12, pkt + 16, 4); /* from where it went */
        assert_memory_equal(out + 16, pkt + 12, 4);
        assert_int_equal(ones_sum(out, 20, 0), 0xffff);
        assert_int_equal(out[20], 3); /* destination unreachable */
        assert_int_equal(out[21], 0); /* network: connect says ENETUNREACH */
        assert_int_equal(ones_sum(out + 20, n - 20, 0), 0xffff);
        assert_memory_equal(out + 28, pkt, len);
        assert_int_equal(lp_packet_unreachable(pkt, len, &p, out, n - 1), 0);
}

static void test_lp_packet_unreachable_udp6(void **state)
{
        (void)state;
        uint8_t pkt[80], out[LP_PACKET_REPLY_MAX];
        struct lp_packet p;
        size_t len = udp6(pkt, -1);
        assert_int_equal(lp_packet_parse(pkt, len, &p), 0);
        size_t n = lp_packet_unreachable(pkt, len, &p, out, sizeof(out));
        assert_int_equal(n, 40 + 8 + len);
        assert_int_equal(out[6], IPPROTO_ICMPV6);
        assert_int_equal(out[4] << 8 | out[5], n - 40);
        assert_memory_equal(out + 8, pkt + 24, 16);
        assert_memory_equal(out + 24, pkt + 8, 16);
        assert_int_equal(out[40], 1); /* destination unreachable */
        assert_int_equal(out[41], 4); /* port */
        assert_int_equal(ones_sum(out + 40, n - 40, pseudo(out + 8, out + 24, 16, 58, n - 40)),
                         0xffff);
        assert_memory_equal(out + 48, pkt, len);
}

static void test_lp_packet_udp_reply(void **state)
{
        (void)state;
        uint8_t out[LP_PACKET_REPLY_MAX];
        struct lp_packet p;
        assert_int_equal(lp_packet_parse(udp4, sizeof(udp4), &p), 0);
        size_t n = lp_packet_udp_reply(&p, (const uint8_t *)"answer", 6, out, sizeof(out));
        assert_int_equal(n, 20 + 8 + 6);
        assert_int_equal(out[9], IPPROTO_UDP);
        assert_int_equal(ones_sum(out, 20, 0), 0xffff);
        assert_int_equal(out[20] << 8 | out[21], 5300);  /* from the port asked */
        assert_int_equal(out[22] << 8 | out[23], 56322); /* to the sender's */
        assert_int_equal(ones_sum(out + 20, 14, pseudo(out + 12, out + 16, 4, 17, 14)), 0xffff);
        assert_memory_equal(out + 28, "answer", 6);
        assert_int_equal(lp_packet_udp_reply(&p, (const uint8_t *)"answer", 6, out, n - 1), 0);

        uint8_t pkt[80];
        assert_int_equal(lp_packet_parse(pkt, udp6(pkt, -1), &p), 0);
        n = lp_packet_udp_reply(&p, (const uint8_t *)"a", 1, out, sizeof(out));
        assert_int_equal(n, 40 + 8 + 1);
        assert_int_equal(ones_sum(out + 40, 9, pseudo(out + 8, out + 24, 16, 17, 9)), 0xffff);

        assert_int_equal(lp_packet_parse(pkt, tcp4(pkt, 0x02), &p), 0);
        assert_int_equal(lp_packet_udp_reply(&p, (const uint8_t *)"a", 1, out, sizeof(out)), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lp_packet_parse_udp4),
                cmocka_unit_test(test_lp_packet_parse_tcp_syn),
                cmocka_unit_test(test_lp_packet_parse_fragments),
                cmocka_unit_test(test_lp_packet_parse_refuses_short),
                cmocka_unit_test(test_lp_packet_from_command),
                cmocka_unit_test(test_lp_packet_source_routes),
                cmocka_unit_test(test_lp_packet_unreachable_tcp4),
                cmocka_unit_test(test_lp_packet_unreachable_udp6),
                cmocka_unit_test(test_lp_packet_udp_reply),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
