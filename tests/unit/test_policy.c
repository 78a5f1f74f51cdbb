/* The policy: every key of every section resolved into struct lp_policy with
 * the FILE:LINE that granted it, the list rules (append, `Key=` resets, also
 * across includes), the [Syscalls] precedence and always-on hardening, every
 * error class of the foundation issue, and the shipped profiles. */
#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/capability.h>

#include "profile/load.h"
#include "profile/names.h"
#include "profile/policy.h"
#include "profile/syscall_sets.h"
#include "rules/watch.h"

/* ---- helpers ---- */

/* What a failed load must leave in *ret: this very pointer. */
static struct lp_policy untouched;

struct loaded {
        struct lp_policy *policy;
        char *errors;
        int r;
};

static struct loaded load_text_as(const char *text, const char *file)
{
        struct loaded out = {.policy = &untouched};
        size_t len = 0;
        FILE *errors = open_memstream(&out.errors, &len);
        assert_non_null(errors);
        out.r = lp_policy_load_string(text, file, errors, &out.policy);
        fclose(errors);
        return out;
}

static struct loaded load_text(const char *text)
{
        return load_text_as(text, "t.profile");
}

static struct loaded load_name(const char *name)
{
        struct loaded out = {.policy = &untouched};
        size_t len = 0;
        FILE *errors = open_memstream(&out.errors, &len);
        assert_non_null(errors);
        out.r = lp_policy_load(name, errors, &out.policy);
        fclose(errors);
        return out;
}

static void done(struct loaded *l)
{
        if (l->policy != &untouched)
                lp_policy_free(l->policy);
        free(l->errors);
}

static void expect_ok(const struct loaded *l)
{
        if (l->r != 0)
                fail_msg("load failed with %d: %s", l->r, l->errors);
        assert_ptr_not_equal(l->policy, &untouched);
        assert_non_null(l->policy);
        assert_string_equal(l->errors, "");
}

/* -EINVAL, *ret untouched, and `expected` somewhere in the messages. */
static void expect_error(const struct loaded *l, const char *expected)
{
        if (l->r != -EINVAL)
                fail_msg("expected -EINVAL, got %d; messages: %s", l->r, l->errors);
        assert_ptr_equal(l->policy, &untouched);
        if (!strstr(l->errors, expected))
                fail_msg("expected '%s' in: %s", expected, l->errors);
}

static void assert_text_error(const char *text, const char *expected)
{
        struct loaded l = load_text(text);
        expect_error(&l, expected);
        done(&l);
}

static struct lp_policy *load_ok(struct loaded *l, const char *text)
{
        *l = load_text(text);
        expect_ok(l);
        return l->policy;
}

#define assert_origin(o, f, l) assert_origin_at(&(o), (f), (l), __LINE__)
static void assert_origin_at(const struct lp_origin *o, const char *file, unsigned line, int at)
{
        if (!o->file || strcmp(o->file, file) != 0 || o->line != line)
                fail_msg("line %d: origin %s:%u, expected %s:%u", at, o->file ? o->file : "(null)",
                         o->line, file, line);
}

static void assert_builtin(const struct lp_origin *o)
{
        assert_int_equal(o->line, 0);
        char buf[64];
        assert_string_equal(lp_origin_format(o, buf, sizeof(buf)), "built-in");
}

static const struct lp_syscall_rule *rule(const struct lp_policy *p, const char *name)
{
        const struct lp_syscall_rule *r = lp_policy_syscall_by_name(p, name);
        if (!r)
                fail_msg("no rule for syscall %s", name);
        assert_string_equal(r->name, name);
        return r;
}

#define assert_allowed(p, name) assert_action_at((p), (name), LP_ACTION_ALLOW, 0, __LINE__)
#define assert_errno(p, name, e) assert_action_at((p), (name), LP_ACTION_ERRNO, (e), __LINE__)
#define assert_killed(p, name) assert_action_at((p), (name), LP_ACTION_KILL, 0, __LINE__)
static void assert_action_at(const struct lp_policy *p, const char *name, enum lp_action_type type,
                             int e, int at)
{
        const struct lp_syscall_rule *r = rule(p, name);
        if (r->action.type != type || (type == LP_ACTION_ERRNO && r->action.errno_value != e))
                fail_msg("line %d: %s: action %d errno %d, expected %d errno %d", at, name,
                         r->action.type, r->action.errno_value, type, e);
}

struct member_search {
        const char *name;
        const char *avoid;
        bool found;
        char other[64];
};

static int member_cb(const char *syscall, int nr, void *userdata)
{
        struct member_search *s = userdata;
        if (s->name && strcmp(syscall, s->name) == 0)
                s->found = true;
        if (s->avoid && !s->other[0] && strcmp(syscall, s->avoid) != 0)
                snprintf(s->other, sizeof(s->other), "%s", syscall);
        return 0;
}

static bool group_has(const char *group, const char *name)
{
        struct member_search s = {.name = name};
        assert_int_equal(lp_syscall_group_foreach(group, member_cb, &s), 0);
        return s.found;
}

/* Precondition of a test on the group table that syscall_sets.c owns. */
static void require_member(const char *group, const char *name)
{
        if (!group_has(group, name))
                fail_msg("precondition: %s should contain %s", group, name);
}

/* A member of `group` other than `avoid`, copied into buf. */
static const char *other_member(const char *group, const char *avoid, char *buf, size_t size)
{
        struct member_search s = {.avoid = avoid};
        assert_int_equal(lp_syscall_group_foreach(group, member_cb, &s), 0);
        if (!s.other[0])
                fail_msg("precondition: %s has a member besides %s", group, avoid);
        snprintf(buf, size, "%s", s.other);
        return buf;
}

/* The 1-based number of the first line of `path` that starts with `prefix`. */
static unsigned line_of(const char *path, const char *prefix)
{
        FILE *f = fopen(path, "re");
        if (!f)
                fail_msg("cannot open %s", path);
        char buf[4096];
        unsigned n = 0, found = 0;
        while (!found && fgets(buf, sizeof(buf), f)) {
                n++;
                if (strncmp(buf, prefix, strlen(prefix)) == 0)
                        found = n;
        }
        fclose(f);
        if (!found)
                fail_msg("no line starting with '%s' in %s", prefix, path);
        return found;
}

/* ---- temporary profile directories (LEASTPRIV_PATH) ---- */

static char tmpdir[64];
static char oldcwd[PATH_MAX];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        chmod(path, 0700); /* so that a chmod 000 test leaves nothing behind */
        return remove(path);
}

static int tmpdir_setup(void **state)
{
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/lp-test-policy-XXXXXX");
        if (!mkdtemp(tmpdir))
                return -1;
        if (!getcwd(oldcwd, sizeof(oldcwd)))
                return -1;
        setenv("LEASTPRIV_PATH", tmpdir, 1);
        return 0;
}

static int tmpdir_teardown(void **state)
{
        if (chdir(oldcwd) < 0)
                return -1;
        unsetenv("LEASTPRIV_PATH");
        return nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* tmpdir/name; rotating buffers so that a few can be live at once. */
static const char *tmp_path(const char *name)
{
        static char bufs[8][PATH_MAX];
        static unsigned next;
        char *b = bufs[next++ % 8];
        snprintf(b, PATH_MAX, "%s/%s", tmpdir, name);
        return b;
}

static const char *write_bytes(const char *name, const char *text, size_t size)
{
        const char *path = tmp_path(name);
        FILE *f = fopen(path, "we");
        if (!f)
                fail_msg("cannot create %s", path);
        assert_int_equal(fwrite(text, 1, size, f), size);
        assert_int_equal(fclose(f), 0);
        return path;
}

static const char *write_file(const char *name, const char *text)
{
        return write_bytes(name, text, strlen(text));
}

/* ---- [Profile] ---- */

static void test_load_string_profile_description(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Profile]\nDescription=  API tests  # why\n");
        assert_string_equal(p->description, "API tests");
        assert_string_equal(p->source, "t.profile");
        done(&l);

        /* Later lines win; an empty one clears it. */
        p = load_ok(&l, "[Profile]\nDescription=one\nDescription=two\n");
        assert_string_equal(p->description, "two");
        done(&l);
        p = load_ok(&l, "[Profile]\nDescription=one\nDescription=\n");
        assert_null(p->description);
        done(&l);
}

static void test_load_string_defaults(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Profile]\nDescription=nothing else\n");
        assert_int_equal(p->default_action.type, LP_ACTION_ERRNO);
        assert_int_equal(p->default_action.errno_value, EPERM);
        assert_builtin(&p->default_origin);
        assert_int_equal(p->netns, LP_NETNS_LOOPBACK);
        assert_builtin(&p->netns_origin);
        assert_int_equal(p->n_keep, 0);
        assert_int_equal(p->n_families, 0);
        assert_int_equal(p->n_forwards, 0);
        assert_int_equal(p->n_withhold, 0);
        assert_false(p->clear_env);
        assert_false(p->timeout.set);
        assert_false(p->processes.set);
        assert_false(p->open_files.set);
        assert_null(p->user);
        assert_null(p->group);
        assert_true(p->n_syscalls > 300);
        /* Every syscall gets the default, but for the hardening. */
        assert_errno(p, "read", EPERM);
        assert_builtin(&rule(p, "read")->origin);
        assert_false(rule(p, "read")->named);
        assert_null(rule(p, "read")->group);
        done(&l);
}

/* ---- [Capabilities] ---- */

static void test_load_string_capabilities_keep(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Capabilities]\n"
                                          "Keep=CAP_NET_RAW net_admin\n"
                                          "Keep=Sys_Ptrace cap_chown CAP_net_bind_service\n"
                                          "Keep=NET_RAW\n");
        assert_int_equal(p->n_keep, 5);
        assert_origin(lp_policy_keeps(p, CAP_NET_RAW)->origin, "t.profile", 2);
        assert_origin(lp_policy_keeps(p, CAP_NET_ADMIN)->origin, "t.profile", 2);
        assert_origin(lp_policy_keeps(p, CAP_SYS_PTRACE)->origin, "t.profile", 3);
        assert_origin(lp_policy_keeps(p, CAP_CHOWN)->origin, "t.profile", 3);
        assert_origin(lp_policy_keeps(p, CAP_NET_BIND_SERVICE)->origin, "t.profile", 3);
        assert_null(lp_policy_keeps(p, CAP_SYS_ADMIN));
        done(&l);
}

static void test_load_string_capabilities_reset(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Capabilities]\nKeep=CAP_NET_RAW CAP_CHOWN\nKeep=\n"
                                          "Keep=CAP_NET_RAW\n");
        assert_int_equal(p->n_keep, 1);
        assert_origin(lp_policy_keeps(p, CAP_NET_RAW)->origin, "t.profile", 4);
        assert_null(lp_policy_keeps(p, CAP_CHOWN));
        done(&l);
        p = load_ok(&l, "[Capabilities]\nKeep=   # none\n");
        assert_int_equal(p->n_keep, 0);
        done(&l);
}

