#!/usr/bin/env python3
"""table.py [--markdown] DIR: all.sh's one table, from the hyperfine JSON
exports it left in DIR (NAME.K.json, one per round), its findings counts
(DIR/counts) and DIR/meta (key=value lines). Cells are the median and the
minimum of the times of every round, in ms. Exit 1 when a notified call is
missing from the findings (a correctness failure); timings never fail."""
import glob
import json
import os
import statistics
import sys

COLUMNS = ["bare", "unshare-n", "bwrap", "previous", "this"]
# file name, label, ratio kind, goal, what to print without measurements
ROWS = [
    ("launch", "launch `/bin/true`", "overhead", 0.80, None),
    ("write-heavy", "extract + delete 10,000 files (tar as root)", "ratio", 1.10, None),
    ("heavy0", None, "ratio", 1.03, None),
    ("heavy1", None, "ratio", 1.03, None),
    ("cjson", "cJSON's `ctest`", "ratio", 1.03, "n/a (set CJSON_SRC)"),
    ("zlib", "zlib's `make test`", "ratio", 1.03, "n/a (set ZLIB_SRC)"),
    ("notify", "denied calls/s, 4 threads (bare: raw loop)", "rate", 1.00, None),
    ("memory", None, "memory", 8.0, None),
]


def load_times(path_glob):
    """Every round's times (s) per variant name."""
    times = {}
    for path in sorted(glob.glob(path_glob)):
        with open(path) as f:
            for r in json.load(f)["results"]:
                times.setdefault(r["command"], []).extend(r["times"])
    return times


def stats(times):
    """(median, min) in ms."""
    return statistics.median(times) * 1000, min(times) * 1000


def fmt_ms(v):
    return f"{v:.1f}" if v < 100 else f"{v:.0f}"


def cell(name, st, calls):
    med, mn = st
    text = f"{fmt_ms(med)} / {fmt_ms(mn)}"
    if name == "notify":
        text += f" ({calls / med:.0f}k/s)"  # calls per ms = thousands per s
    return text


def ratio(kind, st):
    """this build against its reference, from the medians and the minimums."""
    def one(i):
        this = st["this"][i]
        if kind == "overhead":
            return (this - st["bare"][i]) / (st["bwrap"][i] - st["bare"][i])
        if kind == "rate":  # this rate / raw loop rate
            return st["bare"][i] / this
        return this / st["bwrap"][i]
    return one(0), one(1)


def lost_calls(ws, expected):
    """variant -> (runs checked, calls missing from its findings)."""
    out = {}
    path = os.path.join(ws, "counts")
    if not os.path.exists(path):
        return out
    for line in open(path):
        name, count = line.split()
        runs, lost = out.get(name, (0, 0))
        out[name] = (runs + 1, lost + expected - int(count))
    return out


def memory_row(ws, meta, columns):
    """The supervisor's peak memory per leastpriv column, from DIR/memory
    (all.sh: "NAME hwm=KIB maxrss=KIB counted=N" a line), the larger of
    the two readings; and whether a call is missing from its findings."""
    distinct = int(meta.get("distinct", 100000))
    label = f"supervisor peak memory, {distinct:,} distinct findings (one run)"
    peak, lost = {}, 0
    path = os.path.join(ws, "memory")
    for line in open(path) if os.path.exists(path) else ():
        name, *fields = line.split()
        v = dict(f.split("=", 1) for f in fields)
        peak[name] = max(int(v["hwm"]), int(v["maxrss"])) / 1024
        lost += distinct - int(v["counted"])
    if "this" not in peak:
        return [label] + ["-"] * len(columns) + ["n/a (not measured)", "≤ 8 MiB: n/a"], False
    cells = [f"{peak[c]:.1f} MiB" if c in peak else "-" for c in columns]
    met = "met" if peak["this"] <= 8.0 else "NOT met"
    return [label] + cells + [f"{peak['this']:.1f} MiB", f"≤ 8 MiB: {met}; {lost} lost"], lost != 0


