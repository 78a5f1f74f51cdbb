/* JSON string escaping, shared by report_json.c and report_sarif.c. */
#include "findings/json.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "findings/escape.h"

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
                unsigned cp = 0;
                size_t n = lp_utf8_sequence(s, &cp);
                const char *esc = NULL;
                char buf[8];
                /* U+2028 and U+2029 are valid JSON, but not JavaScript
                 * before ES2019, and some viewers end the line there. */
                bool separator = cp == 0x2028 || cp == 0x2029;
                if ((n > 1 && !separator) ||
                    (n == 1 && c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)) {
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
                        snprintf(buf, sizeof(buf), "\\u%04X", separator ? cp : n ? c : 0xfffdu);
                        esc = buf;
                }
                fwrite(run, 1, (size_t)(s - run), out);
                fputs(esc, out);
                s += n ? n : 1;
                run = s;
        }
        fwrite(run, 1, (size_t)(s - run), out);
        fputc('"', out);
}
