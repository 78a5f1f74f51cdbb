#!/usr/bin/env bash
# The DNS trap (docs/architecture.md, "DNS"): as root, a UDP query to
# port 53 of an outside address goes to a socket of the supervisor's
# inside the command's network namespace, which answers REFUSED at once
# and reports the name asked for; the resolver takes the answer as from
# the server it asked. The servers of /etc/resolv.conf have stand-ins
# inside, for every user: uid 65534's lookups are named too, and so are
# those sent to a loopback server (systemd-resolved's 127.0.0.53). Any
# other destination of uid 65534's (no observer) is refused as before.
# Every run sees a resolv.conf of the test's own, bound over
# /etc/resolv.conf in a mount namespace of the test's (the host's file is
# not touched).
# (Every outside address here is only ever used inside leastpriv's own
# network namespace, which has no route out.)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

lp_enter_probe_dir

# with_resolv FILE COMMAND...: COMMAND with FILE as /etc/resolv.conf.
with_resolv() {
        local file=$1
        shift
        capture unshare -m --propagation private sh -c \
                'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"' sh "$file" "$@"
}
printf 'nameserver 192.0.2.53\noptions attempts:1 timeout:5\n' >outside.conf
printf 'nameserver 127.0.0.53\noptions attempts:1 timeout:5\n' >resolved.conf
printf 'nameserver 192.0.2.53\nnameserver fd00::53\noptions attempts:1 timeout:5\n' >both.conf
chmod 644 outside.conf resolved.conf both.conf

# dns.py: queries to outside servers over each kind of socket, each
# answer checked (ID, REFUSED, the question echoed, the server it came
# from); a query to lo's port 53 (nothing listens) is refused by the
# kernel, untrapped; an IPv6 socket's unconnected send to an IPv6 server
# is refused as without the trap. Prints one line per outcome.
cat >dns.py <<'PY'
import socket, struct, sys
from refused import refused

def query(name, qid, qtype=1):
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack(">HH", qtype, 1)

def check(s, q, server):
    data, source = s.recvfrom(512)
    ok = data[:2] == q[:2] and data[2] & 0x80 and data[3] & 15 == 5 and data[12:] == q[12:]
    print("REFUSED" if ok else "bad answer %r" % data, "from", source[0], source[1])

v4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
v4.settimeout(10)
v4.connect(("192.0.2.1", 53))
for qid, qtype in ((1, 1), (2, 1), (3, 28)):
    q = query("example.invalid", qid, qtype)
    v4.send(q)
    check(v4, q, "192.0.2.1")
u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u4.settimeout(10)
for qid in (4, 5):
    q = query("other.invalid", qid)
    u4.sendto(q, ("192.0.2.2", 53))
    check(u4, q, "192.0.2.2")
v6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
v6.settimeout(10)
v6.connect(("2001:db8::53", 53))
q = query("six.invalid", 6, 28)
v6.send(q)
check(v6, q, "2001:db8::53")
u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
refused(lambda: u6.sendto(query("seven.invalid", 7), ("2001:db8::1", 53)))
print("v6 sendto refused")
lo = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
lo.settimeout(10)
lo.connect(("127.0.0.53", 53))
lo.send(query("lo.invalid", 8))
refused(lambda: lo.recv(512))
print("lo refused")
PY
chmod 644 dns.py

# summary FILE: the network findings, "operation target count errno exe", sorted.
summary() {
        python3 - "$1" "$PYTHON" <<'PYS'
import json, sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if o["kind"] == "network":
        exe = "python" if o["exe"] == sys.argv[2] else o["exe"]
        rows.append("%s %s %s %s %s" % (o["operation"], o["target"], o["count"], o["errno"], exe))
print("\n".join(sorted(rows)))
PYS
}

F=$tmp/shared/root.jsonl
with_resolv outside.conf "$LEASTPRIV" run -v --findings "$F" -- python3 dns.py
assert_status 0 "root: the command runs"
assert_contains "$LP_ERR" "network observer: attached to the run's cgroup" "root: the observer is attached"
assert_eq "REFUSED from 192.0.2.1 53
REFUSED from 192.0.2.1 53
REFUSED from 192.0.2.1 53
REFUSED from 192.0.2.2 53
REFUSED from 192.0.2.2 53
REFUSED from 2001:db8::53 53
v6 sendto refused
lo refused" "$LP_OUT" "root: each query answered REFUSED, as from the server it was sent to"
assert_eq "connect udp 192.0.2.1:53 1 None python
connect udp [2001:db8::53]:53 1 None python
dns-query example.invalid 3 None python
dns-query other.invalid 2 None python
dns-query six.invalid 1 None python
sendmsg udp 192.0.2.2:53 2 None python
sendmsg udp [2001:db8::1]:53 1 ENETUNREACH python" "$(summary "$F")" \
        "root: every name, server and count exact; lo's port 53 is no finding"
