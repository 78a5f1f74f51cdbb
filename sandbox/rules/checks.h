/* The checks of the watch table (watch.h): what a call the profile allows,
 * but the supervisor watches, comes to. Each adds findings to the verdict;
 * one that refuses the call also sets the answer. Pure: what they need of
 * the system comes through d->proc. */
#pragma once

#include "rules/call.h"
#include "rules/verdict.h"

/* ioctl(TIOCSTI), ioctl(TIOCLINUX): refused by the hardening. */
void lp_check_tty_ioctl(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v);

/* clone(), unshare() with CLONE_NEW*: refused by the hardening; a new
 * namespace (but a user namespace) needs CAP_SYS_ADMIN. */
void lp_check_namespaces(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v);

/* socket(): a family the profile does not list is refused (EAFNOSUPPORT);
 * raw and packet sockets need CAP_NET_RAW. */
void lp_check_socket(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v);

/* connect, sendto, sendmsg, sendmmsg: the first address the namespace does
 * not reach is a network finding (the kernel answers ENETUNREACH). */
void lp_check_destination(const struct lp_decider *d, const struct lp_call *c,
                          struct lp_verdict *v);

/* The same finding for a destination the network observer counted in the
 * kernel (supervise/net_observer.h), which found it unreached: `operation`
 * "connect" or "sendmsg", `proto` "tcp", "udp"; `trapped`: a DNS server's,
 * sent to the DNS trap instead (no errno), as is one that d's resolver
 * stand-ins answer. v's answer is CONTINUE. */
void lp_check_observed_destination(const struct lp_decider *d, const char *operation,
                                   const char *proto, const struct lp_sockaddr_info *sa,
                                   bool trapped, struct lp_verdict *v);

/* A unix destination the network observer counted (its unix hooks):
 * `path`, resolved in the command's view, under a hidden path is a
 * filesystem finding, as check_destination's notified one; anything
 * else, none. v's answer is CONTINUE. */
void lp_check_observed_unix(const struct lp_decider *d, const char *operation, const char *path,
                            struct lp_verdict *v);

/* A DNS query for `name` (text, as dns_query.h prints it) that the DNS
 * trap answered REFUSED (supervise/dns_trap.h): a network finding, the
 * name its target. v's answer is CONTINUE. */
void lp_check_dns_query(const struct lp_decider *d, const char *name, struct lp_verdict *v);

/* bind() below the unprivileged port start: CAP_NET_BIND_SERVICE. */
void lp_check_bind_port(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v);

/* The chown family to an owner or group that is not one's own: CAP_CHOWN. */
void lp_check_owner(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v);

/* set*uid / set*gid / setgroups to ids one does not have: CAP_SETUID, CAP_SETGID. */
void lp_check_set_ids(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v);

/* mknod of a character or block device: CAP_MKNOD. */
void lp_check_device_node(const struct lp_decider *d, const struct lp_call *c,
                          struct lp_verdict *v);

/* setpriority() to a negative nice value: CAP_SYS_NICE. */
void lp_check_raise_priority(const struct lp_decider *d, const struct lp_call *c,
                             struct lp_verdict *v);

/* The paths a call writes (watch.h), against the filesystem plan: the
 * first one it makes read-only or hides is a filesystem finding, the
 * kernel's refusal (EROFS, EACCES) standing. Returns whether it found one. */
bool lp_check_paths(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v);

/* Under [Filesystem] RestrictSUIDSGID=yes, or [Identity] DynamicUser=yes
 * (which implies it): a mode with S_ISUID or S_ISGID
 * (chmod, fchmod, mknod, open with O_CREAT; openat2, whose mode is out of
 * sight, always) is refused with EPERM and reported. The dynamic user's
 * files in its workspace are the caller's on disk: a set-user-ID one
 * would be a set-user-ID file of the caller's (systemd's
 * RestrictSUIDSGID=, which DynamicUser= implies there too). Returns
 * whether it refused. */
bool lp_check_mode(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v);

struct lp_fs_rule;

/* A filesystem finding for an access `rule` refuses: `op` on `target`,
 * with the fix that would grant `checked` (the path the rule decided). */
void lp_check_fs_refusal(const struct lp_decider *d, struct lp_verdict *v,
                         const struct lp_fs_rule *rule, const char *op, const char *target,
                         const char *checked);

/* Calls that need the entry's capability whatever their arguments. */
/* prctl(PR_SET_MM, ...): CAP_SYS_RESOURCE. */
void lp_check_set_mm(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v);

/* setrlimit/prlimit64 raising the caller's hard limit: CAP_SYS_RESOURCE. */
void lp_check_raise_hard_limit(const struct lp_decider *d, const struct lp_call *c,
                               struct lp_verdict *v);

void lp_check_capability(const struct lp_decider *d, const struct lp_call *c, struct lp_verdict *v);
