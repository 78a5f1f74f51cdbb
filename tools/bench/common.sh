# shellcheck shell=bash
# Sourced by the bench scripts: one argument parser for all of them, and
# the workloads and helpers that more than one of them runs.

# bench_init "NEEDS" "EXTRA USAGE LINE" TOOL... -- "$@"
# Reads [path/to/leastpriv] (default $LEASTPRIV, else ./build/leastpriv),
# checks that it and every TOOL exist, and sets lp to its absolute path.
# A script with options of its own sets bench_options (their usage words)
# and defines bench_option "$@": it handles the option in $1, sets
# bench_used to the number of words it took, or returns 1 when $1 is not
# one of its options (or lacks its value).
bench_init() {
  local needs=$1 extra=$2 tools=()
  shift 2
  while [ $# -gt 0 ] && [ "$1" != -- ]; do tools+=("$1"); shift; done
  shift
  bench_usage() {
    echo "usage: $0 ${bench_options:+$bench_options }[path/to/leastpriv]   (default: \$LEASTPRIV, else ./build/leastpriv; needs $needs)" >&2
    [ -z "$extra" ] || echo "       $extra" >&2
    exit 2
  }
  case ${1:-} in -h|--help) bench_usage ;; esac
  bench_used=1
  while [ -n "${bench_options:-}" ] && [[ ${1:-} == --* ]]; do
    bench_option "$@" || bench_usage
    shift "$bench_used"
  done
  [ $# -le 1 ] || bench_usage
  lp=${1:-${LEASTPRIV:-./build/leastpriv}}
  [ -x "$lp" ] || { echo "$0: $lp: not an executable leastpriv" >&2; bench_usage; }
  lp=$(realpath "$lp")
  local t
  for t in "${tools[@]}"; do
    command -v "$t" >/dev/null || { echo "$0: $t not found" >&2; exit 2; }
  done
}

# The syscall-heavy commands of steady.sh, learn.sh and all.sh, as
# "command|hyperfine --output". tar's archive goes to a pipe that hyperfine
# drains: GNU tar skips reading file contents when its archive is /dev/null.
# shellcheck disable=SC2034 # used by the scripts that source this file
bench_syscall_heavy=("find /usr -type f|null" "tar cf - /usr/include|pipe")

# bench_as_nobody WS: as root, makes WS/as-nobody-tun, WS/as-nobody-no-tun
# and WS/as-nobody-bare, each running "CMD..." as uid 65534 (no network
# observer): leastpriv run -- CMD through the outside route, with a TUN
# node of the bench's own bound over /dev/net/tun; notified, with a
# root-only file bound there (as a host whose node is root's alone); and
# CMD alone in the same wrapper, without leastpriv (what the wrapper
# costs). Each in a mount namespace of its own, so the host's node is
# neither changed nor seen. WS becomes 0755 (uid 65534 reaches its filter
# cache there). Returns 1 where uid 65534 cannot run leastpriv, there is
# no TUN driver, or a step fails.
bench_as_nobody() {
  local ws=$1 kind node run
  [ "$(id -u)" = 0 ] && [ -e /dev/net/tun ] && command -v setpriv >/dev/null &&
    setpriv --reuid=65534 --regid=65534 --clear-groups -- test -x "$lp" || return 1
  chmod 755 "$ws" || return 1
  mknod -m 666 "$ws/tun" c 10 200 || return 1
  : >"$ws/no-tun" && chmod 600 "$ws/no-tun" || return 1
  mkdir -m 777 "$ws/cache-nobody" || return 1
  for kind in tun no-tun bare; do
    node=$kind run=$(printf 'env XDG_CACHE_HOME=%q %q run -q --' "$ws/cache-nobody" "$lp")
    [ "$kind" = bare ] && node=tun run=
    cat >"$ws/as-nobody-$kind" <<EOF || return 1
#!/bin/sh
# as-nobody-$kind CMD...: CMD as uid 65534${run:+ under leastpriv run}, $node standing for /dev/net/tun.
exec unshare -m --propagation private sh -c 'mount --bind "\$0" /dev/net/tun && exec "\$@"' $(printf %q "$ws/$node") \\
  setpriv --reuid=65534 --regid=65534 --clear-groups -- $run "\$@"
EOF
    chmod 755 "$ws/as-nobody-$kind" || return 1
  done
}

# bench_bwrap_fs WS: the bubblewrap command closest to leastpriv's default
# profile with WS as the workspace: a read-only host, its own /dev, /proc
# and /tmp, WS writable, new net/pid/ipc/uts namespaces.
bench_bwrap_fs() {
  echo "bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --bind $1 $1" \
    "--unshare-net --unshare-pid --unshare-ipc --unshare-uts --die-with-parent"
}

# bench_write_heavy_job DIR: DIR/files.tar, 10,000 small files in 100
# directories, and DIR/job.sh, which extracts it into out/ and deletes it
# (run from DIR: `sh job.sh`).
bench_write_heavy_job() {
  local d f
  mkdir "$1/src"
  for d in $(seq 0 99); do
    mkdir "$1/src/d$d"
    for f in $(seq 0 99); do echo "$d $f" >"$1/src/d$d/f$f"; done
  done
  tar cf "$1/files.tar" -C "$1/src" . && rm -rf "$1/src"
  cat >"$1/job.sh" <<'JOB'
set -e
mkdir -p out && tar xf files.tar -C out && rm -rf out
JOB
}

# bench_build_cjson SRC DIR: cJSON's tests built, bare, from the source
# tree SRC into DIR (then `ctest --test-dir DIR` runs them).
bench_build_cjson() {
  cmake -S "$1" -B "$2" -DENABLE_CJSON_TEST=ON -DENABLE_CJSON_UTILS=ON >/dev/null
  cmake --build "$2" -j"$(nproc)" >/dev/null
}

# bench_build_storm DIR: DIR/storm and DIR/notify_raw (notify.sh).
bench_build_storm() {
  local here
  here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  cc -O2 -Wall -o "$1/storm" "$here/storm.c" -lpthread
  cc -O2 -Wall -o "$1/notify_raw" "$here/notify_raw.c" -lseccomp -lpthread
}
