/* The escaping of leastpriv's output (escape.h), and the UTF-8 reading it
 * rests on, which the JSON writer shares. */
#include "findings/escape.h"

#include <stdbool.h>
#include <string.h>

size_t lp_utf8_sequence(const char *str, unsigned *ret_cp)
{
        const unsigned char *s = (const unsigned char *)str;
        unsigned cp, min;
        size_t n;
        if (s[0] < 0x80) {
                if (ret_cp)
                        *ret_cp = s[0];
                return 1;
        } else if ((s[0] & 0xe0) == 0xc0) {
                n = 2, cp = s[0] & 0x1f, min = 0x80;
        } else if ((s[0] & 0xf0) == 0xe0) {
                n = 3, cp = s[0] & 0x0f, min = 0x800;
        } else if ((s[0] & 0xf8) == 0xf0) {
                n = 4, cp = s[0] & 0x07, min = 0x10000;
        } else {
                return 0; /* a continuation byte, or 0xf8..0xff */
        }
        for (size_t i = 1; i < n; i++) {
                /* Stops at the NUL too, since 0 is not a continuation byte. */
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        if (ret_cp)
                *ret_cp = cp;
        return n;
}

/* Characters a reader does not see as themselves: the C1 controls (CSI,
 * U+009B, is obeyed by many terminals), the line and paragraph separators
 * (some viewers break the line there), and Unicode's
 * Default_Ignorable_Code_Point (DerivedCoreProperties.txt, Unicode 15),
 * which holds the bidi controls and marks (CVE-2021-42574, "Trojan
 * Source") and everything that prints as nothing; U+FFF9..U+FFFB, the
 * interlinear annotation controls, as well. */
static const struct {
        unsigned first, last;
} invisible_ranges[] = {
        {0x0080, 0x009f},   {0x00ad, 0x00ad},   {0x034f, 0x034f}, {0x061c, 0x061c},
        {0x115f, 0x1160},   {0x17b4, 0x17b5},   {0x180b, 0x180f}, {0x200b, 0x200f},
        {0x2028, 0x202e},   {0x2060, 0x206f},   {0x3164, 0x3164}, {0xfe00, 0xfe0f},
        {0xfeff, 0xfeff},   {0xffa0, 0xffa0},   {0xfff0, 0xfffb}, {0x1bca0, 0x1bca3},
        {0x1d173, 0x1d17a}, {0xe0000, 0xe0fff},
};

static bool invisible(unsigned cp)
{
        for (size_t i = 0; i < sizeof(invisible_ranges) / sizeof(invisible_ranges[0]); i++)
                if (cp >= invisible_ranges[i].first && cp <= invisible_ranges[i].last)
                        return true;
        return false;
}

/* Room for the longest unit, "\u{10FFFF}", and its NUL. */
#define UNIT_SIZE 12

/* The shown form of the character (or the byte that is not UTF-8) at s,
 * into unit; returns how many bytes of s it stands for, at least 1. s is
 * not empty. */
static size_t escape_unit(const char *s, unsigned flags, char unit[UNIT_SIZE])
{
        unsigned cp = 0;
        size_t n = lp_utf8_sequence(s, &cp);
        if ((flags & LP_ESCAPE_QUOTES) && n == 1 && (cp == '"' || cp == '\\')) {
                snprintf(unit, UNIT_SIZE, "\\%c", (char)cp);
                return 1;
        }
        if ((flags & LP_ESCAPE_INVISIBLE) && (n == 0 || (n == 1 && (cp < 0x20 || cp == 0x7f)))) {
                snprintf(unit, UNIT_SIZE, "\\x%02x", (unsigned char)*s);
                return 1;
        }
        if ((flags & LP_ESCAPE_INVISIBLE) && n > 1 && invisible(cp)) {
                snprintf(unit, UNIT_SIZE, "\\u{%04X}", cp);
                return n;
        }
        n = n ? n : 1; /* a byte that is not UTF-8, kept as it is */
        memcpy(unit, s, n);
        unit[n] = '\0';
        return n;
}

size_t lp_escape(char *buf, size_t size, const char *s, unsigned flags)
{
        size_t used = 0, done = 0;
        if (size == 0)
                return 0;
        while (s[done]) {
                char unit[UNIT_SIZE];
                size_t n = escape_unit(s + done, flags, unit);
                size_t len = strlen(unit);
                if (used + len >= size)
                        break;
                memcpy(buf + used, unit, len);
                used += len;
                done += n;
        }
        buf[used] = '\0';
        return done;
}

void lp_escape_write(FILE *out, const char *s, unsigned flags)
{
        if (!s)
                return;
        while (*s) {
                char unit[UNIT_SIZE];
                s += escape_unit(s, flags, unit);
                fputs(unit, out);
        }
}

/* Whether s is quoted the way the decoder quotes: each backslash escapes
 * a quote or a backslash, and the other quotes pair. */
static bool quoted_by_decoder(const char *s)
{
        bool open = false;
        for (; *s; s++) {
                if (*s == '\\') {
                        if (s[1] != '\\' && s[1] != '"')
                                return false;
                        s++;
                } else if (*s == '"') {
                        open = !open;
                }
        }
        return !open;
}

void lp_escape_write_target(FILE *out, enum lp_finding_kind kind, const char *target)
{
        bool decoded = kind == LP_FINDING_SYSCALL || kind == LP_FINDING_CAPABILITY ||
                       kind == LP_FINDING_NETWORK;
        bool quoted = decoded && target && quoted_by_decoder(target);
        lp_escape_write(out, target, quoted ? LP_ESCAPE_INVISIBLE : LP_ESCAPE_TEXT);
}
