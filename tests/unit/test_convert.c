/* `leastpriv export` and `leastpriv import` (sandbox/convert/): the OCI
 * JSON holds the policy's verdicts and the kernel-side argument conditions
 * exactly, the systemd directives follow the profile key by key, and an
 * imported OCI profile loads, with what it cannot say left out and noted. */
#include <errno.h>
#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "convert/export_oci.h"
#include "convert/export_systemd.h"
#include "convert/import_oci.h"
#include "profile/load.h"
#include "profile/policy.h"
#include "rules/decode.h"

/* ---- helpers ---- */

static struct lp_policy *load(const char *text)
{
        struct lp_policy *p = NULL;
        int r = lp_policy_load_string_sealed(text, "t.profile", stderr, &p);
        if (r != 0)
                fail_msg("did not load (%d):\n%s", r, text);
        return p;
}

typedef int (*exporter)(const struct lp_policy *p, FILE *out);

static char *export_text(const char *profile, exporter fn)
{
        struct lp_policy *p = load(profile);
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        assert_non_null(mem);
        assert_int_equal(fn(p, mem), 0);
        assert_int_equal(fclose(mem), 0);
        lp_policy_free(p);
        return text;
}

static struct json_object *export_json(const char *profile)
{
        char *text = export_text(profile, lp_export_oci);
        struct json_object *root = json_tokener_parse(text);
        if (!root)
                fail_msg("not JSON:\n%s", text);
        free(text);
        return root;
}

static struct json_object *get(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(o, key, &v))
                fail_msg("no \"%s\" in %s", key, json_object_to_json_string(o));
        return v;
}

static bool has(struct json_object *o, const char *key)
{
        return json_object_object_get_ex(o, key, NULL);
}

/* Whether an allow entry of `name` matches args (the kernel's view: every
 * condition of the entry holds), and how many entries do. */
static size_t allowing_entries(struct json_object *root, const char *name, const uint64_t *args)
{
        struct json_object *syscalls = get(root, "syscalls");
        size_t n = 0;
        for (size_t i = 0; i < json_object_array_length(syscalls); i++) {
                struct json_object *e = json_object_array_get_idx(syscalls, i);
                struct json_object *names = get(e, "names");
                bool named = false;
                for (size_t k = 0; k < json_object_array_length(names); k++)
                        named |= strcmp(json_object_get_string(json_object_array_get_idx(names, k)),
                                        name) == 0;
                if (!named || strcmp(json_object_get_string(get(e, "action")), "SCMP_ACT_ALLOW"))
                        continue;
                bool match = true;
                struct json_object *conds = has(e, "args") ? get(e, "args") : NULL;
                for (size_t k = 0; conds && k < json_object_array_length(conds); k++) {
                        struct json_object *c = json_object_array_get_idx(conds, k);
                        const char *op = json_object_get_string(get(c, "op"));
                        uint64_t a = args[json_object_get_int(get(c, "index"))];
                        uint64_t v = json_object_get_uint64(get(c, "value"));
                        uint64_t two = json_object_get_uint64(get(c, "valueTwo"));
                        if (strcmp(op, "SCMP_CMP_EQ") == 0)
                                match &= a == v;
                        else if (strcmp(op, "SCMP_CMP_MASKED_EQ") == 0)
                                match &= (a & v) == two;
                        else
                                fail_msg("unexpected op %s", op);
                }
                n += match;
        }
        return n;
}

static char *import_text(const char *json, int expect, char **errors)
{
        size_t len = 0;
        char *msgs = NULL;
        FILE *e = open_memstream(&msgs, &len);
        assert_non_null(e);
        char *profile = NULL;
        int r = lp_import_oci(json, strlen(json), "in.json", e, &profile);
        fclose(e);
        if (r != expect)
                fail_msg("import gave %d, not %d: %s", r, expect, msgs);
        if (errors)
                *errors = msgs;
        else
                free(msgs);
        return profile;
}

/* ---- export --format oci ---- */

