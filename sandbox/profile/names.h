/* Name <-> number tables for what the profile language spells by name:
 * errno values ("errno:EPERM"), address families ("AF_INET") and
 * capabilities ("CAP_NET_RAW", through libcap-ng's table). */
#pragma once
#include <stddef.h>

/* "EPERM", "AF_INET" (static strings), or NULL when unknown. */
const char *lp_errno_name(int errno_value);
const char *lp_family_name(int family);
/* The number, or -1 when unknown. */
int lp_errno_from_name(const char *name);
int lp_family_from_name(const char *name);

/* AddressFamilies= tokens: "AF_INET", or "AF_NETLINK:ROUTE" for one
 * netlink protocol (NETLINK_ROUTE). *ret_protocol is -1 for a whole
 * family. 0, or -1 when the token names no family (or a protocol of a
 * family that has none, or an unknown one). */
int lp_family_token_parse(const char *token, int *ret_family, int *ret_protocol);
/* The token for (family, protocol) into buf: "AF_NETLINK:ROUTE". */
const char *lp_family_token(int family, int protocol, char *buf, size_t size);

/* NULL-terminated lists of every accepted name, for "did you mean". */
extern const char *const lp_errno_names[];
extern const char *const lp_family_names[];

/* "CAP_NET_RAW" for CAP_NET_RAW into buf (always terminated); returns buf. */
const char *lp_capability_name(int cap, char *buf, size_t size);
/* Accepts "CAP_NET_RAW", "net_raw", "Net_Raw": any case, CAP_ optional.
 * The number, or -1 when unknown. */
int lp_capability_from_name(const char *name);
/* The capability closest to a misspelt `name`, as "CAP_NET_RAW" in buf,
 * or NULL when none is close. */
const char *lp_capability_suggest(const char *name, char *buf, size_t size);
