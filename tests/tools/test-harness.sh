#!/usr/bin/env bash
# The test harness must not be able to hide a failure: each scenario below
# is a small test script that sources tests/integration/lib.sh (the one
# given, or this tree's), and its exit status must be exactly the one
# CTest has to see. A failure wins over a skip, over a fatal and over
# every other ending; a skip alone is 77 (SKIP_RETURN_CODE); a test that
# passes is 0; one that checks nothing is no pass.
#
#     test-harness.sh [LIB_SH]
set -uo pipefail
lib=${1:-$(cd "$(dirname "$0")/../integration" && pwd)/lib.sh}
[ -r "$lib" ] || { echo "no lib.sh at '$lib'" >&2; exit 2; }
work=$(mktemp -d /tmp/lp-harness.XXXXXX) || exit 2
trap 'rm -rf -- "$work"' EXIT
# lib.sh copies the helper programs from here when they exist: none do.
mkdir "$work/helpers"
failed=0
ran=0

# scenario NAME EXPECTED_STATUS <<'EOF' ... EOF: the script body, run
# after `source lib.sh`.
scenario() {
        local name=$1 want=$2 got
        {
                echo 'set -uo pipefail'
                echo "source '$lib'"
                cat
        } >"$work/$name.sh"
        LP_HELPERS=$work/helpers LP_SOURCE=$work LEASTPRIV=/bin/true \
                bash "$work/$name.sh" >"$work/$name.out" 2>&1 </dev/null
        got=$?
        ran=$((ran + 1))
        if [ "$got" = "$want" ]; then
                echo "ok: $name: exit $got"
        else
                failed=$((failed + 1))
                echo "FAIL: $name: expected exit $want, got $got; its output:"
                sed 's/^/    /' "$work/$name.out"
        fi
}

scenario pass 0 <<'EOF'
assert_eq 1 1 "one equals one"
EOF

scenario skip-alone 77 <<'EOF'
skip "nothing to do here"
EOF

scenario pass-then-skip 77 <<'EOF'
assert_eq 1 1 "the root half"
skip "the uid 65534 half cannot run here"
EOF

# The shape of about a dozen tests: root checks, then the uid 65534 half
# skips for want of user namespaces.
scenario fail-then-skip 1 <<'EOF'
assert_eq 1 2 "the root half"
skip "the uid 65534 half cannot run here"
EOF

scenario fail-then-pass 1 <<'EOF'
assert_eq 1 2 "first"
assert_eq 1 1 "second"
EOF

scenario fatal 1 <<'EOF'
fatal "the server did not start"
EOF

scenario fail-then-fatal 1 <<'EOF'
assert_eq 1 2 "first"
fatal "then a fatal"
EOF

scenario fail-then-exit-0 1 <<'EOF'
assert_eq 1 2 "first"
exit 0
EOF

# A failure in a subshell does not reach the test's own counter.
scenario fail-in-command-substitution 1 <<'EOF'
value=$(assert_eq 1 2 "inside \$(...)"; echo 5)
assert_eq 5 "$value" "the value"
EOF

scenario fatal-in-command-substitution 1 <<'EOF'
value=$(fatal "cannot compute it"; echo 5)
assert_eq "" "$value" "the value"
EOF

scenario fail-in-pipeline-loop 1 <<'EOF'
printf '1\n2\n' | while read -r n; do assert_eq 1 "$n" "line $n"; done
assert_eq 1 1 "after the loop"
EOF

scenario fail-in-cleanup 1 <<'EOF'
lp_cleanup() { fail "something was left behind"; }
assert_eq 1 1 "the test"
EOF

# 77 is a skip only when skip says so.
scenario stray-77 1 <<'EOF'
assert_eq 1 1 "one check"
(exit 77)
EOF

scenario nonzero-end 3 <<'EOF'
assert_eq 1 1 "one check"
(exit 3)
EOF

scenario unbound-variable 1 <<'EOF'
assert_eq 1 1 "one check"
echo "$no_such_variable"
EOF

scenario no-check 1 <<'EOF'
note "this test forgot to check anything"
EOF

# The temporary directory goes, whatever the outcome.
scenario tmp-removed 0 <<'EOF'
echo "$tmp" >"$LP_SOURCE/tmp-of-tmp-removed"
assert_eq 1 1 "one check"
EOF
left=$(cat "$work/tmp-of-tmp-removed" 2>/dev/null)
ran=$((ran + 1))
if [ -n "$left" ] && [ ! -e "$left" ]; then
        echo "ok: tmp-removed: $left is gone"
else
        failed=$((failed + 1))
        echo "FAIL: tmp-removed: '$left' is still there (or was never named)"
fi

if [ "$failed" -gt 0 ]; then
        echo "test-harness: $failed of $ran checks failed" >&2
        exit 1
fi
echo "test-harness: all $ran checks passed"
