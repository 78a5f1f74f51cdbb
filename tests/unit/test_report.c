/* The three reports: JSON Lines (keys, order, escaping, atomic write),
 * the text summary, and SARIF checked by a real JSON Schema validator. */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "findings/findings.h"
#include "findings/json.h"
#include "profile/policy.h"
#include "base/atomic_file.h"
#include "findings/report_json.h"
#include "findings/report_sarif.h"
#include "findings/report_text.h"
#include "profile/load.h"

#define SCHEMA LP_SOURCE_DIR "/tests/schemas/sarif-schema-2.1.0.json"
#define VALIDATOR LP_SOURCE_DIR "/tests/tools/validate-sarif.py"
#define PYTHON "/usr/bin/python3"

static char dir[] = "/tmp/lp-test-report.XXXXXX";

static char *path_in_dir(const char *name)
{
        char *p;
        assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
        return p;
}

static char *read_all(const char *path)
{
        FILE *f = fopen(path, "r");
        if (!f)
                return NULL;
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        assert_non_null(m);
        int c;
        while ((c = fgetc(f)) != EOF)
                fputc(c, m);
        fclose(f);
        fclose(m);
        return buf;
}

static void write_all(const char *path, const char *text)
{
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(text, f);
        assert_int_equal(fclose(f), 0);
}

/* Names in dir other than . and .. , joined by spaces. */
static char *list_dir(const char *d)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        DIR *dh = opendir(d);
        assert_non_null(dh);
        struct dirent *e;
        while ((e = readdir(dh)))
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                        fprintf(m, "%s ", e->d_name);
        closedir(dh);
        fclose(m);
        return buf;
}

static void empty_dir(const char *d)
{
        DIR *dh = opendir(d);
        assert_non_null(dh);
        struct dirent *e;
        while ((e = readdir(dh))) {
                if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                        continue;
                char *p;
                assert_true(asprintf(&p, "%s/%s", d, e->d_name) > 0);
                if (unlink(p) < 0)
                        rmdir(p);
                free(p);
        }
        closedir(dh);
}

static int setup(void **state)
{
        return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
        empty_dir(dir);
        return rmdir(dir);
}

static int each_teardown(void **state)
{
        empty_dir(dir);
        return 0;
}

static struct lp_findings *sample_store(void)
{
        struct lp_findings *s = NULL;
        assert_int_equal(lp_findings_new(16, &s), 0);
        struct lp_finding f = {
                .kind = LP_FINDING_SYSCALL,
                .action = LP_FINDING_DENIED,
                .operation = "ptrace",
                .target = "ptrace(PTRACE_TRACEME)",
                .errno_value = EPERM,
                .count = 3,
                .pid = 4242,
                .exe = "/usr/bin/gdb",
                .rule = "<embedded>/default.profile:12 [Syscalls] DefaultAction=errno:EPERM",
                .fix = "[Syscalls] Allow=ptrace",
                .first_ms = 18,
        };
        assert_int_equal(lp_findings_add(s, &f), 0);
        /* Hostile bytes from the tracee's memory, no errno, no exe. */
        f = (struct lp_finding){
                .kind = LP_FINDING_NETWORK,
                .action = LP_FINDING_AUDITED,
                .operation = "connect",
                .target = "unix \"a\\b\nc\x01\x7f\xff\xc3\xa9\xe2\x82\xac\xed\xa0\x80\"",
                .pid = 7,
                .rule = "[Network] AddressFamilies",
                .fix = "[Network] AddressFamilies=AF_UNIX",
                .first_ms = 20,
        };
        assert_int_equal(lp_findings_add(s, &f), 0);
        f = (struct lp_finding){
                .kind = LP_FINDING_ENVIRONMENT,
                .action = LP_FINDING_WITHHELD,
                .operation = "GITHUB_TOKEN",
                .target = "GITHUB_TOKEN",
                .rule = "/tmp/my dir/t:1.profile:7 [Environment] Withhold=*TOKEN*",
                .fix = "[Environment] Pass=GITHUB_TOKEN",
        };
        assert_int_equal(lp_findings_add(s, &f), 0);
        f = (struct lp_finding){
                .kind = LP_FINDING_SYSCALL,
                .action = LP_FINDING_KILLED,
                .operation = "ptrace",
                .target = "ptrace(PTRACE_ATTACH, 1)",
                .errno_value = 4095, /* no name */
                .rule = "built-in [Syscalls] non-native ABI",
                .fix = "",
        };
        assert_int_equal(lp_findings_add(s, &f), 0);
        return s;
}

