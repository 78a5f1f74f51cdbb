#!/usr/bin/env bash
# The outside route (docs/architecture.md, "The outside route"): where the
# network observer is not had (not root; root where the kernel refuses
# BPF), the command's namespace routes every outside address to a TUN
# device that the supervisor reads. Its connects and sends are plain
# syscalls, so its own loopback traffic never waits for the supervisor,
# and each packet to an outside address is a finding with an exact count,
# answered at once: a connect fails with ENETUNREACH, a datagram is sent
# and answered "port unreachable", a DNS query is answered REFUSED and its
# name reported.
# (Every outside address here is only ever used inside leastpriv's own
# network namespace: the route ends at the supervisor, nothing leaves.)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries
[ -e /dev/net/tun ] || skip "no /dev/net/tun on this host (no TUN driver): there is no outside route to test"

lp_enter_probe_dir
cp "$LP_SOURCE/tests/integration/dest.py" . || fatal "cp dest.py"

# A TUN node of the test's own, for uid 65534 (the host's may be root's
# alone), and a root-only file that stands for a node uid 65534 cannot open.
mknod -m 666 "$tmp/tun" c 10 200 || fatal "mknod $tmp/tun"
: >"$tmp/no-tun" && chmod 600 "$tmp/no-tun" || fatal "$tmp/no-tun"

# totals FILE: the network findings, "operation target errno action
# count", their counts summed over the programs named, sorted; the
# outside route's dropped packets (none, or some of a flood) are added to
# the flood's destination, and said on a line of their own.
totals() {
        python3 - "$1" <<'PY'
import json, sys
sums, dropped = {}, 0
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if o["kind"] != "network":
        continue
    if "queue could not hold" in o["target"]:
        dropped += o["count"]
        continue
    key = "%s %s %s %s" % (o["operation"], o["target"], o["errno"], o["action"])
    sums[key] = sums.get(key, 0) + o["count"]
flood = "sendmsg udp 198.51.100.7:9 None denied"
if flood in sums:
    sums[flood] += dropped
    dropped = 0
print("\n".join(sorted("%s %d" % kv for kv in sums.items())))
if dropped:
    print("dropped %d" % dropped)
PY
}

# names FILE EXE: "ok" for each network finding named EXE (the python
# that ran dest.py), with its pid, or left unnamed only where nothing could
# name it: the queue's drops, and the flood's datagrams read after their
# thread had closed its socket (a supervisor behind by thousands of
# packets, as on a loaded machine: their sender is gone, and the finding
# says so with pid 0 and no program rather than guess). Never another
# program, never a TCP connect unnamed (its socket waits for the answer).
# "bad: LINE" otherwise.
names() {
        python3 - "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if o["kind"] != "network":
        continue
    drop = "queue could not hold" in o["target"]
    named = o["exe"] == sys.argv[2] and o["pid"] > 1
    gone = (o["operation"] == "sendmsg" and o["target"] == "udp 198.51.100.7:9"
            and o["pid"] == 0 and o["exe"] is None)
    print("ok" if drop or named or gone else "bad: " + line.strip())
PY
}

notifications() {
        local n
        n=$(grep -o '[0-9]* notifications handled' <<<"$LP_ERR" | cut -d' ' -f1)
        echo "${n:-missing}"
}

# same_notifications WHO FEW MANY: the 220-round run ended well and said
# as many notifications as the 20-round one (both said a number).
same_notifications() {
        assert_status 0 "$1: the 220-round run"
        assert_eq "$2" "$3" "$1: 200 more rounds of loopback traffic (1,200 calls), no more notifications"
        assert_eq yes "$([ "$2" != missing ] && echo yes || echo "no number: $2")" \
                "$1: -v says how many notifications there were"
}

expected="connect tcp 192.0.2.1:443 ENETUNREACH denied 3
connect tcp [2001:db8::2]:443 ENETUNREACH denied 1
sendmsg udp 192.0.2.1:123 None denied 4
sendmsg udp 192.0.2.1:5300 None denied 7
sendmsg udp 198.51.100.7:9 None denied 10000
sendmsg udp [2001:db8::1]:5300 None denied 2"

