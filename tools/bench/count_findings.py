#!/usr/bin/env python3
"""count_findings.py FILE OPERATION: the occurrences of the syscall
OPERATION in a --findings file (JSON lines), summed over its findings.
notify.sh and all.sh compare it with the number of calls made: every
occurrence must be counted (docs/architecture.md, "Findings")."""
import json
import sys

if len(sys.argv) != 3:
    sys.exit("usage: count_findings.py FILE OPERATION")
with open(sys.argv[1]) as f:
    print(sum(x["count"] for x in map(json.loads, f)
              if x["kind"] == "syscall" and x["operation"] == sys.argv[2]))
