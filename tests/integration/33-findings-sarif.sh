#!/usr/bin/env bash
# shellcheck disable=SC2154 # F_* are set by fget (eval)
# The report files (docs/architecture.md, "Findings"): --sarif from a run with findings of every
# kind is valid SARIF 2.1.0 (tests/tools/validate-sarif.py against the
# vendored official schema) and agrees with the JSONL; the validator does
# reject a broken copy; --findings is written atomically (it replaces an old
# file, leaves no temporary file behind); a path that cannot be written is
# exit 125 with a message.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

source "$(dirname "$0")/findings-lib.sh"

cd "$tmp/shared" || fatal "cd $tmp/shared"
VALIDATE=$LP_SOURCE/tests/tools/validate-sarif.py
SCHEMA=$LP_SOURCE/tests/schemas/sarif-schema-2.1.0.json
[ -r "$SCHEMA" ] || fatal "schema not found: $SCHEMA"

# validate FILE: sets V_STATUS and V_ERR.
validate() {
        V_STATUS=0
        V_ERR=$(/usr/bin/python3 "$VALIDATE" "$1" "$SCHEMA" 2>&1) || V_STATUS=$?
        [ "$V_STATUS" != 77 ] || fatal "python3-jsonschema is not installed (a test dependency, README)"
}

# sarif_vs_jsonl SARIF JSONL: "ok" when the SARIF has one result per JSONL
# line with ruleId KIND/OPERATION, the level of its action (error for
# denied/killed, warning for audited, note for withheld) and its count;
# otherwise what differs.
sarif_vs_jsonl() {
        /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
sarif = json.load(open(sys.argv[1], encoding="utf-8"))
lines = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
levels = {"denied": "error", "killed": "error", "audited": "warning", "withheld": "note"}
problems = []
if sarif.get("version") != "2.1.0":
    problems.append("version %r" % sarif.get("version"))
runs = sarif.get("runs", [])
if len(runs) != 1:
    problems.append("%d runs" % len(runs))
run = runs[0] if runs else {}
if run.get("tool", {}).get("driver", {}).get("name") != "leastpriv":
    problems.append("tool.driver.name %r" % run.get("tool", {}).get("driver", {}).get("name"))
results = run.get("results", [])
want = sorted((o["kind"] + "/" + o["operation"], levels[o["action"]], o["count"]) for o in lines)
got = sorted((r.get("ruleId"), r.get("level"), r.get("properties", {}).get("count")) for r in results)
if want != got:
    problems.append("results %s, JSONL %s" % (got, want))
print("; ".join(problems) or "ok")
PY
}

# sarif_properties FILE CATEGORY: "ok" when every rule carries what code
# scanning shows and ranks by (shortDescription, fullDescription, help,
# helpUri into the README, properties.security-severity a number from 0
# to 10), the run's automationDetails.id is CATEGORY, and every result's
# location is a relative path to a file that exists under the run's
# %SRCROOT%; otherwise what is wrong.
sarif_properties() {
        /usr/bin/python3 - "$1" "$2" <<'PY'
import json, os, sys, urllib.parse
run = json.load(open(sys.argv[1], encoding="utf-8"))["runs"][0]
problems = []
for rule in run["tool"]["driver"]["rules"]:
    for key in ("shortDescription", "fullDescription", "help"):
        if not rule.get(key, {}).get("text"):
            problems.append("rule %s: no %s" % (rule["id"], key))
    if "#" not in rule.get("helpUri", ""):
        problems.append("rule %s: helpUri %r" % (rule["id"], rule.get("helpUri")))
    sev = rule.get("properties", {}).get("security-severity")
    try:
        if not 0 <= float(sev) <= 10:
            raise ValueError
    except (TypeError, ValueError):
        problems.append("rule %s: security-severity %r" % (rule["id"], sev))
if run.get("automationDetails", {}).get("id") != sys.argv[2]:
    problems.append("automationDetails %r" % run.get("automationDetails"))
root = urllib.parse.urlparse(run.get("originalUriBaseIds", {}).get("%SRCROOT%", {}).get("uri", "")).path
for r in run["results"]:
    for loc in r.get("locations", []):
        a = loc["physicalLocation"]["artifactLocation"]
        uri = urllib.parse.unquote(a["uri"])
        if a.get("uriBaseId") != "%SRCROOT%" or ":" in uri or uri.startswith("/") or ".." in uri:
            problems.append("result %s: location %r" % (r["ruleId"], a))
        elif not os.path.exists(os.path.join(root, uri)):
            problems.append("result %s: %s is not under %s" % (r["ruleId"], uri, root))
print("; ".join(problems) or "ok")
PY
}

