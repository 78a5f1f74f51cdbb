#!/usr/bin/env bash
# CAP_SYS_RESOURCE, which every profile drops, is a finding where the
# kernel refuses for its want: raising a hard rlimit above the process's
# own (`ulimit -H`, prlimit64) and prctl(PR_SET_MM). Lowering a limit,
# reading one, and PR_SET_MM_MAP_SIZE (checkpoint/restore's, no
# capability) stay findings-free. As root and as uid 65534.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
lp_require_root
lp_require_binaries
lp_require_nobody_access

cat >"$tmp/set_mm.py" <<'EOF'
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_MM, PR_SET_MM_START_CODE, PR_SET_MM_MAP_SIZE = 35, 1, 15
size = ctypes.c_uint()
r = libc.prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, ctypes.byref(size), 0, 0)
print("map_size", r)
r = libc.prctl(PR_SET_MM, PR_SET_MM_START_CODE, 0x400000, 0, 0)
print("start_code", r, ctypes.get_errno())
EOF
chmod 644 "$tmp/set_mm.py"

check_user() {
        local who=$1
        # The default profile's hard limit of open files is 4096.
        as_user "$who" run --findings "$tmp/shared/$who-rl.jsonl" -- \
                sh -c 'ulimit -S -n 100; ulimit -H -n 200; ulimit -H -n; ulimit -H -n 999999 2>/dev/null; echo $?'
        assert_eq $'200\n2' "$LP_OUT" "$who: lowering works, raising the hard limit is refused"
        fget "$tmp/shared/$who-rl.jsonl" capability CAP_SYS_RESOURCE
        assert_eq 1 "$F_n" "$who: one CAP_SYS_RESOURCE finding"
        assert_eq 1 "$F_count" "$who: for the one raise"
        assert_eq "prlimit64(RLIMIT_NOFILE, hard 200 -> 999999)" "$F_target" \
                "$who: the raise, from and to"
        assert_eq EPERM "$F_errno" "$who: the kernel's errno"

        as_user "$who" run --findings "$tmp/shared/$who-mm.jsonl" -- /usr/bin/python3 set_mm.py
        assert_eq $'map_size 0\nstart_code -1 1' "$LP_OUT" \
                "$who: PR_SET_MM_MAP_SIZE answers, PR_SET_MM_START_CODE is EPERM"
        fget "$tmp/shared/$who-mm.jsonl" capability CAP_SYS_RESOURCE
        assert_eq 1 "$F_n" "$who: one PR_SET_MM finding"
        assert_eq "prctl(PR_SET_MM, 1)" "$F_target" "$who: PR_SET_MM target"
        assert_eq 1 "$F_count" "$who: PR_SET_MM count"

        # Reading limits (prlimit64 without a new one) is not looked at.
        as_user "$who" run --findings "$tmp/shared/$who-read.jsonl" -- sh -c 'ulimit -a >/dev/null'
        assert_status 0 "$who: ulimit -a"
        fget "$tmp/shared/$who-read.jsonl" capability CAP_SYS_RESOURCE
        assert_eq 0 "$F_n" "$who: reading limits is no finding"
}

check_user root
if [ -n "$(lp_userns_disabled_reason)" ]; then
        note "uid 65534 half not run: unprivileged user namespaces are off"
else
        check_user nobody
fi
