#!/usr/bin/env bash
# Network (docs/architecture.md, "Threat model", "Profiles" [Network]): socket() is limited to the
# profile's address families (AF_PACKET and AF_NETLINK/NETLINK_AUDIT are
# refused with EAFNOSUPPORT and reported), a raw inet socket needs
# CAP_NET_RAW (reported as a capability finding), and the command's own
# network namespace reaches neither a server on the host's loopback nor
# the outside world (192.0.2.1, TEST-NET-1, reported with ENETUNREACH).
# Under strict, AF_INET itself is not granted.
#
# Network rule of these tests: traffic goes only to loopback, or to a
# non-loopback address from inside leastpriv's own namespace.
set -uo pipefail
source "$(dirname "$0")/escape-lib.sh"

L_families=$(profile_line base.profile '^AddressFamilies=')
L_sfamilies=$(profile_line strict.profile '^AddressFamilies=AF_UNIX')
L_netns=$(profile_line base.profile '^Namespace=loopback')
L_keep=$(profile_line base.profile '^Keep=')

# A server on the host's 127.0.0.1 for the whole test.
portfile=$tmp/port
ready_fifo "$portfile" # the server writes its port there once it listens
"$PROBE" listen "$portfile" 100 >/dev/null 2>&1 &
server=$!
lp_cleanup() { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
port=$(await_line "$portfile" 10) || fatal "the host loopback server did not start"
# A port of the host's loopback that nothing serves (bound, then let go).
free_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
capture "$PROBE" connect 127.0.0.1 "$port"
expect_result "bare: the host server" connect ok

family_denied() { # W PROFILE FAMILY: a network/socket finding for FAMILY
        local line=$L_families file=base
        [ "$2" = strict ] && line=$L_sfamilies file=strict
        expect_finding "$1: socket $3" "$ESC_F" network socket target="$3" action=denied \
                errno=EAFNOSUPPORT count=1 \
                "rule~^$E/$file\.profile:$line \[Network\] AddressFamilies=" \
                fix="[Network] AddressFamilies=$3"
}

net_checks() {
        local who=$1 prof=$2 w=$1/$2
        esc_run "$who" "$prof" "$PROBE" packet-socket
        expect_refused "$w" packet-socket EAFNOSUPPORT
        family_denied "$w" "$prof" AF_PACKET

        esc_run "$who" "$prof" "$ESCAPE" netlink-audit
        expect_refused "$w" netlink-audit EAFNOSUPPORT
        family_denied "$w" "$prof" AF_NETLINK:AUDIT

        esc_run "$who" "$prof" "$PROBE" raw-socket
        if [ "$prof" = strict ]; then
                expect_refused "$w" raw-socket EAFNOSUPPORT
                family_denied "$w" "$prof" AF_INET
        else
                expect_refused "$w" raw-socket EPERM
                expect_finding "$w: raw socket" "$ESC_F" capability CAP_NET_RAW \
                        "target~^socket\(AF_INET, (3|SOCK_RAW), (1|IPPROTO_ICMP)\)$" \
                        action=denied errno=EPERM count=1 \
                        "rule~^$E/base\.profile:$L_keep \[Capabilities\] Keep=" \
                        fix='[Capabilities] Keep=CAP_NET_RAW'
        fi

        # The host's loopback server is not reachable from the namespace:
        # its 127.0.0.1 is the namespace's own, where nothing listens. A
        # host service the profile does not forward is a finding that
        # names the forward; a port nothing serves on the host is none.
        esc_run "$who" "$prof" "$PROBE" connect 127.0.0.1 "$port"
        if [ "$prof" = strict ]; then
                expect_refused "$w: host loopback server" connect EAFNOSUPPORT
                family_denied "$w" "$prof" AF_INET
        else
                expect_refused "$w: host loopback server" connect ECONNREFUSED
                expect_finding "$w: host loopback server" "$ESC_F" network connect \
                        target="tcp 127.0.0.1:$port" action=denied errno=ECONNREFUSED count=1 \
                        rule="$E/base.profile:$L_netns [Network] Namespace=loopback" \
                        fix="[Network] Forward=tcp:$port"
                esc_run "$who" "$prof" "$PROBE" connect 127.0.0.1 "$free_port"
                expect_refused "$w: a loopback port nothing serves" connect ECONNREFUSED
                expect_no_finding "$w: a loopback port nothing serves" network connect
        fi

        # Only ever inside leastpriv's own namespace (never -p with host).
        esc_run "$who" "$prof" "$PROBE" connect 192.0.2.1 443
        if [ "$prof" = strict ]; then
                expect_refused "$w: 192.0.2.1" connect EAFNOSUPPORT
        else
                expect_refused "$w: 192.0.2.1" connect ENETUNREACH
                expect_finding "$w: connect 192.0.2.1" "$ESC_F" network connect \
                        target='tcp 192.0.2.1:443' action=denied errno=ENETUNREACH count=1 \
                        rule="$E/base.profile:$L_netns [Network] Namespace=loopback" \
                        fix='[Network] Namespace=host'
        fi
}

for who in $(esc_users); do
        net_checks "$who" default
        net_checks "$who" strict
done

# Weakened: the host network, and AF_PACKET/AF_NETLINK granted with
# CAP_NET_RAW kept. The host's loopback server is now reached and the
# sockets are created; nothing of it is reported. (Only loopback is
# contacted with Namespace=host.)
weak=$(profile weak-net <<'PROF'
[Profile]
Include=default
[Capabilities]
Keep=CAP_NET_RAW
[Network]
Namespace=host
AddressFamilies=AF_PACKET AF_NETLINK
PROF
)
esc_run root "$weak" "$PROBE" connect 127.0.0.1 "$port"
expect_result "weakened (Namespace=host)" connect ok
expect_no_finding "weakened (Namespace=host)" network connect
for sub in packet-socket raw-socket; do
        esc_run root "$weak" "$PROBE" $sub
        expect_result "weakened (AddressFamilies=AF_PACKET, Keep=CAP_NET_RAW)" $sub ok
        fget "$ESC_F" network socket
        assert_eq 0 "$F_n" "weakened: $sub: no network finding"
        fget "$ESC_F" capability CAP_NET_RAW
        assert_eq 0 "$F_n" "weakened: $sub: no capability finding"
done
esc_run root "$weak" "$ESCAPE" netlink-audit
expect_result "weakened (AddressFamilies=AF_NETLINK)" netlink-audit ok
expect_no_finding "weakened: netlink-audit" network socket
