#!/usr/bin/python3
"""pty-run.py TRANSCRIPT CMD...: runs CMD as the session leader of a fresh
pty whose slave is its controlling terminal (stdin, stdout and stderr),
copies everything the master reads to TRANSCRIPT, and exits with CMD's
status (128+N for a signal), as `leastpriv run` would report it. The
transcript holds the echo of any byte injected into the terminal's input,
which is how the tests see a TIOCSTI that got through."""
import os
import pty
import sys
import time


def main():
    transcript, cmd = sys.argv[1], sys.argv[2:]
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    out = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: every slave fd is closed
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    with open(transcript, "wb") as f:
        f.write(out.replace(b"\r\n", b"\n"))
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


main()
