/* Output that cannot lie to its reader (README, "Findings"): each class of
 * hostile character through the writers that print it (the text summary,
 * the JSON Lines string, the SARIF message), string arguments as the
 * decoder quotes them, and the escaping function itself (findings/escape.h):
 * what it escapes, that it can be undone, and that a cut never splits an
 * escape. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "findings/escape.h"
#include "findings/findings.h"
#include "findings/json.h"
#include "findings/report_sarif.h"
#include "findings/report_text.h"
#include "rules/call.h"
#include "rules/decode.h"

#include "../helpers/memory_image.h"
#include "../helpers/text_unescape.h"

/* ---- helpers ---- */

/* The summary line of one finding (the line after the count). */
static char *summary_line(const struct lp_finding *f)
{
        struct lp_findings *s = NULL;
        assert_int_equal(lp_findings_new(16, &s), 0);
        assert_int_equal(lp_findings_add(s, f), 0);
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        assert_non_null(m);
        assert_int_equal(lp_report_text(s, m, false), 0);
        fclose(m);
        lp_findings_free(s);
        char *line = strchr(buf, '\n');
        assert_non_null(line);
        char *copy = strdup(line + 1);
        free(buf);
        return copy;
}

/* What the summary shows of a path the rules refused to write. */
static char *shown_path(const char *path)
{
        struct lp_finding f = {
                .kind = LP_FINDING_FILESYSTEM,
                .operation = "write",
                .target = path,
                .errno_value = EROFS,
        };
        char *line = summary_line(&f);
        static const char head[] = "leastpriv:   denied   filesystem write ";
        static const char tail[] = " x1\n";
        size_t len = strlen(line);
        assert_true(len >= sizeof(head) - 1 + sizeof(tail) - 1);
        assert_memory_equal(line, head, sizeof(head) - 1);
        assert_string_equal(line + len - (sizeof(tail) - 1), tail);
        line[len - (sizeof(tail) - 1)] = '\0';
        memmove(line, line + sizeof(head) - 1, len - (sizeof(head) - 1) + 1);
        return line;
}

static void assert_shown(const char *path, const char *expected)
{
        char *shown = shown_path(path);
        assert_string_equal(shown, expected);
        free(shown);
}

static char *json_of(const char *s)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        assert_non_null(m);
        lp_json_string(m, s);
        fclose(m);
        return buf;
}

#define BASE 0x10000ULL

/* The target the decoder gives `syscall` whose path argument (the first
 * or, for *at calls, the second) is `path`. */
static void decode_path_call(const char *syscall, const char *path, struct lp_decoded *d)
{
        struct memory_image im = {.bytes = path, .size = strlen(path) + 1, .base = BASE};
        struct lp_decode_reader rd = memory_image_reader(&im);
        uint64_t args[6] = {BASE, BASE, BASE, 0, 0, 0};
        lp_call_describe(&rd, syscall, args, d);
}

/* Whether every `"` of s outside a backslash escape pairs with another,
 * and every backslash escapes something. */
static bool well_quoted(const char *s)
{
        size_t quotes = 0;
        for (; *s; s++) {
                if (*s == '\\') {
                        if (!s[1])
                                return false;
                        s++;
                } else if (*s == '"') {
                        quotes++;
                }
        }
        return quotes % 2 == 0;
}

/* Whether s can stand between two quotes: a quote only as \", a
 * backslash only as the first of \\ or \". */
static bool escaped_content(const char *s)
{
        for (; *s; s++) {
                if (*s == '"')
                        return false;
                if (*s == '\\' && s[1] != '\\' && s[1] != '"')
                        return false;
                if (*s == '\\')
                        s++;
        }
        return true;
}

/* ---- the text summary, class by class ---- */

/* C0 controls and DEL are bytes: \xNN. C1 controls (U+0080..U+009F, CSI
 * among them, which many terminals obey) are characters: \u{XXXX}. */
static void test_text_controls(void **state)
{
        assert_shown("/tmp/a\x1b[2Jb\x07\x01\x1f\x7f.", "/tmp/a\\x1b[2Jb\\x07\\x01\\x1f\\x7f.");
        assert_shown("a\nb\rc\td", "a\\x0ab\\x0dc\\x09d");
        assert_shown("csi\xc2\x9b"
                     "31m nel\xc2\x85 x\xc2\x80\xc2\x9f",
                     "csi\\u{009B}31m nel\\u{0085} x\\u{0080}\\u{009F}");
        /* Neighbours stay as they are: U+00A0 and U+00E9 are printable. */
        assert_shown("\xc2\xa0\xc3\xa9", "\xc2\xa0\xc3\xa9");
}

