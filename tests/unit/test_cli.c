/* Command-line parsing (cli.h): each option combination to the exact
 * struct lp_cli it gives, and each usage error to -EINVAL with its
 * message. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

#define MAX_WORDS 160

struct parsed {
        int r;
        struct lp_cli cli;
        char *errors;
        char *words[MAX_WORDS]; /* what lp_cli_parse got, NULL-terminated */
        int n_words;
};

/* Parses "leastpriv" + the NULL-terminated words, with LEASTPRIV_PROFILE
 * set to env_profile (NULL: unset). One parse at a time: cli.args points
 * into the words kept here until the next. */
static struct parsed *parse_env(const char *env_profile, const char *const *words)
{
        static struct parsed p;
        size_t len = 0;
        p = (struct parsed){0};
        p.words[p.n_words++] = "leastpriv";
        for (size_t i = 0; words[i]; i++) {
                assert_true(p.n_words < MAX_WORDS - 1);
                p.words[p.n_words++] = (char *)words[i];
        }
        FILE *err = open_memstream(&p.errors, &len);
        assert_non_null(err);
        p.r = lp_cli_parse(p.n_words, p.words, env_profile, err, &p.cli);
        fclose(err);
        return &p;
}

#define PARSE(...) parse_env(NULL, (const char *const[]){__VA_ARGS__, NULL})
#define PARSE_ENV(env, ...) parse_env(env, (const char *const[]){__VA_ARGS__, NULL})

static void done(struct parsed *p)
{
        free(p->errors);
        p->errors = NULL;
}

/* A usage error: -EINVAL and exactly this message, then the help of the
 * command it was given to ("leastpriv --help" before one is known). */
static void assert_usage_error(struct parsed *p, const char *message)
{
        char expected[512];
        bool known = p->cli.command != LP_CMD_HELP;
        snprintf(expected, sizeof(expected), "leastpriv: %s\nTry 'leastpriv %s%s--help'.\n",
                 message, known ? p->words[1] : "", known ? " " : "");
        assert_int_equal(p->r, -EINVAL);
        assert_string_equal(p->errors, expected);
        done(p);
}

static void assert_args(const struct lp_cli *cli, const char *const *want)
{
        int n = 0;
        while (want[n])
                n++;
        assert_int_equal(cli->n_args, n);
        for (int i = 0; i < n; i++)
                assert_string_equal(cli->args[i], want[i]);
}

#define ASSERT_ARGS(cli, ...) assert_args(cli, (const char *const[]){__VA_ARGS__, NULL})

static void test_lp_cli_parse_run_every_option(void **state)
{
        struct parsed *p = PARSE("run", "-p", "strict", "--audit", "--findings", "f.jsonl",
                                 "--sarif", "f.sarif", "--fail-on-findings", "--timeout", "30",
                                 "--pass-fd", "3", "--pass-fd", "9", "--no-cache", "-q", "-q", "-v",
                                 "--", "make", "-j4", "check");
        assert_int_equal(p->r, 0);
        assert_string_equal(p->errors, "");
        const struct lp_cli *c = &p->cli;
        assert_int_equal(c->command, LP_CMD_RUN);
        assert_null(c->help_topic);
        assert_string_equal(c->profile, "strict");
        assert_true(c->profile_given);
        assert_true(c->audit);
        assert_string_equal(c->findings, "f.jsonl");
        assert_string_equal(c->sarif, "f.sarif");
        assert_true(c->fail_on_findings);
        assert_int_equal(c->timeout, 30);
        assert_int_equal(c->n_pass_fds, 2);
        assert_int_equal(c->pass_fds[0], 3);
        assert_int_equal(c->pass_fds[1], 9);
        assert_int_equal(c->verbosity, -1);
        assert_null(c->output);
        assert_false(c->merge);
        assert_false(c->exhaustive);
        ASSERT_ARGS(c, "make", "-j4", "check");
        /* The command points into argv, which is left as it was. */
        assert_true(c->no_cache);
        assert_ptr_equal(c->args, &p->words[21]);
        assert_string_equal(p->words[2], "-p");
        done(p);
}

static void test_lp_cli_parse_run_defaults(void **state)
{
        struct parsed *p = PARSE("run", "true");
        assert_int_equal(p->r, 0);
        const struct lp_cli *c = &p->cli;
        assert_int_equal(c->command, LP_CMD_RUN);
        assert_string_equal(c->profile, "default");
        assert_false(c->profile_given);
        assert_false(c->audit);
        assert_null(c->findings);
        assert_null(c->sarif);
        assert_false(c->fail_on_findings);
        assert_int_equal(c->timeout, 0);
        assert_int_equal(c->n_pass_fds, 0);
        assert_int_equal(c->verbosity, 0);
        ASSERT_ARGS(c, "true");
        done(p);
}

