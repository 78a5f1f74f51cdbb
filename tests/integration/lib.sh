# shellcheck shell=bash
# Common helpers for tests/integration/NN-*.sh (sourced, not run).
#
# CTest passes LEASTPRIV (the binary), LP_BUILD, LP_SOURCE and LP_HELPERS
# (the directory of tests/helpers/*.c programs); run by hand, the defaults
# below find a build in ./build. Exit 77 means "skipped" to CTest.
#
# Assertions do not stop the script: each failure is printed with what was
# expected and what came instead, counted, and the script exits 1 at the end
# if any failed. `skip` and `fatal` stop at once. A failure always wins: a
# test whose root half failed and whose uid 65534 half then skipped exits
# 1, not 77 (tests/tools/test-harness.sh proves each outcome).

LP_SOURCE=${LP_SOURCE:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
LP_BUILD=${LP_BUILD:-$LP_SOURCE/build}
LEASTPRIV=${LEASTPRIV:-$LP_BUILD/leastpriv}
LP_HELPERS=${LP_HELPERS:-$LP_BUILD/tests}
PROBE=$LP_HELPERS/probe
LP_TEST=$(basename "$0" .sh)
LP_FAILURES=0
LP_CHECKS=0
NOBODY_UID=65534
NOBODY_GID=65534

# ---- outcome ---------------------------------------------------------------

# A failure in a subshell ($(...), a loop at the end of a pipeline) cannot
# change this shell's LP_FAILURES: it is written to this file as well,
# which lp_on_exit counts. Set once $tmp exists.
LP_FAILURE_LOG=
LP_SKIPPED=

skip() {
        echo "SKIP $LP_TEST: $*" >&2
        LP_SKIPPED=yes
        exit 77
}

# lp_count_failure MESSAGE
lp_count_failure() {
        LP_FAILURES=$((LP_FAILURES + 1))
        if [ "$BASHPID" != "$$" ] && [ -n "$LP_FAILURE_LOG" ]; then
                echo "$*" >>"$LP_FAILURE_LOG"
        fi
}

fatal() {
        echo "FATAL $LP_TEST: $*" >&2
        lp_count_failure "$*"
        exit 1
}

fail() {
        echo "FAIL: $*" >&2
        lp_count_failure "$*"
}

pass() {
        echo "ok: $*"
}

note() {
        echo "note: $*"
}

# Failures recorded by subshells.
lp_subshell_failures() {
        if [ -n "$LP_FAILURE_LOG" ] && [ -f "$LP_FAILURE_LOG" ]; then
                wc -l <"$LP_FAILURE_LOG"
        else
                echo 0
        fi
}

# Runs last: calls the test's lp_cleanup function if it defines one,
# removes the temporary directory and turns the outcome into the exit
# status: 1 when any check failed (whatever came after it: a skip, a
# fatal, an early exit), else 77 for a skip, else the status the script
# ended with, and 1 when it ends having checked nothing.
lp_on_exit() {
        local status=$? failures
        # Only the test's own shell cleans up, never a subshell.
        [ "$BASHPID" = "$$" ] || return
        declare -F lp_cleanup >/dev/null && lp_cleanup
        failures=$((LP_FAILURES + $(lp_subshell_failures)))
        [ -n "${tmp:-}" ] && [ -d "$tmp" ] && rm -rf -- "$tmp"
        if [ "$failures" -gt 0 ]; then
                echo "$LP_TEST: $failures check(s) failed (of $LP_CHECKS run here)" >&2
                exit 1
        fi
        if [ -n "$LP_SKIPPED" ]; then
                exit 77
        fi
        if [ "$status" -ne 0 ]; then
                # 77 that does not come from skip is no skip.
                echo "$LP_TEST: the script ended with status $status" >&2
                exit $((status == 77 ? 1 : status))
        fi
        if [ "$LP_CHECKS" -eq 0 ]; then
                echo "$LP_TEST: no check ran" >&2
                exit 1
        fi
        echo "$LP_TEST: all $LP_CHECKS checks passed"
        exit 0
}
trap lp_on_exit EXIT

# ---- temporary files ---------------------------------------------------------

# $tmp is readable by uid 65534 (profiles, scripts); $tmp/shared is writable
# by it as well (sticky, like /tmp).
tmp=$(mktemp -d /tmp/lp-itest.XXXXXX) || fatal "mktemp failed"
chmod 755 "$tmp"
LP_FAILURE_LOG=$tmp/.failures
mkdir -m 1777 "$tmp/shared"
# The stand-in that keeps /dev/net/tun out of uid 65534's reach (lp_no_tun).
{ : >"$tmp/.no-tun" && chmod 600 "$tmp/.no-tun"; } || fatal "$tmp/.no-tun"

# Compiled filters (leastpriv's cache) are kept in the test's own
# directories, never in /var/cache/leastpriv: tests change no host file.
# uid 65534 has its own (the cache is used only in a directory of ours).
export LEASTPRIV_CACHE_DIR=$tmp/filter-cache
LP_CACHE_NOBODY=$tmp/shared/filter-cache-65534

# lp_cache_env root|nobody: the NAME=VALUE word that gives a run as that
# user its test cache, for commands that clear the environment (env -i).
lp_cache_env() {
        if [ "$1" = nobody ]; then
                echo "LEASTPRIV_CACHE_DIR=$LP_CACHE_NOBODY"
        else
                echo "LEASTPRIV_CACHE_DIR=$LEASTPRIV_CACHE_DIR"
        fi
}

# The helper programs, copied into the directory the commands run in
# ($tmp or $tmp/shared, see capture): it stays in view under PrivateTmp=
# wherever the build is (a checkout under /tmp is hidden inside, as is all
# of /tmp but the working directory and the command's own directory).
LP_BIN=$tmp/shared/bin
mkdir -m 755 "$LP_BIN"
for helper in "$LP_HELPERS"/probe "$LP_HELPERS"/escape "$LP_HELPERS"/demo; do
        [ -x "$helper" ] && cp "$helper" "$LP_BIN/"
done
PROBE=$LP_BIN/probe

# profile NAME <<'EOF' ... EOF: writes $tmp/NAME.profile, prints its path.
profile() {
        local path=$tmp/$1.profile
        cat >"$path"
        chmod 644 "$path"
        echo "$path"
}

# Profile lines that turn the namespaces off, one group each (for a host
# that allows none, as root without CAP_SYS_ADMIN; or to test what stands
# without them): default_plus NAME LINES... writes $tmp/NAME.profile, the
# default profile plus LINES, and prints its path.
LP_HOST_NETWORK=$'[Network]\nNamespace=host\n'
LP_HOST_IPC_UTS=$'[Host]\nPrivateIPC=no\nProtectHostname=no\n'
LP_HOST_FILES=$'[Filesystem]\nProtectSystem=no\nPrivateTmp=no\nPrivateDevices=no\nProtectKernelTunables=no\nProtectControlGroups=no\nInaccessiblePaths=\n'
default_plus() {
        local name=$1
        shift
        { printf '[Profile]\nInclude=default\n'; printf '%s' "$@"; } | profile "$name"
}

# ---- running things ----------------------------------------------------------

# unpriv CMD...: runs CMD as uid/gid 65534 with no supplementary groups.
unpriv() {
        setpriv --reuid=$NOBODY_UID --regid=$NOBODY_GID --clear-groups -- "$@"
}

# capture CMD...: runs CMD with a guard timeout; sets LP_STATUS, LP_OUT,
# LP_ERR (stdout and stderr as text) and LP_ELAPSED (whole seconds).
# CMD runs in $tmp (the default profile's ReadWritePaths=. then makes the
# test's files visible and writable inside the sandbox's private /tmp)
# unless the test is in a directory of $tmp already, or sets LP_KEEP_CWD.
capture() {
        local start=$SECONDS dir=$PWD
        case "$PWD/" in
        "$tmp"/*) ;;
        *) [ -n "${LP_KEEP_CWD:-}" ] || dir=$tmp ;;
        esac
        LP_STATUS=0 # the `||` form is safe under `set -e` as well
        pushd "$dir" >/dev/null || fatal "cd $dir"
        timeout -k 5 "${LP_GUARD:-120}" "$@" >"$tmp/.out" 2>"$tmp/.err" </dev/null ||
                LP_STATUS=$?
        popd >/dev/null || fatal "cd back from $dir"
        LP_ELAPSED=$((SECONDS - start))
        LP_OUT=$(cat "$tmp/.out")
        LP_ERR=$(cat "$tmp/.err")
        LP_LAST="$*"
}

# run_lp ARGS...: `leastpriv ARGS...` as the current user (root).
run_lp() {
        capture "$LEASTPRIV" "$@"
}

# run_lp_nobody ARGS...: `leastpriv ARGS...` as uid 65534.
run_lp_nobody() {
        # shellcheck disable=SC2046 # lp_no_tun's words are the command's start
        capture $(lp_no_tun) setpriv --reuid=$NOBODY_UID --regid=$NOBODY_GID --clear-groups -- \
                env "$(lp_cache_env nobody)" "$LEASTPRIV" "$@"
}

# lp_no_tun: the words that start a command with /dev/net/tun out of uid
# 65534's reach (no-tun.sh says why).
lp_no_tun() {
        echo unshare -m --propagation private sh "$LP_SOURCE/tests/integration/no-tun.sh" "$tmp/.no-tun"
}

# lp_nobody_words: the words that run leastpriv as uid 65534 (for a
# command that runs them inside another, as with_tun does).
lp_nobody_words() {
        echo setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups -- \
                env "$(lp_cache_env nobody)" "$LEASTPRIV"
}

# nobody_lp: the same, /dev/net/tun out of reach (as run_lp_nobody).
nobody_lp() {
        echo "$(lp_no_tun)" "$(lp_nobody_words)"
}

# with_tun NODE COMMAND...: COMMAND (captured) with NODE bind-mounted on
# /dev/net/tun, in a mount namespace of its own: the host's node is
# neither changed nor seen. NODE: a tun device node the test made (mode
# 0666, for uid 65534's outside route), or a root-only file (no outside
# route for uid 65534, whatever the host's node allows).
with_tun() {
        local node=$1
        shift
        [ -e /dev/net/tun ] || fatal "with_tun: this host has no /dev/net/tun to stand in for"
        capture unshare -m --propagation private sh -c \
                'mount --bind "$1" /dev/net/tun && shift && exec "$@"' sh "$node" "$@"
}

# as_user root|nobody ARGS...: run_lp or run_lp_nobody.
as_user() {
        local who=$1
        shift
        if [ "$who" = nobody ]; then
                run_lp_nobody "$@"
        else
                run_lp "$@"
        fi
}

# What the last capture printed, for failure messages.
last_output() {
        printf '  command: %s\n  status:  %s\n' "$LP_LAST" "$LP_STATUS"
        printf '  stdout:  %s\n' "${LP_OUT//$'\n'/$'\n           '}"
        printf '  stderr:  %s\n' "${LP_ERR//$'\n'/$'\n           '}"
}

# ---- assertions ----------------------------------------------------------------

# assert_eq EXPECTED GOT WHAT
assert_eq() {
        LP_CHECKS=$((LP_CHECKS + 1))
        if [ "$1" == "$2" ]; then
                pass "$3 (= '$1')"
        else
                fail "$3: expected '$1', got '$2'"
        fi
}

# assert_ne UNEXPECTED GOT WHAT
assert_ne() {
        LP_CHECKS=$((LP_CHECKS + 1))
        if [ "$1" != "$2" ]; then
                pass "$3 ('$2' != '$1')"
        else
                fail "$3: expected anything but '$1', got it"
        fi
}

# assert_contains HAYSTACK NEEDLE WHAT
assert_contains() {
        LP_CHECKS=$((LP_CHECKS + 1))
        if [[ "$1" == *"$2"* ]]; then
                pass "$3 (contains '$2')"
        else
                fail "$3: expected to contain '$2', got: '$1'"
        fi
}

# assert_not_contains HAYSTACK NEEDLE WHAT
assert_not_contains() {
        LP_CHECKS=$((LP_CHECKS + 1))
        if [[ "$1" != *"$2"* ]]; then
                pass "$3 (does not contain '$2')"
        else
                fail "$3: expected not to contain '$2', got: '$1'"
        fi
}

# assert_match TEXT ERE WHAT (grep -E, case-insensitive)
assert_match() {
        LP_CHECKS=$((LP_CHECKS + 1))
        if grep -qiE -- "$2" <<<"$1"; then
                pass "$3 (matches /$2/)"
        else
                fail "$3: expected to match /$2/, got: '$1'"
        fi
}

# assert_status EXPECTED WHAT: the last capture's exit status, with its
# output when it differs.
assert_status() {
        LP_CHECKS=$((LP_CHECKS + 1))
        if [ "$LP_STATUS" == "$1" ]; then
                pass "$2 (exit $1)"
        else
                fail "$2: expected exit $1, got $LP_STATUS"
                last_output >&2
        fi
}

# assert_probe EXPECTED WHAT: the last capture ran a probe subcommand that
# printed "SUB: EXPECTED" (ok, EPERM, ...) with the matching exit status.
assert_probe() {
        local line want_status=1
        LP_CHECKS=$((LP_CHECKS + 1))
        [ "$1" = ok ] && want_status=0
        line=$(grep -E '^[a-z0-9-]+: ' <<<"$LP_OUT" | head -n1)
        if [ "${line#*: }" == "$1" ] && [ "$LP_STATUS" == "$want_status" ]; then
                pass "$2 ($line)"
        else
                fail "$2: expected '$1' (exit $want_status), got '${line#*: }' (exit $LP_STATUS)"
                last_output >&2
        fi
}

# status_field NAME: a field of `probe status` in the last capture.
status_field() {
        awk -v k="$1:" '$1 == k { print $2 }' <<<"$LP_OUT"
}

# ---- requirements --------------------------------------------------------------

lp_require_root() {
        [ "$(id -u)" -eq 0 ] || skip "needs root (runs as uid $(id -u))"
}

# lp_enter_probe_dir: into $tmp/shared (readable by uid 65534 too), with
# refused.py there for the Python probes to import, and $PYTHON set to
# the executable python3 is (as findings name it).
lp_enter_probe_dir() {
        cd "$tmp/shared" || fatal "cd $tmp/shared"
        cp "$LP_SOURCE/tests/integration/refused.py" . || fatal "cp refused.py"
        PYTHON=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')
}

lp_require_binaries() {
        [ -x "$LEASTPRIV" ] || fatal "leastpriv binary not found at '$LEASTPRIV'"
        [ -x "$PROBE" ] || fatal "probe helper not found at '$PROBE'"
}

# uid 65534 must be able to reach the binaries (a build under /root cannot).
lp_require_nobody_access() {
        command -v setpriv >/dev/null || skip "setpriv (util-linux) not installed"
        unpriv test -x "$LEASTPRIV" ||
                skip "uid 65534 cannot execute $LEASTPRIV (a parent directory is not searchable)"
        unpriv test -x "$PROBE" || skip "uid 65534 cannot execute $PROBE"
}

# Prints why unprivileged user namespaces are off (empty when they work).
lp_userns_disabled_reason() {
        local f v
        f=/proc/sys/kernel/unprivileged_userns_clone
        if [ -r $f ] && [ "$(cat $f)" = 0 ]; then
                echo "sysctl kernel.unprivileged_userns_clone=0"
                return
        fi
        f=/proc/sys/user/max_user_namespaces
        if [ -r $f ] && [ "$(cat $f)" = 0 ]; then
                echo "sysctl user.max_user_namespaces=0"
                return
        fi
        f=/proc/sys/kernel/apparmor_restrict_unprivileged_userns
        if [ -r $f ] && [ "$(cat $f)" = 1 ]; then
                v="sysctl kernel.apparmor_restrict_unprivileged_userns=1"
        fi
        if ! unpriv unshare --user --map-current-user --net true 2>/dev/null; then
                echo "${v:-unshare --user --net fails for uid 65534 (seccomp or LSM policy of the host?)}"
        fi
}

lp_require_userns() {
        local why
        why=$(lp_userns_disabled_reason)
        [ -z "$why" ] || skip "unprivileged user namespaces are disabled: $why"
}

# ---- readiness -----------------------------------------------------------------

# What the test waits for says so itself: a server or a probe writes a line
# to a FIFO once it is ready, and the test reads it with a bound that fails
# the test when it passes. Nothing guesses how long the other side takes,
# and nothing polls.

# ready_fifo PATH: makes the FIFO PATH, writable by uid 65534 as well (a
# command run as that uid may be the one that writes it).
ready_fifo() {
        rm -f -- "$1"
        mkfifo -m 666 -- "$1" || fatal "mkfifo $1" # -m: not masked by the umask
}

# await_line FIFO SECONDS: prints the first line written to FIFO within
# SECONDS; status 1, printing nothing, when none came. The FIFO is opened
# for reading and writing, so that neither our open nor the writer's waits
# for the other (fifo(7)), and what a writer wrote and closed before our
# read is still there.
await_line() {
        local fd line status=0
        exec {fd}<>"$1" || return 1
        read -r -t "$2" -u "$fd" line || status=1
        exec {fd}<&-
        [ "$status" -eq 0 ] && printf '%s\n' "$line"
        return "$status"
}

# await_text FD TEXT SECONDS: reads lines from the descriptor FD (a FIFO
# the caller opened with `exec {fd}<>FIFO` before starting the writer, and
# keeps open while the writer runs) until one contains TEXT; status 1 when
# SECONDS pass first. The lines read are appended to LP_AWAITED.
await_text() {
        local line left end=$((SECONDS + $3))
        while :; do
                left=$((end - SECONDS))
                [ "$left" -gt 0 ] || return 1
                read -r -t "$left" -u "$1" line || return 1
                LP_AWAITED+="$line"$'\n'
                [[ "$line" == *"$2"* ]] && return 0
        done
}

# await_exit SECONDS PID...: 0 once every PID has exited, 1 when one is
# still there after SECONDS. Through pidfds (poll(2) says when the process
# ends), so it works for processes that are not our children.
await_exit() {
        /usr/bin/python3 - "$@" <<'PY'
import os, select, sys, time
end = time.monotonic() + float(sys.argv[1])
fds = []
for pid in sys.argv[2:]:
    try:
        fds.append(os.pidfd_open(int(pid)))
    except ProcessLookupError:
        pass  # gone already
for fd in fds:
    left = end - time.monotonic()
    if left <= 0 or not select.select([fd], [], [], left)[0]:
        sys.exit(1)
PY
}
