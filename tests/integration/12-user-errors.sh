#!/usr/bin/env bash
# The mistakes a user makes most, one row each: the exact exit status, a
# message that names the place (the option as written, or FILE:LINE of
# the profile) and says what to do (README, "Commands and exit status").
set -euo pipefail
source "$(dirname "$0")/lib.sh"

lp_require_root
lp_require_binaries
# Profiles by name must be the embedded ones, not whatever the caller has.
unset LEASTPRIV_PATH LEASTPRIV_PROFILE
cd "$tmp"

# mistake WHO STATUS PLACE HINT -- ARGS...: `leastpriv ARGS...` as WHO
# (root or nobody) exits STATUS, and its stderr holds PLACE and HINT.
mistake() {
        local who=$1 status=$2 place=$3 hint=$4
        shift 5
        as_user "$who" "$@"
        local what="$who: leastpriv $*"
        assert_eq "$status" "$LP_STATUS" "$what: exit $status"
        assert_contains "$LP_ERR" "$place" "$what: names the place ($place)"
        assert_contains "$LP_ERR" "$hint" "$what: says what to do ($hint)"
}

# The profiles and files the rows below get wrong. Line numbers matter:
# each message cites one.
unknown_key=$(default_plus unknown-key $'[Filesystem]\nReadWritePath=.\n')
misspelt=$(default_plus misspelt $'[Syscalls]\nAllow=opne\n')
bad_value=$(default_plus bad-value $'[Network]\nNamespace=lopback\n')
missing_rw=$(default_plus missing-rw "[Filesystem]"$'\n'"ReadWritePaths=$tmp/no-such-dir"$'\n')
dynamic=$(default_plus dynamic $'[Identity]\nDynamicUser=yes\n')
no_user=$(default_plus no-user $'[Identity]\nUser=lp-no-such-user\n')
printf 'leastpriv\n' >"$tmp/not.json"
printf 'not a SARIF log\n' >"$tmp/other.sarif"
printf 'echo never\n' >"$tmp/not-executable.sh"
chmod 644 "$tmp/not-executable.sh" "$tmp/not.json" "$tmp/other.sarif"

#       WHO    EXIT PLACE                                  HINT
mistake root   125 "unknown option '--fidnings'"          "did you mean '--findings'?" \
        -- run --fidnings x.jsonl -- true
mistake root   125 "Try 'leastpriv run --help'"          "unknown option '--fidnings'" \
        -- run --fidnings x.jsonl -- true
mistake root   2   "unknown command 'chek'"               "did you mean 'check'?" \
        -- chek default
mistake root   125 "no COMMAND given"                     "put it after '--'" \
        -- run --audit
mistake root   125 "option '--timeout' needs a value"     "Try 'leastpriv run --help'" \
        -- run --timeout
mistake root   2   "option '--score' belongs to check"    "Try 'leastpriv show --help'" \
        -- show --score default
mistake root   125 "--profile no-such-profile"            "name a profile file by its path, as ./no-such-profile.profile" \
        -- run -p no-such-profile -- true
mistake root   2   "$unknown_key:4: unknown key ReadWritePath="  "did you mean ReadWritePaths=?" \
        -- check "$unknown_key"
mistake root   2   "$misspelt:4: unknown syscall 'opne'"  "did you mean 'open'?" \
        -- check "$misspelt"
mistake root   2   "$bad_value:4: Namespace="             "must be loopback, none or host, not 'lopback'" \
        -- check "$bad_value"
mistake root   125 "$missing_rw:4: $tmp/no-such-dir"      "write -$tmp/no-such-dir to skip a path that may be missing" \
        -- run -p "$missing_rw" -- true
mistake root   125 "--findings $tmp/no-such-dir/f.jsonl"  "create its directory first" \
        -- run -q --findings "$tmp/no-such-dir/f.jsonl" -- true
mistake root   125 "--sarif $tmp/other.sarif --append"    "drop --append to replace it" \
        -- run -q --append --sarif "$tmp/other.sarif" -- true
mistake root   2   "'$tmp/missing.profile'"               "check the path" \
        -- diff "$tmp/missing.profile" default
mistake root   2   "$tmp/not.json:1: not valid JSON"      "reads an OCI/Docker seccomp profile" \
        -- import --format oci "$tmp/not.json"
mistake root   2   "--max-score"                          "an exposure from 0.0 to 10.0, not 'high'" \
        -- check --max-score high default
mistake root   125 "--timeout"                            "whole seconds > 0, not '0'" \
        -- run --timeout 0 -- true
mistake root   125 "--pass-fd"                            "a descriptor number above 2, not '1'" \
        -- run --pass-fd 1 -- true
mistake root   2   "--format 'xml'"                       "(oci or systemd)" \
        -- export --format xml default
mistake root   125 "$no_user:4: [Identity] User=lp-no-such-user" "create it, or give a number (User=65534)" \
        -- run -p "$no_user" -- true
mistake root   126 "cannot execute $tmp/not-executable.sh" "chmod +x" \
        -- run -q -- "$tmp/not-executable.sh"

# Root is what DynamicUser=yes needs: uid 65534 is told so, and the way
# out. Only this row needs uid 65534 to reach the binary: without it, the
# rows above still count.
if command -v setpriv >/dev/null && unpriv test -x "$LEASTPRIV"; then
        mistake nobody 125 "$dynamic:4: [Identity] DynamicUser=yes needs root" \
                "run as root, or with DynamicUser=no" -- run -p "$dynamic" -- true
else
        note "uid 65534 cannot run $LEASTPRIV here: the DynamicUser=yes row is left out"
fi
