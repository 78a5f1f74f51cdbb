# shellcheck shell=bash
# Sourced by the bench scripts: one argument parser for all of them.
# bench_init "NEEDS" "EXTRA USAGE LINE" TOOL... -- "$@"
# Reads [path/to/leastpriv] (default $LEASTPRIV, else ./build/leastpriv),
# checks that it and every TOOL exist, and sets lp to its absolute path.
bench_init() {
  local needs=$1 extra=$2 tools=()
  shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do tools+=("$1"); shift; done
  shift
  bench_usage() {
    echo "usage: $0 [path/to/leastpriv]   (default: \$LEASTPRIV, else ./build/leastpriv; needs $needs)" >&2
    [ -z "$extra" ] || echo "       $extra" >&2
    exit 2
  }
  case ${1:-} in -h|--help) bench_usage ;; esac
  [ $# -le 1 ] || bench_usage
  lp=${1:-${LEASTPRIV:-./build/leastpriv}}
  [ -x "$lp" ] || { echo "$0: $lp: not an executable leastpriv" >&2; bench_usage; }
  lp=$(realpath "$lp")
  local t
  for t in "${tools[@]}"; do
    command -v "$t" >/dev/null || { echo "$0: $t not found" >&2; exit 2; }
  done
}
