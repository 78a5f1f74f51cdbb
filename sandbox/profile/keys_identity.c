#include "profile/keys_identity.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "profile/builder.h"
#include "profile/names.h"

static int set_string(char **field, struct lp_origin *origin, const char *value, struct lp_origin o)
{
        free(*field);
        *field = NULL;
        if (*value && !(*field = strdup(value)))
                return -ENOMEM;
        if (origin)
                *origin = o;
        return 0;
}

int lp_key_description_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return set_string(&b->policy->description, NULL, value, o);
}

static int keep_token(struct lp_builder *b, const char *tok, struct lp_origin o)
{
        struct lp_policy *p = b->policy;
        int cap = lp_capability_from_name(tok);
        if (cap < 0) {
                char hint[64];
                if (lp_capability_suggest(tok, hint, sizeof(hint)))
                        LP_BUILDER_ERROR(b, o, "unknown capability '%s'; did you mean %s?", tok,
                                         hint);
                else
                        LP_BUILDER_ERROR(b, o, "unknown capability '%s'", tok);
                return 0;
        }
        if (lp_policy_keeps(p, cap))
                return 0; /* the first line that granted it stays the cited one */
        if (LP_GROW(p->keep, b->cap_keep, p->n_keep) < 0)
                return -ENOMEM;
        p->keep[p->n_keep++] = (struct lp_capability){cap, o};
        return 0;
}

int lp_key_keep_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        if (!*value)
                b->policy->n_keep = 0;
        b->policy->keep_origin = o;
        return lp_value_foreach_token(b, value, o, keep_token);
}

int lp_key_user_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return set_string(&b->policy->user, &b->policy->user_origin, value, o);
}

int lp_key_group_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return set_string(&b->policy->group, &b->policy->group_origin, value, o);
}

int lp_key_dynamic_user_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return lp_value_flag_apply(b, &b->policy->dynamic_user, "DynamicUser", value, o);
}

/* ---- show ---- */

void lp_key_description_show(const struct lp_policy *p, FILE *out)
{
        if (p->description)
                fprintf(out, "Description=%s\n", p->description);
}

void lp_key_keep_show(const struct lp_policy *p, FILE *out)
{
        char name[64];
        fputs("Keep=\n", out);
        for (size_t i = 0; i < p->n_keep; i++)
                lp_value_print(out, "Keep", lp_capability_name(p->keep[i].cap, name, sizeof(name)),
                               &p->keep[i].origin);
}

void lp_key_user_show(const struct lp_policy *p, FILE *out)
{
        if (p->user)
                lp_value_print(out, "User", p->user, &p->user_origin);
}

void lp_key_group_show(const struct lp_policy *p, FILE *out)
{
        if (p->group)
                lp_value_print(out, "Group", p->group, &p->group_origin);
}

void lp_key_dynamic_user_show(const struct lp_policy *p, FILE *out)
{
        /* Off and never written: nothing to show (the caller's identity). */
        if (!p->dynamic_user.value && !p->dynamic_user.origin.file)
                return;
        if (p->dynamic_user.value)
                fputs("# DynamicUser=yes: the command runs as a uid and gid of the run's own,\n"
                      "# allocated from " LP_DYNAMIC_RANGE_TEXT " and released when it ends.\n",
                      out);
        lp_value_flag_show(out, "DynamicUser", &p->dynamic_user);
}

/* ---- diff ---- */

int lp_key_keep_privileges(const struct lp_policy *p, const struct lp_policy *other,
                           struct lp_privilege_sink *sink)
{
        char name[64];
        int r = 0;
        for (size_t i = 0; r >= 0 && i < p->n_keep; i++)
                r = lp_value_grant(sink, &p->keep[i].origin, "capability %s",
                                   lp_capability_name(p->keep[i].cap, name, sizeof(name)));
        return r;
}

int lp_key_dynamic_user_privileges(const struct lp_policy *p, const struct lp_policy *other,
                                   struct lp_privilege_sink *sink)
{
        return lp_value_flag_privilege(&p->dynamic_user, sink,
                                       "identity the caller's own uid and gid, shared with the "
                                       "host and with other runs (DynamicUser=no)");
}
