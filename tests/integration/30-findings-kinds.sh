#!/usr/bin/env bash
# shellcheck disable=SC2154 # F_* are set by fget (eval)
# Findings of each kind (docs/architecture.md, "Findings") under the real launcher: one probe per
# kind, the --findings JSONL line checked key by key (the keys and their
# order are exactly those of §4), including the profile line that decided
# it (`rule`) and the one that would grant it (`fix`). Runs from a directory
# without ./profiles, so the profiles embedded in the binary are the ones
# used and cited as <embedded>/NAME.profile:LINE.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

source "$(dirname "$0")/findings-lib.sh"

cd "$tmp/shared" || fatal "cd $tmp/shared"
[ ! -e profiles ] || fatal "$tmp/shared/profiles exists"

# ---- the lines the findings must cite ------------------------------------------

E='<embedded>'
L_debug=$(profile_line default.profile '^Deny=.*@debug')
L_netns=$(profile_line base.profile '^Namespace=loopback')
L_families=$(profile_line base.profile '^AddressFamilies=')
L_keep=$(profile_line base.profile '^Keep=')
L_token=$(profile_line base.profile '^Withhold=.*\*TOKEN\*')

keep_bind=$(profile keep-bind <<'EOF'
[Profile]
Include=default

[Capabilities]
Keep=CAP_NET_BIND_SERVICE
EOF
)
kill_ptrace=$(profile kill-ptrace <<'EOF'
[Profile]
Include=default

[Syscalls]
Deny=ptrace:kill
EOF
)
L_kill=$(grep -n '^Deny=ptrace:kill' "$kill_ptrace" | cut -d: -f1)

