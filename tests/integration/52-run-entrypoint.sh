#!/usr/bin/env bash
# leastpriv as a container's entrypoint (README, "As a container
# entrypoint"): PID 1 of a PID namespace, as a container runtime starts it,
# made here with `unshare --pid --fork --mount-proc` (no runtime needed).
#
# Twice: as root (leastpriv gives the command a PID namespace of its own
# inside), and with Docker's default capability set, which has no
# CAP_SYS_ADMIN (no namespace, no mount: the command runs in leastpriv's
# namespace, leastpriv its subreaper and its init). Each time:
# - orphans of the command's own (a double fork) are adopted by their
#   namespace's PID 1 and reaped when they exit, while the command runs;
# - a process that enters the namespace from outside (`docker exec`, here
#   nsenter) and leaves an orphan: leastpriv itself adopts and reaps it;
# - SIGTERM to leastpriv (from the host, as `docker stop` sends it, or from
#   inside the namespace to pid 1) reaches the command, which exits by it:
#   exit status 143, and the command's handler saw it.
# Two such runs at once each get their own cgroups (every PID-1 leastpriv
# is pid 1). Without CAP_SYS_ADMIN the default profile stops with 125 and
# the hint, and examples/container/container.profile runs sh, coreutils,
# python3 with a loopback socket and make without a finding, and still
# reports what its filter denies.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
lp_require_root
lp_require_binaries
for tool in unshare nsenter setpriv make cc; do
        command -v $tool >/dev/null || skip "$tool not installed"
done
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 not installed"

CONTAINER_PROFILE=$LP_SOURCE/examples/container/container.profile
# Docker's default capabilities (moby's oci/caps/defaults.go): no
# CAP_SYS_ADMIN, so neither namespaces nor mounts.
DOCKER_CAPS=-all,+chown,+dac_override,+fsetid,+fowner,+mknod,+net_raw,+setgid,+setuid
DOCKER_CAPS+=,+setfcap,+setpcap,+net_bind_service,+sys_chroot,+kill,+audit_write
as_container=(setpriv --inh-caps "$DOCKER_CAPS" --bounding-set "$DOCKER_CAPS" --)
# What makes the next program PID 1 of a new PID namespace with its /proc;
# if unshare is killed (the guard's timeout), so is that PID 1, and with it
# the namespace.
as_pid1=(unshare --pid --fork --mount-proc --kill-child)
ORPHANS=3

# The leastpriv (PID 1) of a run still going, killed if the test stops
# early: the whole namespace goes with it (its guard, unshare, returns
# once it has), and the cgroups it could not remove are removed here.
entry_pid='' entry_guard='' entry_cgroup=''
lp_cleanup() {
        local d
        [ -n "$entry_pid" ] || return 0
        kill -KILL "$entry_pid" 2>/dev/null
        wait "$entry_guard" 2>/dev/null
        for d in $(cgroups_named "$entry_cgroup"); do
                rmdir "$d"
        done
        return 0
}

# ---- helpers -------------------------------------------------------------------

# The command: ORPHANS orphans of its own (each made by a middle process
# that exits at once) that wait on a pipe; then, on FIFOs, "ready" with its
# PID namespace, its pid and theirs; "go" lets the orphans exit, and
# "exited" says they have (EOF on a pipe they held). Then it waits for
# SIGTERM, writes the marker, and dies of it.
cat >"$tmp/entry.py" <<'EOF'
import os, signal, sys

def on_term(signo, frame):
    with open("marker", "w") as f:
        f.write("TERM\n")
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)

def orphan(release_r):
    os.read(release_r, 1)  # EOF: the command let go
    os._exit(0)

signal.signal(signal.SIGTERM, on_term)
release_r, release_w = os.pipe()
done_r, done_w = os.pipe()
orphans = []
for _ in range(int(sys.argv[1])):
    r, w = os.pipe()
    middle = os.fork()
    if middle == 0:
        pid = os.fork()
        if pid == 0:
            os.close(release_w)
            os.close(done_r)
            orphan(release_r)
        os.write(w, b"%d" % pid)
        os._exit(0)
    os.close(w)
    orphans.append(os.read(r, 32).decode())
    os.close(r)
    os.waitpid(middle, 0)  # gone: its child is an orphan now
os.close(release_r)
os.close(done_w)
ns = os.stat("/proc/self/ns/pid").st_ino
with open("ready", "w") as f:
    f.write(" ".join([str(ns), str(os.getpid())] + orphans) + "\n")
with open("go") as f:
    f.read()
os.close(release_w)
os.read(done_r, 1)
with open("exited", "w") as f:
    f.write("exited\n")
while True:
    signal.pause()
EOF

