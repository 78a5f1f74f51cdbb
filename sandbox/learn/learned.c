#include "learn/learned.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "profile/keys.h"
#include "rules/fs_plan.h"

static int item_cmp(const void *a, const void *b)
{
        const struct lp_learned_item *x = a, *y = b;
        if (x->kind != y->kind)
                return x->kind < y->kind ? -1 : 1;
        if (x->key != y->key)
                return x->key < y->key ? -1 : 1; /* both in lp_keys[]: table order */
        return strcmp(x->value, y->value);
}

void lp_learned_sort(struct lp_learned *l)
{
        if (l->n_items > 0)
                qsort(l->items, l->n_items, sizeof(l->items[0]), item_cmp);
}

/* Executable paths, destinations and variable names come from the
 * command: a newline in one would be a line of the profile. */
static char *printable_copy(const char *text)
{
        char *copy = strdup(text ? text : "");
        for (char *c = copy; c && *c; c++)
                if ((unsigned char)*c < 0x20 || *c == 0x7f)
                        *c = '?';
        return copy;
}

const struct lp_learned_item *lp_learned_find(const struct lp_learned *l, enum lp_learned_kind kind,
                                              const struct lp_key *key, const char *value)
{
        for (size_t i = 0; i < l->n_items; i++) {
                const struct lp_learned_item *it = &l->items[i];
                if (it->kind == kind && it->key == key && strcmp(it->value, value) == 0)
                        return it;
        }
        return NULL;
}

static int update(struct lp_learned_item *it, const struct lp_learned_item *with, bool merging)
{
        it->count = merging ? (with->count > it->count ? with->count : it->count)
                            : it->count + with->count;
        it->by_name |= with->by_name;
        /* The file's executable stays, so merges do not churn it. */
        if (merging && with->exe && with->exe[0]) {
                char *e = printable_copy(with->exe);
                if (!e)
                        return -ENOMEM;
                free(it->exe);
                it->exe = e;
        }
        return 0;
}

int lp_learned_add(struct lp_learned *l, const struct lp_learned_item *it, bool merging)
{
        _cleanup_free_ char *clean = printable_copy(it->value);
        if (!clean)
                return -ENOMEM;
        struct lp_learned_item *found =
                (struct lp_learned_item *)lp_learned_find(l, it->kind, it->key, clean);
        if (found)
                return update(found, it, merging);
        if (LP_GROW(l->items, l->cap_items, l->n_items) < 0)
                return -ENOMEM;
        struct lp_learned_item *n = &l->items[l->n_items];
        *n = *it;
        n->value = printable_copy(clean);
        n->exe = printable_copy(it->exe);
        if (!n->value || !n->exe) {
                free(n->value);
                free(n->exe);
                return -ENOMEM;
        }
        l->n_items++;
        return 0;
}

void lp_learned_done(struct lp_learned *l)
{
        for (size_t i = 0; i < l->n_items; i++) {
                free(l->items[i].value);
                free(l->items[i].exe);
        }
        free(l->items);
        *l = (struct lp_learned){0};
}

/* Counts in three classes ("1 call", "2-99 calls", "100 or more calls"),
 * not exactly: how often a pipeline's reader wakes up depends on
 * scheduling, and a committed profile must not change from one learn to
 * the next while the command did not. Exact counts are in --findings. */
static const struct {
        const char *text;
        uint64_t low;
} classes[] = {{"1 call, first by ", 1},
               {"2-99 calls, first by ", 2},
               {"100 or more calls, first by ", 100}};

void lp_learned_format_evidence(FILE *out, const struct lp_learned_item *it)
{
        const char *exe = it->exe[0] ? it->exe : "?";
        size_t c = it->count <= 1 ? 0 : it->count < 100 ? 1 : 2;
        fprintf(out, "%s%s", classes[c].text, exe);
}

int lp_learned_parse_evidence(const char *text, uint64_t *ret_count, char **ret_exe)
{
        size_t used = 0;
        uint64_t count = 0;
        for (size_t i = 0; i < LP_ELEMENTSOF(classes) && !used; i++)
                if (strncmp(text, classes[i].text, strlen(classes[i].text)) == 0) {
                        used = strlen(classes[i].text);
                        count = classes[i].low;
                }
        if (!used)
                return -EINVAL;
        const char *exe = text + used;
        const char *note = strstr(exe, " (");
        size_t len = note ? (size_t)(note - exe) : strcspn(exe, "\n");
        if (len == 1 && exe[0] == '?')
                len = 0;
        char *copy = strndup(exe, len);
        if (!copy)
                return -ENOMEM;
        *ret_count = count;
        *ret_exe = copy;
        return 0;
}

/* An absolute form of a learned path, into buf. */
static void absolute(const char *path, const char *cwd, char *buf, size_t size)
{
        if (path[0] == '/' || !cwd)
                snprintf(buf, size, "%s", path);
        else if (strcmp(path, ".") == 0)
                snprintf(buf, size, "%s", cwd);
        else
                snprintf(buf, size, "%s/%s", strcmp(cwd, "/") == 0 ? "" : cwd, path);
}

bool lp_learned_path_below(const char *path, const char *dir, const char *cwd)
{
        char p[4096], d[4096];
        absolute(path, cwd, p, sizeof(p));
        absolute(dir, cwd, d, sizeof(d));
        return strcmp(p, d) != 0 && lp_fs_path_below(p, d);
}