static void test_load_string_capabilities_unknown(void **state)
{
        assert_text_error(
                "[Capabilities]\nKeep=CAP_NET_RAWW\n",
                "t.profile:2: unknown capability 'CAP_NET_RAWW'; did you mean CAP_NET_RAW?");
        assert_text_error("[Capabilities]\nKeep=CAP_NET_RAW net_rawx\n",
                          "t.profile:2: unknown capability 'net_rawx'; did you mean CAP_NET_RAW?");
        struct loaded l = load_text("[Capabilities]\nKeep=CAP_FROBNICATE_EVERYTHING\n");
        expect_error(&l, "t.profile:2: unknown capability 'CAP_FROBNICATE_EVERYTHING'");
        assert_null(strstr(l.errors, "did you mean"));
        done(&l);
        assert_text_error("[Capabilities]\nKeep=CAP_\n", "t.profile:2: unknown capability 'CAP_'");
}

/* ---- [Syscalls] ---- */

static void test_load_string_syscalls_allow_deny_tokens(void **state)
{
        require_member("@mount", "mount");
        require_member("@swap", "swapon");
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Syscalls]\n"
                                          "Allow=read write\n"
                                          "Allow=@mount\n"
                                          "Deny=ptrace personality:EINVAL\n"
                                          "Deny=kexec_load:kill @swap\n");
        assert_int_equal(p->n_allow, 3);
        assert_string_equal(p->allow[0].token, "read");
        assert_int_equal(p->allow[0].action.type, LP_ACTION_ALLOW);
        assert_origin(p->allow[0].origin, "t.profile", 2);
        assert_string_equal(p->allow[2].token, "@mount");
        assert_origin(p->allow[2].origin, "t.profile", 3);
        assert_int_equal(p->n_deny, 4);
        assert_string_equal(p->deny[0].token, "ptrace");
        assert_false(p->deny[0].action_given);
        assert_string_equal(p->deny[1].token, "personality");
        assert_true(p->deny[1].action_given);
        assert_int_equal(p->deny[1].action.type, LP_ACTION_ERRNO);
        assert_int_equal(p->deny[1].action.errno_value, EINVAL);
        assert_string_equal(p->deny[2].token, "kexec_load");
        assert_int_equal(p->deny[2].action.type, LP_ACTION_KILL);
        assert_origin(p->deny[2].origin, "t.profile", 5);
        assert_string_equal(p->deny[3].token, "@swap");

        /* Resolved. */
        assert_allowed(p, "read");
        assert_true(rule(p, "read")->named);
        assert_origin(rule(p, "read")->origin, "t.profile", 2);
        assert_allowed(p, "mount");
        assert_false(rule(p, "mount")->named);
        assert_string_equal(rule(p, "mount")->group, "@mount");
        assert_origin(rule(p, "mount")->origin, "t.profile", 3);
        assert_errno(p, "ptrace", EPERM);
        assert_origin(rule(p, "ptrace")->origin, "t.profile", 4);
        assert_errno(p, "personality", EINVAL);
        assert_origin(rule(p, "personality")->origin, "t.profile", 4);
        assert_killed(p, "kexec_load");
        assert_origin(rule(p, "kexec_load")->origin, "t.profile", 5);
        assert_errno(p, "swapon", EPERM);
        assert_string_equal(rule(p, "swapon")->group, "@swap");
        done(&l);
}

static void test_load_string_syscalls_default_action(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Syscalls]\nAllow=read\nDefaultAction=kill\n");
        assert_int_equal(p->default_action.type, LP_ACTION_KILL);
        assert_origin(p->default_origin, "t.profile", 3);
        assert_killed(p, "ptrace");
        assert_origin(rule(p, "ptrace")->origin, "t.profile", 3);
        assert_allowed(p, "read");
        done(&l);

        p = load_ok(&l, "[Syscalls]\nDefaultAction=errno:ENOSYS\nDefaultAction=errno:EACCES\n");
        assert_int_equal(p->default_action.type, LP_ACTION_ERRNO);
        assert_int_equal(p->default_action.errno_value, EACCES);
        assert_origin(p->default_origin, "t.profile", 3);
        assert_errno(p, "ptrace", EACCES);
        done(&l);
}

static void test_load_string_syscalls_default_action_bad(void **state)
{
        assert_text_error("[Syscalls]\nDefaultAction=errno:EPRM\n",
                          "t.profile:2: unknown errno 'EPRM'; did you mean EPERM?");
        assert_text_error("[Syscalls]\nDefaultAction=EPERM\n",
                          "t.profile:2: expected errno:NAME or kill, got 'EPERM'");
        assert_text_error("[Syscalls]\nDefaultAction=allow\n",
                          "t.profile:2: expected errno:NAME or kill");
        assert_text_error("[Syscalls]\nDefaultAction=errno:EWHATEVER\n",
                          "t.profile:2: unknown errno 'EWHATEVER'");
}

static void test_load_string_syscalls_unknown(void **state)
{
        assert_text_error("[Syscalls]\nAllow=read ptrce\n",
                          "t.profile:2: unknown syscall 'ptrce'; did you mean 'ptrace'?");
        assert_text_error("[Syscalls]\nDeny=ptrce\n",
                          "t.profile:2: unknown syscall 'ptrce'; did you mean 'ptrace'?");
        assert_text_error("[Syscalls]\nDeny=ptrce:EPERM\n",
                          "t.profile:2: unknown syscall 'ptrce'; did you mean 'ptrace'?");
        /* Two neighbours swapped are one typo, not two. */
        assert_text_error("[Syscalls]\nAllow=opne\n",
                          "t.profile:2: unknown syscall 'opne'; did you mean 'open'?");
        struct loaded l = load_text("[Syscalls]\nAllow=frobnicate_everything\n");
        expect_error(&l, "t.profile:2: unknown syscall 'frobnicate_everything'");
        assert_null(strstr(l.errors, "did you mean"));
        done(&l);
        assert_text_error("[Syscalls]\nAllow=@no-such-group\n",
                          "t.profile:2: unknown syscall group @no-such-group");
        assert_text_error("[Syscalls]\nDeny=ptrace:EPRM\n",
                          "t.profile:2: unknown errno 'EPRM'; did you mean EPERM?");
}

static void test_load_string_syscalls_other_architecture(void **state)
{
        /* socketcall exists on i386 and not on x86_64/aarch64: named alone
         * it is an error that says so (docs/architecture.md, "Profiles"). */
        if (lp_syscall_nr("socketcall") >= 0)
                skip();
        assert_text_error("[Syscalls]\nAllow=socketcall\n",
                          "t.profile:2: syscall 'socketcall' does not exist on this architecture");
}

static void test_load_string_syscalls_list_rules(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Syscalls]\nAllow=read\nAllow=write\nAllow=\n"
                                          "Allow=openat\nDeny=ptrace\nDeny=\nDeny=mount\n");
        assert_int_equal(p->n_allow, 1);
        assert_string_equal(p->allow[0].token, "openat");
        assert_origin(p->allow[0].origin, "t.profile", 5);
        assert_errno(p, "read", EPERM);
        assert_null(rule(p, "read")->group);
        assert_builtin(&rule(p, "read")->origin);
        assert_allowed(p, "openat");
        assert_int_equal(p->n_deny, 1);
        assert_string_equal(p->deny[0].token, "mount");
        assert_origin(rule(p, "mount")->origin, "t.profile", 8);
        /* ptrace falls to the default now: not named any more. */
        assert_false(rule(p, "ptrace")->named);
        done(&l);
}

static void test_resolve_syscalls_named_deny_beats_named_allow(void **state)
{
        struct loaded l;
        /* Whatever the order. */
        struct lp_policy *p = load_ok(&l, "[Syscalls]\nAllow=ptrace\nDeny=ptrace\n");
        assert_errno(p, "ptrace", EPERM);
        assert_true(rule(p, "ptrace")->named);
        assert_origin(rule(p, "ptrace")->origin, "t.profile", 3);
        done(&l);
        p = load_ok(&l, "[Syscalls]\nDeny=ptrace\nAllow=ptrace\n");
        assert_errno(p, "ptrace", EPERM);
        assert_origin(rule(p, "ptrace")->origin, "t.profile", 2);
        done(&l);
}

static void test_resolve_syscalls_named_allow_beats_group_deny(void **state)
{
        char other[64];
        require_member("@mount", "mount");
        other_member("@mount", "mount", other, sizeof(other));
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Syscalls]\nAllow=mount\nDeny=@mount\n");
        assert_allowed(p, "mount");
        assert_true(rule(p, "mount")->named);
        assert_null(rule(p, "mount")->group);
        assert_origin(rule(p, "mount")->origin, "t.profile", 2);
        /* The rest of the group stays denied, citing the group. */
        assert_errno(p, other, EPERM);
        assert_string_equal(rule(p, other)->group, "@mount");
        assert_origin(rule(p, other)->origin, "t.profile", 3);
        done(&l);
}

static void test_resolve_syscalls_named_deny_beats_group_allow(void **state)
{
        char other[64];
        require_member("@mount", "mount");
        other_member("@mount", "mount", other, sizeof(other));
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Syscalls]\nDeny=mount:EACCES\nAllow=@mount\n");
        assert_errno(p, "mount", EACCES);
        assert_true(rule(p, "mount")->named);
        assert_origin(rule(p, "mount")->origin, "t.profile", 2);
        assert_allowed(p, other);
        assert_string_equal(rule(p, other)->group, "@mount");
        assert_origin(rule(p, other)->origin, "t.profile", 3);
        done(&l);
}

static void test_resolve_syscalls_group_deny_beats_group_allow(void **state)
{
        require_member("@mount", "mount");
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Syscalls]\nDeny=@mount:EROFS\nAllow=@mount\n");
        assert_errno(p, "mount", EROFS);
        assert_string_equal(rule(p, "mount")->group, "@mount");
        assert_origin(rule(p, "mount")->origin, "t.profile", 2);
        assert_false(rule(p, "mount")->named);
        done(&l);
        p = load_ok(&l, "[Syscalls]\nAllow=@mount\nDeny=@mount:kill\n");
        assert_killed(p, "mount");
        assert_origin(rule(p, "mount")->origin, "t.profile", 3);
        done(&l);
}

static void test_resolve_syscalls_group_allow_beats_default(void **state)
{
        require_member("@mount", "mount");
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Syscalls]\nDefaultAction=kill\nAllow=@mount\n");
        assert_allowed(p, "mount");
        assert_killed(p, "ptrace");
        assert_origin(rule(p, "ptrace")->origin, "t.profile", 2);
        done(&l);
}

static void test_resolve_syscalls_later_token_wins_within_class(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Syscalls]\nDeny=ptrace:EINVAL\nDeny=ptrace:EACCES\n");
        assert_errno(p, "ptrace", EACCES);
        assert_origin(rule(p, "ptrace")->origin, "t.profile", 3);
        done(&l);
}

