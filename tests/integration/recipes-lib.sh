# shellcheck shell=bash disable=SC2154
# Helpers shared by the 6N-recipe-*.sh tests, each of which runs a tiny
# project of one ecosystem through that ecosystem's own test runner, wrapped
# in leastpriv the way README's "What it is for" says. Sourced after lib.sh
# and findings-lib.sh.
#
# Every tiny test does the same two things: it listens on 127.0.0.1 and
# connects to itself (which must work in the run's own network namespace),
# then makes one call the default profile refuses and reports. It writes
# one line to the file `marker` in its working directory (the workspace the
# sandbox leaves writable):
#
#     netns=net:[4026532252] nnp=1 setpriority=EACCES
#
# its network namespace, its NoNewPrivs and what the refused call returned:
# a test that ran bare shows the host's namespace and nnp=0.

# The system's toolchains, as tools/setup.sh installs them (Debian's
# packages): a toolchain under $HOME (rustup's, nvm's) looks for its own
# files in the HOME these tests replace.
RECIPE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH=$RECIPE_PATH
HOST_NETNS=$(readlink /proc/self/ns/net)

# recipe_require TOOL PACKAGE: skips the test, naming the Debian package,
# when TOOL is not in the system PATH.
recipe_require() {
        command -v "$1" >/dev/null ||
                skip "no $1 in $RECIPE_PATH (Debian package $2; tools/setup.sh installs it)"
}

# recipe_project NAME: makes the project directory $tmp/NAME, RECIPE_DIR,
# and goes there: commands that capture runs start in it, so it is the
# workspace of each run. Its home (HOME, and the caches under it) is in it
# too: nothing of the host's is read or written, and a runner that runs
# inside the sandbox can write its caches and logs.
recipe_project() {
        RECIPE_DIR=$tmp/$1
        RECIPE_HOME=$RECIPE_DIR/.home
        mkdir -p "$RECIPE_HOME/.cache"
        cd "$RECIPE_DIR" || fatal "cd $RECIPE_DIR"
        # Only these reach the runner, and through it leastpriv and the
        # tests: no variable of the CI's (no secret to withhold, so the
        # findings file holds only what the test did).
        RECIPE_ENV=(PATH="$RECIPE_PATH" HOME="$RECIPE_HOME" XDG_CACHE_HOME="$RECIPE_HOME/.cache"
                LANG=C.UTF-8 "$(lp_cache_env root)")
}

# recipe_run CMD...: capture CMD with only RECIPE_ENV in its environment.
recipe_run() {
        capture env -i "${RECIPE_ENV[@]}" "$@"
}

# recipe_wrapper FINDINGS: the leastpriv command line a runner prefixes to
# each test program, as README gives it: --append, so that FINDINGS holds
# the findings of every program, not only the last one's.
recipe_wrapper() {
        echo "$LEASTPRIV run --append --findings $1 --"
}

# check_marker FILE WHAT CALL=RESULT [RUNS]: FILE holds RUNS (default 1)
# lines, each written by a test that ran in a network namespace that is
# not the host's, with no_new_privs set, and whose refused call gave RESULT.
check_marker() {
        local file=$1 what=$2 call=$3 runs=${4:-1} lines inside
        lines=$(cat "$file" 2>/dev/null || true)
        assert_eq "$runs" "$(grep -c . <<<"$lines" || true)" "$what: the test ran (marker lines)"
        inside=$(grep -cE "^netns=net:\[[0-9]+\] nnp=1 $call\$" <<<"$lines" || true)
        assert_eq "$runs" "$inside" "$what: inside leastpriv (no_new_privs), $call"
        assert_eq 0 "$(grep -cF "netns=$HOST_NETNS " <<<"$lines" || true)" \
                "$what: no run in the host's network namespace ($HOST_NETNS)"
}