# What is under a host pid, seen from the host: "PID PPID STATE NS NSPID"
# a line (NS the PID namespace's inode, NSPID the pid in it). A zombie is
# listed too: it keeps its pid, state Z and parent until it is reaped.
cat >"$tmp/tree.py" <<'EOF'
import os, sys
root, procs = int(sys.argv[1]), {}
for d in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open("/proc/%s/stat" % d) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        with open("/proc/%s/status" % d) as f:
            nspid = [l.split()[-1] for l in f if l.startswith("NSpid:")][0]
        ns = os.stat("/proc/%s/ns/pid" % d).st_ino
    except (OSError, IndexError):
        continue  # gone meanwhile
    procs[int(d)] = (int(fields[1]), fields[0], ns, nspid)
under, changed = {root}, True
while changed:
    more = {p for p, v in procs.items() if v[0] in under} - under
    under |= more
    changed = bool(more)
for p in sorted(under - {root}):
    if p in procs:
        print(p, *procs[p])
EOF
chmod 644 "$tmp/entry.py" "$tmp/tree.py"

tree() {
        /usr/bin/python3 "$tmp/tree.py" "$1"
}

# host_pid LP NS NSPID: the host pid of NSPID in namespace NS, under LP.
host_pid() {
        tree "$1" | awk -v ns="$2" -v p="$3" '$4 == ns && $5 == p { print $1 }'
}

# settled LP PIDS...: the PIDS that are still under LP (zombie or not),
# and every zombie under LP; empty once all are reaped. A zombie nobody
# reaps stays one: this waits up to 10 s for the reaper, then reports.
settled() {
        local lp=$1 i left
        shift
        for ((i = 0; i < 100; i++)); do
                left=$(tree "$lp" | awk -v pids=" $* " \
                        'index(pids, " " $1 " ") || $3 == "Z" { print $1 "(" $3 ")" }')
                [ -z "$left" ] && return
                sleep 0.1
        done
        echo "${left//$'\n'/ }"
}

# fifo_read NAME / fifo_write NAME TEXT: one step of the protocol, bounded
# so that a command that never gets there fails the test instead of
# hanging it.
fifo_read() {
        timeout 60 cat "$tmp/$1"
}
fifo_write() {
        timeout 60 sh -c 'printf "%s\n" "$2" >"$1"' sh "$tmp/$1" "$2"
}

# not_withheld FILE: the findings of a --findings file other than withheld
# variables (which never trip --fail-on-findings), one "kind operation
# target" a line; "unreadable" when FILE is not there.
not_withheld() {
        /usr/bin/python3 - "$1" <<'EOF'
import json, sys
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    sys.exit(print("unreadable"))
for o in map(json.loads, lines):
    if o["action"] != "withheld":
        print(o["kind"], o["operation"], o["target"])
EOF
}

# cgroups_named NAME: the cgroup directories of that name, in any hierarchy.
cgroups_named() {
        find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "$1" 2>/dev/null
}

# ---- one entrypoint run ------------------------------------------------------------

# entrypoint_run LABEL PROFILE REAPER SENDER [WRAP...]: leastpriv as PID 1
# (WRAP: what stands between unshare and leastpriv) runs entry.py under
# PROFILE. REAPER is who adopts the command's orphans: "init" (leastpriv's
# init of the command's own PID namespace) or "leastpriv". SENDER of the
# SIGTERM: "host" or "inside".
entrypoint_run() {
        local label=$1 profile=$2 reaper=$3 sender=$4 lp ready words guard
        shift 4
        rm -f "$tmp/ready" "$tmp/go" "$tmp/exited" "$tmp/marker" "$tmp/x-go" "$tmp/x-pid"
        mkfifo -m 666 "$tmp/ready" "$tmp/go" "$tmp/exited" "$tmp/x-go"
        (cd "$tmp" && exec timeout -k 5 60 "${as_pid1[@]}" "$@" "$LEASTPRIV" run -p "$profile" \
                --findings "$tmp/$label.jsonl" --fail-on-findings -- \
                /usr/bin/python3 entry.py $ORPHANS) >"$tmp/$label.out" 2>"$tmp/$label.err" &
        guard=$!
        ready=$(fifo_read ready)
        lp=$(pgrep -P "$(pgrep -P "$guard")")
        [ -n "$ready" ] && [ -n "$lp" ] ||
                fatal "$label: the command never said it was up: $(cat "$tmp/$label.err")"
        entry_pid=$lp entry_guard=$guard
        entry_cgroup=leastpriv-1-pidns$(stat -L -c %i "/proc/$lp/ns/pid")
        read -r -a words <<<"$ready" # its PID namespace, its pid, its orphans' pids
        assert_eq "$((ORPHANS + 2))" "${#words[@]}" "$label: the command is up, with its $ORPHANS orphans"
        assert_eq 1 "$(awk '$1 == "NSpid:" { print $NF }' "/proc/$lp/status")" \
                "$label: leastpriv is pid 1 of its namespace"
        entry_checks "$label" "$lp" "$reaper" "${words[@]}"
        adopted_checks "$label" "$lp"
        [ "$label" = root ] && concurrent_checks
        if [ "$sender" = host ]; then
                kill -TERM "$lp"
        else
                nsenter -t "$lp" -p -- kill -TERM 1
        fi
        wait "$guard"
        LP_STATUS=$?
        entry_pid=
        assert_eq "" "$(cgroups_named "$entry_cgroup")" "$label: the run's cgroups are gone after it"
        LP_OUT=$(cat "$tmp/$label.out")
        LP_ERR=$(cat "$tmp/$label.err")
        LP_LAST="${as_pid1[*]} $* leastpriv run -p $profile -- entry.py"
        assert_status 143 "$label: SIGTERM to leastpriv (pid 1, from the $sender) ends the command by it"
        assert_eq TERM "$(cat "$tmp/marker" 2>/dev/null)" "$label: the command's handler saw the SIGTERM"
        assert_eq "" "$(not_withheld "$tmp/$label.jsonl")" "$label: no finding"
}