def build_rows(ws, meta, columns):
    calls = int(meta["calls"])
    lost = lost_calls(ws, calls // 4 * 4)
    rows, counts, failed = [], {}, False
    for name, label, kind, goal, missing in ROWS:
        if kind == "memory":
            row, memory_failed = memory_row(ws, meta, columns)
            rows.append(row)
            failed = failed or memory_failed
            continue
        label = label or f"`{meta['label.' + name]}`"
        times = load_times(os.path.join(ws, name + ".*.json"))
        if not times:
            goal_text = goal if isinstance(goal, str) else f"{goal:.2f}"
            rows.append([label] + ["-"] * len(columns) + [missing, f"≤ {goal_text}: n/a"])
            continue
        counts[name] = len(times["this"])
        st = {k: stats(v) for k, v in times.items()}
        cells = [cell(name, st[c], calls) if c in st else "n/a" for c in columns]
        med, mn = ratio(kind, st)
        met = med >= goal if kind == "rate" else med <= goal
        sign = "≥" if kind == "rate" else "≤"
        verdict = f"{sign} {goal:.2f}: {'met' if met else 'NOT met'}"
        if kind == "rate":
            missing_calls = sum(lost_n for _, lost_n in lost.values())
            checked = sum(runs for runs, _ in lost.values())
            verdict += f"; {missing_calls} lost in {checked} runs"
            failed = failed or missing_calls != 0 or checked == 0
        rows.append([label] + cells + [f"{med:.2f} (min {mn:.2f})", verdict])
    return rows, counts, failed


def header(meta, counts):
    prev = meta["previous"]
    lines = [
        f"leastpriv benchmarks, {meta['date']}; {meta['machine']}; load average {meta['load']} at the end",
        f"command: {meta['command']}",
        f"this build: {meta['this']}; previous: "
        + (f"{prev}, built Release in a temporary worktree" if prev
           else "none (no --previous GITREF: no previous column)"),
        "cells: median / min in ms of "
        + "/".join(str(n) for n in sorted({n for k, n in counts.items() if k != "launch"}))
        + f" runs (launch: {counts.get('launch')}), in 5 rounds that rotate the order of the columns",
        "ratio: this / bwrap (launch: (this - bare) / (bwrap - bare); denied calls: this rate / "
        f"raw loop rate, {meta['calls']} calls a run including the launch) from the medians (and the minimums); "
        "goals are information, not a verdict",
    ]
    lines.append("supervisor memory: peak of one run of `storm -s distinct` (a denied mount per call, "
                 "each path its own finding), the larger of VmHWM and GNU time's maxrss; every call must be counted")
    if meta["unshare"] != "yes":
        lines.append("unshare -n: n/a (needs root)")
    return lines


def render(lines, table, markdown):
    if markdown:
        out = ["- " + line for line in lines] + [""]
        out.append("| " + " | ".join(table[0]) + " |")
        out.append("|" + "---|" * len(table[0]))
        out += ["| " + " | ".join(r) + " |" for r in table[1:]]
        return "\n".join(out)
    widths = [max(len(r[i]) for r in table) for i in range(len(table[0]))]
    out = lines + [""]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in table]
    return "\n".join(out)


def main():
    args = sys.argv[1:]
    markdown = "--markdown" in args
    ws = [a for a in args if a != "--markdown"][0]
    meta = dict(line.rstrip("\n").split("=", 1) for line in open(os.path.join(ws, "meta")))
    columns = [c for c in COLUMNS if c != "previous" or meta["previous"]]
    names = {"previous": f"previous ({meta['previous']})", "unshare-n": "unshare -n"}
    rows, counts, failed = build_rows(ws, meta, columns)
    table = [["workload"] + [names.get(c, c) for c in columns] + ["ratio", "goal"]] + rows
    print(render(header(meta, counts), table, markdown))
    if failed:
        print("LOST: a notified call is missing from the findings", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
