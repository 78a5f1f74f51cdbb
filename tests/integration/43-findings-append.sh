#!/usr/bin/env bash
# Findings of many runs in one place (README, "Findings"): 8 concurrent
# `run --append` into one JSON Lines file and one SARIF log lose no
# occurrence and leave no torn file; each finding names its test; a file
# that is no leastpriv SARIF log is refused and left as it was.
source "$(dirname "$0")/lib.sh"
lp_require_root

runs=8
threads=2
per_thread=500
per_run=$((threads * per_thread))
dir=$tmp/append
mkdir -p "$dir"
f=$dir/lp.jsonl
s=$dir/lp.sarif

# sums FILE.jsonl FILE.sarif: "JSONL-SUM SARIF-SUM JSONL-LINES RESULTS"
# then, per test name, "NAME JSONL-LINES SARIF-RESULTS" (sorted); what
# cannot be read is said instead.
sums() {
        /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
from collections import Counter
lines = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
log = json.load(open(sys.argv[2], encoding="utf-8"))
results = log["runs"][0]["results"]
print(sum(l["count"] for l in lines), sum(r["properties"]["count"] for r in results),
      len(lines), len(results))
by_line = Counter(l["test"] for l in lines)
by_result = Counter(t for r in results for t in r["properties"]["test"])
for name in sorted(set(by_line) | set(by_result)):
    print(name, by_line[name], by_result[name])
PY
}

# ---- 8 runs at once: every occurrence counted, once ------------------------
# Even runs call ptrace, odd ones mount: the SARIF log gets a result (and a
# rule) from its first run of each, and counts the others into it.
torn=0
for i in $(seq 0 $((runs - 1))); do
        call=ptrace
        [ $((i % 2)) -eq 1 ] && call=mount
        (cd "$dir" && "$LEASTPRIV" run -q --append --findings "$f" --sarif "$s" \
                --test-name "t$i" -- "$PROBE" storm "$threads" "$per_thread" "$call" \
                >"$dir/out$i" 2>&1; echo $? >"$dir/status$i") &
done
# While they run, every version of the SARIF log that appears is whole.
while [ -n "$(jobs -rp)" ]; do
        if [ -e "$s" ] && ! /usr/bin/python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \
                "$s" 2>/dev/null; then
                torn=$((torn + 1))
        fi
done
wait
for i in $(seq 0 $((runs - 1))); do
        assert_eq 0 "$(cat "$dir/status$i")" "run t$i exits 0"
        assert_contains "$(cat "$dir/out$i")" "attempts=$per_run expected=$per_run errno=EPERM" \
                "run t$i: the probe's own count"
done
assert_eq 0 "$torn" "no reader saw a torn SARIF log"
summary=$(sums "$f" "$s" 2>&1)
expected="$((runs * per_run)) $((runs * per_run)) $runs 2"
for i in $(seq 0 $((runs - 1))); do
        expected+=$'\n'"t$i 1 1"
done
assert_eq "$expected" "$summary" \
        "JSONL and SARIF sums are $runs x $per_run exactly; 8 lines, 2 results; every test named once"
results=$(/usr/bin/python3 -c '
import json, sys
for r in sorted(json.load(open(sys.argv[1]))["runs"][0]["results"], key=lambda r: r["ruleId"]):
    print(r["ruleId"], r["properties"]["count"], ",".join(r["properties"]["test"]))' "$s")
# In rule order: which run comes first is the scheduler's choice.
assert_eq "syscall/mount $((runs / 2 * per_run)) t1,t3,t5,t7
syscall/ptrace $((runs / 2 * per_run)) t0,t2,t4,t6" "$results" \
        "each SARIF result sums its runs' counts and lists their tests, sorted"
assert_contains "$(cat "$s")" "denied (EPERM) $((runs / 2 * per_run)) times" \
        "the merged message says the sum"
capture /usr/bin/python3 "$LP_SOURCE/tests/tools/validate-sarif.py" "$s"
if [ "$LP_STATUS" -eq 77 ]; then
        note "python3-jsonschema missing: the merged log is not checked against the schema"
else
        assert_status 0 "the merged SARIF log validates against the SARIF 2.1.0 schema"
fi
assert_eq "lp.jsonl lp.sarif" "$(cd "$dir" && ls | grep -v -e '^out' -e '^status' | tr '\n' ' ' |
        sed 's/ $//')" "no temporary or lock file left behind"

# ---- the test's name from the environment; none is null --------------------
e=$dir/env.jsonl
(cd "$dir" && LEASTPRIV_TEST_NAME=from-env "$LEASTPRIV" run -q --append --findings "$e" \
        -- "$PROBE" storm 1 3 ptrace >/dev/null 2>&1)
(cd "$dir" && LEASTPRIV_TEST_NAME=from-env "$LEASTPRIV" run -q --append --findings "$e" \
        --test-name given -- "$PROBE" storm 1 3 ptrace >/dev/null 2>&1)
(cd "$dir" && "$LEASTPRIV" run -q --append --findings "$e" \
        -- "$PROBE" storm 1 3 ptrace >/dev/null 2>&1)
tests=$(/usr/bin/python3 -c '
import json, sys
print(" ".join(str(json.loads(l)["test"]) for l in open(sys.argv[1])))' "$e")
assert_eq "from-env given None" "$tests" \
        "LEASTPRIV_TEST_NAME names the test, --test-name wins, neither is null"

# ---- without --append, the file is replaced as before ----------------------
run_lp run -q --findings "$e" --sarif "$dir/one.sarif" -- "$PROBE" storm 1 3 ptrace
assert_status 0 "a run without --append"
assert_eq 1 "$(wc -l <"$e")" "without --append the JSONL file holds this run only"

# ---- what is not a leastpriv SARIF log is refused, left as it was -----------
for content in 'not json at all' \
        '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"other","rules":[]}},"results":[]}]}'; do
        printf '%s\n' "$content" >"$dir/other.sarif"
        before=$(md5sum <"$dir/other.sarif")
        run_lp run -q --append --sarif "$dir/other.sarif" -- "$PROBE" storm 1 3 ptrace
        assert_eq 125 "$LP_STATUS" "--append to a file that is no leastpriv log: exit 125"
        assert_contains "$LP_ERR" "--sarif $dir/other.sarif --append: cannot add to it: it" "... naming the file"
        assert_contains "$LP_ERR" "drop --append to replace it" "... and what to do"
        assert_eq "$before" "$(md5sum <"$dir/other.sarif")" "... and leaving it byte-identical"
done

# ---- --append alone is a usage error ---------------------------------------
run_lp run --append -- true
assert_eq 125 "$LP_STATUS" "--append without --findings or --sarif: exit 125"
assert_contains "$LP_ERR" "--append needs --findings or --sarif" "... saying so"

# ---- learn --append: its findings added too -------------------------------
l=$dir/learn.jsonl
for name in l1 l2; do
        (cd "$dir" && "$LEASTPRIV" learn -o "$dir/$name.profile" --append --findings "$l" \
                --test-name "$name" -- "$PROBE" storm 1 3 ptrace >/dev/null 2>&1)
done
assert_eq "l1 l2" "$(/usr/bin/python3 -c '
import json, sys
print(" ".join(sorted({json.loads(l)["test"] for l in open(sys.argv[1])})))' "$l")" \
        "learn --append keeps both runs' findings, each with its test"
