#!/usr/bin/python3
"""Validates a SARIF log against the SARIF 2.1.0 JSON schema.

usage: validate-sarif.py FILE [SCHEMA]

SCHEMA defaults to tests/schemas/sarif-schema-2.1.0.json of this checkout.
Also checks what the schema cannot: each result's ruleIndex names the rule
whose id is its ruleId. Exit status: 0 valid, 1 invalid, 2 usage or I/O
error, 77 when python3-jsonschema is not installed (the skip code of CTest
tests in this project).
"""
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    print("validate-sarif: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(77)


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    here = os.path.dirname(os.path.abspath(__file__))
    schema_path = argv[2] if len(argv) == 3 else os.path.join(
        here, "..", "schemas", "sarif-schema-2.1.0.json")
    try:
        with open(argv[1], encoding="utf-8") as f:
            log = json.load(f)
        with open(schema_path, encoding="utf-8") as f:
            schema = json.load(f)
    except (OSError, ValueError) as e:
        print(f"validate-sarif: {e}", file=sys.stderr)
        return 2 if isinstance(e, OSError) else 1
    try:
        jsonschema.validate(log, schema)
    except jsonschema.ValidationError as e:
        path = "/".join(str(p) for p in e.absolute_path)
        print(f"validate-sarif: {argv[1]}: /{path}: {e.message}", file=sys.stderr)
        return 1
    for run in log.get("runs", []):
        rules = run.get("tool", {}).get("driver", {}).get("rules", [])
        for n, result in enumerate(run.get("results") or []):
            i = result.get("ruleIndex")
            if i is not None and (i >= len(rules) or rules[i].get("id") != result.get("ruleId")):
                print(f"validate-sarif: {argv[1]}: result {n}: ruleIndex {i} "
                      f"does not name rule {result.get('ruleId')!r}", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