static void test_resolve_syscalls_plain_deny_takes_default_errno(void **state)
{
        struct loaded l;
        /* DefaultAction after the Deny= line still decides its errno. */
        struct lp_policy *p = load_ok(&l, "[Syscalls]\nDeny=ptrace\nDeny=@mount\n"
                                          "DefaultAction=errno:EACCES\n");
        assert_errno(p, "ptrace", EACCES);
        assert_errno(p, "mount", EACCES);
        assert_origin(rule(p, "ptrace")->origin, "t.profile", 2);
        done(&l);
        /* A default that kills: a plain Deny= is EPERM, not harsher. */
        p = load_ok(&l, "[Syscalls]\nDefaultAction=kill\nDeny=ptrace\n");
        assert_errno(p, "ptrace", EPERM);
        assert_killed(p, "mount");
        done(&l);
        /* An explicit action is kept whatever the default. */
        p = load_ok(&l, "[Syscalls]\nDefaultAction=errno:EACCES\nDeny=ptrace:EINVAL\n");
        assert_errno(p, "ptrace", EINVAL);
        done(&l);
}

static void test_resolve_syscalls_argument_hardening(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Syscalls]\nAllow=read\n");
        assert_true(lp_watch_hardened(p, "ioctl"));
        assert_true(lp_watch_hardened(p, "clone"));
        assert_true(lp_watch_hardened(p, "unshare"));
        assert_true(lp_watch_find("socket")->always); /* families: always enforced */
        done(&l);

        /* Allowed through a group: still hardened. */
        require_member("@process", "clone");
        p = load_ok(&l, "[Syscalls]\nAllow=@default @basic-io @process @namespaces\n");
        assert_allowed(p, "clone");
        assert_true(lp_watch_hardened(p, "ioctl"));
        assert_true(lp_watch_hardened(p, "clone"));
        assert_true(lp_watch_hardened(p, "unshare"));
        done(&l);

        /* Allowed by bare name: lifted, one at a time. */
        p = load_ok(&l, "[Syscalls]\nAllow=ioctl\n");
        assert_false(lp_watch_hardened(p, "ioctl"));
        assert_true(lp_watch_hardened(p, "clone"));
        assert_true(lp_watch_hardened(p, "unshare"));
        done(&l);
        p = load_ok(&l, "[Syscalls]\nAllow=clone unshare\n");
        assert_true(lp_watch_hardened(p, "ioctl"));
        assert_false(lp_watch_hardened(p, "clone"));
        assert_false(lp_watch_hardened(p, "unshare"));
        assert_true(lp_watch_find("socket")->always); /* families: always enforced */
        done(&l);

        /* Named, but denied: hardening stays. */
        p = load_ok(&l, "[Syscalls]\nAllow=ioctl\nDeny=ioctl\n");
        assert_true(lp_watch_hardened(p, "ioctl"));
        done(&l);
}

static void test_resolve_syscalls_clone3_and_io_uring(void **state)
{
        struct loaded l;
        /* Unnamed: clone3 gets ENOSYS whatever decided it. */
        struct lp_policy *p = load_ok(&l, "[Syscalls]\nAllow=read\n");
        assert_errno(p, "clone3", ENOSYS);
        assert_true(rule(p, "clone3")->hardening);
        assert_builtin(&rule(p, "clone3")->origin);
        done(&l);
        p = load_ok(&l, "[Syscalls]\nDefaultAction=kill\n");
        assert_errno(p, "clone3", ENOSYS);
        done(&l);

        /* Allowed through a group: io_uring_* get EPERM, clone3 ENOSYS. */
        require_member("@io-uring", "io_uring_setup");
        p = load_ok(&l, "[Syscalls]\nAllow=@io-uring\nDefaultAction=errno:EACCES\n");
        assert_errno(p, "io_uring_setup", EPERM);
        assert_errno(p, "io_uring_enter", EPERM);
        assert_errno(p, "io_uring_register", EPERM);
        assert_true(rule(p, "io_uring_setup")->hardening);
        assert_null(rule(p, "io_uring_setup")->group);
        assert_builtin(&rule(p, "io_uring_setup")->origin);
        done(&l);

        /* Named: the profile's word stands. */
        p = load_ok(&l, "[Syscalls]\nAllow=clone3 io_uring_setup\n");
        assert_allowed(p, "clone3");
        assert_false(rule(p, "clone3")->hardening);
        assert_origin(rule(p, "clone3")->origin, "t.profile", 2);
        assert_allowed(p, "io_uring_setup");
        assert_false(rule(p, "io_uring_setup")->hardening);
        assert_errno(p, "io_uring_enter", EPERM);
        done(&l);
        p = load_ok(&l, "[Syscalls]\nDeny=clone3:kill\n");
        assert_killed(p, "clone3");
        assert_false(rule(p, "clone3")->hardening);
        done(&l);
}

static void test_policy_syscall_lookups(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Syscalls]\nAllow=read\n");
        int nr = lp_syscall_nr("read");
        assert_true(nr >= 0);
        assert_ptr_equal(lp_policy_syscall(p, nr), lp_policy_syscall_by_name(p, "read"));
        assert_null(lp_policy_syscall(p, -1));
        assert_null(lp_policy_syscall(p, 100000));
        assert_null(lp_policy_syscall_by_name(p, "not_a_syscall"));
        /* Sorted by nr, one rule each. */
        for (size_t i = 1; i < p->n_syscalls; i++)
                assert_true(p->syscalls[i - 1].nr < p->syscalls[i].nr);
        for (size_t i = 0; i < p->n_syscalls; i++)
                assert_ptr_equal(lp_policy_syscall(p, p->syscalls[i].nr), &p->syscalls[i]);
        done(&l);
}

/* ---- [Network] ---- */

static void test_load_string_network_namespace(void **state)
{
        static const struct {
                const char *value;
                enum lp_netns_mode mode;
        } cases[] = {
                {"loopback", LP_NETNS_LOOPBACK}, {"none", LP_NETNS_NONE}, {"host", LP_NETNS_HOST}};
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char text[128];
                snprintf(text, sizeof(text), "[Network]\nNamespace=host\n\nNamespace=%s\n",
                         cases[i].value);
                struct loaded l;
                struct lp_policy *p = load_ok(&l, text);
                assert_int_equal(p->netns, cases[i].mode);
                assert_origin(p->netns_origin, "t.profile", 4);
                done(&l);
        }
        assert_text_error("[Network]\nNamespace=private\n",
                          "t.profile:2: Namespace= must be loopback, none or host, not 'private'");
        assert_text_error("[Network]\nNamespace=Host\n", "t.profile:2: Namespace=");
}

static void test_load_string_network_address_families(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Network]\nAddressFamilies=AF_UNIX AF_INET\n"
                                          "AddressFamilies=AF_INET6 AF_LOCAL AF_NETLINK\n");
        assert_int_equal(p->n_families, 4); /* AF_LOCAL is AF_UNIX */
        assert_origin(lp_policy_family(p, AF_UNIX)->origin, "t.profile", 2);
        assert_origin(lp_policy_family(p, AF_INET)->origin, "t.profile", 2);
        assert_origin(lp_policy_family(p, AF_INET6)->origin, "t.profile", 3);
        assert_origin(lp_policy_family(p, AF_NETLINK)->origin, "t.profile", 3);
        assert_null(lp_policy_family(p, AF_PACKET));
        done(&l);

        p = load_ok(&l, "[Network]\nAddressFamilies=AF_UNIX AF_INET\nAddressFamilies=\n"
                        "AddressFamilies=AF_INET6\n");
        assert_int_equal(p->n_families, 1);
        assert_origin(lp_policy_family(p, AF_INET6)->origin, "t.profile", 4);
        assert_null(lp_policy_family(p, AF_UNIX));
        done(&l);

        /* One netlink protocol at a time; the whole family takes them in. */
        p = load_ok(&l, "[Network]\nAddressFamilies=AF_NETLINK:ROUTE AF_NETLINK:AUDIT\n");
        assert_int_equal(p->n_families, 2);
        assert_true(lp_policy_socket(p, AF_NETLINK, 0));
        assert_true(lp_policy_socket(p, AF_NETLINK, 9));
        assert_false(lp_policy_socket(p, AF_NETLINK, 15)); /* KOBJECT_UEVENT */
        assert_int_equal(lp_policy_family(p, AF_NETLINK)->protocol, 0);
        done(&l);
        p = load_ok(&l, "[Network]\nAddressFamilies=AF_NETLINK:ROUTE\nAddressFamilies=AF_NETLINK "
                        "AF_NETLINK:AUDIT\n");
        assert_int_equal(p->n_families, 1);
        assert_int_equal(lp_policy_family(p, AF_NETLINK)->protocol, -1);
        assert_origin(lp_policy_family(p, AF_NETLINK)->origin, "t.profile", 3);
        assert_true(lp_policy_socket(p, AF_NETLINK, 15));
        done(&l);
}

static void test_load_string_network_address_families_unknown(void **state)
{
        assert_text_error("[Network]\nAddressFamilies=AF_INET:ROUTE\n",
                          "t.profile:2: unknown address family 'AF_INET:ROUTE'; only AF_NETLINK "
                          "takes a protocol, as AF_NETLINK:ROUTE");
        assert_text_error("[Network]\nAddressFamilies=AF_NETLINK:ROUTES\n",
                          "t.profile:2: unknown address family 'AF_NETLINK:ROUTES'");
        assert_text_error("[Network]\nAddressFamilies=AF_UNIX AF_INTE\n",
                          "t.profile:2: unknown address family 'AF_INTE'; did you mean AF_INET?");
        struct loaded l = load_text("[Network]\nAddressFamilies=PF_WHATEVER_FAMILY\n");
        expect_error(&l, "t.profile:2: unknown address family 'PF_WHATEVER_FAMILY'");
        assert_null(strstr(l.errors, "did you mean"));
        done(&l);
}

