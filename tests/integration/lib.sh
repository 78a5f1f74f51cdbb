# shellcheck shell=bash
# Common helpers for tests/integration/NN-*.sh (sourced, not run).
#
# CTest passes LEASTPRIV (the binary), LP_BUILD, LP_SOURCE and LP_HELPERS
# (the directory of tests/helpers/*.c programs); run by hand, the defaults
# below find a build in ./build. Exit 77 means "skipped" to CTest.
#
# Assertions do not stop the script: each failure is printed with what was
# expected and what came instead, counted, and the script exits 1 at the end
# if any failed. `skip` and `fatal` stop at once.

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

skip() {
        echo "SKIP $LP_TEST: $*" >&2
        exit 77
}

fatal() {
        echo "FATAL $LP_TEST: $*" >&2
        LP_FAILURES=$((LP_FAILURES + 1))
        exit 1
}

fail() {
        LP_FAILURES=$((LP_FAILURES + 1))
        echo "FAIL: $*" >&2
}

pass() {
        echo "ok: $*"
}

note() {
        echo "note: $*"
}

# Runs last: calls the test's lp_cleanup function if it defines one,
# removes the temporary directory and turns recorded failures
# into the exit status (1, even after a skip; otherwise a skip's 77 and
# a fatal's 1 are kept).
lp_on_exit() {
        local status=$?
        # Only the test's own shell cleans up, never a subshell.
        [ "$BASHPID" = "$$" ] || return
        declare -F lp_cleanup >/dev/null && lp_cleanup
        [ -n "${tmp:-}" ] && [ -d "$tmp" ] && rm -rf -- "$tmp"
        # A failure recorded before a skip (the root half failed, then the
        # uid 65534 half cannot run) is still a failure.
        if [ "$LP_FAILURES" -gt 0 ]; then
                echo "$LP_TEST: $LP_FAILURES of $LP_CHECKS checks failed" >&2
                exit 1
        fi
        if [ "$status" -eq 77 ]; then
                exit 77
        fi
        if [ "$status" -ne 0 ]; then
                exit "$status"
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
mkdir -m 1777 "$tmp/shared"

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
        capture setpriv --reuid=$NOBODY_UID --regid=$NOBODY_GID --clear-groups -- "$LEASTPRIV" "$@"
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

# wait_for_text FILE TEXT SECONDS: 0 once FILE contains TEXT.
wait_for_text() {
        local i
        for ((i = 0; i < $3 * 10; i++)); do
                grep -qF -- "$2" "$1" 2>/dev/null && return 0
                sleep 0.1
        done
        return 1
}

# wait_for_file FILE SECONDS
wait_for_file() {
        local i
        for ((i = 0; i < $2 * 10; i++)); do
                [ -s "$1" ] && return 0
                sleep 0.1
        done
        return 1
}
