#!/usr/bin/env bash
# Soak (docs/architecture.md, "Tests"): a thousand short runs in a row, all
# launched from one long-lived process (soak-runs.py), in a mix of the
# ordinary kinds, as root and as uid 65534: a plain `true`, a denied call,
# the --findings and --sarif files, the descriptors the command sees (0, 1,
# 2 and no more, though leastpriv was handed one more), a signal passed on
# once the command is ready, a daemon the command leaves, a command that
# kills itself, a dynamic user, and a --timeout. Every run must go exactly
# as it should, and afterwards nothing of them may be left: no process (the
# launching process is the init of a PID namespace of its own, so every
# process the runs leave becomes its child; on the host, none of
# leastpriv's or of the test's helpers), the same mounts (on the host and
# where leastpriv was launched), no cgroup with leastpriv in its path, no
# new entry in the shared temporary directories or /run/leastpriv, no new
# SysV object, and the same descriptors in the test's shell and in the
# launching process.
#
# The host is shared: what other programs create meanwhile is told apart
# from what the runs left (fanotify names a creator outside the launching
# process's PID namespace as pid 0) and noted, never counted.
#
# LP_SOAK_RUNS sets the number of runs (at least 200).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries
command -v ipcs >/dev/null || skip "ipcs (util-linux) not installed"
command -v unshare >/dev/null || skip "unshare (util-linux) not installed"

runs=${LP_SOAK_RUNS:-1000}
# Every 100th run is a --timeout, as root and as uid 65534 in turn.
[ "$runs" -ge 200 ] || fatal "LP_SOAK_RUNS=$runs: below 200, some kinds of run never happen"
lp_real=$(readlink -f "$LEASTPRIV")
state=$tmp/host-state
mkdir "$state"

# ---- the host, before and after -------------------------------------------

# ours PID: prints "PID EXE CMDLINE" when PID runs this build's leastpriv
# or one of the test's helpers (copied to $LP_BIN). Other builds' runs on
# the same host are not this test's.
ours() {
        local exe cmd
        exe=$(readlink "/proc/$1/exe" 2>/dev/null) || exe=
        cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || cmd=
        if [ "$exe" = "$lp_real" ] || [[ "$exe" == "$LP_BIN/"* ]] || [[ "$cmd" == "$LP_BIN/"* ]]; then
                echo "$1 $exe $cmd"
        fi
}

soak_processes() {
        local d
        for d in /proc/[0-9]*; do
                ours "${d#/proc/}"
        done
}

# Every cgroup whose path names leastpriv, in any hierarchy.
soak_cgroups() {
        find /sys/fs/cgroup -type d -path '*leastpriv*' 2>/dev/null | sort
}

# cgroups_left: of the cgroups read from stdin, those that still exist and
# hold no process or one of this test's. One whose processes are all
# another build's belongs to a run of it going on right now.
cgroups_left() {
        local cg pid procs mine
        while IFS= read -r cg; do
                [ -d "$cg" ] || continue
                procs=$(cat "$cg/cgroup.procs" 2>/dev/null)
                mine=
                for pid in $procs; do
                        mine+=$(ours "$pid")
                done
                if [ -n "$procs" ] && [ -z "$mine" ]; then
                        note "another build's run, going on: $cg" >&2
                        continue
                fi
                echo "$cg ${procs//$'\n'/ }"
        done
}

# The entries of the host's shared temporary directories and $TMPDIR (one
# level: what a run could leave there), of /run/leastpriv and of the lock
# directory of dynamic users in it (which itself stays, by design). This
# test's own directory is left out.
tmp_dirs=(/tmp /var/tmp /dev/shm /dev/mqueue ${TMPDIR:+"$TMPDIR"} /run/leastpriv /run/leastpriv/dynamic-id)
soak_tmp_entries() {
        local dir
        for dir in "${tmp_dirs[@]}"; do
                [ -d "$dir" ] && find "$dir" -mindepth 1 -maxdepth 1 ! -path "$tmp" ! -path /run/leastpriv/dynamic-id
        done
        return 0
}

# SysV shared memory, semaphores and message queues: "KIND KEY ID OWNER
# PERMS", KIND being ipcs's option (m, s, q).
soak_ipc() {
        local kind
        for kind in m s q; do
                ipcs -"$kind" | awk -v k="$kind" '$1 ~ /^0x/ { print k, $1, $2, $3, $4 }'
        done
}

# ipc_left: of the SysV objects read from stdin, those that still exist,
# but for a shared memory segment whose creator is running and is not
# this test's (another program on the host, using it right now).
ipc_left() {
        local kind key id rest cpid
        while read -r kind key id rest; do
                ipcs -"$kind" -i "$id" >/dev/null 2>&1 || continue
                cpid=$(awk -v id="$id" '$2 == id { print $5 }' /proc/sysvipc/shm)
                if [ "$kind" = m ] && [ -d "/proc/$cpid" ] && [ -z "$(ours "$cpid")" ]; then
                        note "another program's, in use: shm $key $id (creator $cpid)" >&2
                        continue
                fi
                echo "$kind $key $id $rest"
        done
}

snapshot() {
        soak_processes >"$state/$1.processes"
        cat /proc/self/mountinfo >"$state/$1.mounts"
        soak_cgroups >"$state/$1.cgroups"
        soak_tmp_entries | sort >"$state/$1.tmp"
        soak_ipc | sort >"$state/$1.ipc"
        # The shell's descriptors, listed by a command of its own: redirections
        # of a function or a command substitution would add some to the list.
        find /proc/$$/fd -mindepth 1 -printf '%f %l\n' >"$state/$1.fds"
}

