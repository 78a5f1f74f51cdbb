/* What each profile key means (DESIGN.md §3). Every value is checked here,
 * so a policy that resolves is one the launcher can apply in full. */
#include <arpa/inet.h>
#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profile/builder.h"
#include "profile/syntax.h"
#include "profile/syscall_sets.h"
#include "base/util.h"

#define ERROR(b, o, ...) lp_builder_error((b), (o).file, (o).line, __VA_ARGS__)

/* Calls fn for each whitespace-separated token of value. */
static int foreach_token(struct lp_builder *b, const char *value, struct lp_origin o,
                         int (*fn)(struct lp_builder *, const char *, struct lp_origin))
{
        _cleanup_free_ char *copy = strdup(value);
        if (!copy)
                return -ENOMEM;
        char *save = NULL;
        for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
                int r = fn(b, t, o);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* ---- [Syscalls] ---- */

static bool check_syscall_name(struct lp_builder *b, const char *name, struct lp_origin o)
{
        if (name[0] == '@') {
                if (lp_syscall_group_find(name))
                        return true;
                ERROR(b, o, "unknown syscall group %s (see `leastpriv syscalls`)", name);
                return false;
        }
        if (lp_syscall_nr(name) >= 0)
                return true;
        if (lp_syscall_known_elsewhere(name)) {
                ERROR(b, o, "syscall '%s' does not exist on this architecture", name);
                return false;
        }
        const char *hint = lp_syscall_suggest(name);
        if (hint)
                ERROR(b, o, "unknown syscall '%s'; did you mean '%s'?", name, hint);
        else
                ERROR(b, o, "unknown syscall '%s'", name);
        return false;
}

/* "errno:EPERM", "EPERM" (after a ':' in Deny=) or "kill". */
static bool parse_action(struct lp_builder *b, const char *text, bool errno_prefix,
                         struct lp_origin o, struct lp_action *ret)
{
        if (strcmp(text, "kill") == 0) {
                *ret = (struct lp_action){LP_ACTION_KILL, 0};
                return true;
        }
        const char *name = text;
        if (errno_prefix) {
                if (strncmp(text, "errno:", 6) != 0) {
                        ERROR(b, o, "expected errno:NAME or kill, got '%s'", text);
                        return false;
                }
                name += 6;
        }
        int e = lp_errno_from_name(name);
        if (e < 0) {
                const char *hint = lp_suggest(name, lp_errno_names());
                if (hint)
                        ERROR(b, o, "unknown errno '%s'; did you mean %s?", name, hint);
                else
                        ERROR(b, o, "unknown errno '%s'", name);
                return false;
        }
        *ret = (struct lp_action){LP_ACTION_ERRNO, e};
        return true;
}

static int add_syscall_token(struct lp_builder *b, struct lp_syscall_token **arr, size_t *n,
                             size_t *cap, struct lp_syscall_token t)
{
        if (LP_GROW(*arr, *cap, *n) < 0 || !(t.token = strdup(t.token)))
                return -ENOMEM;
        (*arr)[(*n)++] = t;
        return 0;
}

static int allow_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        if (!check_syscall_name(b, tok, o))
                return 0;
        struct lp_syscall_token t = {.token = (char *)tok, .origin = o};
        return add_syscall_token(b, &p->allow, &p->n_allow, &b->cap_allow, t);
}

static int deny_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        _cleanup_free_ char *name = strdup(tok);
        if (!name)
                return -ENOMEM;
        struct lp_syscall_token t = {.action = {LP_ACTION_ERRNO, EPERM}, .origin = o};
        char *colon = strchr(name, ':');
        if (colon) {
                *colon = '\0';
                if (!parse_action(b, colon + 1, false, o, &t.action))
                        return 0;
                t.action_given = true;
        }
        if (!check_syscall_name(b, name, o))
                return 0;
        t.token = name;
        return add_syscall_token(b, &p->deny, &p->n_deny, &b->cap_deny, t);
}

static void reset_tokens(struct lp_syscall_token **arr, size_t *n)
{
        for (size_t i = 0; i < *n; i++)
                free((*arr)[i].token);
        *n = 0;
}

