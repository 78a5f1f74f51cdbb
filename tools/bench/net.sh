#!/usr/bin/env bash
# The network's cost, side by side in one run. Loopback traffic of the
# command's own (20,000 UDP sendto to 127.0.0.1, 3,000 TCP connects to a
# local server): bare, `bwrap --unshare-net` (lo brought up by bwrap), and
# leastpriv under its default profile (as root: the network observer; and,
# run as root, as uid 65534 through the outside route and notified). A forward (`Forward=tcp:PORT` to a
# host echo server): 64 MiB streamed through it against the same bare, and
# 2,000 connection setups through it against bare ones. Prints means and
# ratios; asserts nothing (timings on a shared machine are information).
set -euo pipefail

source "$(dirname "$0")/common.sh"
bench_init "hyperfine, bwrap, python3" "env: RUNS (default 10)" hyperfine bwrap python3 -- "$@"

runs=${RUNS:-10}
ws=$(mktemp -d /tmp/lp-bench-net.XXXXXX)
server=
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$ws"' EXIT
chmod 755 "$ws"
cd "$ws"

cat >sendto.py <<'EOF'
import socket
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); r.bind(("127.0.0.1", 0))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(20000):
    s.sendto(b"x", r.getsockname())
EOF
cat >connect.py <<'EOF'
import socket
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(4096)
for _ in range(3000):
    c = socket.create_connection(l.getsockname()); a, _ = l.accept(); a.close(); c.close()
EOF
# The host's echo server (one thread per connection).
cat >echo.py <<'EOF'
import os, socket, sys, threading
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(512)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1])); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
def serve(c):
    while (d := c.recv(1 << 16)):
        c.sendall(d)
    c.close()
while True:
    threading.Thread(target=serve, args=(s.accept()[0],), daemon=True).start()
EOF
# stream.py PORT: 64 MiB there and back. setup.py PORT: 2,000 connections,
# each a one-byte echo (the first byte back is when a connection works).
cat >stream.py <<'EOF'
import socket, sys, threading
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
block, total = b"x" * (1 << 16), 64 << 20
def send():
    for _ in range(total // len(block)):
        c.sendall(block)
    c.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send); t.start()
got = 0
while (d := c.recv(1 << 16)):
    got += len(d)
t.join()
assert got == total, got
EOF
cat >setup.py <<'EOF'
import socket, sys
for _ in range(2000):
    c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    c.sendall(b"x")
    assert c.recv(1) == b"x"
    c.close()
EOF
python3 echo.py "$ws/port" &
server=$!
for _ in $(seq 100); do [ -s port ] && break; sleep 0.1; done
port=$(cat port)
printf '[Profile]\nInclude=default\n[Network]\nForward=tcp:%s\n' "$port" >fw.profile

# As root, the loopback rows also run leastpriv as uid 65534, through
# the outside route and notified (common.sh, bench_as_nobody).
bench_as_nobody "$ws" || true

bw="bwrap --dev-bind / / --unshare-net --die-with-parent"
hf() { hyperfine -N --warmup 1 --runs "$runs" --export-json "$ws/$1.json" "${@:2}" >/dev/null; }
# One python for every column of these rows, uid 65534's too (root's
# first python3 may lie where uid 65534 cannot reach).
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
for row in sendto connect; do
  extra=(-n leastpriv "$lp run -q -- $py $row.py")
  [ -e as-nobody-tun ] && extra+=(-n nobody-route "$ws/as-nobody-tun $py $row.py"
    -n nobody-notified "$ws/as-nobody-no-tun $py $row.py")
  hf "$row" -n bare "$py $row.py" -n bwrap "$bw $py $row.py" "${extra[@]}"
done
hf stream -n bare "python3 stream.py $port" -n leastpriv-forward "$lp run -q -p fw.profile -- python3 stream.py $port"
hf setup -n bare "python3 setup.py $port" -n leastpriv-forward "$lp run -q -p fw.profile -- python3 setup.py $port"

python3 - "$ws" <<'PY'
import json, os, sys
ws = sys.argv[1]
def load(name):
    return {r["command"]: r for r in json.load(open(os.path.join(ws, name + ".json")))["results"]}
print(f"{'workload':<22} {'variant':<18} {'mean ms':>9} {'± sd':>7} {'ratio':>7}")
for name, ref in (("sendto", "bwrap"), ("connect", "bwrap"), ("stream", "bare"), ("setup", "bare")):
    res = load(name)
    for k, r in res.items():
        print(f"{name:<22} {k:<18} {r['mean']*1000:9.1f} {(r['stddev'] or 0)*1000:7.1f} "
              f"{r['mean']/res[ref]['mean']:7.2f}  (/ {ref})")
s = load("stream")
mib = 64 * 2  # there and back
print(f"forward throughput: {mib / s['leastpriv-forward']['mean']:.0f} MiB/s through the forward, "
      f"{mib / s['bare']['mean']:.0f} MiB/s direct ({s['bare']['mean'] / s['leastpriv-forward']['mean']:.2f}x; "
      "goal >= 0.5x; the forward run includes a launch)")
u = load("setup")
extra = (u["leastpriv-forward"]["mean"] - u["bare"]["mean"]) / 2000 * 1e6
print(f"forward connection setup: +{extra:.0f} µs per connection over bare (goal < +100 µs; "
      "includes the launch spread over 2,000)")
PY
