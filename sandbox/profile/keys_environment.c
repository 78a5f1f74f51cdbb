/* [Environment]: what of the caller's environment reaches the command. */
#include "profile/keys_environment.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "profile/builder.h"

static int add_pattern(struct lp_builder *b, struct lp_pattern **arr, size_t *n, size_t *cap,
                       const char *tok, struct lp_origin o)
{
        if (strchr(tok, '=')) {
                LP_BUILDER_ERROR(b, o, "'%s': a variable name pattern cannot contain '='", tok);
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

static void reset_patterns(struct lp_pattern *arr, size_t *n)
{
        for (size_t i = 0; i < *n; i++)
                free(arr[i].glob);
        *n = 0;
}

int lp_key_withhold_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        if (!*value)
                reset_patterns(b->policy->withhold, &b->policy->n_withhold);
        return lp_value_foreach_token(b, value, o, withhold_token);
}

int lp_key_pass_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        if (!*value)
                reset_patterns(b->policy->pass, &b->policy->n_pass);
        return lp_value_foreach_token(b, value, o, pass_token);
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
                LP_BUILDER_ERROR(b, o, "Set= '%s' is not NAME=VALUE with a valid variable name",
                                 tok);
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

int lp_key_set_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        if (!*value) {
                for (size_t i = 0; i < p->n_set_env; i++) {
                        free(p->set_env[i].name);
                        free(p->set_env[i].value);
                }
                p->n_set_env = 0;
        }
        return lp_value_foreach_token(b, value, o, set_token);
}

int lp_key_clear_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        int v = lp_value_bool(value);
        if (v < 0) {
                LP_BUILDER_ERROR(b, o, "Clear= must be yes or no, not '%s'", value);
                return 0;
        }
        b->policy->clear_env = v;
        b->policy->clear_env_origin = o;
        return 0;
}

/* ---- show ---- */

static void show_patterns(FILE *out, const char *key, const struct lp_pattern *arr, size_t n)
{
        fprintf(out, "%s=\n", key);
        for (size_t i = 0; i < n; i++)
                lp_value_print(out, key, arr[i].glob, &arr[i].origin);
}

void lp_key_withhold_show(const struct lp_policy *p, FILE *out)
{
        show_patterns(out, "Withhold", p->withhold, p->n_withhold);
}

void lp_key_pass_show(const struct lp_policy *p, FILE *out)
{
        show_patterns(out, "Pass", p->pass, p->n_pass);
}

void lp_key_set_show(const struct lp_policy *p, FILE *out)
{
        fputs("Set=\n", out);
        for (size_t i = 0; i < p->n_set_env; i++) {
                const struct lp_setenv *e = &p->set_env[i];
                _cleanup_free_ char *assignment = NULL;
                if (asprintf(&assignment, "%s=%s", e->name, e->value) < 0) {
                        assignment = NULL;
                        continue;
                }
                lp_value_print(out, "Set", assignment, &e->origin);
        }
}

void lp_key_clear_show(const struct lp_policy *p, FILE *out)
{
        lp_value_print(out, "Clear", p->clear_env ? "yes" : "no", &p->clear_env_origin);
}

/* ---- diff ---- */

int lp_key_withhold_privileges(const struct lp_policy *p, const struct lp_policy *other,
                               struct lp_privilege_sink *sink)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && other && i < other->n_withhold; i++) {
                bool kept = false;
                for (size_t j = 0; j < p->n_withhold && !kept; j++)
                        kept = strcmp(p->withhold[j].glob, other->withhold[i].glob) == 0;
                if (!kept)
                        r = lp_value_grant(sink, &other->withhold[i].origin,
                                           "environment no longer withholds %s",
                                           other->withhold[i].glob);
        }
        return r;
}

int lp_key_pass_privileges(const struct lp_policy *p, const struct lp_policy *other,
                           struct lp_privilege_sink *sink)
{
        int r = 0;
        for (size_t i = 0; r >= 0 && i < p->n_pass; i++)
                r = lp_value_grant(sink, &p->pass[i].origin, "environment pass %s",
                                   p->pass[i].glob);
        return r;
}

int lp_key_clear_privileges(const struct lp_policy *p, const struct lp_policy *other,
                            struct lp_privilege_sink *sink)
{
        if (p->clear_env)
                return 0;
        return lp_value_grant(sink, &p->clear_env_origin, "environment inherited (Clear=no)");
}

/* ---- WithholdURLPasswords= ---- */

int lp_key_withhold_url_passwords_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return lp_value_flag_apply(b, &b->policy->withhold_url_passwords, "WithholdURLPasswords",
                                   value, o);
}

void lp_key_withhold_url_passwords_show(const struct lp_policy *p, FILE *out)
{
        lp_value_flag_show(out, "WithholdURLPasswords", &p->withhold_url_passwords);
}

int lp_key_withhold_url_passwords_privileges(const struct lp_policy *p,
                                             const struct lp_policy *other,
                                             struct lp_privilege_sink *sink)
{
        return lp_value_flag_privilege(&p->withhold_url_passwords, sink,
                                       "environment URLs with a password passed "
                                       "(WithholdURLPasswords=no)");
}
