# shellcheck shell=bash disable=SC2154,SC2034
# (F_* are set by fget/tget through eval; the variables set here are used
# by the scripts that source this file.)
# Helpers for tests/escape/NN-*.sh, the hostile-probe conformance suite
# (docs/architecture.md, "Threat model"): each script runs tests/helpers/escape.c (and probe.c)
# under the real launcher with the embedded `default` and `strict`
# profiles, as root and as uid 65534, and checks (a) that each attack
# fails as docs/architecture.md says and (b) the finding that names it. Each class
# also runs its probe once under a deliberately weakened profile (or bare)
# and checks that the attack then gets through or goes unreported: a
# protection whose removal no test notices is not tested.
#
# Sourced after nothing: it sources ../integration/lib.sh (assertions,
# $tmp, lpx) and ../integration/findings-lib.sh (fget, expect_finding).

ESC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../integration/lib.sh
source "$ESC_DIR/../integration/lib.sh"
# shellcheck source=../integration/findings-lib.sh
source "$ESC_DIR/../integration/findings-lib.sh"

ESCAPE=$LP_BIN/escape
PTY_RUN=$ESC_DIR/pty-run.py
SIGSYS_STATUS=$((128 + 31))
# Where each run writes its findings: writable by uid 65534 as well.
ESC_F=$tmp/shared/findings.jsonl

lp_require_root
lp_require_binaries
[ -x "$ESCAPE" ] || fatal "escape helper not found at '$ESCAPE'"
# From a directory without ./profiles: the embedded profiles are the ones
# used, whatever the working tree holds.
cd "$tmp/shared" || fatal "cd $tmp/shared"

# esc_users: "root", and "nobody" when uid 65534 can run leastpriv here
# (a note says why not otherwise).
esc_users() {
        local why
        echo root
        if ! command -v setpriv >/dev/null || ! unpriv test -x "$LEASTPRIV" ||
                ! unpriv test -x "$ESCAPE"; then
                note "uid 65534 checks skipped: setpriv missing or binaries not reachable" >&2
                return
        fi
        why=$(lp_userns_disabled_reason)
        if [ -n "$why" ]; then
                note "uid 65534 checks skipped: user namespaces disabled: $why" >&2
                return
        fi
        echo nobody
}

# esc_run WHO PROFILE CMD...: `leastpriv run` as WHO (root|nobody) with
# PROFILE (`default` = no -p: the embedded default; else a name or path),
# findings to $ESC_F, a 60 s --timeout as a safety net. Sets what capture
# sets (LP_STATUS, LP_OUT, LP_ERR, LP_ELAPSED).
# strict asks for a dynamic user ([Identity] DynamicUser=yes), which needs
# root: uid 65534 runs strict's every other line (findings still cite
# strict's lines) with DynamicUser=no.
ESC_STRICT_UNPRIVILEGED=$(profile strict-unprivileged <<'EOF'
[Profile]
Include=strict
[Identity]
DynamicUser=no
EOF
)
# esc_profile_args WHO PROFILE: the -p option of `leastpriv run` (none for
# default) into the array ESC_P.
esc_profile_args() {
        ESC_P=()
        [ "$1/$2" = nobody/strict ] && ESC_P=(-p "$ESC_STRICT_UNPRIVILEGED") && return
        [ "$2" = default ] || ESC_P=(-p "$2")
}
#
# Each probe runs twice: first with --no-cache (the filter compiled anew),
# then with the filter cache, whose results are the ones checked. Their
# exit statuses and findings must be the same (esc_same_without_cache):
# a cached filter that changed what the sandbox does would show here. A
# first run of each user and profile fills the cache, so that the second
# run of every probe uses a program read from it.
declare -A ESC_CACHE_FILLED
esc_run() {
        local who=$1 prof=$2 p=() fresh_status fresh
        shift 2
        esc_profile_args "$who" "$prof"
        p=("${ESC_P[@]}")
        if [ -z "${ESC_CACHE_FILLED[$who/$prof]:-}" ]; then
                lpx "$who" run "${p[@]}" -q --timeout 60 -- /bin/true
                ESC_CACHE_FILLED[$who/$prof]=1
        fi
        rm -f "$ESC_F"
        lpx "$who" run "${p[@]}" --no-cache --timeout 60 --findings "$ESC_F" -- "$@"
        fresh_status=$LP_STATUS
        fresh=$(esc_findings_summary "$ESC_F")
        rm -f "$ESC_F"
        lpx "$who" run "${p[@]}" --timeout 60 --findings "$ESC_F" -- "$@"
        esc_same_without_cache "$fresh_status" "$fresh" "$who/$prof: $*"
}

# esc_findings_summary FILE: each finding's kind, operation, target,
# action, errno and count, one per line, sorted (not its pid or time).
esc_findings_summary() {
        /usr/bin/python3 - "$1" <<'PY'
import json, sys
try:
    lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
except OSError:
    lines = []
keys = ("kind", "operation", "target", "action", "errno", "count")
print("\n".join(sorted(" ".join(str(json.loads(l).get(k)) for k in keys) for l in lines)))
PY
}