static void test_json_string_escaping(void **state)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        lp_json_string(m, "q\"b\\n\n\r\t\b\f\x01\x1f\x7f/\xff\xc0\xaf\xf4\x90\x80\x80\xe2\x82"
                          "\xf0\x9f\x98\x80x");
        fputc(' ', m);
        lp_json_string(m, NULL);
        fputc(' ', m);
        lp_json_string(m, "");
        fclose(m);
        /* 0xc0 0xaf is an overlong '/', f4 90.. is above U+10FFFF, e2 82
         * is a truncated sequence: each of their bytes becomes U+FFFD. */
        assert_string_equal(buf, "\"q\\\"b\\\\n\\n\\r\\t\\b\\f\\u0001\\u001F\\u007F/"
                                 "\\uFFFD\\uFFFD\\uFFFD\\uFFFD\\uFFFD\\uFFFD\\uFFFD"
                                 "\\uFFFD\\uFFFD\xf0\x9f\x98\x80x\" null \"\"");
        free(buf);
}

static void test_report_json_write_keys_and_escaping(void **state)
{
        struct lp_findings *s = sample_store();
        char *path = path_in_dir("findings.jsonl");
        assert_int_equal(lp_report_json_write(s, path), 0);
        char *text = read_all(path);
        assert_non_null(text);
        assert_string_equal(
                text,
                "{\"kind\":\"syscall\",\"operation\":\"ptrace\",\"target\":\"ptrace(PTRACE_TRACEME)"
                "\","
                "\"action\":\"denied\",\"errno\":\"EPERM\",\"count\":3,\"pid\":4242,"
                "\"exe\":\"/usr/bin/gdb\",\"rule\":\"<embedded>/default.profile:12 [Syscalls] "
                "DefaultAction=errno:EPERM\",\"fix\":\"[Syscalls] Allow=ptrace\",\"first_ms\":18,"
                "\"test\":null}\n"
                "{\"kind\":\"network\",\"operation\":\"connect\",\"target\":\"unix "
                "\\\"a\\\\b\\nc\\u0001\\u007F\\uFFFD\xc3\xa9\xe2\x82\xac\\uFFFD\\uFFFD\\uFFFD\\\"\""
                ","
                "\"action\":\"audited\",\"errno\":null,\"count\":1,\"pid\":7,\"exe\":null,"
                "\"rule\":\"[Network] AddressFamilies\","
                "\"fix\":\"[Network] AddressFamilies=AF_UNIX\",\"first_ms\":20,"
                "\"test\":null}\n"
                "{\"kind\":\"environment\",\"operation\":\"GITHUB_TOKEN\",\"target\":\"GITHUB_"
                "TOKEN\","
                "\"action\":\"withheld\",\"errno\":null,\"count\":1,\"pid\":0,\"exe\":null,"
                "\"rule\":\"/tmp/my dir/t:1.profile:7 [Environment] Withhold=*TOKEN*\","
                "\"fix\":\"[Environment] Pass=GITHUB_TOKEN\",\"first_ms\":0,"
                "\"test\":null}\n"
                "{\"kind\":\"syscall\",\"operation\":\"ptrace\",\"target\":\"ptrace(PTRACE_ATTACH, "
                "1)\","
                "\"action\":\"killed\",\"errno\":\"4095\",\"count\":1,\"pid\":0,\"exe\":null,"
                "\"rule\":\"built-in [Syscalls] non-native ABI\",\"fix\":\"\",\"first_ms\":0,"
                "\"test\":null}\n");

        /* A real JSON parser agrees: every line an object with these keys. */
        if (access(PYTHON, X_OK) == 0) {
                char *cmd;
                assert_true(asprintf(&cmd,
                                     PYTHON " -c 'import json,sys\n"
                                            "keys=[\"kind\",\"operation\",\"target\",\"action\","
                                            "\"errno\",\"count\",\"pid\",\"exe\",\"rule\",\"fix\","
                                            "\"first_ms\",\"test\"]\n"
                                            "for l in open(sys.argv[1],encoding=\"utf-8\"):\n"
                                            "  assert list(json.loads(l))==keys, l\n' %s",
                                     path) > 0);
                assert_int_equal(system(cmd), 0);
                free(cmd);
        }
        free(text);
        free(path);
        lp_findings_free(s);
}

