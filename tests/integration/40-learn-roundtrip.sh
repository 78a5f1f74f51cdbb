#!/usr/bin/env bash
# learn, then run with the learned profile (docs/architecture.md, "Learning"), on real commands:
# a shell pipeline, a C program with threads and loopback sockets, python3
# running a unittest suite, a compile with cc. Each replay must exit as the
# learn did with zero findings other than withheld variables; removing one
# learned syscall must bring back exactly that syscall as a finding.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
lp_require_root
lp_require_binaries /usr/bin/python3 cc

# findings_but_env FILE: "kind:operation" of every finding that is not a
# withheld variable, sorted, one a line.
findings_but_env() {
        /usr/bin/python3 - "$1" <<'PY'
import json, sys
rows = set()
for line in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(line)
    if o["kind"] != "environment":
        rows.add("%s:%s" % (o["kind"], o["operation"]))
print("\n".join(sorted(rows)))
PY
}

# The plain learned syscall seen least often (ties: the first by name),
# other than execve, which every command needs to start at all.
rarest_learned_syscall() {
        sed -n 's/^Allow=\([a-z0-9_]*\) # \([0-9]*\)[^,]*, .*/\2 \1/p' "$1" |
                grep -v ' execve$' | sort -n -k1,1 -s | head -1 | cut -d' ' -f2
}

# roundtrip NAME COMMAND...: learn, check, replay, then replay without one
# learned syscall.
roundtrip() {
        local name=$1
        shift
        local learned=$tmp/$name.profile
        # As root the command has a PID namespace: creating processes stays
        # in the kernel while learning, and no fork can fail with EINTR
        # (42-learn-fork-load.sh), so one learn is enough.
        run_lp learn -o "$learned" -- "$@"
        local learn_status=$LP_STATUS
        assert_contains "$LP_ERR" "learned" "$name: learn says what it wrote"
        run_lp check "$learned"
        assert_eq 0 "$LP_STATUS" "$name: the learned profile passes check"

        run_lp run -p "$learned" --findings "$tmp/$name.jsonl" -- "$@"
        assert_eq "$learn_status" "$LP_STATUS" "$name: replay exits as the learn did"
        assert_eq "" "$(findings_but_env "$tmp/$name.jsonl")" \
                "$name: replay has no finding but withheld variables"

        local victim
        victim=$(rarest_learned_syscall "$learned")
        [ -n "$victim" ] || { fail "$name: no plain learned syscall to remove"; return; }
        grep -v "^Allow=$victim # " "$learned" >"$tmp/$name-minus.profile"
        run_lp run -p "$tmp/$name-minus.profile" --findings "$tmp/$name-minus.jsonl" -- "$@"
        assert_eq "syscall:$victim" "$(findings_but_env "$tmp/$name-minus.jsonl")" \
                "$name: without Allow=$victim, exactly $victim is reported"
}

# ---- a shell pipeline --------------------------------------------------------
roundtrip pipeline sh -c 'ls -l /usr/bin | grep -c sh | sort >/dev/null; echo done | tr a-z A-Z'
assert_eq "DONE" "$LP_OUT" "pipeline: the learned profile's run still prints DONE"

# ---- a C program with threads and loopback sockets ---------------------------
roundtrip threads-sockets sh -c "'$PROBE' threads 4 && '$PROBE' loopback-tcp"

# ---- python3 running a small unittest suite ----------------------------------
cat >"$tmp/test_small.py" <<'PY'
import json, os, subprocess, tempfile, threading, unittest

class Small(unittest.TestCase):
    def test_json(self):
        self.assertEqual(json.loads(json.dumps({"a": [1, 2]})), {"a": [1, 2]})

    def test_files(self):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x")
            with open(p, "w") as f:
                f.write("hi")
            os.rename(p, p + ".moved")
            self.assertEqual(open(p + ".moved").read(), "hi")

    def test_thread(self):
        out = []
        t = threading.Thread(target=lambda: out.append(1))
        t.start()
        t.join()
        self.assertEqual(out, [1])

    def test_subprocess(self):
        self.assertEqual(subprocess.run(["true"]).returncode, 0)

