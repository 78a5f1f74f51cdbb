/* argv -> command; maps every failure to an exit status
 * (base/exit_status.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/exit_status.h"
#include "base/atomic_file.h"
#include "base/log.h"
#include "base/util.h"
#include "cli.h"
#include "convert/export_oci.h"
#include "convert/export_systemd.h"
#include "convert/import_oci.h"
#include "findings/findings.h"
#include "findings/report_json.h"
#include "findings/report_sarif.h"
#include "findings/report_text.h"
#include "launch/launch.h"
#include "launch/steps.h"
#include "learn/floor.h"
#include "learn/identity.h"
#include "learn/learn.h"
#include "profile/load.h"
#include "profile/policy.h"
#include "profile/syscall_sets.h"
#include "review/diff.h"
#include "review/score.h"
#include "review/show.h"

/* Bound on distinct findings kept in memory; the rest are folded. */
#define MAX_DISTINCT_FINDINGS 4096

/* Where the profile of a run came from, as the user wrote it. */
static const char *profile_named_by(const struct lp_cli *cli, const char *name, char *buf,
                                    size_t size)
{
        const char *env = getenv("LEASTPRIV_PROFILE");
        if (cli->profile_given)
                snprintf(buf, size, "--profile %s", name);
        else if (cli->command == LP_CMD_RUN && env && *env)
                snprintf(buf, size, "LEASTPRIV_PROFILE=%s", name);
        else
                snprintf(buf, size, "the profile '%s'", name);
        return buf;
}

static int load_policy(const struct lp_cli *cli, const char *name, struct lp_policy **ret)
{
        char named[512];
        int r = lp_policy_load(name, stderr, ret);
        if (r == -EINVAL)
                lp_error("%s cannot be used (see above); `leastpriv check %s` says when it can",
                         profile_named_by(cli, name, named, sizeof(named)), name);
        else if (r < 0)
                lp_log_errno(r, "%s: cannot load: %m",
                             profile_named_by(cli, name, named, sizeof(named)));
        return r;
}

/* What to do about a file that cannot be written, by errno (r < 0). */
static const char *write_hint(int r)
{
        switch (-r) {
        case ENOENT:
                return "; create its directory first, or name another path";
        case EACCES:
        case EPERM:
        case EROFS:
                return "; name a path the caller may write";
        case EISDIR:
                return "; name a file, not a directory";
        case ENOSPC:
        case EDQUOT:
                return "; free some space there";
        default:
                return "";
        }
}

/* "OPTION FILE: cannot write WHAT: ERRNO; HINT": the option names the
 * place, the hint what to change. */
static int report_unwritable(int r, const char *option, const char *path, const char *what)
{
        return lp_log_errno(r, "%s %s: cannot write %s: %m%s", option, path, what, write_hint(r));
}

/* --findings FILE, replaced or (--append) added to. */
static int write_findings(const struct lp_cli *cli, const struct lp_findings *store)
{
        int r = cli->append ? lp_report_json_append(store, cli->findings)
                            : lp_report_json_write(store, cli->findings);
        return r < 0 ? report_unwritable(r, "--findings", cli->findings, "the findings") : 0;
}

static int write_sarif(const struct lp_cli *cli, const struct lp_policy *p,
                       const struct lp_findings *store)
{
        const char *why = NULL;
        int r = cli->append ? lp_report_sarif_append(store, p, cli->sarif, &why)
                            : lp_report_sarif_write(store, p, cli->sarif);
        if (r == -EBADMSG && why)
                return lp_log_errno(r,
                                    "--sarif %s --append: cannot add to it: %s; it is left as it "
                                    "was: move it away, or drop --append to replace it",
                                    cli->sarif, why);
        return r < 0 ? report_unwritable(r, "--sarif", cli->sarif, "SARIF") : 0;
}

/* --test-name, else LEASTPRIV_TEST_NAME (the CMake package sets it for
 * each test), else none: recorded with each finding. */
static int set_test_name(const struct lp_cli *cli, struct lp_findings *store)
{
        const char *name = cli->test_name ? cli->test_name : getenv("LEASTPRIV_TEST_NAME");
        return lp_findings_set_test_name(store, name && *name ? name : NULL);
}

