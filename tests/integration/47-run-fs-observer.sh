#!/usr/bin/env bash
# The filesystem observer (docs/architecture.md, "The filesystem
# observer"): as root with --observe-writes, the command's path-writing
# calls are plain syscalls; a raw tracepoint program counts each one the kernel refuses,
# and the supervisor names it after the run. Checked: writes in the
# workspace cost no notification; each refused write is one finding with
# its exact count, its path made absolute and its program named; the
# calls still notified for another reason (a chown to another owner) are
# not counted twice; a run without the option, and uid 65534, whose runs
# notify those calls, get the same findings. (Host files are only ever tried for writing, refused,
# and checked by checksum.)
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries
lp_require_nobody_access

lp_enter_probe_dir
passwd_sum=$(sha256sum /etc/passwd)

# writes.py: refused writes, each kind a known number of times, by a
# process that lives on after them (so each is named exactly).
cat >writes.py <<'EOF2'
import os
from refused import refused
for _ in range(50):
    refused(lambda: open("/etc/passwd", "a"))
for _ in range(3):
    refused(lambda: os.mkdir("/usr/lp-observer-probe"))
refused(lambda: os.rename("/etc/hostname", "/etc/hostname.lp"))
refused(lambda: os.chmod("/etc/passwd", 0o644))
for _ in range(2):
    refused(lambda: os.chown("/etc/passwd", 0, 0))   # its own ids: in the kernel
for _ in range(4):
    refused(lambda: os.chown("/etc/passwd", 1, 1))   # another owner: notified
os.chdir("/etc")
for _ in range(5):
    refused(lambda: open("lp-relative-probe", "w"))  # relative to /etc, which it stays in
refused(lambda: os.symlink("/etc/passwd", "/etc/lp-link-probe"))
print("done")
EOF2
summary() {
        python3 - "$1" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    rows.append("%s %s %s %s" % (o["kind"], o["operation"], o["target"], o["count"]))
print("\n".join(sorted(rows)))
PY
}
notifications() {
        local n
        n=$(grep -o '[0-9]* notifications handled' <<<"$LP_ERR" | cut -d' ' -f1)
        echo "${n:-missing}"
}

F=$tmp/shared/root.jsonl
capture "$LEASTPRIV" run -v --observe-writes --findings "$F" -- python3 writes.py
assert_status 0 "root: the command runs"
assert_eq done "$LP_OUT" "root: it gets to the end"
assert_contains "$LP_ERR" "filesystem observer: attached" "root: the observer is attached"
assert_eq "$passwd_sum" "$(sha256sum /etc/passwd)" "root: /etc/passwd unchanged"
[ -e /etc/hostname.lp ] && fail "root: /etc/hostname was renamed"
# The chown to another owner is notified (root keeps no CAP_CHOWN) and
# the two to its own ids are counted in the kernel: one finding of 6.
expected="filesystem chmod /etc/passwd 1
filesystem chown /etc/passwd 6
filesystem create /etc/lp-relative-probe 5
filesystem mkdir /usr/lp-observer-probe 3
filesystem rename /etc/hostname 1
filesystem symlink /etc/lp-link-probe 1
filesystem write /etc/passwd 50"
assert_eq "$expected" "$(summary "$F")" \
        "root: each refused write once, its count exact, its path absolute, none twice"
python3 - "$F" "$PYTHON" >"$tmp/keys.out" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    ok = o["exe"] == sys.argv[2] and o["pid"] > 1 and o["action"] == "denied" and \
        "[Filesystem] ProtectSystem=strict" in o["rule"] and o["fix"].startswith("[Filesystem] ReadWritePaths=/")
    print("ok" if ok else "bad: " + line.strip())
PY
assert_eq "$(printf 'ok\n%.0s' 1 2 3 4 5 6 7)" "$(cat "$tmp/keys.out")" \
        "root: executable, pid, rule and fix of each"

# ---- without --observe-writes: the same findings, by the supervisor ----
R=$tmp/shared/root-notified.jsonl
capture "$LEASTPRIV" run -v --findings "$R" -- python3 writes.py
assert_eq done "$LP_OUT" "root, notified: it gets to the end"
assert_not_contains "$LP_ERR" "filesystem observer: attached" "root, notified: no observer unasked"
assert_eq "$expected" "$(summary "$R")" \
        "root, notified: the same findings and counts as the observer's"

