#!/usr/bin/env bash
# shellcheck disable=SC2154 # F_* are set by fget (eval)
# Supervisor robustness (docs/architecture.md, "Findings": "however many times it happened ...
# no occurrence is lost"): the command floods denied syscalls from many
# threads while it forks short-lived children that flood as well and exit.
# Every call is answered (the probe checks each got EPERM), the counts in
# the JSONL are exactly what the probe made, and the run ends in bounded
# time with the command's own status.
set -uo pipefail
source "$(dirname "$0")/escape-lib.sh"

THREADS=8 PER_THREAD=3000 CHILDREN=40 PER_CHILD=200
PTRACE_N=$((THREADS * PER_THREAD))
ACCT_N=$((CHILDREN * PER_CHILD))
L_debug=$(deny_rule debug)
L_priv=$(deny_rule privileged)

flood() {
        esc_run "$1" "$2" "$ESCAPE" flood $THREADS $PER_THREAD $CHILDREN $PER_CHILD
}

for who in $(esc_users); do
        for prof in default strict; do
                w=$who/$prof
                flood "$who" "$prof"
                assert_status 0 "$w: every call answered with EPERM (the probe's own check)"
                assert_contains "$LP_OUT" "flood: ptrace=$PTRACE_N denied=$PTRACE_N acct=$ACCT_N children_ok=$CHILDREN" \
                        "$w: the probe's own counts"
                assert_eq yes "$([ "$LP_ELAPSED" -le 30 ] && echo yes || echo no)" \
                        "$w: bounded time (${LP_ELAPSED}s)"
                expect_finding "$w: threads" "$ESC_F" syscall ptrace "target~^ptrace\(" \
                        action=denied errno=EPERM count=$PTRACE_N exe="$ESCAPE" rule="$L_debug"
                expect_finding "$w: children" "$ESC_F" syscall acct \
                        target='acct("/nonexistent/leastpriv-escape-flood")' action=denied \
                        errno=EPERM count=$ACCT_N exe="$ESCAPE" rule="$L_priv"
                assert_eq 2 "$F_lines" "$w: nothing else reported"
                assert_contains "$LP_ERR" "leastpriv: 2 findings ($((PTRACE_N + ACCT_N)) occurrences)" \
                        "$w: summary total"
        done
done

# Weakened: both calls allowed by name. The kernel answers them (ptrace:
# ESRCH, nobody traces us; acct: EPERM, no CAP_SYS_PACCT), the probe's
# check fails and nothing is counted: the count checks above would notice.
weak=$(profile allow-flood <<'PROF'
[Profile]
Include=default
[Syscalls]
Allow=ptrace acct
PROF
)
flood root "$weak"
assert_eq 1 "$LP_STATUS" "weakened (Allow=ptrace acct): the probe's EPERM check fails"
expect_no_finding "weakened" syscall ptrace
expect_no_finding "weakened" syscall acct