static void test_load_string_network_forward(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Network]\n"
                                          "Forward=tcp:127.0.0.1:5432\n"
                                          "Forward=tcp:6380=127.0.0.1:16379 tcp:[::1]:8080\n"
                                          "Forward=tcp:9000=[fd00::1:2]:9001\n"
                                          "ForwardOutside=yes\n");
        assert_int_equal(p->n_forwards, 4);
        const struct lp_forward *f = p->forwards;
        assert_int_equal(f[0].inside_port, 5432);
        assert_string_equal(f[0].host, "127.0.0.1");
        assert_int_equal(f[0].host_port, 5432);
        assert_origin(f[0].origin, "t.profile", 2);
        assert_int_equal(f[1].inside_port, 6380);
        assert_string_equal(f[1].host, "127.0.0.1");
        assert_int_equal(f[1].host_port, 16379);
        assert_origin(f[1].origin, "t.profile", 3);
        assert_int_equal(f[2].inside_port, 8080);
        assert_string_equal(f[2].host, "::1");
        assert_int_equal(f[2].host_port, 8080);
        assert_origin(f[2].origin, "t.profile", 3);
        assert_int_equal(f[3].inside_port, 9000);
        assert_string_equal(f[3].host, "fd00::1:2");
        assert_int_equal(f[3].host_port, 9001);
        assert_origin(f[3].origin, "t.profile", 4);
        done(&l);

        p = load_ok(&l, "[Network]\nForward=tcp:127.0.0.1:1\nForward=tcp:127.0.0.1:65535\n"
                        "Forward=\nForward=tcp:10.0.0.1:443\nForwardOutside=yes\n");
        assert_int_equal(p->n_forwards, 1);
        assert_int_equal(p->forwards[0].host_port, 443);
        assert_origin(p->forwards[0].origin, "t.profile", 5);
        done(&l);
        p = load_ok(&l, "[Network]\nForward=tcp:127.0.0.1:1 tcp:127.0.0.1:65535\n");
        assert_int_equal(p->forwards[0].host_port, 1);
        assert_int_equal(p->forwards[1].host_port, 65535);
        done(&l);
        /* Without HOST: the host's 127.0.0.1; any 127/8 and ::1 are the
         * host's loopback, which needs no ForwardOutside=. */
        p = load_ok(&l, "[Network]\nForward=tcp:5432 tcp:6000=6001 tcp:127.1.2.3:7 tcp:[::1]:8\n");
        assert_int_equal(p->n_forwards, 4);
        assert_string_equal(p->forwards[0].host, "127.0.0.1");
        assert_int_equal(p->forwards[0].inside_port, 5432);
        assert_int_equal(p->forwards[0].host_port, 5432);
        assert_string_equal(p->forwards[1].host, "127.0.0.1");
        assert_int_equal(p->forwards[1].inside_port, 6000);
        assert_int_equal(p->forwards[1].host_port, 6001);
        assert_false(p->forward_outside.value);
        done(&l);
        /* unix: needs no network: Namespace=none is fine. */
        p = load_ok(&l, "[Network]\nNamespace=none\nForward=unix:/run/postgresql/.s.PGSQL.5432\n");
        assert_int_equal(p->n_forwards, 1);
        assert_string_equal(p->forwards[0].path, "/run/postgresql/.s.PGSQL.5432");
        assert_int_equal(p->forwards[0].inside_port, 0);
        done(&l);
}

static void test_load_string_network_forward_bad(void **state)
{
        assert_text_error("[Network]\nForward=tcp:127.0.0.1:0\n",
                          "t.profile:2: Forward= port '0' is not in 1..65535");
        assert_text_error("[Network]\nForward=tcp:127.0.0.1:65536\n",
                          "t.profile:2: Forward= port '65536' is not in 1..65535");
        assert_text_error("[Network]\nForward=tcp:127.0.0.1:\n",
                          "t.profile:2: Forward= port '' is not in 1..65535");
        assert_text_error("[Network]\nForward=tcp:127.0.0.1:http\n",
                          "t.profile:2: Forward= port 'http' is not in 1..65535");
        assert_text_error("[Network]\nForward=tcp::5432\n",
                          "t.profile:2: Forward= needs a host address before ':'");
        /* Beyond the host's loopback only with ForwardOutside=yes, and
         * never without lo. */
        assert_text_error("[Network]\nForward=tcp:10.0.0.1:443\n",
                          "t.profile:2: Forward= to 10.0.0.1: not the host's loopback; "
                          "forwarding beyond it needs [Network] ForwardOutside=yes");
        assert_text_error("[Network]\nForward=tcp:[::ffff:10.0.0.1]:443\nForwardOutside=no\n",
                          "t.profile:2: Forward= to ::ffff:10.0.0.1: not the host's loopback");
        assert_text_error("[Network]\nNamespace=none\nForward=tcp:5432\n",
                          "t.profile:3: Forward= needs lo up: [Network] Namespace=loopback "
                          "(it is none, t.profile:2)");
        assert_text_error("[Network]\nForwardOutside=sometimes\n",
                          "t.profile:2: ForwardOutside= must be yes or no, not 'sometimes'");
        assert_text_error("[Network]\nForward=tcp:localhost:5432\n",
                          "t.profile:2: Forward= host 'localhost' is not a numeric");
        assert_text_error("[Network]\nForward=udp:127.0.0.1:53\n",
                          "t.profile:2: Forward= 'udp:127.0.0.1:53': only tcp: and unix: forwards "
                          "exist");
        assert_text_error("[Network]\nForward=unix:relative.sock\n",
                          "t.profile:2: Forward=unix:relative.sock: the path must be absolute");
        assert_text_error("[Network]\nForward=unix:/tmp/../srv/x.sock\n",
                          "t.profile:2: Forward=unix:/tmp/../srv/x.sock: the path may not hold . "
                          "or .. components");
        assert_text_error("[Network]\nForward=unix:/a.sock\nForward=unix:/a.sock\n",
                          "t.profile:3: Forward=unix:/a.sock is already forwarded (t.profile:2)");
        assert_text_error("[Network]\nForward=tcp:0=127.0.0.1:80\n",
                          "t.profile:2: Forward= inside port '0' is not in 1..65535");
        assert_text_error("[Network]\nForward=tcp:70000=127.0.0.1:80\n",
                          "t.profile:2: Forward= inside port '70000' is not in 1..65535");
        assert_text_error(
                "[Network]\nForward=tcp:127.0.0.1:80\nForward=tcp:80=10.0.0.1:8080\n",
                "t.profile:3: Forward= inside port 80 is already forwarded (t.profile:2)");
}

static void test_load_include_forward_twice_cites_first_file(void **state)
{
        const char *base = write_file("base.profile", "[Profile]\nDescription=b\n"
                                                      "[Network]\nForward=tcp:127.0.0.1:5432\n");
        struct loaded l = load_text("[Profile]\nInclude=base\n[Network]\n"
                                    "Forward=tcp:5432=127.0.0.2:5432\n");
        char expected[PATH_MAX + 128];
        snprintf(expected, sizeof(expected),
                 "t.profile:4: Forward= inside port 5432 is already forwarded (%s:4)", base);
        expect_error(&l, expected);
        done(&l);
        /* Re-pointing it takes a reset. */
        l = load_text("[Profile]\nInclude=base\n[Network]\nForward=\n"
                      "Forward=tcp:5432=127.0.0.2:5432\n");
        expect_ok(&l);
        assert_int_equal(l.policy->n_forwards, 1);
        assert_string_equal(l.policy->forwards[0].host, "127.0.0.2");
        assert_origin(l.policy->forwards[0].origin, "t.profile", 5);
        done(&l);
}

/* ---- [Environment] ---- */

/* What the profile withholds by name: a Withhold= pattern matches and no
 * Pass= does (launch/env.c adds the judgement of values). */
static bool withheld(const struct lp_policy *p, const char *name, const struct lp_pattern **why)
{
        const struct lp_pattern *rule =
                lp_policy_passes(p, name) ? NULL : lp_policy_withhold_pattern(p, name);
        if (rule && why)
                *why = rule;
        return rule != NULL;
}

static void test_load_string_environment_withhold_pass(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Environment]\n"
                                          "Withhold=*TOKEN* AWS_*\n"
                                          "Withhold=SSH_AUTH_SOCK\n"
                                          "Pass=GITHUB_TOKEN NPM_*\n");
        assert_int_equal(p->n_withhold, 3);
        assert_string_equal(p->withhold[0].glob, "*TOKEN*");
        assert_origin(p->withhold[2].origin, "t.profile", 3);
        assert_int_equal(p->n_pass, 2);
        assert_origin(p->pass[1].origin, "t.profile", 4);

        const struct lp_pattern *why = NULL;
        assert_true(withheld(p, "CI_JOB_TOKEN", &why));
        assert_non_null(why);
        assert_string_equal(why->glob, "*TOKEN*");
        assert_origin(why->origin, "t.profile", 2);
        assert_true(withheld(p, "AWS_SECRET_ACCESS_KEY", &why));
        assert_string_equal(why->glob, "AWS_*");
        assert_true(withheld(p, "SSH_AUTH_SOCK", NULL));
        /* Pass= overrides a withhold, and is a glob too. */
        assert_false(withheld(p, "GITHUB_TOKEN", NULL));
        assert_false(withheld(p, "NPM_TOKEN", NULL));
        assert_false(withheld(p, "HOME", NULL));
        assert_false(withheld(p, "PATH", NULL));
        done(&l);

        /* Pass= before Withhold= overrides all the same. */
        p = load_ok(&l, "[Environment]\nPass=MY_TOKEN\nWithhold=*TOKEN*\n");
        assert_false(withheld(p, "MY_TOKEN", NULL));
        assert_true(withheld(p, "YOUR_TOKEN", NULL));
        done(&l);
}

static void test_load_string_environment_reset(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Environment]\nWithhold=*TOKEN* AWS_*\nWithhold=\n"
                                          "Withhold=VAULT_*\nPass=A\nPass=\nPass=B\n"
                                          "Set=A=1\nSet=\nSet=B=2\n");
        assert_int_equal(p->n_withhold, 1);
        assert_string_equal(p->withhold[0].glob, "VAULT_*");
        assert_origin(p->withhold[0].origin, "t.profile", 4);
        assert_false(withheld(p, "GH_TOKEN", NULL));
        assert_int_equal(p->n_pass, 1);
        assert_string_equal(p->pass[0].glob, "B");
        assert_origin(p->pass[0].origin, "t.profile", 7);
        assert_int_equal(p->n_set_env, 1);
        assert_string_equal(p->set_env[0].name, "B");
        assert_origin(p->set_env[0].origin, "t.profile", 10);
        done(&l);
}

static void test_load_string_environment_clear_and_set(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Environment]\nClear=yes\n"
                                          "Set=TZ=UTC LANG=C.UTF-8\nSet=EMPTY= X=a=b\n");
        assert_true(p->clear_env);
        assert_origin(p->clear_env_origin, "t.profile", 2);
        assert_int_equal(p->n_set_env, 4);
        assert_string_equal(p->set_env[0].name, "TZ");
        assert_string_equal(p->set_env[0].value, "UTC");
        assert_origin(p->set_env[0].origin, "t.profile", 3);
        assert_string_equal(p->set_env[1].name, "LANG");
        assert_string_equal(p->set_env[1].value, "C.UTF-8");
        assert_string_equal(p->set_env[2].name, "EMPTY");
        assert_string_equal(p->set_env[2].value, "");
        assert_origin(p->set_env[2].origin, "t.profile", 4);
        assert_string_equal(p->set_env[3].name, "X");
        assert_string_equal(p->set_env[3].value, "a=b");
        done(&l);

        p = load_ok(&l, "[Environment]\nClear=yes\nClear=no\n");
        assert_false(p->clear_env);
        assert_origin(p->clear_env_origin, "t.profile", 3);
        done(&l);
        static const char *const yes[] = {"yes", "true", "on", "1"};
        for (size_t i = 0; i < 4; i++) {
                char text[64];
                snprintf(text, sizeof(text), "[Environment]\nClear=%s\n", yes[i]);
                p = load_ok(&l, text);
                assert_true(p->clear_env);
                done(&l);
        }
}