static void test_report_json_write_atomic(void **state)
{
        struct lp_findings *s = sample_store();
        char *path = path_in_dir("f.jsonl");
        write_all(path, "old contents\n");
        assert_int_equal(lp_report_json_write(s, path), 0);
        char *names = list_dir(dir);
        assert_string_equal(names, "f.jsonl "); /* no f.jsonl.tmp.XXXXXX left */
        free(names);

        mode_t mask = umask(0);
        umask(mask);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0666 & ~mask);

        /* An empty store gives an empty file, not a missing one. */
        lp_findings_free(s);
        assert_int_equal(lp_findings_new(16, &s), 0);
        assert_int_equal(lp_report_json_write(s, path), 0);
        char *text = read_all(path);
        assert_string_equal(text, "");
        free(text);
        free(path);

        /* --findings /dev/stdout: written in place, the device stays. */
        assert_int_equal(lp_report_json_write(s, "/dev/null"), 0);
        assert_int_equal(stat("/dev/null", &st), 0);
        assert_true(S_ISCHR(st.st_mode));
        lp_findings_free(s);
}

static void test_report_json_write_unwritable(void **state)
{
        struct lp_findings *s = sample_store();
        char *path = path_in_dir("missing-dir/f.jsonl");
        assert_int_equal(lp_report_json_write(s, path), -ENOENT);
        assert_int_equal(access(path, F_OK), -1);

        /* The rename fails after the temporary file was written: it must
         * not be left behind. */
        char *sub = path_in_dir("is-a-dir");
        assert_int_equal(mkdir(sub, 0755), 0);
        char *file = path_in_dir("is-a-dir/x");
        write_all(file, "x");
        int r = lp_report_json_write(s, sub);
        assert_true(r == -EISDIR || r == -ENOTEMPTY || r == -EEXIST);
        char *names = list_dir(dir);
        assert_string_equal(names, "is-a-dir ");
        free(names);
        unlink(file);
        free(file);
        free(sub);
        free(path);
        lp_findings_free(s);
}

static char *text_report(const struct lp_findings *s, bool quiet)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&buf, &size);
        assert_int_equal(lp_report_text(s, m, quiet), 0);
        fclose(m);
        return buf;
}

static void test_report_text_no_findings(void **state)
{
        struct lp_findings *s = NULL;
        assert_int_equal(lp_findings_new(16, &s), 0);
        char *t = text_report(s, true);
        assert_string_equal(t, "");
        free(t);
        t = text_report(s, false);
        assert_string_equal(t, "leastpriv: no findings\n");
        free(t);
        lp_findings_free(s);
}

static void test_report_text_findings(void **state)
{
        struct lp_findings *s = sample_store();
        char *quiet = text_report(s, true);
        char *t = text_report(s, false);
        /* Quiet: no "no findings", and no withheld variable. */
        assert_string_equal(
                quiet,
                "leastpriv: 3 findings (5 occurrences)\n"
                "leastpriv:   denied   syscall ptrace(PTRACE_TRACEME) x3  [/usr/bin/gdb]"
                "  fix: [Syscalls] Allow=ptrace"
                "  (rule: <embedded>/default.profile:12 [Syscalls] DefaultAction=errno:EPERM)\n"
                "leastpriv:   audited  network connect unix \\\"a\\\\b\\x0ac\\x01\\x7f\\xff"
                "\xc3\xa9\xe2\x82\xac\\xed\\xa0\\x80\\\" x1"
                "  fix: [Network] AddressFamilies=AF_UNIX  (rule: [Network] AddressFamilies)\n"
                "leastpriv:   killed   syscall ptrace(PTRACE_ATTACH, 1) x1"
                "  (rule: built-in [Syscalls] non-native ABI)\n");
        assert_string_equal(
                t, "leastpriv: note: withheld from the command: GITHUB_TOKEN"
                   "  ([Environment] Pass=NAME passes one)\n"
                   "leastpriv: 3 findings (5 occurrences)\n"
                   "leastpriv:   denied   syscall ptrace(PTRACE_TRACEME) x3  [/usr/bin/gdb]"
                   "  fix: [Syscalls] Allow=ptrace"
                   "  (rule: <embedded>/default.profile:12 [Syscalls] DefaultAction=errno:EPERM)\n"
                   "leastpriv:   audited  network connect unix \\\"a\\\\b\\x0ac\\x01\\x7f\\xff"
                   "\xc3\xa9\xe2\x82\xac\\xed\\xa0\\x80\\\" x1"
                   "  fix: [Network] AddressFamilies=AF_UNIX  (rule: [Network] AddressFamilies)\n"
                   "leastpriv:   killed   syscall ptrace(PTRACE_ATTACH, 1) x1"
                   "  (rule: built-in [Syscalls] non-native ABI)\n");
        free(t);
        free(quiet);
        lp_findings_free(s);
}