static int apply_syscalls(struct lp_builder *b, const char *key, const char *value,
                          struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        if (strcmp(key, "DefaultAction") == 0) {
                struct lp_action a;
                if (parse_action(b, value, true, o, &a)) {
                        p->default_action = a;
                        p->default_origin = o;
                }
                return 0;
        }
        bool allow = strcmp(key, "Allow") == 0;
        if (!*value) {
                if (allow)
                        reset_tokens(&p->allow, &p->n_allow);
                else
                        reset_tokens(&p->deny, &p->n_deny);
                return 0;
        }
        return foreach_token(b, value, o, allow ? allow_token : deny_token);
}

/* ---- [Capabilities] ---- */

/* Accepts "CAP_NET_RAW", "net_raw", "Net_Raw": libcap-ng's table, any case. */
static int capability_from_name(const char *name)
{
        char lower[64];
        if (strncasecmp(name, "CAP_", 4) == 0)
                name += 4;
        size_t n = strlen(name);
        if (n == 0 || n >= sizeof(lower))
                return -1;
        for (size_t i = 0; i <= n; i++)
                lower[i] = (char)tolower((unsigned char)name[i]);
        return capng_name_to_capability(lower);
}

static const char *const *capability_names(void)
{
        static const char *names[64 + 1];
        static char upper[64][40];
        if (names[0])
                return names;
        size_t k = 0;
        for (unsigned c = 0; c < 64 && k < 64; c++) {
                const char *n = capng_capability_to_name(c);
                if (!n || strncmp(n, "unknown", 7) == 0)
                        continue;
                snprintf(upper[k], sizeof(upper[k]), "CAP_%s", n);
                for (char *s = upper[k]; *s; s++)
                        *s = (char)toupper((unsigned char)*s);
                names[k] = upper[k];
                k++;
        }
        names[k] = NULL;
        return names;
}

static int keep_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        int cap = capability_from_name(tok);
        if (cap < 0) {
                char upper[64];
                snprintf(upper, sizeof(upper), "%s%s", strncasecmp(tok, "CAP_", 4) ? "CAP_" : "",
                         tok);
                for (char *s = upper; *s; s++)
                        *s = (char)toupper((unsigned char)*s);
                const char *hint = lp_suggest(upper, capability_names());
                if (hint)
                        ERROR(b, o, "unknown capability '%s'; did you mean %s?", tok, hint);
                else
                        ERROR(b, o, "unknown capability '%s'", tok);
                return 0;
        }
        for (size_t i = 0; i < p->n_keep; i++)
                if (p->keep[i].cap == cap)
                        return 0; /* the first line that granted it stays the cited one */
        if (LP_GROW(p->keep, b->cap_keep, p->n_keep) < 0)
                return -ENOMEM;
        p->keep[p->n_keep++] = (struct lp_capability){cap, o};
        return 0;
}

/* ---- [Network] ---- */

static int family_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        int family = lp_family_from_name(tok);
        if (family < 0) {
                const char *hint = lp_suggest(tok, lp_family_names());
                if (hint)
                        ERROR(b, o, "unknown address family '%s'; did you mean %s?", tok, hint);
                else
                        ERROR(b, o, "unknown address family '%s'", tok);
                return 0;
        }
        for (size_t i = 0; i < p->n_families; i++)
                if (p->families[i].family == family)
                        return 0;
        if (LP_GROW(p->families, b->cap_families, p->n_families) < 0)
                return -ENOMEM;
        p->families[p->n_families++] = (struct lp_family){family, o};
        return 0;
}

/* A decimal port 1..65535; 0 on anything else. */
static uint16_t parse_port(const char *s)
{
        if (!*s || strlen(s) > 5 || strspn(s, "0123456789") != strlen(s))
                return 0;
        long v = strtol(s, NULL, 10);
        return v >= 1 && v <= 65535 ? (uint16_t)v : 0;
}

