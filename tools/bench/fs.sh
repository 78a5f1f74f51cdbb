#!/usr/bin/env bash
# The filesystem view's cost, side by side in one run: bare, the closest
# bubblewrap command (a read-only host, its own /dev, /proc and /tmp, the
# workspace writable, new net/pid/ipc/uts namespaces), leastpriv under its
# default profile, leastpriv with [Filesystem] turned off (what the
# mounts and the watched writes add), and leastpriv with a dynamic user
# ([Identity] DynamicUser=yes: the allocation, the idmapped workspace and
# the check for leftovers; root only). Three workloads: launch (/bin/true),
# a write-heavy job (extract, then delete, a 10,000-file tarball in the
# workspace) and, with CJSON_SRC set to a cJSON checkout, cJSON's ctest.
# Prints means and ratios to bubblewrap; asserts nothing (timings on a
# shared machine are information, not a verdict).
set -euo pipefail

source "$(dirname "$0")/common.sh"
bench_init "hyperfine, bwrap, python3, tar; cmake and cc for CJSON_SRC" \
  "env: BENCH_DIR (workspace parent, default /dev/shm: a tmpfs, so that disk aging does not drift the runs), CJSON_SRC (a cJSON source tree: adds its ctest), RUNS (default 10)" \
  hyperfine bwrap python3 tar -- "$@"

runs=${RUNS:-10}
ws=$(mktemp -d "${BENCH_DIR:-/dev/shm}/lp-bench-fs.XXXXXX")
trap 'rm -rf "$ws"' EXIT
cd "$ws"

bench_write_heavy_job "$ws"
printf '[Profile]\nInclude=default\n[Identity]\nDynamicUser=yes\n' >dynamic.profile
printf '[Profile]\nInclude=default\n[Filesystem]\nProtectSystem=no\nPrivateTmp=no\nPrivateDevices=no\nProtectKernelTunables=no\nProtectControlGroups=no\nInaccessiblePaths=\n' >nofs.profile

bw=$(bench_bwrap_fs "$ws")
variants=(bare "" bwrap "$bw" leastpriv "$lp run -q --" leastpriv-nofs "$lp run -q -p $ws/nofs.profile --")
[ "$(id -u)" = 0 ] && variants+=(leastpriv-dynamic "$lp run -q -p $ws/dynamic.profile --")

# Fail early, with the tool's own message, rather than time an error path.
for ((i = 2; i < ${#variants[@]}; i += 2)); do
  ${variants[i + 1]} sh job.sh 2>err || { echo "$0: ${variants[i]} failed:" >&2; cat err >&2; exit 1; }
done

# bench NAME WARMUP RUNS CMD: hyperfine of CMD under each variant.
bench() {
  local name=$1 warmup=$2 n=$3 cmd=$4 args=()
  for ((i = 0; i < ${#variants[@]}; i += 2)); do
    args+=(-n "${variants[i]}" "${variants[i + 1]:+${variants[i + 1]} }$cmd")
  done
  hyperfine -N --warmup "$warmup" --runs "$n" --export-json "$ws/$name.json" "${args[@]}" >/dev/null
}

bench launch 10 $((runs * 10)) /bin/true
bench write-heavy 1 "$runs" "sh job.sh"
if [ -n "${CJSON_SRC:-}" ]; then
  bench_build_cjson "$CJSON_SRC" cjson
  bench cjson-ctest 1 "$runs" "ctest --test-dir cjson -j1 --quiet"
fi

python3 - "$ws" <<'PY'
import json, os, sys
ws = sys.argv[1]
print(f"{'workload':<12} {'variant':<15} {'mean ms':>9} {'± sd':>7} {'min ms':>8} {'/ bwrap':>8}")
for name in ("launch", "write-heavy", "cjson-ctest"):
    path = os.path.join(ws, name + ".json")
    if not os.path.exists(path):
        print(f"{name:<12} (skipped: set CJSON_SRC to a cJSON checkout)")
        continue
    res = {r["command"]: r for r in json.load(open(path))["results"]}
    bw = res["bwrap"]["mean"]
    for k in ("bare", "bwrap", "leastpriv", "leastpriv-nofs", "leastpriv-dynamic"):
        if k not in res:
            continue
        r = res[k]
        print(f"{name:<12} {k:<15} {r['mean']*1000:9.2f} {(r['stddev'] or 0)*1000:7.2f} "
              f"{r['min']*1000:8.2f} {r['mean']/bw:8.2f}")
    for k in ("leastpriv", "leastpriv-dynamic"):
        if k in res:
            ratio = res[k]["mean"] / bw
            print(f"{name:<12} {k} / bwrap = {ratio:.2f}; goal <= 1.10: "
                  f"{'met' if ratio <= 1.10 else 'NOT met'} (informational)")
PY
