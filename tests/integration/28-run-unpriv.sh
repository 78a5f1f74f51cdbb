#!/usr/bin/env bash
# The same core guarantees for a user without any privilege (uid 65534),
# where the namespaces come from a user namespace that maps the caller to
# itself (docs/architecture.md, "Profiles" [Network]).
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root # to become uid 65534 through setpriv
lp_require_binaries
lp_require_nobody_access
lp_require_userns

ZERO=0000000000000000
host_ns=$(readlink /proc/self/ns/net)

run_lp_nobody run -- "$PROBE" status
assert_status 0 "probe status"
for k in CapInh CapPrm CapEff CapBnd CapAmb; do
        assert_eq $ZERO "$(status_field $k)" "$k is zero"
done
assert_eq 1 "$(status_field NoNewPrivs)" "NoNewPrivs"
assert_eq 2 "$(status_field Seccomp)" "Seccomp (2 = filter)"

run_lp_nobody run -- /bin/sh -c 'echo "$(id -u) $(id -g)"'
assert_eq "$NOBODY_UID $NOBODY_GID" "$LP_OUT" "uid and gid inside are the caller's (mapped to themselves)"

run_lp_nobody run -- "$PROBE" netns
assert_ne "$host_ns" "$LP_OUT" "network namespace differs from the host's"
run_lp_nobody run -- "$PROBE" netdevs
assert_eq lo "$(tr '\n' ' ' <<<"$LP_OUT" | sed 's/ $//')" "only lo"
run_lp_nobody run -- "$PROBE" loopback-tcp
assert_probe ok "loopback TCP inside"

for sub in ptrace-traceme unshare-user mount; do
        run_lp_nobody run -- "$PROBE" $sub
        assert_probe EPERM "$sub refused"
done
run_lp_nobody run -- "$PROBE" clone3
assert_probe ENOSYS "clone3 answers ENOSYS"

# The user namespace must not hand the command root's powers over its own
# namespaces: no setuid to another mapped id, no hostname change.
run_lp_nobody run -- "$PROBE" setuid 0
assert_match "$LP_OUT" '^setuid: E(PERM|INVAL)$' "setuid(0) refused"
run_lp_nobody run -- "$PROBE" sethostname lp-itest
assert_probe EPERM "sethostname refused"

run_lp_nobody run -- "$PROBE" exit 42
assert_status 42 "exit status passes through"
run_lp_nobody run -- "$PROBE" kill-self TERM
assert_status 143 "death by SIGTERM -> 143"

# A file written inside belongs to the caller on the host.
run_lp_nobody run -- "$PROBE" write-file "$tmp/shared/owned"
assert_probe ok "write-file in a shared directory"
assert_eq "$NOBODY_UID:$NOBODY_GID" "$(stat -c %u:%g "$tmp/shared/owned" 2>/dev/null)" \
        "... owned by 65534:65534 on the host"
