/* The resolver's stand-ins (docs/architecture.md, "DNS"): the servers of
 * /etc/resolv.conf answered inside the command's network namespace. Each
 * one's address is made lo's there (a loopback one, systemd-resolved's
 * 127.0.0.53, already is) and a UDP socket bound on its port 53, so that
 * the command's resolver reaches it, as root or not, with or without the
 * network observer; the socket is handed to the supervisor's DNS trap
 * (supervise/dns_trap.h), which reports the name and answers REFUSED from
 * the very address the resolver asked. */
#pragma once
#include <stddef.h>
#include <sys/socket.h>

#include "rules/decode.h"

/* glibc's MAXNS: the servers a resolver asks. */
#define LP_DNS_SERVERS_MAX 3

struct lp_dns_servers {
        struct sockaddr_storage addr[LP_DNS_SERVERS_MAX]; /* port 53 */
        struct lp_sockaddr_info info[LP_DNS_SERVERS_MAX]; /* as findings show them */
        size_t n;
};

/* The network observer's trap (supervise/dns_trap.h): a UDP socket
 * bound to its address (rules/net_bpf.h: 127.53.53.53 port 1, which
 * needs the child's root, as does its receive buffer). Made in the
 * child like the stand-ins, handed over first among them. Returns it, or
 * -errno. */
int lp_dns_trap_socket(void);

/* Before the fork: the servers as the C library's resolver reads them
 * (res_ninit: /etc/resolv.conf, RES_OPTIONS, LOCALDOMAIN), each once,
 * but the unspecified address and loopback ones other than
 * systemd-resolved's 127.0.0.53 (where a test's own DNS server may be:
 * 127.0.0.1:53 stays the command's). None when it cannot read them. */
void lp_dns_servers_read(struct lp_dns_servers *s);

/* In the child, in the command's network namespace with lo up: a
 * stand-in for each server, its socket in fds[*n] (up to
 * LP_DNS_SERVERS_MAX). A server whose stand-in cannot be had (a family
 * the namespace lacks, a link-local address) is left out: the stand-ins
 * name queries, they protect nothing, so none of them stops a run.
 * Bit i of *made: server i has one. Returns 0. */
int lp_dns_standins(const struct lp_dns_servers *s, int *fds, size_t *n, unsigned *made);

/* After the handover: only the servers whose bit is set in `made` (what
 * lp_dns_standins made, as the child says) are kept. */
void lp_dns_servers_keep(struct lp_dns_servers *s, unsigned made);
