#include "profile/keys_limits.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "profile/builder.h"

/* A whole number from 1 to 2^32-1, or infinity (or empty: unset). */
static int apply_limit(struct lp_builder *b, struct lp_limit *l, const char *key, const char *value,
                       struct lp_origin o)
{
        if (!*value || strcmp(value, "infinity") == 0) {
                *l = (struct lp_limit){.set = false, .origin = o};
                return 0;
        }
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(value, &end, 10);
        if (errno || *end || value[0] == '-' || v == 0 || v > UINT32_MAX) {
                LP_BUILDER_ERROR(b, o,
                                 "%s= must be a whole number from 1 to %u, or infinity; got '%s'",
                                 key, UINT32_MAX, value);
                return 0;
        }
        *l = (struct lp_limit){.set = true, .value = v, .origin = o};
        return 0;
}

int lp_key_timeout_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return apply_limit(b, &b->policy->timeout, "Timeout", value, o);
}

int lp_key_processes_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return apply_limit(b, &b->policy->processes, "Processes", value, o);
}

int lp_key_open_files_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return apply_limit(b, &b->policy->open_files, "OpenFiles", value, o);
}

static void show_limit(FILE *out, const char *key, const struct lp_limit *l)
{
        char buf[32];
        if (l->set)
                snprintf(buf, sizeof(buf), "%llu", (unsigned long long)l->value);
        else
                snprintf(buf, sizeof(buf), "infinity");
        lp_value_print(out, key, buf, &l->origin);
}

void lp_key_timeout_show(const struct lp_policy *p, FILE *out)
{
        show_limit(out, "Timeout", &p->timeout);
}

void lp_key_processes_show(const struct lp_policy *p, FILE *out)
{
        show_limit(out, "Processes", &p->processes);
}

void lp_key_open_files_show(const struct lp_policy *p, FILE *out)
{
        show_limit(out, "OpenFiles", &p->open_files);
}

static const char suffixes[] = "KMGT";

/* A size in bytes with an optional K, M, G or T (binary units), or
 * infinity (or empty: unset). */
static int apply_size(struct lp_builder *b, struct lp_limit *l, const char *key, const char *value,
                      struct lp_origin o)
{
        if (!*value || strcmp(value, "infinity") == 0) {
                *l = (struct lp_limit){.set = false, .origin = o};
                return 0;
        }
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(value, &end, 10);
        int shift = 0;
        const char *s = *end ? strchr(suffixes, toupper((unsigned char)*end)) : NULL;
        if (s && end[1] == '\0') {
                shift = 10 * (int)(s - suffixes + 1);
                end++;
        }
        if (errno || *end || value[0] == '-' || end == value || v == 0 ||
            v > (UINT64_MAX >> shift)) {
                LP_BUILDER_ERROR(b, o,
                                 "%s= must be a size in bytes, with K, M, G or T for "
                                 "KiB, MiB, GiB, TiB (1G), or infinity; got '%s'",
                                 key, value);
                return 0;
        }
        *l = (struct lp_limit){.set = true, .value = v << shift, .origin = o};
        return 0;
}

void lp_limit_size_format(uint64_t bytes, char *buf, size_t size)
{
        /* The largest unit that shows the value exactly. */
        int unit = 0;
        while (unit < 4 && bytes % (1ULL << (10 * (unit + 1))) == 0)
                unit++;
        char suffix[2] = {unit ? suffixes[unit - 1] : '\0', '\0'};
        snprintf(buf, size, "%llu%s", (unsigned long long)(bytes >> (10 * unit)), suffix);
}

static void show_size(FILE *out, const char *key, const struct lp_limit *l)
{
        char buf[32];
        if (l->set)
                lp_limit_size_format(l->value, buf, sizeof(buf));
        lp_value_print(out, key, l->set ? buf : "infinity", &l->origin);
}

int lp_key_tmp_size_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return apply_size(b, &b->policy->tmp_size, "TmpSize", value, o);
}

void lp_key_tmp_size_show(const struct lp_policy *p, FILE *out)
{
        show_size(out, "TmpSize", &p->tmp_size);
}

int lp_key_memory_apply(struct lp_builder *b, const char *value, struct lp_origin o)
{
        return apply_size(b, &b->policy->memory, "Memory", value, o);
}

void lp_key_memory_show(const struct lp_policy *p, FILE *out)
{
        show_size(out, "Memory", &p->memory);
}
