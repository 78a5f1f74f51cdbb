#include "base/suggest.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

static size_t edit_distance(const char *a, const char *b)
{
        size_t la = strlen(a), lb = strlen(b);
        if (la > 64 || lb > 64)
                return SIZE_MAX;
        size_t row[65];
        for (size_t j = 0; j <= lb; j++)
                row[j] = j;
        for (size_t i = 1; i <= la; i++) {
                size_t diag = row[0];
                row[0] = i;
                for (size_t j = 1; j <= lb; j++) {
                        size_t up = row[j];
                        size_t cost = tolower((unsigned char)a[i - 1]) !=
                                      tolower((unsigned char)b[j - 1]);
                        size_t best = diag + cost;
                        if (row[j - 1] + 1 < best)
                                best = row[j - 1] + 1;
                        if (up + 1 < best)
                                best = up + 1;
                        row[j] = best;
                        diag = up;
                }
        }
        return row[lb];
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