# sarif_fingerprints FILE: "RULE FINGERPRINT LOCATION" per result, sorted.
sarif_fingerprints() {
        /usr/bin/python3 - "$1" <<'PY'
import json, sys
for r in sorted(json.load(open(sys.argv[1], encoding="utf-8"))["runs"][0]["results"],
                key=lambda r: r["ruleId"]):
    locs = r.get("locations", [])
    where = locs[0]["physicalLocation"]["artifactLocation"]["uri"] if locs else "-"
    line = locs[0]["physicalLocation"].get("region", {}).get("startLine", "") if locs else ""
    print(r["ruleId"], r["partialFingerprints"]["leastprivFinding/v2"], "%s:%s" % (where, line))
PY
}

# broken SRC DST HOW: a copy of SRC with one deliberate defect.
broken() {
        /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import json, sys
src, dst, how = sys.argv[1:4]
log = json.load(open(src, encoding="utf-8"))
results = log["runs"][0]["results"]
if how == "level":
    results[0]["level"] = "fatal"
elif how == "version":
    log["version"] = "2.0.0"
elif how == "ruleIndex":
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    results[0]["ruleIndex"] = (results[0]["ruleIndex"] + 1) % len(rules)
json.dump(log, open(dst, "w", encoding="utf-8"))
PY
}

