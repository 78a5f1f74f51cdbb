#!/usr/bin/python3
"""soak-runs.py LEASTPRIV PROBE WORKDIR DYN_PROFILE RUNS NOBODY WATCH: RUNS
short `leastpriv run`s one after the other, all launched from this one
process, in a fixed mix of the ordinary kinds (a plain `true`, a denied
call, the --findings and --sarif files, the descriptors the command sees
when leastpriv was handed one more, a signal passed on once the command is
ready, a daemon left behind, a command that kills itself, a dynamic user,
and every 100th run a --timeout), as root and as uid 65534 (NOBODY=0: those
runs are root's too). Each run's outcome is checked exactly.

WORKDIR is where the commands run; WORKDIR/reports (writable by uid 65534)
takes the reports, which are checked and removed after each run: anything
else found there is a temporary file a report writer left.

Run as the init of a PID namespace of its own (with its own /proc), it
also tells what the runs made from what the rest of the host made
meanwhile: every process of the runs is in that namespace, so it is its
only orphans' reaper, and fanotify gives the pid of whoever created an
entry in the WATCH directories (colon-separated) as 0 when the creator is
outside it.

Prints "fds-before: ..." and "fds-after: ..." (this process's descriptors
around the runs), "children-after: ..." (children and orphans left to
reap), "mounts-changed: ..." (its own mount table's new and gone lines),
"watched: DIR..." (where every creation was seen), one "created: PATH" per
entry the runs created there, one "KIND/WHO: OK of RAN" line per kind, the
first failures in full, and the throughput. Exit 0 when every run went as
expected."""
import ctypes
import json
import os
import select
import signal
import struct
import subprocess
import sys
import time

ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
GUARD = 60  # seconds a single run may take before it counts as hung
NO_FINDINGS = "leastpriv: no findings\n"

# Twenty slots, 11 of them root's and 9 uid 65534's; run i takes slot i % 20.
CYCLE = [
    ("true", "root"), ("true", "nobody"), ("denied", "root"), ("reports", "nobody"),
    ("fds", "root"), ("signal", "root"), ("daemon", "nobody"), ("killed", "root"),
    ("dynamic", "root"), ("fds", "nobody"), ("true", "root"), ("denied", "nobody"),
    ("reports", "root"), ("fds", "root"), ("signal", "nobody"), ("daemon", "root"),
    ("killed", "nobody"), ("dynamic", "root"), ("true", "nobody"), ("fds", "nobody"),
]


def my_fds():
    """This process's descriptors and what they point at; the one that
    lists the directory is closed by the time it is read, and left out."""
    fds = []
    for name in os.listdir("/proc/self/fd"):
        try:
            fds.append("%s->%s" % (name, os.readlink("/proc/self/fd/" + name)))
        except OSError:
            pass
    return " ".join(sorted(fds, key=lambda s: int(s.split("-")[0])))


class Creations:
    """Entries created in some directories, and by whom: one fanotify group
    per directory (so an event's directory is its group's), reporting the
    directory and the name (Linux 5.9)."""
    FLAGS = 0x1 | 0x2 | 0x400 | 0x800  # FAN_CLOEXEC|NONBLOCK|REPORT_DIR_FID|REPORT_NAME
    MASK = 0x100 | 0x80 | 0x40000000  # FAN_CREATE|FAN_MOVED_TO|FAN_ONDIR
    OVERFLOW = 0x4000  # FAN_Q_OVERFLOW: events were lost
    EVENT = struct.Struct("<IBBHQii")  # struct fanotify_event_metadata

    def __init__(self, dirs):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.fanotify_mark.argtypes = [ctypes.c_int, ctypes.c_uint, ctypes.c_uint64,
                                       ctypes.c_int, ctypes.c_char_p]
        self.groups, self.created = {}, set()
        # Outside a PID namespace of its own, a pid tells nothing.
        for d in dirs if os.getpid() == 1 else []:
            fd = libc.fanotify_init(self.FLAGS, os.O_RDONLY)
            if fd < 0:
                continue
            if libc.fanotify_mark(fd, 0x1, self.MASK, -100, d.encode()) < 0:  # FAN_MARK_ADD
                os.close(fd)
                continue
            self.groups[fd] = d

    def drain(self):
        for fd, d in list(self.groups.items()):
            while True:
                try:
                    data = os.read(fd, 65536)
                except BlockingIOError:
                    break
                if not self.record(d, data):
                    os.close(fd)  # events lost: this directory is not watched
                    del self.groups[fd]
                    break

    def record(self, d, data):
        off = 0
        while off < len(data):
            size, _, _, meta, mask, _, pid = self.EVENT.unpack_from(data, off)
            if mask & self.OVERFLOW:
                return False
            info = off + meta  # struct fanotify_event_info_fid, then the name
            handle_bytes = struct.unpack_from("<I", data, info + 12)[0]
            name = data[info + 20 + handle_bytes:off + size].split(b"\0")[0]
            if pid != 0:
                self.created.add(os.path.join(d, name.decode(errors="replace")))
            off += size
        return True

    def close(self):
        self.drain()
        watched = sorted(self.groups.values())
        for fd in self.groups:
            os.close(fd)
        return watched