static int write_reports(const struct lp_cli *cli, const struct lp_policy *p,
                         const struct lp_findings *store)
{
        int r = 0;
        /* Built in memory, then written at once: stderr is unbuffered,
         * and the summary escapes character by character. */
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        bool built = mem && lp_report_text(store, mem, cli->verbosity < 0) >= 0;
        if (mem && fclose(mem) != 0)
                built = false;
        if (built)
                fwrite(text, 1, len, stderr);
        else /* out of memory: slowly, but every line */
                lp_report_text(store, stderr, cli->verbosity < 0);
        free(text);
        if (cli->findings && (r = write_findings(cli, store)) < 0)
                return r;
        if (cli->sarif && (r = write_sarif(cli, p, store)) < 0)
                return r;
        return 0;
}

/* What --fail-on-findings counts: the command reaching for a privilege
 * the profile does not grant, refused (denied, killed) or, under --audit,
 * let through (audited). Not a withheld variable (the sandbox working; CI
 * hosts always have some *_TOKEN set), not what a dynamic user left
 * behind and was removed (cleaned), not a forwarded host service that
 * refused (forward-failed): those are the run's notes. */
static bool gates(enum lp_finding_action a)
{
        return a == LP_FINDING_DENIED || a == LP_FINDING_KILLED || a == LP_FINDING_AUDITED;
}

static uint64_t gating_findings(const struct lp_findings *store)
{
        uint64_t n = 0;
        for (size_t i = 0; i < lp_findings_size(store); i++)
                n += gates(lp_findings_at(store, i)->action);
        for (size_t i = 0; i < lp_findings_folded_groups(store); i++)
                n += gates(lp_findings_folded_group(store, i, NULL)->action);
        return n;
}

static int cmd_run(const struct lp_cli *cli)
{
        struct lp_policy *p = NULL;
        struct lp_findings *store = NULL;
        uint64_t loading_us = lp_step_clock_us();
        if (load_policy(cli, cli->profile, &p) < 0)
                return LP_EXIT_SETUP_FAILED;
        loading_us = lp_step_clock_us() - loading_us;
        if (lp_findings_new(MAX_DISTINCT_FINDINGS, &store) < 0 || set_test_name(cli, store) < 0) {
                lp_findings_free(store);
                lp_policy_free(p);
                return LP_EXIT_SETUP_FAILED;
        }
        struct lp_run_options o = {
                .argv = cli->args,
                .audit = cli->audit || cli->command == LP_CMD_LEARN,
                .learn = cli->command == LP_CMD_LEARN,
                .timeout_sec = cli->timeout,
                .pass_fds = cli->pass_fds,
                .n_pass_fds = cli->n_pass_fds,
                .no_cache = cli->no_cache,
                .observe_writes = cli->observe_writes,
                .profile_us = loading_us,
        };
        int status = lp_run(p, &o, store);
        /* A findings file that cannot be written is a lost finding: fail
         * loudly rather than let CI read an empty report as a clean run. */
        if (status != LP_EXIT_SETUP_FAILED && write_reports(cli, p, store) < 0)
                status = LP_EXIT_SETUP_FAILED;
        if (status == 0 && cli->fail_on_findings && gating_findings(store) > 0)
                status = LP_EXIT_FINDINGS;
        lp_findings_free(store);
        lp_policy_free(p);
        return status;
}

/* Runs the command blocking nothing (as --audit), observing every syscall
 * beyond BASE and the floor, then writes what it used as a profile. */
