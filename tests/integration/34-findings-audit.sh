#!/usr/bin/env bash
# shellcheck disable=SC2154 # F_* are set by fget (eval)
# --audit (DESIGN.md §2, §4): nothing is blocked, what enforcement would
# refuse is reported as `audited`; the same command under plain `run` is
# refused and the finding says `denied`. Withheld variables stay withheld.
# Audit uses the host network, so the one non-loopback connect here runs
# inside `unshare -n` (a namespace without routes). --fail-on-findings: 1
# when the command exits 0 and there were findings, else the command's own
# status.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries
command -v unshare >/dev/null || fatal "unshare (util-linux) not installed"

# ---- findings helpers (the same block in each 3N-findings-*.sh) --------------

LP_KEYS="kind operation target action errno count pid exe rule fix first_ms"

# fget FILE KIND OPERATION: parses the JSONL FILE and sets F_lines (lines in
# the file, -1 when unreadable), F_n (findings of that kind and operation),
# F_keys ("ok", or what is wrong with the first bad line: not JSON, keys not
# exactly $LP_KEYS in order) and F_<key> of the first match ("null" for
# JSON null, "<absent>" when there is no match).
fget() {
        local out
        out=$(/usr/bin/python3 - "$1" "$2" "$3" "$LP_KEYS" <<'PY'
import json, shlex, sys
path, kind, op, keys = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
try:
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
except OSError as e:
    print("F_lines=-1 F_n=0 F_keys=" + shlex.quote(str(e)))
    lines = None
if lines is not None:
    bad, hits = "ok", []
    for n, line in enumerate(lines, 1):
        try:
            o = json.loads(line)
        except ValueError as e:
            bad = bad if bad != "ok" else "line %d is not JSON: %s" % (n, e)
            continue
        if list(o) != keys and bad == "ok":
            bad = "line %d has keys %s" % (n, list(o))
        if o.get("kind") == kind and o.get("operation") == op:
            hits.append(o)
    print("F_lines=%d F_n=%d F_keys=%s" % (len(lines), len(hits), shlex.quote(bad)))
    h = hits[0] if hits else {}
    for k in keys:
        v = h.get(k, "<absent>")
        print("F_%s=%s" % (k, shlex.quote("null" if v is None else str(v))))
else:
    for k in keys:
        print("F_%s='<absent>'" % k)
PY
)
        eval "$out"
}

# assert_re TEXT ERE WHAT: bash =~, case-sensitive.
assert_re() {
        LP_CHECKS=$((LP_CHECKS + 1))
        if [[ "$1" =~ $2 ]]; then
                pass "$3 (matches /$2/)"
        else
                fail "$3: expected to match /$2/, got '$1'"
        fi
}

# expect_finding WHAT FILE KIND OPERATION [KEY=VALUE | KEY~ERE]...: exactly
# one finding of KIND and OPERATION in FILE, every line with the keys of §4
# in order, and each named key equal to VALUE (or matching ERE).
expect_finding() {
        local what=$1 file=$2 kind=$3 op=$4 spec k
        shift 4
        fget "$file" "$kind" "$op"
        assert_eq ok "$F_keys" "$what: JSONL lines parse, keys exactly and in order"
        assert_eq 1 "$F_n" "$what: one finding $kind/$op"
        for spec in "$@"; do
                if [[ "$spec" =~ ^([a-z_]+)~(.*)$ ]]; then
                        k="F_${BASH_REMATCH[1]}"
                        assert_re "${!k}" "${BASH_REMATCH[2]}" "$what: ${BASH_REMATCH[1]}"
                elif [[ "$spec" =~ ^([a-z_]+)=(.*)$ ]]; then
                        k="F_${BASH_REMATCH[1]}"
                        assert_eq "${BASH_REMATCH[2]}" "${!k}" "$what: ${BASH_REMATCH[1]}"
                else
                        fatal "expect_finding: bad spec '$spec'"
                fi
        done
}

# lpx root|nobody ARGS...: `leastpriv ARGS` with only PATH (and the words of
# $LPX_ENV) in its environment, as root or as uid 65534.
lpx() {
        local who=$1 pre=()
        shift
        [ "$who" = nobody ] && pre=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups --)
        # shellcheck disable=SC2086 # LPX_ENV is a list of NAME=VALUE words
        capture env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin ${LPX_ENV:-} "${pre[@]}" "$LEASTPRIV" "$@"
}

# probe_errno: what the probe printed after "SUB: " in the last capture.
probe_errno() {
        local line
        line=$(grep -E '^[a-z0-9-]+: ' <<<"$LP_OUT" | head -n1)
        echo "${line#*: }"
}

# profile_line FILE ERE: the number of the first line of profiles/FILE
# matching ERE (the embedded copies are built from these files).
profile_line() {
        local n
        n=$(grep -nE -- "$2" "$LP_SOURCE/profiles/$1" | head -n1 | cut -d: -f1)
        [ -n "$n" ] || fatal "no line /$2/ in profiles/$1"
        echo "$n"
}

cd "$tmp/shared" || fatal "cd $tmp/shared"
E='<embedded>'
L_debug=$(profile_line default.profile '^Deny=.*@debug')
L_netns=$(profile_line base.profile '^Namespace=loopback')
L_token=$(profile_line base.profile '^Withhold=.*\*TOKEN\*')

