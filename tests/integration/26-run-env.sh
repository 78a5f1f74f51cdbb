#!/usr/bin/env bash
# [Environment]: CI secrets withheld by default (and reported, never
# printed), Pass= lets one through by name, Set= sets one, Clear=yes starts
# from nothing.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

SECRET=lp-itest-secret-value-8d1c
export GITHUB_TOKEN=$SECRET AWS_SECRET_ACCESS_KEY=$SECRET MY_API_KEY=$SECRET
export SSH_AUTH_SOCK=/tmp/lp-itest-agent.sock
export LP_ITEST_PLAIN=plain-value

run_lp run --findings "$tmp/env.jsonl" -- "$PROBE" getenv GITHUB_TOKEN
assert_eq "getenv: unset" "$LP_OUT" "GITHUB_TOKEN withheld"
assert_status 1 "... probe getenv exits 1 for unset"
for v in AWS_SECRET_ACCESS_KEY MY_API_KEY SSH_AUTH_SOCK; do
        run_lp run -- "$PROBE" getenv $v
        assert_eq "getenv: unset" "$LP_OUT" "$v withheld"
done
run_lp run -- "$PROBE" getenv LP_ITEST_PLAIN
assert_eq "getenv: plain-value" "$LP_OUT" "an ordinary variable passes"
run_lp run -- "$PROBE" getenv PATH
assert_eq "getenv: $PATH" "$LP_OUT" "PATH passes unchanged"

run_lp run --findings "$tmp/env.jsonl" -- /usr/bin/env
assert_not_contains "$LP_OUT" "$SECRET" "no secret value anywhere in the command's environment"
assert_not_contains "$LP_ERR" "$SECRET" "no secret value in leastpriv's stderr"
findings=$(cat "$tmp/env.jsonl" 2>/dev/null)
assert_not_contains "$findings" "$SECRET" "no secret value in the findings file"
assert_match "$findings" '"kind": *"environment".*GITHUB_TOKEN|GITHUB_TOKEN.*"kind": *"environment"' \
        "GITHUB_TOKEN reported as an environment finding"
assert_match "$(grep GITHUB_TOKEN <<<"$findings")" '"action": *"withheld"' "... with action withheld"

pass_p=$(profile pass <<'P'
[Profile]
Include=default
[Environment]
Pass=GITHUB_TOKEN
Set=LP_ITEST_SET=set-value
Set=LP_ITEST_PLAIN=overridden
P
)
run_lp run -p "$pass_p" -- "$PROBE" getenv GITHUB_TOKEN
assert_eq "getenv: $SECRET" "$LP_OUT" "Pass=GITHUB_TOKEN lets it through"
run_lp run -p "$pass_p" -- "$PROBE" getenv AWS_SECRET_ACCESS_KEY
assert_eq "getenv: unset" "$LP_OUT" "... and nothing else withheld"
run_lp run -p "$pass_p" -- "$PROBE" getenv LP_ITEST_SET
assert_eq "getenv: set-value" "$LP_OUT" "Set=LP_ITEST_SET=set-value"
run_lp run -p "$pass_p" -- "$PROBE" getenv LP_ITEST_PLAIN
assert_eq "getenv: overridden" "$LP_OUT" "Set= overrides an inherited value"
run_lp run -p "$pass_p" -- /usr/bin/env
assert_eq 1 "$(grep -c '^LP_ITEST_PLAIN=' <<<"$LP_OUT")" "Set= leaves exactly one LP_ITEST_PLAIN"

clear_p=$(profile clear <<'P'
[Profile]
Include=default
[Environment]
Clear=yes
Set=LP_ITEST_ONLY=only PATH=/usr/bin:/bin
P
)
run_lp run -p "$clear_p" -- /usr/bin/env
assert_status 0 "Clear=yes: env runs"
assert_eq "LP_ITEST_ONLY=only
PATH=/usr/bin:/bin" "$(sort <<<"$LP_OUT")" "Clear=yes: exactly the Set= variables"

run_lp run -p strict -- "$PROBE" getenv LP_ITEST_PLAIN
assert_eq "getenv: unset" "$LP_OUT" "strict: the caller's variables are gone"
run_lp run -p strict -- "$PROBE" getenv TZ
assert_eq "getenv: UTC" "$LP_OUT" "strict: Set=TZ=UTC"
run_lp run -p strict -- "$PROBE" getenv GITHUB_TOKEN
assert_eq "getenv: unset" "$LP_OUT" "strict: GITHUB_TOKEN unset"

if [ "$(id -u)" = 0 ] && unpriv test -x "$LEASTPRIV" 2>/dev/null && [ -z "$(lp_userns_disabled_reason)" ]; then
        run_lp_nobody run -- "$PROBE" getenv GITHUB_TOKEN
        assert_eq "getenv: unset" "$LP_OUT" "nobody: GITHUB_TOKEN withheld"
        run_lp_nobody run -p "$pass_p" -- "$PROBE" getenv GITHUB_TOKEN
        assert_eq "getenv: $SECRET" "$LP_OUT" "nobody: Pass=GITHUB_TOKEN"
fi
