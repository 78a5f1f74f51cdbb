#!/usr/bin/env bash
# Launch cost: `leastpriv run -q -- /bin/true` against bare /bin/true and
# against bubblewrap with comparable isolation (a new network namespace).
# A run with `[Network] Namespace=host` separates the cost of the netns.
# Prints means, overheads and ratios; asserts nothing (the machine is
# shared and noisy, so the goal is informational).
set -euo pipefail

source "$(dirname "$0")/common.sh"
bench_init "hyperfine, bwrap, python3" "" hyperfine bwrap python3 -- "$@"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '[Profile]\nInclude=default\n[Network]\nNamespace=host\n' > "$out/host.profile"
# Fail early, with the tool's own message, rather than time an error path.
check() { "$@" 2>"$out/err" || { echo "$0: failed: $*" >&2; cat "$out/err" >&2; exit 1; }; }
check "$lp" run -q -- /bin/true
check "$lp" run -q -p "$out/host.profile" -- /bin/true
check bwrap --dev-bind / / --unshare-net /bin/true

hyperfine -N --warmup 20 --min-runs 200 --export-json "$out/r.json" \
  -n bare '/bin/true' \
  -n leastpriv "$lp run -q -- /bin/true" \
  -n leastpriv-hostnet "$lp run -q -p $out/host.profile -- /bin/true" \
  -n bwrap 'bwrap --dev-bind / / --unshare-net /bin/true' >/dev/null

python3 - "$out/r.json" <<'PY'
import json, sys
res = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
ms = {k: v["mean"] * 1000 for k, v in res.items()}
sd = {k: (v["stddev"] or 0) * 1000 for k, v in res.items()}
bare = ms["bare"]
print(f"{'command':<46} {'mean ms':>8} {'± sd':>6} {'min ms':>7} {'overhead ms':>12}")
label = {
    "bare": "/bin/true",
    "leastpriv": "leastpriv run -q -- /bin/true",
    "leastpriv-hostnet": "leastpriv run -q (Namespace=host) -- /bin/true",
    "bwrap": "bwrap --dev-bind / / --unshare-net /bin/true",
}
for k in ("bare", "leastpriv", "leastpriv-hostnet", "bwrap"):
    print(f"{label[k]:<46} {ms[k]:8.2f} {sd[k]:6.2f} {res[k]['min'] * 1000:7.2f} {ms[k] - bare:12.2f}")
lp, host, bw = ms["leastpriv"] - bare, ms["leastpriv-hostnet"] - bare, ms["bwrap"] - bare
print()
print(f"network namespace cost (leastpriv - hostnet):   {lp - host:6.2f} ms")
print(f"leastpriv without netns / bwrap overhead:       {host / bw:6.2f}")
ratio = lp / bw
print(f"leastpriv overhead / bwrap overhead:            {ratio:6.2f}   "
      f"goal <= 0.75: {'met' if ratio <= 0.75 else 'NOT met'} (informational)")
mn = {k: v["min"] * 1000 for k, v in res.items()}
print(f"  the same from the minimums (less sensitive to noise): "
      f"{(mn['leastpriv'] - mn['bare']) / (mn['bwrap'] - mn['bare']):.2f}")
PY
