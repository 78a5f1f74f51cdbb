#!/usr/bin/env bash
# A finding names the program that made the call (docs/architecture.md,
# "Findings"), also when a process execs another program in the same pid:
# the supervisor caches executables per thread id (supervise/exe_cache.c),
# and the cached name must stop being given at the exec. The probe makes a
# denied mount, then execs a copy of itself (another file, so another
# executable) that makes the same mount: two findings, one per program,
# each with its own count; a stale cache would make them one finding of
# the first program. Exec'd from the leader, and from a second thread
# (which takes the leader's pid). As root, and as uid 65534 where the
# kernel lets it subscribe (Linux 6.6 and later), the cache follows the
# kernel's process events; elsewhere it reads /proc each time.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

source "$(dirname "$0")/findings-lib.sh"

cd "$tmp/shared" || fatal "cd $tmp/shared"
SECOND=$LP_BIN/probe-second
cp "$PROBE" "$SECOND" || fatal "cp $PROBE $SECOND"

# by_exe FILE: "EXE=COUNT" of each denied mount of the probe's path, in
# first-seen order, on one line.
by_exe() {
        /usr/bin/python3 - "$1" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
print(" ".join("%s=%d" % (r["exe"], r["count"]) for r in rows
               if r["operation"] == "mount" and "leastpriv-exec-denied" in r["target"]))
PY
}

exec_checks() {
        local who=$1 where f first
        for where in leader thread; do
                f=$tmp/shared/exec-$who-$where.jsonl
                rm -f "$f"
                lpx "$who" run --findings "$f" -- "$PROBE" exec-denied $where "$SECOND"
                assert_status 0 "$who, exec from the $where: the second program's mount was denied"
                # Both lines of the probe, before and after the exec, say
                # the same pid.
                local pids
                pids=$(grep -oE 'pid=[0-9]+' <<<"$LP_OUT" | sort -u | wc -l | tr -d ' ')
                assert_eq 1 "$pids" "$who, exec from the $where: both programs ran in one pid"
                # From a thread, the main thread made its own mount first.
                first=1
                [ $where = thread ] && first=2
                assert_eq "$PROBE=$first $SECOND=1" "$(by_exe "$f")" \
                        "$who, exec from the $where: one finding per program, each counted"
        done
}

exec_checks root

lp_require_nobody_access
why=$(lp_userns_disabled_reason)
[ -z "$why" ] || skip "root checks done; uid 65534 needs user namespaces: $why"
exec_checks nobody
