#!/usr/bin/env bash
# The process tree (DESIGN.md §6): nothing the command leaves behind
# outlives the run, even a double-forked daemon in its own session; and the
# signals a CI runner sends leastpriv reach the command.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

# Pids of daemons that survived, killed at exit so a failure leaves no mess.
survivors=()
lp_cleanup() {
        local p
        for p in "${survivors[@]}"; do
                kill -9 "$p" 2>/dev/null
        done
}

# pid_gone LABEL PIDFILE
pid_gone() {
        local label=$1 pid state
        pid=$(cat "$2" 2>/dev/null)
        LP_CHECKS=$((LP_CHECKS + 1))
        if ! [[ "$pid" =~ ^[0-9]+$ ]]; then
                fail "$label: the daemon never wrote its pid to $2"
                return
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
                pass "$label: daemon $pid is gone when run returns"
                return
        fi
        state=$(awk '/^State:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
        if grep -q probe "/proc/$pid/cmdline" 2>/dev/null; then
                survivors+=("$pid")
        fi
        sleep 2
        if kill -0 "$pid" 2>/dev/null; then
                fail "$label: daemon $pid (state $state) still alive after run returned (and 2 s later)"
        else
                fail "$label: daemon $pid (state $state) still existed when run returned; gone 2 s later"
        fi
}

tree_checks() {
        local who=$1 dir=$tmp/shared
        as_user "$who" run -- "$PROBE" daemon "$dir/daemon-$who.pid"
        assert_probe ok "$who: probe daemon returned at once"
        pid_gone "$who" "$dir/daemon-$who.pid"

        as_user "$who" run --timeout 2 -- /bin/sh -c "'$PROBE' daemon '$dir/daemon-t-$who.pid' && exec '$PROBE' sleep 30"
        assert_status 124 "$who: daemon + sleep under --timeout 2 -> 124"
        pid_gone "$who/timeout" "$dir/daemon-t-$who.pid"

        as_user "$who" run -- /bin/sh -c "'$PROBE' daemon '$dir/daemon-e-$who.pid'; exit 5"
        assert_status 5 "$who: shell exits 5 leaving a daemon -> 5"
        pid_gone "$who/exit-5" "$dir/daemon-e-$who.pid"
}

# forward_check WHO SIG: leastpriv in the background, SIG sent to its pid.
forward_check() {
        local who=$1 sig=$2 lp status out=$tmp/sig-$1-$2.out err=$tmp/sig-$1-$2.err
        local -a prefix=()
        [ "$who" = nobody ] && prefix=(setpriv "--reuid=$NOBODY_UID" "--regid=$NOBODY_GID" --clear-groups --)
        # bash starts background jobs with SIGINT/SIGQUIT ignored; give
        # leastpriv the dispositions an interactive shell would.
        env --default-signal "${prefix[@]}" "$LEASTPRIV" run -- "$PROBE" wait-signal >"$out" 2>"$err" &
        lp=$!
        if ! wait_for_text "$out" ready 20; then
                kill -9 $lp 2>/dev/null
                wait $lp 2>/dev/null
                LP_CHECKS=$((LP_CHECKS + 1))
                fail "$who/SIG$sig: the probe never printed 'ready' (stdout: '$(cat "$out")', stderr: '$(cat "$err")')"
                return
        fi
        kill -s "$sig" $lp
        # A bounded wait (no guard subshell: it would run the EXIT trap).
        local i
        for ((i = 0; i < 300; i++)); do
                kill -0 $lp 2>/dev/null || break
                sleep 0.1
        done
        kill -9 $lp 2>/dev/null
        wait $lp
        status=$?
        assert_eq 0 "$status" "$who: SIG$sig to leastpriv: exit status (probe handled it)"
        assert_contains "$(cat "$out")" "got SIG$sig" "$who: SIG$sig forwarded to the command"
}

tree_checks root
for sig in TERM INT HUP USR1; do
        forward_check root $sig
done

lp_require_nobody_access
why=$(lp_userns_disabled_reason)
[ -z "$why" ] || skip "root checks done; uid 65534 needs user namespaces: $why"
tree_checks nobody
for sig in TERM INT; do
        forward_check nobody $sig
done
