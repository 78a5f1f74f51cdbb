#!/usr/bin/env bash
# shellcheck disable=SC2154 # F_* are set by fget (eval)
# --audit (docs/architecture.md, "Command line", "Findings"): nothing is blocked, what enforcement would
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

source "$(dirname "$0")/findings-lib.sh"

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
        capture unshare -n -- env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$(lp_cache_env "$who")" \
                "${pre[@]}" "$LEASTPRIV" "$@"
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
        # A withheld variable is the sandbox working, not the command
        # reaching for a privilege: it fails no gate, and -q does not list it.
        LPX_ENV="GITHUB_TOKEN=x" lpx "$who" run --fail-on-findings --findings "$f" -- "$PROBE" exit 0
        assert_status 0 "$who: --fail-on-findings, exit 0 with only a withheld variable"
        expect_finding "$who: the withheld variable is still a finding" "$f" environment \
                GITHUB_TOKEN action=withheld count=1
        LPX_ENV="GITHUB_TOKEN=x" lpx "$who" run -q -- "$PROBE" exit 0
        assert_eq "" "$LP_ERR" "$who: -q with only a withheld variable prints nothing"
        LPX_ENV="GITHUB_TOKEN=x" lpx "$who" run -- "$PROBE" exit 0
        assert_eq $'leastpriv: note: withheld from the command: GITHUB_TOKEN  ([Environment] Pass=NAME passes one)\nleastpriv: no findings' \
                "$LP_ERR" \
                "$who: a withheld variable is one note line, not a finding"
        LPX_ENV="GITHUB_TOKEN=x" lpx "$who" run -q -- "$PROBE" ptrace-traceme
        assert_contains "$LP_ERR" "leastpriv: 1 finding (1 occurrence)" \
                "$who: -q lists the other findings, without the withheld one"
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