/* HOST:PORT with HOST an IPv4 address or a bracketed IPv6 one. */
static bool parse_endpoint(struct lp_builder *b, char *text, struct lp_origin o,
                           struct lp_forward *f)
{
        char *colon = strrchr(text, ':');
        if (!colon || colon == text) {
                ERROR(b, o, "Forward= needs a host address: tcp:[PORT=]HOST:PORT");
                return false;
        }
        *colon = '\0';
        char *host = text;
        size_t hl = strlen(host);
        if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
                host[hl - 1] = '\0';
                host++;
        }
        unsigned char addr[16];
        if (inet_pton(AF_INET, host, addr) != 1 && inet_pton(AF_INET6, host, addr) != 1) {
                ERROR(b, o, "Forward= host '%s' is not a numeric IPv4 or [IPv6] address", host);
                return false;
        }
        snprintf(f->host, sizeof(f->host), "%s", host);
        f->host_port = parse_port(colon + 1);
        if (!f->host_port) {
                ERROR(b, o, "Forward= port '%s' is not in 1..65535", colon + 1);
                return false;
        }
        return true;
}

static int forward_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        if (strncmp(tok, "tcp:", 4) != 0) {
                ERROR(b, o, "Forward= '%s': only tcp: forwards exist (tcp:[PORT=]HOST:PORT)", tok);
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
                f.inside_port = parse_port(copy);
                if (!f.inside_port) {
                        ERROR(b, o, "Forward= inside port '%s' is not in 1..65535", copy);
                        return 0;
                }
        }
        if (!parse_endpoint(b, endpoint, o, &f))
                return 0;
        if (!eq)
                f.inside_port = f.host_port;
        for (size_t i = 0; i < p->n_forwards; i++) {
                if (p->forwards[i].inside_port == f.inside_port) {
                        /* FILE:LINE, not just LINE: the first may be in an include. */
                        char where[512];
                        ERROR(b, o, "Forward= inside port %u is already forwarded (%s)",
                              f.inside_port,
                              lp_origin_format(&p->forwards[i].origin, where, sizeof(where)));
                        return 0;
                }
        }
        if (LP_GROW(p->forwards, b->cap_forwards, p->n_forwards) < 0)
                return -ENOMEM;
        p->forwards[p->n_forwards++] = f;
        return 0;
}

static int apply_network(struct lp_builder *b, const char *key, const char *value,
                         struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        if (strcmp(key, "Namespace") == 0) {
                static const char *const modes[] = {"none", "loopback", "host", NULL};
                for (int i = 0; modes[i]; i++) {
                        if (strcmp(value, modes[i]) == 0) {
                                p->netns = (enum lp_netns_mode)i;
                                p->netns_origin = o;
                                return 0;
                        }
                }
                ERROR(b, o, "Namespace= must be loopback, none or host, not '%s'", value);
                return 0;
        }
        if (strcmp(key, "AddressFamilies") == 0) {
                if (!*value)
                        p->n_families = 0;
                return foreach_token(b, value, o, family_token);
        }
        if (!*value)
                p->n_forwards = 0;
        return foreach_token(b, value, o, forward_token);
}

/* ---- [Environment] ---- */

static int add_pattern(struct lp_builder *b, struct lp_pattern **arr, size_t *n, size_t *cap,
                       const char *tok, struct lp_origin o)
{
        if (strchr(tok, '=')) {
                ERROR(b, o, "'%s': a variable name pattern cannot contain '='", tok);
                return 0;
        }
        char *glob = strdup(tok);
        if (!glob || LP_GROW(*arr, *cap, *n) < 0) {
                free(glob);
                return -ENOMEM;
        }
        (*arr)[(*n)++] = (struct lp_pattern){glob, o};
        return 0;
}

static int withhold_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        return add_pattern(b, &p->withhold, &p->n_withhold, &b->cap_withhold, tok, o);
}

static int pass_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        return add_pattern(b, &p->pass, &p->n_pass, &b->cap_pass, tok, o);
}

static bool valid_env_name(const char *s, size_t n)
{
        if (n == 0 || isdigit((unsigned char)s[0]))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!isalnum((unsigned char)s[i]) && s[i] != '_')
                        return false;
        return true;
}

static int set_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        const char *eq = strchr(tok, '=');
        if (!eq || !valid_env_name(tok, (size_t)(eq - tok))) {
                ERROR(b, o, "Set= '%s' is not NAME=VALUE with a valid variable name", tok);
                return 0;
        }
        char *name = strndup(tok, (size_t)(eq - tok));
        char *value = strdup(eq + 1);
        if (!name || !value || LP_GROW(p->set_env, b->cap_set_env, p->n_set_env) < 0) {
                free(name);
                free(value);
                return -ENOMEM;
        }
        p->set_env[p->n_set_env++] = (struct lp_setenv){name, value, o};
        return 0;
}

