#!/usr/bin/env bash
# Ordinary test work passes under the default profile without findings:
# files, threads, pipes, fork/exec, loopback TCP, a shell with coreutils,
# and a C compiler building and running a threaded program.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

cat >"$tmp/threads.c" <<'C'
#include <pthread.h>
#include <stdio.h>

static void *work(void *arg)
{
        long *n = arg;
        for (long i = 0; i < 100000; i++)
                *n += i % 7;
        return NULL;
}

int main(void)
{
        pthread_t t[4];
        long n[4] = {0};
        for (int i = 0; i < 4; i++)
                pthread_create(&t[i], NULL, work, &n[i]);
        for (int i = 0; i < 4; i++)
                pthread_join(t[i], NULL);
        printf("sum=%ld\n", n[0] + n[1] + n[2] + n[3]);
        return 0;
}
C
chmod 644 "$tmp/threads.c"

shell_script='set -e
d=$(mktemp -d "$1/sh.XXXXXX")
printf "b\na\nc\n" | sort >"$d/sorted"
[ "$(head -n1 "$d/sorted")" = a ]
cp "$d/sorted" "$d/copy" && mv "$d/copy" "$d/moved"
[ "$(ls "$d" | wc -l | tr -d " ")" = 2 ]
echo hello | tr a-z A-Z | grep -q HELLO
date +%s >/dev/null; id -u >/dev/null; uname -r >/dev/null
sed -e s/x/y/ </dev/null; awk "BEGIN{exit 0}"
find "$d" -type f | xargs cat >/dev/null
rm -r "$d"
echo shell-ok'

ordinary_checks() {
        local who=$1 dir=$tmp/shared sub
        as_user "$who" run -- "$PROBE" files "$dir"
        assert_probe ok "$who: files (create/write/read/rename/unlink)"
        for sub in "threads 8" pipes fork-exec loopback-tcp; do
                as_user "$who" run -- "$PROBE" $sub
                assert_probe ok "$who: $sub"
        done

        as_user "$who" run -- /bin/sh -c "$shell_script" sh "$dir"
        assert_status 0 "$who: sh -c with coreutils"
        assert_eq shell-ok "$LP_OUT" "$who: ... the script ran to its end"

        # Ordinary work produces no finding: --fail-on-findings keeps 0.
        # A clean environment, so that no withheld variable of the machine
        # running the tests (AWS_CA_BUNDLE, ...) becomes a finding.
        local -a as=()
        [ "$who" = nobody ] && as=(setpriv "--reuid=$NOBODY_UID" "--regid=$NOBODY_GID" --clear-groups --)
        for sub in "threads 8" loopback-tcp "files $dir" fork-exec pipes; do
                rm -f "$dir/ord-$who.jsonl"
                capture env -i PATH=/usr/bin:/bin HOME=/ LANG=C.UTF-8 "$(lp_cache_env "$who")" "${as[@]}" \
                        "$LEASTPRIV" run --fail-on-findings --findings "$dir/ord-$who.jsonl" -- "$PROBE" $sub
                assert_status 0 "$who: '$sub' with --fail-on-findings (no finding)"
                assert_eq "" "$(cat "$dir/ord-$who.jsonl" 2>/dev/null)" "$who: ... the findings file is empty"
        done

        if command -v cc >/dev/null; then
                local out=$dir/threads-$who
                as_user "$who" run -- /bin/sh -c "cc -O1 -pthread -o '$out' '$tmp/threads.c' && '$out'"
                assert_status 0 "$who: cc compiles and runs a threaded program"
                assert_eq "sum=1199980" "$LP_OUT" "$who: ... with the right result"
        else
                note "cc not installed: compiler check skipped"
        fi
}

ordinary_checks root

lp_require_nobody_access
why=$(lp_userns_disabled_reason)
[ -z "$why" ] || skip "root checks done; uid 65534 needs user namespaces: $why"
ordinary_checks nobody