# check_dest WHO FILE EXE: dest.py's findings under the outside route.
check_dest() {
        local who=$1 f=$2 exe=$3
        assert_status 0 "$who: the command runs"
        assert_eq done "$LP_OUT" "$who: it gets to the end"
        assert_contains "$LP_ERR" "outside route: lp-outside" "$who: -v says the outside route is had"
        assert_not_contains "$LP_ERR" "network observer: attached" "$who: no observer"
        assert_eq "$expected" "$(totals "$f")" \
                "$who: each outside destination once, its count exact (connects ENETUNREACH, datagrams sent; 4 threads included); lo, 0.0.0.0, ::1, ::, ::ffff:127.0.0.1 none"
        assert_eq "" "$(names "$f" "$exe" | grep -v -x ok || true)" "$who: each finding names python and its pid (but the flood's datagrams read after their sender ended: pid 0, no program)"
}

# ---- as root, where the kernel refuses BPF ---------------------------------------------

F=$tmp/shared/root.jsonl
capture "$LP_HELPERS/deny_bpf" all -- "$LEASTPRIV" run -v --findings "$F" -- python3 dest.py 20
check_dest root "$F" "$PYTHON"
few=$(notifications)
capture "$LP_HELPERS/deny_bpf" all -- "$LEASTPRIV" run -v -- python3 dest.py 220
same_notifications root "$few" "$(notifications)"

# ---- as uid 65534, through a TUN node it may open ----------------------------------------

lp_require_nobody_access
N=$tmp/shared/nobody.jsonl
# shellcheck disable=SC2046 # lp_nobody_words's words are the command
with_tun "$tmp/tun" $(lp_nobody_words) run -v --findings "$N" -- python3 dest.py 20
# (uid 65534's python3 may be another than root's: its PATH reaches no
# python under /root.)
check_dest nobody "$N" "$(unpriv sh -c 'readlink -f "$(command -v python3)"')"
few=$(notifications)
# shellcheck disable=SC2046
with_tun "$tmp/tun" $(lp_nobody_words) run -v -- python3 dest.py 220
same_notifications nobody "$few" "$(notifications)"

# Without a node it may open: the notified path (45-run-net-observer.sh).
# shellcheck disable=SC2046
with_tun "$tmp/no-tun" $(lp_nobody_words) run -v -- python3 dest.py 20
assert_eq done "$LP_OUT" "nobody without TUN: the command runs"
assert_not_contains "$LP_ERR" "outside route: lp-outside" "nobody without TUN: no outside route"

# ---- what the command sees ---------------------------------------------------------------

cat >answers.py <<'EOF'
import errno, socket
from refused import refused
def name(e): return errno.errorcode.get(e, "ok")
t = socket.socket(); t.settimeout(10)
print("tcp", name(refused(lambda: t.connect(("192.0.2.1", 80)))))
t6 = socket.socket(socket.AF_INET6); t6.settimeout(10)
print("tcp6", name(refused(lambda: t6.connect(("2001:db8::2", 80)))))
# A segment routing header (which needs no privilege) sends the SYN to
# its first hop: reported, and refused, as where the socket connected.
r6 = socket.socket(socket.AF_INET6); r6.settimeout(10)
final, hop = (socket.inet_pton(socket.AF_INET6, a) for a in ("2001:db8::1", "2001:db8::ff"))
r6.setsockopt(socket.IPPROTO_IPV6, 51, bytes([0, 4, 4, 1, 1, 0, 0, 0]) + final + hop)  # IPV6_RTHDR
print("routed", name(refused(lambda: r6.connect(("2001:db8::1", 80)))))
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.settimeout(10)
c.connect(("192.0.2.1", 9999))
print("udp source", c.getsockname()[0])
print("udp send", name(refused(lambda: c.send(b"x"))))
print("udp then", name(refused(lambda: c.recv(1))))
# A DNS server that is not the resolver's: named and refused all the same.
q = bytes.fromhex("beef01000001000000000000076578616d706c6503636f6d0000010001")
for family, server in ((socket.AF_INET, "192.0.2.99"), (socket.AF_INET6, "2001:db8::99")):
    d = socket.socket(family, socket.SOCK_DGRAM); d.settimeout(10)
    d.sendto(q, (server, 53))
    a, frm = d.recvfrom(512)
    print("dns from", frm[0], frm[1], "id", a[:2].hex(), "rcode", a[3] & 15)
