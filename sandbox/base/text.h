/* Texts joined into a fixed buffer without a format's parsing: the
 * supervisor writes a finding's words (its target, rule and fix) for
 * every denied call, and snprintf's parsing was a tenth of its time in a
 * storm of them. Each call appends at `at` (the length so far), cuts
 * where the buffer is full, always leaves it NUL-terminated (size > 0),
 * and returns the new length: the same bytes as snprintf of the whole
 * would give, cut at size - 1. */
#pragma once
#include <stddef.h>

size_t lp_text_join(char *buf, size_t size, size_t at, const char *text);

/* `value` in decimal. */
size_t lp_text_join_int(char *buf, size_t size, size_t at, long long value);
