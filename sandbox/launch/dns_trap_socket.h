/* The DNS trap's socket (supervise/dns_trap.h): made in the child, in the
 * command's network namespace once lo is up and before the command
 * exists, then handed to the supervisor with the seccomp listener, as the
 * forwards' listeners are. */
#pragma once

/* A UDP socket bound to the trap's address (rules/net_bpf.h:
 * 127.53.53.53 port 1, which needs the setup child's root, as does its
 * receive buffer). Returns it, or -errno. */
int lp_dns_trap_socket(void);
