#!/usr/bin/env bash
# Resource abuse under [Limits] (docs/architecture.md, "Threat model": rlimits are kernel-enforced):
# a fork bomb is capped by Processes= (RLIMIT_NPROC: fork fails with
# EAGAIN), the run still ends in bounded time with the command's own
# status, and the whole tree the bomb left behind is killed (leastpriv is
# a subreaper; docs/architecture.md, "The flow"). RLIMIT_NPROC does not bind uid 0 (the kernel
# exempts the root user whatever its capabilities), so the bomb runs as
# uid 65534: the caller itself, or root's command through [Identity].
# The probe never makes more than CAP processes itself (a safety cap), and
# every bomb process has a 30 s alarm; --timeout 20 is the launcher's net.
set -uo pipefail
source "$(dirname "$0")/escape-lib.sh"

LIMIT=40   # Processes=
SAFETY=150 # the probe's own cap, far above LIMIT
SECS=2

capped=$(profile nproc <<PROF
[Profile]
Include=default
[Limits]
Processes=$LIMIT
PROF
)
# (uid 65534: without strict's dynamic user, which needs root.)
capped_strict=$(profile nproc-strict <<PROF
[Profile]
Include=strict
[Limits]
Processes=$LIMIT
[Identity]
DynamicUser=no
PROF
)
# root's command switched to uid 65534, the way a root CI run gets a
# process limit that binds.
capped_identity=$(profile nproc-identity <<PROF
[Profile]
Include=default
[Limits]
Processes=$LIMIT
[Identity]
User=$NOBODY_UID
Group=$NOBODY_GID
PROF
)

# survivors TOKEN: processes whose command line holds TOKEN.
survivors() {
        pgrep -f -- "$1" | wc -l
}

# bomb WHO PROFILE WHAT: runs the bomb and checks the run and the cleanup;
# sets FORKS and EAGAIN from the probe's report.
bomb() {
        local token=lp-escape-bomb-$$-$RANDOM line
        rm -f "$ESC_F"
        lpx "$1" run -p "$2" --timeout 20 --findings "$ESC_F" -- "$ESCAPE" forkbomb $SECS $SAFETY "$token"
        assert_status 0 "$3: the run ends with the command's own status (not the timeout's 124)"
        assert_eq yes "$([ "$LP_ELAPSED" -le $((SECS + 8)) ] && echo yes || echo no)" \
                "$3: ended in bounded time (${LP_ELAPSED}s)"
        # No grace period: leastpriv returns once its setup child has, and
        # that child waits for the PID namespace's init, which the kernel
        # reaps only once every process of the namespace is gone.
        assert_eq 0 "$(survivors "$token")" "$3: no bomb process survives the run"
        line=$(result forkbomb)
        FORKS=$(sed -n 's/.*forks=\([0-9]*\).*/\1/p' <<<"$line")
        EAGAIN=$(sed -n 's/.*eagain=\([0-9]*\).*/\1/p' <<<"$line")
        [ -n "$FORKS" ] || { fail "$3: no report from the probe"; last_output >&2; FORKS=0 EAGAIN=0; }
}

# capped_checks WHAT: the last bomb was capped by Processes=.
capped_checks() {
        assert_ne 0 "$EAGAIN" "$1: fork failed with EAGAIN (capped by Processes=$LIMIT)"
        assert_eq yes "$([ "$FORKS" -lt $LIMIT ] && echo yes || echo no)" \
                "$1: the bomb stayed under Processes=$LIMIT ($FORKS forks)"
}

for who in $(esc_users); do
        if [ "$who" = root ]; then
                bomb root "$capped_identity" "root/[Identity] User=65534"
                capped_checks "root/[Identity] User=65534"
                # Without [Identity], root's bomb is not capped (kernel rule)
                # but must still be bounded and cleaned up.
                bomb root "$capped" "root/no identity"
                note "root without [Identity]: $FORKS forks, $EAGAIN EAGAIN (RLIMIT_NPROC does not bind uid 0)"
                continue
        fi
        bomb nobody "$capped" "nobody/default+Processes=$LIMIT"
        capped_checks "nobody/default+Processes=$LIMIT"
        bomb nobody "$capped_strict" "nobody/strict+Processes=$LIMIT"
        capped_checks "nobody/strict+Processes=$LIMIT"
        # Weakened: the default profile's Processes=4096 does not stop this
        # bomb: it reaches the probe's own cap, and the check notices.
        bomb nobody default "nobody/weakened (Processes=4096)"
        assert_eq 0 "$EAGAIN" "weakened: no EAGAIN: the bomb is no longer capped"
        assert_eq $SAFETY "$FORKS" "weakened: the bomb grew to the probe's own cap"
done
