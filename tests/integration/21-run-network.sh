#!/usr/bin/env bash
# Network under `leastpriv run`: a new namespace with only lo, so loopback
# servers inside work while the host's own listening ports and the outside
# world are out of reach.
#
# Hard rule for this file: on the host network we only ever talk to
# 127.0.0.1. Non-loopback destinations are tried only inside leastpriv's
# own namespace, never bare.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
lp_require_root
lp_require_binaries

host_ns=$(readlink /proc/self/ns/net)

# A loopback server on the host, for the "host ports are out of reach" check.
# It writes its port to a FIFO once it listens.
ready_fifo "$tmp/port"
"$PROBE" listen "$tmp/port" 90 >/dev/null 2>&1 &
server=$!
lp_cleanup() {
        kill "$server" 2>/dev/null
        wait "$server" 2>/dev/null
}
port=$(await_line "$tmp/port" 10) || fatal "the host loopback server did not start"
# A port of the host's loopback that nothing serves (bound, then let go).
free_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

capture "$PROBE" connect 127.0.0.1 "$port"
assert_probe ok "bare: host server on 127.0.0.1:$port reachable (control)"

nsonly=$(profile nsnone <<'P'
[Profile]
Include=default
[Network]
Namespace=none
P
)

network_checks() {
        local who=$1
        as_user "$who" run -- "$PROBE" netns
        assert_status 0 "$who: probe netns"
        assert_ne "$host_ns" "$LP_OUT" "$who: network namespace differs from the host's"

        as_user "$who" run -- "$PROBE" netdevs
        assert_status 0 "$who: probe netdevs"
        assert_eq "lo" "$(tr '\n' ' ' <<<"$LP_OUT" | sed 's/ $//')" "$who: only lo in the namespace"

        as_user "$who" run -- "$PROBE" connect 127.0.0.1 "$port"
        assert_ne "connect: ok" "$LP_OUT" "$who: host's 127.0.0.1:$port unreachable from inside"
        assert_match "$LP_OUT" '^connect: (ECONNREFUSED|ENETUNREACH|EPERM|EACCES)$' \
                "$who: ... refused, not hanging"

        as_user "$who" run -- "$PROBE" loopback-tcp
        assert_probe ok "$who: loopback TCP server and client inside"

        # 0.0.0.0 as a destination is this host: Linux sends it to lo. The
        # refused connect (nothing listens there inside) is no finding.
        as_user "$who" run --findings "$tmp/shared/any.jsonl" -- "$PROBE" connect 0.0.0.0 "$free_port"
        assert_eq "connect: ECONNREFUSED" "$LP_OUT" "$who: 0.0.0.0 reaches the sandbox's lo"
        assert_not_contains "$(cat "$tmp/shared/any.jsonl")" '"kind":"network"' \
                "$who: ... and is no network finding"

        # Only inside leastpriv: a documentation address (RFC 5737) that no
        # route in the sandbox's namespace leads to.
        as_user "$who" run -- "$PROBE" connect 192.0.2.1 443
        assert_ne "connect: ok" "$LP_OUT" "$who: 192.0.2.1:443 unreachable from inside"
        assert_match "$LP_OUT" '^connect: (ENETUNREACH|EHOSTUNREACH|EPERM|EACCES)$' \
                "$who: ... fails at once (no route), not by timeout"

        as_user "$who" run -- "$PROBE" connect ::1 "$port"
        assert_match "$LP_OUT" '^connect: (ECONNREFUSED|ENETUNREACH|EADDRNOTAVAIL|EPERM)$' \
                "$who: IPv6 loopback inside is not the host's"

        # Route netlink (getifaddrs) is granted; no other netlink protocol.
        as_user "$who" run -- "$PROBE" socket AF_NETLINK
        assert_probe ok "$who: socket(AF_NETLINK, NETLINK_ROUTE) allowed (AF_NETLINK:ROUTE)"
        # glibc's if_nameindex() asks route netlink.
        as_user "$who" run -- /usr/bin/python3 -c \
                'import socket; print(" ".join(n for _, n in socket.if_nameindex()))'
        assert_eq "lo" "$LP_OUT" "$who: route netlink shows the namespace's lo alone"
        as_user "$who" run --findings "$tmp/shared/$who-nl.jsonl" -- "$PROBE" socket AF_NETLINK:AUDIT
        assert_probe EAFNOSUPPORT "$who: socket(AF_NETLINK, NETLINK_AUDIT) outside AddressFamilies"
        fget "$tmp/shared/$who-nl.jsonl" network socket
        assert_eq "AF_NETLINK:AUDIT" "$F_target" "$who: the finding names the netlink protocol"
        assert_eq "[Network] AddressFamilies=AF_NETLINK:AUDIT" "$F_fix" \
                "$who: ... and the fix grants that protocol alone"
        as_user "$who" run -- "$PROBE" packet-socket
        assert_probe EAFNOSUPPORT "$who: socket(AF_PACKET) outside AddressFamilies"
        as_user "$who" run -- "$PROBE" socket AF_UNIX
        assert_probe ok "$who: socket(AF_UNIX) allowed"
        as_user "$who" run -- "$PROBE" socket AF_INET6
        assert_probe ok "$who: socket(AF_INET6) allowed"
        as_user "$who" run -- "$PROBE" raw-socket
        assert_probe EPERM "$who: raw ICMP socket refused (no CAP_NET_RAW)"

        as_user "$who" run -p "$nsonly" -- "$PROBE" netns
        assert_ne "$host_ns" "$LP_OUT" "$who: Namespace=none is a new namespace too"
        as_user "$who" run -p "$nsonly" -- "$PROBE" loopback-tcp
        assert_match "$LP_OUT" '^loopback-tcp: E' "$who: Namespace=none: lo is down, loopback TCP fails"
}

network_checks root

lp_require_nobody_access
why=$(lp_userns_disabled_reason)
[ -z "$why" ] || skip "root checks done; uid 65534 needs user namespaces: $why"
network_checks nobody

# The host server is still there: the sandbox did not take it down.
capture "$PROBE" connect 127.0.0.1 "$port"
assert_probe ok "bare: host server still reachable afterwards"