kinds_checks() {
        local who=$1 f=$tmp/shared/findings-$1.jsonl errno_seen
        local own=$tmp/shared/own-$who

        # -- syscall ---------------------------------------------------------
        rm -f "$f"
        lpx "$who" run --findings "$f" -- "$PROBE" ptrace-traceme
        assert_probe EPERM "$who: ptrace-traceme denied"
        expect_finding "$who: syscall" "$f" syscall ptrace \
                target='ptrace(PTRACE_TRACEME)' action=denied errno=EPERM count=1 \
                "pid~^[1-9][0-9]*$" exe="$PROBE" \
                rule="$E/default.profile:$L_debug [Syscalls] Deny=@debug" \
                fix='[Syscalls] Allow=ptrace' "first_ms~^[0-9]+$"
        assert_eq 1 "$F_lines" "$who: syscall: nothing else reported"
        assert_contains "$LP_ERR" "leastpriv: 1 finding (1 occurrence)" "$who: syscall: summary"

        # -- network: connect to where the namespace does not reach -----------
        # (192.0.2.1 only ever inside leastpriv's own namespace: plain run)
        # As root, the network observer counts destinations in the kernel
        # (45-run-net-observer.sh): a UDP send is its `sendmsg`, whichever
        # syscall made it, and a probe that exits right after its call may
        # be gone before its executable is read (supervise/exec_names.h).
        local mmsg=sendmmsg net_exe
        net_exe="^$(sed 's/[.[\*^$]/\\&/g' <<<"$PROBE")\$"
        lpx "$who" run -v -- "$PROBE" exit 0
        if [[ "$LP_ERR" == *"network observer: attached"* ]]; then
                mmsg=sendmsg
                # gone before its executable is read, and no exec program
                # (the filesystem observer's) to name it: its thread's name
                [[ "$LP_ERR" == *"filesystem observer: attached"* ]] ||
                        net_exe="^($(sed 's/[.[\*^$]/\\&/g' <<<"$PROBE")|\\[probe\\])\$"
        fi
        rm -f "$f"
        lpx "$who" run --findings "$f" -- "$PROBE" connect 192.0.2.1 443
        assert_probe ENETUNREACH "$who: connect 192.0.2.1:443 unreachable"
        expect_finding "$who: network connect" "$f" network connect \
                target='tcp 192.0.2.1:443' action=denied errno=ENETUNREACH count=1 \
                "exe~$net_exe" rule="$E/base.profile:$L_netns [Network] Namespace=loopback" \
                fix='[Network] Namespace=host'

        # -- network: sendmsg and sendmmsg, the address inside the message -----
        rm -f "$f"
        lpx "$who" run --findings "$f" -- "$PROBE" udp-sendmsg 192.0.2.1 5300
        assert_probe ENETUNREACH "$who: sendmsg to 192.0.2.1:5300 unreachable"
        expect_finding "$who: network sendmsg" "$f" network sendmsg \
                target='udp 192.0.2.1:5300' action=denied errno=ENETUNREACH count=1 \
                "exe~$net_exe" rule="$E/base.profile:$L_netns [Network] Namespace=loopback" \
                fix='[Network] Namespace=host'
        assert_eq 1 "$F_lines" "$who: sendmsg: nothing else reported"
        rm -f "$f"
        lpx "$who" run --findings "$f" -- "$PROBE" udp-sendmsg 127.0.0.1 9
        assert_probe ok "$who: sendmsg to 127.0.0.1:9 sent"
        assert_contains "$LP_ERR" "leastpriv: no findings" "$who: sendmsg to loopback: no finding"
        # The loopback datagram goes; the outside one is the finding, once
        # for the sendmmsg that stopped at it and once for the retry.
        rm -f "$f"
        lpx "$who" run --findings "$f" -- "$PROBE" udp-sendmmsg 192.0.2.1 5300
        assert_probe ENETUNREACH "$who: sendmmsg stops at 192.0.2.1:5300"
        assert_contains "$LP_OUT" "sent: 1" "$who: sendmmsg: the loopback datagram was sent"
        expect_finding "$who: network sendmmsg" "$f" network "$mmsg" \
                target='udp 192.0.2.1:5300' action=denied errno=ENETUNREACH count=2 \
                "exe~$net_exe" fix='[Network] Namespace=host'
        assert_eq 1 "$F_lines" "$who: sendmmsg: nothing else reported"

        # -- network: a socket family not granted ------------------------------
        rm -f "$f"
        lpx "$who" run --findings "$f" -- "$PROBE" socket AF_PACKET
        assert_probe EAFNOSUPPORT "$who: socket(AF_PACKET) refused"
        expect_finding "$who: network socket" "$f" network socket \
                target=AF_PACKET action=denied errno=EAFNOSUPPORT count=1 exe="$PROBE" \
                "rule~^$E/base\.profile:$L_families \[Network\] AddressFamilies=" \
                fix='[Network] AddressFamilies=AF_PACKET'

        # -- capability: bind below 1024 ---------------------------------------
        rm -f "$f"
        lpx "$who" run --findings "$f" -- "$PROBE" bind 80
        assert_probe EACCES "$who: bind 80 without CAP_NET_BIND_SERVICE"
        # The profile line that left the capability out: base's Keep=.
        expect_finding "$who: capability bind" "$f" capability CAP_NET_BIND_SERVICE \
                target='bind tcp 0.0.0.0:80' action=denied errno=EACCES count=1 exe="$PROBE" \
                "rule~^$E/base\.profile:$L_keep \[Capabilities\] Keep=" \
                fix='[Capabilities] Keep=CAP_NET_BIND_SERVICE'

        rm -f "$f"
        lpx "$who" run -p "$keep_bind" --findings "$f" -- "$PROBE" bind 80
        assert_probe ok "$who: bind 80 with Keep=CAP_NET_BIND_SERVICE"
        fget "$f" capability CAP_NET_BIND_SERVICE
        assert_eq 0 "$F_lines" "$who: Keep=CAP_NET_BIND_SERVICE: no finding at all"
        assert_contains "$LP_ERR" "leastpriv: no findings" "$who: Keep=CAP_NET_BIND_SERVICE: summary"

        # -- capability: raw socket --------------------------------------------
        rm -f "$f"
        lpx "$who" run --findings "$f" -- "$PROBE" raw-socket
        assert_probe EPERM "$who: raw socket without CAP_NET_RAW"
        expect_finding "$who: capability raw" "$f" capability CAP_NET_RAW \
                "target~^socket\(AF_INET, (3|SOCK_RAW), (1|IPPROTO_ICMP)\)$" \
                action=denied errno=EPERM count=1 exe="$PROBE" \
                "rule~^$E/base\.profile:$L_keep \[Capabilities\] Keep=" \
                fix='[Capabilities] Keep=CAP_NET_RAW'

        # -- capability: chown to another owner ---------------------------------
        rm -f "$f" "$own"
        touch "$own" && chmod 666 "$own"
        [ "$who" = nobody ] && chown $NOBODY_UID:$NOBODY_GID "$own"
        lpx "$who" run --findings "$f" -- "$PROBE" chown "$own" 1000
        errno_seen=$(probe_errno)
        assert_ne ok "$errno_seen" "$who: chown to uid 1000 fails"
        expect_finding "$who: capability chown" "$f" capability CAP_CHOWN \
                target="chown(\"$own\")" action=denied count=1 exe="$PROBE" \
                "rule~^$E/base\.profile:$L_keep \[Capabilities\] Keep=" \
                fix='[Capabilities] Keep=CAP_CHOWN'
        # The errno reported is the one the command got.
        assert_eq "$errno_seen" "$F_errno" "$who: chown: finding errno = the errno the command saw"
        assert_eq "$(stat -c %u "$own")" "$([ "$who" = nobody ] && echo $NOBODY_UID || echo 0)" \
                "$who: chown: owner unchanged"

        # -- environment ---------------------------------------------------------
        rm -f "$f"
        LPX_ENV="GITHUB_TOKEN=x" lpx "$who" run --findings "$f" -- "$PROBE" getenv GITHUB_TOKEN
        assert_probe unset "$who: GITHUB_TOKEN withheld"
        expect_finding "$who: environment" "$f" environment GITHUB_TOKEN \
                target=GITHUB_TOKEN action=withheld errno=null count=1 \
                rule="$E/base.profile:$L_token [Environment] Withhold=*TOKEN*" \
                fix='[Environment] Pass=GITHUB_TOKEN'
        assert_eq 1 "$F_lines" "$who: environment: only GITHUB_TOKEN (env -i)"

        # -- killed --------------------------------------------------------------
        rm -f "$f"
        lpx "$who" run -p "$kill_ptrace" --findings "$f" -- "$PROBE" ptrace-traceme
        assert_status 159 "$who: Deny=ptrace:kill kills (128+SIGSYS)"
        assert_not_contains "$LP_OUT" "ptrace-traceme:" "$who: ... before ptrace returned"
        expect_finding "$who: killed" "$f" syscall ptrace \
                target='ptrace(PTRACE_TRACEME)' action=killed errno=null count=1 exe="$PROBE" \
                "rule~^$(sed 's/[.[\*^$]/\\&/g' <<<"$kill_ptrace"):$L_kill \[Syscalls\] Deny=ptrace(:kill)?$" \
                fix='[Syscalls] Allow=ptrace'
}

kinds_checks root

# From the source tree, ./profiles is found first and cited as such.
f=$tmp/shared/findings-cwd.jsonl
(cd "$LP_SOURCE" && LP_KEEP_CWD=1 lpx root run --findings "$f" -- "$PROBE" ptrace-traceme &&
        declare -p LP_STATUS LP_OUT LP_ERR LP_LAST >"$tmp/cwd.capture")
# shellcheck disable=SC1091
source "$tmp/cwd.capture"
assert_probe EPERM "root, cwd = source tree: ptrace-traceme denied"
expect_finding "root, cwd = source tree" "$f" syscall ptrace \
        rule="./profiles/default.profile:$L_debug [Syscalls] Deny=@debug"

lp_require_nobody_access
why=$(lp_userns_disabled_reason)
[ -z "$why" ] || skip "root checks done; uid 65534 needs user namespaces: $why"
kinds_checks nobody
