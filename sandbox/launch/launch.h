/* Runs one command under a resolved policy: the child's ordered setup
 * checklist (steps.h), then supervision until the whole process tree is
 * gone. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct lp_policy;
struct lp_findings;

struct lp_run_options {
        char *const *argv; /* the command; argv[0] looked up in PATH */
        bool audit;        /* block nothing, report what would be denied */
        bool learn;        /* like audit, and describe refused calls' arguments */
        /* NULL-terminated syscalls the filter allows outright where the
         * policy leaves them to DefaultAction (learning's floor); NULL: none. */
        const char *const *also_allow;
        /* NULL-terminated syscalls that create processes, the first naming
         * them all (learning: learn/floor.h), or NULL. Where the policy
         * leaves them all to DefaultAction and the command has a PID
         * namespace, the filter allows them too and its init counts what
         * they created: one finding of the first name, its count the
         * processes and threads (supervise/supervise.h). */
        const char *const *process_creation;
        unsigned timeout_sec; /* --timeout; 0: the profile's Timeout= or none */
        const int *pass_fds;  /* --pass-fd: descriptors above 2 the command keeps */
        size_t n_pass_fds;
        bool no_cache; /* --no-cache: compile the filter, keep nothing */
        /* --observe-writes: refused writes are counted in the kernel, and
         * path-writing calls not notified (supervise/fs_observer.h) */
        bool observe_writes;
        /* How long loading and resolving the profile took, for the
         * timing of `run -v`; 0: not measured. */
        uint64_t profile_us;
};

/* Returns the exit status (base/exit_status.h): the command's own, 128+N,
 * 124, 126, 127; or 125 after logging why the sandbox could not be set up.
 * Findings are recorded in `store` (borrowed). */
int lp_run(const struct lp_policy *p, const struct lp_run_options *o, struct lp_findings *store);
