/* argv -> struct lp_cli. No side effects but messages on `err`. */
#include "cli.h"

#include "base/suggest.h"
#include "base/util.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const struct {
        const char *name;
        enum lp_command command;
        const char *usage;
} commands[] = {
        {"run", LP_CMD_RUN,
         "leastpriv run [OPTIONS] -- COMMAND [ARG...]\n"
         "  Run COMMAND with only the rights its profile grants; report findings.\n"
         "  -p, --profile NAME|PATH  profile (default: $LEASTPRIV_PROFILE, else 'default')\n"
         "      --audit              block nothing; report what enforcement would deny\n"
         "      --findings FILE      write findings as JSON Lines\n"
         "      --sarif FILE         write findings as SARIF 2.1.0\n"
         "      --append             add to the --findings and --sarif FILEs (file lock)\n"
         "      --test-name NAME     the test this run is, recorded with each finding\n"
         "                           (default: $LEASTPRIV_TEST_NAME)\n"
         "      --fail-on-findings   exit 1 when COMMAND exits 0 and there were findings\n"
         "      --timeout SECONDS    kill the whole process tree after SECONDS (exit 124)\n"
         "      --pass-fd N          keep inherited descriptor N (all others above 2 are "
         "closed)\n"
         "      --no-cache           compile the seccomp filter anew; keep no copy\n"
         "      --observe-writes     count refused writes in the kernel (root): writes that\n"
         "                           succeed never wait for the supervisor (see the README)\n"
         "  -q, --quiet              print the summary only when there are findings\n"
         "  -v, --verbose            say what is being set up\n"
         "  Example: leastpriv run --findings lp.jsonl --fail-on-findings -- make check\n"},
        {"learn", LP_CMD_LEARN,
         "leastpriv learn -o OUT.profile [--merge] [-p BASE] [OPTIONS] -- COMMAND [ARG...]\n"
         "  Run COMMAND blocking nothing and write the smallest profile it needs.\n"
         "  -o, --output FILE        the learned profile\n"
         "  -p, --profile NAME|PATH  the profile to start from, Include=d (default: base)\n"
         "      --merge              add to FILE instead of replacing it (file lock)\n"
         "      --exhaustive         observe the learning floor too (slower, minimal)\n"
         "      --findings FILE      also write what was observed as JSON Lines\n"
         "      --append             add to the --findings FILE (file lock)\n"
         "      --test-name NAME     the test this run is (default: $LEASTPRIV_TEST_NAME)\n"
         "      --timeout SECONDS    kill the whole process tree after SECONDS (exit 124)\n"
         "      --no-cache           compile the seccomp filters anew; keep no copy\n"
         "  Example: leastpriv learn -o profiles/itest.profile -- ./itest\n"},
        {"diff", LP_CMD_DIFF,
         "leastpriv diff BASELINE CANDIDATE\n"
         "  Print each privilege CANDIDATE grants beyond BASELINE (+) or drops (-).\n"
         "  Exit 0: nothing added; 1: privileges added; 2: error.\n"
         "  Example: leastpriv diff main.profile profiles/itest.profile\n"},
        {"check", LP_CMD_CHECK,
         "leastpriv check [--score] [--max-score N] PROFILE...\n"
         "  Validate profiles. Exit 0 when valid, 2 with FILE:LINE: messages.\n"
         "      --score              also print each profile's exposure, 0.0-10.0, the\n"
         "                           checks behind it and the lines that count most\n"
         "      --max-score N        exit 1 when an exposure is above N (implies --score)\n"
         "  Example: leastpriv check --max-score 2.5 profiles/ci.profile\n"},
        {"show", LP_CMD_SHOW,
         "leastpriv show PROFILE\n"
         "  Print the resolved policy as a profile, includes expanded, each line\n"
         "  annotated with the FILE:LINE it came from.\n"
         "  Example: leastpriv show default\n"},
        {"syscalls", LP_CMD_SYSCALLS,
         "leastpriv syscalls [@GROUP]\n"
         "  List the syscall groups, or the members of one on this architecture.\n"
         "  Example: leastpriv syscalls @file-system\n"},
        {"export", LP_CMD_EXPORT,
         "leastpriv export --format oci|systemd [-o FILE] PROFILE\n"
         "  Write PROFILE as an OCI/Docker seccomp profile (JSON) or as systemd\n"
         "  service directives.\n"
         "      --format FORMAT      oci or systemd: the format to write\n"
         "  -o, --output FILE        write FILE (whole or not at all), not stdout\n"
         "  Example: leastpriv export --format oci -o seccomp.json default\n"},
        {"import", LP_CMD_IMPORT,
         "leastpriv import --format oci [-o FILE] JSON\n"
         "  Read an OCI/Docker seccomp profile into a profile that includes base.\n"
         "  Exit 0 when read, 2 with FILE:LINE: messages.\n"
         "      --format oci         the format to read\n"
         "  -o, --output FILE        write FILE (whole or not at all), not stdout\n"
         "  Example: leastpriv import --format oci -o ci.profile "
         "/usr/share/containers/seccomp.json\n"},
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

void lp_cli_usage(FILE *out, enum lp_command command)
{
        if (command == LP_CMD_HELP || command == LP_CMD_VERSION) {
                fputs("leastpriv: run test commands with least privilege, and report every\n"
                      "operation they tried beyond it.\n\n",
                      out);
                for (size_t i = 0; i < N_COMMANDS; i++)
                        fprintf(out, "%s\n", commands[i].usage);
                fputs("leastpriv --version | --help | COMMAND --help\n", out);
                return;
        }
        for (size_t i = 0; i < N_COMMANDS; i++)
                if (commands[i].command == command)
                        fputs(commands[i].usage, out);
}

static const char *command_name(enum lp_command command)
{
        for (size_t i = 0; i < N_COMMANDS; i++)
                if (commands[i].command == command)
                        return commands[i].name;
        return NULL;
}

/* "leastpriv: MESSAGE", then the help that lists what is allowed: the
 * command's own once the command is known. */
static int usage_error(FILE *err, const struct lp_cli *cli, const char *fmt, const char *arg)
        __attribute__((format(printf, 3, 0)));

static int usage_error(FILE *err, const struct lp_cli *cli, const char *fmt, const char *arg)
{
        const char *command = command_name(cli->command);
        fputs("leastpriv: ", err);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        fprintf(err, fmt, arg); /* fmt is always a literal of this file */
#pragma GCC diagnostic pop
        fprintf(err, "\nTry 'leastpriv %s%s--help'.\n", command ? command : "", command ? " " : "");
        return -EINVAL;
}

static int parse_seconds(const char *s, unsigned *ret)
{
        char *end = NULL;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || !*s || *end || s[0] == '-' || v == 0 || v > UINT_MAX / 1000)
                return -EINVAL;
        *ret = (unsigned)v;
        return 0;
}

