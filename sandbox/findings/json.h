/* What the JSON Lines and SARIF reports share: string escaping that is safe
 * for arbitrary bytes. Includes no other leastpriv header. */
#pragma once
#include <stddef.h>
#include <stdio.h>

/* Writes s as a JSON string literal, quotes included, or `null` when s is
 * NULL. Control characters become \uXXXX (or \n, \t, ...), and each byte
 * that is not part of a valid UTF-8 sequence (targets are read from an
 * untrusted process's memory) becomes \uFFFD, so the output is always
 * valid UTF-8 JSON. */
void lp_json_string(FILE *out, const char *s);

/* Length (1..4) of the valid UTF-8 sequence at s, or 0 when the byte at s
 * does not start one (overlong forms, surrogates and > U+10FFFF are invalid).
 * s must be NUL-terminated. *ret_cp (may be NULL) gets the code point. */
size_t lp_utf8_sequence(const char *s, unsigned *ret_cp);
