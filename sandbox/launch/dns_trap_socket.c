/* The DNS trap's socket (dns_trap_socket.h). */
#include "launch/dns_trap_socket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "rules/net_bpf.h"

int lp_dns_trap_socket(void)
{
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        struct sockaddr_in trap = {.sin_family = AF_INET,
                                   .sin_port = htons(LP_NET_DNS_TRAP_PORT),
                                   .sin_addr.s_addr = htonl(LP_NET_DNS_TRAP_ADDR)};
        /* Room for a burst of queries while the supervisor attributes
         * one (a scan of /proc); what still does not fit is counted by the
         * kernel (SK_MEMINFO_DROPS), and the supervisor reports it. */
        int size = 1 << 20;
        if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0 ||
            bind(fd, (struct sockaddr *)&trap, sizeof(trap)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}