sarif_checks() {
        local who=$1 out=$tmp/shared/out-$1 d
        rm -rf "$out"
        mkdir -m 0777 "$out"
        # A stale file that the run must replace, not append to.
        echo STALE >"$out/f.jsonl"
        chmod 666 "$out/f.jsonl"

        LPX_ENV="GITHUB_TOKEN=x" lpx "$who" run --findings "$out/f.jsonl" --sarif "$out/f.sarif" -- \
                /bin/sh -c "'$PROBE' ptrace-traceme; '$PROBE' socket AF_PACKET; '$PROBE' bind 80;
                            '$PROBE' connect 192.0.2.1 443; '$PROBE' raw-socket; exit 0"
        assert_status 0 "$who: several kinds: the command's status"
        assert_eq "ptrace-traceme: EPERM socket: EAFNOSUPPORT bind: EACCES connect: ENETUNREACH raw-socket: EPERM" \
                "$(tr '\n' ' ' <<<"$LP_OUT" | sed 's/ $//')" "$who: several kinds: the probes' answers"

        # JSONL: exactly the six findings, each line with the keys of §4.
        fget "$out/f.jsonl" syscall ptrace
        assert_eq ok "$F_keys" "$who: JSONL lines parse, keys exactly and in order"
        assert_eq 6 "$F_lines" "$who: JSONL: six findings (env, ptrace, socket, bind, connect, raw)"
        assert_not_contains "$(cat "$out/f.jsonl")" STALE "$who: JSONL replaced the stale file"
        # Atomic: nothing but the two reports in the directory.
        assert_eq "f.jsonl f.sarif" "$(cd "$out" && ls -A | tr '\n' ' ' | sed 's/ $//')" \
                "$who: no temporary file left beside the reports"

        validate "$out/f.sarif"
        assert_eq 0 "$V_STATUS" "$who: SARIF validates against the 2.1.0 schema ($V_ERR)"
        assert_eq ok "$(sarif_vs_jsonl "$out/f.sarif" "$out/f.jsonl")" "$who: SARIF results agree with the JSONL"

        assert_eq ok "$(sarif_properties "$out/f.sarif" leastpriv/default/)" \
                "$who: SARIF rules, category and locations as code scanning needs them"
        # The embedded profile is no file of the repository: no location,
        # rather than a path that is not there.
        assert_eq 0 "$(grep -c '"locations"' "$out/f.sarif")" \
                "$who: embedded profile, outside GitHub Actions: no location"

        # The same findings again: the same fingerprints (pids differ).
        cp "$out/f.sarif" "$tmp/first-$who.sarif"
        LPX_ENV="GITHUB_TOKEN=x" lpx "$who" run --findings "$out/f.jsonl" --sarif "$out/f.sarif" -- \
                /bin/sh -c "'$PROBE' ptrace-traceme; '$PROBE' socket AF_PACKET; '$PROBE' bind 80;
                            '$PROBE' connect 192.0.2.1 443; '$PROBE' raw-socket; exit 0"
        assert_eq "$(sarif_fingerprints "$tmp/first-$who.sarif")" "$(sarif_fingerprints "$out/f.sarif")" \
                "$who: partialFingerprints are stable across runs"

        # A repository ($out, with a .git) holding its own profile and a
        # GitHub workflow: results at the profile's line, relative to the
        # root; those of the embedded profile at the workflow.
        mkdir -p "$out/.git" "$out/.github/workflows" "$out/prof"
        touch "$out/.github/workflows/ci.yml"
        cp "$PROBE" "$out/probe" # in view: the working directory stays visible
        printf '[Profile]\nInclude=default\n[Syscalls]\nDeny=getppid\n' >"$out/prof/mine.profile"
        chmod -R a+rX "$out"
        (cd "$out" && LPX_ENV="GITHUB_WORKFLOW_REF=o/r/.github/workflows/ci.yml@refs/heads/main" \
                lpx "$who" run -p prof/mine.profile --sarif "$out/r.sarif" -- \
                /bin/sh -c "./probe ptrace-traceme; exit 0")
        assert_eq ok "$(sarif_properties "$out/r.sarif" leastpriv/mine/)" \
                "$who: in a repository: rules, category, locations"
        assert_contains "$(sarif_fingerprints "$out/r.sarif")" "syscall/getppid " \
                "$who: the profile's own rule is a result"
        assert_match "$(sarif_fingerprints "$out/r.sarif")" 'syscall/getppid [0-9a-f]{16} prof/mine\.profile:4$' \
                "$who: ... at prof/mine.profile line 4, relative to the repository's root"
        assert_match "$(sarif_fingerprints "$out/r.sarif")" 'syscall/ptrace [0-9a-f]{16} \.github/workflows/ci\.yml:$' \
                "$who: ... and the embedded profile's at the workflow that ran it"
        validate "$out/r.sarif"
        assert_eq 0 "$V_STATUS" "$who: in a repository: SARIF validates ($V_ERR)"
        # A profile file outside the repository (an installed or system
        # one): its results sit at the workflow too, never at its path.
        printf '[Profile]\nInclude=default\n[Syscalls]\nDeny=getppid\n' >"$tmp/shared/outside-$who.profile"
        chmod 644 "$tmp/shared/outside-$who.profile"
        (cd "$out" && LPX_ENV="GITHUB_WORKFLOW_REF=o/r/.github/workflows/ci.yml@refs/heads/main" \
                lpx "$who" run -p "$tmp/shared/outside-$who.profile" --sarif "$out/o.sarif" -- \
                /bin/sh -c "exit 0")
        assert_match "$(sarif_fingerprints "$out/o.sarif")" 'syscall/getppid [0-9a-f]{16} \.github/workflows/ci\.yml:$' \
                "$who: a profile outside the repository: its results at the workflow"

        for d in level version ruleIndex; do
                broken "$out/f.sarif" "$tmp/broken-$who-$d.sarif" $d
                validate "$tmp/broken-$who-$d.sarif"
                assert_eq 1 "$V_STATUS" "$who: a SARIF copy with a bad $d is rejected (${V_ERR:0:160})"
        done

        # No findings: still a valid log, and an empty JSONL file.
        rm -f "$out/f.jsonl" "$out/f.sarif"
        lpx "$who" run --findings "$out/f.jsonl" --sarif "$out/f.sarif" -- "$PROBE" exit 0
        assert_status 0 "$who: no findings: exit 0"
        assert_eq "0" "$(wc -c <"$out/f.jsonl" 2>&1)" "$who: no findings: empty JSONL file"
        validate "$out/f.sarif"
        assert_eq 0 "$V_STATUS" "$who: no findings: SARIF validates ($V_ERR)"

        # Unwritable report paths: 125 and a message naming the path.
        local ran=$tmp/shared/ran-$who
        for d in findings sarif; do
                rm -f "$ran"
                lpx "$who" run --$d "$tmp/shared/no-such-dir/out.$d" -- "$PROBE" write-file "$ran"
                assert_status 125 "$who: --$d into a missing directory"
                assert_contains "$LP_ERR" "$tmp/shared/no-such-dir/out.$d" "$who: --$d: the message names the path"
                [ -e "$ran" ] && note "$who: --$d unwritable: the command ran before leastpriv gave up"
        done
        if [ "$who" = nobody ]; then
                # A directory uid 65534 cannot write to ($tmp is root's, 0755).
                lpx "$who" run --findings "$tmp/out.jsonl" -- "$PROBE" exit 0
                assert_status 125 "$who: --findings in a directory it cannot write"
                assert_contains "$LP_ERR" "--findings $tmp/out.jsonl: cannot write the findings: Permission denied; name a path the caller may write" "$who: ... with a message and what to do"
        fi
}

sarif_checks root

lp_require_nobody_access
why=$(lp_userns_disabled_reason)
[ -z "$why" ] || skip "root checks done; uid 65534 needs user namespaces: $why"
sarif_checks nobody
