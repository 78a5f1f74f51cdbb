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
#   "...", and the supervisor still answers the next call;
# - names chosen to deceive the reader (README, "Findings"): a path that
#   closes its own quote, a right-to-left override, controls, separators,
#   zero-width characters and bytes that are not UTF-8, in string
#   arguments, in a path the rules refuse and in the executable's name.
#   The summary shows each escaped, with its quotes paired; the JSON Lines
#   parse, and give each string back exactly where it was UTF-8.
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
        timeout -k 5 60 env -i PATH=/usr/bin:/bin "$(lp_cache_env "$who")" "${pre[@]}" "$LEASTPRIV" run --findings "$f" -- \
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

# check_names JSONL STDERR EXE PATH...: what a reader relies on in the
# reports of the run below, one "name value" line per check.
check_names() {
        /usr/bin/python3 - "$@" <<'PY'
import json, os, sys
jsonl, stderr, exe = sys.argv[1], sys.argv[2], os.fsencode(sys.argv[3])
ro_file = os.fsencode(sys.argv[4])
raw = open(jsonl, "rb").read()
text = open(stderr, "rb").read()

def say(name, value):
    print(name, "yes" if value else "no")

# The summary: UTF-8, no character a terminal obeys or does not show,
# every quote of a finding's line paired once escapes are skipped.
hidden = {c for c in range(0x20)} | {0x7f} | set(range(0x80, 0xa0)) | {0x2028, 0x2029, 0x61c} \
    | set(range(0x200b, 0x2010)) | set(range(0x202a, 0x202f)) | set(range(0x2066, 0x206a)) \
    | {0x2060, 0xfeff}
try:
    shown = text.decode("utf-8")
    say("text-utf8", True)
except UnicodeDecodeError:
    shown = text.decode("utf-8", "replace")
    say("text-utf8", False)
say("text-nothing-hidden", all(ord(c) not in hidden for c in shown.replace("\n", "")))
def paired(line):
    quotes, i = 0, 0
    while i < len(line):
        if line[i] == "\\":
            i += 1
        elif line[i] == '"':
            quotes += 1
        i += 1
    return quotes % 2 == 0
say("text-quotes-paired", all(paired(l) for l in shown.splitlines()))

# The JSON Lines: valid UTF-8, U+2028 escaped, every line an object; the
# targets and the executable exactly, U+FFFD for the byte that is not UTF-8.
try:
    raw.decode("utf-8")
    say("json-utf8", True)
except UnicodeDecodeError:
    say("json-utf8", False)
say("json-no-raw-separator", b"\xe2\x80\xa8" not in raw and b"\\u2028" in raw)
# str.splitlines() ends a line at U+2028 too, as many readers do: the
# file must parse read that way as well.
try:
    lines = [json.loads(l) for l in raw.decode("utf-8", "replace").splitlines()]
    say("json-parses-line-by-line", True)
except ValueError:
    lines = []
    say("json-parses-line-by-line", False)
targets = {(o["kind"], o["target"]): o for o in lines}
exe_text = exe.decode("utf-8")
for name, target in [
    ("json-quote", 'chroot("/tmp/a\\" denied 0 times")'),
    ("json-rlo", 'chroot("/tmp/\u202etxt.exe")'),
    ("json-mixed", 'chroot("/tmp/\x1b[2J\u2028\u200b\\\\x1b\ufffd")'),
]:
    o = targets.get(("syscall", target))
    say(name, o is not None and o["exe"] == exe_text and o["action"] == "denied")
fs = [o for o in lines if o["kind"] == "filesystem"]
say("json-path-exact", len(fs) == 1 and fs[0]["target"].encode("utf-8") == ro_file)
PY
}

# hostile_names_checks root|nobody
hostile_names_checks() {
        local who=$1 f=$tmp/shared/names-$1.jsonl ro=$tmp/shared/ro-$1
        # UTF-8 spelt byte by byte: $'\u202e' depends on the locale.
        local rlo_char=$'\xe2\x80\xae' zwsp=$'\xe2\x80\x8b' ls=$'\xe2\x80\xa8'
        local exe=$LP_BIN/probe$rlo_char${zwsp}hs.gpj$'\n'x
        local quote='/tmp/a" denied 0 times' rlo=/tmp/${rlo_char}txt.exe
        local mixed=/tmp/$'\e[2J'$ls$zwsp'\x1b'$'\xff'
        local name=$'\xe2\x81\xa6''a" x9  [true]'$'\xe2\x81\xa9'
        cp "$PROBE" "$exe"
        mkdir -m 1777 "$ro"
        local names
        names=$(default_plus "names-$who" "[Filesystem]"$'\n'"ReadOnlyPaths=$ro"$'\n')
        rm -f "$f"
        lpx "$who" run -p "$names" --findings "$f" -- /bin/sh -c \
                '"$0" chroot "$1"; "$0" chroot "$2"; "$0" chroot "$3"; "$0" write-file "$4"; exit 3' \
                "$exe" "$quote" "$rlo" "$mixed" "$ro/$name"
        assert_status 3 "$who: hostile names: the command's own status"
        assert_eq 3 "$(grep -c '^chroot: EPERM$' <<<"$LP_OUT")" "$who: hostile names: three chroots refused"
        assert_contains "$LP_OUT" "write-file: EROFS" "$who: hostile names: the write refused"
        assert_eq 0 "$(find "$ro" -mindepth 1 | wc -l)" "$who: hostile names: nothing written"

        local shown_exe="$LP_BIN/probe\\u{202E}\\u{200B}hs.gpj\\x0ax"
        assert_contains "$LP_ERR" "syscall chroot(\"/tmp/a\\\" denied 0 times\") x1  [$shown_exe]" \
                "$who: summary: the quote in the path is escaped, the line is the one leastpriv wrote"
        assert_contains "$LP_ERR" 'syscall chroot("/tmp/\u{202E}txt.exe") x1' \
                "$who: summary: the right-to-left override is shown, not obeyed"
        assert_contains "$LP_ERR" 'syscall chroot("/tmp/\x1b[2J\u{2028}\u{200B}\\x1b\xff") x1' \
                "$who: summary: ESC, U+2028, U+200B, a backslash and a byte that is not UTF-8"
        assert_contains "$LP_ERR" "$ro/\\u{2066}a\\\" x9  [true]\\u{2069} x1" \
                "$who: summary: a refused path: isolates and the quote escaped"
        local check
        for check in $(check_names "$f" "$tmp/.err" "$exe" "$ro/$name" | awk '{print $1 "=" $2}'); do
                assert_eq yes "${check#*=}" "$who: hostile names: ${check%=*}"
        done
        assert_eq 10 "$(check_names "$f" "$tmp/.err" "$exe" "$ro/$name" | grep -c ' yes$')" \
                "$who: hostile names: every check ran and held"
}

hostile_checks root
hostile_names_checks root

# The command puts a FIFO where its findings go, and exits: nobody will
# read it. The run says it cannot write them (125), at once, rather than
# waiting for a reader forever (the guard timeout would show a hang).
fifo_report=$tmp/shared/fifo.jsonl
LP_GUARD=30 run_lp run --findings "$fifo_report" -- sh -c "rm -f '$fifo_report'; mkfifo '$fifo_report'"
assert_status 125 "findings path replaced by a FIFO nobody reads: exit 125, no hang"
assert_contains "$LP_ERR" "--findings $fifo_report: cannot write the findings: No such device or address" \
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
hostile_names_checks nobody
