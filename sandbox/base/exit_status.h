/* Exit statuses of `leastpriv` (docs/architecture.md, "Exit statuses"):
 * the conventions of env(1) and timeout(1), so that a wrapper's own
 * failures are told apart from the command's. */
#pragma once

enum lp_exit_status {
        LP_EXIT_OK = 0,
        /* run: --fail-on-findings, the command exited 0, and there were
         * findings; diff: the candidate grants more than the baseline. */
        LP_EXIT_FINDINGS = 1,
        /* check, show, diff, syscalls: a profile or usage error. */
        LP_EXIT_PROFILE_ERROR = 2,
        /* The timeout expired; the whole process tree was killed. */
        LP_EXIT_TIMEOUT = 124,
        /* leastpriv could not set up (bad profile, a setup step failed):
         * nothing of the command ran. */
        LP_EXIT_SETUP_FAILED = 125,
        /* The command was found but could not be executed. */
        LP_EXIT_CANNOT_EXECUTE = 126,
        /* The command was not found. */
        LP_EXIT_NOT_FOUND = 127,
        /* 128 + N: the command was killed by signal N. */
        LP_EXIT_SIGNAL_BASE = 128,
};
