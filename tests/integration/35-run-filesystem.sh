#!/usr/bin/env bash
# Host isolation under the embedded default profile, as root and as uid
# 65534: the host's files and kernel tunables are read-only (each refused
# write a `filesystem` finding naming the path, the rule and the fix),
# hidden paths are empty, /tmp and /dev/shm are the run's own, SysV IPC is
# the sandbox's own, the caller's descriptors stay outside unless passed.
# Host files are checked by checksum before and after; a kernel tunable is
# written only with the value just read from it, to prove the write fails.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
lp_require_root
lp_require_binaries
lp_require_nobody_access
lp_require_userns

core=/proc/sys/kernel/core_pattern
passwd_sum=$(sha256sum /etc/passwd)
shadow_sum=$(sha256sum /etc/shadow)
core_value=$(cat $core)
# The host's /tmp but for the test suite's own directories (lp-*), which
# tests running in parallel make and remove.
host_tmp() { ls -A /tmp | grep -v '^lp-' | sort; }
tmp_before=$(host_tmp)
shm_before=$(ls -A /dev/shm | sort)
mounts_before=$(wc -l </proc/self/mountinfo)

server_pid=
segment=
out=
lp_cleanup() {
        [ -n "$out" ] && rm -rf "$out"
        [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
        [ -n "$segment" ] && ipcrm -m "$segment" 2>/dev/null
        # The host safety rule: put back what a failure might have changed.
        [ "$(cat $core)" = "$core_value" ] || printf '%s\n' "$core_value" >$core
        return 0
}

# A HOME per user, with a key under ~/.ssh and a unix socket served there.
for who in root nobody; do
        home=$tmp/home-$who
        mkdir -p "$home/.ssh"
        echo "SECRET-KEY-$who" >"$home/.ssh/id_rsa"
        [ $who = nobody ] && chown -R $NOBODY_UID:$NOBODY_GID "$home"
done
chmod 755 "$tmp/home-root"

# A file only root may read, handed to the runs as descriptor 7.
echo ROOT-ONLY >"$tmp/root-only"
chmod 600 "$tmp/root-only"

# A SysV shared memory segment of the host's (removed at the end).
segment=$(ipcmk -M 4096 | grep -oE '[0-9]+$') || fatal "ipcmk failed"
segment_key=$(ipcs -m | awk -v id="$segment" '$2 == id { print $1 }')
[ -n "$segment_key" ] || fatal "the host segment $segment is not listed"

# lpf WHO ARGS...: `leastpriv run --findings FILE ARGS` as WHO with its own
# HOME; FILE is $F (readable by both afterwards).
lpf() {
        local who=$1
        shift
        F=$tmp/shared/findings-$who.$((++N)).jsonl
        local pre=()
        [ "$who" = nobody ] && pre=(setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_GID" --clear-groups --)
        capture env HOME="$tmp/home-$who" "${pre[@]}" "$LEASTPRIV" run --findings "$F" "$@"
}
N=0

fs_count() { # the number of filesystem findings in $F
        python3 -c 'import json,sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["kind"] == "filesystem"))' "$F"
}

# As root, the filesystem observer counts refused writes in the kernel
# (47-run-fs-observer.sh).
lpf root -v -- true
fs_observed=
[[ "$LP_ERR" == *"filesystem observer: attached"* ]] && fs_observed=1
for who in root nobody; do
        # ---- the host's files are read-only ----
        lpf $who -- sh -c 'echo x >> /etc/passwd'
        assert_ne 0 "$LP_STATUS" "$who: appending to /etc/passwd fails"
        assert_eq "$passwd_sum" "$(sha256sum /etc/passwd)" "$who: /etc/passwd unchanged"
        # uid 65534 meets the file's own permissions first (EACCES).
        expect_finding "$who: /etc/passwd" "$F" filesystem write target=/etc/passwd \
                action=denied errno~'^(EROFS|EACCES)$' exe=/usr/bin/dash \
                'rule~base\.profile:[0-9]+ \[Filesystem\] ProtectSystem=strict$' \
                'fix=[Filesystem] ReadWritePaths=/etc/passwd' count=1

        # A symlink in the workspace does not lead a write out of it.
        ln -sfn /etc/passwd "$tmp/shared/link-$who"
        lpf $who -- sh -c "echo x >> shared/link-$who"
        assert_ne 0 "$LP_STATUS" "$who: writing through a workspace symlink to /etc/passwd fails"
        assert_eq "$passwd_sum" "$(sha256sum /etc/passwd)" "$who: /etc/passwd still unchanged"
        expect_finding "$who: the symlink's target" "$F" filesystem write target=/etc/passwd

        # ---- kernel tunables: the value just read, written back ----
        lpf $who -- sh -c "cat $core > $core"
        assert_ne 0 "$LP_STATUS" "$who: writing $core fails"
        assert_eq "$core_value" "$(cat $core)" "$who: $core unchanged"
        expect_finding "$who: $core" "$F" filesystem write target=$core \
                'fix=[Filesystem] ProtectKernelTunables=no' \
                'rule~\[Filesystem\] ProtectKernelTunables=yes$'

        # ---- the workspace is writable, with no finding ----
        lpf $who -- sh -c "mkdir -p shared/ws-$who/a && echo hi > shared/ws-$who/a/f &&
                mv shared/ws-$who/a/f shared/ws-$who/a/g && cat shared/ws-$who/a/g &&
                rm -r shared/ws-$who"
        assert_status 0 "$who: create, rename, delete in the workspace"
        assert_eq hi "$LP_OUT" "$who: ... and read back"
        assert_eq 0 "$(fs_count)" "$who: no filesystem finding for the workspace"

        # ---- private /tmp and /dev/shm ----
        name=lp-fs-probe-$$-$who
        lpf $who -- sh -c "echo a > /tmp/$name && echo b > /dev/shm/$name && echo c > /var/tmp/$name &&
                cat /tmp/$name /dev/shm/$name /var/tmp/$name"
        assert_status 0 "$who: files in /tmp, /dev/shm, /var/tmp inside"
        assert_eq "a b c" "$(tr '\n' ' ' <<<"$LP_OUT" | sed 's/ $//')" "$who: ... readable inside"
        assert_eq "absent absent absent" \
                "$(for d in /tmp /dev/shm /var/tmp; do [ -e $d/$name ] && echo present || echo absent; done | tr '\n' ' ' | sed 's/ $//')" \
                "$who: ... and absent on the host afterwards"

        # ---- hidden paths ----
        lpf $who -- sh -c 'cat ~/.ssh/id_rsa; echo "entries: $(ls -A ~/.ssh | wc -l)"'
        assert_not_contains "$LP_OUT" SECRET-KEY "$who: ~/.ssh/id_rsa cannot be read"
        assert_contains "$LP_OUT" "entries: 0" "$who: ~/.ssh is empty inside"
        assert_eq "SECRET-KEY-$who" "$(cat "$tmp/home-$who/.ssh/id_rsa")" "$who: the key is untouched"

        lpf $who -- cat /etc/shadow
        assert_ne 0 "$LP_STATUS" "$who: /etc/shadow cannot be read"
        assert_not_contains "$LP_OUT" "root:" "$who: ... nothing of it comes out"
        assert_eq "$shadow_sum" "$(sha256sum /etc/shadow)" "$who: /etc/shadow unchanged"

        # ---- SysV IPC is the sandbox's own ----
        lpf $who -- ipcs -m
        assert_status 0 "$who: ipcs -m inside"
        assert_not_contains "$LP_OUT" "$segment_key" "$who: the host's segment is not visible"
        assert_eq 0 "$(grep -c '^0x' <<<"$LP_OUT")" "$who: no segment at all inside"

        # ---- the caller's descriptors ----
        lpf $who -- sh -c 'cat <&7' 7<"$tmp/root-only"
        assert_ne 0 "$LP_STATUS" "$who: an inherited descriptor is closed inside"
        assert_not_contains "$LP_OUT" ROOT-ONLY "$who: ... nothing read through it"
        lpf $who --pass-fd 7 -- sh -c 'cat <&7' 7<"$tmp/root-only"
        assert_status 0 "$who: --pass-fd 7 keeps it"
        assert_eq ROOT-ONLY "$LP_OUT" "$who: ... and it reads"
done

# ---- the deepest rule decides: a writable parent keeps its protected children ----
wide=$(default_plus wide $'[Filesystem]\nReadWritePaths=/var /proc\n')
name=lp-fs-probe-$$-wide
lpf root -p "$wide" -- sh -c "echo x > /var/tmp/$name && cat $core > $core"
assert_ne 0 "$LP_STATUS" "ReadWritePaths=/var /proc: $core still refused"
assert_eq "$core_value" "$(cat $core)" "... $core unchanged"
expect_finding "ReadWritePaths=/proc: $core" "$F" filesystem write target=$core \
        'fix=[Filesystem] ProtectKernelTunables=no'
LP_CHECKS=$((LP_CHECKS + 1))
if [ -e /var/tmp/$name ]; then
        fail "ReadWritePaths=/var: /var/tmp/$name reached the host"
else
        pass "ReadWritePaths=/var: /var/tmp stays private"
fi
rm -f /var/tmp/$name

# ---- root alone: reads of hidden paths are seen (fanotify) ----
lpf root -- cat /etc/shadow
expect_finding "root: reading /etc/shadow" "$F" filesystem open target=/etc/shadow action=denied \
        errno=EPERM exe=/usr/bin/cat 'fix=[Filesystem] InaccessiblePaths= without /etc/shadow'
lpf root -- sh -c 'ls -A ~/.ssh'
expect_finding "root: listing ~/.ssh" "$F" filesystem open target="$tmp/home-root/.ssh" \
        'fix=[Filesystem] InaccessiblePaths= without ~/.ssh'

# ---- connect() to a unix socket under a hidden directory ----
for who in root nobody; do
        sock=$tmp/home-$who/.ssh/agent.sock
        ready_fifo "$tmp/ready-$who" # the server says there when it listens
        python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
with open(sys.argv[2], "w") as ready:
    ready.write("ready\n")
while True:
    s.accept()[0].close()' "$sock" "$tmp/ready-$who" &
        server_pid=$!
        await_line "$tmp/ready-$who" 10 >/dev/null || fatal "the unix socket server did not start"
        [ $who = nobody ] && chown $NOBODY_UID "$sock"
        lpf $who -- python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX)
try:
    s.connect(sys.argv[1]); print("connected")
except OSError as e:
    print("refused", e.errno)' "$sock"
        assert_match "$LP_OUT" '^refused' "$who: connect() to a socket under ~/.ssh fails"
        expect_finding "$who: connect to the hidden socket" "$F" filesystem connect target="$sock" \
                'fix=[Filesystem] InaccessiblePaths= without ~/.ssh'
        kill "$server_pid"
        wait "$server_pid" 2>/dev/null
        server_pid=
done

# ---- learn: a command that writes under an outside directory ----
# Outside every private directory: /srv, which Debian ships empty (else
# /var/lib); the test's own directory there, removed at the end.
outside=/var/lib
[ -d /srv ] && [ -w /srv ] && outside=/srv
out=$(mktemp -d "$outside/lp-fs-out.XXXXXX") || fatal "mktemp in $outside"
job="mkdir -p $out/cache/x && for i in \$(seq 1 50); do echo \$i > $out/cache/x/f\$i; done && echo done"
capture "$LEASTPRIV" learn -o "$tmp/learned.profile" -- sh -c "$job"
assert_status 0 "learn of a job writing 50 files under $out"
assert_eq 1 "$(grep -c '^ReadWritePaths=' "$tmp/learned.profile")" "one ReadWritePaths= line, not 50"
assert_match "$(grep '^ReadWritePaths=' "$tmp/learned.profile")" "^ReadWritePaths=$out # " \
        "... naming the outside directory"
rm -rf "${out:?}"/*
lpf root -p "$tmp/learned.profile" -- sh -c "$job"
assert_status 0 "the learned profile runs the job"
assert_eq done "$LP_OUT" "... to its end"
assert_eq 0 "$(fs_count)" "... with no filesystem finding"
assert_eq 50 "$(ls "$out/cache/x" | wc -l)" "... and its 50 files on the host"
rm -rf "$out"
# Without the learned line it is refused, and says which line would grant it.
lpf root -- sh -c "$job"
assert_ne 0 "$LP_STATUS" "the default profile refuses the outside directory"
# mkdir -p changes into each parent and exits right after its refused
# mkdir: under the filesystem observer its relative path may be named as
# it gave it (docs/architecture.md, "The filesystem observer").
if [ -n "$fs_observed" ] && grep -q '(relative to where a process that has exited stood)' "$F"; then
        expect_finding "mkdir outside" "$F" filesystem mkdir \
                "target=$(basename "$out") (relative to where a process that has exited stood)" \
                'fix~ReadWritePaths='
else
        expect_finding "mkdir outside" "$F" filesystem mkdir target="$out" \
                "fix=[Filesystem] ReadWritePaths=$(dirname "$out")"
fi

# ---- fail closed ----
bad=$(profile bad-path <<'EOF2'
[Profile]
Include=default
[Filesystem]
ReadWritePaths=/no/such/directory
EOF2
)
lpf root -p "$bad" -- sh -c 'echo ran'
assert_status 125 "a missing ReadWritePaths= path: exit 125"
assert_contains "$LP_ERR" "$bad:4: /no/such/directory (/no/such/directory) does not exist" \
        "... with FILE:LINE"
assert_not_contains "$LP_OUT" ran "... and the command did not run"
pushd "$tmp/home-root/.ssh" >/dev/null || fatal "cd .ssh"
LP_KEEP_CWD=1 capture env HOME="$tmp/home-root" "$LEASTPRIV" run -- sh -c 'echo ran'
popd >/dev/null || fatal "cd back"
assert_status 125 "a working directory inside a hidden path: exit 125"
assert_contains "$LP_ERR" "lies inside $tmp/home-root/.ssh, which InaccessiblePaths= hides" \
        "... saying why"

# ---- no set-user-ID files (RestrictSUIDSGID=, base) ----
# A capless root command owns the caller's files in its workspace: a
# set-user-ID-root program left there would outlive the run.
L_suid=$(grep -n '^RestrictSUIDSGID=' "$LP_SOURCE/profiles/base.profile" | cut -d: -f1)
cd "$tmp/shared" || fatal "cd $tmp/shared" # writable by both
for who in root nobody; do
        lpf "$who" -- sh -c 'cp /bin/true suid-t && chmod 4755 suid-t; stat -c %a suid-t; rm -f suid-t'
        assert_eq 755 "$LP_OUT" "$who: chmod 4755 leaves the file 0755"
        expect_finding "$who: chmod 4755" "$F" syscall fchmodat action=denied errno=EPERM count=1 \
                "rule=<embedded>/base.profile:$L_suid [Filesystem] RestrictSUIDSGID=yes" \
                'fix=[Filesystem] RestrictSUIDSGID=no'
done
allow_suid=$(default_plus allow-suid $'[Filesystem]\nRestrictSUIDSGID=no\n')
lpf root -p "$allow_suid" -- sh -c 'cp /bin/true suid-t && chmod 4755 suid-t; stat -c %a suid-t; rm -f suid-t'
assert_eq 4755 "$LP_OUT" "with RestrictSUIDSGID=no the kernel decides (the test can fail)"
cd "$tmp" || fatal "cd $tmp"

# ---- nothing left behind ----
assert_eq "$tmp_before" "$(host_tmp)" \
        "no file or directory left in the host's /tmp"
assert_eq "$shm_before" "$(ls -A /dev/shm | sort)" "nor in /dev/shm"
assert_eq "$mounts_before" "$(wc -l </proc/self/mountinfo)" "no mount left on the host"
assert_eq "$passwd_sum" "$(sha256sum /etc/passwd)" "/etc/passwd unchanged at the end"
assert_eq "$core_value" "$(cat $core)" "$core unchanged at the end"