static void test_report_text_folded(void **state)
{
        struct lp_findings *s = NULL;
        assert_int_equal(lp_findings_new(1, &s), 0);
        const char *targets[] = {"a", "b", "c", "b"};
        for (size_t i = 0; i < 4; i++) {
                struct lp_finding f = {.operation = "mount", .target = targets[i], .count = 2};
                assert_int_equal(lp_findings_add(s, &f), 0);
        }
        char *t = text_report(s, true);
        assert_string_equal(t, "leastpriv: 3 findings (8 occurrences)\n"
                               "leastpriv:   denied   syscall mount a x2\n"
                               "leastpriv:   ... and 2 more findings (6 occurrences) not listed:"
                               " too many distinct findings to keep each one\n");
        free(t);
        lp_findings_free(s);
}

static bool have_jsonschema(void)
{
        if (access(PYTHON, X_OK) != 0)
                return false;
        return system(PYTHON " -c 'import jsonschema' 2>/dev/null") == 0;
}

/* The check of the brief, and the project's script: both must agree. */
static bool sarif_valid(const char *path)
{
        char *cmd;
        assert_true(asprintf(&cmd,
                             PYTHON " -c 'import json,jsonschema,sys; jsonschema.validate("
                                    "json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))'"
                                    " %s %s 2>/dev/null",
                             path, SCHEMA) > 0);
        int inline_status = system(cmd);
        free(cmd);
        assert_true(asprintf(&cmd, PYTHON " %s %s %s", VALIDATOR, path, SCHEMA) > 0);
        int script_status = system(cmd);
        free(cmd);
        assert_int_equal(inline_status == 0, script_status == 0);
        return script_status == 0;
}

/* Writes text with the first `from` replaced by `to`. */
static void write_edited(const char *path, const char *text, const char *from, const char *to)
{
        const char *at = strstr(text, from);
        assert_non_null(at);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fwrite(text, 1, (size_t)(at - text), f);
        fputs(to, f);
        fputs(at + strlen(from), f);
        assert_int_equal(fclose(f), 0);
}