/* --max-score N: an exposure 0.0-10.0 with at most one decimal, in
 * tenths as lp_policy_score gives it. */
static int parse_max_score(const char *s, FILE *err, struct lp_cli *cli)
{
        unsigned whole = 0, tenth = 0;
        const char *c = s;
        for (; *c >= '0' && *c <= '9' && whole <= 10; c++)
                whole = whole * 10 + (unsigned)(*c - '0');
        bool digits = c > s;
        if (*c == '.' && c[1] >= '0' && c[1] <= '9') {
                tenth = (unsigned)(c[1] - '0');
                c += 2;
        }
        if (!digits || *c || whole * 10 + tenth > 100)
                return usage_error(err, cli,
                                   "--max-score needs an exposure from 0.0 to 10.0, not '%s'", s);
        cli->max_score = whole * 10 + tenth;
        cli->max_score_given = true;
        cli->score = true; /* a gate that says why it failed */
        return 0;
}

/* --pass-fd N: a descriptor above 2 (0-2 are always passed). */
static int parse_pass_fd(const char *s, FILE *err, struct lp_cli *cli)
{
        char *end = NULL;
        errno = 0;
        long v = strtol(s, &end, 10);
        if (errno || !*s || *end || v < 3 || v > INT_MAX)
                return usage_error(err, cli,
                                   "--pass-fd needs a descriptor number above 2, not '%s'", s);
        if (cli->n_pass_fds >= sizeof(cli->pass_fds) / sizeof(cli->pass_fds[0]))
                return usage_error(err, cli,
                                   "--pass-fd may be given at most 64 times; '%s' is one "
                                   "too many",
                                   s);
        cli->pass_fds[cli->n_pass_fds++] = (int)v;
        return 0;
}