# entry_checks LABEL LP REAPER NS CMD ORPHANS...: where the command runs
# and who adopts its orphans; they are reaped when they exit, the command
# still running.
entry_checks() {
        local label=$1 lp=$2 reaper=$3 ns=$4 cmd=$5 o h p pids=() adopted=0 reaper_pid lp_ns
        shift 5
        lp_ns=$(stat -L -c %i "/proc/$lp/ns/pid")
        if [ "$reaper" = init ]; then
                assert_ne "$lp_ns" "$ns" "$label: the command has a PID namespace of its own"
        else
                assert_eq "$lp_ns" "$ns" "$label: the command runs in leastpriv's namespace (no CAP_SYS_ADMIN)"
        fi
        h=$(host_pid "$lp" "$ns" "$cmd")
        reaper_pid=$(tree "$lp" | awk -v p="$h" '$1 == p { print $2 }')
        if [ "$reaper" = leastpriv ]; then
                assert_eq "$lp" "$reaper_pid" "$label: the command is leastpriv's child"
        else
                assert_eq "1" "$(tree "$lp" | awk -v p="$reaper_pid" '$1 == p { print $5 }')" \
                        "$label: the command's parent is its namespace's init"
        fi
        for o in "$@"; do
                p=$(host_pid "$lp" "$ns" "$o")
                pids+=("$p")
                [ -n "$p" ] && [ "$(tree "$lp" | awk -v p="$p" '$1 == p { print $2 }')" = "$reaper_pid" ] &&
                        adopted=$((adopted + 1))
        done
        assert_eq "$ORPHANS" "$adopted" "$label: orphans adopted by the $reaper (pid 1 of their namespace)"
        fifo_write go go
        assert_eq exited "$(fifo_read exited)" "$label: the orphans have exited"
        assert_eq "" "$(settled "$lp" "${pids[@]}")" "$label: every orphan reaped, no zombie under leastpriv"
}

# adopted_checks LABEL LP: a process that enters the namespace from
# outside (as `docker exec` does) leaves an orphan; its parent is outside,
# so the kernel gives it to the namespace's PID 1: leastpriv, which reaps
# it when it exits.
adopted_checks() {
        local label=$1 lp=$2 x h lp_ns
        lp_ns=$(stat -L -c %i "/proc/$lp/ns/pid")
        nsenter -t "$lp" -p -- /bin/sh -c 'cat "$1" >/dev/null & echo $! >"$2"' sh \
                "$tmp/x-go" "$tmp/x-pid"
        x=$(cat "$tmp/x-pid")
        h=$(host_pid "$lp" "$lp_ns" "$x")
        assert_eq "$lp" "$(tree "$lp" | awk -v p="$h" '$1 == p { print $2 }')" \
                "$label: the orphan of an exec'd process is leastpriv's (pid 1) to reap"
        fifo_write x-go go
        assert_eq "" "$(settled "$lp" "$h")" "$label: leastpriv reaps it when it exits"
}

# concurrent_checks: another PID-1 leastpriv while the first one runs:
# each is pid 1, and each has cgroups of its own (a profile's own
# Processes= is 125 where it cannot have one).
concurrent_checks() {
        local name=$entry_cgroup pids_profile
        assert_ne "" "$(cgroups_named "$name")" "root: the waiting run has its cgroups ($name)"
        pids_profile=$(default_plus pids $'[Limits]\nProcesses=64\n')
        capture "${as_pid1[@]}" "$LEASTPRIV" run -p "$pids_profile" -- cat /proc/self/cgroup
        assert_status 0 "root: a second leastpriv as pid 1 at the same time runs"
        assert_match "$LP_OUT" ':pids:.*/leastpriv-1-pidns[0-9]+$' "root: ... in a pids cgroup of its own"
        assert_not_contains "$LP_OUT" "/$name" "root: ... not the first run's"
}