static void test_load_string_environment_bad(void **state)
{
        assert_text_error("[Environment]\nClear=maybe\n",
                          "t.profile:2: Clear= must be yes or no, not 'maybe'");
        assert_text_error("[Environment]\nSet=NOVALUE\n",
                          "t.profile:2: Set= 'NOVALUE' is not NAME=VALUE");
        assert_text_error("[Environment]\nSet=1X=2\n",
                          "t.profile:2: Set= '1X=2' is not NAME=VALUE");
        assert_text_error("[Environment]\nSet==2\n", "t.profile:2: Set= '=2' is not NAME=VALUE");
        assert_text_error("[Environment]\nSet=A-B=2\n", "t.profile:2: Set= 'A-B=2'");
        assert_text_error("[Environment]\nWithhold=A=B\n",
                          "t.profile:2: 'A=B': a variable name pattern cannot contain '='");
        assert_text_error("[Environment]\nPass=A=B\n", "t.profile:2: 'A=B'");
}

/* ---- [Limits] and [Identity] ---- */

static void test_load_string_limits(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Limits]\nTimeout=900\nProcesses=4096\n"
                                          "OpenFiles=1024\nOpenFiles=4294967295\n");
        assert_true(p->timeout.set);
        assert_int_equal(p->timeout.value, 900);
        assert_origin(p->timeout.origin, "t.profile", 2);
        assert_true(p->processes.set);
        assert_int_equal(p->processes.value, 4096);
        assert_origin(p->processes.origin, "t.profile", 3);
        assert_true(p->open_files.set);
        assert_int_equal(p->open_files.value, 4294967295u);
        assert_origin(p->open_files.origin, "t.profile", 5);
        done(&l);

        /* infinity (or empty) unsets, later lines win, and the line is kept. */
        p = load_ok(&l, "[Limits]\nTimeout=900\nTimeout=infinity\nProcesses=10\nProcesses=\n"
                        "OpenFiles=infinity\n");
        assert_false(p->timeout.set);
        assert_origin(p->timeout.origin, "t.profile", 3);
        assert_false(p->processes.set);
        assert_origin(p->processes.origin, "t.profile", 5);
        assert_false(p->open_files.set);
        assert_origin(p->open_files.origin, "t.profile", 6);
        done(&l);
}

static void test_load_string_limits_bad(void **state)
{
        static const char *const bad[] = {
                "0", "-1", "abc", "12abc", "4294967296", "99999999999999999999999", "1.5", "0x10"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char text[128], expected[128];
                snprintf(text, sizeof(text), "[Limits]\nProcesses=%s\n", bad[i]);
                snprintf(expected, sizeof(expected),
                         "t.profile:2: Processes= must be a whole number from 1 to 4294967295, "
                         "or infinity; got '%s'",
                         bad[i]);
                assert_text_error(text, expected);
        }
        assert_text_error("[Limits]\nTimeout=forever\n", "t.profile:2: Timeout= must be");
        assert_text_error("[Limits]\nOpenFiles=none\n", "t.profile:2: OpenFiles= must be");
}

static void test_load_string_tmp_size(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Profile]\nDescription=x\n");
        assert_true(p->tmp_size.set);
        assert_int_equal(p->tmp_size.value, 1ULL << 30); /* the built-in 1G */
        assert_builtin(&p->tmp_size.origin);
        done(&l);
        static const struct {
                const char *text;
                uint64_t bytes;
        } sizes[] = {{"4096", 4096},
                     {"64k", 64ULL << 10},
                     {"512M", 512ULL << 20},
                     {"2G", 2ULL << 30},
                     {"1T", 1ULL << 40}};
        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                char text[64];
                snprintf(text, sizeof(text), "[Limits]\nTmpSize=%s\n", sizes[i].text);
                p = load_ok(&l, text);
                assert_true(p->tmp_size.set);
                assert_int_equal(p->tmp_size.value, sizes[i].bytes);
                assert_origin(p->tmp_size.origin, "t.profile", 2);
                done(&l);
        }
        p = load_ok(&l, "[Limits]\nTmpSize=1G\nTmpSize=infinity\n");
        assert_false(p->tmp_size.set);
        assert_origin(p->tmp_size.origin, "t.profile", 3);
        done(&l);
        static const char *const bad[] = {"0", "-1",   "1X",        "1GB",
                                          "G", "1.5G", "16777216T", "99999999999999999999999"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char text[128], expected[160];
                snprintf(text, sizeof(text), "[Limits]\nTmpSize=%s\n", bad[i]);
                snprintf(expected, sizeof(expected),
                         "t.profile:2: TmpSize= must be a size in bytes, with K, M, G or T for "
                         "KiB, MiB, GiB, TiB (1G), or infinity; got '%s'",
                         bad[i]);
                assert_text_error(text, expected);
        }
}

/* Memory= shares TmpSize='s syntax; unset unless a profile sets it. */
static void test_load_string_memory(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Profile]\nDescription=x\n");
        assert_false(p->memory.set);
        done(&l);
        p = load_ok(&l, "[Limits]\nMemory=512M\n");
        assert_true(p->memory.set);
        assert_int_equal(p->memory.value, 512ULL << 20);
        assert_origin(p->memory.origin, "t.profile", 2);
        done(&l);
        p = load_ok(&l, "[Limits]\nMemory=1G\nMemory=infinity\n");
        assert_false(p->memory.set);
        done(&l);
        assert_text_error("[Limits]\nMemory=1GB\n",
                          "t.profile:2: Memory= must be a size in bytes, with K, M, G or T for "
                          "KiB, MiB, GiB, TiB (1G), or infinity; got '1GB'");
        assert_text_error("[Limits]\nMemory=0\n", "t.profile:2: Memory= must be a size in bytes");
}

/* ---- [Filesystem] ---- */

static void test_load_string_filesystem_defaults(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Profile]\nDescription=x\n");
        /* Without a [Filesystem] line the host is as it was. */
        assert_int_equal(p->protect_system, LP_PROTECT_SYSTEM_NO);
        assert_false(p->private_tmp.value);
        assert_false(p->private_devices.value);
        assert_false(p->protect_tunables.value);
        assert_false(p->protect_cgroups.value);
        assert_false(lp_policy_has_filesystem_rules(p));
        done(&l);
        p = load_ok(&l, "[Filesystem]\nReadWritePaths=.\n");
        assert_false(lp_policy_has_filesystem_rules(p)); /* writable where all is */
        done(&l);
        p = load_ok(&l, "[Filesystem]\nPrivateTmp=yes\n");
        assert_true(lp_policy_has_filesystem_rules(p));
        done(&l);
}

static void test_load_string_filesystem_keys(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Filesystem]\n"
                                          "ProtectSystem=full\nProtectSystem=strict\n"
                                          "ReadWritePaths=. build/ -/var/cache/x ~ ~/out\n"
                                          "ReadOnlyPaths=/srv\n"
                                          "InaccessiblePaths=-~/.ssh /etc/shadow\n"
                                          "PrivateTmp=yes\nPrivateDevices=true\n"
                                          "ProtectKernelTunables=1\nProtectControlGroups=no\n");
        assert_int_equal(p->protect_system, LP_PROTECT_SYSTEM_STRICT);
        assert_origin(p->protect_system_origin, "t.profile", 3);
        assert_int_equal(p->n_rw_paths, 5);
        static const char *const rw[] = {".", "build", "/var/cache/x", "~", "~/out"};
        for (size_t i = 0; i < 5; i++) {
                assert_string_equal(p->rw_paths[i].path, rw[i]);
                assert_int_equal(p->rw_paths[i].optional, i == 2);
                assert_origin(p->rw_paths[i].origin, "t.profile", 4);
        }
        assert_int_equal(p->n_ro_paths, 1);
        assert_string_equal(p->ro_paths[0].path, "/srv");
        assert_int_equal(p->n_hidden_paths, 2);
        assert_true(p->hidden_paths[0].optional);
        assert_string_equal(p->hidden_paths[0].path, "~/.ssh");
        assert_false(p->hidden_paths[1].optional);
        assert_true(p->private_tmp.value);
        assert_true(p->private_devices.value);
        assert_true(p->protect_tunables.value);
        assert_false(p->protect_cgroups.value);
        assert_origin(p->protect_cgroups.origin, "t.profile", 10);
        done(&l);

        /* An empty value resets a list, also one from an Include=d file. */
        p = load_ok(&l, "[Profile]\nInclude=base\n[Filesystem]\nInaccessiblePaths=\n"
                        "InaccessiblePaths=/srv/secret\nReadOnlyPaths=\n");
        assert_int_equal(p->n_hidden_paths, 1);
        assert_string_equal(p->hidden_paths[0].path, "/srv/secret");
        assert_origin(p->hidden_paths[0].origin, "t.profile", 5);
        assert_int_equal(p->n_ro_paths, 0);
        done(&l);
}

static void test_load_string_filesystem_bad(void **state)
{
        assert_text_error("[Filesystem]\nProtectSystem=yes\n",
                          "t.profile:2: ProtectSystem= must be strict, full or no, not 'yes'");
        assert_text_error("[Filesystem]\nPrivateTmp=maybe\n",
                          "t.profile:2: PrivateTmp= must be yes or no, not 'maybe'");
        assert_text_error("[Filesystem]\nProtectKernelTunables=2\n",
                          "t.profile:2: ProtectKernelTunables= must be yes or no");
        assert_text_error("[Filesystem]\nReadWritePaths=~root/x\n",
                          "t.profile:2: '~root/x': only the caller's own home");
        assert_text_error("[Filesystem]\n\nInaccessiblePaths=/a -\n",
                          "t.profile:3: '-' must be followed by a path");
        assert_text_error("[Filesystem]\nHideEverything=yes\n", "t.profile:2:");
}

