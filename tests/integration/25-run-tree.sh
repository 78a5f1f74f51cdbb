#!/usr/bin/env bash
# The process tree (docs/architecture.md, "The flow"): nothing the command leaves behind
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

# pid_gone LABEL PIDFILE: the daemon that wrote PIDFILE is gone. It runs in
# the command's PID namespace, so the pid it wrote is not ours: it is found
# by its command line ("probe daemon PIDFILE"), which its fork keeps.
pid_gone() {
        local label=$1 pids
        LP_CHECKS=$((LP_CHECKS + 1))
        if ! [[ "$(cat "$2" 2>/dev/null)" =~ ^[0-9]+$ ]]; then
                fail "$label: the daemon never wrote its pid to $2"
                return
        fi
        pids=$(pgrep -f -- "daemon $2\$")
        if [ -z "$pids" ]; then
                pass "$label: the daemon is gone when run returns"
                return
        fi
        # shellcheck disable=SC2206 # pids, one word each
        survivors+=($pids)
        # shellcheck disable=SC2086 # pids, one word each
        if await_exit 2 $pids; then
                fail "$label: daemon $pids still existed when run returned; gone within 2 s"
        else
                fail "$label: daemon $pids still alive after run returned (and 2 s later)"
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

# killed_check WHO: leastpriv SIGKILLed mid-run (no chance to clean up)
# leaves nothing of the command behind: not the command, not its daemon.
killed_check() {
        local who=$1 lp pids pidfile=$tmp/shared/daemon-k-$1.pid ready=$tmp/shared/ready-k-$1
        # The daemon by its pid file, the command by the probe's path: both
        # this test's own.
        local mine="daemon $pidfile\$|^$PROBE wait-signal\$"
        local -a prefix=()
        [ "$who" = nobody ] && prefix=(setpriv "--reuid=$NOBODY_UID" "--regid=$NOBODY_GID" --clear-groups --)
        ready_fifo "$ready"
        # From $tmp: the default profile's ReadWritePaths=. is where the
        # pid file goes. The probe's daemon returns once its pid file is
        # there; the command then says "ready" on the FIFO (and waits).
        (cd "$tmp" && exec "${prefix[@]}" "$LEASTPRIV" run -q -- /bin/sh -c \
                "'$PROBE' daemon '$pidfile' && exec '$PROBE' wait-signal >'$ready'") >/dev/null 2>&1 &
        lp=$!
        LP_CHECKS=$((LP_CHECKS + 1))
        if ! await_line "$ready" 20 >/dev/null; then
                kill -9 $lp 2>/dev/null
                fail "$who: SIGKILL: the command never started"
                return
        fi
        pids=$(pgrep -f -- "$mine" | tr '\n' ' ')
        kill -9 $lp
        wait $lp 2>/dev/null
        # The kernel ends the namespace once leastpriv is gone (its
        # children's parent-death signals): each of them ends, or the
        # bound says it did not.
        # shellcheck disable=SC2086 # pids, one word each
        if [ "$(wc -w <<<"$pids")" -ne 2 ]; then
                fail "$who: SIGKILL: expected the daemon and the command, found pids '$pids'"
                pkill -9 -f -- "$mine"
        elif ! await_exit 10 $pids; then
                fail "$who: leastpriv SIGKILLed: processes of the command are left: $(pgrep -a -f -- "$mine")"
                pkill -9 -f -- "$mine"
        else
                pass "$who: leastpriv SIGKILLed: nothing of the command is left (command and daemon)"
        fi
}

# forward_check WHO SIG: leastpriv in the background, SIG sent to its pid.
# The probe's output comes through a FIFO: "ready" once its handlers are
# in place, "got SIG..." once the signal came.
forward_check() {
        local who=$1 sig=$2 lp status out=$tmp/sig-$1-$2.out err=$tmp/sig-$1-$2.err fd
        local -a prefix=()
        [ "$who" = nobody ] && prefix=(setpriv "--reuid=$NOBODY_UID" "--regid=$NOBODY_GID" --clear-groups --)
        ready_fifo "$out"
        exec {fd}<>"$out"
        # bash starts background jobs with SIGINT/SIGQUIT ignored; give
        # leastpriv the dispositions an interactive shell would.
        env --default-signal "${prefix[@]}" "$LEASTPRIV" run -- "$PROBE" wait-signal >"$out" 2>"$err" &
        lp=$!
        LP_AWAITED=
        if ! await_text "$fd" ready 20; then
                kill -9 $lp 2>/dev/null
                wait $lp 2>/dev/null
                exec {fd}<&-
                LP_CHECKS=$((LP_CHECKS + 1))
                fail "$who/SIG$sig: the probe never printed 'ready' (stdout: '$LP_AWAITED', stderr: '$(cat "$err")')"
                return
        fi
        kill -s "$sig" $lp
        LP_AWAITED=
        await_text "$fd" "got SIG" 30
        assert_eq "got SIG$sig" "${LP_AWAITED%$'\n'}" "$who: SIG$sig forwarded to the command"
        # Once the probe has its signal, leastpriv ends with it: a bound
        # for the exit, then its status.
        await_exit 30 $lp || kill -9 $lp 2>/dev/null
        wait $lp
        status=$?
        exec {fd}<&-
        assert_eq 0 "$status" "$who: SIG$sig to leastpriv: exit status (probe handled it)"
}

tree_checks root
killed_check root
for sig in TERM INT HUP USR1; do
        forward_check root $sig
done

lp_require_nobody_access
why=$(lp_userns_disabled_reason)
[ -z "$why" ] || skip "root checks done; uid 65534 needs user namespaces: $why"
tree_checks nobody
killed_check nobody
for sig in TERM INT; do
        forward_check nobody $sig
done
