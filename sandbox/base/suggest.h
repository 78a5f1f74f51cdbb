/* "Did you mean ...?": the closest of a list of names to a misspelt one. */
#pragma once

/* The closest of `candidates` (NULL-terminated) to `word` when it is a
 * plausible typo (case-insensitive edit distance of at most a third of the
 * word, 1 to 3 edits; a swap of neighbours is one), else NULL. */
const char *lp_suggest(const char *word, const char *const *candidates);
