#include "base/suggest.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

static bool same(char a, char b)
{
        return tolower((unsigned char)a) == tolower((unsigned char)b);
}

/* Edits from a to b, a swap of two neighbours counting as one ("opne" is
 * one edit from "open"): the optimal string alignment distance. */
static size_t edit_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        if (la > 64 || lb > 64)
                return SIZE_MAX;
        size_t before[65], prev[65], row[65];
        for (size_t j = 0; j <= lb; j++)
                prev[j] = j;
        for (size_t i = 1; i <= la; i++) {
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t best = prev[j - 1] + !same(a[i - 1], b[j - 1]);
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        if (prev[j] + 1 < best)
                                best = prev[j] + 1;
                        if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) &&
                            same(a[i - 2], b[j - 1]) && before[j - 2] + 1 < best)
                                best = before[j - 2] + 1;
                        row[j] = best;
                }
                memcpy(before, prev, sizeof(prev));
                memcpy(prev, row, sizeof(row));
        }
        return prev[lb];
}

const char *lp_suggest(const char *word, const char *const *candidates)
{
        const char *best = NULL;
        size_t best_d = SIZE_MAX;
        for (size_t i = 0; candidates[i]; i++) {
                size_t d = edit_distance(word, candidates[i]);
                if (d < best_d) {
                        best_d = d;
                        best = candidates[i];
                }
        }
        /* A third of the word, at least 1 and at most 3 edits: close enough
         * to be a typo, far enough not to suggest nonsense. */
        size_t limit = strlen(word) / 3;
        limit = limit < 1 ? 1 : limit > 3 ? 3 : limit;
        return best_d <= limit ? best : NULL;
}