static void test_report_sarif_write_valid(void **state)
{
        unsetenv("GITHUB_WORKFLOW_REF");
        struct lp_policy *p = NULL;
        assert_int_equal(lp_policy_load_string("[Syscalls]\nAllow=read\n",
                                               "<embedded>/default.profile", stderr, &p),
                         0);
        struct lp_findings *s = sample_store();
        char *path = path_in_dir("lp.sarif");
        assert_int_equal(lp_report_sarif_write(s, p, path), 0);
        char *names = list_dir(dir);
        assert_string_equal(names, "lp.sarif ");
        free(names);

        char *text = read_all(path);
        assert_non_null(text);
        assert_non_null(strstr(text, "\"version\":\"2.1.0\""));
        assert_non_null(strstr(text, "\"name\":\"leastpriv\",\"version\":\"" LP_VERSION "\""));
        /* Two rules for three kinds x operations: syscall/ptrace is shared. */
        assert_non_null(strstr(text, "{\"id\":\"syscall/ptrace\""));
        assert_non_null(strstr(text, "{\"id\":\"network/connect\""));
        assert_non_null(strstr(text, "{\"id\":\"environment/GITHUB_TOKEN\""));
        assert_non_null(strstr(text, "\"ruleId\":\"syscall/ptrace\",\"ruleIndex\":0,"
                                     "\"level\":\"error\""));
        assert_non_null(strstr(text, "\"ruleId\":\"network/connect\",\"ruleIndex\":1,"
                                     "\"level\":\"warning\""));
        assert_non_null(strstr(text, "\"ruleId\":\"environment/GITHUB_TOKEN\",\"ruleIndex\":2,"
                                     "\"level\":\"note\""));
        /* Locations only inside the repository (here: none, since the
         * embedded profile is no file and GITHUB_WORKFLOW_REF is unset,
         * and /tmp/my dir is outside): never a path that is not there. */
        assert_null(strstr(text, "\"locations\""));
        assert_null(strstr(text, "file:///tmp/my"));
        assert_null(strstr(text, "profiles/default.profile"));
        /* Rules carry what code scanning shows and ranks by. */
        assert_non_null(strstr(text, "\"fullDescription\":{\"text\":"));
        assert_non_null(strstr(text, "#findings\",\"properties\""));
        assert_non_null(strstr(text, "\"security-severity\":\"7.0\""));
        assert_non_null(strstr(text, "\"automationDetails\":{\"id\":\"leastpriv/default/\"}"));

        if (!have_jsonschema()) {
                free(text);
                free(path);
                lp_findings_free(s);
                lp_policy_free(p);
                print_message("skipped: " PYTHON " has no jsonschema module"
                              " (apt-get install python3-jsonschema)\n");
                skip();
        }
        assert_true(sarif_valid(path));

        /* The validator is not a rubber stamp. */
        char *bad = path_in_dir("bad.sarif");
        write_edited(bad, text, "\"level\":\"error\"", "\"level\":\"fatal\"");
        assert_false(sarif_valid(bad));
        write_edited(bad, text, "\"version\":\"2.1.0\",", "");
        assert_false(sarif_valid(bad));
        write_edited(bad, text, "\"message\":{\"text\":", "\"messages\":{\"text\":");
        assert_false(sarif_valid(bad));

        free(bad);
        free(text);
        free(path);
        lp_findings_free(s);
        lp_policy_free(p);
}

static void test_report_sarif_write_empty_and_folded(void **state)
{
        struct lp_findings *s = NULL;
        assert_int_equal(lp_findings_new(0, &s), 0);
        char *path = path_in_dir("empty.sarif");
        /* No policy: results have no location rather than a made-up one. */
        assert_int_equal(lp_report_sarif_write(s, NULL, path), 0);
        char *text = read_all(path);
        assert_non_null(strstr(text, "\"results\":[\n  ]"));
        free(text);
        if (have_jsonschema())
                assert_true(sarif_valid(path));
        lp_findings_free(s);

        assert_int_equal(lp_findings_new(1, &s), 0);
        struct lp_finding f = {.operation = "mount", .target = "a", .rule = "x.profile:3"};
        assert_int_equal(lp_findings_add(s, &f), 0);
        f.target = "b";
        assert_int_equal(lp_findings_add(s, &f), 0);
        /* Run in a repository (a .git at its top) that holds x.profile: the
         * location is that file, relative to the repository's root. */
        char *git = path_in_dir(".git"), *profile = path_in_dir("x.profile");
        char *old = get_current_dir_name();
        assert_int_equal(mkdir(git, 0755), 0);
        FILE *pf = fopen(profile, "w");
        assert_non_null(pf);
        fclose(pf);
        assert_int_equal(chdir(dir), 0);
        assert_int_equal(lp_report_sarif_write(s, NULL, path), 0);
        assert_int_equal(chdir(old), 0);
        assert_int_equal(rmdir(git), 0);
        assert_int_equal(unlink(profile), 0);
        free(git);
        free(profile);
        free(old);
        text = read_all(path);
        assert_non_null(strstr(text, "\"properties\":{\"foldedOccurrences\":1,"
                                     "\"foldedDistinctFindings\":1}"));
        assert_non_null(strstr(text, "{\"uri\":\"x.profile\",\"uriBaseId\":\"%SRCROOT%\"},"
                                     "\"region\":{\"startLine\":3}"));
        free(text);
        if (have_jsonschema())
                assert_true(sarif_valid(path));
        assert_int_equal(lp_report_sarif_write(s, NULL, "/nonexistent-dir/x.sarif"), -ENOENT);
        free(path);
        lp_findings_free(s);
}

