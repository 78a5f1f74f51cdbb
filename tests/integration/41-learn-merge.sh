#!/usr/bin/env bash
# learn: stable output, --merge from parallel runs, capabilities and
# destinations outside the namespace (docs/architecture.md, "Learning").
source "$(dirname "$0")/lib.sh"
lp_require_root

# grants FILE: every learned item of FILE as "KIND VALUE", sorted: the
# syscalls (granted by name or through a group), capabilities, families,
# destinations and withheld variables; evidence comments left out.
grants() {
        sed -n -e 's/^Allow=\([a-z0-9_]*\) # .*/syscall \1/p' \
                -e 's/^# used: \([a-z0-9_]*\) # .*/syscall \1/p' \
                -e 's/^Keep=\([A-Z_]*\) # .*/cap \1/p' \
                -e 's/^AddressFamilies=\([A-Z0-9_]*\) # .*/family \1/p' \
                -e 's/^# destination: \(.*\) # .*/destination \1/p' \
                -e 's/^# withheld: \(.*\)/withheld \1/p' "$1" | sort
}

# ---- two learns of the same command give the same bytes ------------------------
# A command with many syscalls beyond the floor (42-learn-fork-load.sh
# checks the same of 200 learns of a forking shell under load).
cmd=(ls -l /usr/bin /etc /usr/lib/x86_64-linux-gnu)
run_lp learn -o "$tmp/a.profile" -- "${cmd[@]}"
run_lp learn -o "$tmp/b.profile" -- "${cmd[@]}"
LP_CHECKS=$((LP_CHECKS + 1))
if cmp -s "$tmp/a.profile" "$tmp/b.profile"; then
        pass "two learns of the same command are byte-identical"
else
        fail "two learns differ:"
        diff "$tmp/a.profile" "$tmp/b.profile" >&2
fi

# ---- merging a run into the file that holds it changes nothing ------------------
cp "$tmp/a.profile" "$tmp/again.profile"
run_lp learn --merge -o "$tmp/again.profile" -- "${cmd[@]}"
assert_eq "$(grants "$tmp/a.profile")" "$(grants "$tmp/again.profile")" \
        "merging the same command again adds no grant"

# ---- 8 parallel learn --merge into one file: the exact union --------------------
mkdir -p "$tmp/m" "$tmp/shared/m"
probes=("status" "files $tmp/shared/m" "threads 3" "pipes" "fork-exec" "loopback-tcp"
        "socket AF_NETLINK" "netns")
expected=$tmp/expected.grants
: >"$expected"
for i in "${!probes[@]}"; do
        # shellcheck disable=SC2086 # the probe's words are meant to split
        "$LEASTPRIV" learn -o "$tmp/m/alone$i.profile" -- "$PROBE" ${probes[$i]} \
                >/dev/null 2>&1
        grants "$tmp/m/alone$i.profile" >>"$expected"
done
sort -u -o "$expected" "$expected"
merged=$tmp/m/merged.profile
torn=0
for i in "${!probes[@]}"; do
        # shellcheck disable=SC2086
        "$LEASTPRIV" learn --merge -o "$merged" -- "$PROBE" ${probes[$i]} >/dev/null 2>&1 &
done
# While they run, every version of the file that appears must be whole.
while [ -n "$(jobs -rp)" ]; do
        if [ -e "$merged" ] && ! "$LEASTPRIV" check "$merged" >/dev/null 2>&1; then
                torn=$((torn + 1))
        fi
done
wait
assert_eq 0 "$torn" "no reader saw a torn merged file"
assert_eq "$(cat "$expected")" "$(grants "$merged")" \
        "the merged file holds exactly the union of the 8 runs"
assert_eq "" "$(find "$tmp/m" -name '*.tmp.*')" "no temporary file left behind"
run_lp check "$merged"
assert_eq 0 "$LP_STATUS" "the merged profile passes check"

# ---- a hand-edited file is refused, and left as it was --------------------------
cp "$tmp/a.profile" "$tmp/edited.profile"
printf '[Limits]\nTimeout=30\n' >>"$tmp/edited.profile"
before=$(md5sum <"$tmp/edited.profile")
run_lp learn --merge -o "$tmp/edited.profile" -- true
assert_eq 125 "$LP_STATUS" "merging into a hand-edited profile fails with 125"
assert_match "$LP_ERR" "edited.profile:[0-9]+: " "... naming FILE:LINE"
assert_eq "$before" "$(md5sum <"$tmp/edited.profile")" "... and leaves the file unchanged"
run_lp learn --merge -p default -o "$tmp/again.profile" -- true
assert_eq 125 "$LP_STATUS" "merging a run from another base profile fails with 125"