/* U+2028 and U+2029 break a line in some viewers. */
static void test_text_line_separators(void **state)
{
        assert_shown("/tmp/a\xe2\x80\xa8"
                     "b\xe2\x80\xa9"
                     "c",
                     "/tmp/a\\u{2028}b\\u{2029}c");
}

/* The bidi controls reorder what follows them (CVE-2021-42574, "Trojan
 * Source"): an RLO makes "/tmp/\u202Etxt.exe" read "/tmp/exe.txt". */
static void test_text_bidi_controls(void **state)
{
        assert_shown("/tmp/\xe2\x80\xaetxt.exe", "/tmp/\\u{202E}txt.exe");
        assert_shown("a\xe2\x80\xaa"
                     "b\xe2\x80\xab"
                     "c\xe2\x80\xac"
                     "d\xe2\x80\xad"
                     "e",
                     "a\\u{202A}b\\u{202B}c\\u{202C}d\\u{202D}e");
        assert_shown("a\xe2\x81\xa6"
                     "b\xe2\x81\xa7"
                     "c\xe2\x81\xa8"
                     "d\xe2\x81\xa9"
                     "e",
                     "a\\u{2066}b\\u{2067}c\\u{2068}d\\u{2069}e");
        /* The marks: LRM, RLM and the Arabic letter mark. */
        assert_shown("a\xe2\x80\x8e"
                     "b\xe2\x80\x8f"
                     "c\xd8\x9c"
                     "d",
                     "a\\u{200E}b\\u{200F}c\\u{061C}d");
}

/* Characters that print as nothing make two different paths look alike. */
static void test_text_zero_width(void **state)
{
        assert_shown("a\xe2\x80\x8b"
                     "b\xe2\x80\x8c"
                     "c\xe2\x80\x8d"
                     "d",
                     "a\\u{200B}b\\u{200C}c\\u{200D}d");
        assert_shown("a\xe2\x81\xa0"
                     "b\xef\xbb\xbf"
                     "c\xc2\xad"
                     "d",
                     "a\\u{2060}b\\u{FEFF}c\\u{00AD}d");
        /* A tag character and a variation selector. */
        assert_shown("a\xf3\xa0\x80\x81"
                     "b\xef\xb8\x8f"
                     "c",
                     "a\\u{E0001}b\\u{FE0F}c");
}

/* Bytes that are not UTF-8 are shown byte by byte; what is valid stays. */
static void test_text_invalid_utf8(void **state)
{
        assert_shown("\xff\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xc3\xa9\xe2\x82",
                     "\\xff\\xc0\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80\xc3\xa9\\xe2\\x82");
}

/* A backslash of the path itself is "\\", so that "\x1b" in a name is
 * never mistaken for the escape of an ESC; a quote is "\"". */
static void test_text_backslash_and_quote(void **state)
{
        assert_shown("/tmp/\\x1b", "/tmp/\\\\x1b");
        assert_shown("/tmp/a\" x9  [/usr/bin/true]", "/tmp/a\\\" x9  [/usr/bin/true]");
}

/* The executable comes from the command too. */
static void test_text_executable(void **state)
{
        struct lp_finding f = {
                .kind = LP_FINDING_SYSCALL,
                .operation = "ptrace",
                .target = "ptrace(PTRACE_TRACEME)",
                .exe = "/tmp/\xe2\x80\xaegpj.sh\nleastpriv: no findings",
        };
        char *line = summary_line(&f);
        assert_string_equal(line, "leastpriv:   denied   syscall ptrace(PTRACE_TRACEME) x1"
                                  "  [/tmp/\\u{202E}gpj.sh\\x0aleastpriv: no findings]\n");
        free(line);
}

/* ---- string arguments as the decoder quotes them ---- */

/* A path that closes the quote and writes the rest of the line itself. */
static void test_decoded_quote_cannot_close(void **state)
{
        struct lp_decoded d;
        decode_path_call("chroot", "/tmp/a\" denied 0 times", &d);
        assert_string_equal(d.target, "chroot(\"/tmp/a\\\" denied 0 times\")");
        assert_string_equal(d.dedupe, d.target);
        struct lp_finding f = {
                .kind = LP_FINDING_SYSCALL,
                .operation = "chroot",
                .target = d.target,
                .exe = "/usr/bin/probe",
        };
        char *line = summary_line(&f);
        assert_string_equal(line, "leastpriv:   denied   syscall chroot(\"/tmp/a\\\" denied 0 "
                                  "times\") x1  [/usr/bin/probe]\n");
        free(line);

        decode_path_call("openat", "/tmp/a\\", &d);
        assert_string_equal(d.target, "openat(\"/tmp/a\\\\\")");
        decode_path_call("mkdir", "\\\"\\\"", &d);
        assert_string_equal(d.target, "mkdir(\"\\\\\\\"\\\\\\\"\")");
}