static void test_load_string_host(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Profile]\nDescription=x\n");
        assert_false(p->private_ipc.value);
        assert_false(p->protect_hostname.value);
        assert_true(lp_policy_wants_namespaces(p)); /* the loopback network namespace */
        done(&l);
        p = load_ok(&l, "[Profile]\nInclude=base\n[Host]\nProtectHostname=no\n");
        assert_true(p->private_ipc.value);
        assert_false(p->protect_hostname.value);
        assert_origin(p->protect_hostname.origin, "t.profile", 4);
        assert_true(lp_policy_wants_namespaces(p));
        done(&l);
        /* Nothing of its own: no namespace wanted, none needed. */
        p = load_ok(&l, "[Network]\nNamespace=host\n[Host]\nPrivateIPC=no\n");
        assert_false(lp_policy_wants_namespaces(p));
        done(&l);
        p = load_ok(&l, "[Network]\nNamespace=host\n[Host]\nPrivateIPC=yes\n");
        assert_true(lp_policy_wants_namespaces(p));
        done(&l);
        assert_text_error("[Host]\nPrivateIPC=shared\n",
                          "t.profile:2: PrivateIPC= must be yes or no, not 'shared'");
        assert_text_error("[Host]\n\nProtectHostname=\n",
                          "t.profile:3: ProtectHostname= must be yes or no, not ''");
}

static void test_load_string_identity(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Identity]\nUser=root\nUser=nobody\nGroup=nogroup\n");
        assert_string_equal(p->user, "nobody");
        assert_origin(p->user_origin, "t.profile", 3);
        assert_string_equal(p->group, "nogroup");
        assert_origin(p->group_origin, "t.profile", 4);
        done(&l);
        p = load_ok(&l, "[Identity]\nUser=nobody\nUser=\n");
        assert_null(p->user);
        assert_null(p->group);
        done(&l);
        /* DynamicUser=: off unless asked for; a filesystem rule of its
         * own (the workspace is idmapped in a mount namespace). */
        p = load_ok(&l, "[Network]\nNamespace=host\n");
        assert_false(p->dynamic_user.value);
        assert_false(lp_policy_has_filesystem_rules(p));
        done(&l);
        p = load_ok(&l, "[Network]\nNamespace=host\n[Identity]\nDynamicUser=yes\n");
        assert_true(p->dynamic_user.value);
        assert_origin(p->dynamic_user.origin, "t.profile", 4);
        assert_true(lp_policy_has_filesystem_rules(p));
        assert_true(lp_policy_wants_namespaces(p));
        done(&l);
        l = load_name("strict");
        assert_int_equal(l.r, 0);
        assert_true(l.policy->dynamic_user.value);
        done(&l);
        l = load_name("default");
        assert_int_equal(l.r, 0);
        assert_false(l.policy->dynamic_user.value);
        done(&l);
        assert_text_error("[Identity]\nDynamicUser=maybe\n",
                          "t.profile:2: DynamicUser= must be yes or no, not 'maybe'");
        /* The run's ids are allocated: naming them too is an error that
         * cites both lines, whichever comes first. */
        assert_text_error("[Identity]\nDynamicUser=yes\nUser=nobody\n",
                          "t.profile:2: [Identity] DynamicUser=yes excludes User= and Group= "
                          "(t.profile:3): the run's uid and gid are allocated for it");
        assert_text_error("[Identity]\nGroup=nogroup\nDynamicUser=yes\n",
                          "t.profile:3: [Identity] DynamicUser=yes excludes User= and Group= "
                          "(t.profile:2): the run's uid and gid are allocated for it");
        /* Turned off again, User= is fine. */
        p = load_ok(&l, "[Identity]\nDynamicUser=yes\nDynamicUser=no\nUser=nobody\n");
        assert_false(p->dynamic_user.value);
        done(&l);
}

/* ---- errors of the syntax, through the policy loader ---- */

static void test_load_string_unknown_section(void **state)
{
        assert_text_error("[Sycalls]\nAllow=read\n",
                          "t.profile:1: unknown section [Sycalls]; did you mean [Syscalls]?");
        assert_text_error("[Profile]\nDescription=x\n[Frobnicate]\nAllow=read\n",
                          "t.profile:3: unknown section [Frobnicate]");
}

static void test_load_string_unknown_key(void **state)
{
        assert_text_error("[Syscalls]\nAlow=read\n",
                          "t.profile:2: unknown key Alow= in [Syscalls]; did you mean Allow=?");
        assert_text_error(
                "[Network]\nNamespce=host\n",
                "t.profile:2: unknown key Namespce= in [Network]; did you mean Namespace=?");
        assert_text_error("[Limits]\nCPUQuota=50%\n",
                          "t.profile:2: unknown key CPUQuota= in [Limits]");
        /* Keys belong to their section. */
        assert_text_error("[Network]\nAllow=read\n",
                          "t.profile:2: unknown key Allow= in [Network]");
}

static void test_load_string_key_before_section(void **state)
{
        assert_text_error("Allow=read\n[Syscalls]\nAllow=write\n",
                          "t.profile:1: Allow= outside of any known section");
}

static void test_load_string_empty(void **state)
{
        assert_text_error("", "t.profile:1: profile is empty");
        assert_text_error("# nothing\n\n; at all\n", "t.profile:3: profile is empty");
}

static void test_load_string_line_of_one_mib(void **state)
{
        size_t n = 1 << 20;
        char *text = malloc(n + 64);
        assert_non_null(text);
        strcpy(text, "[Syscalls]\nAllow=");
        size_t head = strlen(text);
        memset(text + head, 'a', n);
        strcpy(text + head + n, "\nAllow=read\n");
        assert_text_error(text, "t.profile:2: line is");
        struct loaded l = load_text(text);
        expect_error(&l, "the limit is 65536");
        done(&l);
        free(text);
}

static void test_load_string_crlf(void **state)
{
        struct loaded l;
        struct lp_policy *p = load_ok(&l, "[Syscalls]\r\nAllow=ptrace\r\n\r\n[Network]\r\n"
                                          "Namespace=host\r\nAddressFamilies=AF_INET\r\n");
        assert_allowed(p, "ptrace");
        assert_origin(rule(p, "ptrace")->origin, "t.profile", 2);
        assert_int_equal(p->netns, LP_NETNS_HOST);
        assert_origin(p->netns_origin, "t.profile", 5);
        assert_non_null(lp_policy_family(p, AF_INET));
        done(&l);
}

static void test_load_string_reports_every_error(void **state)
{
        struct loaded l = load_text("[Syscalls]\nAllow=ptrce\n[Capabilities]\nKeep=CAP_NET_RAWW\n"
                                    "[Network]\nAddressFamilies=AF_INTE\nForward=tcp:1.2.3.4:0\n");
        expect_error(&l, "t.profile:2: unknown syscall 'ptrce'");
        expect_error(&l, "t.profile:4: unknown capability 'CAP_NET_RAWW'");
        expect_error(&l, "t.profile:6: unknown address family 'AF_INTE'");
        expect_error(&l, "t.profile:7: Forward= port '0'");
        done(&l);
}

static void test_load_string_error_file_name(void **state)
{
        struct loaded l = load_text_as("[Syscalls]\nAllow=ptrce\n", "/some/where/api.profile");
        expect_error(&l, "/some/where/api.profile:2: unknown syscall 'ptrce'");
        done(&l);
        /* errors may be NULL: still -EINVAL, *ret untouched. */
        struct lp_policy *p = &untouched;
        assert_int_equal(lp_policy_load_string("[Syscalls]\nAllow=ptrce\n", "t", NULL, &p),
                         -EINVAL);
        assert_ptr_equal(p, &untouched);
        assert_int_equal(lp_policy_load("/nonexistent/x.profile", NULL, &p), -EINVAL);
        assert_ptr_equal(p, &untouched);
}

/* ---- files and includes (a temporary LEASTPRIV_PATH) ---- */

static void test_load_by_path_and_name(void **state)
{
        const char *path = write_file("api.profile", "[Profile]\nDescription=api\n"
                                                     "[Syscalls]\nAllow=ptrace\n");
        struct loaded l = load_name(path);
        expect_ok(&l);
        assert_string_equal(l.policy->source, path);
        assert_string_equal(l.policy->description, "api");
        assert_origin(rule(l.policy, "ptrace")->origin, path, 4);
        done(&l);

        /* By name: found through LEASTPRIV_PATH. */
        l = load_name("api");
        expect_ok(&l);
        assert_string_equal(l.policy->source, "api");
        assert_origin(rule(l.policy, "ptrace")->origin, tmp_path("api.profile"), 4);
        done(&l);
}

static void test_load_leastpriv_path_order(void **state)
{
        assert_int_equal(mkdir(tmp_path("a"), 0700), 0);
        assert_int_equal(mkdir(tmp_path("b"), 0700), 0);
        write_file("a/x.profile", "[Profile]\nDescription=from a\n");
        write_file("b/x.profile", "[Profile]\nDescription=from b\n");
        write_file("b/y.profile", "[Profile]\nDescription=from b\n");
        char path[4 * sizeof(tmpdir)];
        snprintf(path, sizeof(path), "::%s/nonexistent:%s/a:%s/b", tmpdir, tmpdir, tmpdir);
        setenv("LEASTPRIV_PATH", path, 1);
        struct loaded l = load_name("x");
        expect_ok(&l);
        assert_string_equal(l.policy->description, "from a");
        done(&l);
        l = load_name("y");
        expect_ok(&l);
        assert_string_equal(l.policy->description, "from b");
        done(&l);
}

static void test_load_include_by_name_and_origins(void **state)
{
        const char *base = write_file("base.profile", "[Syscalls]\n"
                                                      "Allow=read write\n"
                                                      "[Network]\n"
                                                      "Namespace=none\n");
        const char *top = write_file("top.profile", "[Profile]\n"
                                                    "Include=base\n"
                                                    "[Syscalls]\n"
                                                    "Allow=openat\n");
        struct loaded l = load_name(top);
        expect_ok(&l);
        struct lp_policy *p = l.policy;
        assert_int_equal(p->n_allow, 3);
        assert_origin(rule(p, "read")->origin, base, 2);
        assert_origin(rule(p, "openat")->origin, top, 4);
        assert_int_equal(p->netns, LP_NETNS_NONE);
        assert_origin(p->netns_origin, base, 4);
        done(&l);

        /* From a string, too. */
        l = load_text("[Profile]\nInclude=base\n[Network]\nNamespace=host\n");
        expect_ok(&l);
        assert_int_equal(l.policy->netns, LP_NETNS_HOST);
        assert_origin(l.policy->netns_origin, "t.profile", 4);
        assert_origin(rule(l.policy, "write")->origin, base, 2);
        done(&l);
}

static void test_load_include_relative_path(void **state)
{
        assert_int_equal(mkdir(tmp_path("sub"), 0700), 0);
        const char *inner = write_file("sub/inner.profile", "[Capabilities]\nKeep=CAP_CHOWN\n");
        write_file("sub/mid.profile", "[Profile]\nInclude=inner.profile\n");
        const char *top = write_file("top.profile", "[Profile]\nInclude=sub/mid.profile\n");
        struct loaded l = load_name(top);
        expect_ok(&l);
        assert_origin(lp_policy_keeps(l.policy, CAP_CHOWN)->origin, inner, 2);
        done(&l);

        /* Two includes on one line, applied in order. */
        write_file("one.profile", "[Network]\nNamespace=none\n");
        write_file("two.profile", "[Network]\nNamespace=host\n");
        l = load_text("[Profile]\nInclude=one two\n");
        expect_ok(&l);
        assert_int_equal(l.policy->netns, LP_NETNS_HOST);
        assert_origin(l.policy->netns_origin, tmp_path("two.profile"), 2);
        done(&l);
}

