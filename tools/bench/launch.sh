#!/usr/bin/env bash
# Launch cost: `leastpriv run -- /bin/true` against bare /bin/true and
# against bubblewrap with a comparable isolation. Prints means and ratios;
# asserts nothing (the machine is shared and noisy).
# Usage: tools/bench/launch.sh [path/to/leastpriv]   (needs hyperfine, bwrap)
set -euo pipefail
lp=${1:-${LEASTPRIV:-./build/leastpriv}}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '[Profile]\nInclude=default\n[Network]\nNamespace=host\n' > "$out/host.profile"
hyperfine -N --warmup 20 --min-runs 200 --export-json "$out/r.json" \
  -n bare '/bin/true' \
  -n leastpriv "$lp run -q -- /bin/true" \
  -n leastpriv-hostnet "$lp run -q -p $out/host.profile -- /bin/true" \
  -n bwrap 'bwrap --dev-bind / / --unshare-net /bin/true' >/dev/null
python3 - "$out/r.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] * 1000 for x in json.load(open(sys.argv[1]))["results"]}
bare = r["bare"]
for name, ms in r.items():
    print(f"{name:18} {ms:7.2f} ms   overhead {ms - bare:6.2f} ms")
ratio = (r["leastpriv"] - bare) / (r["bwrap"] - bare)
print(f"leastpriv overhead / bwrap overhead = {ratio:.2f} (goal <= 0.75)")
PY
