#!/usr/bin/env bash
# Capabilities under `leastpriv run`: the default profile leaves none in any
# of the five sets and sets no_new_privs and a seccomp filter; Keep= leaves
# exactly the named one, usable by a non-root user through the ambient set.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

ZERO=0000000000000000
BIND=0000000000000400 # 1 << CAP_NET_BIND_SERVICE (10)

# check_caps LABEL INH OTHERS: the cap sets, NoNewPrivs and Seccomp of the
# last `probe status` run
check_caps() {
        local label=$1 inh=$2 rest=$3 k
        assert_eq "$inh" "$(status_field CapInh)" "$label: CapInh"
        for k in CapPrm CapEff CapBnd CapAmb; do
                assert_eq "$rest" "$(status_field $k)" "$label: $k"
        done
        assert_eq 1 "$(status_field NoNewPrivs)" "$label: NoNewPrivs"
        assert_eq 2 "$(status_field Seccomp)" "$label: Seccomp (2 = filter)"
}

keep=$(profile keep-bind <<'P'
[Profile]
Description=default plus CAP_NET_BIND_SERVICE
Include=default

[Capabilities]
Keep=CAP_NET_BIND_SERVICE
P
)

# --- root, default profile: nothing left ---------------------------------------
run_lp run -- "$PROBE" status
assert_status 0 "root/default: probe status"
check_caps "root/default" $ZERO $ZERO

run_lp run -- "$PROBE" bind 80
assert_match "$LP_OUT" '^bind: (EACCES|EPERM)$' "root/default: bind 0.0.0.0:80 refused without CAP_NET_BIND_SERVICE"

run_lp run -- "$PROBE" chown "$tmp" 12345
assert_probe EPERM "root/default: chown to another owner refused without CAP_CHOWN"

# --- root, Keep=CAP_NET_BIND_SERVICE: exactly bit 10 ----------------------------
run_lp run -p "$keep" -- "$PROBE" status
assert_status 0 "root/keep: probe status"
# Ambient caps must also be inheritable (capabilities(7)), so CapInh is 0x400.
check_caps "root/keep" $BIND $BIND

run_lp run -p "$keep" -- "$PROBE" bind 80
assert_probe ok "root/keep: bind 0.0.0.0:80 with CAP_NET_BIND_SERVICE"

# --- uid 65534 -------------------------------------------------------------------
lp_require_nobody_access
why=$(lp_userns_disabled_reason)
[ -z "$why" ] || skip "the root checks passed; uid 65534 part needs user namespaces: $why"

run_lp_nobody run -- "$PROBE" status
assert_status 0 "nobody/default: probe status"
check_caps "nobody/default" $ZERO $ZERO

run_lp_nobody run -- "$PROBE" bind 80
assert_match "$LP_OUT" '^bind: (EACCES|EPERM)$' "nobody/default: bind 0.0.0.0:80 refused"

run_lp_nobody run -p "$keep" -- "$PROBE" status
assert_status 0 "nobody/keep: probe status"
check_caps "nobody/keep" $BIND $BIND

run_lp_nobody run -p "$keep" -- "$PROBE" bind 80
assert_probe ok "nobody/keep: bind 0.0.0.0:80 through the ambient CAP_NET_BIND_SERVICE"

# Ambient caps survive further execve()s of ordinary programs.
run_lp_nobody run -p "$keep" -- /bin/sh -c "exec '$PROBE' bind 80"
assert_probe ok "nobody/keep: CAP_NET_BIND_SERVICE survives a second execve (ambient)"
