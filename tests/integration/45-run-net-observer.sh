#!/usr/bin/env bash
# The network observer (docs/architecture.md, "The network observer"): as
# root, the command's connects and sends are plain syscalls counted by
# cgroup BPF programs, so its own loopback traffic never waits for the
# supervisor, and every destination outside lo is still a finding with an
# exact count. Checked against uid 65534, whose runs notify those calls as
# before: the same destinations, the same counts.
# (Every outside address here is only ever used inside leastpriv's own
# network namespace, which has no route out.)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

lp_enter_probe_dir

# dest.py (its words say what it does), beside refused.py.
cp "$LP_SOURCE/tests/integration/dest.py" . || fatal "cp dest.py"

# summary FILE: the network findings, one line each, sorted:
# "operation target count errno action".
summary() {
        python3 - "$1" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if o["kind"] == "network":
        rows.append("%s %s %s %s %s" % (o["operation"], o["target"], o["count"], o["errno"], o["action"]))
print("\n".join(sorted(rows)))
PY
}

# ---- as root: the observer ---------------------------------------------------------

F=$tmp/shared/root.jsonl
run_lp run -v --findings "$F" -- python3 dest.py 20
assert_status 0 "root: the command runs"
assert_eq done "$LP_OUT" "root: it gets to the end"
assert_contains "$LP_ERR" "network observer: attached to the run's cgroup" \
        "root: the observer is attached"
expected="connect tcp 192.0.2.1:443 3 ENETUNREACH denied
connect tcp [2001:db8::2]:443 1 ENETUNREACH denied
sendmsg udp 192.0.2.1:123 4 ENETUNREACH denied
sendmsg udp 192.0.2.1:5300 7 ENETUNREACH denied
sendmsg udp 198.51.100.7:9 10000 ENETUNREACH denied
sendmsg udp [2001:db8::1]:5300 2 ENETUNREACH denied"
assert_eq "$expected" "$(summary "$F")" \
        "root: each outside destination once, its count exact (4 threads included); lo, 0.0.0.0, ::1, ::, ::ffff:127.0.0.1 none"
assert_eq 6 "$(wc -l <"$F")" "root: nothing else reported"
# Every finding names the profile line, the fix and the program.
python3 - "$F" "$PYTHON" >"$tmp/keys.out" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    ok = (o["rule"].endswith("[Network] Namespace=loopback") and o["fix"] == "[Network] Namespace=host"
          and o["exe"] == sys.argv[2] and o["pid"] > 1 and o["first_ms"] >= 0)
    print("ok" if ok else "bad: " + line.strip())
PY
assert_eq "$(printf 'ok\n%.0s' 1 2 3 4 5 6)" "$(cat "$tmp/keys.out")" \
        "root: rule, fix, executable, pid and time of each finding"

# The command's loopback traffic is not notified: 20 or 220 rounds of it
# cost the same number of notifications (a round is 2 datagrams and 4
# connects; notified, 200 more rounds would be 1,200 more).
notifications() {
        local n
        n=$(grep -o '[0-9]* notifications handled' <<<"$LP_ERR" | cut -d' ' -f1)
        echo "${n:-missing}"
}
run_lp run -v -- python3 dest.py 20
few=$(notifications)
run_lp run -v -- python3 dest.py 220
many=$(notifications)
assert_eq "$few" "$many" "root: 200 more rounds of loopback traffic, no more notifications"

