#!/usr/bin/env bash
# Steady-state cost of the filter and supervisor on syscall-heavy commands,
# bare against `leastpriv run` (with and without --findings). Prints ratios.
# -i: without CAP_DAC_READ_SEARCH, root-only directories make find exit 1.
# Usage: tools/bench/steady.sh [path/to/leastpriv]   (needs hyperfine)
set -euo pipefail
lp=${1:-${LEASTPRIV:-./build/leastpriv}}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for cmd in "find /usr -type f" "tar cf - /usr/include"; do
  hyperfine -N -i --warmup 2 --min-runs 10 --export-json "$out/r.json" --output=null \
    -n bare "$cmd" \
    -n leastpriv "$lp run -q -- $cmd" \
    -n findings "$lp run -q --findings $out/f.jsonl -- $cmd" >/dev/null
  python3 - "$out/r.json" "$cmd" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"{sys.argv[2]:24} bare {r['bare']*1000:8.1f} ms  leastpriv x{r['leastpriv']/r['bare']:.3f}"
      f"  with --findings x{r['findings']/r['bare']:.3f}  (goal < 1.05)")
PY
done
