/* Name <-> number tables for errno values and address families, which the
 * profile language spells by name ("errno:EPERM", "AF_INET"). */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

#include "profile/policy.h"
#include "base/util.h"

struct name_value {
        const char *name;
        int value;
};

/* The errno values a profile may reasonably return for a denied call. */
static const struct name_value errnos[] = {
        {"EPERM", EPERM},     {"ENOENT", ENOENT},       {"ESRCH", ESRCH},
        {"EINTR", EINTR},     {"EIO", EIO},             {"ENXIO", ENXIO},
        {"E2BIG", E2BIG},     {"ENOEXEC", ENOEXEC},     {"EBADF", EBADF},
        {"ECHILD", ECHILD},   {"EAGAIN", EAGAIN},       {"ENOMEM", ENOMEM},
        {"EACCES", EACCES},   {"EFAULT", EFAULT},       {"EBUSY", EBUSY},
        {"EEXIST", EEXIST},   {"EXDEV", EXDEV},         {"ENODEV", ENODEV},
        {"ENOTDIR", ENOTDIR}, {"EISDIR", EISDIR},       {"EINVAL", EINVAL},
        {"ENFILE", ENFILE},   {"EMFILE", EMFILE},       {"ENOTTY", ENOTTY},
        {"EFBIG", EFBIG},     {"ENOSPC", ENOSPC},       {"ESPIPE", ESPIPE},
        {"EROFS", EROFS},     {"EMLINK", EMLINK},       {"EPIPE", EPIPE},
        {"ERANGE", ERANGE},   {"ENOSYS", ENOSYS},       {"ENOTSUP", ENOTSUP},
        {"EOPNOTSUPP", EOPNOTSUPP}, {"EAFNOSUPPORT", EAFNOSUPPORT},
        {"EADDRINUSE", EADDRINUSE}, {"EADDRNOTAVAIL", EADDRNOTAVAIL},
        {"ENETDOWN", ENETDOWN},     {"ENETUNREACH", ENETUNREACH},
        {"ECONNREFUSED", ECONNREFUSED}, {"ECONNRESET", ECONNRESET},
        {"EHOSTUNREACH", EHOSTUNREACH}, {"ETIMEDOUT", ETIMEDOUT},
        {"EPROTONOSUPPORT", EPROTONOSUPPORT}, {"ENOTSOCK", ENOTSOCK},
        {"ENOTCONN", ENOTCONN},     {"EDEADLK", EDEADLK},
        {"ENAMETOOLONG", ENAMETOOLONG}, {"ENOTEMPTY", ENOTEMPTY},
        {"ELOOP", ELOOP},     {"ENODATA", ENODATA},     {"ETXTBSY", ETXTBSY},
        {"EDOM", EDOM},       {"ECANCELED", ECANCELED}, {"EOVERFLOW", EOVERFLOW},
};

/* Linux address families (linux/socket.h); AF_LOCAL is AF_UNIX's alias. */
static const struct name_value families[] = {
        {"AF_UNIX", AF_UNIX},           {"AF_LOCAL", AF_LOCAL},
        {"AF_INET", AF_INET},           {"AF_AX25", AF_AX25},
        {"AF_IPX", AF_IPX},             {"AF_APPLETALK", AF_APPLETALK},
        {"AF_NETROM", AF_NETROM},       {"AF_BRIDGE", AF_BRIDGE},
        {"AF_ATMPVC", AF_ATMPVC},       {"AF_X25", AF_X25},
        {"AF_INET6", AF_INET6},         {"AF_ROSE", AF_ROSE},
        {"AF_DECnet", AF_DECnet},       {"AF_NETBEUI", AF_NETBEUI},
        {"AF_SECURITY", AF_SECURITY},   {"AF_KEY", AF_KEY},
        {"AF_NETLINK", AF_NETLINK},     {"AF_PACKET", AF_PACKET},
        {"AF_ASH", AF_ASH},             {"AF_ECONET", AF_ECONET},
        {"AF_ATMSVC", AF_ATMSVC},       {"AF_RDS", AF_RDS},
        {"AF_SNA", AF_SNA},             {"AF_IRDA", AF_IRDA},
        {"AF_PPPOX", AF_PPPOX},         {"AF_WANPIPE", AF_WANPIPE},
        {"AF_LLC", AF_LLC},             {"AF_IB", AF_IB},
        {"AF_MPLS", AF_MPLS},           {"AF_CAN", AF_CAN},
        {"AF_TIPC", AF_TIPC},           {"AF_BLUETOOTH", AF_BLUETOOTH},
        {"AF_IUCV", AF_IUCV},           {"AF_RXRPC", AF_RXRPC},
        {"AF_ISDN", AF_ISDN},           {"AF_PHONET", AF_PHONET},
        {"AF_IEEE802154", AF_IEEE802154}, {"AF_CAIF", AF_CAIF},
        {"AF_ALG", AF_ALG},             {"AF_NFC", AF_NFC},
        {"AF_VSOCK", AF_VSOCK},         {"AF_KCM", AF_KCM},
        {"AF_QIPCRTR", AF_QIPCRTR},     {"AF_SMC", AF_SMC},
        {"AF_XDP", 44},                 {"AF_MCTP", 45},
};

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

const char *lp_family_name(int family)
{
        return name_of(families, LP_ELEMENTSOF(families), family);
}

int lp_family_from_name(const char *name)
{
        return value_of(families, LP_ELEMENTSOF(families), name);
}

/* For "did you mean": NULL-terminated name lists built on first use. */
static void fill_names(const struct name_value *t, size_t n, const char **out)
{
        for (size_t i = 0; i < n; i++)
                out[i] = t[i].name;
        out[n] = NULL;
}

const char *const *lp_errno_names(void)
{
        static const char *names[LP_ELEMENTSOF(errnos) + 1];
        if (!names[0])
                fill_names(errnos, LP_ELEMENTSOF(errnos), names);
        return names;
}

const char *const *lp_family_names(void)
{
        static const char *names[LP_ELEMENTSOF(families) + 1];
        if (!names[0])
                fill_names(families, LP_ELEMENTSOF(families), names);
        return names;
}
