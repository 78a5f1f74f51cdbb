#!/usr/bin/env bash
# The compiled-filter cache (docs/architecture.md, "The launch"): a filter
# is compiled once and read back on the next run of the same policy, a
# changed policy gets its own entry, and an entry that is damaged, not
# ours, not 0600, or a symlink is ignored and replaced, never used. Seen
# through `run -v`, which says hit, miss, stored or why an entry was
# ignored; the run's results are checked each time as well.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
lp_require_root
lp_require_binaries

cache=$tmp/cache-under-test
f=$tmp/cache.jsonl
denying=$(profile denying <<'EOF'
[Profile]
Include=default
[Syscalls]
Deny=getcwd
EOF
)

# cached_run WHAT ARGS...: `run -v --findings $f` with the cache in $cache;
# CACHE is then its "filter cache:" lines, and the run must have found
# exactly what the probe did (ptrace refused and reported once).
cached_run() {
        local what=$1
        shift
        rm -f "$f"
        LEASTPRIV_CACHE_DIR=$cache capture "$LEASTPRIV" run -v "$@" --findings "$f" -- \
                "$PROBE" ptrace-traceme
        CACHE=$(grep '^leastpriv: filter cache: ' <<<"$LP_ERR" | sed 's/^leastpriv: filter cache: //')
        assert_probe EPERM "$what: ptrace refused"
        fget "$f" syscall ptrace
        assert_eq 1 "$F_count" "$what: ptrace reported once"
}

# entry: the one entry file in $cache.
entry() {
        find "$cache" -maxdepth 1 -name '*.bpf' | head -n1
}

cached_run "first run"
e=$(entry)
assert_eq "miss $e (no directory yet)"$'\n'"stored $e" "$CACHE" \
        "first run: a miss, then the program is stored"
assert_eq "700 root" "$(stat -c '%a %U' "$cache")" "the cache directory is 0700, root's"
assert_eq "600 root" "$(stat -c '%a %U' "$e")" "the entry is 0600, root's"
sum=$(sha256sum <"$e")

cached_run "second run"
assert_eq "hit $e" "$CACHE" "second run: read from the cache"

cached_run "another policy" -p "$denying"
assert_match "$CACHE" "^stored $cache/" "another policy: compiled and stored"
assert_not_contains "$CACHE" "hit" "another policy: not read from the first policy's entry"
assert_eq 2 "$(find "$cache" -name '*.bpf' | wc -l)" "one entry per policy"
find "$cache" -name '*.bpf' ! -path "$e" -delete

# damage HOW REASON: after HOW, the entry is ignored for REASON, the run
# is right anyway, and the entry is written again (0600, root's, the
# program it had).
damage() {
        local how=$1 reason=$2
        eval "$how"
        cached_run "$how"
        assert_eq "entry $e ignored: $reason"$'\n'"stored $e" "$CACHE" "$how: ignored ($reason), replaced"
        assert_eq "600 root $sum" "$(stat -c '%a %U' "$e") $(sha256sum <"$e")" \
                "$how: the entry is whole again"
}
last_byte=$(($(stat -c %s "$e") - 1))
damage "printf '\\377' | dd of=$e bs=1 seek=$last_byte conv=notrunc status=none" "checksum mismatch"
damage "truncate -s -8 $e" "truncated or padded"
damage "chmod 0644 $e" "mode is not 0600"
damage "chown $NOBODY_UID $e" "owned by another user"

# A symlink in the entry's place is not followed, read or written through.
target=$tmp/symlink-target
echo "not an entry" >"$target"
rm -f "$e"
ln -s "$target" "$e"
cached_run "a symlink in the entry's place"
assert_eq "miss $e"$'\n'"stored $e" "$CACHE" "symlink: a miss, replaced"
assert_eq "not an entry" "$(cat "$target")" "symlink: its target is untouched"
[ -L "$e" ] && fail "symlink: still a symlink" || pass "symlink: replaced by a regular file"

# A directory others may write is not used: nothing read, nothing stored.
chmod 0777 "$cache"
cached_run "a directory others may write"
assert_eq "$cache not used: not a directory of ours that only we may write" "$(sort -u <<<"$CACHE")" \
        "world-writable directory: neither read nor written"
chmod 0700 "$cache"

# --no-cache: compiled, and the cache neither read nor written.
rm -rf "$cache"
cached_run "--no-cache" --no-cache
assert_eq "" "$CACHE" "--no-cache: no cache lookup"
[ -e "$cache" ] && fail "--no-cache: $cache was created" || pass "--no-cache: nothing stored"

# uid 65534: its own cache, in a directory of its own.
why=$(lp_userns_disabled_reason)
if [ -z "$why" ] && unpriv test -x "$LEASTPRIV"; then
        for n in 1 2; do
                run_lp_nobody run -v -- "$PROBE" ptrace-traceme # its cache: $LP_CACHE_NOBODY
                assert_probe EPERM "uid 65534, run $n: ptrace refused"
        done
        assert_match "$LP_ERR" "filter cache: hit $LP_CACHE_NOBODY/" "uid 65534: the second run reads its cache"
        assert_eq "700 $NOBODY_UID" "$(stat -c '%a %u' "$LP_CACHE_NOBODY")" \
                "uid 65534: its cache is 0700, its own"
else
        note "uid 65534 checks skipped: ${why:-the binary is out of its reach}"
fi