static void test_export_oci_default_profile(void **state)
{
        struct json_object *root = export_json("[Profile]\nInclude=default\n");
        assert_string_equal(json_object_get_string(get(root, "defaultAction")), "SCMP_ACT_ERRNO");
        assert_int_equal(json_object_get_int(get(root, "defaultErrnoRet")), EPERM);
        assert_int_equal(json_object_array_length(get(root, "architectures")), 1);
        uint64_t args[6] = {0};
        /* Plain allows, outright. */
        assert_int_equal(allowing_entries(root, "read", args), 1);
        /* clone: not with a namespace flag. */
        assert_int_equal(allowing_entries(root, "clone", args), 1);
        args[0] = 0x40000000; /* CLONE_NEWNET */
        assert_int_equal(allowing_entries(root, "clone", args), 0);
        args[0] = 0x80; /* CLONE_NEWTIME */
        assert_int_equal(allowing_entries(root, "clone", args), 0);
        /* ioctl: every request but TIOCSTI and TIOCLINUX, on the low 32 bits. */
        static const uint64_t requests[] = {0x5401, 0x5411, 0x5413,     0x541b,
                                            0x541d, 0,      0xffffffff, 0x100005401ULL};
        for (size_t i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
                args[1] = requests[i];
                assert_int_equal(allowing_entries(root, "ioctl", args), 1);
        }
        static const uint64_t refused[] = {LP_IOCTL_TIOCSTI, 0x541c, 0x100005412ULL};
        for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
                args[1] = refused[i];
                assert_int_equal(allowing_entries(root, "ioctl", args), 0);
        }
        /* socket: base's four families; netlink's route protocol only. */
        uint64_t sock[6] = {AF_INET6, SOCK_STREAM, 0};
        assert_int_equal(allowing_entries(root, "socket", sock), 1);
        sock[0] = AF_NETLINK;
        assert_int_equal(allowing_entries(root, "socket", sock), 1);
        sock[2] = 9; /* NETLINK_AUDIT */
        assert_int_equal(allowing_entries(root, "socket", sock), 0);
        sock[0] = AF_PACKET;
        assert_int_equal(allowing_entries(root, "socket", sock), 0);
        /* Denied groups: left to the default action (EPERM), not listed. */
        assert_int_equal(allowing_entries(root, "mount", args), 0);
        json_object_put(root);
}

/* A syscall allowed by its bare name lifts its hardening: outright. */
static void test_export_oci_named_allow(void **state)
{
        struct json_object *root =
                export_json("[Profile]\nInclude=default\n[Syscalls]\nAllow=ioctl clone\n");
        uint64_t args[6] = {0x40000000, LP_IOCTL_TIOCSTI};
        assert_int_equal(allowing_entries(root, "ioctl", args), 1);
        assert_int_equal(allowing_entries(root, "clone", args), 1);
        json_object_put(root);
}

/* kill -> SCMP_ACT_KILL_PROCESS, no defaultErrnoRet; Deny=NAME:E is a
 * group of its own with errnoRet; clone3's ENOSYS is the hardening's. */
static void test_export_oci_actions(void **state)
{
        struct json_object *root = export_json("[Syscalls]\nDefaultAction=kill\n"
                                               "Allow=read\nDeny=ptrace:EINVAL reboot\n");
        assert_string_equal(json_object_get_string(get(root, "defaultAction")),
                            "SCMP_ACT_KILL_PROCESS");
        assert_false(has(root, "defaultErrnoRet"));
        struct json_object *syscalls = get(root, "syscalls");
        static const struct {
                const char *names, *action;
                int errno_ret;
        } expected[] = {
                {"read", "SCMP_ACT_ALLOW", -1},
                {"reboot", "SCMP_ACT_ERRNO", EPERM},
                {"ptrace", "SCMP_ACT_ERRNO", EINVAL},
                {"clone3", "SCMP_ACT_ERRNO", ENOSYS},
        };
        assert_int_equal(json_object_array_length(syscalls), 4);
        for (size_t i = 0; i < 4; i++) {
                struct json_object *e = json_object_array_get_idx(syscalls, i);
                struct json_object *names = get(e, "names");
                assert_int_equal(json_object_array_length(names), 1);
                assert_string_equal(json_object_get_string(json_object_array_get_idx(names, 0)),
                                    expected[i].names);
                assert_string_equal(json_object_get_string(get(e, "action")), expected[i].action);
                if (expected[i].errno_ret < 0)
                        assert_false(has(e, "errnoRet"));
                else
                        assert_int_equal(json_object_get_int(get(e, "errnoRet")),
                                         expected[i].errno_ret);
        }
        json_object_put(root);
}

/* ---- export --format systemd ---- */

