/* Command-line parsing, separate from the engine so it can be unit-tested.
 * Only main.c includes this header. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum lp_command {
        LP_CMD_HELP,
        LP_CMD_VERSION,
        LP_CMD_RUN,
        LP_CMD_LEARN,
        LP_CMD_DIFF,
        LP_CMD_CHECK,
        LP_CMD_SHOW,
        LP_CMD_SYSCALLS,
        LP_CMD_EXPORT,
        LP_CMD_IMPORT,
};

struct lp_cli {
        enum lp_command command;
        const char *help_topic; /* COMMAND --help: the command, else NULL */
        const char *profile;    /* -p, else LEASTPRIV_PROFILE, else "default" */
        bool profile_given;     /* -p was given */
        bool audit;
        const char *findings; /* --findings FILE */
        const char *sarif;    /* --sarif FILE */
        bool fail_on_findings;
        bool append;           /* --append: add to the report files */
        const char *test_name; /* --test-name NAME, else NULL */
        unsigned timeout;      /* --timeout SECONDS; 0 when absent */
        int pass_fds[64];      /* --pass-fd N, each; at most 64 */
        size_t n_pass_fds;
        bool no_cache;       /* --no-cache: no compiled filter kept or used */
        bool observe_writes; /* --observe-writes: the filesystem observer */
        int verbosity;       /* -q: -1, -v: +1 each */
        const char *output;  /* learn, export, import -o */
        const char *format;  /* export, import --format */
        bool merge;          /* learn --merge */
        bool exhaustive;     /* learn --exhaustive */
        bool score;          /* check --score */
        unsigned max_score;  /* check --max-score, in tenths (0..100) */
        bool max_score_given;
        char **args; /* run/learn: the command; others: operands */
        int n_args;
};

/* Parses argv (not modified; cli->args points into it). On a usage error
 * prints a message to `err` and returns -EINVAL. `env_profile` is
 * LEASTPRIV_PROFILE's value or NULL. */
int lp_cli_parse(int argc, char **argv, const char *env_profile, FILE *err, struct lp_cli *cli);

/* Usage text of one command, or of all when command is LP_CMD_HELP. */
void lp_cli_usage(FILE *out, enum lp_command command);
