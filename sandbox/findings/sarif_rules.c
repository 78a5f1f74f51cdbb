/* The SARIF rule catalogue (sarif_rules.h). */
#include "findings/sarif_rules.h"

#include "base/util.h"
#include "findings/findings.h"

static const struct lp_sarif_kind kinds[] = {
        [LP_FINDING_SYSCALL] =
                {
                        .full = "The command made a system call its profile does not allow. "
                                "The call was refused (or, under --audit, let through and "
                                "reported); a test that needs it depends on a privilege "
                                "production may not have.",
                        .help = "If the test needs the call, allow it in the profile with the "
                                "fix line the result gives ([Syscalls] Allow=NAME) and review "
                                "the change; otherwise change the code so it does not make it.",
                        .anchor = "findings",
                        .severity = "7.0",
                },
        [LP_FINDING_NETWORK] =
                {
                        .full = "The command reached for the network beyond its profile: a "
                                "destination outside its namespace, a socket family not "
                                "granted, or a forwarded host service that refused.",
                        .help = "Grant what the test needs and no more: [Network] Forward= for "
                                "one host service, AddressFamilies= for a family; a test "
                                "that needs the outside world is not hermetic.",
                        .anchor = "findings",
                        .severity = "6.0",
                },
        [LP_FINDING_CAPABILITY] =
                {
                        .full = "The command made a call that needs a Linux capability its "
                                "profile drops; the kernel refused it.",
                        .help = "Keep the capability ([Capabilities] Keep=CAP_...) only if the "
                                "test must exercise it; most tests should not need any.",
                        .anchor = "findings",
                        .severity = "7.5",
                },
        [LP_FINDING_ENVIRONMENT] =
                {
                        .full = "A variable of the caller's environment (a CI secret) was "
                                "withheld from the command. This is the sandbox working, not "
                                "the command reaching for a privilege.",
                        .help = "Nothing to do unless the test needs the variable: then pass "
                                "it by name ([Environment] Pass=NAME).",
                        .anchor = "findings",
                        .severity = "2.0",
                },
        [LP_FINDING_FILESYSTEM] =
                {
                        .full = "The command wrote, created, removed or renamed a file where "
                                "its profile keeps the host read-only, or opened a hidden path "
                                "(a credential store, a host service's socket).",
                        .help = "Make the test write inside its workspace or a temporary "
                                "directory; if it must write elsewhere, name the directory in "
                                "[Filesystem] ReadWritePaths= and review it.",
                        .anchor = "findings",
                        .severity = "7.5",
                },
        [LP_FINDING_IDENTITY] =
                {
                        .full = "The run's dynamic user left something behind (a process, an "
                                "IPC object, a file in a shared directory); leastpriv removed "
                                "it.",
                        .help = "Stop what the test starts and remove what it makes outside "
                                "its workspace before it exits.",
                        .anchor = "dynamic-user",
                        .severity = "5.0",
                },
        [LP_FINDING_RESOURCE] =
                {
                        .full = "The command reached a [Limits] cgroup limit of its run: forks "
                                "refused at Processes=, or a process the OOM killer took at "
                                "Memory=.",
                        .help = "Raise the limit if the test needs that much, or find what "
                                "forks or allocates beyond it.",
                        .anchor = "resource-limits",
                        .severity = "4.0",
                },
};

static const struct lp_sarif_kind unknown = {
        .full = "A finding of leastpriv.",
        .help = "See the README's Findings section.",
        .anchor = "findings",
        .severity = "5.0",
};

const struct lp_sarif_kind *lp_sarif_kind(int kind)
{
        if (kind < 0 || (size_t)kind >= LP_ELEMENTSOF(kinds) || !kinds[kind].full)
                return &unknown;
        return &kinds[kind];
}
