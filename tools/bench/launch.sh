#!/usr/bin/env bash
# Launch cost: `leastpriv run -q -- /bin/true` against bare /bin/true and
# against bubblewrap with comparable isolation (a new network namespace).
# A run with `[Network] Namespace=host` separates the cost of the netns.
# As root, also as uid 65534: through the outside route and notified.
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

# As root, also as uid 65534 (common.sh): through the outside route,
# notified, and the wrapper alone, whose cost the two leave out.
nobody=()
if bench_as_nobody "$out"; then
  check "$out/as-nobody-tun" /bin/true
  nobody=(-n nobody-bare "$out/as-nobody-bare /bin/true"
    -n nobody-route "$out/as-nobody-tun /bin/true"
    -n nobody-notified "$out/as-nobody-no-tun /bin/true")
fi

hyperfine -N --warmup 20 --min-runs 200 --export-json "$out/r.json" \
  -n bare '/bin/true' \
  -n leastpriv "$lp run -q -- /bin/true" \
  -n leastpriv-hostnet "$lp run -q -p $out/host.profile -- /bin/true" \
  -n bwrap 'bwrap --dev-bind / / --unshare-net /bin/true' "${nobody[@]}" >/dev/null

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
# uid 65534's rows: their overhead is over the same wrapper without leastpriv.
label = {
    "nobody-bare": "uid 65534: /bin/true (unshare -m, setpriv)",
    "nobody-route": "uid 65534: leastpriv, outside route",
    "nobody-notified": "uid 65534: leastpriv, notified (no TUN)",
}
for k in (k for k in label if k in ms):
    print(f"{label[k]:<46} {ms[k]:8.2f} {sd[k]:6.2f} {res[k]['min'] * 1000:7.2f} "
          f"{ms[k] - ms['nobody-bare']:12.2f}")
lp, host, bw = ms["leastpriv"] - bare, ms["leastpriv-hostnet"] - bare, ms["bwrap"] - bare
print()
print(f"network namespace cost (leastpriv - hostnet):   {lp - host:6.2f} ms")
print(f"leastpriv without netns / bwrap overhead:       {host / bw:6.2f}")
ratio = lp / bw
print(f"leastpriv overhead / bwrap overhead:            {ratio:6.2f}   "
      f"goal <= 0.80: {'met' if ratio <= 0.80 else 'NOT met'} (informational)")
mn = {k: v["min"] * 1000 for k, v in res.items()}
print(f"  the same from the minimums (less sensitive to noise): "
      f"{(mn['leastpriv'] - mn['bare']) / (mn['bwrap'] - mn['bare']):.2f}")
PY