# ---- CAP_NET_BIND_SERVICE, kept in the ambient set of a non-root uid --------------
lp_require_nobody_access
capture setpriv --reuid=$NOBODY_UID --regid=$NOBODY_GID --clear-groups \
        --inh-caps=+net_bind_service --ambient-caps=+net_bind_service -- \
        "$LEASTPRIV" learn -o "$tmp/shared/bind.profile" -- "$PROBE" bind 80
assert_probe ok "learn: a non-root uid with the ambient capability binds port 80"
assert_match "$(cat "$tmp/shared/bind.profile")" '^Keep=CAP_NET_BIND_SERVICE # 1 call, first by .*probe' \
        "learn writes Keep=CAP_NET_BIND_SERVICE with its evidence"
capture setpriv --reuid=$NOBODY_UID --regid=$NOBODY_GID --clear-groups \
        --inh-caps=+net_bind_service --ambient-caps=+net_bind_service -- \
        "$LEASTPRIV" run -p "$tmp/shared/bind.profile" -- "$PROBE" bind 80
assert_probe ok "run with the learned profile: the bind works again"
assert_not_contains "$LP_ERR" "CAP_NET_BIND_SERVICE" "... with no capability finding"
grep -v '^Keep=' "$tmp/shared/bind.profile" >"$tmp/shared/nobind.profile"
capture setpriv --reuid=$NOBODY_UID --regid=$NOBODY_GID --clear-groups \
        --inh-caps=+net_bind_service --ambient-caps=+net_bind_service -- \
        "$LEASTPRIV" run -p "$tmp/shared/nobind.profile" -- "$PROBE" bind 80
assert_probe EACCES "without the learned Keep= line the bind is refused"
assert_contains "$LP_ERR" "CAP_NET_BIND_SERVICE" "... and reported as a capability finding"

# ---- a destination outside loopback (only inside unshare -n: no route out) ------
lp_require_binaries unshare
capture unshare -n "$LEASTPRIV" learn -o "$tmp/out.profile" -- "$PROBE" connect 192.0.2.1 80
out_status=$LP_STATUS
assert_contains "$(cat "$tmp/out.profile")" "# destination: tcp 192.0.2.1:80 # 1 call, first by" \
        "learn names the destination outside loopback"
# Whole lines ($(cat) would drop the newline of a last line).
assert_eq 1 "$(grep -cx 'Namespace=host' "$tmp/out.profile")" "... and grants the host network"
capture unshare -n "$LEASTPRIV" run -p "$tmp/out.profile" --findings "$tmp/out.jsonl" -- \
        "$PROBE" connect 192.0.2.1 80
assert_eq "$out_status" "$LP_STATUS" "replay exits as the learn did"
assert_not_contains "$(cat "$tmp/out.jsonl")" '"kind":"network"' "replay has no network finding"

# ---- a service on the host's loopback, against the command's own server ---------
ready_fifo "$tmp/port" # the server writes its port there once it listens
"$PROBE" listen "$tmp/port" 30 >/dev/null 2>&1 &
server=$!
port=$(await_line "$tmp/port" 10) || fatal "the host loopback server did not start"
run_lp learn -o "$tmp/hostsvc.profile" -- "$PROBE" connect 127.0.0.1 "$port"
assert_probe ok "learn: the command reaches the host's loopback service"
assert_contains "$(cat "$tmp/hostsvc.profile")" "# destination: tcp 127.0.0.1:$port # 1 call" \
        "learn names the host loopback service"
assert_eq 1 "$(grep -cx "Forward=tcp:$port" "$tmp/hostsvc.profile")" "... and forwards its port"
assert_not_contains "$(cat "$tmp/hostsvc.profile")" "Namespace=" "... instead of the host network"
run_lp run -p "$tmp/hostsvc.profile" --findings "$tmp/hostsvc.jsonl" -- "$PROBE" connect 127.0.0.1 "$port"
assert_probe ok "replay: the host service is reached through the forward"
assert_not_contains "$(cat "$tmp/hostsvc.jsonl")" '"kind":"network"' "replay has no network finding"
kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
run_lp learn -o "$tmp/ownsvc.profile" -- "$PROBE" loopback-tcp
assert_probe ok "learn: a command with its own loopback server"
assert_not_contains "$(cat "$tmp/ownsvc.profile")" "Namespace=" \
        "... learns no network namespace change (its own server is inside)"
