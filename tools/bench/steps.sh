#!/usr/bin/env bash
# The launch budget, step by step: `leastpriv run -v -- /bin/true` STEPS_RUNS
# times (default 50), and per step of its "launch steps (ms)" line (and of
# what the end of the run costs) the median and the minimum, largest
# first. The first run fills the filter cache and is left out. What each
# step does: sandbox/launch/steps.h. Asserts nothing.
set -euo pipefail

source "$(dirname "$0")/common.sh"
bench_init "python3" "env: STEPS_RUNS (runs, default 50)" python3 -- "$@"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$lp" run -q -- /bin/true 2>"$out/err" || { echo "$0: leastpriv cannot run here:" >&2; cat "$out/err" >&2; exit 1; }
for _ in $(seq "${STEPS_RUNS:-50}"); do
  "$lp" run -v -- /bin/true 2>>"$out/log"
done

python3 - "$out/log" <<'PY'
import re, statistics, sys
steps = {}
for line in open(sys.argv[1]):
    m = re.match(r"leastpriv: (launch steps|after the command) \(ms\): (.*)", line)
    if m:
        for part in m.group(2).split(","):
            name, value = part.strip().rsplit(" ", 1)
            steps.setdefault(name, []).append(float(value))
    m = re.match(r"leastpriv: released the run's resources in ([0-9.]+) ms", line)
    if m:
        steps.setdefault("release", []).append(float(m.group(1)))
rows = sorted(((statistics.median(v), min(v), k) for k, v in steps.items()), reverse=True)
print(f"{'step':<16} {'median ms':>10} {'min ms':>8}")
for med, low, name in rows:
    if med >= 0.005:
        print(f"{name:<16} {med:>10.2f} {low:>8.2f}")
print(f"{'sum of medians':<16} {sum(r[0] for r in rows):>10.2f}")
PY
