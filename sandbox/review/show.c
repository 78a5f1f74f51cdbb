/* `leastpriv show`: the resolved policy, key by key in the key table's
 * order, one privilege per line, each annotated with the line that
 * granted it. */
#include "review/show.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile/keys.h"
#include "profile/policy.h"

/* What a key prints, so that a section whose keys print nothing (an
 * [Identity] without User= or Group=) is left out whole. */
static char *key_text(const struct lp_key *k, const struct lp_policy *p)
{
        char *text = NULL;
        size_t size = 0;
        FILE *mem = open_memstream(&text, &size);
        if (!mem)
                return NULL;
        k->show(p, mem);
        if (fclose(mem) != 0) {
                free(text);
                return NULL;
        }
        return text;
}

int lp_policy_show(const struct lp_policy *p, FILE *out)
{
        const char *section = "Profile";
        fprintf(out, "# The resolved policy of %s (leastpriv show)\n[Profile]\n", p->source);
        for (const struct lp_key *k = lp_keys; k->name; k++) {
                if (!k->show)
                        continue;
                char *text = key_text(k, p);
                if (!text)
                        return -ENOMEM;
                if (*text && strcmp(section, k->section) != 0) {
                        section = k->section;
                        fprintf(out, "\n[%s]\n", section);
                }
                fputs(text, out);
                free(text);
        }
        return ferror(out) ? -EIO : 0;
}
