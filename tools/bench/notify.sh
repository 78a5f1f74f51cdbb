#!/usr/bin/env bash
# Seccomp user-notification throughput: how many denied-and-notified
# syscalls per second leastpriv's supervisor answers, whether every one of
# them is counted in the findings (exact count, nothing lost), the per-call
# cost of a notified syscall against an allowed one, and the same storm
# under notify_raw, a minimal libseccomp receive/respond loop, as the floor.
# Timings are printed, never asserted (shared, noisy machine); a findings
# count different from the number of calls is a correctness failure and
# makes the script exit 1.
set -euo pipefail

source "$(dirname "$0")/common.sh"
bench_init "cc, libseccomp-dev, python3" "env: NOTIFY_CALLS (total notified calls per run, default 400000)" -- "$@"
total=${NOTIFY_CALLS:-400000}
here=$(cd "$(dirname "$0")" && pwd)

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bench_build_storm "$out"

rows=$out/rows   # "label threads calls elapsed_s [findings_count OK|LOST]" per run
: > "$rows"

# run LABEL THREADS CALLS_PER_THREAD CMD...: runs CMD (a storm, possibly
# under a supervisor) and records its elapsed time. Leastpriv's stderr (the
# findings summary) is kept aside and shown only on failure.
run() {
  local label=$1 t=$2 n=$3; shift 3
  local line
  if ! line=$("$@" 2>"$out/stderr"); then
    echo "$0: $label failed:" >&2; cat "$out/stderr" >&2; exit 1
  fi
  local calls elapsed
  calls=$(sed -n 's/.*calls=\([0-9]*\) .*/\1/p' <<<"$line")
  elapsed=$(sed -n 's/.*elapsed_s=\([0-9.]*\).*/\1/p' <<<"$line")
  [ "$calls" = $((t * n)) ] || { echo "$0: $label: unexpected storm output: $line" >&2; exit 1; }
  echo "$label $t $calls $elapsed" >> "$rows"
}

# Notified storms under leastpriv, checked against --findings.
status=0
for t in 1 4; do
  n=$((total / t))
  run "leastpriv/ptrace" "$t" "$n" "$lp" run -q --findings "$out/f$t.jsonl" -- "$out/storm" -s ptrace "$t" "$n"
  counted=$(python3 "$here/count_findings.py" "$out/f$t.jsonl" ptrace)
  if [ "$counted" = $((t * n)) ]; then verdict=OK; else verdict=LOST; status=1; fi
  sed -i '$ s/$/ '"$counted"' '"$verdict"'/' "$rows"
done
# The floor: the same storms under a bare libseccomp receive/respond loop.
for t in 1 4; do
  n=$((total / t))
  run "raw/ptrace" "$t" "$n" "$out/notify_raw" "$out/storm" -s ptrace "$t" "$n"
done
# Per-call costs, one thread.
run "bare/getppid" 1 "$total" "$out/storm" -s getppid 1 "$total"
run "leastpriv/getppid" 1 "$total" "$lp" run -q -- "$out/storm" -s getppid 1 "$total"
run "bare/ptrace" 1 "$total" "$out/storm" -s ptrace 1 "$total"

python3 - "$rows" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
def get(label, t=1):
    for r in rows:
        if r[0] == label and int(r[1]) == t:
            return r
rate = lambda r: int(r[2]) / float(r[3])
us = lambda r: float(r[3]) / int(r[2]) * 1e6

print("notification throughput (ptrace denied with EPERM through the supervisor)")
print(f"{'supervisor':<28} {'threads':>7} {'calls':>8} {'elapsed s':>10} {'notif/s':>10}  findings count")
for label, name in (("leastpriv/ptrace", "leastpriv run --findings"), ("raw/ptrace", "notify_raw (libseccomp loop)")):
    for t in (1, 4):
        r = get(label, t)
        extra = f"{r[4]} {r[5]}" if len(r) > 5 else "-"
        print(f"{name:<28} {t:>7} {int(r[2]):>8} {float(r[3]):>10.3f} {rate(r):>10.0f}  {extra}")
for t in (1, 4):
    print(f"leastpriv / raw rate, {t} thread(s): {rate(get('leastpriv/ptrace', t)) / rate(get('raw/ptrace', t)):.2f}")
print()
print("per-call cost, 1 thread")
print(f"{'call':<44} {'us/call':>8}")
for label, name in (("bare/getppid", "getppid, no filter"),
                    ("leastpriv/getppid", "getppid under leastpriv (allowed)"),
                    ("bare/ptrace", "ptrace, no filter (kernel EPERM)"),
                    ("leastpriv/ptrace", "ptrace under leastpriv (notified)"),
                    ("raw/ptrace", "ptrace under notify_raw (notified)")):
    print(f"{name:<44} {us(get(label)):>8.3f}")
print(f"notified / allowed under leastpriv: x{us(get('leastpriv/ptrace')) / us(get('leastpriv/getppid')):.0f}")
PY
[ "$status" = 0 ] || echo "$0: LOST: the findings count differs from the number of notified calls" >&2
exit "$status"