static int cmd_learn(const struct lp_cli *cli)
{
        /* Without -p, learning starts from `base`: it grants nothing, and
         * still withholds the CI secrets from the learned profile's runs. */
        const char *base = cli->profile_given ? cli->profile : "base";
        struct lp_policy *p = NULL;
        struct lp_findings *store = NULL;
        if (load_policy(cli, base, &p) < 0)
                return LP_EXIT_SETUP_FAILED;
        /* Unbounded: learning dedupes by operation, and a folded finding
         * would be a grant missing from the profile. */
        if (lp_findings_new(0, &store) < 0 || set_test_name(cli, store) < 0) {
                lp_findings_free(store);
                lp_policy_free(p);
                return LP_EXIT_SETUP_FAILED;
        }
        struct lp_run_options o = {.argv = cli->args,
                                   .audit = true,
                                   .learn = true,
                                   .also_allow = cli->exhaustive ? NULL : lp_learn_floor,
                                   .process_creation = lp_learn_creation,
                                   .timeout_sec = cli->timeout,
                                   .pass_fds = cli->pass_fds,
                                   .n_pass_fds = cli->n_pass_fds,
                                   .no_cache = cli->no_cache};
        int status = lp_run(p, &o, store);
        _cleanup_free_ char *cwd = get_current_dir_name();
        struct lp_learn_request req = {.output = cli->output,
                                       .base = base,
                                       .merge = cli->merge,
                                       .exhaustive = cli->exhaustive,
                                       .cwd = cwd};
        if (status != LP_EXIT_SETUP_FAILED && cli->findings && write_findings(cli, store) < 0)
                status = LP_EXIT_SETUP_FAILED;
        /* A command that never ran, or was cut short by the timeout, used
         * less than it needs: such a profile would replace a good one. */
        if (status == LP_EXIT_TIMEOUT || status == LP_EXIT_CANNOT_EXECUTE ||
            status == LP_EXIT_NOT_FOUND)
                lp_error("learn: the command %s; %s left as it was",
                         status == LP_EXIT_TIMEOUT ? "timed out" : "could not be executed",
                         cli->output);
        else if (status != LP_EXIT_SETUP_FAILED && lp_learn_write(p, store, &req) < 0)
                status = LP_EXIT_SETUP_FAILED;
        /* Learning ran as the caller: a dynamic user the base asks for is
         * tried now (a command that failed under learning fails anyway). */
        else if (status == 0 && p->dynamic_user.value) {
                struct lp_run_options enforce = {.argv = cli->args,
                                                 .timeout_sec = cli->timeout,
                                                 .pass_fds = cli->pass_fds,
                                                 .n_pass_fds = cli->n_pass_fds,
                                                 .no_cache = cli->no_cache};
                if (lp_learn_check_identity(cli->output, &enforce) < 0)
                        status = LP_EXIT_SETUP_FAILED;
        }
        lp_findings_free(store);
        lp_policy_free(p);
        return status;
}

/* --score: the exposure of a valid profile, and whether it passes
 * --max-score. The table goes to stdout, as show's and diff's output. */
static int score(const struct lp_cli *cli, const struct lp_policy *p)
{
        unsigned exposure = 0;
        int r = lp_policy_score(p, stdout, &exposure);
        /* Before the next profile's messages on stderr, in a CI log. */
        fflush(stdout);
        if (r < 0) {
                lp_log_errno(r, "cannot score %s: %m", p->source);
                return LP_EXIT_PROFILE_ERROR;
        }
        if (cli->max_score_given && exposure > cli->max_score) {
                lp_error("%s: exposure %u.%u is above --max-score %u.%u", p->source, exposure / 10,
                         exposure % 10, cli->max_score / 10, cli->max_score % 10);
                return LP_EXIT_FINDINGS;
        }
        return LP_EXIT_OK;
}

/* Every profile is checked; an invalid one (2) outweighs one scored above
 * --max-score (1), as the statuses' order says. */
static int cmd_check(const struct lp_cli *cli)
{
        int status = 0;
        for (int i = 0; i < cli->n_args; i++) {
                struct lp_policy *p = NULL;
                if (lp_policy_load(cli->args[i], stderr, &p) < 0) {
                        status = LP_EXIT_PROFILE_ERROR;
                        continue;
                }
                if (cli->verbosity >= 0)
                        fprintf(stderr, "%s: ok\n", cli->args[i]);
                int s = cli->score ? score(cli, p) : LP_EXIT_OK;
                status = s > status ? s : status; /* 2 > 1 > 0 */
                lp_policy_free(p);
        }
        return status;
}

static int cmd_show(const struct lp_cli *cli)
{
        struct lp_policy *p = NULL;
        if (lp_policy_load(cli->args[0], stderr, &p) < 0)
                return LP_EXIT_PROFILE_ERROR;
        int r = lp_policy_show(p, stdout);
        lp_policy_free(p);
        return r < 0 ? LP_EXIT_PROFILE_ERROR : LP_EXIT_OK;
}

static int cmd_diff(const struct lp_cli *cli)
{
        struct lp_policy *base = NULL, *cand = NULL;
        int r = lp_policy_load(cli->args[0], stderr, &base);
        if (r >= 0)
                r = lp_policy_load(cli->args[1], stderr, &cand);
        if (r >= 0)
                r = lp_policy_diff(base, cand, stdout);
        lp_policy_free(base);
        lp_policy_free(cand);
        if (r < 0)
                return LP_EXIT_PROFILE_ERROR;
        return r > 0 ? LP_EXIT_FINDINGS : LP_EXIT_OK;
}