# A process that exits right after its call may be gone before its
# executable is read: it is named by the program its execve ran (the
# filesystem observer's exec program: supervise/exec_names.h), or where
# that observer is not attached by its thread's name; never as another
# program, and counted all the same.
run_lp run -v -- true
stand_in='[probe]'
[[ "$LP_ERR" == *"filesystem observer: attached"* ]] && stand_in="$PROBE"
exes=
for i in $(seq 20); do
        run_lp run -q --findings "$F" -- "$PROBE" connect 192.0.2.1 443
        exes+=$(python3 -c '
import json, sys
o = json.loads(open(sys.argv[1]).readline())
print(o["exe"] if o["count"] == 1 else "count %s" % o["count"])' "$F")$'\n'
done
assert_eq "" "$(grep -v -x -F -e "$PROBE" -e "$stand_in" <<<"${exes%$'\n'}" || true)" \
        "root: 20 short-lived probes, each counted once and named the probe"

# More distinct destinations than the observer's table holds (8,192):
# every one still counted.
run_lp run -- python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for port in range(1, 9001):
    try: s.sendto(b"x", ("192.0.2.9", port))
    except OSError: pass'
assert_status 0 "root: 9,000 distinct destinations"
assert_contains "$LP_ERR" "(9000 occurrences)" "root: all 9,000 counted"

# ---- as uid 65534: the notified path, the same findings ------------------------------

N=$tmp/shared/nobody.jsonl
run_lp_nobody run -v --findings "$N" -- python3 dest.py 20
assert_status 0 "nobody: the command runs"
assert_not_contains "$LP_ERR" "network observer: attached" "nobody: no observer (it needs root)"
# Notified, each call is named by its syscall: sendto and sendmsg.
expected_nobody="connect tcp 192.0.2.1:443 3 ENETUNREACH denied
connect tcp [2001:db8::2]:443 1 ENETUNREACH denied
sendmsg udp 192.0.2.1:123 4 ENETUNREACH denied
sendto udp 192.0.2.1:5300 7 ENETUNREACH denied
sendto udp 198.51.100.7:9 10000 ENETUNREACH denied
sendto udp [2001:db8::1]:5300 2 ENETUNREACH denied"
assert_eq "$expected_nobody" "$(summary "$N")" "nobody: the same destinations and counts"
few=$(notifications)
run_lp_nobody run -v -- python3 dest.py 220
many=$(notifications)
# (The comparison above can fail: here every round is notified.)
assert_eq yes "$([ "$few" != missing ] && [ "$many" != missing ] && [ $((many - few)) -ge 1000 ] && echo yes || echo "no: $few then $many")" \
        "nobody: notified, 200 more rounds are at least 1,000 more notifications"

# ---- Namespace=none: lo does not reach either -------------------------------------------

none=$(default_plus none $'[Network]\nNamespace=none\n')
F=$tmp/shared/none.jsonl
run_lp run --findings "$F" -p "$none" -- python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(5):
    try: s.sendto(b"x", ("127.0.0.1", 9))
    except OSError: pass'
assert_status 0 "Namespace=none: the command runs"
assert_eq "sendmsg udp 127.0.0.1:9 5 ENETUNREACH denied" "$(summary "$F")" \
        "Namespace=none: loopback is a finding too, counted exactly"
assert_eq "[Network] Namespace=loopback" \
        "$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["fix"])' "$F")" \
        "Namespace=none: the fix is lo"

# ---- unix destinations: the observer's unix hooks -------------------------------------

# A unix socket under a hidden path, reached by addresses of exactly 16
# and 28 bytes (an inet address's lengths, which the filter cannot tell
# from a unix one's), of another length, through a symlink, and by a
# datagram's sendto and sendmsg: each a filesystem finding with its exact
# count, under the path the symlink leads to. A socket that is not hidden
# connects, with no finding.
hid=$tmp/shared/hidden
mkdir "$hid" || fatal "mkdir $hid"
printf '[Profile]\nInclude=default\n[Filesystem]\nInaccessiblePaths=%s\n' "$hid" >"$tmp/hid.profile"
cat >unix_dest.py <<'PY'
import ctypes, os, socket, sys
libc = ctypes.CDLL(None, use_errno=True)
os.symlink(sys.argv[1], "/tmp/h")

def address(path, nul):
    raw = b"\x01\x00" + path.encode() + (b"\x00" if nul else b"")
    return ctypes.create_string_buffer(raw, 110), len(raw)

def connect(path, nul=False):
    s = socket.socket(socket.AF_UNIX)
    buf, n = address(path, nul)
    r = libc.connect(s.fileno(), buf, n)
    print("connect", n, "ok" if r == 0 else "refused")

def sendto(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    buf, n = address(path, False)
    r = libc.sendto(s.fileno(), b"x", 1, 0, buf, n)
    print("sendto", n, "ok" if r == 1 else "refused")

connect("/tmp/h//s.sock")                      # 16 bytes
connect("/tmp/h" + "/" * 14 + "s.sock")         # 28 bytes
connect("/tmp/h/./s.sock", nul=True)           # 18 bytes
sendto("/tmp/h//d.sock")                       # 16 bytes
sendto("/tmp/h//d.sock")
d = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
try:
    d.sendmsg([b"x"], [], 0, "/tmp/h/d.sock")
    print("sendmsg ok")
except OSError:
    print("sendmsg refused")
server = socket.socket(socket.AF_UNIX)
server.bind("/tmp/ok.sock")
server.listen(1)
connect("/tmp/ok.sock", nul=True)
PY
F=$tmp/shared/unix.jsonl
run_lp run -v --findings "$F" -p "$tmp/hid.profile" -- python3 unix_dest.py "$hid"
assert_status 0 "unix: the command runs"
assert_eq "connect 16 refused
connect 28 refused
connect 18 refused
sendto 16 refused
sendto 16 refused
sendmsg refused
connect 15 ok" "$LP_OUT" "unix: the hidden socket refused at every length, the other one reached"
unix_summary=$(python3 - "$F" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    rows.append("%s %s %s %s" % (o["kind"], o["operation"], o["target"], o["count"]))
print("\n".join(sorted(rows)))
PY
)
assert_eq "filesystem connect $hid/s.sock 3
filesystem sendmsg $hid/d.sock 3" "$unix_summary" \
        "unix: one finding per path and hook, counted exactly (16 and 28 bytes included)"
assert_not_contains "$LP_ERR" "no unix hooks" "unix: the kernel's unix hooks are used"

# A unix datagram socket of the caller's as the command's stdin: made
# outside the run's cgroup, its calls would escape the hooks, so the run
# has none, and the filter notifies unix addresses as before: only the
# 18-byte connect is seen (the gap README's "Known limits" names), and
# nothing is counted twice.
F=$tmp/shared/unix-inherited.jsonl
capture python3 -c 'import os, socket, sys
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
os.dup2(a.fileno(), 0)
os.execvp(sys.argv[1], sys.argv[1:])' "$LEASTPRIV" run -v --findings "$F" -p "$tmp/hid.profile" -- \
        python3 unix_dest.py "$hid"
assert_status 0 "unix, inherited socket: the command runs"
assert_contains "$LP_ERR" "no unix hooks: the command inherits a unix socket" \
        "unix, inherited socket: -v says why there are no unix hooks"
assert_eq "filesystem connect $hid/s.sock 1" "$(python3 - "$F" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    print("%s %s %s %s" % (o["kind"], o["operation"], o["target"], o["count"]))
PY
)" "unix, inherited socket: the notified connect only, once"

# ---- where the kernel refuses BPF -------------------------------------------------------

# No BPF at all (a container's seccomp profile): the notified path, the
# same finding.
F=$tmp/shared/nobpf.jsonl
capture "$LP_HELPERS/deny_bpf" all -- "$LEASTPRIV" run -v --findings "$F" -- "$PROBE" connect 192.0.2.1 443
assert_probe ENETUNREACH "no BPF: connect 192.0.2.1:443 unreachable"
assert_contains "$LP_ERR" "network observer: no cgroup BPF programs here" "no BPF: -v says so"
assert_not_contains "$LP_ERR" "network observer: attached" "no BPF: ... and attaches nothing"
assert_eq "connect tcp 192.0.2.1:443 1 ENETUNREACH denied" "$(summary "$F")" "no BPF: the finding, notified"
# Programs but no attachment (a security module): the filter already
# counted on the observer, so nothing runs (fail closed).
capture "$LP_HELPERS/deny_bpf" link-create -- "$LEASTPRIV" run -- "$PROBE" connect 192.0.2.1 443
assert_status 125 "no attachment: the launch fails"
assert_contains "$LP_ERR" "cannot attach the network observer to the run's cgroup: Operation not permitted" \
        "no attachment: says what and why"
assert_not_contains "$LP_OUT" "connect:" "no attachment: the command never ran"

# ---- nothing left behind ---------------------------------------------------------------

assert_eq "" "$(pgrep -f 'dest\.py' || true)" "no process of the runs is left"
