#!/usr/bin/env bash
# learn under CPU load (docs/architecture.md, "Learning"): learning must not
# change what the command sees. A shell that forks a lot, with a SIGCHLD
# handler of its own, is learned LP_LEARN_LOAD_RUNS times in a row (200;
# tests/CMakeLists.txt sets 100 for the slower sanitizer build) while busy
# loops keep every core taken: no run may fail ("Cannot fork" is a fork
# that saw EINTR, a signal having come before the supervisor received its
# notification), all the learned profiles are the same bytes, and that
# profile replays the command under `run` with no finding but withheld
# variables. As root and as uid 65534 (half as many runs).
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries
lp_require_nobody_access

runs=${LP_LEARN_LOAD_RUNS:-200}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || fatal "LP_LEARN_LOAD_RUNS must be a positive number, not '$runs'"
# dash installs a SIGCHLD handler without SA_RESTART; every pipeline and
# subshell forks, and each child's exit signals the shell.
# shellcheck disable=SC2016 # $i is the command's, not ours
cmd='for i in 1 2 3 4 5; do echo $i | cat >/dev/null; (echo $i) >/dev/null; done'

# ---- the load: a busy loop per core, killed on exit ----------------------------
load=()
lp_cleanup() {
        local pid
        for pid in "${load[@]}"; do
                kill "$pid" 2>/dev/null
        done
        for pid in "${load[@]}"; do
                wait "$pid" 2>/dev/null
        done
}
for ((c = 0; c < $(nproc); c++)); do
        sh -c 'while :; do :; done' &
        load+=($!)
done

# learn_under_load WHO RUNS DIR: RUNS learns as WHO (root or nobody) into
# DIR; every one must succeed, say nothing, and give the same bytes, and
# that profile must replay the command.
learn_under_load() {
        local who=$1 n_runs=$2 dir=$3 failed=0 first_failure= start=$SECONDS status said i
        local as=()
        [ "$who" = nobody ] && as=(setpriv --reuid=$NOBODY_UID --regid=$NOBODY_GID --clear-groups --)
        mkdir -m 777 "$dir"
        for ((i = 1; i <= n_runs; i++)); do
                status=0
                timeout -k 5 60 "${as[@]}" "$LEASTPRIV" learn -o "$dir/$i.profile" -- sh -c "$cmd" \
                        >"$tmp/out" 2>"$tmp/err" </dev/null || status=$?
                # The command prints nothing; leastpriv's own lines say "leastpriv:".
                said=$(grep -v '^leastpriv: ' "$tmp/err")
                if [ "$status" -ne 0 ] || [ -n "$said" ] || [ -s "$tmp/out" ]; then
                        failed=$((failed + 1))
                        [ -n "$first_failure" ] ||
                                first_failure="run $i: exit $status: $said$(cat "$tmp/out")"
                fi
        done
        note "$who: $n_runs learns under load took $((SECONDS - start)) s"
        assert_eq "0 of $n_runs" "$failed of $n_runs" \
                "$who: no learn under load failed${first_failure:+ (first: $first_failure)}"

        # -- one profile, byte for byte --
        local distinct
        distinct=$(md5sum "$dir"/*.profile | cut -d' ' -f1 | sort -u | wc -l)
        assert_eq 1 "$distinct" "$who: the $n_runs learned profiles are byte-identical"
        assert_contains "$(cat "$dir/1.profile")" "# used: clone # 2-99 calls" \
                "$who: the profile grants creating processes, with its evidence"

        # -- every distinct profile replays the command --
        local n=0 p
        for p in $(md5sum "$dir"/*.profile | sort -u -k1,1 | cut -d' ' -f3); do
                n=$((n + 1))
                as_user "$who" run -p "$p" --findings "$dir/replay$n.jsonl" -- sh -c "$cmd"
                assert_status 0 "$who: $(basename "$p"): the learned profile runs the command"
                assert_eq "" "$(/usr/bin/python3 -c '
import json, sys
print("\n".join(sorted({"%s:%s" % (o["kind"], o["operation"])
                        for o in map(json.loads, open(sys.argv[1]))
                        if o["kind"] != "environment"})))' "$dir/replay$n.jsonl")" \
                        "$who: $(basename "$p"): replay has no finding but withheld variables"
        done
}

learn_under_load root "$runs" "$tmp/shared/learned-root"
# Without root, learning counts processes in a user namespace of its own;
# half as many runs keep the test CI-sized.
if [ -n "$(lp_userns_disabled_reason)" ]; then
        note "uid 65534 half not run: unprivileged user namespaces are off"
else
        learn_under_load nobody $(((runs + 1) / 2)) "$tmp/shared/learned-nobody"
fi
