#!/usr/bin/env bash
# export --format oci|systemd and import --format oci (README, "Profiles in
# and out"): the JSON has the keys OCI requires, the systemd directives
# follow the profile line by line, bad input exits 2 with FILE:LINE and
# writes nothing, and Docker's default seccomp profile as Debian's
# golang-github-containers-common ships it (/usr/share/containers/
# seccomp.json, tools/setup.sh) goes in and out with the same syscalls
# allowed. Needs no root and runs nothing sandboxed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

# lib.sh's capture, in the directory the test is in (these commands take
# relative paths).
export LP_KEEP_CWD=1

[ -x "$LEASTPRIV" ] || skip "leastpriv binary not found at '$LEASTPRIV' (not built yet?)"
unset LEASTPRIV_PATH LEASTPRIV_PROFILE
cd "$tmp"

# oci_check.py FILE: the structure OCI and Docker read; prints the
# default action and the number of groups, or fails on the first problem.
cat >oci_check.py <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d["defaultAction"], str) and d["defaultAction"].startswith("SCMP_ACT_"), d
assert d["architectures"] and all(a.startswith("SCMP_ARCH_") for a in d["architectures"])
assert isinstance(d["syscalls"], list) and d["syscalls"]
for s in d["syscalls"]:
    assert s["names"] and all(isinstance(n, str) for n in s["names"]), s
    assert s["action"] in ("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL_PROCESS"), s
    assert (s["action"] == "SCMP_ACT_ERRNO") == ("errnoRet" in s), s
    for a in s.get("args", []):
        assert a["op"] in ("SCMP_CMP_EQ", "SCMP_CMP_MASKED_EQ") and 0 <= a["index"] < 6, a
        assert len({x["index"] for x in s["args"]}) == len(s["args"]), s  # runc ORs repeats
print("default", d["defaultAction"], d.get("defaultErrnoRet"))
print("groups", len(d["syscalls"]))
PY

# --- export --format oci ---------------------------------------------------------
run_lp export --format oci default
assert_status 0 "export --format oci default"
printf '%s\n' "$LP_OUT" >default.json
capture python3 oci_check.py default.json
assert_status 0 "default's JSON has the keys OCI requires ($LP_ERR)"
assert_contains "$LP_OUT" "default SCMP_ACT_ERRNO 1" "default: errno EPERM by default"

run_lp export --format oci -o strict.json strict
assert_status 0 "export --format oci -o strict.json strict"
assert_eq "" "$LP_OUT" "with -o, nothing on stdout"
capture python3 oci_check.py strict.json
assert_status 0 "strict's JSON has the keys OCI requires ($LP_ERR)"
assert_contains "$LP_OUT" "default SCMP_ACT_KILL_PROCESS None" "strict: kill by default"
run_lp export --format oci strict
assert_eq "$(cat strict.json)" "$LP_OUT" "-o writes what stdout would have"

bad=$(profile bad <<'P'
[Syscalls]
Alow=read
P
)
run_lp export --format oci -o bad.json "$bad"
assert_status 2 "export of an invalid profile"
assert_contains "$LP_ERR" "$bad:2:" "its FILE:LINE"
[ ! -e bad.json ] && pass "nothing written" || fail "bad.json written for an invalid profile"

# --- export --format systemd: the profile's keys, line by line ---------------------
small=$(profile small <<'P'
[Profile]
Description=a small service
[Syscalls]
DefaultAction=errno:EACCES
Allow=read write exit_group
[Capabilities]
Keep=CAP_NET_BIND_SERVICE
[Network]
Namespace=none
AddressFamilies=AF_UNIX AF_INET
[Filesystem]
ProtectSystem=strict
ReadWritePaths=/srv/data
ReadOnlyPaths=-~/conf
InaccessiblePaths=/etc/shadow
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
[Host]
PrivateIPC=yes
ProtectHostname=yes
[Identity]
DynamicUser=yes
[Limits]
Processes=100
Memory=1G
Timeout=600
P
)
run_lp export --format systemd "$small"
assert_status 0 "export --format systemd"
cat >expected.conf <<E
# $small as systemd directives (leastpriv export --format systemd)
[Service]
NoNewPrivileges=yes
SystemCallFilter=exit_group read write
SystemCallArchitectures=native
SystemCallErrorNumber=EACCES
# leastpriv answers ENOSYS (systemd as above): clone3
RestrictNamespaces=yes
# ioctl(TIOCSTI, TIOCLINUX) is refused by leastpriv; systemd has no directive for it
CapabilityBoundingSet=CAP_NET_BIND_SERVICE
AmbientCapabilities=CAP_NET_BIND_SERVICE
PrivateNetwork=yes
# Namespace=none: systemd's private network has lo up
RestrictAddressFamilies=AF_UNIX AF_INET
ProtectSystem=strict
ReadWritePaths=/srv/data
ReadOnlyPaths=-%h/conf
InaccessiblePaths=/etc/shadow
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
PrivateIPC=yes
ProtectHostname=yes
DynamicUser=yes
TasksMax=100
MemoryMax=1073741824
RuntimeMaxSec=600
# TmpSize=1073741824: systemd's PrivateTmp= has no size
E
printf '%s\n' "$LP_OUT" >got.conf
capture diff -u expected.conf got.conf
assert_status 0 "every directive as the profile says ($LP_OUT)"

