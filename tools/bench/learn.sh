#!/usr/bin/env bash
# Cost of learning (issue "Learning mode"): `leastpriv learn` (the floor
# allowed in the kernel), `learn --exhaustive` (every syscall observed) and
# `strace -f -o /dev/null` (how other tools learn), against the bare
# command, on syscall-heavy commands and a python unittest run.
# Prints times and ratios; asserts nothing (shared, noisy machine).
set -euo pipefail

source "$(dirname "$0")/common.sh"
bench_init "hyperfine, python3, strace" "" hyperfine python3 strace -- "$@"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$lp" learn -o "$out/p.profile" -- /bin/true 2>"$out/err" ||
  { echo "$0: leastpriv cannot learn here:" >&2; cat "$out/err" >&2; exit 1; }

cat >"$out/test_bench.py" <<'PY'
import json, os, tempfile, unittest

class Bench(unittest.TestCase):
    def test_files(self):
        with tempfile.TemporaryDirectory() as d:
            for i in range(300):
                p = os.path.join(d, "f%d" % i)
                with open(p, "w") as f:
                    json.dump({"i": i}, f)
                with open(p) as f:
                    self.assertEqual(json.load(f)["i"], i)
                os.unlink(p)

    def test_walk(self):
        self.assertGreater(sum(len(f) for _, _, f in os.walk("/usr/lib/python3")), 100)

if __name__ == "__main__":
    unittest.main()
PY

# command|hyperfine --output (common.sh), and a python unittest run.
cmds=("${bench_syscall_heavy[@]}" "/usr/bin/python3 -B $out/test_bench.py|null")
results=()
i=0
for entry in "${cmds[@]}"; do
  cmd=${entry%|*} output=${entry##*|}
  i=$((i + 1))
  results+=("$out/r$i.json" "${cmd/$out\//}")
  hyperfine -N -i --warmup 1 --min-runs 5 --export-json "$out/r$i.json" --output="$output" \
    -n bare "$cmd" \
    -n learn "$lp learn -o $out/l$i.profile -- $cmd" \
    -n exhaustive "$lp learn --exhaustive -o $out/e$i.profile -- $cmd" \
    -n strace "strace -f -o /dev/null $cmd" >/dev/null
done

python3 - "${results[@]}" <<'PY'
import json, sys
args = sys.argv[1:]
cols = ["bare", "learn", "exhaustive", "strace"]
print(f"{'command':<34}" + "".join(f"{c + ' ms':>14}" for c in cols) +
      f"{'learn/bare':>11}{'exh/bare':>10}{'strace/bare':>12}")
for path, name in zip(args[0::2], args[1::2]):
    res = {x["command"]: x["mean"] * 1000 for x in json.load(open(path))["results"]}
    b = res["bare"]
    print(f"{name[:33]:<34}" + "".join(f"{res[c]:14.1f}" for c in cols) +
          f"{res['learn']/b:11.2f}{res['exhaustive']/b:10.2f}{res['strace']/b:12.2f}")
print("goal: learn <= 1.5x bare on the syscall-heavy commands, always faster than strace")
PY