enum {
        OPT_AUDIT = 256,
        OPT_FINDINGS,
        OPT_SARIF,
        OPT_FAIL,
        OPT_TIMEOUT,
        OPT_MERGE,
        OPT_EXHAUSTIVE,
        OPT_PASS_FD,
        OPT_NO_CACHE,
        OPT_OBSERVE_WRITES,
        OPT_SCORE,
        OPT_MAX_SCORE,
        OPT_APPEND,
        OPT_TEST_NAME,
        OPT_FORMAT,
};

static const struct option run_options[] = {
        {"profile", required_argument, NULL, 'p'},
        {"audit", no_argument, NULL, OPT_AUDIT},
        {"findings", required_argument, NULL, OPT_FINDINGS},
        {"sarif", required_argument, NULL, OPT_SARIF},
        {"fail-on-findings", no_argument, NULL, OPT_FAIL},
        {"append", no_argument, NULL, OPT_APPEND},
        {"test-name", required_argument, NULL, OPT_TEST_NAME},
        {"timeout", required_argument, NULL, OPT_TIMEOUT},
        {"pass-fd", required_argument, NULL, OPT_PASS_FD},
        {"no-cache", no_argument, NULL, OPT_NO_CACHE},
        {"observe-writes", no_argument, NULL, OPT_OBSERVE_WRITES},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"output", required_argument, NULL, 'o'},
        {"merge", no_argument, NULL, OPT_MERGE},
        {"exhaustive", no_argument, NULL, OPT_EXHAUSTIVE},
        {"score", no_argument, NULL, OPT_SCORE},
        {"max-score", required_argument, NULL, OPT_MAX_SCORE},
        {"format", required_argument, NULL, OPT_FORMAT},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
};

static int parse_option(int c, const char *arg, FILE *err, struct lp_cli *cli)
{
        switch (c) {
        case 'p':
                cli->profile = arg;
                cli->profile_given = true;
                return 0;
        case OPT_AUDIT:
                cli->audit = true;
                return 0;
        case OPT_FINDINGS:
                cli->findings = arg;
                return 0;
        case OPT_SARIF:
                cli->sarif = arg;
                return 0;
        case OPT_FAIL:
                cli->fail_on_findings = true;
                return 0;
        case OPT_APPEND:
                cli->append = true;
                return 0;
        case OPT_TEST_NAME:
                cli->test_name = arg;
                return 0;
        case 'q':
                cli->verbosity--;
                return 0;
        case 'v':
                cli->verbosity++;
                return 0;
        case 'o':
                cli->output = arg;
                return 0;
        case OPT_MERGE:
                cli->merge = true;
                return 0;
        case OPT_EXHAUSTIVE:
                cli->exhaustive = true;
                return 0;
        case 'h':
                cli->help_topic = "yes";
                return 0;
        case OPT_TIMEOUT:
                if (parse_seconds(arg, &cli->timeout) < 0)
                        return usage_error(err, cli, "--timeout needs whole seconds > 0, not '%s'",
                                           arg);
                return 0;
        case OPT_PASS_FD:
                return parse_pass_fd(arg, err, cli);
        case OPT_NO_CACHE:
                cli->no_cache = true;
                return 0;
        case OPT_OBSERVE_WRITES:
                cli->observe_writes = true;
                return 0;
        case OPT_SCORE:
                cli->score = true;
                return 0;
        case OPT_MAX_SCORE:
                return parse_max_score(arg, err, cli);
        case OPT_FORMAT:
                cli->format = arg;
                return 0;
        default:
                return usage_error(err, cli, "%s", "unknown option");
        }
}

/* The option getopt_long has just returned, as written: `word` itself
 * for a long option ("--timeout", "--audit=yes"), "-x" for `c` out of a
 * cluster of short ones ("-qx"). getopt's optind cannot say: it stays on a
 * cluster until its last letter, and moves past a long option's argument. */
static const char *option_text(const char *word, int c, char buf[static 3])
{
        if (strncmp(word, "--", 2) == 0)
                return word;
        buf[0] = '-';
        buf[1] = (char)c;
        buf[2] = '\0';
        return buf;
}

/* The commands an option belongs to, as its error names them; NULL when
 * it belongs to `command`. */
static const char *owner_elsewhere(int c, enum lp_command command)
{
        bool runs = command == LP_CMD_RUN || command == LP_CMD_LEARN;
        bool converts = command == LP_CMD_EXPORT || command == LP_CMD_IMPORT;
        if (c == 'h' || (converts && c == 'o'))
                return NULL;
        if (c == OPT_FORMAT)
                return converts ? NULL : "export/import";
        if (c == OPT_SCORE || c == OPT_MAX_SCORE)
                return command == LP_CMD_CHECK ? NULL : "check";
        return runs ? NULL : "run/learn";
}

