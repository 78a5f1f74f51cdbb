/* libFuzzer: arbitrary packets as the outside route hands them to the
 * supervisor (rules/packet.h): nothing is read past the packet, what is
 * read lies inside it, and each answer is as long as it says and quotes
 * the packet exactly (a source route's final destination in its header). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "rules/packet.h"

static void answer(const uint8_t *pkt, size_t size, const struct lp_packet *p)
{
        uint8_t out[LP_PACKET_REPLY_MAX];
        size_t n = lp_packet_unreachable(pkt, size, p, out, sizeof(out));
        size_t header = p->family == AF_INET6 ? 40 : 20;
        FUZZ_CHECK(n > header + 8 && n <= sizeof(out));
        const uint8_t *quote = out + header + 8;
        size_t quoted = n - header - 8;
        if (p->source_routed) {
                /* The quote names the final destination, the rest is the
                 * packet's. */
                size_t at = p->family == AF_INET6 ? 24 : 16, len = p->family == AF_INET6 ? 16 : 4;
                FUZZ_CHECK(quoted >= at + len && memcmp(quote + at, p->dst, len) == 0);
                FUZZ_CHECK(memcmp(quote, pkt, at) == 0);
                FUZZ_CHECK(memcmp(quote + at + len, pkt + at + len, quoted - at - len) == 0);
        } else {
                FUZZ_CHECK(memcmp(quote, pkt, quoted) == 0);
        }
        n = lp_packet_udp_reply(p, p->payload, p->payload_len, out, sizeof(out));
        if (p->protocol != IPPROTO_UDP)
                FUZZ_CHECK(n == 0);
        else if (n)
                FUZZ_CHECK(n == header + 8 + p->payload_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* A copy of the exact size: ASan sees a read past the packet. */
        uint8_t *pkt = malloc(size ? size : 1);
        FUZZ_CHECK(pkt);
        memcpy(pkt, data, size);
        struct lp_packet p;
        if (lp_packet_parse(pkt, size, &p) == 0) {
                FUZZ_CHECK(p.family == AF_INET || p.family == AF_INET6);
                if (p.payload)
                        FUZZ_CHECK(p.payload >= pkt && p.payload + p.payload_len <= pkt + size);
                FUZZ_CHECK(!p.tcp_syn || p.protocol == IPPROTO_TCP);
                (void)lp_packet_from_command(&p);
                answer(pkt, size, &p);
        }
        free(pkt);
        return 0;
}