# ---- the same findings where the calls are notified (uid 65534) ----
chmod 0777 "$tmp/shared"
N=$tmp/shared/nobody.jsonl
capture setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups -- \
        "$LEASTPRIV" run -v --findings "$N" -- python3 writes.py
assert_eq done "$LP_OUT" "nobody: it gets to the end"
assert_not_contains "$LP_ERR" "filesystem observer: attached" "nobody: no observer (it needs root)"
# 65534 meets the files' own permissions on some (EACCES before EROFS):
# the paths it cannot write for the plan's reason alone are compared.
assert_eq "$(summary "$F" | grep -E 'mkdir|symlink|create')" \
        "$(summary "$N" | grep -E 'mkdir|symlink|create')" \
        "nobody: where the calls are notified, the same findings and counts"

# ---- past the observer's map, across mounts, too long: still counted ----
# 5,000 distinct refused creates (more than the 4,096 keys the map
# holds), a rename out of the workspace (EXDEV: across the plan's
# mounts), a path longer than the key keeps: every refusal counted, the
# same total observed and notified.
touch moved
cat >many.py <<'EOF2'
import os
from refused import refused
refused(lambda: os.rename("moved", "/etc/lp-moved-probe"))
refused(lambda: open("/usr/" + "a" * 250, "w"))
for i in range(5000):
    refused(lambda: open("/etc/lp-many-%d" % i, "w"))
print("done")
EOF2
totals() {
        python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print(sum(r["count"] for r in rows), sum(r["count"] for r in rows if r["operation"] == "rename"
      and r["target"] == "/etc/lp-moved-probe"), sum(1 for r in rows if "aaaa" in r["target"]))' "$1"
}
capture "$LEASTPRIV" run --observe-writes --findings "$F" -- python3 many.py
assert_eq done "$LP_OUT" "root, observed: 5,000 refused creates"
assert_eq "5002 1 1" "$(totals "$F")" "root, observed: every refusal counted (total, the rename, the long path)"
capture "$LEASTPRIV" run --findings "$R" -- python3 many.py
assert_eq "5002 1 1" "$(totals "$R")" "root, notified: the same"
assert_eq "$passwd_sum" "$(sha256sum /etc/passwd)" "root: /etc/passwd unchanged"

# ---- writes in the workspace wait for nobody ----
job='mkdir d && for i in $(seq 300); do echo $i > d/f$i; done && chmod 600 d/f1 && mv d/f2 d/g2 && rm -r d && echo ok'
capture "$LEASTPRIV" run -v --observe-writes -- sh -c "$job"
assert_eq ok "$LP_OUT" "root: 300 files written and removed in the workspace"
assert_eq 0 "$(notifications)" "root: not one notification for them"
assert_contains "$LP_ERR" "leastpriv: no findings" "root: and no finding"
capture "$LEASTPRIV" run -v -- sh -c "$job"
assert_eq ok "$LP_OUT" "root, notified: the same job"
n=$(notifications)
[ "$n" != missing ] && [ "$n" -ge 600 ] && pass "root, notified: its writes notified ($n)" ||
        fail "root, notified: its writes notified: $n notifications, not 600 or more"

# ---- a process that exits right after its refused write ----
# Named by the program its execve ran when its executable is gone
# already, and its relative path as it gave it when its directory is:
# never lost, never another path.
for i in $(seq 10); do
        capture "$LEASTPRIV" run -q --observe-writes --findings "$F" -- \
                sh -c 'cd /usr && exec mkdir lp-exit-probe'
        python3 -c '
import json, sys
o = [json.loads(l) for l in open(sys.argv[1])]
assert len(o) == 1 and o[0]["count"] == 1, o
t, e = o[0]["target"], o[0]["exe"]
ok = t in ("/usr/lp-exit-probe", "lp-exit-probe (relative to where a process that has exited stood)") \
    and e == "/usr/bin/mkdir"
print("ok" if ok else "bad: %s %s" % (t, e))' "$F"
done >"$tmp/exit.out"
assert_eq "$(printf 'ok\n%.0s' $(seq 10))" "$(cat "$tmp/exit.out")" \
        "root: a process gone at once: one finding, its program exact, its path or its stand-in"
assert_eq "$passwd_sum" "$(sha256sum /etc/passwd)" "/etc/passwd unchanged at the end"