static void test_export_systemd_lines(void **state)
{
        char *text = export_text("[Profile]\nDescription=small\n"
                                 "[Syscalls]\nDefaultAction=errno:EACCES\n"
                                 "Allow=read write exit_group ioctl socket\nDeny=ptrace:EINVAL\n"
                                 "[Capabilities]\nKeep=CAP_NET_BIND_SERVICE\n"
                                 "[Network]\nNamespace=loopback\n"
                                 "AddressFamilies=AF_UNIX AF_NETLINK:ROUTE\n"
                                 "[Filesystem]\nProtectSystem=full\n"
                                 "ReadWritePaths=/srv/out -~/cache .\nReadOnlyPaths=/opt\n"
                                 "PrivateTmp=yes\n"
                                 "[Limits]\nProcesses=64\nTimeout=30\nMemory=64M\n"
                                 "[Environment]\nSet=A=b%\"c\n",
                                 lp_export_systemd);
        assert_string_equal(
                text,
                "# t.profile as systemd directives (leastpriv export --format systemd)\n"
                "[Service]\n"
                "NoNewPrivileges=yes\n"
                "SystemCallFilter=exit_group ioctl read socket write\n"
                "SystemCallArchitectures=native\n"
                "SystemCallErrorNumber=EACCES\n"
                "# leastpriv answers EINVAL (systemd as above): ptrace\n"
                "# leastpriv answers ENOSYS (systemd as above): clone3\n"
                "RestrictNamespaces=yes\n"
                "CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n"
                "AmbientCapabilities=CAP_NET_BIND_SERVICE\n"
                "PrivateNetwork=yes\n"
                "RestrictAddressFamilies=AF_UNIX AF_NETLINK\n"
                "# AF_NETLINK:ROUTE: systemd allows every protocol of the family\n"
                "ProtectSystem=full\n"
                "ReadWritePaths=/srv/out\n"
                "ReadWritePaths=-%h/cache\n"
                "# ReadWritePaths=.: relative to where leastpriv run starts; systemd needs an "
                "absolute path\n"
                "ReadOnlyPaths=/opt\n"
                "PrivateTmp=yes\n"
                "PrivateDevices=no\n"
                "ProtectKernelTunables=no\n"
                "ProtectControlGroups=no\n"
                "RestrictSUIDSGID=no\n"
                "PrivateIPC=no\n"
                "ProtectHostname=no\n"
                "DynamicUser=no\n"
                "TasksMax=64\n"
                "MemoryMax=67108864\n"
                "RuntimeMaxSec=30\n"
                "# TmpSize=1073741824: systemd's PrivateTmp= has no size\n"
                "Environment=\"A=b%%\\\"c\"\n");
        free(text);
}

/* No capability: an empty bounding set, no ambient set; no family:
 * RestrictAddressFamilies=none; the host's network: PrivateNetwork=no. */
static void test_export_systemd_empty_sets(void **state)
{
        char *text =
                export_text("[Network]\nNamespace=host\nAddressFamilies=\n", lp_export_systemd);
        assert_non_null(strstr(text, "\nCapabilityBoundingSet=\nPrivateNetwork=no\n"
                                     "RestrictAddressFamilies=none\n"));
        assert_null(strstr(text, "AmbientCapabilities"));
        free(text);
}

/* ---- import --format oci ---- */

static void test_import_oci_profile(void **state)
{
        char *profile = import_text(
                "{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 38,\n"
                " \"syscalls\": [\n"
                "  {\"names\": [\"write\", \"read\", \"no_such_call\", \"chown32\"],"
                "   \"action\": \"SCMP_ACT_ALLOW\"},\n"
                "  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ALLOW\","
                "   \"args\": [{\"index\": 0, \"value\": 8, \"op\": \"SCMP_CMP_EQ\"}]},\n"
                "  {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
                "  {\"names\": [\"socket\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 22,"
                "   \"args\": [{\"index\": 0, \"value\": 16, \"op\": \"SCMP_CMP_EQ\"}]},\n"
                "  {\"names\": [\"chroot\"], \"action\": \"SCMP_ACT_ALLOW\","
                "   \"includes\": {\"caps\": [\"CAP_SYS_CHROOT\"]}},\n"
                "  {\"names\": [\"chroot\", \"bpf\"], \"action\": \"SCMP_ACT_ERRNO\", "
                "\"errnoRet\": 1,"
                "   \"excludes\": {\"caps\": [\"CAP_SYS_CHROOT\"]}},\n"
                "  {\"names\": [\"s390_runtime_instr\"], \"action\": \"SCMP_ACT_ALLOW\","
                "   \"includes\": {\"arches\": [\"s390x\"]}},\n"
                "  {\"names\": [\"reboot\"], \"action\": \"SCMP_ACT_KILL_PROCESS\"}\n"
                " ]}\n",
                0, NULL);
        assert_string_equal(
                profile,
                "# Imported from in.json (an OCI seccomp profile) by leastpriv import.\n"
                "# The syscall list sits on top of base: no capabilities, a loopback-only\n"
                "# network, CI secrets withheld, the host's files read-only.\n"
                "[Profile]\nDescription=Imported from in.json\nInclude=base\n\n[Syscalls]\n"
                "DefaultAction=errno:ENOSYS\n"
                "Allow=read write\n"
                "Deny=bpf:EPERM chroot:EPERM reboot:kill\n"
                "# left out: chroot: allowed only with CAP_SYS_CHROOT (base keeps no capability)\n"
                "# left out: personality: allowed only when args[0] == 0x8; refused whole "
                "(narrower)\n"
                "# left out: socket: refused when some arguments match; allowing it whole would "
                "be wider\n"
                "# unknown: chown32\n"
                "# unknown: no_such_call\n");
        /* The fuzzer's oracle, here for one input: the text loads. */
        lp_policy_free(load(profile));
        free(profile);
}

