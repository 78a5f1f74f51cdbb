/* [Network]: the namespace the command gets, the socket families it may
 * create, and host endpoints forwarded into the namespace. */
#include "profile/keys_network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/suggest.h"
#include "base/util.h"
#include "profile/builder.h"
#include "profile/names.h"

/* In the order of enum lp_netns_mode. */
static const char *const netns_modes[] = {"none", "loopback", "host", NULL};

const char *lp_netns_mode_name(enum lp_netns_mode mode)
{
        return (unsigned)mode < LP_ELEMENTSOF(netns_modes) - 1 ? netns_modes[mode] : "?";
}

int lp_key_namespace_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        for (int i = 0; netns_modes[i]; i++) {
                if (strcmp(value, netns_modes[i]) == 0) {
                        b->policy->netns = (enum lp_netns_mode)i;
                        b->policy->netns_origin = o;
                        return 0;
                }
        }
        LP_BUILDER_ERROR(b, o, "Namespace= must be loopback, none or host, not '%s'", value);
        return 0;
}

static int family_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        int family, protocol;
        if (lp_family_token_parse(tok, &family, &protocol) < 0) {
                if (strchr(tok, ':')) {
                        LP_BUILDER_ERROR(b, o,
                                         "unknown address family '%s'; only AF_NETLINK takes a "
                                         "protocol, as AF_NETLINK:ROUTE",
                                         tok);
                        return 0;
                }
                const char *hint = lp_suggest(tok, lp_family_names);
                if (hint)
                        LP_BUILDER_ERROR(b, o, "unknown address family '%s'; did you mean %s?", tok,
                                         hint);
                else
                        LP_BUILDER_ERROR(b, o, "unknown address family '%s'", tok);
                return 0;
        }
        const struct lp_family *had = lp_policy_family(p, family);
        if (had && (had->protocol < 0 || had->protocol == protocol))
                return 0; /* granted already */
        if (had && protocol < 0) {
                /* The whole family replaces its protocols' grants. */
                size_t kept = 0;
                for (size_t i = 0; i < p->n_families; i++)
                        if (p->families[i].family != family)
                                p->families[kept++] = p->families[i];
                p->n_families = kept;
        }
        if (LP_GROW(p->families, b->cap_families, p->n_families) < 0)
                return -ENOMEM;
        p->families[p->n_families++] = (struct lp_family){family, protocol, o};
        return 0;
}

int lp_key_families_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        if (!*value)
                b->policy->n_families = 0;
        return lp_value_foreach_token(b, value, o, family_token);
}

/* [HOST:]PORT with HOST an IPv4 address or a bracketed IPv6 one; the
 * host's 127.0.0.1 when there is none. */
static bool parse_endpoint(struct lp_builder *b, char *text, struct lp_origin o,
                           struct lp_forward *f)
{
        char *colon = strrchr(text, ':'), *port = colon ? colon + 1 : text;
        if (colon == text) {
                LP_BUILDER_ERROR(b, o,
                                 "Forward= needs a host address before ':' "
                                 "(tcp:[PORT=][HOST:]PORT)");
                return false;
        }
        if (colon)
                *colon = '\0';
        char *host = colon ? text : "127.0.0.1";
        size_t hl = strlen(host);
        if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
                host[hl - 1] = '\0';
                host++;
        }
        unsigned char addr[16];
        if (inet_pton(AF_INET, host, addr) != 1 && inet_pton(AF_INET6, host, addr) != 1) {
                LP_BUILDER_ERROR(b, o, "Forward= host '%s' is not a numeric IPv4 or [IPv6] address",
                                 host);
                return false;
        }
        snprintf(f->host, sizeof(f->host), "%s", host);
        f->host_port = lp_value_port(port);
        if (!f->host_port) {
                LP_BUILDER_ERROR(b, o, "Forward= port '%s' is not in 1..65535", port);
                return false;
        }
        return true;
}

static bool inside_port_free(struct lp_builder *b, const struct lp_forward *f, struct lp_origin o)
{
        const struct lp_policy *p = b->policy;
        for (size_t i = 0; i < p->n_forwards; i++) {
                if (p->forwards[i].inside_port != f->inside_port)
                        continue;
                /* FILE:LINE, not just LINE: the first may be in an include. */
                char where[512];
                LP_BUILDER_ERROR(b, o, "Forward= inside port %u is already forwarded (%s)",
                                 f->inside_port,
                                 lp_origin_format(&p->forwards[i].origin, where, sizeof(where)));
                return false;
        }
        return true;
}

/* unix:PATH: an absolute path a unix socket address can hold. */
static int unix_forward_token(struct lp_builder *b, const char *path, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        struct lp_forward f = {.origin = o};
        if (path[0] != '/' || strlen(path) >= sizeof(f.path)) {
                LP_BUILDER_ERROR(b, o,
                                 "Forward=unix:%s: the path must be absolute and shorter than "
                                 "%zu bytes",
                                 path, sizeof(f.path));
                return 0;
        }
        /* The plan decides a path as written: "." or ".." would make it
         * decide another one than the socket's. */
        size_t len = strlen(path);
        if (strstr(path, "/./") || strstr(path, "/../") ||
            (len >= 2 && strcmp(path + len - 2, "/.") == 0) ||
            (len >= 3 && strcmp(path + len - 3, "/..") == 0)) {
                LP_BUILDER_ERROR(b, o, "Forward=unix:%s: the path may not hold . or .. components",
                                 path);
                return 0;
        }
        for (size_t i = 0; i < p->n_forwards; i++) {
                char where[512];
                if (strcmp(p->forwards[i].path, path) != 0)
                        continue;
                LP_BUILDER_ERROR(b, o, "Forward=unix:%s is already forwarded (%s)", path,
                                 lp_origin_format(&p->forwards[i].origin, where, sizeof(where)));
                return 0;
        }
        snprintf(f.path, sizeof(f.path), "%s", path);
        if (LP_GROW(p->forwards, b->cap_forwards, p->n_forwards) < 0)
                return -ENOMEM;
        p->forwards[p->n_forwards++] = f;
        return 0;
}