# driver FIELD: what the launching process printed after "FIELD: ".
driver() { sed -n "s/^$1: //p" <<<"$LP_OUT"; }

# new_lines WHAT: lines of after.WHAT that before.WHAT lacks.
new_lines() {
        comm -13 "$state/before.$1" "$state/after.$1"
}

# tmp_left: of the new entries read from stdin, those that still exist and
# that the runs created, or that nothing tells apart: in a directory the
# driver could not watch. One that another program on the host created
# meanwhile is noted, not counted (a shared host's /tmp is busy).
tmp_left() {
        local path watched
        watched=" $(driver watched) "
        while IFS= read -r path; do
                [ -e "$path" ] || [ -L "$path" ] || continue
                if [[ "$watched" == *" ${path%/*} "* ]] && ! grep -qxF -- "created: $path" <<<"$LP_OUT"; then
                        note "created by another program meanwhile: $path" >&2
                        continue
                fi
                ls -ld --time-style=full-iso -- "$path"
        done
}

check_host() {
        assert_eq "" "$(new_lines processes)" "no process of leastpriv or of its commands left"
        assert_eq "$(wc -l <"$state/before.mounts")" "$(wc -l <"$state/after.mounts")" \
                "as many mounts as before"
        assert_eq "" "$(diff "$state/before.mounts" "$state/after.mounts")" "the same mounts"
        assert_eq "" "$(new_lines cgroups | cgroups_left)" "no cgroup of leastpriv left"
        assert_eq "" "$(new_lines tmp | tmp_left)" \
                "no new entry in /tmp, /var/tmp, /dev/shm, /dev/mqueue, \$TMPDIR, /run/leastpriv"
        assert_eq "" "$(new_lines ipc | ipc_left)" "no SysV object left"
        # One removed meanwhile is another program's (leastpriv removes only
        # what a dynamic user left, and that was made during the run).
        comm -23 "$state/before.ipc" "$state/after.ipc" | sed 's/^/note: removed meanwhile: /'
        assert_eq "" "$(diff "$state/before.fds" "$state/after.fds")" \
                "the same descriptors in the test's shell"
}

# ---- the runs --------------------------------------------------------------

nobody=1
why=
if ! command -v setpriv >/dev/null || ! unpriv test -x "$LEASTPRIV" || ! unpriv test -x "$PROBE"; then
        why="uid 65534 cannot run $LEASTPRIV or $PROBE"
else
        why=$(lp_userns_disabled_reason)
fi
if [ -n "$why" ]; then
        nobody=0
        note "the runs of uid 65534 run as root: $why"
fi

cd "$tmp/shared" || fatal "cd $tmp/shared"
mkdir -m 1777 reports
dyn=$(profile dyn <<'EOF'
[Profile]
Include=default
[Identity]
DynamicUser=yes
EOF
)

# The launching process is the init of a PID namespace of its own, with a
# /proc of its own mounted on a private copy of the host's /proc (the
# rest of the mount table as it is): see soak-runs.py.
snapshot before
watch=$(IFS=:; echo "${tmp_dirs[*]}")
LP_GUARD=280 capture unshare --mount --propagation unchanged --pid --fork --kill-child -- \
        /bin/sh -c 'mount --make-private /proc && mount -t proc proc /proc && exec "$@"' sh \
        /usr/bin/python3 "$LP_SOURCE/tests/integration/soak-runs.py" \
        "$LEASTPRIV" "$PROBE" "$tmp/shared" "$dyn" "$runs" "$nobody" "$watch"
snapshot after

assert_status 0 "every one of the $runs runs went as expected"
[ "$LP_STATUS" = 0 ] || printf '%s\n' "$LP_OUT" "$LP_ERR" >&2
assert_eq "$(driver fds-before)" "$(driver fds-after)" "the same descriptors in the launching process"
assert_ne "" "$(driver fds-after)" "... which were listed"
assert_eq none "$(driver children-after)" "the launching process has no child left to reap"
assert_eq none "$(driver reports-left)" "no temporary file left beside the reports"
assert_eq none "$(driver mounts-changed)" "the same mounts where leastpriv was launched"
note "watched for creations: $(driver watched)"

# Every kind ran, as each of its users, and each of its runs went right.
kinds=$(grep -E '^[a-z]+/(root|nobody): ' <<<"$LP_OUT")
assert_eq "daemon/nobody daemon/root denied/nobody denied/root dynamic/root fds/nobody fds/root killed/nobody killed/root reports/nobody reports/root signal/nobody signal/root timeout/nobody timeout/root true/nobody true/root" \
        "$(cut -d: -f1 <<<"$kinds" | sort | tr '\n' ' ' | sed 's/ $//')" "every kind of run, as root and as uid 65534"
assert_eq "$runs" "$(awk '{ n += $4 } END { print n + 0 }' <<<"$kinds")" "runs counted"
assert_eq "" "$(awk '$2 != $4' <<<"$kinds")" "kinds with a run that went wrong"
note "$(driver runs)"

check_host

[ "$nobody" = 1 ] || [ "$LP_FAILURES" -gt 0 ] || skip "root checks done; uid 65534: $why"
