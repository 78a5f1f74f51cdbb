/* JSON string escaping, shared by report_json.c and report_sarif.c, and
 * UTF-8 validation, which the text summary uses too. */
#include "findings/json.h"

#include <stdbool.h>
#include <stdint.h>
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

void lp_json_string(FILE *out, const char *s)
{
        if (!s) {
                fputs("null", out);
                return;
        }
        fputc('"', out);
        const char *run = s; /* bytes that need no escaping, not yet written */
        while (*s) {
                unsigned char c = (unsigned char)*s;
                size_t n = lp_utf8_sequence(s, NULL);
                const char *esc = NULL;
                char buf[8];
                if (n > 1 || (n == 1 && c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)) {
                        s += n;
                        continue;
                }
                switch (c) {
                case '"':
                        esc = "\\\"";
                        break;
                case '\\':
                        esc = "\\\\";
                        break;
                case '\n':
                        esc = "\\n";
                        break;
                case '\r':
                        esc = "\\r";
                        break;
                case '\t':
                        esc = "\\t";
                        break;
                case '\b':
                        esc = "\\b";
                        break;
                case '\f':
                        esc = "\\f";
                        break;
                default:
                        /* n == 0: a byte that is not UTF-8 */
                        snprintf(buf, sizeof(buf), "\\u%04X", n ? c : 0xfffdu);
                        esc = buf;
                }
                fwrite(run, 1, (size_t)(s - run), out);
                fputs(esc, out);
                s++;
                run = s;
        }
        fwrite(run, 1, (size_t)(s - run), out);
        fputc('"', out);
}