if __name__ == "__main__":
    unittest.main()
PY
chmod 644 "$tmp/test_small.py"
roundtrip python /usr/bin/python3 -B "$tmp/test_small.py"

# ---- a compile with cc -------------------------------------------------------
printf '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n' >"$tmp/hello.c"
roundtrip cc cc -o "$tmp/hello" "$tmp/hello.c"

# ---- the exit status is the command's ----------------------------------------
run_lp learn -o "$tmp/exit3.profile" -- sh -c 'exit 3'
assert_eq 3 "$LP_STATUS" "learn exits with the command's status"
cp "$tmp/exit3.profile" "$tmp/keep.profile"
run_lp learn -o "$tmp/keep.profile" -- /nonexistent/command
assert_eq 127 "$LP_STATUS" "learn of a missing command exits 127"
assert_eq "$(cat "$tmp/exit3.profile")" "$(cat "$tmp/keep.profile")" \
        "... and leaves an existing profile as it was"

# ---- what the hardening refuses is learned by name ----------------------------
run_lp learn -o "$tmp/tiocsti.profile" -- "$PROBE" tiocsti
assert_match "$(cat "$tmp/tiocsti.profile")" '^Allow=ioctl # .*\(by name' \
        "a command that needs TIOCSTI learns ioctl by name (lifting the hardening)"

# ---- a packet socket: the family and the capability -------------------------------
roundtrip packet "$PROBE" packet-socket
assert_contains "$(cat "$tmp/packet.profile")" $'\nKeep=CAP_NET_RAW # ' "packet socket: Keep=CAP_NET_RAW learned"
assert_contains "$(cat "$tmp/packet.profile")" $'\nAddressFamilies=AF_PACKET # ' "... and AddressFamilies=AF_PACKET"

# ---- the gate: diff against the base it learned from --------------------------
run_lp diff base "$tmp/pipeline.profile"
assert_eq 1 "$LP_STATUS" "diff base LEARNED fails the gate (it grants more)"
assert_contains "$LP_OUT" "+" "diff lists the added grants"
run_lp diff "$tmp/pipeline.profile" "$tmp/pipeline.profile"
assert_eq 0 "$LP_STATUS" "diff of a learned profile against itself passes"

# ---- --exhaustive: the floor is observed, not granted -------------------------
run_lp learn --exhaustive -o "$tmp/exh.profile" -- sh -c 'cat /etc/hostname >/dev/null'
assert_eq 0 "$LP_STATUS" "learn --exhaustive runs"
assert_not_contains "$(cat "$tmp/exh.profile")" "# floor" "--exhaustive writes no floor line"
assert_match "$(cat "$tmp/exh.profile")" '^Allow=read # [0-9].* calls?, first by' \
        "--exhaustive lists read with its evidence"
assert_not_contains "$(cat "$tmp/exh.profile")" "Allow=mremap" \
        "--exhaustive does not grant a floor call that was not used"
run_lp run -p "$tmp/exh.profile" --findings "$tmp/exh.jsonl" -- sh -c 'cat /etc/hostname >/dev/null'
assert_eq "" "$(findings_but_env "$tmp/exh.jsonl")" "--exhaustive profile replays cleanly"

# ---- a learned grant of ioctl keeps the TIOCSTI hardening ----------------------
assert_contains "$(cat "$tmp/pipeline.profile")" "Allow=@basic-io" \
        "ioctl is granted through its group"
assert_not_contains "$(cat "$tmp/pipeline.profile")" $'\nAllow=ioctl ' \
        "ioctl is not granted by name"
run_lp run -p "$tmp/pipeline.profile" --findings "$tmp/tiocsti.jsonl" -- "$PROBE" tiocsti
fget "$tmp/tiocsti.jsonl" syscall ioctl
assert_contains "$F_target" "TIOCSTI" "TIOCSTI is reported under the learned profile"
assert_contains "$F_rule" "built-in hardening" "... as refused by the hardening"
assert_contains "$LP_OUT" "tiocsti: EPERM" "... and refused"
