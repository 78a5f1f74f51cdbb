/* libFuzzer: arbitrary findings through the text summary and the JSON Lines
 * writer, and arbitrary strings through the escaping they share
 * (findings/escape.h). The oracle is what a reader relies on (README,
 * "Findings"), not only that nothing crashes:
 * - text: no raw control (C0, DEL, C1), bidi, zero-width or separator
 *   character, nothing that is not UTF-8, every backslash one of the
 *   documented escapes, every quote paired; a field read back gives its
 *   exact bytes; a cut escape is a prefix of whole units;
 * - JSON: each line one object with the keys of docs/architecture.md in
 *   order, valid UTF-8, no raw U+2028/U+2029, and every string that was
 *   UTF-8 read back exactly.
 *
 * Input: kind, action, flags, call, cut size, then the fields operation,
 * target, exe, fix and rule, NUL-separated. Flag 1 runs the summary with
 * -q; flag 2 makes the target the one the decoder gives `call` on a memory
 * image of the bytes after the header (a path, a mount, a unix address);
 * flag 4 adds a second finding to a store of one, so that it is folded. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings/escape.h"
#include "findings/findings.h"
#include "findings/report_json.h"
#include "findings/report_text.h"
#include "fuzz.h"
#include "rules/call.h"
#include "rules/decode.h"

#include "../helpers/memory_image.h"
#include "../helpers/text_unescape.h"

#define HEADER 5
#define IMAGE_BASE 0x10000ULL
#define N_FIELDS 5

/* ---- what a reader relies on ---- */

/* Length of the valid UTF-8 sequence at s (at most `left` bytes), 0 if
 * none; written apart from findings/escape.c, so that the two can differ. */
static size_t utf8_length(const unsigned char *s, size_t left, uint32_t *cp)
{
        size_t n = 0;
        if (s[0] < 0x80)
                n = 1;
        else if (s[0] >= 0xc2 && s[0] < 0xe0)
                n = 2;
        else if (s[0] >= 0xe0 && s[0] < 0xf0)
                n = 3;
        else if (s[0] >= 0xf0 && s[0] <= 0xf4)
                n = 4;
        if (n == 0 || n > left)
                return 0;
        if (n == 1) {
                *cp = s[0];
                return 1;
        }
        uint32_t v = s[0] & (0x7f >> n);
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                v = (v << 6) | (s[i] & 0x3f);
        }
        static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
                return 0;
        *cp = v;
        return n;
}

static bool valid_utf8(const char *s, size_t len)
{
        uint32_t cp;
        for (size_t i = 0, n; i < len; i += n)
                if ((n = utf8_length((const unsigned char *)s + i, len - i, &cp)) == 0)
                        return false;
        return true;
}

/* The classes the README promises to escape. */
static bool must_not_show(uint32_t cp)
{
        return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
               (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
               (cp >= 0x200b && cp <= 0x200f) || cp == 0x2060 || cp == 0xfeff || cp == 0x061c;
}

/* A line of text a reader sees (without its newline). */
static void check_text(const char *s, size_t len)
{
        FUZZ_CHECK(valid_utf8(s, len));
        uint32_t cp;
        for (size_t i = 0, n; i < len; i += n) {
                n = utf8_length((const unsigned char *)s + i, len - i, &cp);
                FUZZ_CHECK(!must_not_show(cp));
        }
        char *scratch = malloc(len + 1);
        FUZZ_CHECK(scratch && text_unescape(s, len, scratch) >= 0);
        free(scratch);
        FUZZ_CHECK(text_quotes_balanced(s, len));
}

/* One field escaped for the summary: a reader gets its bytes back; no
 * quote of it is left bare; a cut is whole units. */
static void check_field(const char *s, size_t cut_size)
{
        char *shown = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&shown, &size);
        FUZZ_CHECK(m);
        lp_escape_write(m, s, LP_ESCAPE_TEXT);
        FUZZ_CHECK(fclose(m) == 0);
        check_text(shown, size);
        char *back = malloc(size + 1);
        FUZZ_CHECK(back);
        FUZZ_CHECK(text_unescape(shown, size, back) == (long)strlen(s));
        FUZZ_CHECK(memcmp(back, s, strlen(s)) == 0);
        for (size_t i = 0; i < size; i++) {
                FUZZ_CHECK(shown[i] != '"');
                i += shown[i] == '\\'; /* what follows is escaped */
        }

        char *cut = malloc(cut_size ? cut_size : 1);
        FUZZ_CHECK(cut);
        size_t took = lp_escape(cut, cut_size, s, LP_ESCAPE_TEXT);
        FUZZ_CHECK(took <= strlen(s));
        if (cut_size > 0) {
                FUZZ_CHECK(strlen(cut) < cut_size && memcmp(cut, shown, strlen(cut)) == 0);
                FUZZ_CHECK(text_unescape(cut, strlen(cut), back) == (long)took);
                FUZZ_CHECK(memcmp(back, s, took) == 0);
        }
        free(cut);
        free(back);
        free(shown);
}