# ---- root: leastpriv's own PID namespace inside --------------------------------------

entrypoint_run root default init host

# ---- a container without CAP_SYS_ADMIN -----------------------------------------------

capture "$LEASTPRIV" check "$CONTAINER_PROFILE"
assert_status 0 "examples/container/container.profile is valid"

# The default profile cannot run there: 125, the step and what turns it off.
capture "${as_pid1[@]}" "${as_container[@]}" "$LEASTPRIV" run -- sh -c 'echo ran'
assert_status 125 "no CAP_SYS_ADMIN: the default profile -> 125"
assert_eq "" "$LP_OUT" "... nothing executed"
assert_contains "$LP_ERR" "create network, IPC and UTS namespaces failed: Operation not permitted" \
        "... names the step"
assert_contains "$LP_ERR" "a container without CAP_SYS_ADMIN?); run without them: [Network] Namespace=host, [Host] PrivateIPC=no and ProtectHostname=no, and the [Filesystem] rules off" \
        "... and the lines that turn it off"

entrypoint_run container "$CONTAINER_PROFILE" leastpriv inside "${as_container[@]}"

# What still holds there: a call the filter denies (ptrace, which Docker's
# own seccomp profile allows) and one that needed a capability are
# findings, and trip the gate; the chown's path is read from the command's
# memory, which needs no CAP_SYS_PTRACE.
touch "$tmp/owned"
capture "${as_pid1[@]}" "${as_container[@]}" "$LEASTPRIV" run -p "$CONTAINER_PROFILE" \
        --findings "$tmp/held.jsonl" --fail-on-findings -- \
        sh -c '"$1" ptrace-traceme; "$1" chown "$2" 1000; true' sh "$PROBE" "$tmp/owned"
assert_status 1 "container: findings trip --fail-on-findings"
expect_finding "container: ptrace" "$tmp/held.jsonl" syscall ptrace \
        target="ptrace(PTRACE_TRACEME)" action=denied errno=EPERM count=1
expect_finding "container: chown" "$tmp/held.jsonl" capability CAP_CHOWN \
        target="chown(\"$tmp/owned\")" action=denied count=1
assert_eq 0 "$(stat -c %u "$tmp/owned")" "container: ... the owner is unchanged"

# What still holds there, and a small suite of real commands without a
# finding: `--fail-on-findings` exits 0 and the findings are only
# withheld variables.
suite() {
        local what=$1
        shift
        capture "${as_pid1[@]}" "${as_container[@]}" "$LEASTPRIV" run \
                -p "$CONTAINER_PROFILE" --findings "$tmp/suite.jsonl" --fail-on-findings -- "$@"
        assert_status 0 "container: $what"
        assert_eq "" "$(not_withheld "$tmp/suite.jsonl")" "container: $what: no finding"
}
suite "the sandbox" sh -c 'grep -E "^(CapPrm|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status'
assert_eq "$(printf 'CapPrm:\t0000000000000000\nCapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nNoNewPrivs:\t1\nSeccomp:\t2')" \
        "$LP_OUT" "container: no capability, no_new_privs, a seccomp filter"
suite "sh" sh -c 'set -e; n=0; for w in a b c; do n=$((n + 1)); done; test "$n" = 3; echo "$$"'
assert_eq 2 "$LP_OUT" "container: the command is pid 2, leastpriv's child"
suite "coreutils" sh -c 'set -e; mkdir work; printf "3\n1\n2\n" | sort -n >work/s; cp work/s work/t
cmp work/s work/t; sha256sum work/t | cut -c1-8; wc -l <work/t; mv work/t work/u; ls work; rm -r work'
assert_eq "$(printf '%s\n' 3 1 2 | sort -n | sha256sum | cut -c1-8)
3
s
u" "$LP_OUT" "container: coreutils made, sorted, hashed, moved and removed"
suite "python3 with a loopback socket" /usr/bin/python3 -c '
import socket, threading
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen()
def echo():
    c, _ = srv.accept()
    c.sendall(c.recv(16).upper())
threading.Thread(target=echo).start()
cli = socket.create_connection(srv.getsockname())
cli.sendall(b"ping")
print(cli.recv(16).decode())'
assert_eq PING "$LP_OUT" "container: the loopback echo answered"
# The example image's own CMD, on its own Makefile.
mkdir "$tmp/make"
cp "$LP_SOURCE/examples/container/Makefile.example" "$tmp/make/Makefile"
suite "make check of examples/container (cc, then the program)" make -s -C "$tmp/make" check
assert_eq passed "$LP_OUT" "container: make built and ran the program"
