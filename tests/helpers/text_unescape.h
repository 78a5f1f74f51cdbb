/* The escapes of the text summary read back (findings/escape.h), for unit
 * tests and fuzzers: written here from the README's description of them,
 * not from the escaping code, so that the two can disagree. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline int text_hex_digit(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* cp as UTF-8 into out (room for 4); its length. */
static inline size_t text_utf8_encode(uint32_t cp, char *out)
{
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xc0 | (cp >> 6));
                out[1] = (char)(0x80 | (cp & 0x3f));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xe0 | (cp >> 12));
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
                out[2] = (char)(0x80 | (cp & 0x3f));
                return 3;
        }
        out[0] = (char)(0xf0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[3] = (char)(0x80 | (cp & 0x3f));
        return 4;
}

/* The bytes `len` bytes of escaped text at s stand for, into out (room for
 * len bytes: no escape is shorter than what it stands for): \\ \" \xNN and
 * \u{X...} (1 to 6 hex digits, at most U+10FFFF). Returns the length, or
 * -1 when s holds a backslash that starts none of these. */
static inline long text_unescape(const char *s, size_t len, char *out)
{
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] != '\\') {
                        out[o++] = s[i];
                        continue;
                }
                if (i + 1 >= len)
                        return -1;
                char c = s[++i];
                if (c == '\\' || c == '"') {
                        out[o++] = c;
                } else if (c == 'x') {
                        if (i + 2 >= len || text_hex_digit(s[i + 1]) < 0 ||
                            text_hex_digit(s[i + 2]) < 0)
                                return -1;
                        out[o++] = (char)(text_hex_digit(s[i + 1]) * 16 + text_hex_digit(s[i + 2]));
                        i += 2;
                } else if (c == 'u') {
                        if (i + 1 >= len || s[i + 1] != '{')
                                return -1;
                        uint32_t cp = 0;
                        size_t digits = 0;
                        for (i += 2; i < len && text_hex_digit(s[i]) >= 0 && digits < 6; i++)
                                cp = cp * 16 + (uint32_t)text_hex_digit(s[i]), digits++;
                        if (i >= len || s[i] != '}' || digits == 0 || cp > 0x10ffff)
                                return -1;
                        o += text_utf8_encode(cp, out + o);
                } else {
                        return -1;
                }
        }
        return (long)o;
}

/* Whether the line's quotes pair once escapes are skipped. */
static inline bool text_quotes_balanced(const char *s, size_t len)
{
        size_t quotes = 0;
        for (size_t i = 0; i < len; i++) {
                if (s[i] == '\\')
                        i++;
                else if (s[i] == '"')
                        quotes++;
        }
        return quotes % 2 == 0;
}
