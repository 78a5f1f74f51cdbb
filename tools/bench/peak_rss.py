#!/usr/bin/env python3
"""peak_rss.py ERRFILE -- COMMAND...: runs COMMAND under GNU time and
prints "hwm=KIB maxrss=KIB", its peak memory two ways:

- hwm: the VmHWM of the command's process (time's child), the last read
  while it ran (polled every 20 ms);
- maxrss: GNU time's ru_maxrss, the largest of the command and of its
  children.

Not from this process's wait4: a child forked from python counts python's
pages until its exec; time's child is forked from time. The command's
stderr goes to ERRFILE (leastpriv's summary may be thousands of lines: a
file, not a pipe that nobody reads until it exits). Exits 1, with the end
of ERRFILE, when the command fails. notify.sh imports it; all.sh runs it."""
import os
import re
import subprocess
import sys
import tempfile
import time


def child_of(pid):
    """A child of pid, by a scan of /proc (CONFIG_PROC_CHILDREN may be off)."""
    for d in os.listdir("/proc"):
        try:
            if d.isdigit() and int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1]) == pid:
                return int(d)
        except (OSError, IndexError, ValueError):
            pass
    return None


def peak_rss(cmd, err_path):
    """(hwm, maxrss) in KiB of cmd; exits on failure."""
    with tempfile.NamedTemporaryFile("r", prefix="peak-rss.") as timing, \
            open(err_path, "w") as stderr:
        p = subprocess.Popen(["/usr/bin/time", "-o", timing.name, "-f", "maxrss=%M"] + cmd,
                             stdout=subprocess.DEVNULL, stderr=stderr)
        hwm, target = 0, None
        while p.poll() is None:
            try:
                target = target or child_of(p.pid)
                with open(f"/proc/{target}/status") as s:
                    hwm = max(hwm, int(re.search(r"VmHWM:\s+(\d+)", s.read()).group(1)))
            except (OSError, AttributeError, IndexError, ValueError):
                pass
            time.sleep(0.02)
        err = timing.read() + open(err_path).read()[-2000:]
    m = re.search(r"maxrss=(\d+)", err)
    if p.returncode != 0 or not m:
        sys.exit(f"peak_rss.py: {' '.join(cmd)} failed (exit {p.returncode}):\n{err}")
    return hwm, int(m.group(1))


def main():
    args = sys.argv[1:]
    if len(args) < 3 or args[1] != "--":
        sys.exit("usage: peak_rss.py ERRFILE -- COMMAND...")
    hwm, maxrss = peak_rss(args[2:], args[0])
    print(f"hwm={hwm} maxrss={maxrss}")


if __name__ == "__main__":
    main()