/* Options after the command's name are the command's own, even without
 * "--": parsing stops at the first operand. */
static void test_lp_cli_parse_stops_at_the_command(void **state)
{
        struct parsed *p = PARSE("run", "-v", "sh", "-c", "exit 3", "--audit", "-p", "x");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.verbosity, 1);
        assert_false(p->cli.audit);
        assert_false(p->cli.profile_given);
        ASSERT_ARGS(&p->cli, "sh", "-c", "exit 3", "--audit", "-p", "x");
        done(p);
}

static void test_lp_cli_parse_profile_from_environment(void **state)
{
        struct parsed *p = PARSE_ENV("from-env", "run", "true");
        assert_int_equal(p->r, 0);
        assert_string_equal(p->cli.profile, "from-env");
        assert_false(p->cli.profile_given);
        done(p);
        p = PARSE_ENV("from-env", "run", "--profile", "given", "true");
        assert_int_equal(p->r, 0);
        assert_string_equal(p->cli.profile, "given");
        assert_true(p->cli.profile_given);
        done(p);
        /* LEASTPRIV_PROFILE= (empty) is no profile name. */
        p = PARSE_ENV("", "run", "true");
        assert_int_equal(p->r, 0);
        assert_string_equal(p->cli.profile, "default");
        done(p);
}

static void test_lp_cli_parse_learn(void **state)
{
        struct parsed *p = PARSE("learn", "-o", "out.profile", "--merge", "--exhaustive", "-p",
                                 "base", "--findings", "l.jsonl", "--timeout", "9", "--", "ctest");
        assert_int_equal(p->r, 0);
        const struct lp_cli *c = &p->cli;
        assert_int_equal(c->command, LP_CMD_LEARN);
        assert_string_equal(c->output, "out.profile");
        assert_true(c->merge);
        assert_true(c->exhaustive);
        assert_string_equal(c->profile, "base");
        assert_string_equal(c->findings, "l.jsonl");
        assert_int_equal(c->timeout, 9);
        assert_false(c->audit);
        ASSERT_ARGS(c, "ctest");
        done(p);
        p = PARSE("learn", "--output=o.profile", "true");
        assert_int_equal(p->r, 0);
        assert_string_equal(p->cli.output, "o.profile");
        done(p);
}

static void test_lp_cli_parse_run_and_learn_keep_their_options(void **state)
{
        assert_usage_error(PARSE("learn", "true"), "learn needs -o OUT.profile");
        assert_usage_error(
                PARSE("learn", "-o", "x", "--audit", "true"),
                "--audit, --sarif, --fail-on-findings and --observe-writes belong to run "
                "(learn blocks "
                "nothing already)");
        assert_usage_error(
                PARSE("learn", "-o", "x", "--sarif", "s", "true"),
                "--audit, --sarif, --fail-on-findings and --observe-writes belong to run "
                "(learn blocks "
                "nothing already)");
        assert_usage_error(
                PARSE("learn", "-o", "x", "--fail-on-findings", "true"),
                "--audit, --sarif, --fail-on-findings and --observe-writes belong to run "
                "(learn blocks "
                "nothing already)");
        assert_usage_error(PARSE("run", "-o", "x", "true"),
                           "-o, --merge and --exhaustive belong to learn");
        assert_usage_error(PARSE("run", "--merge", "true"),
                           "-o, --merge and --exhaustive belong to learn");
        assert_usage_error(PARSE("run", "--exhaustive", "true"),
                           "-o, --merge and --exhaustive belong to learn");
        assert_usage_error(
                PARSE("run", "--audit"),
                "no COMMAND given; put it after '--' (leastpriv run [OPTIONS] -- COMMAND)");
        assert_usage_error(
                PARSE("run", "--"),
                "no COMMAND given; put it after '--' (leastpriv run [OPTIONS] -- COMMAND)");
        assert_usage_error(
                PARSE("learn", "-o", "x"),
                "no COMMAND given; put it after '--' (leastpriv learn [OPTIONS] -- COMMAND)");
}

static void test_lp_cli_parse_timeout(void **state)
{
        /* Whole seconds above 0, small enough to be counted in ms. */
        struct parsed *p = PARSE("run", "--timeout", "4294967", "true");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.timeout, 4294967);
        done(p);
        p = PARSE("run", "--timeout=1", "true");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.timeout, 1);
        done(p);
        static const char *const bad[] = {"0",  "-1",  "",        "1.5",
                                          "5s", "abc", "4294968", "99999999999999999999"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char message[128];
                snprintf(message, sizeof(message), "--timeout needs whole seconds > 0, not '%s'",
                         bad[i]);
                assert_usage_error(PARSE("run", "--timeout", bad[i], "true"), message);
        }
}

