#include "profile/values.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "profile/builder.h"

int lp_value_foreach_token(struct lp_builder *b, const char *value, struct lp_origin o,
                           int (*fn)(struct lp_builder *b, const char *token, struct lp_origin o))
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

int lp_value_bool(const char *text)
{
        static const char *const yes[] = {"yes", "true", "on", "1"};
        static const char *const no[] = {"no", "false", "off", "0"};
        for (size_t i = 0; i < LP_ELEMENTSOF(yes); i++) {
                if (strcmp(text, yes[i]) == 0)
                        return 1;
                if (strcmp(text, no[i]) == 0)
                        return 0;
        }
        return -1;
}

int lp_value_flag_apply(struct lp_builder *b, struct lp_flag *flag, const char *key,
                        const char *value, struct lp_origin o)
{
        int v = lp_value_bool(value);
        if (v < 0) {
                LP_BUILDER_ERROR(b, o, "%s= must be yes or no, not '%s'", key, value);
                return 0;
        }
        *flag = (struct lp_flag){v, o};
        return 0;
}

void lp_value_flag_show(FILE *out, const char *key, const struct lp_flag *flag)
{
        lp_value_print(out, key, flag->value ? "yes" : "no", &flag->origin);
}

int lp_value_flag_privilege(const struct lp_flag *flag, struct lp_privilege_sink *sink,
                            const char *text)
{
        return flag->value ? 0 : lp_value_grant(sink, &flag->origin, "%s", text);
}

uint16_t lp_value_port(const char *text)
{
        if (!*text || strlen(text) > 5 || strspn(text, "0123456789") != strlen(text))
                return 0;
        long v = strtol(text, NULL, 10);
        return v >= 1 && v <= 65535 ? (uint16_t)v : 0;
}

void lp_value_print(FILE *out, const char *key, const char *value, const struct lp_origin *o)
{
        /* Printed, not built in a buffer: a value may be as long as a
         * profile line (64 KiB) and show must not truncate it. */
        char where[512];
        int n = fprintf(out, "%s=%s", key, value);
        fprintf(out, "%*s# %s\n", n < 40 ? 40 - n : 1, "",
                lp_origin_format(o, where, sizeof(where)));
}

int lp_value_grant(struct lp_privilege_sink *sink, const struct lp_origin *o, const char *fmt, ...)
{
        char *text = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        r = sink->add(sink, o, text);
        free(text);
        return r;
}
