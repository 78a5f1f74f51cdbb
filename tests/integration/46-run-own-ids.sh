#!/usr/bin/env bash
# A chown that gives a file the process's own ids (or leaves them, -1)
# needs no capability: where the run's ids cannot change (no CAP_SETUID or
# CAP_SETGID kept), the filter keeps it in the kernel, and tar extracting
# as root no longer pays a round trip per file (launch/filter.c). A chown
# to any other id is still notified and a CAP_CHOWN finding, exactly.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

cd "$tmp/shared" || fatal "cd $tmp/shared"
# own.py N OTHER: N fchown to the process's own ids (and to -1), then
# OTHER fchown to uid 1000 (refused without CAP_CHOWN).
cat >own.py <<'PY'
import os, sys
n, other = int(sys.argv[1]), int(sys.argv[2])
fd = os.open("own-file", os.O_CREAT | os.O_WRONLY, 0o644)
for _ in range(n):
    os.fchown(fd, os.getuid(), os.getgid())
    os.fchown(fd, -1, os.getgid())
    os.fchown(fd, os.getuid(), -1)
refused = 0
for _ in range(other):
    try:
        os.fchown(fd, 1000, -1)
    except OSError:  # EPERM; EINVAL as uid 65534 (1000 is not mapped)
        refused += 1
print("refused", refused)
PY
chmod 644 own.py

notifications() {
        local n
        n=$(grep -o '[0-9]* notifications handled' <<<"$LP_ERR" | cut -d' ' -f1)
        echo "${n:-missing}"
}

for who in root nobody; do
        rm -f own-file
        as_user "$who" run -v -- python3 own.py 10 0
        assert_eq "refused 0" "$LP_OUT" "$who: 30 chowns to its own ids"
        few=$(notifications)
        rm -f own-file
        as_user "$who" run -v -- python3 own.py 310 0
        many=$(notifications)
        assert_eq "$few" "$many" "$who: 900 more chowns to its own ids, no more notifications"
        assert_contains "$LP_ERR" "leastpriv: no findings" "$who: ... and no finding"

        F=$tmp/shared/own-$who.jsonl
        rm -f own-file
        as_user "$who" run --findings "$F" -- python3 own.py 10 7
        assert_eq "refused 7" "$LP_OUT" "$who: a chown to uid 1000 is refused"
        got=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    print(o["kind"], o["operation"], o["action"], o["count"])' "$F")
        assert_eq "capability CAP_CHOWN denied 7" "$got" "$who: ... each a CAP_CHOWN finding, counted exactly"
done

# A profile that keeps CAP_SETUID: the ids may change, so every chown is
# looked at again (no finding for the own ones, as before).
keep=$(default_plus keep-setuid $'[Capabilities]\nKeep=CAP_SETUID\n')
rm -f own-file
run_lp run -v -p "$keep" -- python3 own.py 10 0
few=$(notifications)
rm -f own-file
run_lp run -v -p "$keep" -- python3 own.py 110 0
many=$(notifications)
assert_eq yes "$([ "$few" != missing ] && [ "$many" != missing ] && [ $((many - few)) -ge 300 ] && echo yes || echo "no: $few then $many")" \
        "Keep=CAP_SETUID: 300 more chowns, at least 300 more notifications"
assert_contains "$LP_ERR" "leastpriv: no findings" "Keep=CAP_SETUID: own ids, no finding"
