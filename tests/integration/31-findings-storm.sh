#!/usr/bin/env bash
# shellcheck disable=SC2154 # F_* are set by fget (eval)
# Findings under load (docs/architecture.md, "Findings"): a storm of a million denied calls from
# four threads is one finding with count 1000000 in each report (the text
# summary, the JSONL, the SARIF), not one lost or counted twice, two processes whose
# targets differ only in a pid are one finding, and 10000 distinct targets
# keep memory bounded (at most 4096 stored) while every occurrence is still
# accounted for: stored + "... and D more findings (F occurrences) not
# listed" in the summary add up to exactly 10000.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

source "$(dirname "$0")/findings-lib.sh"

cd "$tmp/shared" || fatal "cd $tmp/shared"
E='<embedded>'
L_debug=$(profile_line default.profile '^Deny=.*@debug')
L_mount=$(profile_line default.profile '^Deny=.*@mount')

# sum_counts FILE: "LINES SUM_OF_COUNTS DISTINCT_TARGETS BAD", BAD being the
# number of lines that are not a count-1 mount finding.
sum_counts() {
        /usr/bin/python3 - "$1" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
objs = [json.loads(l) for l in lines]
# The folded line (last) stands for the findings that did not fit.
folded = [o for o in objs if o["target"].endswith("folded: not listed one by one)")]
listed = [o for o in objs if o not in folded]
bad = sum(1 for o in listed if (o["kind"], o["operation"], o["count"]) != ("syscall", "mount", 1))
print(len(listed), sum(o["count"] for o in objs), len({o["target"] for o in listed}), bad,
      len(folded), folded[0]["target"] if folded else "-")
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
        local n_lines n_sum n_targets n_bad n_folded folded_target folded_line d_more f_more t0 ms

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
        lpx "$who" run --findings "$f" -- "$PROBE" distinct 10000
        assert_status 0 "$who: distinct: every mount got EPERM"
        assert_contains "$LP_OUT" "distinct: attempts=10000 denied=10000" "$who: distinct: the probe's own count"
        fget "$f" syscall mount
        assert_eq ok "$F_keys" "$who: distinct: JSONL lines parse, keys exactly and in order"
        assert_eq "$E/default.profile:$L_mount [Syscalls] Deny=@mount" "$F_rule" "$who: distinct: rule"
        read -r n_lines n_sum n_targets n_bad n_folded folded_target <<<"$(sum_counts "$f")"
        # Every occurrence is in the JSONL: the listed ones and the folded
        # line of the rest together.
        assert_eq 10000 "$n_sum" "$who: distinct: the JSONL's counts add up to every occurrence"
        LP_CHECKS=$((LP_CHECKS + 1))
        if [ "${n_lines:-0}" -ge 1 ] && [ "$n_lines" -le 4096 ]; then
                pass "$who: distinct: 1..4096 findings stored ($n_lines)"
        else
                fail "$who: distinct: expected 1..4096 JSONL lines, got '${n_lines:-?}'"
        fi
        assert_eq "$n_lines" "$n_targets" "$who: distinct: each stored line a distinct target"
        assert_eq 0 "$n_bad" "$who: distinct: lines that are not a count-1 mount finding"
        assert_contains "$LP_ERR" "leastpriv: 10000 findings (10000 occurrences)" \
                "$who: distinct: summary total"
        folded_line=$(grep -E '^leastpriv: +\.\.\. and [0-9]+ more findings? \([0-9]+ occurrences?\) not listed' <<<"$LP_ERR")
        if [ "$n_lines" -lt 10000 ]; then
                d_more=$(sed -nE 's/.*\.\.\. and ([0-9]+) more findings? \(([0-9]+) occurrences?\).*/\1/p' <<<"$folded_line")
                f_more=$(sed -nE 's/.*\.\.\. and ([0-9]+) more findings? \(([0-9]+) occurrences?\).*/\2/p' <<<"$folded_line")
                assert_ne "" "$d_more" "$who: distinct: summary has the '... and D more findings (F occurrences) not listed' line"
                assert_eq 10000 "$((n_lines + ${d_more:-0}))" "$who: distinct: stored + folded findings"
                assert_eq 1 "$n_folded" "$who: distinct: one folded line in the JSONL"
                assert_re "$folded_target" "^\\($((10000 - n_lines)) more distinct findings, folded" \
                        "$who: distinct: the folded line says how many it stands for"
        fi
        # The summary lists exactly the stored ones.
        assert_eq "$n_lines" "$(grep -c '^leastpriv:   denied   syscall mount(' <<<"$LP_ERR")" \
                "$who: distinct: summary lines = JSONL lines"
}

storm_checks root

lp_require_nobody_access
why=$(lp_userns_disabled_reason)
[ -z "$why" ] || skip "root checks done; uid 65534 needs user namespaces: $why"
storm_checks nobody