python3 - "$F" >"$tmp/rules.out" <<'PYS'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if o["operation"] == "dns-query":
        ok = (o["rule"].endswith("[Network] Namespace=loopback") and o["fix"] == "[Network] Namespace=host"
              and o["action"] == "denied" and o["pid"] > 1)
        print("ok" if ok else "bad: " + line.strip())
PYS
assert_eq "$(printf 'ok\nok\nok')" "$(cat "$tmp/rules.out")" "root: each name's rule, fix, action and pid"

# Unconnected sends to the resolver's own servers (musl's way), as root:
# their stand-ins answer, so the sends have no errno, and the answers the
# supervisor sends back from the stand-ins' sockets (made by the child in
# the run's cgroup, where the observer's programs run) are no finding.
cat >standins.py <<'PY'
import os, socket, struct
q = struct.pack(">HHHHHH", 9, 0x0100, 1, 0, 0, 0) + bytes([4]) + b"test" + bytes([0]) + struct.pack(">HH", 1, 1)
servers = [(socket.AF_INET, "192.0.2.53")]
if os.path.exists("/proc/net/if_inet6"):  # a new namespace has IPv6 where the kernel has it
    servers.append((socket.AF_INET6, "fd00::53"))
for family, server in servers:
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.settimeout(10)
    s.sendto(q, (server, 53))
    data, source = s.recvfrom(512)
    print("REFUSED" if data[:2] == q[:2] and data[3] & 15 == 5 else "bad answer", "from", source[0])
PY
chmod 644 standins.py
F=$tmp/shared/standins.jsonl
with_resolv both.conf "$LEASTPRIV" run --findings "$F" -- python3 standins.py
assert_status 0 "root, stand-ins: the command runs"
if [ -e /proc/net/if_inet6 ]; then
        assert_eq "REFUSED from 192.0.2.53
REFUSED from fd00::53" "$LP_OUT" "root, stand-ins: each server answers"
        assert_eq "dns-query test 2 None python
sendmsg udp 192.0.2.53:53 1 None python
sendmsg udp [fd00::53]:53 1 None python" "$(summary "$F")" \
                "root, stand-ins: the sends, without an errno; no finding of the supervisor's answers"
else
        assert_eq "REFUSED from 192.0.2.53" "$LP_OUT" "root, stand-ins: the server answers"
        assert_eq "dns-query test 1 None python
sendmsg udp 192.0.2.53:53 1 None python" "$(summary "$F")" \
                "root, stand-ins: the send, without an errno; no finding of the supervisor's answer"
fi

# The system's resolver: getent through a resolv.conf naming an outside
# server. It fails at once (exit 2: not found), and the report names what
# it looked up and who.
with_resolv outside.conf "$LEASTPRIV" run --findings "$F" -- getent hosts lookup.invalid
assert_status 2 "getent: the name is not found"
assert_eq "" "$(grep -v -e '^dns-query lookup.invalid [0-9]* None /usr/bin/getent$' \
        -e '^connect udp 192.0.2.53:53 [0-9]* None /usr/bin/getent$' <<<"$(summary "$F")")" \
        "getent: only its name and its server reported"
assert_contains "$(summary "$F")" "dns-query lookup.invalid" "getent: the name it looked up"

# Behind systemd-resolved (127.0.0.53, on lo): the stand-in answers, and
# the name is reported (no destination finding: lo is the command's).
with_resolv resolved.conf "$LEASTPRIV" run --findings "$F" -- getent hosts resolved.invalid
assert_status 2 "127.0.0.53: getent fails at once"
assert_eq "dns-query resolved.invalid" "$(summary "$F" | cut -d' ' -f1-2 | sort -u)" \
        "127.0.0.53: the name it looked up, nothing else"

