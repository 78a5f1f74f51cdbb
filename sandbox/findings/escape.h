/* How a string the command chose (a path, an executable's name, a socket
 * address, a variable's name) is shown to a reader, so that it cannot pass
 * for anything else (README, "Findings"). The one escaping of leastpriv's
 * output: the decoder uses it for the strings it quotes in a target, the
 * text summary and the SARIF message for every field they print. */
#pragma once
#include <stddef.h>
#include <stdio.h>

#include "findings/findings.h"

enum {
        /* `"` and `\` as \" and \\: what the string holds, not where it ends. */
        LP_ESCAPE_QUOTES = 1 << 0,
        /* What a terminal or a viewer obeys or does not show: C0 controls,
         * DEL and each byte that is not UTF-8 as \xNN; C1 controls, the
         * line and paragraph separators, the bidi controls and marks, and
         * the characters that print as nothing (Unicode's
         * Default_Ignorable_Code_Point) as \u{XXXX}. */
        LP_ESCAPE_INVISIBLE = 1 << 1,
};

/* Everything: a field of the text summary. */
#define LP_ESCAPE_TEXT (LP_ESCAPE_QUOTES | LP_ESCAPE_INVISIBLE)

/* s escaped into buf, always terminated when size > 0, with whole escapes
 * and whole characters only, as many as fit. Returns how many bytes of s
 * that is (strlen(s) when all of it fit). */
size_t lp_escape(char *buf, size_t size, const char *s, unsigned flags);

/* s escaped onto out; nothing for NULL. */
void lp_escape_write(FILE *out, const char *s, unsigned flags);

/* A finding's target onto out. The decoder's targets (syscall, capability
 * and network findings) quote what they read with LP_ESCAPE_QUOTES
 * already: their `"` and `\` are kept, unless the target is not quoted
 * that way (then it is escaped as any other field). */
void lp_escape_write_target(FILE *out, enum lp_finding_kind kind, const char *target);

/* Length (1..4) of the valid UTF-8 sequence at s, or 0 when the byte at s
 * does not start one (overlong forms, surrogates and > U+10FFFF are invalid).
 * s must be NUL-terminated. *ret_cp (may be NULL) gets the code point. */
size_t lp_utf8_sequence(const char *s, unsigned *ret_cp);
