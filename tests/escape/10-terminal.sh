#!/usr/bin/env bash
# Terminal injection (docs/architecture.md, "Threat model": ioctl(TIOCSTI) and ioctl(TIOCLINUX) are
# denied unless the profile allows ioctl by name). The launcher runs inside
# a real pty (pty-run.py) and keeps it as the command's controlling
# terminal, which is exactly what a hostile test would push keystrokes
# into (CVE-2017-5226 in bubblewrap). The request is also sent with high
# bits set (0x1_00005412): the kernel reads 32 bits, so must the filter.
set -uo pipefail
source "$(dirname "$0")/escape-lib.sh"

ATTACKS=(tiocsti tiocsti-hi tioclinux tioclinux-hi)
transcript=$tmp/shared/transcript

# tty_run WHO PROFILE: esc_run inside a fresh pty; LP_OUT is the transcript
# of the terminal (the probe's lines, leastpriv's summary, and the echo of
# whatever got injected).
tty_run() {
        local who=$1 prof=$2 pre=() p=()
        [ "$who" = nobody ] && pre=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups --)
        esc_profile_args "$who" "$prof"
        p=("${ESC_P[@]}")
        rm -f "$ESC_F" "$transcript"
        capture /usr/bin/python3 "$PTY_RUN" "$transcript" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
                "$(lp_cache_env "$who")" "${pre[@]}" "$LEASTPRIV" run "${p[@]}" --timeout 60 --findings "$ESC_F" -- \
                "$ESCAPE" tty "${ATTACKS[@]}"
        LP_OUT=$(cat "$transcript" 2>/dev/null)
}

# Bare, the probe's injection works and shows in the transcript: the
# checks below can tell a refusal from a probe that does nothing.
capture /usr/bin/python3 "$PTY_RUN" "$transcript" "$ESCAPE" tty "${ATTACKS[@]}"
LP_OUT=$(cat "$transcript" 2>/dev/null)
expect_result "bare" tiocsti ok
expect_result "bare" tiocsti-hi ok
assert_contains "$LP_OUT" "{lp-inject-sti}" "bare: injected bytes echoed by the terminal"
assert_ne EPERM "$(result tioclinux)" "bare: TIOCLINUX on a pty fails, but not with EPERM"

for who in $(esc_users); do
        for prof in default strict; do
                w="$who/$prof"
                tty_run "$who" "$prof"
                assert_status 1 "$w: the probe ran to its end (exit 1: refused)"
                for a in "${ATTACKS[@]}"; do
                        expect_refused "$w" "$a" EPERM
                done
                assert_not_contains "$LP_OUT" "{lp-inject" "$w: nothing reached the terminal's input"
                # Low and high-bits forms are one finding each, counted twice
                # (the fd of /dev/tty depends on what the caller left open).
                expect_target "$w: TIOCSTI" syscall ioctl '~ioctl\([0-9]+, TIOCSTI\)' \
                        action=denied errno=EPERM count=2 exe="$ESCAPE" \
                        'rule~built-in hardening: ioctl\(TIOCSTI\)' fix='[Syscalls] Allow=ioctl'
                expect_target "$w: TIOCLINUX" syscall ioctl '~ioctl\([0-9]+, TIOCLINUX\)' \
                        action=denied errno=EPERM count=2 exe="$ESCAPE" \
                        'rule~built-in hardening: ioctl\(TIOCLINUX\)' fix='[Syscalls] Allow=ioctl'
        done
done

# Weakened: ioctl allowed by name turns the hardening off. The same probe
# now injects, and nothing is reported: this test notices the removal.
weak=$(profile allow-ioctl <<'PROF'
[Profile]
Include=default
[Syscalls]
Allow=ioctl
PROF
)
tty_run root "$weak"
expect_result "weakened (Allow=ioctl)" tiocsti ok
expect_result "weakened (Allow=ioctl)" tiocsti-hi ok
assert_contains "$LP_OUT" "{lp-inject-sti}" "weakened: the injection reached the terminal"
expect_no_finding "weakened" syscall ioctl