EOF
chmod 644 answers.py
# shellcheck disable=SC2046
with_tun "$tmp/tun" $(lp_nobody_words) run --findings "$N" -- python3 answers.py
assert_status 0 "nobody: answers.py runs"
assert_eq "tcp ENETUNREACH
tcp6 ENETUNREACH
routed ENETUNREACH
udp source 192.0.0.8
udp send ok
udp then ECONNREFUSED
dns from 192.0.2.99 53 id beef rcode 5
dns from 2001:db8::99 53 id beef rcode 5" "$LP_OUT" \
        "nobody: a connect fails at once, a datagram is sent and then refused, a DNS query is REFUSED by the server asked"
assert_eq "connect tcp 192.0.2.1:80 ENETUNREACH denied 1
connect tcp [2001:db8::1]:80 ENETUNREACH denied 1
connect tcp [2001:db8::2]:80 ENETUNREACH denied 1
dns-query example.com None denied 2
sendmsg udp 192.0.2.1:9999 None denied 1
sendmsg udp 192.0.2.99:53 None denied 1
sendmsg udp [2001:db8::99]:53 None denied 1" "$(totals "$N")" \
        "nobody: each destination and the name asked, exact"

# The resolver's own servers need no stand-in: the route answers them,
# and the report has each server's destination and the name, as root's.
printf 'nameserver 192.0.2.53\nnameserver 2001:db8::53\noptions attempts:1 timeout:5\n' >resolv.conf
chmod 644 resolv.conf
# shellcheck disable=SC2046
capture unshare -m --propagation private sh -c \
        'mount --bind "$1" /dev/net/tun && mount --bind "$2" /etc/resolv.conf && shift 2 && exec "$@"' \
        sh "$tmp/tun" "$PWD/resolv.conf" $(lp_nobody_words) run --findings "$N" -- getent hosts nobody.invalid
assert_status 2 "nobody: getent fails at once"
if [ -e /proc/net/if_inet6 ]; then
        # glibc asks each server for A and AAAA (attempts:1), the next one
        # after a REFUSED.
        assert_eq "dns-query nobody.invalid None denied 4
sendmsg udp 192.0.2.53:53 None denied 2
sendmsg udp [2001:db8::53]:53 None denied 2" "$(totals "$N")" \
                "nobody: each server and the name, exact, through the route"
else
        assert_contains "$(totals "$N")" "sendmsg udp 192.0.2.53:53 None denied 2" \
                "nobody: the IPv4 server through the route (no IPv6 here)"
fi

# ---- a flood: every datagram counted, read or dropped -------------------------------------

cat >flood.py <<'EOF'
import socket, threading
def flood():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(25000):
        s.sendto(b"f", ("198.51.100.7", 9))
ts = [threading.Thread(target=flood) for _ in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]
print("sent")
EOF
chmod 644 flood.py
# shellcheck disable=SC2046
with_tun "$tmp/tun" $(lp_nobody_words) run --findings "$N" -- python3 flood.py
assert_eq sent "$LP_OUT" "nobody: 100,000 datagrams sent"
assert_eq "sendmsg udp 198.51.100.7:9 None denied 100000" "$(totals "$N")" \
        "nobody: all 100,000 counted (read, or dropped by the full queue and counted)"

# ---- fail closed ----------------------------------------------------------------------------

# A /dev/net/tun that is no TUN device: the filter already lets connects
# through, so nothing runs.
capture unshare -m --propagation private sh -c \
        'mount --bind /dev/null /dev/net/tun && exec "$@"' sh \
        "$LP_HELPERS/deny_bpf" all -- "$LEASTPRIV" run -- "$PROBE" connect 192.0.2.1 443
assert_status 125 "no TUN device: the launch fails"
assert_contains "$LP_ERR" "make the outside route" "no TUN device: says which step"
assert_not_contains "$LP_OUT" "connect:" "no TUN device: the command never ran"

# ---- nothing left behind -----------------------------------------------------------------

assert_eq "" "$(pgrep -f 'dest\.py|flood\.py|answers\.py' || true)" "no process of the runs is left"