# esc_same_without_cache STATUS SUMMARY WHAT: the last run (with the
# cache) ended with STATUS and found SUMMARY, as the run without it did.
esc_same_without_cache() {
        local cached
        cached=$(esc_findings_summary "$ESC_F")
        LP_CHECKS=$((LP_CHECKS + 1))
        if [ "$1" != "$LP_STATUS" ] || [ "$2" != "$cached" ]; then
                fail "$3: the filter cache changed the result: status $1 -> $LP_STATUS," \
                        "findings without the cache:"$'\n'"$2"$'\n'"with it:"$'\n'"$cached"
        else
                pass "$3: the same status and findings with and without the filter cache"
        fi
}

# result KEY: what the probe printed after "KEY: " (its first such line).
result() {
        local line
        line=$(grep -m1 -F -- "$1: " <<<"$LP_OUT" | grep -E "^$1: ")
        echo "${line#"$1: "}"
}

# expect_refused WHAT KEY ERRNO: the probe's line for KEY says ERRNO. An
# attack that succeeded is an escape and fails loudly.
expect_refused() {
        local got
        got=$(result "$2")
        LP_CHECKS=$((LP_CHECKS + 1))
        if [ "$got" = ok ]; then
                fail "ESCAPE: $1: '$2' SUCCEEDED under leastpriv (expected $3)"
                last_output >&2
        elif [ "$got" = "$3" ]; then
                pass "$1: $2 refused with $3"
        else
                fail "$1: $2: expected $3, got '${got:-<no line>}'"
                last_output >&2
        fi
}

# expect_result WHAT KEY VALUE: the probe's line for KEY says VALUE.
expect_result() {
        assert_eq "$3" "$(result "$2")" "$1: $2"
}

# tget FILE KIND OPERATION TARGET: as fget, for the finding of that exact
# target, or of a target matching ERE when TARGET is "~ERE" (F_n: how many).
tget() {
        local out
        out=$(/usr/bin/python3 - "$1" "$2" "$3" "$4" "$LP_KEYS" <<'PY'
import json, re, shlex, sys
path, kind, op, target, keys = sys.argv[1:5] + [sys.argv[5].split()]
try:
    lines = open(path, encoding="utf-8").read().splitlines()
except OSError as e:
    lines, bad = [], str(e)
else:
    bad = "ok"
hits = []
for n, line in enumerate(lines, 1):
    try:
        o = json.loads(line)
    except ValueError as e:
        bad = bad if bad != "ok" else "line %d is not JSON: %s" % (n, e)
        continue
    if list(o) != keys and bad == "ok":
        bad = "line %d has keys %s" % (n, list(o))
    t = o.get("target") or ""
    same = re.fullmatch(target[1:], t) if target.startswith("~") else t == target
    if (o.get("kind"), o.get("operation")) == (kind, op) and same:
        hits.append(o)
print("F_lines=%d F_n=%d F_keys=%s" % (len(lines), len(hits), shlex.quote(bad)))
h = hits[0] if hits else {}
for k in keys:
    v = h.get(k, "<absent>")
    print("F_%s=%s" % (k, shlex.quote("null" if v is None else str(v))))
PY
)
        eval "$out"
}

# expect_target WHAT KIND OPERATION TARGET [KEY=VALUE | KEY~ERE]...: exactly
# one finding in $ESC_F with that kind, operation and target, and keys as
# given (as expect_finding, which matches on kind and operation only).
expect_target() {
        local what=$1 kind=$2 op=$3 target=$4
        shift 4
        tget "$ESC_F" "$kind" "$op" "$target"
        assert_eq ok "$F_keys" "$what: JSONL parses, keys of §4 in order"
        assert_eq 1 "$F_n" "$what: one finding $kind/$op '$target'"
        expect_keys "$what" "$@"
}

# expect_no_finding WHAT KIND OPERATION: no finding of KIND/OPERATION in
# $ESC_F (which must still parse).
expect_no_finding() {
        fget "$ESC_F" "$2" "$3"
        assert_eq ok "$F_keys" "$1: JSONL parses"
        assert_eq 0 "$F_n" "$1: no $2/$3 finding"
}

# The rule a refusal cites, by profile: a named Deny of the default
# profile says the same under strict (strict includes default); what no
# line names is killed under strict.
E='<embedded>'
L_dangerous1=$(profile_line default.profile '^Deny=@privileged')
L_dangerous2=$(profile_line default.profile '^Deny=@obsolete')
L_default_action=$(profile_line base.profile '^DefaultAction=')
L_strict_kill=$(profile_line strict.profile '^DefaultAction=kill')
deny_rule() { # GROUP: the rule of a syscall denied through Deny=@GROUP
        local line=$L_dangerous1
        grep -qE "^Deny=.*@$1( |$)" <(sed -n "${L_dangerous2}p" "$LP_SOURCE/profiles/default.profile") &&
                line=$L_dangerous2
        echo "$E/default.profile:$line [Syscalls] Deny=@$1"
}
