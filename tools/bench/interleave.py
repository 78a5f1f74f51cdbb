#!/usr/bin/env python3
"""interleave.py [-n RUNS] [--warmup N] COMMAND...: each COMMAND (one
shell-free string, split on spaces) run RUNS times, all the runs in one
random order, so that a neighbour's load that comes and goes falls on
every command alike (hyperfine runs one command's runs back to back).
Prints the median, the 25th percentile and the minimum wall time of each,
in ms, and each median's ratio to the first command's. For A/B
comparisons of two builds: the README's "Performance" section quotes it.
A command that fails stops the measurement (exit 1)."""
import argparse
import random
import statistics
import subprocess
import sys
import time


def run(cmd):
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = (time.perf_counter() - start) * 1000
    if done.returncode != 0:
        sys.exit(f"interleave.py: {' '.join(cmd)} exited {done.returncode}")
    return elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--runs", type=int, default=300)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("commands", nargs="+")
    a = ap.parse_args()
    cmds = [c.split() for c in a.commands]
    for _ in range(a.warmup):
        for c in cmds:
            run(c)
    order = [i for _ in range(a.runs) for i in range(len(cmds))]
    random.shuffle(order)
    times = [[] for _ in cmds]
    for i in order:
        times[i].append(run(cmds[i]))
    first = statistics.median(times[0])
    print(f"{'median ms':>10} {'p25 ms':>8} {'min ms':>8} {'/ first':>8}  command")
    for text, t in zip(a.commands, times):
        t.sort()
        med = statistics.median(t)
        print(f"{med:10.3f} {t[len(t) // 4]:8.3f} {t[0]:8.3f} {med / first:8.3f}  {text}")


if __name__ == "__main__":
    main()
