#!/usr/bin/env bash
# `cmake --install BUILD --prefix P` into a temporary P: exactly the files
# a user expects (the binary, the shipped profiles, the man pages, bash and
# zsh completion, the CMake package), and the installed binary finds its
# profiles under P/share/leastpriv/profiles (not the prefix the build was
# configured with), in the documented order: LEASTPRIV_PATH, ./profiles,
# /etc/leastpriv/profiles, P/share/leastpriv/profiles, then the embedded
# ones. A symlink to the binary finds the same P; a copy elsewhere finds
# none and falls back to the embedded profiles.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

unset LEASTPRIV_PATH LEASTPRIV_PROFILE
prefix=$tmp/prefix
capture cmake --install "$LP_BUILD" --prefix "$prefix"
assert_status 0 "cmake --install into a temporary prefix"

# ---- what is installed -------------------------------------------------------
expected="bin/leastpriv
lib/cmake/leastpriv/leastpriv-config-version.cmake
lib/cmake/leastpriv/leastpriv-config.cmake
lib/cmake/leastpriv/leastpriv-targets-CONFIG.cmake
lib/cmake/leastpriv/leastpriv-targets.cmake
share/bash-completion/completions/leastpriv
share/leastpriv/profiles/base.profile
share/leastpriv/profiles/default.profile
share/leastpriv/profiles/strict.profile
share/man/man1/leastpriv.1
share/man/man5/leastpriv.profile.5
share/zsh/site-functions/_leastpriv"
installed=$(cd "$prefix" && find . -type f | sed 's|^\./||; s|leastpriv-targets-[a-z]*\.cmake|leastpriv-targets-CONFIG.cmake|' | sort)
assert_eq "$expected" "$installed" "the installed files"
for name in base default strict; do
        assert_eq "$(cat "$LP_SOURCE/profiles/$name.profile")" \
                "$(cat "$prefix/share/leastpriv/profiles/$name.profile")" "share/leastpriv/profiles/$name.profile"
done
if command -v man >/dev/null; then
        capture env MANWIDTH=80 man -l "$prefix/share/man/man1/leastpriv.1"
        assert_status 0 "man leastpriv renders"
        assert_contains "$LP_OUT" "leastpriv - run test commands with least privilege" "leastpriv(1)'s NAME"
        capture env MANWIDTH=80 man -l "$prefix/share/man/man5/leastpriv.profile.5"
        assert_status 0 "man leastpriv.profile renders"
        assert_contains "$LP_OUT" "leastpriv.profile - what a command run by leastpriv may do" \
                "leastpriv.profile(5)'s NAME"
fi

# ---- where the installed binary finds profiles ---------------------------------
lp=$prefix/bin/leastpriv
share=$prefix/share/leastpriv/profiles
mkdir -p "$tmp/work" "$tmp/lp-path" "$tmp/elsewhere/bin"
cd "$tmp/work"

capture "$lp" show default
assert_status 0 "installed: show default"
assert_contains "$LP_OUT" "# $share/default.profile:" "installed: 'default' is read from P/share/leastpriv/profiles"
assert_contains "$LP_OUT" "# $share/base.profile:" "installed: its Include=base too"
assert_not_contains "$LP_OUT" "<embedded>" "installed: no embedded profile is used"

printf '[Profile]\nDescription=only in the install\nInclude=default\n' >"$share/installed-only.profile"
capture "$lp" check installed-only
assert_status 0 "installed: a profile only P/share/leastpriv/profiles has, by name"

capture "$lp" check no-such-profile
assert_status 2 "installed: an unknown name"
assert_contains "$LP_ERR" "/etc/leastpriv/profiles, $share and the embedded profiles)" \
        "installed: the message names P/share/leastpriv/profiles"

# ./profiles comes before the share dir, LEASTPRIV_PATH before both.
mkdir -p profiles
printf '[Profile]\nInclude=default\nDescription=from ./profiles\n' >profiles/installed-only.profile
capture "$lp" show installed-only
assert_contains "$LP_OUT" "Description=from ./profiles" "installed: ./profiles before the share dir"
printf '[Profile]\nInclude=default\nDescription=from LEASTPRIV_PATH\n' >"$tmp/lp-path/installed-only.profile"
capture env LEASTPRIV_PATH="$tmp/lp-path" "$lp" show installed-only
assert_contains "$LP_OUT" "Description=from LEASTPRIV_PATH" "installed: LEASTPRIV_PATH before ./profiles"
rm -r profiles

# Through a symlink (a /usr/local/bin link to an /opt install): the real P.
ln -s "$lp" "$tmp/elsewhere/bin/leastpriv-link"
capture "$tmp/elsewhere/bin/leastpriv-link" show default
assert_contains "$LP_OUT" "# $share/default.profile:" "a symlink to the binary finds P's profiles"

# A copy with no share dir beside it: the embedded profiles, nothing else.
cp "$lp" "$tmp/elsewhere/bin/leastpriv"
capture "$tmp/elsewhere/bin/leastpriv" show default
assert_status 0 "a copy without a share dir: show default"
assert_contains "$LP_OUT" "# <embedded>/default.profile:" "a copy without a share dir: the embedded profile"
capture "$tmp/elsewhere/bin/leastpriv" check installed-only
assert_status 2 "a copy without a share dir does not see P's profiles"
assert_contains "$LP_ERR" "$tmp/elsewhere/share/leastpriv/profiles and the embedded profiles)" \
        "a copy without a share dir: the message names its own share dir"
