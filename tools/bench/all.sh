#!/usr/bin/env bash
# Every goal of the speed issue in one run and one table: rows are the
# workloads (launch, a write-heavy job, syscall-heavy commands and test
# suites, denied calls per second, supervisor memory), columns the ways to
# run them (bare, `unshare -n`, the closest bubblewrap command, a previous
# release of leastpriv built from a git ref, this build), each cell the
# median and minimum of at least RUNS runs, then this build's ratio and its
# goal. Asserts nothing on timings (shared, noisy machine); a notified call
# missing from the findings is a correctness failure (exit 1).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# The command as typed, with the environment that changes what it measures.
command="$0 $*"
for var in NOTIFY_CALLS NOTIFY_DISTINCT ZLIB_SRC CJSON_SRC BENCH_DIR; do
  if [ -n "${!var:-}" ]; then command="$var=${!var} $command"; fi
done
source "$here/common.sh"

previous='' runs=30 markdown=''
bench_options="[--previous GITREF] [--runs N] [--markdown]"
bench_option() {
  bench_used=1
  case $1 in
    --markdown) markdown=--markdown ;;
    --previous) [ $# -ge 2 ] || return 1; previous=$2 bench_used=2 ;;
    --runs) [[ ${2:-} =~ ^[0-9]+$ ]] && [ "$2" -ge 2 ] || return 1; runs=$2 bench_used=2 ;;
    *) return 1 ;;
  esac
}
bench_init "hyperfine, bwrap, python3, tar, cc, libseccomp-dev, GNU time; cmake for --previous and CJSON_SRC, make for ZLIB_SRC" \
  "env: BENCH_DIR (workspace parent, default /dev/shm), CJSON_SRC / ZLIB_SRC (source trees: add cJSON's ctest / zlib's make test), NOTIFY_CALLS (per run, default 100000), NOTIFY_DISTINCT (memory row, default 100000)" \
  hyperfine bwrap python3 tar cc /usr/bin/time -- "$@"

