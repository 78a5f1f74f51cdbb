#!/usr/bin/env bash
# Steady-state cost of the filter and supervisor on syscall-heavy commands:
# bare against `leastpriv run -q --`, with and without --findings.
# Prints times and ratios; asserts nothing (shared, noisy machine).
# hyperfine -i: without CAP_DAC_READ_SEARCH, root-only directories make
# find exit 1 under leastpriv; that is the command's result, not an error.
set -euo pipefail

source "$(dirname "$0")/common.sh"
bench_init "hyperfine, python3" "" hyperfine python3 -- "$@"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# Fail early, with leastpriv's own message, rather than time an error path.
"$lp" run -q -- /bin/true 2>"$out/err" || { echo "$0: leastpriv cannot run here:" >&2; cat "$out/err" >&2; exit 1; }

cmds=("${bench_syscall_heavy[@]}")   # command|hyperfine --output
results=()
i=0
for entry in "${cmds[@]}"; do
  cmd=${entry%|*} output=${entry##*|}
  i=$((i + 1))
  results+=("$out/r$i.json" "$cmd")
  hyperfine -N -i --warmup 2 --min-runs 10 --export-json "$out/r$i.json" --output="$output" \
    -n bare "$cmd" \
    -n leastpriv "$lp run -q -- $cmd" \
    -n findings "$lp run -q --findings $out/f.jsonl -- $cmd" >/dev/null
done

python3 - "${results[@]}" <<'PY'
import json, sys
args = sys.argv[1:]
print(f"{'command':<22} {'bare ms':>14} {'leastpriv ms':>14} {'ratio':>6} {'+findings ms':>14} {'ratio':>6}  goal < 1.05")
worst = 0.0
for path, name in zip(args[0::2], args[1::2]):
    res = {x["command"]: x for x in json.load(open(path))["results"]}
    ms = {k: (v["mean"] * 1000, (v["stddev"] or 0) * 1000) for k, v in res.items()}
    cell = lambda k: f"{ms[k][0]:7.1f} ±{ms[k][1]:5.1f}"
    b, l, fi = ms["bare"][0], ms["leastpriv"][0], ms["findings"][0]
    worst = max(worst, l / b, fi / b)
    met = "met" if max(l / b, fi / b) < 1.05 else "NOT met"
    print(f"{name:<22} {cell('bare'):>14} {cell('leastpriv'):>14} {l/b:6.3f} {cell('findings'):>14} {fi/b:6.3f}  {met}")
    mn = {k: v["min"] for k, v in res.items()}
    print(f"{'  (ratios of the minimums, less sensitive to noise)':<52} {mn['leastpriv']/mn['bare']:6.3f} {'':>14} {mn['findings']/mn['bare']:6.3f}")
print(f"worst ratio {worst:.3f} (goal < 1.05, informational)")
PY