# lpx_netns root|nobody ARGS...: lpx inside a new, empty network namespace
# (made by root; then dropped to uid 65534 for nobody).
lpx_netns() {
        local who=$1 pre=()
        shift
        [ "$who" = nobody ] && pre=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups --)
        capture unshare -n -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${pre[@]}" "$LEASTPRIV" "$@"
}

audit_checks() {
        local who=$1 f=$tmp/shared/audit-$1.jsonl

        # -- a denied syscall: allowed and reported --------------------------------
        rm -f "$f"
        lpx "$who" run --audit --findings "$f" -- "$PROBE" ptrace-traceme
        assert_probe ok "$who: --audit: ptrace-traceme succeeds"
        expect_finding "$who: --audit ptrace" "$f" syscall ptrace \
                target='ptrace(PTRACE_TRACEME)' action=audited "errno~^(EPERM|null)$" count=1 \
                exe="$PROBE" rule="$E/default.profile:$L_debug [Syscalls] Deny=@debug" \
                fix='[Syscalls] Allow=ptrace'
        assert_match "$LP_ERR" '^leastpriv: +audited +syscall ptrace\(PTRACE_TRACEME\) x1' \
                "$who: --audit: the summary says audited"

        rm -f "$f"
        lpx "$who" run --findings "$f" -- "$PROBE" ptrace-traceme
        assert_probe EPERM "$who: plain run: ptrace-traceme refused"
        expect_finding "$who: plain ptrace" "$f" syscall ptrace action=denied errno=EPERM count=1
        assert_match "$LP_ERR" '^leastpriv: +denied +syscall ptrace\(PTRACE_TRACEME\) x1' \
                "$who: plain run: the summary says denied"

        # -- a non-loopback connect: only ever inside unshare -n ---------------------
        rm -f "$f"
        lpx_netns "$who" run --audit --findings "$f" -- "$PROBE" connect 192.0.2.1 443
        assert_probe ENETUNREACH "$who: --audit in unshare -n: connect 192.0.2.1:443 (the empty namespace's answer)"
        expect_finding "$who: --audit connect" "$f" network connect \
                target='tcp 192.0.2.1:443' action=audited count=1 exe="$PROBE" \
                rule="$E/base.profile:$L_netns [Network] Namespace=loopback"

        # -- capabilities stay as they were: root's bind 80 works, reported -----------
        if [ "$who" = root ]; then
                rm -f "$f"
                lpx_netns "$who" run --audit --findings "$f" -- "$PROBE" bind 80
                assert_probe ok "$who: --audit in unshare -n: bind 80 keeps root's CAP_NET_BIND_SERVICE"
                expect_finding "$who: --audit bind" "$f" capability CAP_NET_BIND_SERVICE \
                        target='bind tcp 0.0.0.0:80' action=audited count=1 \
                        fix='[Capabilities] Keep=CAP_NET_BIND_SERVICE'
        fi

        # -- withheld stays withheld ----------------------------------------------------
        rm -f "$f"
        LPX_ENV="GITHUB_TOKEN=x" lpx "$who" run --audit --findings "$f" -- "$PROBE" getenv GITHUB_TOKEN
        assert_probe unset "$who: --audit: GITHUB_TOKEN still withheld"
        expect_finding "$who: --audit env" "$f" environment GITHUB_TOKEN action=withheld count=1 \
                rule="$E/base.profile:$L_token [Environment] Withhold=*TOKEN*"

        # -- --fail-on-findings -----------------------------------------------------------
        lpx "$who" run --fail-on-findings -- "$PROBE" exit 0
        assert_status 0 "$who: --fail-on-findings, exit 0, no findings"
        lpx "$who" run --fail-on-findings -- /bin/sh -c "'$PROBE' ptrace-traceme; exit 0"
        assert_status 1 "$who: --fail-on-findings, exit 0 with a denied finding"
        lpx "$who" run --fail-on-findings --audit -- "$PROBE" ptrace-traceme
        assert_status 1 "$who: --fail-on-findings --audit, exit 0 with an audited finding"
        LPX_ENV="GITHUB_TOKEN=x" lpx "$who" run --fail-on-findings -- "$PROBE" exit 0
        assert_status 1 "$who: --fail-on-findings, exit 0 with a withheld variable"
        lpx "$who" run --fail-on-findings -- /bin/sh -c "'$PROBE' ptrace-traceme; exit 3"
        assert_status 3 "$who: --fail-on-findings, the command's own non-zero status wins"
        lpx "$who" run --fail-on-findings -- "$PROBE" exit 4
        assert_status 4 "$who: --fail-on-findings, no findings, the command's own status"
        lpx "$who" run --fail-on-findings -- /bin/sh -c "'$PROBE' ptrace-traceme; '$PROBE' kill-self TERM"
        assert_status 143 "$who: --fail-on-findings, killed by a signal: 128+N"
        lpx "$who" run -- /bin/sh -c "'$PROBE' ptrace-traceme; exit 0"
        assert_status 0 "$who: without --fail-on-findings, findings do not change exit 0"
}

audit_checks root

lp_require_nobody_access
why=$(lp_userns_disabled_reason)
[ -z "$why" ] || skip "root checks done; uid 65534 needs user namespaces: $why"
audit_checks nobody
