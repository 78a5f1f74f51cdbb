#!/usr/bin/env bash
# tools/check-layout.py can fail: a small tree with one violation of each
# rule (an upward include, an upward call, a cycle inside a stage, a header
# without its source that declares a function, a system call in rules/) is
# refused with a line for each, and the same tree mended passes.
set -uo pipefail
checker=$1
cc=${CC:-cc}
tmp=$(mktemp -d /tmp/lp-check-layout.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

src=$tmp/src/sandbox
obj=$tmp/build/CMakeFiles/lpcore.dir/sandbox
mkdir -p "$src"/{base,profile,rules} "$obj"/{base,profile,rules}

write() { mkdir -p "$(dirname "$src/$1")"; cat >"$src/$1"; }

write base/low.h <<'C'
int lp_low(void);
C
write profile/high.h <<'C'
int lp_high(void);
C
write profile/high.c <<'C'
#include "profile/high.h"
#include "base/low.h"
int lp_high(void) { return lp_low(); }
C
write profile/other.h <<'C'
int lp_other(void);
C
write profile/other.c <<'C'
#include "profile/other.h"
#include "profile/high.h"
int lp_other(void) { return lp_high(); }
C
write rules/pure.h <<'C'
int lp_pure(void);
C

# The broken tree.
write base/low.c <<'C'
#include "base/low.h"
#include "profile/high.h"
int lp_low(void) { return lp_high(); }
C
write profile/lonely.h <<'C'
int lp_lonely(void);
C
write rules/pure.c <<'C'
#include <unistd.h>
#include "rules/pure.h"
int lp_pure(void) { return getpid(); }
C
# high -> other -> high: a cycle inside one stage.
write profile/high.c <<'C'
#include "profile/high.h"
#include "profile/other.h"
int lp_high(void) { return lp_other(); }
C

compile() {
        local f
        for f in base/low profile/high profile/other rules/pure; do
                "$cc" -c -iquote "$src" "$src/$f.c" -o "$obj/$f.c.o" || return 1
        done
}

compile || { echo "cannot compile the fixture"; exit 1; }
out=$(python3 "$checker" "$tmp/src" "$tmp/build")
status=$?
[ "$status" -eq 1 ] && pass "a broken tree: exit 1" || fail "a broken tree: exit $status"
for want in "base/low.c: includes profile/high.h" \
            "base/low.c: uses lp_high of profile/high.c" \
            "objects that use each other in a cycle: profile/high.c, profile/other.c" \
            "profile/lonely.h: declares lp_lonely() but has no lonely.c beside it" \
            "rules/pure.c: uses getpid, but rules/ is pure"; do
        if grep -qF "$want" <<<"$out"; then pass "reported: $want"; else fail "not reported: $want"; fi
done

# The tree mended.
write base/low.c <<'C'
#include "base/low.h"
int lp_low(void) { return 1; }
C
write profile/high.c <<'C'
#include "profile/high.h"
#include "base/low.h"
int lp_high(void) { return lp_low(); }
C
write rules/pure.c <<'C'
#include "rules/pure.h"
int lp_pure(void) { return 2; }
C
rm "$src/profile/lonely.h"
compile || { echo "cannot compile the fixture"; exit 1; }
out=$(python3 "$checker" "$tmp/src" "$tmp/build")
status=$?
[ "$status" -eq 0 ] && pass "the mended tree: exit 0" || fail "the mended tree: exit $status: $out"
[ "$failures" -eq 0 ]
