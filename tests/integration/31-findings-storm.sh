#!/usr/bin/env bash
# shellcheck disable=SC2154 # F_* are set by fget (eval)
# Findings under load (docs/architecture.md, "Findings"): a storm of a million denied calls from
# four threads is one finding with count 1000000 in each report (the text
# summary, the JSONL, the SARIF), not one lost or counted twice, two processes whose
# targets differ only in a pid are one finding, and 10000 distinct targets
# keep memory bounded while every occurrence is still accounted for: the
# store keeps the first 4096 (its bound, MAX_DISTINCT_FINDINGS), each
# counted once, and folds the other 5904 into one line of count 5904; the
# summary lists the 4096 and says "... and 5904 more findings (5904
# occurrences) not listed".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

source "$(dirname "$0")/findings-lib.sh"

cd "$tmp/shared" || fatal "cd $tmp/shared"
E='<embedded>'
L_debug=$(profile_line default.profile '^Deny=.*@debug')
L_mount=$(profile_line default.profile '^Deny=.*@mount')

# The store's bound (sandbox/main.c): the numbers below follow from it.
STORED=4096
DISTINCT=10000
FOLDED=$((DISTINCT - STORED))
grep -qx "#define MAX_DISTINCT_FINDINGS $STORED" "$LP_SOURCE/sandbox/main.c" ||
        fatal "sandbox/main.c no longer bounds the store at $STORED findings: update this test"

# distinct_summary FILE: what the JSONL of the distinct run holds, as
# "LISTED LISTED_COUNTS DISTINCT_TARGETS FIRST_PATH LAST_PATH NOT_MOUNT
# FOLDED_LINES FOLDED_COUNT FOLDED_TARGET": the listed (stored) findings,
# the sum of their counts, how many distinct targets they have, the
# probe's path number in the first and in the last one, the listed lines
# that are not a denied mount, the folded lines, their count, and the
# target of the folded line (JSON, last: it has spaces).
distinct_summary() {
        /usr/bin/python3 - "$1" <<'PY'
import json, re, sys
objs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8").read().splitlines()]
# The folded line (last) stands for the findings that did not fit.
folded = [o for o in objs if o["target"].endswith("folded: not listed one by one)")]
listed = [o for o in objs if o not in folded]
def path_number(o):
    m = re.search(r"/nonexistent/leastpriv-distinct/(\d+)\"", o["target"])
    return m.group(1) if m else "-"
not_mount = sum(1 for o in listed if (o["kind"], o["operation"], o["action"]) != ("syscall", "mount", "denied"))
print(len(listed), sum(o["count"] for o in listed), len({o["target"] for o in listed}),
      path_number(listed[0]) if listed else "-", path_number(listed[-1]) if listed else "-",
      not_mount, len(folded), sum(o["count"] for o in folded),
      json.dumps(folded[0]["target"] if folded else "-"))
PY
}

# sarif_results FILE: "RESULTS RULE_ID LEVEL COUNT FOLDED" of a SARIF log:
# how many results, the first one's rule, level and properties.count, and
# the run's foldedOccurrences ("-" when absent).
sarif_results() {
        /usr/bin/python3 - "$1" <<'PY'
import json, sys
run = json.load(open(sys.argv[1], encoding="utf-8"))["runs"][0]
results = run["results"]
first = results[0] if results else {}
print(len(results), first.get("ruleId", "-"), first.get("level", "-"),
      first.get("properties", {}).get("count", "-"),
      run.get("properties", {}).get("foldedOccurrences", "-"))
PY
}