/* ---- the text summary ---- */

static void check_summary(const struct lp_findings *store, bool quiet)
{
        char *text = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&text, &size);
        FUZZ_CHECK(m);
        FUZZ_CHECK(lp_report_text(store, m, quiet) == 0);
        FUZZ_CHECK(fclose(m) == 0);
        FUZZ_CHECK(strlen(text) == size);
        for (char *line = text; *line;) {
                char *end = strchr(line, '\n');
                FUZZ_CHECK(end);
                FUZZ_CHECK(strncmp(line, "leastpriv: ", 11) == 0);
                check_text(line, (size_t)(end - line));
                line = end + 1;
        }
        free(text);
}

/* ---- the JSON Lines ---- */

static const char *const keys[] = {"kind", "operation", "target", "action", "errno",    "count",
                                   "pid",  "exe",       "rule",   "fix",    "first_ms", "test"};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/* A JSON string at *p (its quote): decoded into out (room for its length),
 * *p past it. Returns the decoded length, or -1 when it is not a JSON
 * string of valid UTF-8 without raw controls, U+2028 or U+2029. */
static long json_string(const char **p, const char *end, char *out)
{
        const char *s = *p;
        long o = 0;
        if (s >= end || *s++ != '"')
                return -1;
        while (s < end && *s != '"') {
                uint32_t cp;
                if (*s == '\\') {
                        static const char simple[] = "\"\\/bfnrt", value[] = "\"\\/\b\f\n\r\t";
                        const char *at = s + 1 < end ? strchr(simple, s[1]) : NULL;
                        if (at && *at) {
                                out[o++] = value[at - simple], s += 2;
                                continue;
                        }
                        if (end - s < 6 || s[1] != 'u')
                                return -1;
                        cp = 0;
                        for (int i = 2; i < 6; i++) {
                                if (text_hex_digit(s[i]) < 0)
                                        return -1;
                                cp = cp * 16 + (uint32_t)text_hex_digit(s[i]);
                        }
                        if (cp >= 0xd800 && cp <= 0xdfff) /* never written: no pairs */
                                return -1;
                        o += (long)text_utf8_encode(cp, out + o), s += 6;
                        continue;
                }
                size_t n = utf8_length((const unsigned char *)s, (size_t)(end - s), &cp);
                if (n == 0 || cp < 0x20 || cp == 0x2028 || cp == 0x2029)
                        return -1;
                memcpy(out + o, s, n), o += (long)n, s += n;
        }
        if (s >= end)
                return -1;
        *p = s + 1;
        return o;
}

/* A JSON value at *p that is not a string: null or an integer. */
static bool json_scalar(const char **p, const char *end)
{
        const char *s = *p;
        if (end - s >= 4 && memcmp(s, "null", 4) == 0) {
                *p = s + 4;
                return true;
        }
        if (s < end && *s == '-')
                s++;
        const char *digits = s;
        while (s < end && *s >= '0' && *s <= '9')
                s++;
        *p = s;
        return s > digits;
}

/* One line: the object's string values decoded into values[] (NULL for
 * null or a number). */
static void parse_line(const char *s, const char *end, char *values[N_KEYS])
{
        char *name = malloc((size_t)(end - s) + 1);
        FUZZ_CHECK(name);
        FUZZ_CHECK(s < end && *s++ == '{');
        for (size_t k = 0; k < N_KEYS; k++) {
                long n = json_string(&s, end, name);
                FUZZ_CHECK(n == (long)strlen(keys[k]) && memcmp(name, keys[k], (size_t)n) == 0);
                FUZZ_CHECK(s < end && *s++ == ':');
                values[k] = NULL;
                if (s < end && *s == '"') {
                        values[k] = malloc((size_t)(end - s) + 1);
                        FUZZ_CHECK(values[k]);
                        n = json_string(&s, end, values[k]);
                        FUZZ_CHECK(n >= 0);
                        values[k][n] = '\0';
                } else {
                        FUZZ_CHECK(json_scalar(&s, end));
                }
                FUZZ_CHECK(s < end && *s++ == (k + 1 < N_KEYS ? ',' : '}'));
        }
        FUZZ_CHECK(s == end);
        free(name);
}

/* Where the written string was UTF-8 (and had no NUL: it is a C string),
 * the JSON holds it exactly; NULL is null. */
