#!/usr/bin/env bash
# The commands that work on profiles alone (docs/architecture.md, "Command line"): check, show, diff
# and syscalls, with their exit statuses (0 ok, 1 diff grants more, 2 error)
# and their FILE:LINE messages. Needs no root and runs nothing sandboxed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# lib.sh's capture, in the directory the test is in (these commands take
# relative paths).
export LP_KEEP_CWD=1

[ -x "$LEASTPRIV" ] || skip "leastpriv binary not found at '$LEASTPRIV' (not built yet?)"
[ -d "$LP_SOURCE/profiles" ] || skip "no profiles directory under LP_SOURCE='$LP_SOURCE'"
# Profiles by name must be the embedded ones, not whatever the caller has.
unset LEASTPRIV_PATH LEASTPRIV_PROFILE
cd "$tmp"

# --- check ----------------------------------------------------------------------
run_lp check "$LP_SOURCE"/profiles/*.profile
assert_status 0 "check of every shipped profile"
for f in "$LP_SOURCE"/profiles/*.profile; do
        assert_contains "$LP_ERR" "$f: ok" "check reports $(basename "$f")"
done

run_lp check base default strict
assert_status 0 "check of the embedded profiles by name"

typo=$(profile typo <<'P'
[Profile]
Description=a typo in a key

[Syscalls]
Alow=read
P
)
run_lp check "$typo"
assert_status 2 "check of an unknown key"
assert_contains "$LP_ERR" "$typo:5: unknown key Alow= in [Syscalls]; did you mean Allow=?" \
        "check: FILE:LINE and did-you-mean for a key"

names=$(profile names <<'P'
[Syscalls]
Allow=ptrce
[Capabilities]
Keep=CAP_NET_RAWW
[Network]
AddressFamilies=AF_INTE
P
)
run_lp check "$names"
assert_status 2 "check of unknown names"
assert_contains "$LP_ERR" "$names:2: unknown syscall 'ptrce'; did you mean 'ptrace'?" "check: syscall typo"
assert_contains "$LP_ERR" "$names:4: unknown capability 'CAP_NET_RAWW'; did you mean CAP_NET_RAW?" \
        "check: capability typo"
assert_contains "$LP_ERR" "$names:6: unknown address family 'AF_INTE'; did you mean AF_INET?" \
        "check: family typo"

# One bad profile among good ones: every one is checked, the status is 2.
run_lp check "$LP_SOURCE/profiles/default.profile" "$typo" "$LP_SOURCE/profiles/strict.profile"
assert_status 2 "check of a bad profile among good ones"
assert_contains "$LP_ERR" "$LP_SOURCE/profiles/strict.profile: ok" "check goes on after an error"

run_lp check "$tmp/does-not-exist.profile"
assert_status 2 "check of a missing file"
assert_contains "$LP_ERR" "No such file or directory" "check: missing file says why"

# --- check --score -------------------------------------------------------------------
# The exposure on the last line of each profile's table, in tenths.
exposure_of() {
        local line
        line=$(grep -E "^Overall exposure of $1: [0-9]+\.[0-9] (OK|MEDIUM|EXPOSED|UNSAFE)$" <<<"$LP_OUT") ||
                { fail "no exposure line for $1 in: $LP_OUT"; return; }
        line=${line##*: }
        line=${line%% *}
        echo "$((10#${line%.*} * 10 + ${line#*.}))"
}

hostnet=$(profile hostnet <<'P'
[Profile]
Include=default
[Network]
Namespace=host
P
)
run_lp check --score strict default "$hostnet"
assert_status 0 "check --score of three valid profiles"
assert_contains "$LP_ERR" "default: ok" "check --score still says ok"
assert_eq 3 "$(grep -c '^Top contributors:$' <<<"$LP_OUT")" "a table and its top contributors per profile"
assert_match "$LP_OUT" '^  CHECK +WEIGHT BADNESS SHARE  FOUND$' "the table's head"
assert_match "$LP_OUT" '^  CAP_SYS_ADMIN +4000 +0/1 +0\.00  not kept$' "a check that finds nothing"
assert_match "$LP_OUT" '^! Namespace= +3000 +8/8 +[0-9.]+  host: ' "a check that finds the host's network"
assert_contains "$LP_OUT" "at $hostnet:4; fix: [Network] Namespace=none" \
        "a top contributor cites its FILE:LINE and the key to change"
strict_score=$(exposure_of strict)
default_score=$(exposure_of default)
host_score=$(exposure_of "$hostnet")
if [ "$strict_score" -lt "$default_score" ] && [ "$default_score" -lt "$host_score" ]; then
        pass "exposures in order: strict $strict_score < default $default_score < host network $host_score"
else
        fail "exposures out of order: strict $strict_score, default $default_score, host network $host_score"
fi
assert_match "$LP_OUT" '^Overall exposure of default: [0-9.]+ OK$' "default is OK"
assert_match "$LP_OUT" "^Overall exposure of $hostnet: [0-9.]+ MEDIUM$" "the host's network is MEDIUM"

# --max-score: 1 above it (strictly), 0 at it; 2 for an invalid profile
# among them wins.
max=$((default_score / 10)).$((default_score % 10))
run_lp check --max-score "$max" strict default
assert_status 0 "--max-score at default's exposure"
assert_contains "$LP_OUT" "Overall exposure of strict" "--max-score implies --score"
run_lp check --max-score "$max" default "$hostnet" strict
assert_status 1 "--max-score below one profile's exposure"
assert_contains "$LP_ERR" "leastpriv: $hostnet: exposure $((host_score / 10)).$((host_score % 10)) is above --max-score $max" \
        "--max-score names the profile above it"
assert_contains "$LP_OUT" "Overall exposure of strict" "--max-score goes on after a profile above it"
run_lp check --max-score 0 "$hostnet" "$typo"
assert_status 2 "an invalid profile outweighs one above --max-score"
run_lp check --score "$typo"
assert_status 2 "check --score of an invalid profile"
assert_eq "" "$LP_OUT" "no table for an invalid profile"
run_lp check --max-score 10.5 default
assert_status 2 "--max-score above 10.0"
assert_contains "$LP_ERR" "--max-score needs an exposure from 0.0 to 10.0, not '10.5'" "--max-score says why"
run_lp show --score default
assert_status 2 "--score belongs to check"

# --- show -------------------------------------------------------------------------
run_lp show default
assert_status 0 "show default"
assert_contains "$LP_OUT" "[Syscalls]" "show prints a profile"
assert_match "$LP_OUT" '^Allow=@file-system +# <embedded>/default\.profile:[0-9]+$' \
        "show cites FILE:LINE"
printf '%s\n' "$LP_OUT" >"$tmp/shown.profile"
run_lp check "$tmp/shown.profile"
assert_status 0 "show's output passes check"
run_lp diff default "$tmp/shown.profile"
assert_status 0 "show's output grants nothing default does not"
assert_eq "" "$LP_OUT" "diff of default and its shown copy prints nothing"
run_lp diff "$tmp/shown.profile" default
assert_status 0 "default grants nothing its shown copy does not"

run_lp show strict
assert_status 0 "show strict"
printf '%s\n' "$LP_OUT" >"$tmp/shown-strict.profile"
run_lp diff strict "$tmp/shown-strict.profile"
assert_status 0 "show strict round trip"

run_lp show "$typo"
assert_status 2 "show of a bad profile"

# --- diff -------------------------------------------------------------------------
run_lp diff default default
assert_status 0 "diff of default with itself"
assert_eq "" "$LP_OUT" "diff of default with itself prints nothing"

run_lp diff "$LP_SOURCE/profiles/default.profile" default
assert_status 0 "diff of the shipped file and the embedded copy"

plus=$(profile plus-ptrace <<'P'
[Profile]
Include=default
[Syscalls]
Allow=ptrace
P
)
run_lp diff default "$plus"
assert_status 1 "diff: an added syscall"
assert_match "$LP_OUT" "^\+ syscall ptrace +\($plus:4\)$" "diff prints the added syscall with +"
assert_eq 0 "$(grep -c '^- ' <<<"$LP_OUT" || true)" "diff: nothing removed"

run_lp diff "$plus" default
assert_status 0 "diff: a removed syscall is no privilege"
assert_match "$LP_OUT" '^- syscall ptrace ' "diff prints the removed syscall with -"

caps=$(profile plus-cap <<'P'
[Profile]
Include=default
[Capabilities]
Keep=net_raw
[Network]
Namespace=host
Forward=tcp:127.0.0.1:5432
P
)
run_lp diff default "$caps"
assert_status 1 "diff: capability, host network and a forward"
assert_match "$LP_OUT" '^\+ capability CAP_NET_RAW ' "diff names the capability"
assert_match "$LP_OUT" '^\+ network host \(no namespace\) ' "diff names the network"
assert_match "$LP_OUT" '^\+ forward tcp:5432=127\.0\.0\.1:5432 ' "diff names the forward"

garbage=$(profile garbage <<'P'
[Syscalls]
this is not a profile
P
)
run_lp diff default "$garbage"
assert_status 2 "diff with a garbage candidate"
assert_contains "$LP_ERR" "$garbage:2: expected Key=Value or [Section]" "diff: FILE:LINE of the error"
run_lp diff "$garbage" default
assert_status 2 "diff with a garbage baseline"
run_lp diff default
assert_status 2 "diff with one operand"

# --- syscalls -----------------------------------------------------------------------
run_lp syscalls
assert_status 0 "syscalls lists the groups"
for g in @default @basic-io @file-system @io-event @ipc @memory @network-io @process \
        @signal @sync @timer @resources @privileged @mount @module @reboot @swap @raw-io \
        @clock @debug @obsolete @cpu-emulation @keyring @namespaces @io-uring @bpf; do
        assert_match "$LP_OUT" "^$g " "syscalls lists $g"
done

run_lp syscalls @file-system
assert_status 0 "syscalls @file-system"
assert_match "$LP_OUT" '^openat$' "@file-system lists openat"
assert_not_contains "$LP_OUT" $'\nmount\n' "@file-system does not list mount"

run_lp syscalls @no-such-group
assert_status 2 "syscalls of an unknown group"
assert_contains "$LP_ERR" "unknown syscall group" "syscalls: unknown group says so"
