/* Name <-> number tables (names.h). The lists are X-macros so that the
 * name -> number table and the NULL-terminated name list for "did you mean"
 * are one list, built at compile time. */
#include "profile/names.h"

#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "base/suggest.h"
#include "base/util.h"

/* clang-format off */

/* The errno values a profile may reasonably return for a denied call. */
#define ERRNOS(X) \
        X(EPERM) X(ENOENT) X(ESRCH) X(EINTR) X(EIO) X(ENXIO) \
        X(E2BIG) X(ENOEXEC) X(EBADF) X(ECHILD) X(EAGAIN) X(ENOMEM) \
        X(EACCES) X(EFAULT) X(EBUSY) X(EEXIST) X(EXDEV) X(ENODEV) \
        X(ENOTDIR) X(EISDIR) X(EINVAL) X(ENFILE) X(EMFILE) X(ENOTTY) \
        X(EFBIG) X(ENOSPC) X(ESPIPE) X(EROFS) X(EMLINK) X(EPIPE) \
        X(ERANGE) X(ENOSYS) X(ENOTSUP) X(EOPNOTSUPP) X(EAFNOSUPPORT) X(EADDRINUSE) \
        X(EADDRNOTAVAIL) X(ENETDOWN) X(ENETUNREACH) X(ECONNREFUSED) X(ECONNRESET) X(EHOSTUNREACH) \
        X(ETIMEDOUT) X(EPROTONOSUPPORT) X(ENOTSOCK) X(ENOTCONN) X(EDEADLK) X(ENAMETOOLONG) \
        X(ENOTEMPTY) X(ELOOP) X(ENODATA) X(ETXTBSY) X(EDOM) X(ECANCELED) \
        X(EOVERFLOW)

/* Linux address families (linux/socket.h); AF_LOCAL is AF_UNIX's alias.
 * AF_XDP and AF_MCTP by number: older libc headers lack them. */
#define FAMILIES(X) \
        X(AF_UNIX, AF_UNIX) X(AF_LOCAL, AF_LOCAL) X(AF_INET, AF_INET) \
        X(AF_AX25, AF_AX25) X(AF_IPX, AF_IPX) X(AF_APPLETALK, AF_APPLETALK) \
        X(AF_NETROM, AF_NETROM) X(AF_BRIDGE, AF_BRIDGE) X(AF_ATMPVC, AF_ATMPVC) \
        X(AF_X25, AF_X25) X(AF_INET6, AF_INET6) X(AF_ROSE, AF_ROSE) \
        X(AF_DECnet, AF_DECnet) X(AF_NETBEUI, AF_NETBEUI) X(AF_SECURITY, AF_SECURITY) \
        X(AF_KEY, AF_KEY) X(AF_NETLINK, AF_NETLINK) X(AF_PACKET, AF_PACKET) \
        X(AF_ASH, AF_ASH) X(AF_ECONET, AF_ECONET) X(AF_ATMSVC, AF_ATMSVC) \
        X(AF_RDS, AF_RDS) X(AF_SNA, AF_SNA) X(AF_IRDA, AF_IRDA) \
        X(AF_PPPOX, AF_PPPOX) X(AF_WANPIPE, AF_WANPIPE) X(AF_LLC, AF_LLC) \
        X(AF_IB, AF_IB) X(AF_MPLS, AF_MPLS) X(AF_CAN, AF_CAN) \
        X(AF_TIPC, AF_TIPC) X(AF_BLUETOOTH, AF_BLUETOOTH) X(AF_IUCV, AF_IUCV) \
        X(AF_RXRPC, AF_RXRPC) X(AF_ISDN, AF_ISDN) X(AF_PHONET, AF_PHONET) \
        X(AF_IEEE802154, AF_IEEE802154) X(AF_CAIF, AF_CAIF) X(AF_ALG, AF_ALG) \
        X(AF_NFC, AF_NFC) X(AF_VSOCK, AF_VSOCK) X(AF_KCM, AF_KCM) \
        X(AF_QIPCRTR, AF_QIPCRTR) X(AF_SMC, AF_SMC) X(AF_XDP, 44) \
        X(AF_MCTP, 45)

/* clang-format on */

struct name_value {
        const char *name;
        int value;
};

#define ERRNO_ENTRY(e) {#e, e},
#define ERRNO_NAME(e) #e,
#define FAMILY_ENTRY(name, value) {#name, value},
#define FAMILY_NAME(name, value) #name,

static const struct name_value errnos[] = {ERRNOS(ERRNO_ENTRY)};
static const struct name_value families[] = {FAMILIES(FAMILY_ENTRY)};
const char *const lp_errno_names[] = {ERRNOS(ERRNO_NAME) NULL};
const char *const lp_family_names[] = {FAMILIES(FAMILY_NAME) NULL};

