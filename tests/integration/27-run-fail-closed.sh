#!/usr/bin/env bash
# Fail closed (docs/architecture.md, "Threat model"): when a requested restriction or setup step
# cannot be put in place, nothing is executed, the message says what failed,
# and the exit status is 125.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
lp_require_root
lp_require_binaries

n=0
# fail_closed WHO PROFILE WHAT MESSAGE_ERE
fail_closed() {
        local who=$1 p=$2 what=$3 ere=$4 marker
        n=$((n + 1))
        marker=$tmp/shared/ran-$n
        as_user "$who" run -p "$p" -- "$PROBE" write-file "$marker"
        assert_status 125 "$who: $what -> 125"
        LP_CHECKS=$((LP_CHECKS + 1))
        if [ -e "$marker" ]; then
                fail "$who: $what: the command ran (it created $marker)"
        else
                pass "$who: $what: nothing was executed"
        fi
        assert_match "$LP_ERR" "$ere" "$who: $what: the message names the step"
        assert_match "$LP_ERR" '^leastpriv: ' "$who: $what: human output prefixed 'leastpriv:'"
}

no_user=$(profile no-user <<'P'
[Profile]
Include=default
[Identity]
User=no-such-user-xyz
P
)
fail_closed root "$no_user" "[Identity] User=no-such-user-xyz" 'no-such-user-xyz'

no_group=$(profile no-group <<'P'
[Profile]
Include=default
[Identity]
Group=no-such-group-xyz
P
)
fail_closed root "$no_group" "[Identity] Group=no-such-group-xyz" 'no-such-group-xyz'

# Valid for the parser but above fs.nr_open (1048576 by default):
# setrlimit(RLIMIT_NOFILE) fails in the child, even for root.
huge_files=$(profile huge-files <<'P'
[Profile]
Include=default
[Limits]
OpenFiles=4294967295
P
)
fail_closed root "$huge_files" "[Limits] OpenFiles=4294967295 (> fs.nr_open)" 'OpenFiles|NOFILE'

# Out of range for the parser: a profile error with FILE:LINE.
too_big=$(profile too-big <<'P'
[Profile]
Include=default
[Limits]
OpenFiles=4294967296
P
)
fail_closed root "$too_big" "[Limits] OpenFiles=4294967296 (out of range)" "$tmp/too-big.profile:4"

bad_syscall=$(profile bad-syscall <<'P'
[Profile]
Include=default
[Syscalls]
Allow=no_such_syscall_xyz
P
)
fail_closed root "$bad_syscall" "Allow=no_such_syscall_xyz" 'no_such_syscall_xyz'

bad_cap=$(profile bad-cap <<'P'
[Profile]
Include=default
[Capabilities]
Keep=CAP_NO_SUCH_CAP
P
)
fail_closed root "$bad_cap" "Keep=CAP_NO_SUCH_CAP" 'CAP_NO_SUCH_CAP|NO_SUCH_CAP'

# Root without CAP_SYS_ADMIN, as in a default container: no namespace and
# no mount can be made, so the default profile cannot run (125, naming the
# step and what turns it off); each part turned off in turn moves the
# failure to the next, and with all of them off the command runs.
no_admin=(setpriv --bounding-set -sys_admin --)
hostnet=$(default_plus hostnet "$LP_HOST_NETWORK")
fsonly=$(default_plus fsonly "$LP_HOST_NETWORK" "$LP_HOST_IPC_UTS")
nothing=$(default_plus nothing "$LP_HOST_NETWORK" "$LP_HOST_IPC_UTS" "$LP_HOST_FILES")
for p in default "$hostnet"; do
        capture "${no_admin[@]}" "$LEASTPRIV" run -p "$p" -- sh -c 'echo ran'
        assert_status 125 "no CAP_SYS_ADMIN, $(basename "$p"): 125"
        assert_not_contains "$LP_OUT" ran "... nothing executed"
        assert_contains "$LP_ERR" "create network, IPC and UTS namespaces failed: Operation not permitted" \
                "... names the namespace step"
        assert_contains "$LP_ERR" "[Host] PrivateIPC=no and ProtectHostname=no" "... and what turns it off"
done
capture "${no_admin[@]}" "$LEASTPRIV" run -p "$fsonly" -- sh -c 'echo ran'
assert_status 125 "no CAP_SYS_ADMIN, only the [Filesystem] rules: 125"
assert_contains "$LP_ERR" "create a mount namespace failed: Operation not permitted" \
        "... names the mount step"
assert_contains "$LP_ERR" "[Filesystem] ProtectSystem=no" "... and what turns it off"
capture "${no_admin[@]}" "$LEASTPRIV" run -q -p "$nothing" -- sh -c 'echo ran'
assert_status 0 "no CAP_SYS_ADMIN, every namespace and mount off: runs"
assert_eq ran "$LP_OUT" "... to its end"

lp_require_nobody_access

# A non-root user on the host network has no capability to keep: without a
# user namespace (Namespace=host) CAP_NET_BIND_SERVICE cannot be granted.
host_keep=$(profile host-keep <<'P'
[Profile]
Include=default
[Network]
Namespace=host
[Capabilities]
Keep=CAP_NET_BIND_SERVICE
P
)
fail_closed nobody "$host_keep" "uid 65534, Namespace=host, Keep=CAP_NET_BIND_SERVICE" \
        'CAP_NET_BIND_SERVICE|capabilit'

# A non-root user cannot switch to another user.
to_root=$(profile to-root <<'P'
[Profile]
Include=default
[Identity]
User=root
P
)
fail_closed nobody "$to_root" "uid 65534, [Identity] User=root" 'User|identity|root|setuid|setresuid'

fail_closed nobody "$no_user" "uid 65534, [Identity] User=no-such-user-xyz" 'no-such-user-xyz'
fail_closed nobody "$huge_files" "uid 65534, [Limits] OpenFiles=4294967295" 'OpenFiles|NOFILE'