/* --append: each run's lines after the others', whole, with its test. */
static void test_report_json_append_keeps_every_run(void **state)
{
        struct lp_findings *s = sample_store();
        char *path = path_in_dir("f.jsonl");
        assert_int_equal(lp_report_json_append(s, path), 0); /* created */
        assert_int_equal(lp_findings_set_test_name(s, "t\"2"), 0);
        assert_int_equal(lp_report_json_append(s, path), 0);
        char *text = read_all(path);
        size_t lines = 0, named = 0, unnamed = 0;
        for (const char *c = text; (c = strchr(c, '\n')); c++)
                lines++;
        for (const char *c = text; (c = strstr(c, ",\"test\":\"t\\\"2\"}\n")); c++)
                named++;
        for (const char *c = text; (c = strstr(c, ",\"test\":null}\n")); c++)
                unnamed++;
        assert_int_equal(lines, 8);
        assert_int_equal(named, 4);
        assert_int_equal(unnamed, 4);
        assert_non_null(strstr(text, "\"count\":3,"));
        char *names = list_dir(dir);
        assert_string_equal(names, "f.jsonl "); /* no temporary or lock file */
        free(names);
        assert_int_equal(lp_report_json_append(s, "/dev/null"), 0);
        assert_int_equal(lp_report_json_append(s, "/nonexistent-dir/f.jsonl"), -ENOENT);
        free(text);
        free(path);
        lp_findings_free(s);
}

static long long count_sum(const char *text, const char *test)
{
        long long sum = 0;
        for (const char *c = text; (c = strstr(c, "\"properties\":{\"count\":")); c++)
                sum += atoll(c + strlen("\"properties\":{\"count\":"));
        return test && !strstr(text, test) ? -1 : sum;
}

/* --append --sarif: one log, counts summed, test names listed, a file
 * that is no leastpriv log refused and left as it was. */
static void test_report_sarif_append_merges(void **state)
{
        unsetenv("GITHUB_WORKFLOW_REF");
        struct lp_findings *s = sample_store();
        char *path = path_in_dir("lp.sarif"), *why = NULL;
        const char *reason = NULL;
        assert_int_equal(lp_findings_set_test_name(s, "b"), 0);
        assert_int_equal(lp_report_sarif_append(s, NULL, path, &reason), 0); /* created */
        assert_int_equal(lp_findings_set_test_name(s, "a"), 0);
        assert_int_equal(lp_report_sarif_append(s, NULL, path, &reason), 0);
        assert_int_equal(lp_report_sarif_append(s, NULL, path, &reason), 0);
        char *text = read_all(path);
        /* 3 + 1 + 1 + 1 occurrences in the store, three times. */
        assert_int_equal(count_sum(text, NULL), 18);
        assert_non_null(strstr(text, "\"count\":9,"));
        assert_non_null(strstr(text, "denied (EPERM) 9 times by /usr/bin/gdb"));
        assert_non_null(strstr(text, "\"test\":[\"a\",\"b\"]"));
        char *names = list_dir(dir);
        assert_string_equal(names, "lp.sarif "); /* no temporary or lock file */
        free(names);
        if (have_jsonschema())
                assert_true(sarif_valid(path));

        char *other = path_in_dir("other.sarif");
        write_all(other, "{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":"
                         "{\"name\":\"CodeQL\",\"rules\":[]}},\"results\":[]}]}\n");
        why = read_all(other);
        assert_int_equal(lp_report_sarif_append(s, NULL, other, &reason), -EBADMSG);
        assert_string_equal(reason, "its tool is not leastpriv");
        char *after = read_all(other);
        assert_string_equal(after, why);
        free(after);
        free(why);
        free(other);
        free(text);
        free(path);
        lp_findings_free(s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_teardown(test_json_string_escaping, each_teardown),
                cmocka_unit_test_teardown(test_report_json_write_keys_and_escaping, each_teardown),
                cmocka_unit_test_teardown(test_report_json_write_atomic, each_teardown),
                cmocka_unit_test_teardown(test_report_json_write_unwritable, each_teardown),
                cmocka_unit_test_teardown(test_report_text_no_findings, each_teardown),
                cmocka_unit_test_teardown(test_report_text_findings, each_teardown),
                cmocka_unit_test_teardown(test_report_text_folded, each_teardown),
                cmocka_unit_test_teardown(test_report_sarif_write_valid, each_teardown),
                cmocka_unit_test_teardown(test_report_sarif_write_empty_and_folded, each_teardown),
                cmocka_unit_test_teardown(test_report_json_append_keeps_every_run, each_teardown),
                cmocka_unit_test_teardown(test_report_sarif_append_merges, each_teardown),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