static void test_load_include_later_lines_win(void **state)
{
        const char *base = write_file("base.profile", "[Syscalls]\nAllow=read write\n"
                                                      "[Environment]\nWithhold=*TOKEN* AWS_*\n"
                                                      "[Network]\nNamespace=none\n"
                                                      "AddressFamilies=AF_UNIX AF_INET\n"
                                                      "[Limits]\nProcesses=100\n");
        /* Resets after the include clear what it added. */
        struct loaded l = load_text("[Profile]\nInclude=base\n"
                                    "[Syscalls]\nAllow=\nAllow=openat\n"
                                    "[Environment]\nWithhold=\n"
                                    "[Network]\nNamespace=host\nAddressFamilies=\n"
                                    "AddressFamilies=AF_INET6\n"
                                    "[Limits]\nProcesses=infinity\n");
        expect_ok(&l);
        struct lp_policy *p = l.policy;
        assert_int_equal(p->n_allow, 1);
        assert_errno(p, "read", EPERM);
        assert_allowed(p, "openat");
        assert_int_equal(p->n_withhold, 0);
        assert_false(withheld(p, "GH_TOKEN", NULL));
        assert_int_equal(p->netns, LP_NETNS_HOST);
        assert_int_equal(p->n_families, 1);
        assert_non_null(lp_policy_family(p, AF_INET6));
        assert_false(p->processes.set);
        assert_origin(p->processes.origin, "t.profile", 13);
        done(&l);

        /* Resets before the include do not: its lines come later. */
        l = load_text("[Syscalls]\nAllow=\nAllow=openat\n"
                      "[Environment]\nWithhold=\n"
                      "[Network]\nNamespace=host\n"
                      "[Limits]\nProcesses=infinity\n"
                      "[Profile]\nInclude=base\n");
        expect_ok(&l);
        p = l.policy;
        assert_int_equal(p->n_allow, 3);
        assert_allowed(p, "read");
        assert_origin(rule(p, "read")->origin, base, 2);
        assert_allowed(p, "openat");
        assert_int_equal(p->n_withhold, 2);
        assert_true(withheld(p, "GH_TOKEN", NULL));
        assert_int_equal(p->netns, LP_NETNS_NONE);
        assert_origin(p->netns_origin, base, 6);
        assert_true(p->processes.set);
        assert_int_equal(p->processes.value, 100);
        done(&l);
}

static void test_load_include_cycle(void **state)
{
        write_file("a.profile", "[Profile]\nDescription=a\nInclude=b\n");
        const char *b = write_file("b.profile", "[Profile]\nDescription=b\n\nInclude=a\n");
        struct loaded l = load_name("a");
        char expected[PATH_MAX + 64];
        snprintf(expected, sizeof(expected), "%s:4: include cycle: 'a' includes itself", b);
        expect_error(&l, expected);
        done(&l);

        /* A profile that includes itself, by path. */
        const char *self = write_file("self.profile", "[Profile]\nInclude=self.profile\n");
        l = load_name(self);
        snprintf(expected, sizeof(expected), "%s:2: include cycle", self);
        expect_error(&l, expected);
        done(&l);

        /* Including the same profile twice, not nested, is no cycle. */
        write_file("leaf.profile", "[Network]\nNamespace=none\n");
        l = load_text("[Profile]\nInclude=leaf\nInclude=leaf\n");
        expect_ok(&l);
        done(&l);
}

/* A chain f0 -> f1 -> ... -> f(n-1); returns f0's path. */
static const char *write_chain(int n)
{
        for (int i = 0; i < n; i++) {
                char name[32], text[128];
                snprintf(name, sizeof(name), "f%d.profile", i);
                if (i + 1 < n)
                        snprintf(text, sizeof(text), "[Profile]\nDescription=f%d\nInclude=f%d\n", i,
                                 i + 1);
                else
                        snprintf(text, sizeof(text), "[Profile]\nDescription=f%d\n", i);
                write_file(name, text);
        }
        return tmp_path("f0.profile");
}

static void test_load_include_depth(void **state)
{
        /* 17 files: 16 levels of include, the limit, is fine. */
        struct loaded l = load_name(write_chain(17));
        expect_ok(&l);
        assert_string_equal(l.policy->description, "f16");
        done(&l);

        /* 18 files: depth 17 is an error, cited at the 17th file's Include=. */
        l = load_name(write_chain(18));
        char expected[PATH_MAX + 64];
        snprintf(expected, sizeof(expected), "%s:3: includes nested deeper than 16",
                 tmp_path("f16.profile"));
        expect_error(&l, expected);
        done(&l);
}

static void test_load_include_missing(void **state)
{
        struct loaded l = load_text("[Profile]\nDescription=x\nInclude=no-such-profile\n");
        expect_error(&l, "t.profile:3: cannot read profile 'no-such-profile': No such file or "
                         "directory (looked in LEASTPRIV_PATH");
        done(&l);
        const char *top = write_file("top.profile", "[Profile]\nInclude=missing.profile\n");
        l = load_name(top);
        char expected[PATH_MAX + 64];
        snprintf(expected, sizeof(expected),
                 "%s:2: cannot read profile 'missing.profile': No such file or directory", top);
        expect_error(&l, expected);
        done(&l);
        /* At the top level. */
        l = load_name(tmp_path("nope.profile"));
        expect_error(&l, "cannot read profile");
        expect_error(&l, "No such file or directory");
        done(&l);
        l = load_name("no-such-profile-name");
        expect_error(&l, "cannot read profile 'no-such-profile-name'");
        done(&l);
}

static void test_load_include_errors_cite_included_file(void **state)
{
        const char *bad = write_file("bad.profile", "[Syscalls]\nAllow=read\nAllow=ptrce\n");
        const char *top =
                write_file("top.profile", "[Profile]\nInclude=bad\n[Syscalls]\nAllow=frobx\n");
        struct loaded l = load_name(top);
        char expected[PATH_MAX + 64];
        snprintf(expected, sizeof(expected), "%s:3: unknown syscall 'ptrce'", bad);
        expect_error(&l, expected);
        /* The rest of the including file is still checked. */
        snprintf(expected, sizeof(expected), "%s:4: unknown syscall 'frobx'", top);
        expect_error(&l, expected);
        done(&l);

        /* A syntax error inside an include, too. */
        bad = write_file("bad2.profile", "[Sycalls]\nAllow=read\n");
        l = load_text("[Profile]\nInclude=bad2\n");
        snprintf(expected, sizeof(expected), "%s:1: unknown section [Sycalls]", bad);
        expect_error(&l, expected);
        done(&l);
}

static void test_load_unreadable_directory(void **state)
{
        assert_int_equal(mkdir(tmp_path("dir.profile"), 0700), 0);
        struct loaded l = load_name(tmp_path("dir.profile"));
        expect_error(&l, "cannot read profile");
        expect_error(&l, "Is a directory");
        done(&l);
        /* By name through LEASTPRIV_PATH, and as an include. */
        l = load_name("dir");
        expect_error(&l, "Is a directory");
        done(&l);
        l = load_text("[Profile]\nInclude=dir\n");
        expect_error(&l, "t.profile:2: cannot read profile 'dir': Is a directory");
        done(&l);
}

static void test_load_unreadable_permissions(void **state)
{
        /* As root, chmod 000 does not stop reading (CAP_DAC_OVERRIDE): show
         * it from a child that drops to nobody; skip where that is denied. */
        assert_int_equal(chmod(tmpdir, 0755), 0);
        const char *path = write_file("secret.profile", "[Profile]\nDescription=x\n");
        assert_int_equal(chmod(path, 0), 0);
        if (geteuid() != 0) {
                struct loaded l = load_name(path);
                expect_error(&l, "Permission denied");
                done(&l);
                return;
        }
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                if (setgroups(0, NULL) < 0 || setgid(65534) < 0 || setuid(65534) < 0)
                        _exit(77);
                struct lp_policy *p = &untouched;
                char *text = NULL;
                size_t len = 0;
                FILE *errors = open_memstream(&text, &len);
                int r = lp_policy_load(path, errors, &p);
                fclose(errors);
                bool ok = r == -EINVAL && p == &untouched && strstr(text, "cannot read profile") &&
                          strstr(text, "Permission denied");
                if (!ok)
                        fprintf(stderr, "r=%d: %s\n", r, text);
                _exit(ok ? 0 : 1);
        }
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) == 77)
                skip();
        assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_load_nul_bytes_and_crlf_files(void **state)
{
        static const char nul[] = "[Syscalls]\nAllow=read\nAllow=wr\0ite\n";
        struct loaded l = load_name(write_bytes("nul.profile", nul, sizeof(nul) - 1));
        char expected[PATH_MAX + 64];
        snprintf(expected, sizeof(expected), "%s:3: NUL byte in line", tmp_path("nul.profile"));
        expect_error(&l, expected);
        done(&l);

        const char *crlf = write_file("crlf.profile", "[Syscalls]\r\nAllow=ptrace\r\n");
        l = load_name(crlf);
        expect_ok(&l);
        assert_allowed(l.policy, "ptrace");
        assert_origin(rule(l.policy, "ptrace")->origin, crlf, 2);
        done(&l);

        l = load_name(write_file("empty.profile", ""));
        snprintf(expected, sizeof(expected), "%s:1: profile is empty", tmp_path("empty.profile"));
        expect_error(&l, expected);
        done(&l);
}

/* ---- the shipped profiles ---- */

static void test_load_shipped_profiles_by_path(void **state)
{
        /* From somewhere without ./profiles, nothing on LEASTPRIV_PATH. */
        unsetenv("LEASTPRIV_PATH");
        assert_int_equal(chdir(tmpdir), 0);
        static const char *const names[] = {"base", "default", "strict"};
        for (size_t i = 0; i < 3; i++) {
                char path[PATH_MAX];
                snprintf(path, sizeof(path), LP_SOURCE_DIR "/profiles/%s.profile", names[i]);
                struct loaded l = load_name(path);
                expect_ok(&l);
                assert_non_null(l.policy->description);
                done(&l);
                /* By name: the embedded copy. */
                l = load_name(names[i]);
                expect_ok(&l);
                done(&l);
        }
}

static bool installed_profiles_exist(void)
{
        char installed[PATH_MAX];
        lp_profile_installed_dir(installed, sizeof(installed));
        return access("/etc/leastpriv/profiles", F_OK) == 0 || access(installed, F_OK) == 0;
}

/* The install's profiles are next to the running binary (here
 * LP_BINARY_DIR/tests/test_policy), not at the configured prefix, and the
 * path is written without "..". */
