/* Learning: whether a loopback TCP port the command connects to is served
 * by a process outside the command's own tree (a database on the host, the
 * CI service container ...). Such a destination needs Forward= (or
 * Namespace=host) in the learned profile; the command's own servers need
 * nothing, as its loopback-only namespace has them too. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Whether something listens on TCP `port` (or, `udp`, is bound to UDP
 * `port`) in `pid`'s network namespace and no process of `pid`'s PID
 * namespace holds that socket. False
 * when nothing listens (the connect fails alike with or without the host)
 * or when it cannot be told. Reads /proc: call once per port. */
bool lp_listener_is_outside(int pid, uint16_t port, bool udp);

/* The text of `pid`'s PID namespace link ("pid:[4026532250]") into ns.
 * 0, or -errno (a process that is not dumpable: EACCES without root). */
int lp_pid_namespace_read(pid_t pid, char *ns, size_t size);

/* The process of PID namespace `pid_ns` (lp_pid_namespace_read's text;
 * NULL: `pid`'s own) that holds a UDP socket (`tcp`: a TCP one; IPv4 or
 * IPv6, any state) of local port `port` in `pid`'s network namespace, or
 * 0 when none or it cannot be told. Reads /proc. */
pid_t lp_socket_holder(int pid, const char *pid_ns, uint16_t port, bool tcp);

/* Whether something listens on TCP `port` in `pid`'s network namespace. */
bool lp_listener_exists(int pid, uint16_t port);

/* The TCP ports on which this process's network namespace (the host's,
 * in the supervisor) listens on loopback, 0.0.0.0 or ::, sorted, each
 * once, into *ret (freed by the caller), from sock_diag(7). Returns how
 * many, or -errno. */
int lp_listeners_host_loopback(uint16_t **ret);
