#!/usr/bin/env bash
# [Limits] that bind root: Processes= is the run's pids cgroup as well as
# an rlimit (which uid 0 ignores), Memory= its memory cgroup. As root: a
# forking probe gets exactly Processes= processes in all (itself and
# the init counted: the init is born in the cgroup, no setup child), and the refused forks are one
# `resource` finding with their exact count (pids.events); a command
# that touches four times Memory= is OOM-killed (137) and reported
# (`killed`, count 1), and so is a write of that much to its private
# /tmp; every cgroup of a run is gone after it, a killed run's (SIGKILL to
# leastpriv) by the next run's start. Where no cgroup can be had (a
# private mount namespace with an empty /sys/fs/cgroup): the embedded
# profile's Processes= is one note, a profile's own Processes= or Memory=
# is exit 125 naming FILE:LINE. As uid 65534: Processes= binds as the
# rlimit, Memory= (no cgroup of its own) is 125.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
lp_require_root
lp_require_binaries
lp_require_nobody_access

# Every cgroup of a run is named leastpriv-PID (leastpriv's pid), in any
# hierarchy; other runs may be going on at the same time (those in a PID
# namespace of their own, leastpriv-PID-pidnsINODE, are not ours to judge).
run_cgroups() {
        find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -regex '.*/leastpriv-[0-9]+' 2>/dev/null |
                sort
}
# The ones whose leastpriv is gone: left behind.
left_cgroups() {
        local d
        for d in $(run_cgroups); do
                kill -0 "${d##*-}" 2>/dev/null || echo "$d"
        done
}
[ -d /sys/fs/cgroup ] || skip "no /sys/fs/cgroup on this host"
grep -qw pids /proc/self/cgroup || grep -q '^0::' /proc/self/cgroup ||
        skip "no cgroup hierarchy here"

# The probe: forks N children that wait on a pipe (no sleep), counts the
# forks the kernel refused (EAGAIN), lets them all go.
cat >"$tmp/forks.py" <<'EOF'
import os, sys
n = int(sys.argv[1])
r, w = os.pipe()
kids, refused = [], 0
for _ in range(n):
    try:
        pid = os.fork()
    except BlockingIOError:
        refused += 1
        continue
    if pid == 0:
        os.close(w)
        os.read(r, 1)
        os._exit(0)
    kids.append(pid)
os.close(w)
for k in kids:
    os.waitpid(k, 0)
print("forked", len(kids), "refused", refused)
EOF
chmod 644 "$tmp/forks.py"

limit=40
procs=$(printf '[Limits]\nProcesses=%s\n' "$limit")
pids_profile=$(default_plus pids "$procs")

# ---- root: pids.max ----------------------------------------------------------

run_lp run --profile "$pids_profile" --findings "$tmp/pids.jsonl" -- /usr/bin/python3 forks.py 200
assert_status 0 "root: a fork storm under Processes=$limit ends"
forked=$(awk '{print $2}' <<<"$LP_OUT")
refused=$(awk '{print $4}' <<<"$LP_OUT")
# The probe itself and the PID namespace's init are in the cgroup too
# (the init is leastpriv's own child: no setup process between them).
assert_eq $((limit - 2)) "$forked" "root: forks that fit under pids.max"
assert_eq $((200 - limit + 2)) "$refused" "root: forks refused"
fget "$tmp/pids.jsonl" resource pids.max
assert_eq 1 "$F_n" "root: one pids.max finding"
assert_eq "$refused" "$F_count" "root: its count is the refused forks, exactly"
assert_eq denied "$F_action" "root: pids.max action"
assert_eq "Processes=$limit" "$F_target" "root: pids.max target"
assert_match "$F_rule" "pids\.profile:4 \[Limits\] Processes=$limit$" "root: pids.max rule names FILE:LINE"
assert_eq "" "$(left_cgroups)" "root: no cgroup left after the run"

# Where clone3 is refused (Docker's default seccomp profile, kernels
# before 5.3), a setup process makes the PID namespace and forks the init
# (then joining the v2 cgroup itself): the limit holds, and the findings
# are the same. The setup process joins the v1 cgroups only: where pids
# is a v1 controller (this project's CI machine), one more process of
# the limit is taken.
others=2
grep -q '^[0-9]*:pids:' /proc/self/cgroup && others=3
capture "$LP_HELPERS/deny_bpf" clone3 -- "$LEASTPRIV" run --profile "$pids_profile" \
        --findings "$tmp/pids-fork.jsonl" -- /usr/bin/python3 forks.py 200
assert_status 0 "root, clone3 refused: a fork storm under Processes=$limit ends"
assert_eq $((limit - others)) "$(awk '{print $2}' <<<"$LP_OUT")" \
        "root, clone3 refused: forks that fit (the setup process counted where pids is v1)"
fget "$tmp/pids-fork.jsonl" resource pids.max
assert_eq $((200 - limit + others)) "$F_count" "root, clone3 refused: the refused forks, exactly"
assert_eq "" "$(left_cgroups)" "root, clone3 refused: no cgroup left after the run"

# Under the limit: no finding.
run_lp run --profile "$pids_profile" --findings "$tmp/pids-ok.jsonl" -- /usr/bin/python3 forks.py 10
assert_eq "forked 10 refused 0" "$LP_OUT" "root: ten forks under the limit"
fget "$tmp/pids-ok.jsonl" resource pids.max
assert_eq 0 "$F_n" "root: no pids.max finding under the limit"

# The command is in the run's cgroups, not the caller's.
run_lp run -- cat /proc/self/cgroup
assert_status 0 "root: the command reads its cgroups"
assert_match "$LP_OUT" '^[0-9]+:pids:.*/leastpriv-[0-9]+$|^0::.*/leastpriv-[0-9]+$' \
        "root: the command is in a cgroup of the run"

