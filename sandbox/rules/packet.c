/* The outside route's packets (packet.h). */
#include "rules/packet.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define IPV4_HEADER 20
#define IPV6_HEADER 40
#define ICMP_HEADER 8
#define UDP_HEADER 8
#define TCP_HEADER 20
#define TTL 64
/* ICMP errors quote as much of the packet as keeps them within 576
 * bytes (RFC 1812 4.3.2.3) or, for IPv6, within the minimum MTU. */
#define ICMP_QUOTE_V4 (576 - IPV4_HEADER - ICMP_HEADER)
#define ICMP_QUOTE_V6 (LP_PACKET_REPLY_MAX - IPV6_HEADER - ICMP_HEADER)
/* IPv6 extension headers walked before giving up on finding the
 * protocol: more is not a packet a kernel sends for a socket. */
#define EXTENSIONS_MAX 8

static uint16_t get16(const uint8_t *b)
{
        return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t get32(const uint8_t *b)
{
        return (uint32_t)get16(b) << 16 | get16(b + 2);
}

static void put16(uint8_t *b, uint16_t v)
{
        b[0] = (uint8_t)(v >> 8);
        b[1] = (uint8_t)v;
}

/* ---- reading ---- */

static void read_transport(const uint8_t *t, size_t avail, struct lp_packet *p)
{
        if (p->protocol == IPPROTO_TCP && avail >= TCP_HEADER) {
                p->src_port = get16(t);
                p->dst_port = get16(t + 2);
                p->tcp_seq = get32(t + 4);
                uint8_t flags = t[13];
                p->tcp_syn = (flags & 0x02) && !(flags & 0x10);
        } else if (p->protocol == IPPROTO_UDP && avail >= UDP_HEADER) {
                p->src_port = get16(t);
                p->dst_port = get16(t + 2);
                size_t udp_len = get16(t + 4);
                size_t data = udp_len >= UDP_HEADER ? udp_len - UDP_HEADER : 0;
                p->payload = t + UDP_HEADER;
                p->payload_len = data < avail - UDP_HEADER ? data : avail - UDP_HEADER;
        }
}

static bool transport_complete(const struct lp_packet *p, size_t avail)
{
        if (!p->first)
                return true;
        if (p->protocol == IPPROTO_TCP)
                return avail >= TCP_HEADER;
        if (p->protocol == IPPROTO_UDP)
                return avail >= UDP_HEADER;
        return true;
}

/* IPv4's options: a loose or strict source route's last address is the
 * final destination (the kernel writes it there, RFC 791 3.1). */
static void source_route_v4(const uint8_t *opt, size_t len, struct lp_packet *p)
{
        size_t i = 0;
        while (i < len && opt[i] != 0 /* end of options */) {
                if (opt[i] == 1) { /* no operation */
                        i++;
                        continue;
                }
                size_t olen = len - i >= 2 ? opt[i + 1] : 0;
                if (olen < 2 || olen > len - i)
                        return;
                if ((opt[i] == 131 || opt[i] == 137) && olen >= 3 + 4) {
                        memcpy(p->dst, opt + i + olen - 4, 4);
                        p->source_routed = true;
                }
                i += olen;
        }
}

static int parse_v4(const uint8_t *pkt, size_t len, struct lp_packet *p)
{
        size_t ihl = (size_t)(pkt[0] & 0x0f) * 4;
        if (len < IPV4_HEADER || ihl < IPV4_HEADER || ihl > len)
                return -EBADMSG;
        size_t total = get16(pkt + 2);
        if (total < ihl || total > len)
                return -EBADMSG;
        p->family = AF_INET;
        p->protocol = pkt[9];
        memcpy(p->src, pkt + 12, 4);
        memcpy(p->dst, pkt + 16, 4);
        source_route_v4(pkt + IPV4_HEADER, ihl - IPV4_HEADER, p);
        p->first = (get16(pkt + 6) & 0x1fff) == 0;
        if (p->first)
                read_transport(pkt + ihl, total - ihl, p);
        return transport_complete(p, total - ihl) ? 0 : -EBADMSG;
}

static bool is_extension(uint8_t next)
{
        return next == 0 /* hop-by-hop */ || next == 43 /* routing */ ||
               next == 60 /* destination */ || next == 44 /* fragment */;
}

static int parse_v6(const uint8_t *pkt, size_t len, struct lp_packet *p)
{
        if (len < IPV6_HEADER)
                return -EBADMSG;
        size_t end = IPV6_HEADER + get16(pkt + 4);
        if (end > len)
                return -EBADMSG;
        p->family = AF_INET6;
        memcpy(p->src, pkt + 8, 16);
        memcpy(p->dst, pkt + 24, 16);
        p->first = true;
        uint8_t next = pkt[6];
        size_t off = IPV6_HEADER;
        for (int i = 0; i < EXTENSIONS_MAX && is_extension(next); i++) {
                if (end - off < 8)
                        return -EBADMSG;
                size_t length = next == 44 ? 8 : ((size_t)pkt[off + 1] + 1) * 8;
                if (length > end - off)
                        return -EBADMSG;
                if (next == 44)
                        p->first = p->first && (get16(pkt + off + 2) & 0xfff8) == 0;
                /* Types 2 (mobility) and 4 (segment routing) hold the
                 * final destination first, at byte 8; segments left > 0. */
                if (next == 43 && (pkt[off + 2] == 2 || pkt[off + 2] == 4) && pkt[off + 3] > 0 &&
                    length >= 8 + 16) {
                        memcpy(p->dst, pkt + off + 8, 16);
                        p->source_routed = true;
                }
                next = pkt[off];
                off += length;
        }
        p->protocol = next;
        if (p->first)
                read_transport(pkt + off, end - off, p);
        return transport_complete(p, end - off) ? 0 : -EBADMSG;
}

int lp_packet_parse(const uint8_t *pkt, size_t len, struct lp_packet *out)
{
        *out = (struct lp_packet){0};
        if (len < 1)
                return -EBADMSG;
        switch (pkt[0] >> 4) {
        case 4:
                return parse_v4(pkt, len, out);
        case 6:
                return parse_v6(pkt, len, out);
        default:
                return -EBADMSG;
        }
}

bool lp_packet_from_command(const struct lp_packet *p)
{
        return p->protocol != IPPROTO_ICMP && p->protocol != IPPROTO_IGMP &&
               p->protocol != IPPROTO_ICMPV6;
}

/* ---- answering ---- */

/* The one's complement sum of RFC 1071, not yet folded. */
static uint32_t sum_bytes(const uint8_t *b, size_t n, uint32_t sum)
{
        for (size_t i = 0; i + 1 < n; i += 2)
                sum += get16(b + i);
        if (n & 1)
                sum += (uint32_t)b[n - 1] << 8;
        return sum;
}

static uint16_t fold(uint32_t sum)
{
        while (sum >> 16)
                sum = (sum & 0xffff) + (sum >> 16);
        return (uint16_t)~sum;
}

/* The pseudo-header's share of a TCP/UDP/ICMPv6 checksum (RFC 768, 8200
 * 8.1): both addresses, the protocol and the upper-layer length. */
static uint32_t pseudo_sum(const struct lp_packet *p, uint8_t protocol, size_t upper_len)
{
        size_t addr_len = p->family == AF_INET6 ? 16 : 4;
        uint32_t sum = sum_bytes(p->src, addr_len, 0);
        sum = sum_bytes(p->dst, addr_len, sum);
        return sum + protocol + (uint32_t)(upper_len & 0xffff) + (uint32_t)(upper_len >> 16);
}

/* The IP header of an answer to p: from its destination to its source. */
static size_t answer_header(const struct lp_packet *p, uint8_t protocol, size_t upper_len,
                            uint8_t *out)
{
        if (p->family == AF_INET6) {
                memset(out, 0, IPV6_HEADER);
                out[0] = 0x60;
                put16(out + 4, (uint16_t)upper_len);
                out[6] = protocol;
                out[7] = TTL;
                memcpy(out + 8, p->dst, 16);
                memcpy(out + 24, p->src, 16);
                return IPV6_HEADER;
        }
        memset(out, 0, IPV4_HEADER);
        out[0] = 0x45;
        put16(out + 2, (uint16_t)(IPV4_HEADER + upper_len));
        out[8] = TTL;
        out[9] = protocol;
        memcpy(out + 12, p->dst, 4);
        memcpy(out + 16, p->src, 4);
        put16(out + 10, fold(sum_bytes(out, IPV4_HEADER, 0)));
        return IPV4_HEADER;
}

static size_t header_size(const struct lp_packet *p)
{
        return p->family == AF_INET6 ? IPV6_HEADER : IPV4_HEADER;
}

size_t lp_packet_unreachable(const uint8_t *pkt, size_t len, const struct lp_packet *p,
                             uint8_t *out, size_t out_size)
{
        bool v6 = p->family == AF_INET6;
        size_t quote = len < (v6 ? ICMP_QUOTE_V6 : ICMP_QUOTE_V4) ? len
                       : v6                                       ? ICMP_QUOTE_V6
                                                                  : ICMP_QUOTE_V4;
        size_t icmp_len = ICMP_HEADER + quote;
        if (out_size < header_size(p) + icmp_len)
                return 0;
        uint8_t protocol = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
        size_t h = answer_header(p, protocol, icmp_len, out);
        uint8_t *icmp = out + h;
        memset(icmp, 0, ICMP_HEADER);
        bool tcp = p->protocol == IPPROTO_TCP;
        /* Destination unreachable: v4 type 3, code 0 net / 3 port;
         * v6 type 1, code 0 no route / 4 port. */
        icmp[0] = v6 ? 1 : 3;
        icmp[1] = tcp ? 0 : v6 ? 4 : 3;
        memcpy(icmp + ICMP_HEADER, pkt, quote);
        /* The quoted header's destination is what the kernel matches
         * the socket by: the final one, not a source route's first hop. */
        size_t dst_at = v6 ? 24 : 16, dst_len = v6 ? 16 : 4;
        if (p->source_routed && quote >= dst_at + dst_len)
                memcpy(icmp + ICMP_HEADER + dst_at, p->dst, dst_len);
        uint32_t sum = v6 ? pseudo_sum(p, IPPROTO_ICMPV6, icmp_len) : 0;
        put16(icmp + 2, fold(sum_bytes(icmp, icmp_len, sum)));
        return h + icmp_len;
}

size_t lp_packet_udp_reply(const struct lp_packet *p, const uint8_t *data, size_t n, uint8_t *out,
                           size_t out_size)
{
        size_t udp_len = UDP_HEADER + n;
        if (p->protocol != IPPROTO_UDP || n > LP_PACKET_REPLY_MAX ||
            out_size < header_size(p) + udp_len)
                return 0;
        size_t h = answer_header(p, IPPROTO_UDP, udp_len, out);
        uint8_t *udp = out + h;
        put16(udp, p->dst_port);
        put16(udp + 2, p->src_port);
        put16(udp + 4, (uint16_t)udp_len);
        put16(udp + 6, 0);
        if (n)
                memcpy(udp + UDP_HEADER, data, n);
        /* The sum over the answer's own addresses: the pseudo-header of
         * p with source and destination swapped sums the same. */
        uint16_t check = fold(sum_bytes(udp, udp_len, pseudo_sum(p, IPPROTO_UDP, udp_len)));
        put16(udp + 6, check ? check : 0xffff); /* 0 would mean none */
        return h + udp_len;
}

const char *lp_ip_protocol_name(uint32_t protocol, char *buf, size_t size)
{
        switch (protocol) {
        case IPPROTO_TCP:
                return "tcp";
        case IPPROTO_UDP:
                return "udp";
        case IPPROTO_UDPLITE:
                return "udplite";
        case IPPROTO_MPTCP:
                return "mptcp";
        default:
                snprintf(buf, size, "ip-protocol-%u", protocol);
                return buf;
        }
}
