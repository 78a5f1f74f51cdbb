#!/usr/bin/env bash
# The GitHub Action (action.yml): its steps run here as the runner would
# run them (tests/tools/run-action.py: inputs, `if:`, env, shell), with
# install=false and this build's leastpriv on PATH. In a repository with
# a workflow file and GITHUB_WORKFLOW_REF set: a command that reaches for
# a privilege fails the step (--fail-on-findings) and leaves a SARIF log
# that validates, with the embedded profile's result at the workflow; with
# fail-on-findings=false the step passes and the log is still there; a
# clean command passes although a CI token was withheld. As root and as
# uid 65534 (sudo=false).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
lp_require_root
lp_require_binaries
lp_require_nobody_access
/usr/bin/python3 -c 'import yaml' 2>/dev/null || fatal "python3-yaml is not installed (tools/setup.sh)"

RUN_ACTION=$LP_SOURCE/tests/tools/run-action.py
SCHEMA=$LP_SOURCE/tests/schemas/sarif-schema-2.1.0.json
bin=$tmp/shared/lpbin
mkdir -m 755 "$bin"
cp "$LEASTPRIV" "$bin/leastpriv"

# action WHO REPO INPUTS...: the action's steps as WHO in REPO.
action() {
        local who=$1 repo=$2
        shift 2
        local as=()
        [ "$who" = nobody ] && as=(setpriv --reuid=$NOBODY_UID --regid=$NOBODY_GID --clear-groups --)
        capture "${as[@]}" env -C "$repo" PATH="$bin:/usr/sbin:/usr/bin:/sbin:/bin" \
                GITHUB_TOKEN=ghs_x GITHUB_WORKFLOW_REF=o/r/.github/workflows/ci.yml@refs/heads/main \
                /usr/bin/python3 "$RUN_ACTION" "$LP_SOURCE/action.yml" install=false "$@"
}

# sarif_at FILE: "RULE URI" of each result, sorted.
sarif_at() {
        /usr/bin/python3 - "$1" <<'PY'
import json, sys
for r in sorted(json.load(open(sys.argv[1]))["runs"][0]["results"], key=lambda r: r["ruleId"]):
    locs = r.get("locations", [])
    print(r["ruleId"], locs[0]["physicalLocation"]["artifactLocation"]["uri"] if locs else "-")
PY
}

check_user() {
        local who=$1 repo=$tmp/shared/repo-$1
        mkdir -p "$repo/.git" "$repo/.github/workflows"
        touch "$repo/.github/workflows/ci.yml"
        cp "$PROBE" "$repo/probe"
        chmod -R a+rwX "$repo"

        action "$who" "$repo" sudo=false command='./probe ptrace-traceme; exit 0'
        assert_status 1 "$who: a command that reaches for a privilege fails the step"
        assert_eq "ptrace-traceme: EPERM" "$LP_OUT" "$who: ... and was refused"
        V=$(/usr/bin/python3 "$LP_SOURCE/tests/tools/validate-sarif.py" "$repo/leastpriv.sarif" "$SCHEMA" 2>&1)
        assert_eq 0 "$?" "$who: leastpriv.sarif validates ($V)"
        assert_eq $'environment/GITHUB_TOKEN .github/workflows/ci.yml\nsyscall/ptrace .github/workflows/ci.yml' \
                "$(sarif_at "$repo/leastpriv.sarif")" \
                "$who: the embedded profile's results sit at the workflow"
        expect_finding "$who: the JSONL" "$repo/leastpriv.jsonl" syscall ptrace action=denied count=1

        rm -f "$repo/leastpriv.sarif"
        action "$who" "$repo" sudo=false fail-on-findings=false sarif=out.sarif \
                command='./probe ptrace-traceme; exit 0'
        assert_status 0 "$who: fail-on-findings=false: the step passes"
        assert_eq "syscall/ptrace .github/workflows/ci.yml" \
                "$(sarif_at "$repo/out.sarif" | grep ptrace)" "$who: ... and the log is written where asked"

        action "$who" "$repo" sudo=false command='echo clean'
        assert_status 0 "$who: a clean command passes (the withheld token does not gate)"
        assert_eq clean "$LP_OUT" "$who: ... and ran"

        action "$who" "$repo" sudo=false
        assert_status 2 "$who: the required command input is checked"
}

check_user root
if [ -n "$(lp_userns_disabled_reason)" ]; then
        note "uid 65534 half not run: unprivileged user namespaces are off"
else
        check_user nobody
fi