/* The long option `text` ("--name" or "--name=value") names, or NULL. */
static const struct option *long_option(const char *text)
{
        size_t n = strcspn(text + 2, "=");
        for (const struct option *o = run_options; o->name; o++)
                if (strlen(o->name) == n && strncmp(o->name, text + 2, n) == 0)
                        return o;
        return NULL;
}

/* The long options `text` abbreviates; getopt_long refuses a prefix of
 * more than one. */
static size_t long_prefix_matches(const char *text)
{
        size_t n = strcspn(text + 2, "="), matches = 0;
        for (const struct option *o = run_options; o->name; o++)
                matches += strncmp(o->name, text + 2, n) == 0;
        return matches;
}

/* A short option of another command: "-p" given to diff. */
static const char *short_owner(int c, enum lp_command command)
{
        if (!c || !strchr("pqvo", c))
                return NULL;
        return c == 'o' ? "learn/export/import" : owner_elsewhere(c, command);
}

/* getopt_long's '?' or ':', said as what is wrong with `text`: a value
 * missing, a value given to a switch, an option of another command, an
 * abbreviation of several, or an unknown option (with the closest one). */
static int option_error(FILE *err, const struct lp_cli *cli, int c, const char *text)
{
        bool is_long = strncmp(text, "--", 2) == 0;
        const struct option *o = is_long ? long_option(text) : NULL;
        const char *owner = is_long ? NULL : short_owner(text[1], cli->command);
        if (c == ':')
                return usage_error(err, cli, "option '%s' needs a value", text);
        if (o && o->has_arg == no_argument && strchr(text, '='))
                return usage_error(err, cli, "option '%s' takes no value; drop the '=...'", text);
        if (owner) {
                char message[128];
                snprintf(message, sizeof(message), "option '%s' belongs to %s", text, owner);
                return usage_error(err, cli, "%s", message);
        }
        if (is_long && !o && long_prefix_matches(text) > 1)
                return usage_error(err, cli, "option '%s' is ambiguous; write it in full", text);
        const char *hint = NULL;
        if (is_long && !o) {
                const char *names[LP_ELEMENTSOF(run_options)] = {NULL};
                for (size_t i = 0; run_options[i].name; i++)
                        names[i] = run_options[i].name;
                char bare[64];
                snprintf(bare, sizeof(bare), "%.*s", (int)strcspn(text + 2, "="), text + 2);
                hint = lp_suggest(bare, names);
        }
        if (!hint)
                return usage_error(err, cli, "unknown option '%s'", text);
        char message[256];
        snprintf(message, sizeof(message), "unknown option '%s'; did you mean '--%s'?", text, hint);
        return usage_error(err, cli, "%s", message);
}

/* Options of every command; `argv` starts at the command word. */
static int parse_options(int argc, char **argv, FILE *err, struct lp_cli *cli)
{
        bool runs = cli->command == LP_CMD_RUN || cli->command == LP_CMD_LEARN;
        /* '+': stop at the first operand, so COMMAND's own options are its own. */
        bool converts = cli->command == LP_CMD_EXPORT || cli->command == LP_CMD_IMPORT;
        /* ':' after '+': a missing value is told apart from an unknown option. */
        const char *shortopts = runs ? "+:p:qvo:h" : converts ? "+:o:h" : "+:h";
        char buf[3];
        opterr = 0;
        /* 0, not 1: getopt starts afresh (glibc, musl), rather than in the
         * middle of a cluster where a previous parse stopped at an error. */
        optind = 0;
        for (;;) {
                const char *word = argv[optind > 0 ? optind : 1];
                int c = getopt_long(argc, argv, shortopts, run_options, NULL);
                if (c == -1)
                        break;
                if (c == '?' || c == ':')
                        return option_error(err, cli, c, option_text(word, optopt, buf));
                const char *owner = owner_elsewhere(c, cli->command);
                if (owner) {
                        char text[512];
                        snprintf(text, sizeof(text), "option '%s' belongs to %s",
                                 option_text(word, c, buf), owner);
                        return usage_error(err, cli, "%s", text);
                }
                int r = parse_option(c, optarg, err, cli);
                if (r < 0)
                        return r;
        }
        cli->args = argv + optind;
        cli->n_args = argc - optind;
        return 0;
}