static void test_installed_dir_follows_the_binary(void **state)
{
        char installed[PATH_MAX];
        lp_profile_installed_dir(installed, sizeof(installed));
        if (strcmp(LP_DATADIR_FROM_BINDIR, "../share/leastpriv/profiles") != 0)
                skip(); /* configured with a layout of its own: nothing fixed to compare */
        assert_string_equal(installed, LP_BINARY_DIR "/share/leastpriv/profiles");
}

static void test_load_embedded_default(void **state)
{
        unsetenv("LEASTPRIV_PATH");
        assert_int_equal(chdir(tmpdir), 0);
        struct loaded l = load_name("default");
        expect_ok(&l);
        struct lp_policy *p = l.policy;
        assert_string_equal(p->source, "default");
        const char *dflt = "<embedded>/default.profile", *base = "<embedded>/base.profile";
        if (installed_profiles_exist()) {
                /* Installed copies come before the embedded ones. */
                dflt = rule(p, "openat")->origin.file;
                base = p->netns_origin.file;
        }
        const char *src_default = LP_SOURCE_DIR "/profiles/default.profile";
        const char *src_base = LP_SOURCE_DIR "/profiles/base.profile";

        /* Allowed: files, I/O, processes, sockets. */
        assert_allowed(p, "openat");
        assert_allowed(p, "read");
        assert_allowed(p, "clone");
        assert_allowed(p, "socket");
        assert_allowed(p, "execve");
        assert_origin(rule(p, "read")->origin, dflt, line_of(src_default, "Allow=@basic-io"));
        assert_string_equal(rule(p, "read")->group, "@basic-io");
        assert_origin(rule(p, "openat")->origin, dflt, line_of(src_default, "Allow=@file-system"));
        /* Denied: the dangerous groups, with EPERM (base's DefaultAction). */
        assert_errno(p, "ptrace", EPERM);
        assert_errno(p, "mount", EPERM);
        assert_errno(p, "bpf", EPERM);
        assert_errno(p, "unshare", EPERM);
        assert_errno(p, "setns", EPERM);
        assert_errno(p, "init_module", EPERM);
        assert_errno(p, "reboot", EPERM);
        assert_errno(p, "kexec_load", EPERM);
        assert_origin(rule(p, "mount")->origin, dflt, line_of(src_default, "Deny=@privileged"));
        assert_string_equal(rule(p, "mount")->group, "@mount");
        assert_origin(rule(p, "bpf")->origin, dflt, line_of(src_default, "Deny=@obsolete"));
        /* The hardening. */
        assert_errno(p, "clone3", ENOSYS);
        assert_errno(p, "io_uring_setup", EPERM);
        assert_true(lp_watch_hardened(p, "ioctl"));
        assert_true(lp_watch_hardened(p, "clone"));
        assert_true(lp_watch_hardened(p, "unshare"));
        /* base's defaults. */
        assert_int_equal(p->default_action.type, LP_ACTION_ERRNO);
        assert_int_equal(p->default_action.errno_value, EPERM);
        assert_origin(p->default_origin, base, line_of(src_base, "DefaultAction="));
        assert_int_equal(p->n_keep, 0);
        assert_int_equal(p->netns, LP_NETNS_LOOPBACK);
        assert_origin(p->netns_origin, base, line_of(src_base, "Namespace=loopback"));
        assert_int_equal(p->n_families, 4);
        assert_non_null(lp_policy_family(p, AF_UNIX));
        assert_non_null(lp_policy_family(p, AF_INET));
        assert_non_null(lp_policy_family(p, AF_INET6));
        assert_null(lp_policy_family(p, AF_PACKET));
        /* Route netlink (getifaddrs), no other netlink protocol. */
        assert_true(lp_policy_socket(p, AF_NETLINK, 0));
        assert_false(lp_policy_socket(p, AF_NETLINK, 9)); /* NETLINK_AUDIT */
        const struct lp_pattern *why = NULL;
        assert_true(withheld(p, "GITHUB_TOKEN", &why));
        assert_origin(why->origin, base, line_of(src_base, "Withhold=*TOKEN*"));
        assert_true(withheld(p, "AWS_ACCESS_KEY_ID", NULL));
        assert_true(withheld(p, "SSH_AUTH_SOCK", NULL));
        assert_true(withheld(p, "GOOGLE_APPLICATION_CREDENTIALS", NULL));
        assert_false(withheld(p, "PATH", NULL));
        assert_false(withheld(p, "HOME", NULL));
        assert_false(p->clear_env);
        assert_true(p->processes.set);
        assert_int_equal(p->processes.value, 4096);
        assert_true(p->open_files.set);
        assert_int_equal(p->open_files.value, 4096);
        assert_false(p->timeout.set);
        done(&l);
}

static void test_load_embedded_strict(void **state)
{
        unsetenv("LEASTPRIV_PATH");
        assert_int_equal(chdir(tmpdir), 0);
        struct loaded l = load_name("strict");
        expect_ok(&l);
        struct lp_policy *p = l.policy;
        assert_int_equal(p->default_action.type, LP_ACTION_KILL);
        assert_allowed(p, "openat");
        /* A plain Deny= under a killing default answers EPERM. */
        assert_errno(p, "ptrace", EPERM);
        assert_errno(p, "clone3", ENOSYS);
        assert_int_equal(p->netns, LP_NETNS_NONE);
        assert_int_equal(p->n_families, 1);
        assert_non_null(lp_policy_family(p, AF_UNIX));
        assert_true(p->clear_env);
        assert_int_equal(p->n_set_env, 3);
        assert_string_equal(p->set_env[0].name, "PATH");
        assert_int_equal(p->processes.value, 512);
        assert_int_equal(p->open_files.value, 1024);
        /* Still withholds what base withholds. */
        assert_true(withheld(p, "GITHUB_TOKEN", NULL));
        done(&l);
}

static void test_load_embedded_overridden_by_leastpriv_path(void **state)
{
        /* A base.profile on LEASTPRIV_PATH replaces the embedded one, also
         * for the embedded default's Include=base. */
        const char *base = write_file("base.profile", "[Network]\nNamespace=host\n");
        assert_int_equal(chdir(tmpdir), 0);
        struct loaded l = load_name("default");
        expect_ok(&l);
        assert_int_equal(l.policy->netns, LP_NETNS_HOST);
        assert_origin(l.policy->netns_origin, base, 2);
        assert_int_equal(l.policy->n_withhold, 0);
        done(&l);
}

/* ---- names ---- */

static void test_names_round_trip(void **state)
{
        /* ENOTSUP and EOPNOTSUPP are one value on Linux: names may alias. */
        for (const char *const *n = lp_errno_names; *n; n++) {
                int e = lp_errno_from_name(*n);
                assert_true(e > 0);
                assert_int_equal(lp_errno_from_name(lp_errno_name(e)), e);
        }
        assert_int_equal(lp_errno_from_name("EPERM"), EPERM);
        assert_int_equal(lp_errno_from_name("eperm"), -1);
        assert_null(lp_errno_name(-5));
        for (const char *const *n = lp_family_names; *n; n++) {
                int f = lp_family_from_name(*n);
                assert_true(f > 0);
                assert_int_equal(lp_family_from_name(lp_family_name(f)), f);
        }
        assert_string_equal(lp_family_name(AF_LOCAL), "AF_UNIX");
        assert_int_equal(lp_family_from_name("AF_INET6"), AF_INET6);
        char buf[64];
        struct lp_origin o = {"x.profile", 7};
        assert_string_equal(lp_origin_format(&o, buf, sizeof(buf)), "x.profile:7");
        assert_string_equal(lp_origin_format(NULL, buf, sizeof(buf)), "built-in");
}

#define T(f) cmocka_unit_test(f)
#define TT(f) cmocka_unit_test_setup_teardown(f, tmpdir_setup, tmpdir_teardown)

int main(void)
{
        const struct CMUnitTest tests[] = {
                T(test_load_string_profile_description),
                T(test_load_string_defaults),
                T(test_load_string_capabilities_keep),
                T(test_load_string_capabilities_reset),
                T(test_load_string_capabilities_unknown),
                T(test_load_string_syscalls_allow_deny_tokens),
                T(test_load_string_syscalls_default_action),
                T(test_load_string_syscalls_default_action_bad),
                T(test_load_string_syscalls_unknown),
                T(test_load_string_syscalls_other_architecture),
                T(test_load_string_syscalls_list_rules),
                T(test_resolve_syscalls_named_deny_beats_named_allow),
                T(test_resolve_syscalls_named_allow_beats_group_deny),
                T(test_resolve_syscalls_named_deny_beats_group_allow),
                T(test_resolve_syscalls_group_deny_beats_group_allow),
                T(test_resolve_syscalls_group_allow_beats_default),
                T(test_resolve_syscalls_later_token_wins_within_class),
                T(test_resolve_syscalls_plain_deny_takes_default_errno),
                T(test_resolve_syscalls_argument_hardening),
                T(test_resolve_syscalls_clone3_and_io_uring),
                T(test_policy_syscall_lookups),
                T(test_load_string_network_namespace),
                T(test_load_string_network_address_families),
                T(test_load_string_network_address_families_unknown),
                T(test_load_string_network_forward),
                T(test_load_string_network_forward_bad),
                T(test_load_string_environment_withhold_pass),
                T(test_load_string_environment_reset),
                T(test_load_string_environment_clear_and_set),
                T(test_load_string_environment_bad),
                T(test_load_string_limits),
                T(test_load_string_limits_bad),
                T(test_load_string_tmp_size),
                T(test_load_string_filesystem_defaults),
                T(test_load_string_filesystem_keys),
                T(test_load_string_filesystem_bad),
                T(test_load_string_host),
                T(test_load_string_identity),
                T(test_load_string_unknown_section),
                T(test_load_string_unknown_key),
                T(test_load_string_memory),
                T(test_load_string_key_before_section),
                T(test_load_string_empty),
                T(test_load_string_line_of_one_mib),
                T(test_load_string_crlf),
                T(test_load_string_reports_every_error),
                T(test_load_string_error_file_name),
                TT(test_load_by_path_and_name),
                TT(test_load_leastpriv_path_order),
                TT(test_load_include_by_name_and_origins),
                TT(test_load_include_relative_path),
                TT(test_load_include_later_lines_win),
                TT(test_load_include_cycle),
                TT(test_load_include_depth),
                TT(test_load_include_missing),
                TT(test_load_include_errors_cite_included_file),
                TT(test_load_include_forward_twice_cites_first_file),
                TT(test_load_unreadable_directory),
                TT(test_load_unreadable_permissions),
                TT(test_load_nul_bytes_and_crlf_files),
                TT(test_load_shipped_profiles_by_path),
                T(test_installed_dir_follows_the_binary),
                TT(test_load_embedded_default),
                TT(test_load_embedded_strict),
                TT(test_load_embedded_overridden_by_leastpriv_path),
                T(test_names_round_trip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