def mount_table():
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        return f.read().splitlines()


def unreaped_children():
    """Children and orphans left: those that ended (reaped here) and those
    still running, "PID (NAME)"."""
    left = []
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return left
        if pid == 0:
            return left + running_children()
        left.append(str(pid))


def running_children():
    me, found = str(os.getpid()), []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/stat" % pid, encoding="utf-8", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:]
        if rest.split()[1] == me:
            found.append("%s (%s)" % (pid, name))
    return found


class Soak:
    def __init__(self, lp, probe, workdir, dyn_profile, nobody):
        self.lp, self.probe, self.workdir = lp, probe, workdir
        self.dyn_profile, self.nobody = dyn_profile, nobody
        self.reports = os.path.join(workdir, "reports")

    def launch(self, who, args, pass_fds=()):
        pre = AS_NOBODY if who == "nobody" and self.nobody else []
        # The test's own filter cache, never /var/cache/leastpriv (lib.sh).
        env = dict(ENV, LEASTPRIV_CACHE_DIR=os.environ.get(
            "LEASTPRIV_CACHE_DIR", os.path.join(self.workdir, "filter-cache")))
        if pre:
            env["LEASTPRIV_CACHE_DIR"] = os.path.join(self.workdir, "filter-cache-65534")
        return subprocess.Popen(pre + [self.lp, "run"] + args, cwd=self.workdir, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, pass_fds=pass_fds)

    @staticmethod
    def finish(p, stdout=""):
        try:
            out, err = p.communicate(timeout=GUARD)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            return None, stdout + out, err + "\n(hung: killed after %d s)" % GUARD
        return p.returncode, stdout + out, err

    def run(self, who, args, pass_fds=()):
        return self.finish(self.launch(who, args, pass_fds))

    def run_handed_a_descriptor(self, who, args):
        """A run whose launcher hands leastpriv one more descriptor than
        0, 1, 2 (as CI runners do: a make jobserver, a log): the command
        must not get it."""
        fd = os.open(self.workdir, os.O_RDONLY | os.O_DIRECTORY)
        try:
            return self.run(who, args, pass_fds=(fd,))
        finally:
            os.close(fd)

    # Each kind returns (status, stdout, stderr, what is wrong or None).

    def k_true(self, who, i):
        st, out, err = self.run(who, ["--", "true"])
        return st, out, err, expect(st, 0, out, "", err, NO_FINDINGS)

    def k_denied(self, who, i):
        st, out, err = self.run(who, ["--", self.probe, "ptrace-traceme"])
        bad = expect(st, 1, out, "ptrace-traceme: EPERM\n", err, None)
        if not bad and "leastpriv: 1 finding (1 occurrence)\n" not in err:
            bad = "no one-finding summary"
        if not bad and "denied   syscall ptrace(PTRACE_TRACEME) x1" not in err:
            bad = "the summary does not list the ptrace finding"
        return st, out, err, bad

    def k_reports(self, who, i):
        jsonl = os.path.join(self.reports, "run-%d.jsonl" % i)
        sarif = os.path.join(self.reports, "run-%d.sarif" % i)
        st, out, err = self.run(who, ["--findings", jsonl, "--sarif", sarif, "--",
                                      self.probe, "ptrace-traceme"])
        bad = expect(st, 1, out, "ptrace-traceme: EPERM\n", err, None)
        left = sorted(os.listdir(self.reports))
        if not bad and left != sorted([os.path.basename(jsonl), os.path.basename(sarif)]):
            bad = "the reports directory holds %s" % left
        if not bad:
            bad = check_reports(jsonl, sarif)
        for path in left:
            os.unlink(os.path.join(self.reports, path))
        return st, out, err, bad

    def k_fds(self, who, i):
        st, out, err = self.run_handed_a_descriptor(who, ["--", self.probe, "fds"])
        return st, out, err, expect(st, 0, out, "fds: 0 1 2\n", err, NO_FINDINGS)

    def k_dynamic(self, who, i):
        st, out, err = self.run_handed_a_descriptor(
            who, ["-p", self.dyn_profile, "--", self.probe, "fds"])
        return st, out, err, expect(st, 0, out, "fds: 0 1 2\n", err, NO_FINDINGS)

    def k_signal(self, who, i):
        """SIGTERM to leastpriv once the command said it is ready: passed on,
        the command dies of it, and so does the run (128+15)."""
        p = self.launch(who, ["--", "/bin/sh", "-c", 'echo ready; exec "$0" sleep 30',
                              self.probe])
        line = read_line(p.stdout, GUARD)
        if line != "ready\n":
            st, out, err = self.finish(p, line)
            return st, out, err, "the command never said it was ready"
        p.send_signal(signal.SIGTERM)
        st, out, err = self.finish(p, line)
        return st, out, err, expect(st, 143, out, "ready\n", err, NO_FINDINGS)

    def k_daemon(self, who, i):
        st, out, err = self.run(who, ["--", self.probe, "daemon", "/tmp/soak-daemon.pid"])
        return st, out, err, expect(st, 0, out, "daemon: ok\n", err, NO_FINDINGS)

    def k_killed(self, who, i):
        st, out, err = self.run(who, ["--", self.probe, "kill-self", "KILL"])
        return st, out, err, expect(st, 137, out, "", err, NO_FINDINGS)

    def k_timeout(self, who, i):
        st, out, err = self.run(who, ["--timeout", "1", "--", self.probe, "sleep", "30"])
        return st, out, err, expect(st, 124, out, "", err, None)


