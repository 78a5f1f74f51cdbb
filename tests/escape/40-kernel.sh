#!/usr/bin/env bash
# Kernel attack surface (docs/architecture.md, "Threat model", profiles/default.profile): the calls
# that hand a test kernel-level power, or a large attack surface, are
# refused with EPERM under default and reported with the profile line that
# refused them; under strict, what no line names (userfaultfd, personality)
# kills the process (159) and is reported as killed. Attacks on a sibling
# process (process_vm_writev, ptrace attach) leave its memory untouched.
# name_to_handle_at is allowed (@file-system): it only names a file; the
# privilege ("shocker") is open_by_handle_at, which is refused.
set -uo pipefail
source "$(dirname "$0")/escape-lib.sh"

# Each is refused through Deny=@GROUP (or DefaultAction for "-").
GROUPS_OF="bpf:bpf perf_event_open:debug userfaultfd:- io_uring_setup:io-uring keyctl:keyring
add_key:keyring kexec_load:reboot init_module:module finit_module:module
open_by_handle_at:privileged personality:- process_vm_writev:debug ptrace:debug"
# The probe's attacks, in the order it makes them.
ATTACKS=(bpf perf_event_open userfaultfd io_uring_setup keyctl add_key kexec_load init_module
        finit_module name_to_handle_at open_by_handle_at personality-read-implies-exec
        personality-addr-no-randomize sibling)
# What no profile line names: DefaultAction decides (killed under strict).
UNNAMED="userfaultfd personality-read-implies-exec"

# Bare as root: the attacks that are harmless when they succeed do succeed,
# so a refusal below comes from leastpriv. The module and kexec calls carry
# an image or architecture the kernel rejects after its permission check:
# bare they fail, just not with EPERM.
capture "$ESCAPE" kern "${ATTACKS[@]}"
for a in bpf perf_event_open userfaultfd io_uring_setup keyctl add_key name_to_handle_at \
        open_by_handle_at personality-read-implies-exec personality-addr-no-randomize \
        process_vm_writev ptrace-attach; do
        got=$(result $a)
        [ "$got" = ok ] || note "bare root: '$a' already fails here ($got); its check below proves less"
done
for a in kexec_load init_module finit_module; do
        assert_ne ok "$(result $a)" "bare root: $a is harmless (rejected by the kernel after its permission check)"
done
expect_result "bare root" sibling-modified yes

rule_of() { # SYSCALL PROFILE: the rule expected for a refusal of SYSCALL
        local g
        g=$(tr ' ' '\n' <<<"$GROUPS_OF" | sed -n "s/^$1:\(.*\)/\1/p")
        if [ "$g" != - ]; then
                deny_rule "$g"
        elif [ "$2" = strict ]; then
                echo "$E/strict.profile:$L_strict_kill [Syscalls] DefaultAction=kill"
        else
                echo "$E/base.profile:$L_default_action [Syscalls] DefaultAction=errno:EPERM"
        fi
}

# check_denied W PROFILE SYSCALL PROBE_KEY TARGET_ERE [COUNT]
check_denied() {
        expect_refused "$1" "$4" EPERM
        expect_finding "$1: $3" "$ESC_F" syscall "$3" "target~$5" action=denied errno=EPERM \
                count="${6:-1}" exe="$ESCAPE" rule="$(rule_of "$3" "$2")" fix="[Syscalls] Allow=$3"
}

kern_checks() {
        local who=$1 prof=$2 w=$1/$2 attacks=() a
        # Under strict the unnamed ones kill: each gets a run of its own.
        for a in "${ATTACKS[@]}"; do
                [ "$prof" = strict ] && [[ "$a" =~ ^(userfaultfd|personality-) ]] && continue
                attacks+=("$a")
        done
        esc_run "$who" "$prof" "$ESCAPE" kern "${attacks[@]}"
        assert_status 1 "$w: the probe ran to its end"
        check_denied "$w" "$prof" bpf bpf '^bpf\(\)$'
        check_denied "$w" "$prof" perf_event_open perf_event_open '^perf_event_open\(\)$'
        check_denied "$w" "$prof" io_uring_setup io_uring_setup '^io_uring_setup\(\)$'
        check_denied "$w" "$prof" keyctl keyctl '^keyctl\(\)$'
        check_denied "$w" "$prof" add_key add_key '^add_key\(\)$'
        check_denied "$w" "$prof" kexec_load kexec_load '^kexec_load\(\)$'
        check_denied "$w" "$prof" init_module init_module '^init_module\('
        check_denied "$w" "$prof" finit_module finit_module '^finit_module\(\)$'
        check_denied "$w" "$prof" open_by_handle_at open_by_handle_at '^open_by_handle_at\(\)$'
        check_denied "$w" "$prof" process_vm_writev process_vm_writev '^process_vm_writev\([0-9]+\)$'
        check_denied "$w" "$prof" ptrace ptrace-attach '^ptrace\(PTRACE_ATTACH, [0-9]+\)$'
        expect_result "$w" sibling-modified no
        expect_result "$w" name_to_handle_at ok
        expect_no_finding "$w: name_to_handle_at (allowed: @file-system)" syscall name_to_handle_at
        if [ "$prof" != strict ]; then
                check_denied "$w" "$prof" userfaultfd userfaultfd '^userfaultfd\(\)$'
                expect_refused "$w" personality-addr-no-randomize EPERM
                # Both personas are one finding (the target has no flags).
                check_denied "$w" "$prof" personality personality-read-implies-exec \
                        '^personality\(\)$' 2
                return
        fi
        for a in $UNNAMED; do
                esc_run "$who" "$prof" "$ESCAPE" kern "$a"
                assert_status $SIGSYS_STATUS "$w: $a kills (DefaultAction=kill)"
                assert_not_contains "$LP_OUT" "$a: " "$w: $a: killed before the call returned"
                expect_finding "$w: $a" "$ESC_F" syscall "${a%%-*}" action=killed errno=null \
                        count=1 exe="$ESCAPE" rule="$(rule_of "${a%%-*}" strict)" \
                        fix="[Syscalls] Allow=${a%%-*}"
        done
}

for who in $(esc_users); do
        kern_checks "$who" default
        kern_checks "$who" strict
done

# Weakened: the same probe under a profile that allows these calls by name.
# What needs no capability now succeeds (the sibling's memory is written),
# and no allowed call is reported. bpf still fails, in the kernel (no
# CAP_BPF; unprivileged bpf is off on most hosts), but is not reported.
weak=$(profile allow-kernel <<'PROF'
[Profile]
Include=default
[Syscalls]
Allow=bpf perf_event_open userfaultfd io_uring_setup personality ptrace process_vm_writev
PROF
)
esc_run root "$weak" "$ESCAPE" kern "${ATTACKS[@]}"
for a in perf_event_open userfaultfd io_uring_setup personality-read-implies-exec \
        process_vm_writev ptrace-attach; do
        expect_result "weakened (Allow=...)" $a ok
done
expect_result "weakened" sibling-modified yes
for s in bpf perf_event_open userfaultfd io_uring_setup personality ptrace process_vm_writev; do
        expect_no_finding "weakened: $s allowed" syscall $s
done
