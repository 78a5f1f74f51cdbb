#!/usr/bin/env bash
# Seccomp user-notification costs: how many denied-and-notified syscalls
# per second leastpriv's supervisor answers, whether every one of them is
# counted in the findings (exact count, nothing lost), the same storm under
# notify_raw (a bare one-thread libseccomp receive/respond loop, the floor),
# the per-call cost of a denied call and of calls the supervisor looks at
# and allows (a chown, a loopback connect), and the supervisor's peak
# memory with 100,000 distinct findings. Each storm runs NOTIFY_RUNS times,
# leastpriv and notify_raw interleaved, and the medians are compared.
# Timings are printed, never asserted (shared, noisy machine); a findings
# count different from the number of calls is a correctness failure and
# makes the script exit 1.
set -euo pipefail

source "$(dirname "$0")/common.sh"
bench_init "cc, libseccomp-dev, python3, GNU time" \
        "env: NOTIFY_CALLS (notified calls per storm, default 400000), NOTIFY_RUNS (runs of each storm, default 3), NOTIFY_LATENCY_CALLS (default 20000), NOTIFY_DISTINCT (default 100000)" \
        /usr/bin/time -- "$@"
here=$(cd "$(dirname "$0")" && pwd)

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bench_build_storm "$out"

# The storms run in $out: the chown storm's file is created there, and the
# default profile makes the working directory writable.
cd "$out"
exec python3 - "$here" "$lp" "$out" "${NOTIFY_CALLS:-400000}" "${NOTIFY_RUNS:-3}" \
        "${NOTIFY_LATENCY_CALLS:-20000}" "${NOTIFY_DISTINCT:-100000}" <<'PY'
import json, re, statistics, subprocess, sys

here, lp, out, total, runs, lat_calls, distinct = *sys.argv[1:4], *map(int, sys.argv[4:])
sys.path.insert(0, here)
from peak_rss import peak_rss  # noqa: E402 (the path above first)
storm, raw = f"{out}/storm", f"{out}/notify_raw"
failed = False


def run(cmd, what):
    """Runs a storm (under cmd's supervisor, if any): its elapsed seconds."""
    p = subprocess.run(cmd, capture_output=True, text=True)
    m = re.search(r"calls=(\d+) .*elapsed_s=([0-9.]+)", p.stdout)
    if p.returncode != 0 or not m:
        sys.exit(f"notify.sh: {what} failed (exit {p.returncode}):\n{p.stdout}{p.stderr}")
    return int(m.group(1)), float(m.group(2))


def findings_total(path, operation):
    rows = [json.loads(l) for l in open(path, encoding="utf-8")]
    return sum(r["count"] for r in rows if r["operation"] == operation), rows


# ---- throughput: denied ptrace, 1 and 4 threads, interleaved runs ----------
rates = {}
for r in range(runs):
    for t in (1, 4):
        n = total // t
        f = f"{out}/f{t}.jsonl"
        calls, el = run([lp, "run", "-q", "--findings", f, "--", storm, "-s", "ptrace", str(t), str(n)],
                        f"leastpriv storm T={t}")
        counted, _ = findings_total(f, "ptrace")
        if counted != calls:
            failed = True
            print(f"LOST: T={t} run {r + 1}: {counted} of {calls} calls in the findings", file=sys.stderr)
        rates.setdefault(("leastpriv", t), []).append(calls / el)
        calls, el = run([raw, storm, "-s", "ptrace", str(t), str(n)], f"notify_raw storm T={t}")
        rates.setdefault(("raw", t), []).append(calls / el)

med = {k: statistics.median(v) for k, v in rates.items()}
print(f"notification throughput: ptrace denied with EPERM, {total} calls per storm, "
      f"median of {runs} runs (min-max)")
print(f"{'supervisor':<30} {'threads':>7} {'notif/s':>9}  {'min-max':>15}  findings count")
for who, name in (("leastpriv", "leastpriv run --findings"), ("raw", "notify_raw (one receiver)")):
    for t in (1, 4):
        v = rates[(who, t)]
        exact = ("OK" if not failed else "LOST") if who == "leastpriv" else "-"
        print(f"{name:<30} {t:>7} {med[(who, t)]:>9.0f}  {min(v):>7.0f}-{max(v):<7.0f}  {exact}")
for t in (1, 4):
    print(f"leastpriv / raw rate, {t} thread(s): {med[('leastpriv', t)] / med[('raw', t)]:.2f}")
ratio = med[("leastpriv", 4)] / med[("raw", 4)]
print(f"goal, 4 threads, exact: leastpriv / raw >= 1.0: {ratio:.2f} "
      f"({'met' if ratio >= 1.0 and not failed else 'NOT met'})")

# ---- per-call cost, one thread ----------------------------------------------
def us(cmd, mode, n, what):
    calls, el = run(cmd + [storm, "-s", mode, "1", str(n)], what)
    return el / calls * 1e6

print()
print(f"per-call cost, 1 thread ({total} calls; chown and connect {lat_calls})")
print(f"{'call':<52} {'us/call':>8}")
rows = (
    ("getppid, no filter", [], "getppid", total),
    ("getppid under leastpriv (allowed in the kernel)", [lp, "run", "-q", "--"], "getppid", total),
    ("ptrace, no filter (the kernel's ESRCH)", [], "ptrace", total),
    ("ptrace under leastpriv (notified, denied)", [lp, "run", "-q", "--"], "ptrace", total),
    ("ptrace under notify_raw (notified, denied)", [raw], "ptrace", total),
    ("chown to own ids, no filter", [], "chown", lat_calls),
    ("chown to own ids under leastpriv (watched, allowed)", [lp, "run", "-q", "--"], "chown", lat_calls),
    ("UDP connect 127.0.0.1, no filter", [], "connect", lat_calls),
    ("UDP connect 127.0.0.1 under leastpriv (watched, allowed)", [lp, "run", "-q", "--"], "connect",
     lat_calls),
)
cost = {}
for name, cmd, mode, n in rows:
    cost[name] = us(cmd, mode, n, name)
    print(f"{name:<52} {cost[name]:>8.3f}")

# ---- memory: 100,000 distinct findings ---------------------------------------
f = f"{out}/distinct.jsonl"
hwm, maxrss = peak_rss([lp, "run", "-q", "--findings", f, "--", storm, "-s", "distinct", "1",
                        str(distinct)], f"{out}/distinct.err")
counted, rows = findings_total(f, "mount")
listed = sum(1 for r in rows if r["operation"] == "mount" and "folded" not in r["target"])
if counted != distinct:
    failed = True
    print(f"LOST: distinct: {counted} of {distinct} calls in the findings", file=sys.stderr)
print()
print(f"supervisor memory: {distinct} denied mounts, each a distinct finding "
      f"({listed} listed, the rest folded; findings count {counted} {'OK' if counted == distinct else 'LOST'})")
print(f"leastpriv VmHWM, the last read while it ran: {hwm / 1024:.1f} MiB")
print(f"peak RSS (GNU time: leastpriv, or a child of it if larger): {maxrss / 1024:.1f} MiB")
print(f"goal <= 8 MiB: {'met' if max(hwm, maxrss) <= 8 * 1024 else 'NOT met'}")
if failed:
    print("notify.sh: LOST: a findings count differs from the number of calls", file=sys.stderr)
sys.exit(1 if failed else 0)
PY
