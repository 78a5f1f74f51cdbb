#!/usr/bin/env bash
# [Network] Forward=: a host TCP endpoint on the host's loopback reachable
# inside the command's loopback namespace. A host echo server: its bytes
# arrive over 127.0.0.1 and [::1], under another inside port, half-closes
# passed on, 200 concurrent connections of 1 MiB each intact (checksums);
# a host endpoint that refuses resets the inside connection at once and is
# a `forward-failed` finding; a forward beyond the host's loopback needs
# ForwardOutside=yes (checked without sending anything). A real PostgreSQL
# from Debian's packages, started by the test on a temporary data
# directory: psql reaches it only through a forward. All traffic is on
# loopback.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
lp_require_root
lp_require_binaries
lp_require_nobody_access
lp_require_userns

server_pid=
pg_ctl=
pg_data=
lp_cleanup() {
        [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
        [ -n "$pg_ctl" ] && runuser -u postgres -- "$pg_ctl" -D "$pg_data" -m immediate stop \
                >/dev/null 2>&1
        return 0
}

# A free port of the host's loopback (bound, then let go).
free_port() {
        python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The host's echo server: one thread per connection, half-close passed on.
cat >"$tmp/echo.py" <<'EOF'
import socket, sys, threading
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(512)
def serve(c):
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        c.sendall(d)
    c.shutdown(socket.SHUT_WR)
    c.close()
with open(sys.argv[1], "w") as f:  # a FIFO the test reads
    print(s.getsockname()[1], file=f)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
ready_fifo "$tmp/echo.port" # the server writes its port there once it listens
python3 "$tmp/echo.py" "$tmp/echo.port" &
server_pid=$!
port=$(await_line "$tmp/echo.port" 30) || fatal "the echo server did not start"

# The client, run inside: N connections of SIZE bytes each to HOST:PORT,
# all at once; each sends, half-closes, and checks the echo by checksum.
cat >"$tmp/client.py" <<'EOF'
import hashlib, os, socket, sys, threading
host, port, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ok = []
def one(i):
    data = os.urandom(size)
    c = socket.create_connection((host, port), timeout=60)
    def send():
        c.sendall(data)
        c.shutdown(socket.SHUT_WR)
    t = threading.Thread(target=send)
    t.start()
    got = bytearray()
    while True:
        d = c.recv(1 << 16)
        if not d:
            break
        got += d
    t.join()
    c.close()
    if hashlib.sha256(got).digest() == hashlib.sha256(data).digest():
        ok.append(i)
threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("intact", len(ok))
EOF
chmod 644 "$tmp/echo.py" "$tmp/client.py"

fw=$(default_plus forward "[Network]"$'\n'"Forward=tcp:$port"$'\n')
F=$tmp/forward.jsonl

# ---- one connection, each way -----------------------------------------------------

run_lp run -p "$fw" --findings "$F" -- python3 "$tmp/client.py" 127.0.0.1 "$port" 1 5
assert_status 0 "a connection through the forward"
assert_eq "intact 1" "$LP_OUT" "its bytes come back intact"
fget "$F" network forward
assert_eq 0 "$F_n" "no forward finding"
fget "$F" network connect
assert_eq 0 "$F_n" "no connect finding"

run_lp run -p "$fw" -- python3 "$tmp/client.py" ::1 "$port" 1 5
assert_eq "intact 1" "$LP_OUT" "[::1] inside reaches the host's 127.0.0.1 too"

other=$(default_plus other "[Network]"$'\n'"Forward=tcp:7777=127.0.0.1:$port"$'\n')
run_lp run -p "$other" -- python3 "$tmp/client.py" 127.0.0.1 7777 1 100
assert_eq "intact 1" "$LP_OUT" "another inside port (7777) reaches the host's $port"

run_lp_nobody run -p "$fw" -- python3 "$tmp/client.py" 127.0.0.1 "$port" 1 100
assert_status 0 "as uid 65534"
assert_eq "intact 1" "$LP_OUT" "the forward works without root"

# ---- without the forward ------------------------------------------------------------

run_lp run --findings "$F" -- python3 "$tmp/client.py" 127.0.0.1 "$port" 1 5
assert_eq "intact 0" "$LP_OUT" "without Forward= the host's server is out of reach"
assert_contains "$LP_ERR" "ConnectionRefusedError" "... refused inside"
# A host service the profile does not forward is a finding, not only a
# refused connect: it names the forward that would serve it.
expect_finding "the host service not forwarded" "$F" network connect action=denied \
        errno=ECONNREFUSED count=1 "target=tcp 127.0.0.1:$port" "fix=[Network] Forward=tcp:$port" \
        'rule~^<embedded>/base\.profile:[0-9]+ \[Network\] Namespace=loopback$'
# The command's own server on that port is its own business: no finding.
run_lp run --findings "$F" -- python3 -c "
import socket
l = socket.socket(); l.bind(('127.0.0.1', $port)); l.listen()
socket.create_connection(('127.0.0.1', $port)).close(); print('own')"
assert_eq own "$LP_OUT" "a server of the command's own on the host service's port"
fget "$F" network connect
assert_eq 0 "$F_n" "... is no finding"

# ---- under load -----------------------------------------------------------------------

run_lp run -p "$fw" -- python3 "$tmp/client.py" 127.0.0.1 "$port" 200 $((1 << 20))
assert_status 0 "200 concurrent connections of 1 MiB"
assert_eq "intact 200" "$LP_OUT" "every one of them comes back intact"

# ---- a host endpoint that refuses -------------------------------------------------------

dead=$(free_port)
down=$(default_plus down "[Network]"$'\n'"Forward=tcp:$dead"$'\n')
# The reset may reach the connect itself or the first read. A refused
# forward is the host's doing, not the command's: it does not gate.
run_lp run --fail-on-findings -p "$down" --findings "$F" -- python3 -c "
import socket
try:
    c = socket.create_connection(('127.0.0.1', $dead), timeout=30)
    print(repr(c.recv(10)))
except OSError as e:
    print(type(e).__name__)
"
assert_status 0 "a forward to a host port nobody listens on (--fail-on-findings passes)"
# A hang would end in the client's 30 s timeout (TimeoutError) instead.
assert_eq "ConnectionResetError" "$LP_OUT" "the inside connection is reset (no hang)"
expect_finding "the refused forward" "$F" network forward action=forward-failed errno=ECONNREFUSED \
        count=1 "target=tcp 127.0.0.1:$dead -> 127.0.0.1:$dead" \
        "rule~down\.profile:4 \[Network\] Forward=tcp:$dead=127\.0\.0\.1:$dead$" \
        "fix=start the host's service at 127.0.0.1:$dead before the command"

# ---- beyond the host's loopback: a privilege of its own -----------------------------------

outside=$(default_plus outside $'[Network]\nForward=tcp:8080=192.0.2.1:80\n')
run_lp run -p "$outside" -- true
assert_status 125 "Forward= to 192.0.2.1 without ForwardOutside="
assert_contains "$LP_ERR" "outside.profile:4: Forward= to 192.0.2.1: not the host's loopback; forwarding beyond it needs [Network] ForwardOutside=yes" \
        "the error cites the line and names the key"
allowed=$(default_plus allowed $'[Network]\nForward=tcp:8080=192.0.2.1:80\nForwardOutside=yes\n')
run_lp check "$allowed"
assert_status 0 "with ForwardOutside=yes the profile is valid"
run_lp diff "$fw" "$allowed"
assert_match "$LP_OUT" "^\+ forward to addresses outside the host's loopback \(ForwardOutside=yes\)" \
        "diff counts ForwardOutside=yes as a privilege"

# ---- a real PostgreSQL ---------------------------------------------------------------------

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
[ -x "$pg_bin/initdb" ] || fatal "PostgreSQL is not installed (tools/setup.sh installs it)"
id postgres >/dev/null 2>&1 || fatal "no postgres user (tools/setup.sh installs PostgreSQL)"
pg_dir=$tmp/pg
mkdir -m 755 "$pg_dir"
chown postgres: "$pg_dir"
pg_data=$pg_dir/data
runuser -u postgres -- "$pg_bin/initdb" -D "$pg_data" -A trust -U postgres >"$tmp/initdb.log" 2>&1 ||
        fatal "initdb failed: $(cat "$tmp/initdb.log")"
pg_port=$(free_port)
pg_ctl=$pg_bin/pg_ctl
runuser -u postgres -- "$pg_ctl" -D "$pg_data" -l "$pg_dir/log" -w -t 60 \
        -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1" start >/dev/null ||
        fatal "PostgreSQL did not start: $(cat "$pg_dir/log")"
psql=("$pg_bin/psql" -X -h 127.0.0.1 -p "$pg_port" -U postgres -At -c 'select 40 + 2')
capture "${psql[@]}"
assert_eq 42 "$LP_OUT" "psql reaches the server bare"

pg=$(default_plus pg "[Network]"$'\n'"Forward=tcp:$pg_port"$'\n')
run_lp run -p "$pg" --findings "$F" -- "${psql[@]}"
assert_status 0 "psql under Forward=tcp:$pg_port"
assert_eq 42 "$LP_OUT" "... gets its answer"
fget "$F" network forward
assert_eq 0 "$F_n" "... with no forward finding"
run_lp run -- "${psql[@]}"
assert_status 2 "psql without the forward"
assert_contains "$LP_ERR" "Connection refused" "... is refused at once"

# The same server over its unix socket: hidden from the command, then
# forwarded (Forward=unix: makes it reachable at the same path).
pg_sock=$pg_dir/.s.PGSQL.$pg_port
psql_unix=("$pg_bin/psql" -X -h "$pg_dir" -p "$pg_port" -U postgres -At -c 'select 40 + 2')
hidden=$(default_plus pg-hidden "[Filesystem]"$'\n'"InaccessiblePaths=-$pg_sock"$'\n')
run_lp run -p "$hidden" -- "${psql_unix[@]}"
assert_status 2 "psql over a hidden unix socket"
assert_not_contains "$LP_OUT" 42 "... gets no answer"
both=$(default_plus pg-unix "[Filesystem]"$'\n'"InaccessiblePaths=-$pg_sock"$'\n' \
        "[Network]"$'\n'"Forward=unix:$pg_sock"$'\n')
run_lp run -p "$both" --findings "$F" -- "${psql_unix[@]}"
assert_status 0 "psql under Forward=unix:$pg_sock"
assert_eq 42 "$LP_OUT" "... gets its answer through the forward"
fget "$F" network forward
assert_eq 0 "$F_n" "... with no forward finding"
run_lp run -p "$both" --findings "$F" -- "$pg_bin/psql" -X -h "$pg_dir" -p 1 -U postgres -c 'select 1'
assert_status 2 "psql to another socket in that directory"

# Once the server is stopped its socket is gone: the run cannot forward
# it and says so (125). A socket file nobody listens on (a server that
# died) is forwarded, refused, reset inside, and reported.
runuser -u postgres -- "$pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null
pg_ctl=
run_lp run -p "$both" -- "${psql_unix[@]}"
assert_status 125 "Forward=unix: to a socket that is not there"
assert_contains "$LP_ERR" "start the service before the command" "... says what to do"
python3 -c "import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$pg_sock"
run_lp run -p "$both" --findings "$F" -- "${psql_unix[@]}"
assert_status 2 "psql through the forward to a dead socket"
expect_finding "the refused unix forward" "$F" network forward action=forward-failed \
        errno=ECONNREFUSED count=1 "target=unix $pg_sock" \
        "rule~pg-unix\.profile:[0-9]+ \[Network\] Forward=unix:$pg_sock$"