def expect(status, want_status, out, want_out, err, want_err):
    if status != want_status:
        return "exit status %s, expected %d" % (status, want_status)
    if out != want_out:
        return "stdout %r, expected %r" % (out, want_out)
    if want_err is not None and err != want_err:
        return "stderr %r, expected %r" % (err, want_err)
    return None


def read_line(pipe, seconds):
    """One line from a text pipe, or what came before EOF or the deadline."""
    fd, data = pipe.fileno(), b""
    deadline = time.monotonic() + seconds
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            break
        chunk = os.read(fd, 1)
        if not chunk:
            break
        data += chunk
    return data.decode(errors="replace")


def check_reports(jsonl, sarif):
    """One ptrace finding, counted once, in both files."""
    try:
        with open(jsonl, encoding="utf-8") as f:
            lines = [json.loads(line) for line in f.read().splitlines()]
        with open(sarif, encoding="utf-8") as f:
            results = json.load(f)["runs"][0]["results"]
    except (OSError, ValueError, KeyError, IndexError) as e:
        return "unreadable report: %s" % e
    got = [(o["operation"], o["count"]) for o in lines]
    if got != [("ptrace", 1)]:
        return "JSONL findings %s, expected [('ptrace', 1)]" % got
    got = [(r["ruleId"], r["properties"]["count"]) for r in results]
    if got != [("syscall/ptrace", 1)]:
        return "SARIF results %s, expected [('syscall/ptrace', 1)]" % got
    return None


def slot(i):
    if i % 100 == 99:
        return "timeout", "root" if (i // 100) % 2 == 0 else "nobody"
    return CYCLE[i % len(CYCLE)]


def main():
    lp, probe, workdir, dyn_profile, runs, nobody, watch = sys.argv[1:8]
    soak = Soak(lp, probe, workdir, dyn_profile, nobody == "1")
    creations = Creations([d for d in watch.split(":") if os.path.isdir(d)])
    tally, failures = {}, []
    mounts = mount_table()
    print("fds-before:", my_fds(), flush=True)
    start = time.monotonic()
    for i in range(int(runs)):
        kind, who = slot(i)
        st, out, err, bad = getattr(soak, "k_" + kind)(who, i)
        creations.drain()  # a group's queue is bounded
        ran, ok = tally.get((kind, who), (0, 0))
        tally[(kind, who)] = (ran + 1, ok + (bad is None))
        if bad:
            failures.append("run %d (%s as %s): %s\n  status %s\n  stdout %r\n  stderr %r"
                            % (i, kind, who, bad, st, out, err))
    elapsed = time.monotonic() - start
    print("fds-after:", my_fds())
    print("children-after:", " ".join(unreaped_children()) or "none")
    print("reports-left:", " ".join(sorted(os.listdir(soak.reports))) or "none")
    after = mount_table()
    changed = ["+" + m for m in after if m not in mounts] + ["-" + m for m in mounts if m not in after]
    print("mounts-changed:", " | ".join(changed) or "none")
    print("watched:", " ".join(creations.close()))
    for path in sorted(creations.created):
        print("created:", path)
    for (kind, who), (ran, ok) in sorted(tally.items()):
        print("%s/%s: %d of %d" % (kind, who, ok, ran))
    print("runs: %s in %.1f s (%.1f runs/s)" % (runs, elapsed, int(runs) / elapsed))
    for f in failures[:10]:
        print("FAILED", f)
    sys.exit(1 if failures else 0)


main()