# --- import: bad input exits 2, says where, writes nothing ------------------------
printf '{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "syscalls": [ , ]\n}\n' >broken.json
run_lp import --format oci -o broken.profile broken.json
assert_status 2 "import of broken JSON"
assert_contains "$LP_ERR" "broken.json:3: " "the line json-c stopped at"
[ ! -e broken.profile ] && pass "nothing written" || fail "broken.profile written"
printf '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []}' >allow.json
run_lp import --format oci allow.json
assert_status 2 "a default that allows"
assert_contains "$LP_ERR" "allow.json: defaultAction SCMP_ACT_ALLOW cannot be expressed" "why"
run_lp import --format oci missing.json
assert_status 2 "a file that is not there"

# --- the round trip on Docker's default profile -----------------------------------
shipped=/usr/share/containers/seccomp.json
[ -f "$shipped" ] || skip "$shipped is missing: install golang-github-containers-common (tools/setup.sh)"
run_lp import --format oci -o imported.profile "$shipped"
assert_status 0 "import of $shipped ($LP_ERR)"
run_lp check imported.profile
assert_status 0 "the imported profile is valid ($LP_ERR)"
run_lp export --format oci -o roundtrip.json imported.profile
assert_status 0 "export of the imported profile"
capture python3 oci_check.py roundtrip.json
assert_status 0 "the round trip's JSON has the keys OCI requires ($LP_ERR)"
assert_contains "$LP_OUT" "default SCMP_ACT_ERRNO 38" "defaultAction and defaultErrnoRet kept (ENOSYS)"

# The original's unconditional allows for this architecture (libseccomp
# says which names are native), against every name the export allows.
cat >compare.py <<'PY'
import ctypes, json, platform, sys
scmp = ctypes.CDLL("libseccomp.so.2")
scmp.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
native = lambda n: scmp.seccomp_syscall_resolve_name(n.encode()) >= 0
goarch = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
orig = json.load(open(sys.argv[1]))
def applies(s):
    inc, exc = s.get("includes") or {}, s.get("excludes") or {}
    if inc.get("arches") and goarch not in inc["arches"]:
        return False
    return goarch not in (exc.get("arches") or []) and not inc.get("caps")
entries = [s for s in orig["syscalls"] if applies(s)]
allowed = {n for s in entries if s["action"] == "SCMP_ACT_ALLOW" and not s.get("args")
           for n in s["names"] if native(n)}
refused = {n for s in entries if s["action"] != "SCMP_ACT_ALLOW" for n in s["names"]}
out = json.load(open(sys.argv[2]))
exported = {n for s in out["syscalls"] if s["action"] == "SCMP_ACT_ALLOW" for n in s["names"]}
print("original", len(allowed))
print("exported", len(exported))
print("only-original", " ".join(sorted(allowed - exported)))
print("only-exported", " ".join(sorted(exported - allowed)))
print("refused-too", " ".join(sorted(allowed & refused)))
names = {n for s in entries for n in s["names"]}  # other arches and capabilities aside
unknown = sum(1 for l in open(sys.argv[3]) if l.startswith("# unknown: "))
print("unknown", unknown, "of", len({n for n in names if not native(n)}))
PY
capture python3 compare.py "$shipped" roundtrip.json imported.profile
assert_status 0 "the sets compared ($LP_ERR)"
note "$(tr '\n' ';' <<<"$LP_OUT")"
# Only what the original also refuses outright, or under conditions, is
# left out: setns (allowed, and refused without CAP_SYS_ADMIN).
refused_too=$(sed -n 's/^refused-too //p' <<<"$LP_OUT")
assert_eq "setns" "$refused_too" "the one name allowed and refused outright"
assert_eq "setns" "$(sed -n 's/^only-original //p' <<<"$LP_OUT")" \
        "every unconditional allow but setns survives the round trip"
assert_eq "" "$(sed -n 's/^only-exported //p' <<<"$LP_OUT")" "nothing allowed that was not"
original=$(sed -n 's/^original //p' <<<"$LP_OUT")
assert_eq "$((original - 1))" "$(sed -n 's/^exported //p' <<<"$LP_OUT")" "the counts"
assert_match "$(sed -n 's/^unknown //p' <<<"$LP_OUT")" '^([0-9]+) of \1$' \
        "each name that is no syscall here is an '# unknown:' comment"

# Imported again, the export gives the same profile text.
run_lp import --format oci roundtrip.json
assert_status 0 "import of the round trip"
assert_eq "$(grep -E '^(DefaultAction|Allow|Deny)=' imported.profile)" \
        "$(grep -E '^(DefaultAction|Allow|Deny)=' <<<"$LP_OUT")" "import(export(import)) = import"