/* A right-to-left override inside the quotes: the target keeps the
 * character (the JSON Lines file gives the exact path), the summary shows
 * the escape. */
static void test_decoded_right_to_left_override(void **state)
{
        struct lp_decoded d;
        decode_path_call("chroot", "/tmp/\xe2\x80\xaetxt.exe", &d);
        assert_string_equal(d.target, "chroot(\"/tmp/\xe2\x80\xaetxt.exe\")");
        struct lp_finding f = {
                .kind = LP_FINDING_SYSCALL, .operation = "chroot", .target = d.target};
        char *line = summary_line(&f);
        assert_string_equal(line,
                            "leastpriv:   denied   syscall chroot(\"/tmp/\\u{202E}txt.exe\") x1\n");
        free(line);
        char *json = json_of(d.target);
        assert_string_equal(json, "\"chroot(\\\"/tmp/\xe2\x80\xaetxt.exe\\\")\"");
        free(json);
}

/* Cut at the display bound, a string of quotes still ends in a whole
 * escape, the "..." and the hash: never a lone backslash before the
 * closing quote. */
static void test_decoded_cut_keeps_escapes_whole(void **state)
{
        char path[400];
        for (size_t at = 0; at < 3; at++) {
                memset(path, '"', sizeof(path) - 1);
                path[sizeof(path) - 1] = '\0';
                memset(path, 'a', at); /* the cut falls on each side of an escape */
                struct lp_decoded d;
                decode_path_call("chroot", path, &d);
                assert_true(well_quoted(d.target));
                size_t len = strlen(d.target);
                assert_true(len > 16);
                assert_string_equal(d.target + len - 2, "\")");
                assert_memory_equal(d.target + len - 14, "...#", 4);
                assert_int_not_equal(d.target[len - 15], '\\');
        }
        /* mount's three strings, each cut in its own smaller buffer. */
        struct memory_image im = {.bytes = path, .size = sizeof(path), .base = BASE};
        struct lp_decode_reader rd = memory_image_reader(&im);
        uint64_t args[6] = {BASE, BASE + 1, BASE + 2};
        struct lp_decoded d;
        lp_call_describe(&rd, "mount", args, &d);
        assert_true(well_quoted(d.target));
        for (size_t size = 1; size < 40; size++) {
                char buf[40];
                lp_decode_string(&rd, BASE + 10, buf, size);
                assert_true(strlen(buf) < size);
                assert_true(escaped_content(buf));
        }
}

/* A unix socket's name is read from the command's memory as well. */
static void test_decoded_unix_address(void **state)
{
        struct sockaddr_un un = {.sun_family = AF_UNIX};
        static const char name[] = "/tmp/a\" x1\\";
        memcpy(un.sun_path, name, sizeof(name));
        struct memory_image im = {.bytes = &un, .size = sizeof(un), .base = BASE};
        struct lp_decode_reader rd = memory_image_reader(&im);
        uint64_t args[6] = {3, BASE, offsetof(struct sockaddr_un, sun_path) + sizeof(name)};
        struct lp_decoded d;
        lp_call_describe(&rd, "connect", args, &d);
        assert_string_equal(d.target, "connect(unix /tmp/a\\\" x1\\\\)");
        /* What the rules resolve is the address itself, not its display. */
        struct lp_sockaddr_info sa;
        assert_int_equal(lp_decode_sockaddr(&rd, BASE, args[2], &sa), 0);
        assert_string_equal(sa.text, name);
}

/* ---- JSON ---- */

/* JSON allows U+2028 and U+2029 raw, JavaScript before ES2019 did not,
 * and some viewers break the line there. */
static void test_json_line_separators(void **state)
{
        char *json = json_of("a\xe2\x80\xa8"
                             "b\xe2\x80\xa9"
                             "c\xe2\x80\xae"
                             "d");
        assert_string_equal(json, "\"a\\u2028b\\u2029c\xe2\x80\xae"
                                  "d\"");
        free(json);
}

/* ---- SARIF ---- */

/* The message is text a viewer shows: escaped as the summary is. The
 * properties are data: exact, as in the JSON Lines file. */