static int forward_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        if (strncmp(tok, "unix:", 5) == 0)
                return unix_forward_token(b, tok + 5, o);
        if (strncmp(tok, "tcp:", 4) != 0) {
                LP_BUILDER_ERROR(b, o,
                                 "Forward= '%s': only tcp: and unix: forwards exist "
                                 "(tcp:[PORT=][HOST:]PORT, unix:PATH)",
                                 tok);
                return 0;
        }
        _cleanup_free_ char *copy = strdup(tok + 4);
        if (!copy)
                return -ENOMEM;
        struct lp_forward f = {.origin = o};
        char *endpoint = copy, *eq = strchr(copy, '=');
        if (eq) {
                *eq = '\0';
                endpoint = eq + 1;
                f.inside_port = lp_value_port(copy);
                if (!f.inside_port) {
                        LP_BUILDER_ERROR(b, o, "Forward= inside port '%s' is not in 1..65535",
                                         copy);
                        return 0;
                }
        }
        if (!parse_endpoint(b, endpoint, o, &f))
                return 0;
        if (!eq)
                f.inside_port = f.host_port;
        if (!inside_port_free(b, &f, o))
                return 0;
        if (LP_GROW(p->forwards, b->cap_forwards, p->n_forwards) < 0)
                return -ENOMEM;
        p->forwards[p->n_forwards++] = f;
        return 0;
}

int lp_key_forward_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        if (!*value)
                b->policy->n_forwards = 0;
        return lp_value_foreach_token(b, value, o, forward_token);
}

int lp_key_forward_outside_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return lp_value_flag_apply(b, &b->policy->forward_outside, "ForwardOutside", value, o);
}

bool lp_forward_host_is_loopback(const struct lp_forward *f)
{
        unsigned char a[16];
        if (inet_pton(AF_INET, f->host, a) == 1)
                return a[0] == 127;
        static const unsigned char v6_loopback[16] = {[15] = 1};
        return inet_pton(AF_INET6, f->host, a) == 1 && memcmp(a, v6_loopback, 16) == 0;
}

/* ---- show ---- */

void lp_key_namespace_show(const struct lp_policy *p, FILE *out)
{
        lp_value_print(out, "Namespace", lp_netns_mode_name(p->netns), &p->netns_origin);
}

void lp_key_families_show(const struct lp_policy *p, FILE *out)
{
        char token[48];
        fputs("AddressFamilies=\n", out);
        for (size_t i = 0; i < p->n_families; i++)
                lp_value_print(out, "AddressFamilies",
                               lp_family_token(p->families[i].family, p->families[i].protocol,
                                               token, sizeof(token)),
                               &p->families[i].origin);
}

void lp_key_forward_show(const struct lp_policy *p, FILE *out)
{
        char buf[160];
        fputs("Forward=\n", out);
        for (size_t i = 0; i < p->n_forwards; i++) {
                const struct lp_forward *f = &p->forwards[i];
                bool v6 = strchr(f->host, ':') != NULL;
                if (f->path[0])
                        snprintf(buf, sizeof(buf), "unix:%s", f->path);
                else
                        snprintf(buf, sizeof(buf), "tcp:%u=%s%s%s:%u", f->inside_port,
                                 v6 ? "[" : "", f->host, v6 ? "]" : "", f->host_port);
                lp_value_print(out, "Forward", buf, &f->origin);
        }
}

void lp_key_forward_outside_show(const struct lp_policy *p, FILE *out)
{
        if (p->forward_outside.value || p->forward_outside.origin.file)
                lp_value_flag_show(out, "ForwardOutside", &p->forward_outside);
}

/* ---- diff ---- */

int lp_key_namespace_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                struct lp_privilege_sink *sink)
{
        /* none < loopback < host: each wider mode holds the narrower ones. */
        int r = 0;
        if (p->netns >= LP_NETNS_LOOPBACK)
                r = lp_value_grant(sink, &p->netns_origin, "network loopback (lo up)");
        if (r >= 0 && p->netns == LP_NETNS_HOST)
                r = lp_value_grant(sink, &p->netns_origin, "network host (no namespace)");
        return r;
}

int lp_key_families_privileges(const struct lp_policy *p, const struct lp_policy *other,
                               struct lp_privilege_sink *sink)
{
        char token[48];
        int r = 0;
        for (size_t i = 0; r >= 0 && i < p->n_families; i++)
                r = lp_value_grant(sink, &p->families[i].origin, "address family %s",
                                   lp_family_token(p->families[i].family, p->families[i].protocol,
                                                   token, sizeof(token)));
        return r;
}

int lp_key_forward_privileges(const struct lp_policy *p, const struct lp_policy *other,
                              struct lp_privilege_sink *sink)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && i < p->n_forwards; i++) {
                const struct lp_forward *f = &p->forwards[i];
                if (f->path[0])
                        r = lp_value_grant(sink, &f->origin, "forward unix:%s", f->path);
                else
                        r = lp_value_grant(sink, &f->origin, "forward tcp:%u=%s:%u", f->inside_port,
                                           f->host, f->host_port);
        }
        return r;
}

int lp_key_forward_outside_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                      struct lp_privilege_sink *sink)
{
        if (!p->forward_outside.value)
                return 0;
        return lp_value_grant(sink, &p->forward_outside.origin,
                              "forward to addresses outside the host's loopback "
                              "(ForwardOutside=yes)");
}
