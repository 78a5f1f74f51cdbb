#!/usr/bin/env bash
# shellcheck disable=SC2154 # F_* are set by fget (eval)
# A hostile or dying command must not harm the supervisor (docs/architecture.md, "Threat model", "Findings"):
# - processes SIGKILLed while their denied calls wait for an answer, many
#   times over: leastpriv neither hangs nor stops answering (a denied call
#   made afterwards in the same run is still answered and counted) and
#   exits with the command's own status;
# - the command SIGKILLed from outside in the middle of a storm: 128+9;
# - arguments the supervisor cannot read (unmapped memory, a 68 KiB path
#   with no NUL before a guard page): reported as <unreadable> or cut with
#   "...", and the supervisor still answers the next call.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

source "$(dirname "$0")/findings-lib.sh"

cd "$tmp/shared" || fatal "cd $tmp/shared"

# mount_targets FILE: the targets of the mount findings, one a line.
mount_targets() {
        /usr/bin/python3 - "$1" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if o["kind"] == "syscall" and o["operation"] == "mount":
        print(o["target"])
PY
}

hostile_checks() {
        local who=$1 f=$tmp/shared/hostile-$1.jsonl ready=$tmp/shared/storm-$1.ready
        local targets

        # -- tracees killed with notifications pending -----------------------------
        rm -f "$f"
        LP_GUARD=60 lpx "$who" run --findings "$f" -- /bin/sh -c \
                "'$PROBE' kill-pending 300; '$PROBE' ptrace-traceme; exit 7"
        assert_status 7 "$who: kill-pending: the command's own status, no hang (guard 60 s)"
        assert_contains "$LP_OUT" "kill-pending: killed=300 of 300" "$who: kill-pending: 300 children killed"
        assert_contains "$LP_OUT" "ptrace-traceme: EPERM" "$who: kill-pending: a later denied call is answered"
        assert_not_contains "$LP_ERR" "listener failed" "$who: kill-pending: the listener survives"
        expect_finding "$who: kill-pending: later call" "$f" syscall ptrace \
                target='ptrace(PTRACE_TRACEME)' action=denied errno=EPERM count=1 exe="$PROBE"
        fget "$f" syscall mount
        assert_ne 0 "$F_n" "$who: kill-pending: the killed children's mounts are findings"

        # -- the command killed from outside during a storm -------------------------
        # The probe says "ready" on a FIFO once its first call has come back:
        # the supervisor has answered (and recorded) at least one whole call.
        rm -f "$f"
        ready_fifo "$ready"
        local pre=()
        [ "$who" = nobody ] && pre=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups --)
        timeout -k 5 60 env -i PATH=/usr/bin:/bin "${pre[@]}" "$LEASTPRIV" run --findings "$f" -- \
                "$PROBE" storm-ready 4 100000000 mount "$ready" \
                >"$tmp/bg.out" 2>"$tmp/bg.err" </dev/null &
        local bg=$! start=$SECONDS status=0 victim=""
        # The probe runs in its own PID namespace: it is found by its
        # command line (which holds this test's own path) and its user.
        if await_line "$ready" 20 >/dev/null; then
                victim=$(pgrep -n -u "$([ "$who" = nobody ] && echo "$NOBODY_UID" || echo 0)" \
                        -f -- "^$PROBE storm-ready 4 100000000 mount $ready\$")
        fi
        if [ -n "$victim" ]; then
                kill -KILL "$victim"
        else
                fail "$who: storm: the probe did not start (pid '$victim'): $(cat "$tmp/bg.err")"
                # TERM, which timeout(1) passes on to leastpriv and leastpriv
                # to the command: a KILL of timeout would leave them running.
                kill -TERM "$bg" 2>/dev/null
        fi
        wait "$bg" || status=$?
        LP_STATUS=$status LP_OUT=$(cat "$tmp/bg.out") LP_ERR=$(cat "$tmp/bg.err") LP_LAST="run -- probe storm (killed from outside)"
        assert_status 137 "$who: storm SIGKILLed from outside: 128+9, no hang"
        assert_eq yes "$([ $((SECONDS - start)) -lt 50 ] && echo yes || echo no)" "$who: ... well before the guard"
        assert_not_contains "$LP_ERR" "listener failed" "$who: storm killed: the listener survives"
        fget "$f" syscall mount
        # A call caught in flight by the SIGKILL may already be partly
        # unreadable when it is decoded (an argument, or the executable of
        # a process that is going): it is still reported, as a finding of
        # its own that says so. Exactly one is whole.
        read -r whole partial <<<"$(/usr/bin/python3 - "$f" "$PROBE" <<'PY'
