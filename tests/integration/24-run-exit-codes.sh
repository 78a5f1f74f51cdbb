#!/usr/bin/env bash
# Exit statuses of `leastpriv run` (docs/architecture.md, "Command line", the conventions of env(1)
# and timeout(1)): the command's own, 128+N, 124, 125, 126, 127.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

for n in 0 3 42; do
        run_lp run -- "$PROBE" exit $n
        assert_status $n "exit $n passes through"
done

run_lp run -- "$PROBE" kill-self TERM
assert_status 143 "killed by SIGTERM -> 128+15"
run_lp run -- "$PROBE" kill-self KILL
assert_status 137 "killed by SIGKILL -> 128+9"
run_lp run -- "$PROBE" kill-self SEGV
assert_status 139 "killed by SIGSEGV -> 128+11"

run_lp run --timeout 1 -- "$PROBE" sleep 30
assert_status 124 "--timeout 1 with sleep 30 -> 124"
LP_CHECKS=$((LP_CHECKS + 1))
if [ "$LP_ELAPSED" -lt 10 ]; then
        pass "--timeout 1 returned after ${LP_ELAPSED}s (< 10 s)"
else
        fail "--timeout 1: expected to return in < 10 s, took ${LP_ELAPSED}s"
fi

# A command that ignores SIGTERM still ends at the timeout.
run_lp run --timeout 1 -- /bin/sh -c "trap '' TERM INT HUP; '$PROBE' sleep 30"
assert_status 124 "--timeout 1 with a shell ignoring SIGTERM -> 124"
LP_CHECKS=$((LP_CHECKS + 1))
if [ "$LP_ELAPSED" -lt 15 ]; then
        pass "... returned after ${LP_ELAPSED}s (< 15 s)"
else
        fail "... expected to return in < 15 s, took ${LP_ELAPSED}s"
fi

run_lp run -- /nonexistent/leastpriv-no-such-command
assert_status 127 "nonexistent command path -> 127"
run_lp run -- leastpriv-no-such-command-xyz
assert_status 127 "command not found in PATH -> 127"

printf '#!/bin/sh\necho ran\n' >"$tmp/not-executable"
chmod 644 "$tmp/not-executable"
run_lp run -- "$tmp/not-executable"
assert_status 126 "non-executable file -> 126"
assert_not_contains "$LP_OUT" ran "... and it did not run"

run_lp run -- "$tmp"
assert_status 126 "a directory as the command -> 126"

bad=$(profile bad <<'P'
[Profile]
Include=default
[NoSuchSection]
Foo=bar
P
)
run_lp run -p "$bad" -- "$PROBE" write-file "$tmp/shared/ran-bad-profile"
assert_status 125 "invalid profile -> 125"
assert_contains "$LP_ERR" "$bad:3" "... the error names FILE:LINE"
LP_CHECKS=$((LP_CHECKS + 1))
if [ -e "$tmp/shared/ran-bad-profile" ]; then
        fail "... the command ran despite the bad profile"
else
        pass "... nothing ran"
fi

run_lp run -p "$tmp/no-such.profile" -- "$PROBE" exit 0
assert_status 125 "nonexistent profile file -> 125"
run_lp run -p no-such-profile-name-xyz -- "$PROBE" exit 0
assert_status 125 "unknown profile name -> 125"

run_lp run --no-such-option -- "$PROBE" exit 0
assert_status 125 "unknown option -> 125"
run_lp run --timeout nope -- "$PROBE" exit 0
assert_status 125 "--timeout with a non-number -> 125"
run_lp run
assert_status 125 "run without a command -> 125"

LEASTPRIV_PROFILE="$bad" run_lp run -- "$PROBE" exit 0
assert_status 125 "LEASTPRIV_PROFILE naming an invalid profile -> 125"

# A command that stops itself: the run says so (once) and waits; SIGCONT
# from outside lets it go on, --timeout ends it (124).
# Its messages come through a FIFO held open until the run has ended (a
# pipe's buffer holds far more than it says).
marker="lp-stopped-$$"
ready_fifo "$tmp/stop.err"
exec {stop_err}<>"$tmp/stop.err"
"$LEASTPRIV" run --timeout 60 -- sh -c ": $marker; kill -STOP \$\$; echo continued" \
        >"$tmp/stop.out" 2>"$tmp/stop.err" </dev/null &
stopped_run=$!
LP_AWAITED=
await_text "$stop_err" "the command was stopped by SIGSTOP" 30 ||
        fatal "no word of the stopped command: $LP_AWAITED"
pass "a stopped command is said to be stopped"
# The shell itself (leastpriv's own command line holds the marker too).
kill -CONT "$(pgrep -f -- "^sh -c : $marker" | head -n1)"
wait "$stopped_run"
assert_eq 0 "$?" "SIGCONT: the command goes on and the run ends with its status"
exec {stop_err}<&-
assert_eq continued "$(cat "$tmp/stop.out")" "... after its stop"
run_lp run --timeout 2 -- sh -c 'kill -STOP $$; echo continued'
assert_status 124 "a command stopped for good: --timeout ends the run"
assert_contains "$LP_ERR" "the run waits until it is continued (SIGCONT) or --timeout ends it" \
        "... and the run said why it waited"