static void test_sarif_message_escaped(void **state)
{
        char dir[] = "/tmp/lp-test-escape.XXXXXX";
        assert_non_null(mkdtemp(dir));
        char *path;
        assert_true(asprintf(&path, "%s/f.sarif", dir) > 0);
        struct lp_findings *s = NULL;
        assert_int_equal(lp_findings_new(16, &s), 0);
        struct lp_finding f = {
                .kind = LP_FINDING_FILESYSTEM,
                .operation = "write",
                .target = "/tmp/\xe2\x80\xaetxt.exe",
                .exe = "/tmp/\xe2\x80\x8b"
                       "probe",
                .fix = "[Filesystem] ReadWritePaths=/tmp/\xe2\x80\xaetxt.exe",
        };
        assert_int_equal(lp_findings_add(s, &f), 0);
        struct lp_finding variable = {
                .kind = LP_FINDING_ENVIRONMENT,
                .action = LP_FINDING_WITHHELD,
                .operation = "A\xe2\x80\xae"
                             "B",
                .target = "A\xe2\x80\xae"
                          "B",
        };
        assert_int_equal(lp_findings_add(s, &variable), 0);
        /* Read and removed before anything is asserted: nothing is left
         * behind when an assertion fails. */
        int written = lp_report_sarif_write(s, NULL, path);
        char text[8192];
        size_t n = 0;
        FILE *in = fopen(path, "r");
        if (in) {
                n = fread(text, 1, sizeof(text) - 1, in);
                fclose(in);
        }
        text[n] = '\0';
        unlink(path);
        rmdir(dir);
        free(path);
        lp_findings_free(s);
        assert_int_equal(written, 0);
        assert_non_null(strstr(text, "{\"id\":\"environment/A\xe2\x80\xae"
                                     "B\","
                                     "\"shortDescription\":{\"text\":\"Environment variable "
                                     "A\\\\u{202E}B is withheld by the profile\"},"
                                     "\"fullDescription\""));
        char *message = strstr(text, "\"message\":{\"text\":");
        assert_non_null(message);
        char *end = strstr(message, "\"}");
        assert_non_null(end);
        *end = '\0';
        assert_string_equal(message, "\"message\":{\"text\":\"filesystem write "
                                     "/tmp/\\\\u{202E}txt.exe denied 1 time by "
                                     "/tmp/\\\\u{200B}probe. To grant it: [Filesystem] "
                                     "ReadWritePaths=/tmp/\\\\u{202E}txt.exe");
        assert_non_null(strstr(end + 1, "\"exe\":\"/tmp/\xe2\x80\x8b"
                                        "probe\""));
        assert_non_null(strstr(end + 1, "\"fix\":\"[Filesystem] ReadWritePaths=/tmp/"
                                        "\xe2\x80\xaetxt.exe\""));
}

/* ---- the escaping itself ---- */

/* The quotes of s that no backslash escapes. */
static size_t raw_quotes(const char *s)
{
        size_t n = 0;
        for (; *s; s++) {
                if (*s == '\\' && s[1])
                        s++;
                else if (*s == '"')
                        n++;
        }
        return n;
}

static char *escaped(const char *s, unsigned flags)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        assert_non_null(m);
        lp_escape_write(m, s, flags);
        fclose(m);
        return buf;
}

static void assert_escaped(const char *s, unsigned flags, const char *expected)
{
        char *e = escaped(s, flags);
        assert_string_equal(e, expected);
        free(e);
}

/* Each flag escapes its own classes and nothing else. */
static void test_escape_flags(void **state)
{
        static const char s[] = "a\\\"\x1b\xe2\x80\xae\xff";
        assert_escaped(s, LP_ESCAPE_QUOTES, "a\\\\\\\"\x1b\xe2\x80\xae\xff");
        assert_escaped(s, LP_ESCAPE_INVISIBLE, "a\\\"\\x1b\\u{202E}\\xff");
        assert_escaped(s, LP_ESCAPE_TEXT, "a\\\\\\\"\\x1b\\u{202E}\\xff");
        assert_escaped("", LP_ESCAPE_TEXT, "");
        char *e = escaped(NULL, LP_ESCAPE_TEXT);
        assert_string_equal(e, "");
        free(e);
}

/* What the summary shows can be read back to the exact bytes: every byte
 * alone, and strings mixing every class. */