import json, sys
whole = partial = 0
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if o["kind"] != "syscall" or o["operation"] != "mount":
        continue
    if "<unreadable>" in o["target"] or o["exe"] != sys.argv[2]:
        partial += 1
    else:
        whole += 1
print(whole, partial)
PY
)"
        assert_eq 1 "$whole" "$who: storm killed: one whole mount finding (and $partial caught in flight)"
        assert_re "$F_count" '^[1-9][0-9]*$' "$who: storm killed: counted"

        # -- arguments that cannot be read ----------------------------------------------
        rm -f "$f"
        LP_GUARD=60 lpx "$who" run --findings "$f" -- /bin/sh -c \
                "'$PROBE' unmapped-arg; '$PROBE' no-nul-path; '$PROBE' ptrace-traceme; exit 5"
        assert_status 5 "$who: unreadable arguments: the command's own status"
        assert_contains "$LP_OUT" "unmapped-arg: EPERM" "$who: unmapped-arg answered EPERM"
        assert_contains "$LP_OUT" "no-nul-path: EPERM" "$who: no-nul-path answered EPERM"
        assert_contains "$LP_OUT" "ptrace-traceme: EPERM" "$who: the call after them answered"
        expect_finding "$who: after unreadable" "$f" syscall ptrace \
                target='ptrace(PTRACE_TRACEME)' action=denied errno=EPERM count=1
        fget "$f" syscall mount
        assert_eq 2 "$F_n" "$who: two mount findings (distinct targets)"
        targets=$(mount_targets "$f")
        assert_contains "$targets" '<unreadable>' "$who: unmapped-arg: target says <unreadable>"
        # The path is cut, and the cut is marked: each path string ends in
        # "..." and the hash of the whole ("...#1a2b3c4d").
        assert_re "$(grep -v unreadable <<<"$targets")" '^mount\("/A+\.\.\.#[0-9a-f]{8}", "/A+\.\.\.#[0-9a-f]{8}", "tmpfs"\)$' \
                "$who: no-nul-path: target truncated with ...#HASH"
        LP_CHECKS=$((LP_CHECKS + 1))
        if [ "$(wc -L <<<"$targets")" -le 2048 ]; then
                pass "$who: no-nul-path: target bounded ($(wc -L <<<"$targets") chars)"
        else
                fail "$who: no-nul-path: target of $(wc -L <<<"$targets") chars (68 KiB path copied?)"
        fi
}

hostile_checks root

# The command puts a FIFO where its findings go, and exits: nobody will
# read it. The run says it cannot write them (125), at once, rather than
# waiting for a reader forever (the guard timeout would show a hang).
fifo_report=$tmp/shared/fifo.jsonl
LP_GUARD=30 run_lp run --findings "$fifo_report" -- sh -c "rm -f '$fifo_report'; mkfifo '$fifo_report'"
assert_status 125 "findings path replaced by a FIFO nobody reads: exit 125, no hang"
assert_contains "$LP_ERR" "cannot write findings to $fifo_report: No such device or address" \
        "... saying why"
# A reader there (a pipe to CI's collector) is written to as before.
rm -f "$fifo_report"
mkfifo "$fifo_report"
cat "$fifo_report" >"$tmp/fifo.read" &
reader=$!
run_lp run --findings "$fifo_report" -- "$PROBE" ptrace-traceme
wait "$reader"
assert_status 1 "findings to a FIFO with a reader"
assert_contains "$(cat "$tmp/fifo.read")" '"operation":"ptrace"' "... the reader gets the findings"
rm -f "$fifo_report"

lp_require_nobody_access
why=$(lp_userns_disabled_reason)
[ -z "$why" ] || skip "root checks done; uid 65534 needs user namespaces: $why"
hostile_checks nobody
