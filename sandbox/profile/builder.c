#include "profile/builder.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

int lp_builder_init(struct lp_builder *b, FILE *errors)
{
        *b = (struct lp_builder){.errors = errors};
        b->policy = calloc(1, sizeof(*b->policy));
        if (!b->policy)
                return -ENOMEM;
        b->policy->default_action = (struct lp_action){LP_ACTION_ERRNO, EPERM};
        b->policy->netns = LP_NETNS_LOOPBACK;
        /* 1 GiB, as systemd's default for a private /tmp is bounded too. */
        b->policy->tmp_size = (struct lp_limit){.set = true, .value = 1ULL << 30};
        return 0;
}

void lp_builder_error(struct lp_builder *b, const char *file, unsigned line, const char *fmt, ...)
{
        b->n_errors++;
        if (!b->errors)
                return;
        va_list ap;
        va_start(ap, fmt);
        if (line)
                fprintf(b->errors, "%s:%u: ", file, line);
        else
                fprintf(b->errors, "%s: ", file);
        vfprintf(b->errors, fmt, ap);
        fputc('\n', b->errors);
        va_end(ap);
}

const char *lp_builder_intern_file(struct lp_builder *b, const char *file)
{
        struct lp_policy *p = b->policy;
        for (size_t i = 0; i < p->n_files; i++)
                if (strcmp(p->files[i], file) == 0)
                        return p->files[i];
        char *copy = strdup(file);
        if (!copy || LP_GROW(p->files, b->cap_files, p->n_files) < 0) {
                free(copy);
                return NULL;
        }
        p->files[p->n_files++] = copy;
        return copy;
}