/* run --pass-fd 100 --pass-fd 101 ... (n of them) true */
static struct parsed *parse_pass_fds(int n)
{
        static char numbers[65][16];
        const char *words[2 * 65 + 3];
        size_t k = 0;
        assert_true(n <= 65);
        words[k++] = "run";
        for (int i = 0; i < n; i++) {
                snprintf(numbers[i], sizeof(numbers[i]), "%d", 100 + i);
                words[k++] = "--pass-fd";
                words[k++] = numbers[i];
        }
        words[k++] = "true";
        words[k] = NULL;
        return parse_env(NULL, words);
}

static void test_lp_cli_parse_pass_fd(void **state)
{
        static const char *const bad[] = {"0", "2", "-3", "", "3x", "fd", "2147483648"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char message[128];
                snprintf(message, sizeof(message),
                         "--pass-fd needs a descriptor number above 2, not '%s'", bad[i]);
                assert_usage_error(PARSE("run", "--pass-fd", bad[i], "true"), message);
        }
        /* 64 are kept, in order; a 65th is refused. */
        struct parsed *p = parse_pass_fds(64);
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.n_pass_fds, 64);
        for (int i = 0; i < 64; i++)
                assert_int_equal(p->cli.pass_fds[i], 100 + i);
        ASSERT_ARGS(&p->cli, "true");
        done(p);
        assert_usage_error(parse_pass_fds(65),
                           "--pass-fd may be given at most 64 times; '164' is one too many");
}

static void test_lp_cli_parse_operands(void **state)
{
        struct parsed *p = PARSE("diff", "base", "strict");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.command, LP_CMD_DIFF);
        ASSERT_ARGS(&p->cli, "base", "strict");
        done(p);
        p = PARSE("check", "a", "b", "c");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.command, LP_CMD_CHECK);
        ASSERT_ARGS(&p->cli, "a", "b", "c");
        done(p);
        p = PARSE("show", "default");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.command, LP_CMD_SHOW);
        done(p);
        p = PARSE("syscalls");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.command, LP_CMD_SYSCALLS);
        assert_int_equal(p->cli.n_args, 0);
        done(p);
        p = PARSE("syscalls", "@default");
        assert_int_equal(p->r, 0);
        ASSERT_ARGS(&p->cli, "@default");
        done(p);
        assert_usage_error(PARSE("diff", "base"), "diff needs BASELINE and CANDIDATE");
        assert_usage_error(PARSE("diff", "a", "b", "c"), "diff needs BASELINE and CANDIDATE");
        assert_usage_error(PARSE("check"), "check needs at least one PROFILE");
        assert_usage_error(PARSE("show"), "show needs exactly one PROFILE");
        assert_usage_error(PARSE("show", "a", "b"), "show needs exactly one PROFILE");
        assert_usage_error(PARSE("syscalls", "@a", "@b"), "syscalls takes at most one @GROUP");
}

static void test_lp_cli_parse_export_import(void **state)
{
        struct parsed *p = PARSE("export", "--format", "systemd", "-o", "out.conf", "strict");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.command, LP_CMD_EXPORT);
        assert_string_equal(p->cli.format, "systemd");
        assert_string_equal(p->cli.output, "out.conf");
        ASSERT_ARGS(&p->cli, "strict");
        done(p);
        p = PARSE("import", "--format=oci", "seccomp.json");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.command, LP_CMD_IMPORT);
        assert_null(p->cli.output);
        ASSERT_ARGS(&p->cli, "seccomp.json");
        done(p);
        assert_usage_error(PARSE("export", "default"),
                           "export needs --format oci or --format systemd");
        assert_usage_error(PARSE("import", "x.json"), "import needs --format oci");
        assert_usage_error(PARSE("export", "--format", "xml", "default"),
                           "unknown --format 'xml' (oci or systemd)");
        assert_usage_error(PARSE("import", "--format", "systemd", "x"),
                           "unknown --format 'systemd' (oci)");
        assert_usage_error(PARSE("export", "--format", "oci"), "export needs exactly one PROFILE");
        assert_usage_error(PARSE("import", "--format", "oci", "a", "b"),
                           "import needs exactly one JSON file");
        assert_usage_error(PARSE("export", "-p", "x", "--format", "oci", "default"),
                           "option '-p' belongs to run/learn");
        assert_usage_error(PARSE("export", "--audit", "--format", "oci", "default"),
                           "option '--audit' belongs to run/learn");
        assert_usage_error(PARSE("show", "--format", "oci", "default"),
                           "option '--format' belongs to export/import");
}

