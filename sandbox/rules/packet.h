/* The command's packets to outside destinations, as the outside route
 * hands them to the supervisor (launch/outside_route.h): an IPv4 or IPv6
 * packet read off the route's TUN device, told apart (who it goes to, by
 * which protocol, whether it opens a connection), and the packets that
 * answer it: an ICMP error that makes the sender's call fail at once, a
 * UDP datagram from the address it asked (the DNS answer). RFC 791, 8200,
 * 768, 793, 792, 4443. Pure: bytes in, bytes out, no system call; fuzzed
 * (tests/fuzz/fuzz_packet.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest packet read: the route's MTU (launch/outside_route.h). */
#define LP_PACKET_MTU 1500
/* The largest answer made: an ICMP error quotes at most this much of the
 * packet it answers, a UDP answer carries at most this much. */
#define LP_PACKET_REPLY_MAX 1280

struct lp_packet {
        int family;       /* AF_INET or AF_INET6 */
        uint8_t protocol; /* IPPROTO_TCP, IPPROTO_UDP, ... (after IPv6's extension headers) */
        uint8_t src[16], dst[16];    /* IPv4's in the first 4 bytes; dst the final one */
        bool source_routed;          /* the header's destination is a first hop, not dst */
        uint16_t src_port, dst_port; /* TCP's and UDP's, host order; 0 for the others */
        bool first;                  /* unfragmented, or the first fragment: the one counted */
        bool tcp_syn;                /* TCP SYN without ACK: a connect */
        uint32_t tcp_seq;
        const uint8_t *payload; /* UDP's data in this packet (the first fragment's part) */
        size_t payload_len;
};

/* `pkt` of `len` bytes into *out (which points into pkt). A source route
 * (IPv4's LSRR and SSRR options, an IPv6 routing header of type 2 or 4,
 * which a socket may set without privilege) puts its first hop in the
 * header: out->dst is the route's last address, where the socket
 * connected. 0, or -EBADMSG:
 * not IPv4 or IPv6, a header or length field that runs past the packet,
 * a TCP or UDP header cut short in a first fragment. */
int lp_packet_parse(const uint8_t *pkt, size_t len, struct lp_packet *out);

/* Whether the packet is the command's own attempt to reach a destination:
 * TCP and UDP and other protocols the command can send, not the kernel's
 * own ICMP, ICMPv6 (router solicitations, neighbour and multicast listener
 * messages) and IGMP. */
bool lp_packet_from_command(const struct lp_packet *p);

/* The ICMP error (ICMPv6 for IPv6) that answers `pkt` (parsed into `p`)
 * from its destination into `out` (the quoted header's destination made
 * p->dst, so that a source-routed socket is found by its own): network
 * unreachable for TCP (connect
 * fails with ENETUNREACH, as a namespace without a route says), port
 * unreachable for the rest (a connected UDP socket's next call fails
 * with ECONNREFUSED). It quotes the packet's first bytes, as much as
 * RFC 792/4443 ask and `out` allows. Returns its length, 0 when
 * `out_size` is too small. */
size_t lp_packet_unreachable(const uint8_t *pkt, size_t len, const struct lp_packet *p,
                             uint8_t *out, size_t out_size);

/* A UDP datagram from p's destination (address and port) to its source,
 * carrying `data`, into `out`, checksummed. Returns its length, 0 when it
 * does not fit `out_size` or p is not UDP. */
size_t lp_packet_udp_reply(const struct lp_packet *p, const uint8_t *data, size_t n, uint8_t *out,
                           size_t out_size);

/* The protocol's name in a finding ("tcp", "udp", "ip-protocol-132"). */
const char *lp_ip_protocol_name(uint32_t protocol, char *buf, size_t size);
