/* What the JSON Lines and SARIF reports share: string escaping that is safe
 * for arbitrary bytes. Includes no other leastpriv header. */
#pragma once
#include <stddef.h>
#include <stdio.h>

/* Writes s as a JSON string literal, quotes included, or `null` when s is
 * NULL. Control characters become \uXXXX (or \n, \t, ...), U+2028 and
 * U+2029 \u2028 and \u2029, and each byte that is not part of a valid
 * UTF-8 sequence (targets are read from an untrusted process's memory)
 * becomes \uFFFD, so the output is always valid UTF-8 JSON, one line. Every
 * other character is written as it is: a reader of the file gets the
 * exact string wherever it was UTF-8. */
void lp_json_string(FILE *out, const char *s);