static void test_lp_cli_parse_check_score(void **state)
{
        struct parsed *p = PARSE("check", "a", "b");
        assert_int_equal(p->r, 0);
        assert_false(p->cli.score);
        assert_false(p->cli.max_score_given);
        done(p);
        p = PARSE("check", "--score", "a", "b");
        assert_int_equal(p->r, 0);
        assert_true(p->cli.score);
        assert_false(p->cli.max_score_given);
        ASSERT_ARGS(&p->cli, "a", "b");
        done(p);
        /* --max-score implies --score: a gate that fails says why. */
        static const struct {
                const char *text;
                unsigned tenths;
        } scores[] = {{"2.5", 25}, {"0", 0}, {"0.0", 0}, {"10", 100}, {"10.0", 100}, {"7", 70}};
        for (size_t i = 0; i < sizeof(scores) / sizeof(scores[0]); i++) {
                p = PARSE("check", "--max-score", scores[i].text, "a");
                assert_int_equal(p->r, 0);
                assert_true(p->cli.score);
                assert_true(p->cli.max_score_given);
                assert_int_equal(p->cli.max_score, scores[i].tenths);
                ASSERT_ARGS(&p->cli, "a");
                done(p);
        }
        static const char *const bad[] = {"10.1", "11", "-1", "", ".5", "2.", "1.25", "x", "2.5x"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char message[128];
                snprintf(message, sizeof(message),
                         "--max-score needs an exposure from 0.0 to 10.0, not '%s'", bad[i]);
                assert_usage_error(PARSE("check", "--max-score", bad[i], "a"), message);
        }
        assert_usage_error(PARSE("check", "--score"), "check needs at least one PROFILE");
        assert_usage_error(PARSE("run", "--score", "true"), "option '--score' belongs to check");
        assert_usage_error(PARSE("show", "--max-score", "1", "a"),
                           "option '--max-score' belongs to check");
}

static void test_lp_cli_parse_options_of_run_elsewhere(void **state)
{
        /* Long options of run are named as such; its short ones are
         * unknown to the others. */
        assert_usage_error(PARSE("diff", "-p", "x", "a", "b"), "option '-p' belongs to run/learn");
        assert_usage_error(PARSE("diff", "--profile", "x", "a", "b"),
                           "option '--profile' belongs to run/learn");
        assert_usage_error(PARSE("check", "--audit", "a"), "option '--audit' belongs to run/learn");
        assert_usage_error(PARSE("show", "--quiet", "a"), "option '--quiet' belongs to run/learn");
        assert_usage_error(PARSE("syscalls", "-v"), "option '-v' belongs to run/learn");
}

static void test_lp_cli_parse_help_and_version(void **state)
{
        static const char *const help[] = {"--help", "-h", "help"};
        for (size_t i = 0; i < 3; i++) {
                struct parsed *p = PARSE(help[i]);
                assert_int_equal(p->r, 0);
                assert_int_equal(p->cli.command, LP_CMD_HELP);
                assert_null(p->cli.help_topic);
                done(p);
        }
        struct parsed *p = PARSE("--version");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.command, LP_CMD_VERSION);
        done(p);
        /* COMMAND --help: the command's help, whatever else is missing. */
        p = PARSE("learn", "--help");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.command, LP_CMD_LEARN);
        assert_non_null(p->cli.help_topic);
        assert_string_equal(p->errors, "");
        done(p);
        p = PARSE("diff", "-h");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.command, LP_CMD_DIFF);
        assert_non_null(p->cli.help_topic);
        done(p);
}

static void test_lp_cli_parse_usage_errors(void **state)
{
        char *only[] = {"leastpriv", NULL};
        struct parsed bare = {0};
        size_t len = 0;
        FILE *err = open_memstream(&bare.errors, &len);
        bare.r = lp_cli_parse(1, only, NULL, err, &bare.cli);
        fclose(err);
        assert_usage_error(&bare, "a command is needed");
        assert_usage_error(PARSE("frobnicate"), "unknown command 'frobnicate'");
        assert_usage_error(PARSE("Run", "true"), "unknown command 'Run'; did you mean 'run'?");
        assert_usage_error(PARSE("run", "--no-such-option", "true"),
                           "unknown option '--no-such-option'");
        assert_usage_error(PARSE("run", "-x", "true"), "unknown option '-x'");
        /* The option at fault, not the word before its cluster. */
        assert_usage_error(PARSE("run", "-xq", "true"), "unknown option '-x'");
        assert_usage_error(PARSE("run", "-qx", "true"), "unknown option '-x'");
        assert_usage_error(PARSE("run", "-vp"), "option '-p' needs a value");
        assert_usage_error(PARSE("diff", "-qv", "a", "b"), "option '-q' belongs to run/learn");
        assert_usage_error(PARSE("run", "--timeout"), "option '--timeout' needs a value");
        assert_usage_error(PARSE("run", "-p"), "option '-p' needs a value");
        assert_usage_error(PARSE("run", "--audit=yes", "true"),
                           "option '--audit=yes' takes no value; drop the '=...'");
}

