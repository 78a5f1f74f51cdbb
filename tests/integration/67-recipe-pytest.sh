#!/usr/bin/env bash
# README's pytest recipe, `leastpriv run --findings F -- python3 -m pytest`:
# pytest itself runs inside the sandbox, with the project as its workspace.
# The test listens on loopback and connects (the run's own namespace), and
# raises its priority, which the default profile refuses (CAP_SYS_NICE):
# one finding, counted once, by python. Then the profile `leastpriv learn`
# writes for the same command must hold for five runs in a row under
# --fail-on-findings (recipes-lib.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
source "$(dirname "$0")/recipes-lib.sh"

lp_require_root
recipe_require python3 python3
python3 -c 'import pytest' 2>/dev/null ||
        skip "python3 in $RECIPE_PATH has no pytest (Debian package python3-pytest; tools/setup.sh installs it)"
recipe_project pytest
# No bytecode files: the replays find the tree as the learn left it.
RECIPE_ENV+=(PYTHONDONTWRITEBYTECODE=1)

cat >test_recipe.py <<'PY'
import errno
import os
import socket


def no_new_privs():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("NoNewPrivs:"):
                return line.split()[1]
    return "?"


def raise_priority():
    try:
        os.setpriority(os.PRIO_PROCESS, 0, -5)
        return "ok"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e.errno))


def test_loopback_and_priority():
    with socket.create_server(("127.0.0.1", 0)) as listener:
        with socket.create_connection(listener.getsockname()) as client:
            server, _ = listener.accept()
            with server:
                client.sendall(b"x")
                assert server.recv(1) == b"x"
    netns = os.readlink("/proc/self/ns/net")
    with open("marker", "a") as m:
        m.write("netns=%s nnp=%s setpriority=%s\n" % (netns, no_new_privs(), raise_priority()))
PY

findings=$tmp/pytest.jsonl
recipe_run "$LEASTPRIV" run --findings "$findings" -- python3 -m pytest
assert_status 0 "leastpriv run --findings F -- python3 -m pytest"
assert_match "$LP_OUT" '^=+ 1 passed in ' "pytest's summary"
note "pytest took ${LP_ELAPSED}s"
check_marker marker "pytest" setpriority=EACCES
python=$(readlink -f "$(command -v python3)")
check_priority_finding "pytest" "$findings" "^$python\$"

learn_then_replay pytest python3 -m pytest