calls=${NOTIFY_CALLS:-100000}
rounds=5   # each hyperfine call times a fifth of the runs; see measure()
ws=$(mktemp -d "${BENCH_DIR:-/dev/shm}/lp-bench-all.XXXXXX")
prev_tmp=
repo=$(git -C "$here" rev-parse --show-toplevel)
cleanup() {
  if [ -n "$prev_tmp" ]; then
    git -C "$repo" worktree remove --force "$prev_tmp/src" 2>/dev/null || true
    rm -rf "$prev_tmp"
    git -C "$repo" worktree prune
  fi
  rm -rf "$ws"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
log() { echo "$0: $*" >&2; }
# What this build is, as the tree stands when the run starts.
this_desc="$lp (tree at $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD || echo ', changed'))"

# build_previous REF: that ref's leastpriv, built (Release) in a temporary
# worktree; sets prev_lp.
build_previous() {
  prev_tmp=$(mktemp -d /tmp/lp-bench-prev.XXXXXX)
  log "building $1 in $prev_tmp"
  if ! {
    git -C "$repo" worktree add --detach "$prev_tmp/src" "$1" &&
      cmake -S "$prev_tmp/src" -B "$prev_tmp/build" -DCMAKE_BUILD_TYPE=Release \
        -DLP_TESTS=OFF -DLP_MAN=OFF --no-warn-unused-cli &&
      cmake --build "$prev_tmp/build" --target leastpriv -j"$(nproc)"
  } >"$prev_tmp/log" 2>&1; then
    cat "$prev_tmp/log" >&2
    log "cannot build $1"
    exit 1
  fi
  prev_lp=$prev_tmp/build/leastpriv
}

# The columns: name and command prefix ("" runs the command bare).
variants=(bare "" bwrap "$(bench_bwrap_fs "$ws")")
launch_variants=(bare "")
if [ "$(id -u)" = 0 ]; then launch_variants+=(unshare-n "unshare -n"); fi
launch_variants+=("${variants[@]:2}")
lp_bins=()
if [ -n "$previous" ]; then
  build_previous "$previous"
  lp_bins+=(previous "$prev_lp")
fi
lp_bins+=(this "$lp")
lp_variants=()
for ((i = 0; i < ${#lp_bins[@]}; i += 2)); do lp_variants+=("${lp_bins[i]}" "${lp_bins[i + 1]} run -q --"); done
variants+=("${lp_variants[@]}")
launch_variants+=("${lp_variants[@]}")

cd "$ws"
# Fail early, with the tool's own message, rather than time an error path.
precheck() {
  local -n v=$1
  local i
  for ((i = 0; i < ${#v[@]}; i += 2)); do
    ${v[i + 1]} "${@:2}" >/dev/null 2>err || { log "${v[i]} failed: ${*:2}"; cat err >&2; exit 1; }
  done
}

# measure NAME VARIANTS WARMUP RUNS HYPERFINE_OPTION... -- CMD: CMD under
# every variant of the array named VARIANTS, RUNS times each. hyperfine
# runs one command's runs back to back, so the runs are split into rounds
# and each round starts with the next variant: a load that comes and goes
# then falls on all of them alike. One JSON file per round, NAME.K.json.
measure() {
  local name=$1 warmup=$3 per=$(((${4} + rounds - 1) / rounds)) opts=() k j n
  local -n v=$2
  shift 4
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  n=$((${#v[@]} / 2))
  for ((k = 0; k < rounds; k++)); do
    log "$name: round $((k + 1))/$rounds"
    local args=()
    for ((j = 0; j < n; j++)); do
      local i=$((((k + j) % n) * 2))
      args+=(-n "${v[i]}" "${v[i + 1]:+${v[i + 1]} }$*")
    done
    hyperfine -N --style none --warmup "$warmup" --runs "$per" "${opts[@]}" \
      --export-json "$ws/$name.$k.json" "${args[@]}" >/dev/null
  done
}

launch_runs=$((runs < 30 ? 30 : runs))
precheck launch_variants /bin/true
measure launch launch_variants 3 "$launch_runs" -- /bin/true

bench_write_heavy_job "$ws"
precheck variants sh job.sh
measure write-heavy variants 1 "$runs" -- sh job.sh

# find exits 1 on root-only directories once capabilities are dropped:
# that is the command's result, not an error (-i).
k=0
for entry in "${bench_syscall_heavy[@]}"; do
  measure "heavy$k" variants 1 "$runs" -i --output="${entry##*|}" -- "${entry%|*}"
  k=$((k + 1))
done

if [ -n "${CJSON_SRC:-}" ]; then
  log "building cJSON's tests"
  bench_build_cjson "$CJSON_SRC" cjson
  precheck variants ctest --test-dir cjson -j1 --quiet
  measure cjson variants 1 "$runs" -- ctest --test-dir cjson -j1 --quiet
fi
if [ -n "${ZLIB_SRC:-}" ]; then
  log "building zlib's tests"
  cp -r "$ZLIB_SRC" zlib
  (cd zlib && ./configure && make -j"$(nproc)") >/dev/null 2>err || { cat err >&2; exit 1; }
  precheck variants make -s -C zlib test
  measure zlib variants 1 "$runs" -- make -s -C zlib test
fi

# Denied calls: a 4-thread storm of ptrace (EPERM through the supervisor)
# under notify_raw, the bare receive/respond loop (column "bare"), and
# under each leastpriv with --findings. Before every run, collect.sh adds
# the last run's findings count to counts, which must be 4 x calls/4.
bench_build_storm "$ws"
per_thread=$((calls / 4))
storm="$ws/storm -s ptrace 4 $per_thread"
notify_variants=(bare "$ws/notify_raw")
for ((i = 0; i < ${#lp_bins[@]}; i += 2)); do
  notify_variants+=("${lp_bins[i]}" "${lp_bins[i + 1]} run -q --findings $ws/notify-${lp_bins[i]}.jsonl --")
done
cat >collect.sh <<EOF
for f in $ws/notify-*.jsonl; do
  [ -e "\$f" ] || continue
  echo "\$(basename "\$f" .jsonl | sed s/^notify-//) \$(python3 $here/count_findings.py "\$f" ptrace)" >>$ws/counts
  rm "\$f"
done
EOF
: >counts
precheck notify_variants "$ws/storm" -s ptrace 4 "$per_thread"
rm -f notify-*.jsonl
measure notify notify_variants 0 "$runs" --prepare "sh $ws/collect.sh" -- "$storm"
sh collect.sh

# Supervisor memory: DISTINCT denied mounts, each path its own finding, one
# run per leastpriv column (peak_rss.py: the peak two ways, see there); the
# findings must count every call.
distinct=${NOTIFY_DISTINCT:-100000}
: >memory
for ((i = 0; i < ${#lp_bins[@]}; i += 2)); do
  log "memory: ${lp_bins[i]}"
  peak=$(python3 "$here/peak_rss.py" "$ws/memory.err" -- ${lp_bins[i + 1]} run -q \
    --findings "$ws/distinct.jsonl" -- "$ws/storm" -s distinct 1 "$distinct")
  echo "${lp_bins[i]} $peak counted=$(python3 "$here/count_findings.py" "$ws/distinct.jsonl" mount)" >>memory
  rm -f "$ws/distinct.jsonl"
done

{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "machine=$(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "command=$command"
  echo "this=$this_desc"
  echo "previous=$previous"
  echo "calls=$calls"
  echo "distinct=$distinct"
  for ((k = 0; k < ${#bench_syscall_heavy[@]}; k++)); do echo "label.heavy$k=${bench_syscall_heavy[k]%|*}"; done
  echo "unshare=$([ "$(id -u)" = 0 ] && echo yes || echo no)"
} >meta
python3 "$here/table.py" ${markdown:+"$markdown"} "$ws"