static void reset_patterns(struct lp_pattern *arr, size_t *n)
{
        for (size_t i = 0; i < *n; i++)
                free(arr[i].glob);
        *n = 0;
}

static int parse_bool(const char *v)
{
        static const char *const yes[] = {"yes", "true", "on", "1"}, *const no[] = {"no", "false",
                                                                                  "off", "0"};
        for (size_t i = 0; i < 4; i++) {
                if (strcmp(v, yes[i]) == 0)
                        return 1;
                if (strcmp(v, no[i]) == 0)
                        return 0;
        }
        return -1;
}

static int apply_environment(struct lp_builder *b, const char *key, const char *value,
                             struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        if (strcmp(key, "Clear") == 0) {
                int v = parse_bool(value);
                if (v < 0)
                        ERROR(b, o, "Clear= must be yes or no, not '%s'", value);
                else {
                        p->clear_env = v;
                        p->clear_env_origin = o;
                }
                return 0;
        }
        if (strcmp(key, "Set") == 0) {
                if (!*value) {
                        for (size_t i = 0; i < p->n_set_env; i++) {
                                free(p->set_env[i].name);
                                free(p->set_env[i].value);
                        }
                        p->n_set_env = 0;
                }
                return foreach_token(b, value, o, set_token);
        }
        bool withhold = strcmp(key, "Withhold") == 0;
        if (!*value) {
                if (withhold)
                        reset_patterns(p->withhold, &p->n_withhold);
                else
                        reset_patterns(p->pass, &p->n_pass);
                return 0;
        }
        return foreach_token(b, value, o, withhold ? withhold_token : pass_token);
}

/* ---- [Limits], [Identity], [Profile] ---- */

static void apply_limit(struct lp_builder *b, struct lp_limit *l, const char *key,
                        const char *value, struct lp_origin o)
{
        if (!*value || strcmp(value, "infinity") == 0) {
                *l = (struct lp_limit){.set = false, .origin = o};
                return;
        }
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(value, &end, 10);
        if (errno || *end || value[0] == '-' || v == 0 || v > UINT32_MAX) {
                ERROR(b, o, "%s= must be a whole number from 1 to %u, or infinity; got '%s'", key,
                      UINT32_MAX, value);
                return;
        }
        *l = (struct lp_limit){.set = true, .value = v, .origin = o};
}

static int set_string(char **field, struct lp_origin *origin, const char *value,
                      struct lp_origin o)
{
        free(*field);
        *field = NULL;
        if (*value && !(*field = strdup(value)))
                return -ENOMEM;
        if (origin)
                *origin = o;
        return 0;
}

static int include_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        return lp_builder_include(b, tok, o.file, o.line);
}

int lp_builder_apply(struct lp_builder *b, const char *section, const char *key,
                     const char *value, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        if (strcmp(section, "Syscalls") == 0)
                return apply_syscalls(b, key, value, o);
        if (strcmp(section, "Network") == 0)
                return apply_network(b, key, value, o);
        if (strcmp(section, "Environment") == 0)
                return apply_environment(b, key, value, o);
        if (strcmp(section, "Capabilities") == 0) {
                if (!*value)
                        p->n_keep = 0;
                p->keep_origin = o;
                return foreach_token(b, value, o, keep_token);
        }
        if (strcmp(section, "Limits") == 0) {
                struct lp_limit *l = strcmp(key, "Timeout") == 0     ? &p->timeout
                                     : strcmp(key, "Processes") == 0 ? &p->processes
                                                                     : &p->open_files;
                apply_limit(b, l, key, value, o);
                return 0;
        }
        if (strcmp(section, "Identity") == 0)
                return strcmp(key, "User") == 0 ? set_string(&p->user, &p->user_origin, value, o)
                                                : set_string(&p->group, &p->group_origin, value, o);
        if (strcmp(key, "Include") == 0)
                return foreach_token(b, value, o, include_token);
        return set_string(&p->description, NULL, value, o);
}