# ---- root: memory ------------------------------------------------------------

mem_profile=$(default_plus mem $'[Limits]\nMemory=32M\n')
run_lp run --profile "$mem_profile" --findings "$tmp/mem.jsonl" -- \
        /usr/bin/python3 -c 'b = bytearray(128 << 20); print("survived")'
assert_status 137 "root: touching 128M under Memory=32M is an OOM kill"
assert_not_contains "$LP_OUT" survived "root: the allocation did not complete"
fget "$tmp/mem.jsonl" resource memory.max
assert_eq 1 "$F_n" "root: one memory.max finding"
assert_eq 1 "$F_count" "root: one process killed"
assert_eq killed "$F_action" "root: memory.max action"
assert_eq "Memory=32M" "$F_target" "root: memory.max target"

# A private /tmp is memory too: a 128M file there is charged to the run.
run_lp run --profile "$mem_profile" --findings "$tmp/memtmp.jsonl" -- \
        sh -c 'head -c 134217728 /dev/zero > /tmp/big; echo wrote'
assert_not_contains "$LP_OUT" wrote "root: a 128M file in the private /tmp is not written"
fget "$tmp/memtmp.jsonl" resource memory.max
assert_eq 1 "$F_n" "root: one memory.max finding for the file in /tmp"
# The file's pages stay charged after its writer is killed (no process
# maps them), so the OOM killer may take the shell too: the count is the
# kernel's exact oom_kill, one or two here, never none.
assert_match "$F_count" '^[12]$' "root: the writer, and maybe its shell, OOM-killed"
assert_eq "" "$(left_cgroups)" "root: no cgroup left after the OOM runs"

# ---- a killed leastpriv's cgroups go with the next run -----------------------

# The command says it is up on one FIFO and then blocks opening another
# that nobody writes.
mkfifo -m 666 "$tmp/ready" "$tmp/hold"
(cd "$tmp" && exec "$LEASTPRIV" run --profile "$pids_profile" -- \
        sh -c 'echo up > ready; read x < hold') >/dev/null 2>&1 &
victim=$!
up=$(timeout 60 cat "$tmp/ready")
assert_eq up "$up" "a run that waits is up"
assert_ne 0 "$(run_cgroups | grep -c "leastpriv-$victim\$")" "a run in progress has its cgroups"
kill -KILL "$victim"
wait "$victim" 2>/dev/null
run_lp run -- true
assert_status 0 "the run after a killed one"
assert_eq 0 "$(run_cgroups | grep -c "leastpriv-$victim\$")" \
        "the killed run's cgroups are removed by the next run"

# ---- no cgroup to be had -----------------------------------------------------

# An empty /sys/fs/cgroup in a private mount namespace: the host's stays.
no_cgroups() {
        capture unshare -m --propagation private sh -c \
                'mount -t tmpfs none /sys/fs/cgroup && exec "$@"' sh "$LEASTPRIV" "$@"
}
no_cgroups run -- true
assert_status 0 "no cgroups: the embedded profile still runs"
assert_eq 1 "$(grep -c 'no pids cgroup can be made here' <<<"$LP_ERR")" \
        "no cgroups: said once"
# The same shipped profiles installed as files (./profiles, as an
# install's share directory would hold them): still only a note.
mkdir -m 755 "$tmp/inst" "$tmp/inst/profiles"
cp "$LP_SOURCE"/profiles/*.profile "$tmp/inst/profiles/"
chmod 644 "$tmp"/inst/profiles/*
pushd "$tmp/inst" >/dev/null || fatal "cd $tmp/inst"
no_cgroups run -- true
popd >/dev/null || fatal "cd back"
assert_status 0 "no cgroups: the shipped profiles read from files still run"
assert_eq 1 "$(grep -c 'no pids cgroup can be made here' <<<"$LP_ERR")" \
        "no cgroups: ... and say so once"
no_cgroups run --profile "$pids_profile" -- true
assert_status 125 "no cgroups: a profile's own Processes= as root"
assert_match "$LP_ERR" 'pids\.profile:4: \[Limits\] Processes= binds root only as a pids cgroup' \
        "no cgroups: Processes= error names FILE:LINE"
no_cgroups run --profile "$mem_profile" -- true
assert_status 125 "no cgroups: Memory="
assert_match "$LP_ERR" 'mem\.profile:4: \[Limits\] Memory= needs a memory cgroup' \
        "no cgroups: Memory= error names FILE:LINE"

# ---- uid 65534 -----------------------------------------------------------------

if [ -n "$(lp_userns_disabled_reason)" ]; then
        note "uid 65534 half not run: unprivileged user namespaces are off"
else
        run_lp_nobody run --profile "$pids_profile" -- /usr/bin/python3 forks.py 200
        assert_status 0 "nobody: a fork storm under Processes=$limit ends"
        forked=$(awk '{print $2}' <<<"$LP_OUT")
        [ "${forked:-999}" -lt "$limit" ] && LP_CHECKS=$((LP_CHECKS + 1)) &&
                pass "nobody: the rlimit binds ($forked forks)" ||
                fail "nobody: expected fewer than $limit forks, got '$forked'"
        run_lp_nobody run --profile "$mem_profile" -- true
        assert_status 125 "nobody: Memory= without a cgroup of its own"
        assert_match "$LP_ERR" 'mem\.profile:4: \[Limits\] Memory= needs a memory cgroup' \
                "nobody: Memory= error names FILE:LINE"
fi
assert_eq "" "$(left_cgroups)" "no cgroup left by the whole test"