# The command's own DNS server on 0.0.0.0:53 (with SO_REUSEADDR, as the
# stand-ins have) binds, and a query to it on lo is its own: answered by
# it, no finding.
printf '[Profile]\nInclude=default\n[Capabilities]\nKeep=CAP_NET_BIND_SERVICE\n' >bind53.profile
with_resolv outside.conf "$LEASTPRIV" run --profile bind53.profile --findings "$F" -- python3 -c '
import socket
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("0.0.0.0", 53))
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(10)
c.sendto(b"\x00\x01question", ("127.0.0.1", 53))
data, peer = srv.recvfrom(512)
srv.sendto(b"own answer", peer)
print(c.recv(512).decode())'
assert_status 0 "own server: it binds 0.0.0.0:53"
assert_eq "own answer" "$LP_OUT" "own server: its client gets its answer"
assert_eq 0 "$(wc -l <"$F")" "own server: no finding"
# A resolv.conf naming 127.0.0.1 gets no stand-in there: the command's own
# server binds 127.0.0.1:53 (no SO_REUSEADDR) and answers its resolver.
printf 'nameserver 127.0.0.1\noptions attempts:1 timeout:5\n' >own.conf
chmod 644 own.conf
with_resolv own.conf "$LEASTPRIV" run --profile bind53.profile --findings "$F" -- python3 -c '
import socket, subprocess, sys
srv = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
srv.bind(("127.0.0.1", 53))
getent = subprocess.Popen(["getent", "hosts", "own.invalid"])
data, peer = srv.recvfrom(512)
# NXDOMAIN, the question echoed: getent exits 2 at once.
srv.sendto(data[:2] + bytes([0x81, 0x83]) + data[4:6] + bytes(6) + data[12:], peer)
print("asked" if b"\x03own\x07invalid" in data else "bad query", getent.wait())'
assert_eq "asked 2" "$LP_OUT" "own server at 127.0.0.1: getent asked it, and took its answer"
assert_eq 0 "$(wc -l <"$F")" "own server at 127.0.0.1: no finding"

# A query whose process ends without waiting for the answer: still a finding.
with_resolv outside.conf "$LEASTPRIV" run --findings "$F" -- python3 -c '
import os, socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes.fromhex("0009010000010000000000000474657374000001 0001".replace(" ", "")), ("192.0.2.3", 53))
os._exit(0)'
assert_status 0 "gone: the command runs"
assert_contains "$(summary "$F")" "dns-query test 1 None" "gone: the query of a process already gone, counted"

# uid 65534 (no observer): the resolver's servers' stand-ins answer,
# over IPv4 and IPv6; their names and destinations are reported.
lp_require_nobody_access
F=$tmp/shared/nobody.jsonl
# shellcheck disable=SC2046 # nobody_lp's words are the command
with_resolv both.conf $(nobody_lp) run --findings "$F" -- getent hosts nobody.invalid
assert_status 2 "uid 65534: getent fails at once"
# glibc asks each server for A and AAAA once (attempts:1), the next one
# after a REFUSED: 2 queries a server, over a socket it connects twice
# (Debian 12's glibc 2.36).
# (A new network namespace has IPv6 where the kernel has it.)
# Each is named getent: the query's sender is told through the command's
# PID namespace, which uid 65534 may read (the init's it may not).
getent=$(readlink -f "$(command -v getent)")
if [ -e /proc/net/if_inet6 ]; then
        assert_eq "connect udp 192.0.2.53:53 2 None $getent
connect udp [fd00::53]:53 2 None $getent
dns-query nobody.invalid 4 None $getent" "$(summary "$F")" \
                "uid 65534: the name and each server, without an errno (a stand-in answered), named getent"
else # no IPv6 here: the IPv4 server alone has a stand-in
        assert_contains "$(summary "$F")" "connect udp 192.0.2.53:53 2 None" \
                "uid 65534: the IPv4 server, without an errno (its stand-in answered)"
        assert_contains "$(summary "$F")" "dns-query nobody.invalid 2 None" "uid 65534: the name"
fi
# Any other outside destination is refused, as it always was.
# shellcheck disable=SC2046
with_resolv outside.conf $(nobody_lp) run --findings "$F" -- python3 -c '
import socket
from refused import refused
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
refused(lambda: s.sendto(b"q" * 12, ("192.0.2.1", 53)))
print("refused")'
assert_eq refused "$LP_OUT" "uid 65534: the send is refused"
assert_eq "sendto udp 192.0.2.1:53 1 ENETUNREACH" "$(summary "$F" | cut -d' ' -f1-5)" \
        "uid 65534: the destination, no name"