/* One parse leaves nothing behind for the next (getopt keeps its place
 * in a cluster of short options between calls). */
static void test_lp_cli_parse_twice(void **state)
{
        assert_usage_error(PARSE("run", "-xq", "true"), "unknown option '-x'");
        struct parsed *p = PARSE("run", "true");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.verbosity, 0);
        ASSERT_ARGS(&p->cli, "true");
        done(p);
        p = PARSE("run", "-qv", "-q", "true");
        assert_int_equal(p->r, 0);
        assert_int_equal(p->cli.verbosity, -1);
        done(p);
}

static void test_lp_cli_usage(void **state)
{
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        lp_cli_usage(out, LP_CMD_DIFF);
        fclose(out);
        assert_string_equal(text,
                            "leastpriv diff BASELINE CANDIDATE\n"
                            "  Print each privilege CANDIDATE grants beyond BASELINE (+) or drops "
                            "(-).\n"
                            "  Exit 0: nothing added; 1: privileges added; 2: error.\n"
                            "  Example: leastpriv diff main.profile profiles/itest.profile\n");
        free(text);
        out = open_memstream(&text, &len);
        lp_cli_usage(out, LP_CMD_HELP);
        fclose(out);
        /* Every command's usage, then the top-level forms. */
        static const char *const heads[] = {"leastpriv run [OPTIONS]", "leastpriv learn -o",
                                            "leastpriv diff",          "leastpriv check",
                                            "leastpriv show",          "leastpriv syscalls"};
        const char *at = text;
        for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
                const char *hit = strstr(at, heads[i]);
                if (!hit)
                        fail_msg("'%s' missing (or out of order) in: %s", heads[i], text);
                at = hit;
        }
        assert_non_null(strstr(at, "leastpriv --version | --help | COMMAND --help\n"));
        free(text);
        /* Each command's --help ends with one example of that command. */
        static const enum lp_command each[] = {LP_CMD_RUN,    LP_CMD_LEARN, LP_CMD_DIFF,
                                               LP_CMD_CHECK,  LP_CMD_SHOW,  LP_CMD_SYSCALLS,
                                               LP_CMD_EXPORT, LP_CMD_IMPORT};
        static const char *const names[] = {"run",  "learn",    "diff",   "check",
                                            "show", "syscalls", "export", "import"};
        for (size_t i = 0; i < sizeof(each) / sizeof(each[0]); i++) {
                out = open_memstream(&text, &len);
                lp_cli_usage(out, each[i]);
                fclose(out);
                char example[64];
                snprintf(example, sizeof(example), "\n  Example: leastpriv %s ", names[i]);
                const char *hit = strstr(text, example);
                assert_non_null(hit);
                assert_null(strstr(hit + strlen(example), "Example:"));
                assert_ptr_equal(strchr(hit + 1, '\n'), text + len - 1); /* the last line */
                free(text);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lp_cli_parse_run_every_option),
                cmocka_unit_test(test_lp_cli_parse_run_defaults),
                cmocka_unit_test(test_lp_cli_parse_stops_at_the_command),
                cmocka_unit_test(test_lp_cli_parse_profile_from_environment),
                cmocka_unit_test(test_lp_cli_parse_learn),
                cmocka_unit_test(test_lp_cli_parse_run_and_learn_keep_their_options),
                cmocka_unit_test(test_lp_cli_parse_timeout),
                cmocka_unit_test(test_lp_cli_parse_pass_fd),
                cmocka_unit_test(test_lp_cli_parse_operands),
                cmocka_unit_test(test_lp_cli_parse_check_score),
                cmocka_unit_test(test_lp_cli_parse_export_import),
                cmocka_unit_test(test_lp_cli_parse_options_of_run_elsewhere),
                cmocka_unit_test(test_lp_cli_parse_help_and_version),
                cmocka_unit_test(test_lp_cli_parse_usage_errors),
                cmocka_unit_test(test_lp_cli_parse_twice),
                cmocka_unit_test(test_lp_cli_usage),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
