#include "launch/env.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/findings.h"
#include "profile/policy.h"
#include "base/util.h"

struct env_builder {
        char **vars;
        size_t n, cap;
};

static int push(struct env_builder *b, char *owned)
{
        if (!owned || LP_GROW(b->vars, b->cap, b->n + 1) < 0) {
                free(owned);
                return -ENOMEM;
        }
        b->vars[b->n++] = owned;
        b->vars[b->n] = NULL;
        return 0;
}

/* Every entry of that name: an environment may hold one twice (execve
 * takes any array), and getenv(3) would return a copy left before Set='s. */
static void drop(struct env_builder *b, const char *name, size_t len)
{
        size_t kept = 0;
        for (size_t i = 0; i < b->n; i++) {
                if (strncmp(b->vars[i], name, len) == 0 && b->vars[i][len] == '=')
                        free(b->vars[i]);
                else
                        b->vars[kept++] = b->vars[i];
        }
        b->n = kept;
        b->vars[kept] = NULL;
}

static int record_withheld(struct lp_findings *store, const char *name, const char *rule_text)
{
        if (!store)
                return 0;
        char fix[512];
        snprintf(fix, sizeof(fix), "[Environment] Pass=%s", name);
        struct lp_finding f = {
                .kind = LP_FINDING_ENVIRONMENT,
                .action = LP_FINDING_WITHHELD,
                .operation = name,
                .target = name,
                .count = 1,
                .rule = rule_text,
                .fix = fix,
        };
        return lp_findings_add(store, &f);
}

/* A Withhold= pattern written as a whole name, not a glob. */
static bool exact(const struct lp_pattern *rule)
{
        return !strpbrk(rule->glob, "*?[");
}

static bool ends_with(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);
        return n > m && strcmp(s + n - m, suffix) == 0;
}

/* A name a glob caught that only names files (AWS_CA_BUNDLE=/etc/ssl/ca.pem,
 * a *_PATH list of absolute directories): the file, not its name, would be
 * the secret, and the filesystem rules keep the credential stores out. */
static bool names_files(const char *name, const char *value)
{
        if (!ends_with(name, "_CA_BUNDLE") && !ends_with(name, "_PATH") &&
            !ends_with(name, "_FILE"))
                return false;
        if (!*value || strstr(value, "://"))
                return false;
        for (const char *p = value;; p++) {
                if (*p != '/')
                        return false;
                if (!(p = strchr(p, ':')))
                        return true;
        }
}

/* USER:PASSWORD@ at `s`: a ':' with something after it before the last
 * '@' of the word (passwords are often left unencoded, '/', '#', '?'
 * and all). Errs towards withholding: a port before an '@' in a path
 * counts too, and Pass= lets such a value through. */
static bool has_user_password(const char *s)
{
        size_t len = strcspn(s, " \t\n");
        const char *at = NULL;
        for (const char *c = s; c < s + len; c++)
                if (*c == '@')
                        at = c;
        const char *colon = at ? memchr(s, ':', (size_t)(at - s)) : NULL;
        return colon && colon + 1 < at;
}

/* A URL whose user information holds a password (scheme://user:pw@host,
 * redis://:pw@host), or a DSN that starts with one (user:pw@tcp(db)/app). */
static bool url_with_password(const char *value)
{
        if (strstr(value, "://")) {
                for (const char *p = strstr(value, "://"); p; p = strstr(p + 3, "://"))
                        if (has_user_password(p + 3))
                                return true;
                return false;
        }
        size_t user = strcspn(value, ":/@ \t\n");
        return user > 0 && value[user] == ':' && has_user_password(value);
}

/* The rule that withholds NAME=VALUE, as a finding's rule, into buf; NULL
 * when it passes. */
static const char *withholding_rule(const struct lp_policy *p, const char *name, const char *value,
                                    char *buf, size_t size)
{
        char origin[512];
        if (lp_policy_passes(p, name))
                return NULL;
        const struct lp_pattern *rule = lp_policy_withhold_pattern(p, name);
        if (rule && (exact(rule) || !names_files(name, value))) {
                snprintf(buf, size, "%s [Environment] Withhold=%s",
                         lp_origin_format(&rule->origin, origin, sizeof(origin)), rule->glob);
                return buf;
        }
        if (p->withhold_url_passwords.value && url_with_password(value)) {
                snprintf(buf, size,
                         "%s [Environment] WithholdURLPasswords=yes (the value is a URL with a "
                         "password)",
                         lp_origin_format(&p->withhold_url_passwords.origin, origin,
                                          sizeof(origin)));
                return buf;
        }
        return NULL;
}

static int add_inherited(const struct lp_policy *p, const char *var, struct lp_findings *store,
                         struct env_builder *b)
{
        const char *eq = strchr(var, '=');
        if (!eq || eq == var)
                return 0;
        _cleanup_free_ char *name = strndup(var, (size_t)(eq - var));
        if (!name)
                return -ENOMEM;
        char rule[800];
        if (withholding_rule(p, name, eq + 1, rule, sizeof(rule)))
                return record_withheld(store, name, rule);
        /* With Clear=yes only what Pass= names survives (like systemd's
         * PassEnvironment=). */
        if (p->clear_env && !lp_policy_passes(p, name))
                return 0;
        return push(b, strdup(var));
}

int lp_env_build(const struct lp_policy *p, char *const *env, struct lp_findings *store,
                 char ***ret)
{
        struct env_builder b = {0};
        int r = LP_GROW(b.vars, b.cap, 0); /* an empty, NULL-terminated array */
        if (r >= 0)
                b.vars[0] = NULL;
        for (size_t i = 0; r >= 0 && env && env[i]; i++)
                r = add_inherited(p, env[i], store, &b);
        for (size_t i = 0; r >= 0 && i < p->n_set_env; i++) {
                const struct lp_setenv *s = &p->set_env[i];
                char *var;
                drop(&b, s->name, strlen(s->name));
                r = asprintf(&var, "%s=%s", s->name, s->value) < 0 ? -ENOMEM : push(&b, var);
        }
        if (r < 0) {
                lp_env_free(b.vars);
                return r;
        }
        *ret = b.vars;
        return 0;
}

void lp_env_free(char **env)
{
        for (size_t i = 0; env && env[i]; i++)
                free(env[i]);
        free(env);
}

int lp_env_replace(char **env, const char *name, const char *value)
{
        size_t len = strlen(name);
        for (size_t i = 0; env && env[i]; i++) {
                if (strncmp(env[i], name, len) != 0 || env[i][len] != '=')
                        continue;
                char *var;
                if (asprintf(&var, "%s=%s", name, value) < 0)
                        return -ENOMEM;
                free(env[i]);
                env[i] = var;
        }
        return 0;
}

const char *lp_env_get(char *const *env, const char *name)
{
        size_t len = strlen(name);
        for (size_t i = 0; env && env[i]; i++)
                if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
                        return env[i] + len + 1;
        return NULL;
}