static void test_import_oci_kill_default(void **state)
{
        char *profile = import_text("{\"defaultAction\": \"SCMP_ACT_KILL_THREAD\"}", 0, NULL);
        assert_non_null(strstr(profile, "\nDefaultAction=kill\n"));
        assert_null(strstr(profile, "Allow="));
        lp_policy_free(load(profile));
        free(profile);
}

static void test_import_oci_errors(void **state)
{
        static const struct {
                const char *json, *message;
        } cases[] = {
                {"{\n\"defaultAction\": \"SCMP_ACT_ERRNO\",\n\"syscalls\": [ }\n",
                 "in.json:3: not valid JSON: unexpected character"
                 "; import --format oci reads an OCI/Docker seccomp profile (a JSON object)\n"},
                {"{\"defaultAction\": \"SCMP_ACT_ERRNO\"",
                 "in.json:1: not valid JSON: it ends early"
                 "; import --format oci reads an OCI/Docker seccomp profile (a JSON object)\n"},
                {"", "in.json:1: not valid JSON: it ends early"
                     "; import --format oci reads an OCI/Docker seccomp profile (a JSON object)\n"},
                {"{\"defaultAction\": \"SCMP_ACT_ERRNO\"}\n}",
                 "in.json:2: not valid JSON: text after the JSON value"
                 "; import --format oci reads an OCI/Docker seccomp profile (a JSON object)\n"},
                {"[]", "in.json: a JSON object with \"defaultAction\" is expected\n"},
                {"{\"syscalls\": []}", "in.json: \"defaultAction\" (a string) is missing\n"},
                {"{\"defaultAction\": \"SCMP_ACT_ALLOW\"}",
                 "in.json: defaultAction SCMP_ACT_ALLOW cannot be expressed: a leastpriv "
                 "profile refuses what it does not allow (errno or kill)\n"},
                {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 4095}",
                 "in.json: defaultErrnoRet 4095 is no errno leastpriv knows\n"},
                {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"action\": "
                 "\"SCMP_ACT_ALLOW\"}]}",
                 "in.json: syscalls[0]: an object with \"names\" (an array) is expected\n"},
                {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [1], "
                 "\"action\": \"SCMP_ACT_ALLOW\"}]}",
                 "in.json: syscalls[0]: names[0] is not a string\n"},
                {"{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": {}}",
                 "in.json: \"syscalls\" must be an array\n"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *errors = NULL;
                size_t len = 0;
                FILE *e = open_memstream(&errors, &len);
                char *profile = NULL;
                int r = lp_import_oci(cases[i].json, strlen(cases[i].json), "in.json", e, &profile);
                fclose(e);
                if (r != -EINVAL || profile || strcmp(errors, cases[i].message) != 0)
                        fail_msg("case %zu: %d, message '%s', not '%s'", i, r, errors,
                                 cases[i].message);
                free(errors);
        }
}

/* Names from the input reach the profile in comments only, made
 * harmless: a newline would start a line of its own. */
static void test_import_oci_hostile_names(void **state)
{
        char *profile = import_text("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": "
                                    "[{\"names\": [\"x\\n[Capabilities]\\nKeep=CAP_SYS_ADMIN\"], "
                                    "\"action\": \"SCMP_ACT_ALLOW\"}]}",
                                    0, NULL);
        assert_non_null(strstr(profile, "# unknown: x?[Capabilities]?Keep=CAP_SYS_ADMIN\n"));
        struct lp_policy *p = load(profile);
        assert_int_equal(p->n_keep, 0);
        lp_policy_free(p);
        free(profile);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_export_oci_default_profile),
                cmocka_unit_test(test_export_oci_named_allow),
                cmocka_unit_test(test_export_oci_actions),
                cmocka_unit_test(test_export_systemd_lines),
                cmocka_unit_test(test_export_systemd_empty_sets),
                cmocka_unit_test(test_import_oci_profile),
                cmocka_unit_test(test_import_oci_kill_default),
                cmocka_unit_test(test_import_oci_errors),
                cmocka_unit_test(test_import_oci_hostile_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
