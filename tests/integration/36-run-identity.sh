#!/usr/bin/env bash
# [Identity] DynamicUser=yes: each run is a uid of its own, allocated for
# it and given back. Two concurrent runs get different uids and cannot
# read each other's private files, signal or trace each other; a root-only
# file is unreadable even with the host's files writable; what the run
# writes in its workspace belongs to the caller on disk; what it leaves
# behind (files in shared directories, SysV IPC objects) is removed and
# reported; the uid is reused only once it is free; without root, the
# profile is refused with exit 125. Runs that touch shared places do so in
# namespaces of the test's own (unshare): a tmpfs over /tmp, an IPC
# namespace.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/findings-lib.sh"
lp_require_root
lp_require_binaries
lp_require_nobody_access
command -v unshare >/dev/null || skip "unshare (util-linux) not installed"

first=61184
last=65519
in_range() { [[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge $first ] && [ "$1" -le $last ]; }

dyn=$(profile dyn <<'EOF'
[Profile]
Include=default
[Identity]
DynamicUser=yes
EOF
)
# The host's files writable by permissions, /tmp the host's: the places
# where two runs meet.
shared=$(default_plus shared "$LP_HOST_FILES" $'ReadWritePaths=\n[Identity]\nDynamicUser=yes\n')
same=$(default_plus same "$LP_HOST_FILES" $'ReadWritePaths=\n')

a_pid=
fifo=$tmp/shared/release
closed=
lp_cleanup() {
        [ -n "$closed" ] && rm -rf "$closed"
        # A run still waiting is let go (and then ends by itself).
        [ -p "$fifo" ] && timeout 5 sh -c "echo >'$fifo'" 2>/dev/null
        [ -n "$a_pid" ] && wait "$a_pid" 2>/dev/null
        return 0
}

# ---- who the command is -------------------------------------------------------

run_lp run -p "$dyn" -- sh -c 'id -u; id -g; id -G; whoami; echo "$USER"'
assert_status 0 "a DynamicUser run"
read -r -d '' uid gid groups name user <<<"$LP_OUT"
in_range "$uid" && pass "the command's uid $uid is in $first-$last" ||
        fail "the command's uid is '$uid', not in $first-$last"
assert_eq "$uid" "$gid" "the gid is the uid's number"
assert_eq "$uid" "$groups" "no supplementary groups"
assert_eq "leastpriv-$uid" "$name" "whoami names the run's user (/etc/passwd in the view)"
USER=root run_lp run -p "$dyn" -- sh -c 'echo "$USER"'
assert_eq "leastpriv-$uid" "$LP_OUT" "USER names the run's user"
assert_eq "" "$(getent passwd "$uid")" "the host's /etc/passwd is unchanged"

# ---- the workspace --------------------------------------------------------------

mkdir -m 755 "$tmp/ws"
echo mine >"$tmp/ws/old"
chmod 600 "$tmp/ws/old"
cd "$tmp/ws" || fatal "cd $tmp/ws"
capture "$LEASTPRIV" run -p "$dyn" -- sh -c \
        'cat old && echo new >new && mkdir dir && echo x >dir/file && stat -c %u:%g new'
cd "$tmp" || fatal "cd $tmp"
assert_status 0 "the run reads and writes its workspace"
assert_eq "mine"$'\n'"$uid:$uid" "$LP_OUT" "inside, the caller's 0600 file is readable and new files are the run's"
assert_eq "0:0 0:0 0:0" "$(stat -c %u:%g "$tmp/ws/new" "$tmp/ws/dir" "$tmp/ws/dir/file" | xargs)" \
        "on disk, what the run made belongs to the caller"

# A set-user-ID file of the run's would be the caller's (root's) on disk:
# refused, like systemd's RestrictSUIDSGID=, and reported.
cd "$tmp/ws" || fatal "cd $tmp/ws"
capture "$LEASTPRIV" run -p "$dyn" --findings "$tmp/suid.jsonl" -- sh -c \
        'cp /bin/true t && chmod 755 t && { chmod u+s t; chmod g+s t; stat -c %a t; }'
cd "$tmp" || fatal "cd $tmp"
assert_eq 755 "$LP_OUT" "chmod u+s and g+s change nothing"
assert_eq "0" "$(find "$tmp/ws" -perm /6000 | wc -l)" "no set-user-ID or set-group-ID file on disk"
expect_finding "chmod u+s" "$tmp/suid.jsonl" syscall fchmodat action=denied errno=EPERM count=2 \
        'rule~dyn\.profile:4 \[Identity\] DynamicUser=yes: no set-user-ID or set-group-ID files$' \
        'fix=[Identity] DynamicUser=no and [Filesystem] RestrictSUIDSGID=no'
run_lp run -p "$dyn" -- /usr/bin/python3 -c "
import os
try:
    os.open('$tmp/ws/s', os.O_CREAT | os.O_WRONLY, 0o4755)
except OSError as e:
    print(e.errno == 1)"
assert_eq True "$LP_OUT" "open(O_CREAT) with S_ISUID is refused with EPERM"

# ---- a root-only file, with the host's files writable -----------------------------

echo ROOT-ONLY >"$tmp/root-only"
chmod 600 "$tmp/root-only"
run_lp run -p "$shared" -- cat "$tmp/root-only"
assert_status 1 "cat of a root-only file as the run's user"
assert_contains "$LP_ERR" "Permission denied" "the file is refused by its permissions"
assert_not_contains "$LP_OUT" "ROOT-ONLY" "nothing of it is read"
run_lp run -p "$same" -- cat "$tmp/root-only"
assert_eq "ROOT-ONLY" "$LP_OUT" "the same profile without DynamicUser= reads it (the test can fail)"

# ---- two concurrent runs -----------------------------------------------------------

# Run A makes a private file in the shared directory and waits on a FIFO.
mkfifo -m 666 "$fifo"
F_A=$tmp/a.jsonl
# Its uid, written to a FIFO once the file is there, says it is ready.
ready_fifo "$tmp/shared/a.ready"
(cd "$tmp/shared" && exec "$LEASTPRIV" run -p "$shared" --findings "$F_A" -- sh -c \
        'umask 077; echo A-SECRET >a.secret; id -u >a.ready; read x <release' \
        >"$tmp/a.out" 2>"$tmp/a.err") &
a_pid=$!
uid_a=$(await_line "$tmp/shared/a.ready" 30) || fatal "run A did not start: $(cat "$tmp/a.err")"
run_lp run -p "$shared" -- sh -c "id -u; cat '$tmp/shared/a.secret'"
uid_b=$(head -n1 <<<"$LP_OUT")
in_range "$uid_b" && pass "run B's uid $uid_b is in the range" || fail "run B's uid is '$uid_b'"
assert_ne "$uid_a" "$uid_b" "two concurrent runs get different uids"
assert_contains "$LP_ERR" "Permission denied" "run B cannot read run A's private file"
assert_not_contains "$LP_OUT" "A-SECRET" "nothing of it is read"
run_lp run -p "$same" -- cat "$tmp/shared/a.secret"
assert_status 1 "without DynamicUser= the root-less root cannot read it either (it is A's)"

# Signals and ptrace: the PID namespaces keep the runs from naming each
# other's processes at all; below that, the uids alone refuse it. Shown
# from the host, with run B's credentials against run A's command.
a_cmd=$(pgrep -u "$uid_a" -x sh | head -n1)
[ -n "$a_cmd" ] || fatal "run A's command is not found by its uid $uid_a"
as_uid() { setpriv --reuid="$1" --regid="$1" --clear-groups --inh-caps=-all --bounding-set=-all -- "${@:2}"; }
as_uid "$uid_b" kill -0 "$a_cmd" 2>/dev/null
assert_eq 1 "$?" "run B's uid cannot signal run A's command"
as_uid "$uid_a" kill -0 "$a_cmd" 2>/dev/null
assert_eq 0 "$?" "run A's own uid can (the test can fail)"
capture setpriv --reuid="$uid_b" --regid="$uid_b" --clear-groups -- "$PROBE" ptrace-attach "$a_cmd"
assert_contains "$LP_OUT" "EPERM" "run B's uid cannot ptrace-attach run A's command"
capture setpriv --reuid="$uid_a" --regid="$uid_a" --clear-groups -- "$PROBE" ptrace-attach "$a_cmd"
assert_not_contains "$LP_OUT" "EPERM" "run A's own uid is not refused by the uid check (the test can fail)"

# The uid is reused only once it is free: while A holds its uid, a new run
# gets another; once A has ended, the lowest free uid is A's again.
run_lp run -p "$dyn" -- id -u
assert_ne "$uid_a" "$LP_OUT" "a third run does not get A's uid while A runs"
echo >"$fifo"
wait "$a_pid"
a_status=$?
a_pid=
assert_eq 0 "$a_status" "run A ends when released"
fget "$F_A" identity file
assert_eq 1 "$F_n" "run A's private file in the shared directory is reported"
assert_eq "$tmp/shared/a.secret" "$F_target" "the finding names the file"
assert_eq cleaned "$F_action" "its action is cleaned"
assert_re "$F_rule" 'shared\.profile:[0-9]+ \[Identity\] DynamicUser=yes$' "it cites the line that asked for the dynamic user"
[ -e "$tmp/shared/a.secret" ] && fail "run A's file is still there" || pass "run A's file is removed"
assert_eq "" "$(find "$tmp" -uid "$uid_a" -o -gid "$uid_a")" "nothing of uid $uid_a is left in the test's directory"
run_lp run -p "$dyn" -- id -u
assert_eq "$uid_a" "$LP_OUT" "after A, its uid is given out again"
[ -e "/run/leastpriv/dynamic-id/$uid_b" ] && fail "run B's lock file is left" ||
        pass "no lock file is left once the uid is given back"

# ---- systemd's DynamicUser= allocations -------------------------------------------

# Under a /run/systemd of the test's own (a mount namespace): ids systemd
# holds (a file there that a process has lockf'ed, as systemd does) are
# skipped, and the run's id is locked there too (so that systemd skips
# it), then given back. A file nobody locks (a dead holder's) is no hold.
cat >"$tmp/systemd.sh" <<EOF
set -e
mount -t tmpfs -o mode=0755 lp-test /run/systemd
mkdir -m 0755 /run/systemd/dynamic-uid
: >/run/systemd/dynamic-uid/$((first + 16)) # unlocked: taken
python3 -c '
import fcntl, os, sys
fds = [os.open("/run/systemd/dynamic-uid/%d" % i, os.O_RDWR | os.O_CREAT) for i in range($first, $((first + 16)))]
for fd in fds:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("locked", flush=True)
sys.stdin.read()' <"$tmp/locks.fifo" >"$tmp/ready.fifo" &
exec 3>"$tmp/locks.fifo"
read -r ready <"$tmp/ready.fifo" # the locks are held
"$LEASTPRIV" run -q -p "$dyn" -- sh -c 'id -u; ls /run/systemd/dynamic-uid | wc -l'
echo "after: \$(ls /run/systemd/dynamic-uid | wc -l)"
exec 3>&-
wait
EOF
mkfifo "$tmp/locks.fifo" "$tmp/ready.fifo"
chmod 644 "$tmp/systemd.sh"
capture unshare --mount --propagation private bash "$tmp/systemd.sh"
assert_status 0 "a run beside systemd's dynamic users"
read -r -d '' uid_s during after <<<"$LP_OUT"
assert_eq $((first + 16)) "$uid_s" "the ids systemd holds are skipped, a dead holder's file is not"
assert_eq 17 "$during" "during the run, its id is locked in systemd's directory too"
assert_eq "after: 16" "$after" "... and its file removed after it"

# ---- leftovers: a daemon, SysV objects, files in /dev/shm -----------------------------

# In an IPC namespace and under a /dev/shm of the test's own: the host's
# are not touched. PrivateIPC=no and PrivateTmp=no make them the command's.
left=$(default_plus left "$LP_HOST_FILES" $'ReadWritePaths=\n' "$LP_HOST_IPC_UTS" $'[Identity]\nDynamicUser=yes\n')
F_L=$tmp/left.jsonl
cat >"$tmp/leftovers.sh" <<EOF
set -e
mount -t tmpfs -o mode=1777 lp-test /dev/shm
"$LEASTPRIV" run -p "$left" --findings "$F_L" -- sh -c '
        ipcmk -M 4096 >/dev/null; ipcmk -S 2 >/dev/null; ipcmk -Q >/dev/null
        echo left >/dev/shm/left-behind; mkdir /dev/shm/dir-behind; echo x >/dev/shm/dir-behind/inside
        setsid sh -c "sleep 1000" </dev/null >/dev/null 2>&1 &
        id -u'
echo "objects: \$(ipcs -a | grep -c '^0x' || true)"
echo "files: \$(find /dev/shm -mindepth 1 | wc -l)"
EOF
chmod 644 "$tmp/leftovers.sh"
capture unshare --ipc --mount --propagation private bash "$tmp/leftovers.sh"
assert_status 0 "a run that leaves a daemon, SysV objects and files"
uid_l=$(head -n1 <<<"$LP_OUT")
in_range "$uid_l" && pass "it ran as $uid_l" || fail "it ran as '$uid_l'"
assert_contains "$LP_OUT" "objects: 0" "no SysV object is left in its IPC namespace"
assert_contains "$LP_OUT" "files: 0" "no file is left in its /dev/shm"
for op in shm sem msg; do
        fget "$F_L" identity $op
        assert_eq 1 "$F_n" "the $op object left behind is reported"
        assert_eq cleaned "$F_action" "the $op object was cleaned"
done
fget "$F_L" identity file
assert_eq 3 "$F_n" "three files left in /dev/shm are reported (a file, a directory, a file in it)"
pgrep -u "$uid_l" >/dev/null && fail "a process of uid $uid_l is still running" ||
        pass "the daemon is gone with the run"

# ---- the workspace must be reachable, and idmappable -------------------------------

# Outside /tmp (whose private tmpfs would hold a reachable copy of the
# path): /srv, which Debian ships empty (else /var/lib); the test's own
# directory there, mode 0700 as mktemp makes it, removed at the end.
outside=/var/lib
[ -d /srv ] && [ -w /srv ] && outside=/srv
closed=$(mktemp -d "$outside/lp-id-closed.XXXXXX") || fatal "mktemp in $outside"
mkdir -m 755 "$closed/ws"
LP_KEEP_CWD=1
cd "$closed/ws" || fatal "cd $closed/ws"
capture "$LEASTPRIV" run -p "$dyn" -- true
cd "$tmp" || fatal "cd $tmp"
assert_status 125 "a workspace below a directory others cannot search"
assert_match "$LP_ERR" "default\.profile:[0-9]+: \[Filesystem\] ReadWritePaths=\.: " "the error cites the profile line"
assert_contains "$LP_ERR" "$closed is not searchable by others (mode 0700)" "the error names the directory and its mode"
chmod 711 "$closed"
cd "$closed/ws" || fatal "cd $closed/ws"
capture "$LEASTPRIV" run -p "$dyn" -- sh -c 'echo ok >made; id -u'
cd "$tmp" || fatal "cd $tmp"
unset LP_KEEP_CWD
assert_status 0 "once searchable (0711), the workspace is usable"
assert_eq "0" "$(stat -c %u "$closed/ws/made")" "and its new file is the caller's"

# ---- learn: the dynamic user tried after learning -------------------------------------

# A root-only file outside the workspace: the caller reads it, a dynamic
# user cannot. Learning from strict (which asks for one) finds that out.
echo LEARN-SECRET >"$closed/secret"
chmod 600 "$closed/secret"
cd "$closed/ws" || fatal "cd $closed/ws"
capture "$LEASTPRIV" learn -p strict -o "$closed/ws/needs-caller.profile" -- cat "$closed/secret"
assert_status 0 "learn from strict of a command that reads a root-only file"
assert_contains "$LP_ERR" "it failed (exit 1); running it once more without the dynamic user" \
        "learn says the command failed as a dynamic user"
assert_eq "DynamicUser=no" "$(grep '^DynamicUser=' "$closed/ws/needs-caller.profile")" \
        "the learned profile turns the dynamic user off"
assert_contains "$(cat "$closed/ws/needs-caller.profile")" \
        "# The command failed as a dynamic user (exit 1) and passed as the caller:" "... and says why"
capture "$LEASTPRIV" run -p "$closed/ws/needs-caller.profile" -- cat "$closed/secret"
assert_eq "LEARN-SECRET" "$LP_OUT" "the learned profile runs the command"
capture "$LEASTPRIV" learn --merge -p strict -o "$closed/ws/needs-caller.profile" -- cat "$closed/secret"
assert_status 0 "learn --merge over it"
assert_eq 1 "$(grep -c '^DynamicUser=no' "$closed/ws/needs-caller.profile")" "still one DynamicUser=no"
capture "$LEASTPRIV" learn -p strict -o "$closed/ws/own.profile" -- cat "$closed/ws/made"
assert_status 0 "learn from strict of a command that reads its workspace"
assert_eq "" "$(grep '^DynamicUser=' "$closed/ws/own.profile")" \
        "the learned profile keeps strict's dynamic user (no line of its own)"
cd "$tmp" || fatal "cd $tmp"

cat >"$tmp/ramfs.sh" <<EOF
mkdir -p "$tmp/ram" && mount -t ramfs lp-test "$tmp/ram" && chmod 755 "$tmp/ram" &&
        cd "$tmp/ram" && exec "$LEASTPRIV" run -p "$dyn" -- true
EOF
capture unshare --mount --propagation private sh "$tmp/ramfs.sh"
assert_status 125 "a workspace on a filesystem that cannot be idmapped (ramfs)"
assert_contains "$LP_ERR" "its filesystem (ramfs)" "the error names the filesystem"

# ---- the profile ------------------------------------------------------------------

bad=$(profile bad <<'EOF'
[Profile]
Include=default
[Identity]
User=nobody
DynamicUser=yes
EOF
)
run_lp run -p "$bad" -- true
assert_status 125 "DynamicUser=yes with User="
assert_match "$LP_ERR" "bad\.profile:5: \[Identity\] DynamicUser=yes excludes User= and Group= \(.*bad\.profile:4\)" \
        "the error cites both lines"

run_lp show "$dyn"
assert_match "$LP_OUT" "^DynamicUser=yes +# .*dyn\.profile:4" "show prints the key with its line"
assert_contains "$LP_OUT" "allocated from 61184-65519" "show says where the uid comes from"

off=$(profile off <<EOF
[Profile]
Include=$dyn
[Identity]
DynamicUser=no
EOF
)
run_lp diff "$dyn" "$off"
assert_status 1 "diff: turning DynamicUser off adds a privilege"
assert_match "$LP_OUT" "^\+ identity the caller's own uid and gid" "diff names it"
run_lp diff "$off" "$dyn"
assert_status 0 "diff: turning it on adds none"

# ---- without root -------------------------------------------------------------------

run_lp_nobody run -p "$dyn" -- true
assert_status 125 "DynamicUser=yes as uid 65534"
assert_contains "$LP_ERR" "[Identity] DynamicUser=yes needs root" "the error says why"
assert_match "$LP_ERR" "dyn\.profile:4" "and cites the line"