static void test_escape_read_back(void **state)
{
        char s[64], back[64];
        for (int c = 1; c < 256; c++) {
                s[0] = (char)c, s[1] = '\0';
                char *e = escaped(s, LP_ESCAPE_TEXT);
                assert_int_equal(text_unescape(e, strlen(e), back), 1);
                assert_int_equal((unsigned char)back[0], c);
                free(e);
        }
        static const char *const mixed[] = {
                "/tmp/a\" denied 0 times",
                "\\x1b is not ESC, \x1b is",
                "\xe2\x80\xae\xe2\x81\xa6\xef\xbb\xbf\xc2\x9b\xf3\xa0\x80\x81\xed\xa0\x80\xc3",
                "\\u{202E}\xe2\x80\xa8\\",
        };
        for (size_t i = 0; i < sizeof(mixed) / sizeof(mixed[0]); i++) {
                char *e = escaped(mixed[i], LP_ESCAPE_TEXT);
                long n = text_unescape(e, strlen(e), back);
                assert_int_equal(n, (long)strlen(mixed[i]));
                assert_memory_equal(back, mixed[i], (size_t)n);
                assert_int_equal(raw_quotes(e), 0);
                free(e);
        }
}

/* Into a buffer too small, the escaping stops before the first unit that
 * does not fit: what is written is the escape of what it says it took. */
static void test_escape_cut_between_units(void **state)
{
        static const char s[] = "a\"b\xe2\x80\xae\xc3\xa9\\\x01z";
        char *full = escaped(s, LP_ESCAPE_TEXT);
        for (size_t size = 1; size <= strlen(full) + 1; size++) {
                char buf[64];
                size_t took = lp_escape(buf, size, s, LP_ESCAPE_TEXT);
                assert_true(strlen(buf) < size);
                char prefix[64];
                memcpy(prefix, s, took);
                prefix[took] = '\0';
                char *e = escaped(prefix, LP_ESCAPE_TEXT);
                assert_string_equal(buf, e);
                assert_memory_equal(full, buf, strlen(buf));
                free(e);
        }
        char buf[64];
        assert_int_equal(lp_escape(buf, sizeof(buf), s, LP_ESCAPE_TEXT), strlen(s));
        assert_string_equal(buf, full);
        assert_int_equal(lp_escape(buf, 0, s, LP_ESCAPE_TEXT), 0);
        free(full);
}

static char *target_shown(enum lp_finding_kind kind, const char *target)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        assert_non_null(m);
        lp_escape_write_target(m, kind, target);
        fclose(m);
        return buf;
}

/* The decoder's quoting is kept where it is whole; a target not quoted
 * that way, or one no decoder wrote, is escaped as any field. */
static void test_escape_target_quoting(void **state)
{
        char *t = target_shown(LP_FINDING_SYSCALL, "mount(\"a\\\"\", \"\\\\\xe2\x80\x8b\")");
        assert_string_equal(t, "mount(\"a\\\"\", \"\\\\\\u{200B}\")");
        free(t);
        t = target_shown(LP_FINDING_CAPABILITY, "connect(unix /a\\\"b)");
        assert_string_equal(t, "connect(unix /a\\\"b)");
        free(t);
        /* An odd quote, a lone backslash: not the decoder's. */
        t = target_shown(LP_FINDING_NETWORK, "unix /a\"b");
        assert_string_equal(t, "unix /a\\\"b");
        free(t);
        t = target_shown(LP_FINDING_SYSCALL, "x(\"\\n\")");
        assert_string_equal(t, "x(\\\"\\\\n\\\")");
        free(t);
        /* A path is never the decoder's. */
        t = target_shown(LP_FINDING_FILESYSTEM, "/tmp/\"a\\\"\"");
        assert_string_equal(t, "/tmp/\\\"a\\\\\\\"\\\"");
        free(t);
        t = target_shown(LP_FINDING_ENVIRONMENT, "A\"B");
        assert_string_equal(t, "A\\\"B");
        free(t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_text_controls),
                cmocka_unit_test(test_text_line_separators),
                cmocka_unit_test(test_text_bidi_controls),
                cmocka_unit_test(test_text_zero_width),
                cmocka_unit_test(test_text_invalid_utf8),
                cmocka_unit_test(test_text_backslash_and_quote),
                cmocka_unit_test(test_text_executable),
                cmocka_unit_test(test_decoded_quote_cannot_close),
                cmocka_unit_test(test_decoded_right_to_left_override),
                cmocka_unit_test(test_decoded_cut_keeps_escapes_whole),
                cmocka_unit_test(test_decoded_unix_address),
                cmocka_unit_test(test_json_line_separators),
                cmocka_unit_test(test_sarif_message_escaped),
                cmocka_unit_test(test_escape_flags),
                cmocka_unit_test(test_escape_read_back),
                cmocka_unit_test(test_escape_cut_between_units),
                cmocka_unit_test(test_escape_target_quoting),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
