#!/usr/bin/env bash
# Namespaces (docs/architecture.md, "Threat model"): unshare() and clone() with any namespace flag
# are refused with EPERM and reported, one finding per flag; clone3 answers
# ENOSYS in the kernel (libc falls back to clone, whose flags the filter
# can see) and is deliberately not a finding; setns() back into the host's
# network namespace, through an fd the test hands over, is refused.
set -uo pipefail
source "$(dirname "$0")/escape-lib.sh"

FLAGS="CLONE_NEWNS CLONE_NEWUTS CLONE_NEWIPC CLONE_NEWUSER CLONE_NEWPID CLONE_NEWNET CLONE_NEWCGROUP CLONE_NEWTIME"
L_ns=$(deny_rule namespaces)

# fd 9: the host's network namespace (the test runs there), inherited by
# the command: the real way back out of leastpriv's namespace. The path
# /proc/1/ns/net is tried as well; where it cannot even be opened (pid 1
# of a container) the probe says so and only the fd is checked.
exec 9</proc/self/ns/net || fatal "cannot open /proc/self/ns/net"

# Bare as root every attack works (each in a child that exits at once):
# the refusals below can only come from leastpriv.
capture "$ESCAPE" ns fd:9
for f in $FLAGS; do
        expect_result "bare" "unshare-$f" ok
        [ "$f" = CLONE_NEWTIME ] || expect_result "bare" "clone-$f" ok
done
expect_result "bare" clone3 ok
expect_result "bare" setns-fd ok

ns_checks() {
        local who=$1 prof=$2 w=$1/$2 f
        esc_run "$who" "$prof" "$ESCAPE" ns fd:9 /proc/1/ns/net
        assert_status 1 "$w: the probe ran to its end"
        for f in $FLAGS; do
                expect_refused "$w" "unshare-$f" EPERM
                expect_target "$w: unshare $f" syscall unshare "unshare($f)" \
                        action=denied errno=EPERM count=1 exe="$ESCAPE" rule="$L_ns" \
                        fix='[Syscalls] Allow=unshare'
                # CLONE_NEWTIME is 0x80, clone()'s exit-signal byte: not a
                # clone flag, only unshare and clone3 take it.
                [ "$f" = CLONE_NEWTIME ] && continue
                expect_refused "$w" "clone-$f" EPERM
                expect_target "$w: clone $f" syscall clone "clone($f)" \
                        action=denied errno=EPERM count=1 exe="$ESCAPE" \
                        "rule~built-in hardening: clone\($f\)" fix='[Syscalls] Allow=clone'
        done
        expect_refused "$w" clone3 ENOSYS
        expect_no_finding "$w: clone3 answered in the kernel" syscall clone3
        expect_refused "$w" setns-fd EPERM
        if [ "$(result setns-open)" = "" ]; then
                expect_refused "$w" setns-path EPERM
                expect_target "$w: setns" syscall setns "setns()" action=denied errno=EPERM \
                        count=2 rule="$L_ns" fix='[Syscalls] Allow=setns'
        else
                note "$w: /proc/1/ns/net cannot be opened here ($(result setns-open)); setns checked through the fd"
                expect_target "$w: setns" syscall setns "setns()" action=denied errno=EPERM \
                        count=1 rule="$L_ns" fix='[Syscalls] Allow=setns'
        fi
}

for who in $(esc_users); do
        ns_checks "$who" default
        ns_checks "$who" strict
done

# Weakened: unshare and clone allowed by name turn the hardening off. A
# new user namespace needs no capability, so it is now created, and no
# namespace attempt is reported as a denied syscall any more.
weak=$(profile allow-ns <<'PROF'
[Profile]
Include=default
[Syscalls]
Allow=unshare clone
PROF
)
esc_run root "$weak" "$ESCAPE" ns
expect_result "weakened (Allow=unshare clone)" unshare-CLONE_NEWUSER ok
expect_result "weakened (Allow=unshare clone)" clone-CLONE_NEWUSER ok
tget "$ESC_F" syscall unshare "unshare(CLONE_NEWUSER)"
assert_eq 0 "$F_n" "weakened: unshare(CLONE_NEWUSER) no longer a denied-syscall finding"
tget "$ESC_F" syscall clone "clone(CLONE_NEWUSER)"
assert_eq 0 "$F_n" "weakened: clone(CLONE_NEWUSER) no longer a denied-syscall finding"
