#!/usr/bin/env python3
"""Runs the steps of the repository's composite action (action.yml) here,
the way GitHub's runner would: inputs from their defaults and from
KEY=VALUE arguments, `${{ inputs.X }}` substituted, a step's `if:` (only
the `inputs.X == 'V'` form the action uses), its env, and its shell.
GITHUB_ACTION_PATH is the action's directory, RUNNER_TEMP a temporary one.
Exits with the first failing step's status, 0 when all pass, 2 when the
action's metadata is not what a composite action needs."""
import os
import re
import subprocess
import sys
import tempfile

import yaml

INPUT = re.compile(r"\$\{\{\s*inputs\.([A-Za-z0-9_-]+)\s*\}\}")
CONDITION = re.compile(r"inputs\.([A-Za-z0-9_-]+) == '([^']*)'")


def fail(why):
    print("run-action: " + why, file=sys.stderr)
    sys.exit(2)


def load(path):
    with open(path, encoding="utf-8") as f:
        action = yaml.safe_load(f)
    if not action.get("name") or not action.get("description"):
        fail("no name or description")
    if action.get("runs", {}).get("using") != "composite":
        fail("not a composite action")
    for name, spec in action.get("inputs", {}).items():
        if not spec.get("description"):
            fail("input %s has no description" % name)
    for step in action["runs"]["steps"]:
        if "run" in step and "shell" not in step:
            fail("step %r has no shell (a composite step needs one)" % step.get("name"))
    return action


def main():
    path, given = sys.argv[1], sys.argv[2:]
    action = load(path)
    inputs = {k: str(v.get("default", "")) for k, v in action.get("inputs", {}).items()}
    for arg in given:
        key, _, value = arg.partition("=")
        if key not in inputs:
            fail("no input %r" % key)
        inputs[key] = value
    for key, spec in action.get("inputs", {}).items():
        if spec.get("required") and not inputs[key]:
            fail("input %r is required" % key)

    def substitute(text):
        return INPUT.sub(lambda m: inputs[m.group(1)], str(text))

    with tempfile.TemporaryDirectory() as runner_temp:
        for step in action["runs"]["steps"]:
            condition = step.get("if")
            if condition:
                m = CONDITION.fullmatch(condition.strip())
                if not m:
                    fail("unknown if: %r" % condition)
                if inputs[m.group(1)] != m.group(2):
                    continue
            env = dict(os.environ, GITHUB_ACTION_PATH=os.path.dirname(os.path.abspath(path)),
                       RUNNER_TEMP=runner_temp)
            env.update({k: substitute(v) for k, v in step.get("env", {}).items()})
            status = subprocess.run([step["shell"], "-c", substitute(step["run"])],
                                    env=env).returncode
            if status:
                sys.exit(status)


if __name__ == "__main__":
    main()