static const char *name_of(const struct name_value *t, size_t n, int value)
{
        for (size_t i = 0; i < n; i++)
                if (t[i].value == value)
                        return t[i].name;
        return NULL;
}

static int value_of(const struct name_value *t, size_t n, const char *name)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(t[i].name, name) == 0)
                        return t[i].value;
        return -1;
}

const char *lp_errno_name(int errno_value)
{
        return name_of(errnos, LP_ELEMENTSOF(errnos), errno_value);
}

int lp_errno_from_name(const char *name)
{
        return value_of(errnos, LP_ELEMENTSOF(errnos), name);
}

/* Netlink protocols by their NETLINK_ names without the prefix. */
static const struct name_value netlink_protocols[] = {
        {"ROUTE", 0},          {"USERSOCK", 2},    {"FIREWALL", 3},        {"SOCK_DIAG", 4},
        {"NFLOG", 5},          {"XFRM", 6},        {"SELINUX", 7},         {"ISCSI", 8},
        {"AUDIT", 9},          {"FIB_LOOKUP", 10}, {"CONNECTOR", 11},      {"NETFILTER", 12},
        {"IP6_FW", 13},        {"DNRTMSG", 14},    {"KOBJECT_UEVENT", 15}, {"GENERIC", 16},
        {"SCSITRANSPORT", 18}, {"ECRYPTFS", 19},   {"RDMA", 20},           {"CRYPTO", 21},
        {"SMC", 22},
};

int lp_family_token_parse(const char *token, int *ret_family, int *ret_protocol)
{
        char family[32];
        const char *colon = strchr(token, ':');
        size_t len = colon ? (size_t)(colon - token) : strlen(token);
        if (len >= sizeof(family))
                return -1;
        memcpy(family, token, len);
        family[len] = '\0';
        int f = lp_family_from_name(family);
        int protocol = -1;
        if (f < 0)
                return -1;
        if (colon) {
                protocol = f == AF_NETLINK ? value_of(netlink_protocols,
                                                      LP_ELEMENTSOF(netlink_protocols), colon + 1)
                                           : -1;
                if (protocol < 0)
                        return -1;
        }
        *ret_family = f;
        *ret_protocol = protocol;
        return 0;
}

const char *lp_family_token(int family, int protocol, char *buf, size_t size)
{
        const char *name = lp_family_name(family);
        const char *proto =
                protocol >= 0 && family == AF_NETLINK
                        ? name_of(netlink_protocols, LP_ELEMENTSOF(netlink_protocols), protocol)
                        : NULL;
        if (protocol >= 0 && family == AF_NETLINK && !proto)
                snprintf(buf, size, "%s:%d", name ? name : "?", protocol);
        else if (proto)
                snprintf(buf, size, "%s:%s", name ? name : "?", proto);
        else
                snprintf(buf, size, "%s", name ? name : "?");
        return buf;
}

const char *lp_family_name(int family)
{
        return name_of(families, LP_ELEMENTSOF(families), family);
}

int lp_family_from_name(const char *name)
{
        return value_of(families, LP_ELEMENTSOF(families), name);
}

const char *lp_capability_name(int cap, char *buf, size_t size)
{
        const char *n = cap >= 0 ? capng_capability_to_name((unsigned)cap) : NULL;
        snprintf(buf, size, "CAP_%s", n ? n : "UNKNOWN");
        for (char *s = buf; *s; s++)
                *s = (char)toupper((unsigned char)*s);
        return buf;
}

/* libcap-ng's names are lower case without CAP_. */
static const char *bare_capability(const char *name)
{
        return strncasecmp(name, "CAP_", 4) == 0 ? name + 4 : name;
}

int lp_capability_from_name(const char *name)
{
        char lower[64];
        name = bare_capability(name);
        size_t n = strlen(name);
        if (n == 0 || n >= sizeof(lower))
                return -1;
        for (size_t i = 0; i <= n; i++)
                lower[i] = (char)tolower((unsigned char)name[i]);
        return capng_name_to_capability(lower);
}

/* CAP_LAST_CAP of the newest kernels is 40; libcap-ng knows what it knows. */
#define MAX_CAPABILITIES 64

const char *lp_capability_suggest(const char *name, char *buf, size_t size)
{
        const char *known[MAX_CAPABILITIES + 1];
        size_t k = 0;
        for (unsigned c = 0; c < MAX_CAPABILITIES; c++) {
                const char *n = capng_capability_to_name(c);
                if (n && strncmp(n, "unknown", 7) != 0)
                        known[k++] = n;
        }
        known[k] = NULL;
        /* lp_suggest compares without regard to case. */
        const char *hint = lp_suggest(bare_capability(name), known);
        if (!hint)
                return NULL;
        return lp_capability_name(capng_name_to_capability(hint), buf, size);
}