static void check_value(const char *written, const char *read)
{
        if (!written) {
                FUZZ_CHECK(read == NULL);
                return;
        }
        FUZZ_CHECK(read != NULL);
        if (valid_utf8(written, strlen(written)))
                FUZZ_CHECK(strcmp(written, read) == 0);
}

static void check_json(const struct lp_findings *store, const struct lp_finding *first)
{
        char *text = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&text, &size);
        FUZZ_CHECK(m);
        lp_report_json_print(store, m);
        FUZZ_CHECK(fclose(m) == 0);
        FUZZ_CHECK(valid_utf8(text, size));
        size_t line_no = 0;
        for (const char *line = text; *line; line_no++) {
                const char *end = strchr(line, '\n');
                FUZZ_CHECK(end);
                char *values[N_KEYS];
                parse_line(line, end, values);
                if (line_no == 0) {
                        check_value(first->operation ? first->operation : "", values[1]);
                        check_value(first->target ? first->target : "", values[2]);
                        check_value(first->exe, values[7]);
                        check_value(first->rule ? first->rule : "", values[8]);
                        check_value(first->fix ? first->fix : "", values[9]);
                }
                for (size_t k = 0; k < N_KEYS; k++)
                        free(values[k]);
                line = end + 1;
        }
        free(text);
}

/* ---- the input ---- */

static const char *const calls[] = {"chroot", "openat", "mount", "connect", "sendto", "execveat"};

/* The decoder's target for `call` with its string or address arguments
 * in the image. */
static void decode_target(uint8_t which, const uint8_t *image, size_t size, struct lp_decoded *d)
{
        struct memory_image im = {.bytes = image, .size = size, .base = IMAGE_BASE};
        struct lp_decode_reader rd = memory_image_reader(&im);
        uint64_t a = IMAGE_BASE, b = IMAGE_BASE + (which >> 3), c = IMAGE_BASE + (which >> 5);
        uint64_t args[6] = {a, a, c, a, a, size};
        const char *call = calls[(which & 7) % (sizeof(calls) / sizeof(calls[0]))];
        if (strcmp(call, "mount") == 0)
                args[1] = b;
        if (strcmp(call, "connect") == 0)
                args[0] = 3, args[1] = a, args[2] = size;
        lp_call_describe(&rd, call, args, d);
        /* What the summary keeps the quotes of: each backslash escapes a
         * quote or a backslash, the other quotes pair. */
        size_t quotes = 0;
        for (const char *s = d->target; *s; s++) {
                if (*s == '\\') {
                        FUZZ_CHECK(s[1] == '\\' || s[1] == '"');
                        s++;
                } else if (*s == '"') {
                        quotes++;
                }
        }
        FUZZ_CHECK(quotes % 2 == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < HEADER)
                return 0;
        uint8_t flags = data[2], which = data[3];
        size_t cut_size = data[4];
        /* Fields as C strings: a copy with a NUL at the end. */
        char *copy = malloc(size - HEADER + 1);
        FUZZ_CHECK(copy);
        memcpy(copy, data + HEADER, size - HEADER);
        copy[size - HEADER] = '\0';
        const char *field[N_FIELDS] = {NULL};
        const char *at = copy, *end = copy + (size - HEADER);
        for (size_t i = 0; i < N_FIELDS && at <= end; i++, at += strlen(at) + 1)
                field[i] = at;
        for (size_t i = 0; i < N_FIELDS; i++)
                if (field[i])
                        check_field(field[i], cut_size);

        struct lp_decoded *d = malloc(sizeof(*d));
        FUZZ_CHECK(d);
        if (flags & 2)
                decode_target(which, data + HEADER, size - HEADER, d);
        struct lp_finding f = {
                .kind = (enum lp_finding_kind)(data[0] % LP_FINDING_KIND_COUNT),
                .action = (enum lp_finding_action)(data[1] % (LP_FINDING_FORWARD_FAILED + 1)),
                .operation = field[0],
                .target = flags & 2 ? d->target : field[1],
                .exe = field[2],
                .fix = field[3],
                .rule = field[4],
                .count = 1,
        };
        struct lp_findings *store = NULL;
        FUZZ_CHECK(lp_findings_new(flags & 4 ? 1 : 16, &store) == 0);
        FUZZ_CHECK(lp_findings_add(store, &f) == 0);
        if (flags & 4) {
                struct lp_finding g = f;
                /* Another (kind, operation, target); an operation it must have. */
                g.operation = field[1] ? field[1] : "";
                g.target = field[0];
                FUZZ_CHECK(lp_findings_add(store, &g) == 0);
        }
        check_summary(store, flags & 1);
        check_json(store, &f);
        lp_findings_free(store);
        free(d);
        free(copy);
        return 0;
}