static int cmd_syscalls(const struct lp_cli *cli)
{
        if (cli->n_args == 0)
                return lp_syscall_groups_print(stdout) < 0 ? LP_EXIT_PROFILE_ERROR : LP_EXIT_OK;
        int r = lp_syscall_group_print(stdout, cli->args[0]);
        if (r == -ENOENT)
                lp_error("unknown syscall group '%s'; `leastpriv syscalls` lists them",
                         cli->args[0]);
        return r < 0 ? LP_EXIT_PROFILE_ERROR : LP_EXIT_OK;
}

/* Text made whole in memory goes to -o FILE (atomically: a reader never
 * sees half a profile) or to stdout. */
static int write_output(const struct lp_cli *cli, const char *text, size_t len)
{
        int r = 0;
        if (cli->output)
                r = lp_write_atomic_text(cli->output, text);
        else if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
                r = -EIO;
        if (r < 0 && cli->output)
                report_unwritable(r, "-o", cli->output, "it");
        else if (r < 0)
                lp_log_errno(r, "cannot write to stdout: %m");
        return r;
}

static int cmd_export(const struct lp_cli *cli)
{
        struct lp_policy *p = NULL;
        if (lp_policy_load(cli->args[0], stderr, &p) < 0)
                return LP_EXIT_PROFILE_ERROR;
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        int r = !mem                              ? -ENOMEM
                : strcmp(cli->format, "oci") == 0 ? lp_export_oci(p, mem)
                                                  : lp_export_systemd(p, mem);
        if (mem && fclose(mem) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                lp_log_errno(r, "cannot export %s: %m", cli->args[0]);
        else
                r = write_output(cli, text, len);
        free(text);
        lp_policy_free(p);
        return r < 0 ? LP_EXIT_PROFILE_ERROR : LP_EXIT_OK;
}

static int cmd_import(const struct lp_cli *cli)
{
        char *json = NULL, *profile = NULL;
        size_t len = 0;
        /* Up to a NUL, which JSON never holds; an empty file is "" (the
         * importer says what is wrong with it). */
        int r = lp_read_text(cli->args[0], &json);
        len = r < 0 ? 0 : strlen(json);
        if (r < 0)
                lp_log_errno(r, "cannot read %s: %m", cli->args[0]);
        else
                r = lp_import_oci(json, len, cli->args[0], stderr, &profile);
        if (r == -ENOMEM)
                lp_log_errno(r, "cannot import %s: %m", cli->args[0]);
        if (r >= 0)
                r = write_output(cli, profile, strlen(profile));
        free(json);
        free(profile);
        return r < 0 ? LP_EXIT_PROFILE_ERROR : LP_EXIT_OK;
}

int main(int argc, char **argv)
{
        struct lp_cli cli;
        if (lp_cli_parse(argc, argv, getenv("LEASTPRIV_PROFILE"), stderr, &cli) < 0) {
                bool runs = argc > 1 && (!strcmp(argv[1], "run") || !strcmp(argv[1], "learn"));
                return runs ? LP_EXIT_SETUP_FAILED : LP_EXIT_PROFILE_ERROR;
        }
        lp_log_level = LP_LOG_INFO + cli.verbosity;
        if (cli.help_topic || cli.command == LP_CMD_HELP) {
                lp_cli_usage(stdout, cli.help_topic ? cli.command : LP_CMD_HELP);
                return LP_EXIT_OK;
        }
        switch (cli.command) {
        case LP_CMD_VERSION:
                printf("leastpriv %s\n", LP_VERSION);
                return LP_EXIT_OK;
        case LP_CMD_RUN:
                return cmd_run(&cli);
        case LP_CMD_LEARN:
                return cmd_learn(&cli);
        case LP_CMD_CHECK:
                return cmd_check(&cli);
        case LP_CMD_SHOW:
                return cmd_show(&cli);
        case LP_CMD_DIFF:
                return cmd_diff(&cli);
        case LP_CMD_SYSCALLS:
                return cmd_syscalls(&cli);
        case LP_CMD_EXPORT:
                return cmd_export(&cli);
        case LP_CMD_IMPORT:
                return cmd_import(&cli);
        default:
                return LP_EXIT_PROFILE_ERROR;
        }
}