/* export --format oci|systemd PROFILE; import --format oci JSON. */
static int check_convert(FILE *err, const struct lp_cli *cli)
{
        bool export = cli->command == LP_CMD_EXPORT;
        if (!cli->format)
                return usage_error(err, cli, "%s",
                                   export ? "export needs --format oci or --format systemd"
                                          : "import needs --format oci");
        if (strcmp(cli->format, "oci") != 0 && (!export || strcmp(cli->format, "systemd") != 0))
                return usage_error(err, cli,
                                   export ? "unknown --format '%s' (oci or systemd)"
                                          : "unknown --format '%s' (oci)",
                                   cli->format);
        if (cli->n_args != 1)
                return usage_error(err, cli, "%s",
                                   export ? "export needs exactly one PROFILE"
                                          : "import needs exactly one JSON file");
        return 0;
}

static int check_operands(FILE *err, struct lp_cli *cli)
{
        int n = cli->n_args;
        switch (cli->command) {
        case LP_CMD_RUN:
        case LP_CMD_LEARN:
                if (n == 0)
                        return usage_error(err, cli,
                                           "no COMMAND given; put it after '--' (leastpriv %s "
                                           "[OPTIONS] -- COMMAND)",
                                           command_name(cli->command));
                if (cli->command == LP_CMD_LEARN && !cli->output)
                        return usage_error(err, cli, "%s", "learn needs -o OUT.profile");
                if (cli->command == LP_CMD_RUN && (cli->output || cli->merge || cli->exhaustive))
                        return usage_error(err, cli, "%s",
                                           "-o, --merge and --exhaustive belong to learn");
                if (cli->command == LP_CMD_LEARN &&
                    (cli->audit || cli->sarif || cli->fail_on_findings || cli->observe_writes))
                        return usage_error(err, cli, "%s",
                                           "--audit, --sarif, --fail-on-findings and "
                                           "--observe-writes belong to run (learn blocks nothing "
                                           "already)");
                /* Caught here, not ignored: `--append lp.jsonl` means a path. */
                if (cli->append && !cli->findings && !cli->sarif)
                        return usage_error(err, cli, "%s", "--append needs --findings or --sarif");
                return 0;
        case LP_CMD_DIFF:
                return n == 2 ? 0
                              : usage_error(err, cli, "%s", "diff needs BASELINE and CANDIDATE");
        case LP_CMD_CHECK:
                return n >= 1 ? 0 : usage_error(err, cli, "%s", "check needs at least one PROFILE");
        case LP_CMD_SHOW:
                return n == 1 ? 0 : usage_error(err, cli, "%s", "show needs exactly one PROFILE");
        case LP_CMD_SYSCALLS:
                return n <= 1 ? 0
                              : usage_error(err, cli, "%s", "syscalls takes at most one @GROUP");
        case LP_CMD_EXPORT:
        case LP_CMD_IMPORT:
                return check_convert(err, cli);
        default:
                return 0;
        }
}

/* "unknown command", with the closest command ("Run" is "run"). */
static int unknown_command(FILE *err, const struct lp_cli *cli, const char *word)
{
        const char *names[N_COMMANDS + 1] = {NULL};
        for (size_t i = 0; i < N_COMMANDS; i++)
                names[i] = commands[i].name;
        const char *hint = lp_suggest(word, names);
        if (!hint)
                return usage_error(err, cli, "unknown command '%s'", word);
        char message[256];
        snprintf(message, sizeof(message), "unknown command '%.100s'; did you mean '%s'?", word,
                 hint);
        return usage_error(err, cli, "%s", message);
}

int lp_cli_parse(int argc, char **argv, const char *env_profile, FILE *err, struct lp_cli *cli)
{
        *cli = (struct lp_cli){.command = LP_CMD_HELP};
        cli->profile = env_profile && *env_profile ? env_profile : "default";
        if (argc < 2)
                return usage_error(err, cli, "%s", "a command is needed");
        const char *word = argv[1];
        if (strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0 || strcmp(word, "help") == 0)
                return 0;
        if (strcmp(word, "--version") == 0) {
                cli->command = LP_CMD_VERSION;
                return 0;
        }
        size_t i = 0;
        while (i < N_COMMANDS && strcmp(commands[i].name, word) != 0)
                i++;
        if (i == N_COMMANDS)
                return unknown_command(err, cli, word);
        cli->command = commands[i].command;
        int r = parse_options(argc - 1, argv + 1, err, cli);
        if (r < 0 || cli->help_topic)
                return r;
        return check_operands(err, cli);
}
