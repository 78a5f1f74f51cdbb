# shellcheck shell=bash disable=SC2154
# Helpers shared by the 3N-findings-*.sh tests: parse a --findings JSONL
# file and check one finding key by key. Sourced after lib.sh.

LP_KEYS="kind operation target action errno count pid exe rule fix first_ms test"

# fget FILE KIND OPERATION: parses the JSONL FILE and sets F_lines (lines in
# the file, -1 when unreadable), F_n (findings of that kind and operation),
# F_keys ("ok", or what is wrong with the first bad line: not JSON, keys not
# exactly $LP_KEYS in order) and F_<key> of the first match ("null" for
# JSON null, "<absent>" when there is no match).
fget() {
        local out
        out=$(/usr/bin/python3 - "$1" "$2" "$3" "$LP_KEYS" <<'PY'
import json, shlex, sys
path, kind, op, keys = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split()
try:
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
except OSError as e:
    print("F_lines=-1 F_n=0 F_keys=" + shlex.quote(str(e)))
    lines = None
if lines is not None:
    bad, hits = "ok", []
    for n, line in enumerate(lines, 1):
        try:
            o = json.loads(line)
        except ValueError as e:
            bad = bad if bad != "ok" else "line %d is not JSON: %s" % (n, e)
            continue
        if list(o) != keys and bad == "ok":
            bad = "line %d has keys %s" % (n, list(o))
        if o.get("kind") == kind and o.get("operation") == op:
            hits.append(o)
    print("F_lines=%d F_n=%d F_keys=%s" % (len(lines), len(hits), shlex.quote(bad)))
    h = hits[0] if hits else {}
    for k in keys:
        v = h.get(k, "<absent>")
        print("F_%s=%s" % (k, shlex.quote("null" if v is None else str(v))))
else:
    for k in keys:
        print("F_%s='<absent>'" % k)
PY
)
        eval "$out"
}

# assert_re TEXT ERE WHAT: bash =~, case-sensitive.
assert_re() {
        LP_CHECKS=$((LP_CHECKS + 1))
        if [[ "$1" =~ $2 ]]; then
                pass "$3 (matches /$2/)"
        else
                fail "$3: expected to match /$2/, got '$1'"
        fi
}

# expect_finding WHAT FILE KIND OPERATION [KEY=VALUE | KEY~ERE]...: exactly
# one finding of KIND and OPERATION in FILE, every line with the keys of §4
# in order, and each named key equal to VALUE (or matching ERE).
expect_finding() {
        local what=$1 file=$2 kind=$3 op=$4
        shift 4
        fget "$file" "$kind" "$op"
        assert_eq ok "$F_keys" "$what: JSONL lines parse, keys exactly and in order"
        assert_eq 1 "$F_n" "$what: one finding $kind/$op"
        expect_keys "$what" "$@"
}

# expect_keys WHAT [KEY=VALUE | KEY~ERE]...: the F_<key> variables of the
# last fget match each spec.
expect_keys() {
        local what=$1 spec k
        shift
        for spec in "$@"; do
                if [[ "$spec" =~ ^([a-z_]+)~(.*)$ ]]; then
                        k="F_${BASH_REMATCH[1]}"
                        assert_re "${!k}" "${BASH_REMATCH[2]}" "$what: ${BASH_REMATCH[1]}"
                elif [[ "$spec" =~ ^([a-z_]+)=(.*)$ ]]; then
                        k="F_${BASH_REMATCH[1]}"
                        assert_eq "${BASH_REMATCH[2]}" "${!k}" "$what: ${BASH_REMATCH[1]}"
                else
                        fatal "expect_keys: bad spec '$spec'"
                fi
        done
}

# lpx root|nobody ARGS...: `leastpriv ARGS` with only PATH (and the words of
# $LPX_ENV) in its environment, as root or as uid 65534.
lpx() {
        local who=$1 pre=()
        shift
        # shellcheck disable=SC2207 # lp_no_tun's words
        [ "$who" = nobody ] && pre=($(lp_no_tun) setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups --)
        # shellcheck disable=SC2086 # LPX_ENV is a list of NAME=VALUE words
        capture env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$(lp_cache_env "$who")" ${LPX_ENV:-} \
                "${pre[@]}" "$LEASTPRIV" "$@"
}

# probe_errno: what the probe printed after "SUB: " in the last capture.
probe_errno() {
        local line
        line=$(grep -E '^[a-z0-9-]+: ' <<<"$LP_OUT" | head -n1)
        echo "${line#*: }"
}

# profile_line FILE ERE: the number of the first line of profiles/FILE
# matching ERE (the embedded copies are built from these files).
profile_line() {
        local n
        n=$(grep -nE -- "$2" "$LP_SOURCE/profiles/$1" | head -n1 | cut -d: -f1)
        [ -n "$n" ] || fatal "no line /$2/ in profiles/$1"
        echo "$n"
}