# check_only_finding WHAT FILE KIND OPERATION [KEY=VALUE | KEY~ERE]...: FILE
# holds exactly one finding, of KIND and OPERATION, with those keys.
check_only_finding() {
        local what=$1 file=$2
        expect_finding "$@"
        assert_eq 1 "$F_lines" "$what: findings in $(basename "$file")"
}

# check_priority_finding WHAT FILE EXE_ERE: the one finding of a
# setpriority(-5) the default profile refused (CAP_SYS_NICE is dropped),
# counted once, made by the executable EXE_ERE names.
check_priority_finding() {
        check_only_finding "$1" "$2" capability CAP_SYS_NICE action=denied count=1 \
                'target=setpriority()' 'fix=[Capabilities] Keep=CAP_SYS_NICE' "exe~$3"
}

# check_finding_per_program WHAT FILE KIND OPERATION EXE_ERE... [-- KEY=VALUE...]:
# FILE holds one finding per test program, as many as EXE_EREs, each of
# KIND and OPERATION, counted once, made by the program its EXE_ERE
# names, with the given keys: each program's run added its own.
check_finding_per_program() {
        local what=$1 file=$2 kind=$3 op=$4 exes=() exe got
        shift 4
        while [ $# -gt 0 ] && [ "$1" != -- ]; do
                exes+=("$1")
                shift
        done
        [ $# -gt 0 ] && shift
        fget "$file" "$kind" "$op"
        assert_eq ok "$F_keys" "$what: JSONL lines parse, keys exactly and in order"
        assert_eq "${#exes[@]}" "$F_lines" "$what: one finding per test program in $(basename "$file")"
        assert_eq "${#exes[@]}" "$F_n" "$what: each of them $kind/$op"
        got=$(/usr/bin/python3 -c '
import json, sys
for l in open(sys.argv[1], encoding="utf-8"):
    o = json.loads(l)
    print(o["exe"], o["count"])' "$file" 2>&1)
        for exe in "${exes[@]}"; do
                assert_eq 1 "$(grep -cE "${exe%\$} 1\$" <<<"$got" || true)" \
                        "$what: one finding, counted once, by $exe"
        done
        for spec in "$@"; do
                assert_eq "${#exes[@]}" "$(/usr/bin/python3 -c '
import json, sys
k, v = sys.argv[2].split("=", 1)
print(sum(1 for l in open(sys.argv[1], encoding="utf-8") if str(json.loads(l)[k]) == v))' \
                        "$file" "$spec")" "$what: every line has $spec"
        done
}

# learn_then_replay WHAT CMD...: `leastpriv learn -o P -- CMD` in the
# project, then `leastpriv run -p P --fail-on-findings -- CMD` five times;
# each replay must pass with no finding, inside, its setpriority allowed
# (the learned profile keeps CAP_SYS_NICE, and nothing else).
learn_then_replay() {
        local what=$1 learned=$tmp/$1.profile i
        shift
        rm -f marker
        recipe_run "$LEASTPRIV" learn -o "$learned" -- "$@"
        assert_status 0 "$what: leastpriv learn -o P -- $*"
        assert_eq "Keep=CAP_SYS_NICE" "$(grep '^Keep=' "$learned" | cut -d' ' -f1 | paste -sd' ')" \
                "$what: the learned profile keeps CAP_SYS_NICE alone"
        run_lp check "$learned"
        assert_status 0 "$what: the learned profile passes check"
        rm -f marker
        for i in 1 2 3 4 5; do
                recipe_run "$LEASTPRIV" run -p "$learned" --fail-on-findings \
                        --findings "$tmp/$what-replay-$i.jsonl" -- "$@"
                assert_status 0 "$what: replay $i under the learned profile, --fail-on-findings"
                fget "$tmp/$what-replay-$i.jsonl" none none
                assert_eq 0 "$F_lines" "$what: replay $i has no finding"
        done
        check_marker marker "$what: the replays" setpriority=ok 5
}