storm_checks() {
        local who=$1 f=$tmp/shared/storm-$1.jsonl s=$tmp/shared/storm-$1.sarif
        local n_listed n_listed_sum n_targets first last n_other n_folded n_folded_sum folded_target
        local t0 ms

        # -- one storm, one finding -------------------------------------------
        rm -f "$f" "$s"
        t0=$(date +%s%N)
        LP_GUARD=240 lpx "$who" run --findings "$f" --sarif "$s" -- "$PROBE" storm 4 250000 ptrace
        ms=$((($(date +%s%N) - t0) / 1000000))
        assert_status 0 "$who: storm: every one of the calls got EPERM"
        assert_contains "$LP_OUT" "storm: attempts=1000000 expected=1000000 errno=EPERM" \
                "$who: storm: the probe's own count"
        expect_finding "$who: storm" "$f" syscall ptrace \
                "target~^ptrace\(" action=denied errno=EPERM count=1000000 exe="$PROBE" \
                rule="$E/default.profile:$L_debug [Syscalls] Deny=@debug" \
                fix='[Syscalls] Allow=ptrace'
        assert_eq 1 "$F_lines" "$who: storm: a single JSONL line"
        assert_contains "$LP_ERR" "leastpriv: 1 finding (1000000 occurrences)" "$who: storm: summary"
        assert_match "$LP_ERR" ' x1000000( |$)' "$who: storm: summary line count"
        assert_eq "1 syscall/ptrace error 1000000 -" "$(sarif_results "$s")" \
                "$who: storm: one SARIF result, its count, nothing folded"
        note "$who: storm took $ms ms ($((1000000000 / (ms > 0 ? ms : 1))) denied calls/s)"

        # -- the same call from two processes: the pid in the target does not
        # make it a second finding ----------------------------------------------
        rm -f "$f"
        lpx "$who" run --findings "$f" -- /bin/sh -c \
                "'$PROBE' storm 2 1000 ptrace & '$PROBE' storm 2 1000 ptrace; wait \$!"
        assert_status 0 "$who: two storming processes"
        expect_finding "$who: two processes" "$f" syscall ptrace count=4000 action=denied
        assert_eq 1 "$F_lines" "$who: two processes: a single JSONL line"

        # -- 10000 distinct targets: bounded, nothing lost -------------------------
        rm -f "$f"
        lpx "$who" run --findings "$f" -- "$PROBE" distinct $DISTINCT
        assert_status 0 "$who: distinct: every mount got EPERM"
        assert_contains "$LP_OUT" "distinct: attempts=$DISTINCT denied=$DISTINCT" "$who: distinct: the probe's own count"
        fget "$f" syscall mount
        assert_eq ok "$F_keys" "$who: distinct: JSONL lines parse, keys exactly and in order"
        assert_eq "$E/default.profile:$L_mount [Syscalls] Deny=@mount" "$F_rule" "$who: distinct: rule"
        read -r n_listed n_listed_sum n_targets first last n_other n_folded n_folded_sum folded_target \
                <<<"$(distinct_summary "$f")"
        # The first STORED distinct mounts are stored, in order, once each.
        assert_eq $STORED "$n_listed" "$who: distinct: findings stored (the store's bound)"
        assert_eq $STORED "$n_listed_sum" "$who: distinct: their counts, 1 each"
        assert_eq $STORED "$n_targets" "$who: distinct: each stored line a distinct target"
        assert_eq 0 "$first" "$who: distinct: the first stored is the probe's first mount"
        assert_eq $((STORED - 1)) "$last" "$who: distinct: the last stored is mount number $((STORED - 1))"
        assert_eq 0 "$n_other" "$who: distinct: stored lines that are not a denied mount"
        # The rest: one folded line that counts each of them.
        assert_eq 1 "$n_folded" "$who: distinct: one folded line in the JSONL"
        assert_eq $FOLDED "$n_folded_sum" "$who: distinct: the folded line's count"
        assert_eq "\"($FOLDED more distinct findings, folded: not listed one by one)\"" \
                "$folded_target" "$who: distinct: the folded line says how many it stands for"
        assert_eq $((STORED + 1)) "$(wc -l <"$f")" "$who: distinct: JSONL lines (stored + folded)"
        # The summary: the total, each stored one, then the folded ones.
        assert_contains "$LP_ERR" "leastpriv: $DISTINCT findings ($DISTINCT occurrences)" \
                "$who: distinct: summary total"
        assert_eq $STORED "$(grep -c '^leastpriv:   denied   syscall mount(' <<<"$LP_ERR")" \
                "$who: distinct: summary lines of stored findings"
        assert_eq 1 "$(grep -c "^leastpriv:   \.\.\. and $FOLDED more findings ($FOLDED occurrences) not listed: too many distinct findings to keep each one\$" <<<"$LP_ERR")" \
                "$who: distinct: summary line of the folded ones"
}

storm_checks root

lp_require_nobody_access
why=$(lp_userns_disabled_reason)
[ -z "$why" ] || skip "root checks done; uid 65534 needs user namespaces: $why"
storm_checks nobody
