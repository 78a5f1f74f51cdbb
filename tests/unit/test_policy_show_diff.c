/* `leastpriv show` and `leastpriv diff`: show's text loads back into the
 * same policy (every syscall's verdict, caps, families, network, environment,
 * limits), and diff names each added privilege with "+" and counts it. */
#include <errno.h>
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
#include <unistd.h>

#include <cmocka.h>

#include "profile/load.h"
#include "profile/policy.h"
#include "review/diff.h"
#include "review/show.h"
#include "rules/watch.h"

/* ---- helpers ---- */

static char tmpdir[64];

/* The shipped profiles by name resolve to the embedded copies: no
 * LEASTPRIV_PATH, and a working directory without ./profiles. */
static int group_setup(void **state)
{
        unsetenv("LEASTPRIV_PATH");
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/lp-test-show-XXXXXX");
        if (!mkdtemp(tmpdir) || chdir(tmpdir) < 0)
                return -1;
        return 0;
}

static int group_teardown(void **state)
{
        if (chdir("/") < 0)
                return -1;
        return rmdir(tmpdir);
}

static struct lp_policy *load_text_as(const char *text, const char *file)
{
        char *errors = NULL;
        size_t len = 0;
        FILE *e = open_memstream(&errors, &len);
        assert_non_null(e);
        struct lp_policy *p = NULL;
        int r = lp_policy_load_string(text, file, e, &p);
        fclose(e);
        if (r != 0)
                fail_msg("%s did not load (%d): %s\n--- text ---\n%s", file, r, errors, text);
        free(errors);
        return p;
}

static struct lp_policy *load_text(const char *text)
{
        return load_text_as(text, "t.profile");
}

static struct lp_policy *load_name(const char *name)
{
        char *errors = NULL;
        size_t len = 0;
        FILE *e = open_memstream(&errors, &len);
        assert_non_null(e);
        struct lp_policy *p = NULL;
        int r = lp_policy_load(name, e, &p);
        fclose(e);
        if (r != 0)
                fail_msg("%s did not load (%d): %s", name, r, errors);
        free(errors);
        return p;
}

static char *show(const struct lp_policy *p)
{
        char *text = NULL;
        size_t len = 0;
        FILE *out = open_memstream(&text, &len);
        assert_non_null(out);
        assert_int_equal(lp_policy_show(p, out), 0);
        fclose(out);
        return text;
}

struct diffed {
        int r;
        char *text;
};

static struct diffed diff(const struct lp_policy *a, const struct lp_policy *b)
{
        struct diffed d = {0};
        size_t len = 0;
        FILE *out = open_memstream(&d.text, &len);
        assert_non_null(out);
        d.r = lp_policy_diff(a, b, out);
        fclose(out);
        return d;
}

/* A line of `text` that starts with `prefix`. */
static bool has_line(const char *text, const char *prefix)
{
        size_t n = strlen(prefix);
        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, prefix, n) == 0)
                        return true;
        return false;
}

static void assert_has_line(const char *text, const char *prefix)
{
        if (!has_line(text, prefix))
                fail_msg("no line starting with '%s' in:\n%s", prefix, text);
}

static size_t count_lines(const char *text, char first)
{
        size_t n = 0;
        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                n += *l == first;
        return n;
}

static bool same_action(const struct lp_action *a, const struct lp_action *b)
{
        return a->type == b->type &&
               (a->type != LP_ACTION_ERRNO || a->errno_value == b->errno_value);
}

static void assert_same_paths(const struct lp_path *a, size_t na, const struct lp_path *b,
                              size_t nb)
{
        assert_int_equal(na, nb);
        for (size_t i = 0; i < na; i++) {
                assert_string_equal(a[i].path, b[i].path);
                assert_int_equal(a[i].optional, b[i].optional);
        }
}

static void assert_same_filesystem(const struct lp_policy *a, const struct lp_policy *b)
{
        assert_int_equal(a->protect_system, b->protect_system);
        assert_same_paths(a->rw_paths, a->n_rw_paths, b->rw_paths, b->n_rw_paths);
        assert_same_paths(a->ro_paths, a->n_ro_paths, b->ro_paths, b->n_ro_paths);
        assert_same_paths(a->hidden_paths, a->n_hidden_paths, b->hidden_paths, b->n_hidden_paths);
        const struct lp_flag *fa[] = {&a->private_tmp, &a->private_devices, &a->protect_tunables,
                                      &a->protect_cgroups};
        const struct lp_flag *fb[] = {&b->private_tmp, &b->private_devices, &b->protect_tunables,
                                      &b->protect_cgroups};
        for (size_t i = 0; i < 4; i++)
                assert_int_equal(fa[i]->value, fb[i]->value);
        assert_int_equal(a->private_ipc.value, b->private_ipc.value);
        assert_int_equal(a->protect_hostname.value, b->protect_hostname.value);
}

/* Everything a later stage consumes, compared field by field. */
static void assert_same_policy(const struct lp_policy *a, const struct lp_policy *b)
{
        assert_int_equal(a->n_syscalls, b->n_syscalls);
        for (size_t i = 0; i < a->n_syscalls; i++) {
                const struct lp_syscall_rule *ra = &a->syscalls[i];
                const struct lp_syscall_rule *rb = lp_policy_syscall(b, ra->nr);
                if (!rb || !same_action(&ra->action, &rb->action) || ra->hardening != rb->hardening)
                        fail_msg("syscall %s (nr %d): action %d/%d errno %d/%d", ra->name, ra->nr,
                                 ra->action.type, rb ? (int)rb->action.type : -1,
                                 ra->action.errno_value, rb ? rb->action.errno_value : -1);
        }
        for (const struct lp_watch *w = lp_watches; w->name; w++)
                for (size_t i = 0; w->syscalls[i]; i++)
                        assert_int_equal(lp_watch_hardened(a, w->syscalls[i]),
                                         lp_watch_hardened(b, w->syscalls[i]));
        assert_true(same_action(&a->default_action, &b->default_action));

        assert_int_equal(a->n_keep, b->n_keep);
        for (size_t i = 0; i < a->n_keep; i++)
                assert_non_null(lp_policy_keeps(b, a->keep[i].cap));

        assert_int_equal(a->netns, b->netns);
        assert_int_equal(a->n_families, b->n_families);
        for (size_t i = 0; i < a->n_families; i++)
                assert_non_null(lp_policy_family(b, a->families[i].family));
        assert_int_equal(a->n_forwards, b->n_forwards);
        for (size_t i = 0; i < a->n_forwards; i++) {
                assert_int_equal(a->forwards[i].inside_port, b->forwards[i].inside_port);
                assert_string_equal(a->forwards[i].host, b->forwards[i].host);
                assert_int_equal(a->forwards[i].host_port, b->forwards[i].host_port);
        }

        assert_int_equal(a->clear_env, b->clear_env);
        assert_int_equal(a->n_withhold, b->n_withhold);
        for (size_t i = 0; i < a->n_withhold; i++)
                assert_string_equal(a->withhold[i].glob, b->withhold[i].glob);
        assert_int_equal(a->n_pass, b->n_pass);
        for (size_t i = 0; i < a->n_pass; i++)
                assert_string_equal(a->pass[i].glob, b->pass[i].glob);
        assert_int_equal(a->n_set_env, b->n_set_env);
        for (size_t i = 0; i < a->n_set_env; i++) {
                assert_string_equal(a->set_env[i].name, b->set_env[i].name);
                assert_string_equal(a->set_env[i].value, b->set_env[i].value);
        }

        assert_same_filesystem(a, b);

        const struct lp_limit *la[] = {&a->timeout, &a->processes, &a->open_files, &a->tmp_size};
        const struct lp_limit *lb[] = {&b->timeout, &b->processes, &b->open_files, &b->tmp_size};
        for (size_t i = 0; i < 4; i++) {
                assert_int_equal(la[i]->set, lb[i]->set);
                if (la[i]->set)
                        assert_int_equal(la[i]->value, lb[i]->value);
        }

        assert_int_equal(!a->user, !b->user);
        if (a->user)
                assert_string_equal(a->user, b->user);
        assert_int_equal(!a->group, !b->group);
        if (a->group)
                assert_string_equal(a->group, b->group);
        assert_int_equal(!a->description, !b->description);
        if (a->description)
                assert_string_equal(a->description, b->description);
}

/* show -> load -> same policy; and show of that is the same text but for
 * the origins (which now point into the shown text). */
static void assert_round_trip(const struct lp_policy *p)
{
        char *text = show(p);
        struct lp_policy *q = load_text_as(text, "shown.profile");
        assert_same_policy(p, q);
        assert_same_policy(q, p);
        struct diffed d = diff(p, q);
        if (d.r != 0 || count_lines(d.text, '+') != 0)
                fail_msg("diff of a policy and its shown copy: %d\n%s", d.r, d.text);
        free(d.text);
        /* Showing the copy and loading that again is stable. */
        char *again = show(q);
        struct lp_policy *r = load_text_as(again, "shown2.profile");
        assert_same_policy(q, r);
        lp_policy_free(r);
        free(again);
        lp_policy_free(q);
        free(text);
}

/* The profile every diff test starts from, plus `extra` lines. */
static struct lp_policy *default_plus(const char *extra)
{
        char text[1024];
        snprintf(text, sizeof(text), "[Profile]\nInclude=default\n%s", extra);
        return load_text_as(text, "cand.profile");
}

/* ---- show ---- */

static void test_policy_show_round_trip_default(void **state)
{
        struct lp_policy *p = load_name("default");
        assert_round_trip(p);
        lp_policy_free(p);
}

static void test_policy_show_round_trip_shipped(void **state)
{
        static const char *const names[] = {"base", "strict"};
        for (size_t i = 0; i < 2; i++) {
                struct lp_policy *p = load_name(names[i]);
                assert_round_trip(p);
                lp_policy_free(p);
                char path[PATH_MAX];
                snprintf(path, sizeof(path), LP_SOURCE_DIR "/profiles/%s.profile", names[i]);
                p = load_name(path);
                assert_round_trip(p);
                lp_policy_free(p);
        }
}

static const char every_key[] = "[Profile]\n"
                                "Description=Every key: C# and 100% \"quoted\"\n"
                                "Include=default\n"
                                "[Capabilities]\n"
                                "Keep=CAP_NET_RAW net_bind_service Sys_Ptrace\n"
                                "[Syscalls]\n"
                                "Allow=ptrace clone3 ioctl @mount\n"
                                "Deny=personality:EINVAL kexec_load:kill mount @swap:EACCES\n"
                                "DefaultAction=errno:ENOSYS\n"
                                "[Network]\n"
                                "Namespace=host\n"
                                "AddressFamilies=AF_NETLINK AF_LOCAL\n"
                                "Forward=tcp:127.0.0.1:5432 tcp:6380=127.0.0.1:16379\n"
                                "Forward=tcp:[::1]:8080 tcp:9000=[fd00::1:2]:9001\n"
                                "ForwardOutside=yes\n"
                                "[Environment]\n"
                                "Withhold=MY_*\n"
                                "Pass=GITHUB_TOKEN NPM_*\n"
                                "Clear=yes\n"
                                "Set=TZ=UTC EMPTY= X=a=b Y=#not-a-comment\n"
                                "[Filesystem]\n"
                                "ProtectSystem=full\n"
                                "ReadWritePaths=. -/var/cache/x ~/out/\n"
                                "ReadOnlyPaths=-/srv\n"
                                "InaccessiblePaths=\n"
                                "InaccessiblePaths=-~/.ssh /etc/shadow\n"
                                "PrivateTmp=no\n"
                                "PrivateDevices=yes\n"
                                "ProtectKernelTunables=no\n"
                                "ProtectControlGroups=yes\n"
                                "RestrictSUIDSGID=no\n"
                                "[Host]\n"
                                "PrivateIPC=no\n"
                                "ProtectHostname=yes\n"
                                "[Limits]\n"
                                "Timeout=900\n"
                                "Processes=infinity\n"
                                "OpenFiles=65536\n"
                                "TmpSize=512M\n"
                                "[Identity]\n"
                                "User=nobody\n"
                                "Group=nogroup\n";

static void test_policy_show_round_trip_every_key(void **state)
{
        struct lp_policy *p = load_text(every_key);
        /* Sanity: the profile says what the test thinks it says. */
        assert_int_equal(p->n_forwards, 4);
        assert_int_equal(p->n_set_env, 4);
        assert_string_equal(p->set_env[3].value, "#not-a-comment");
        assert_int_equal(p->netns, LP_NETNS_HOST);
        assert_int_equal(lp_policy_syscall_by_name(p, "mount")->action.type, LP_ACTION_ERRNO);
        assert_int_equal(lp_policy_syscall_by_name(p, "mount")->action.errno_value, ENOSYS);
        assert_int_equal(p->protect_system, LP_PROTECT_SYSTEM_FULL);
        /* default's "." first, then these three. */
        assert_int_equal(p->n_rw_paths, 4);
        assert_string_equal(p->rw_paths[3].path, "~/out");
        assert_true(p->rw_paths[2].optional);
        assert_false(p->rw_paths[1].optional);
        assert_int_equal(p->n_hidden_paths, 2);
        assert_string_equal(p->hidden_paths[0].path, "~/.ssh");
        assert_int_equal(p->tmp_size.value, 512ULL << 20);
        assert_false(p->private_ipc.value);
        assert_true(p->protect_hostname.value);
        assert_round_trip(p);
        lp_policy_free(p);
}

static void test_policy_show_round_trip_resets(void **state)
{
        /* What a reset removed must not come back through show. */
        struct lp_policy *p = load_text("[Profile]\nInclude=default\n"
                                        "[Syscalls]\nAllow=\nAllow=read write\nDeny=\n"
                                        "DefaultAction=kill\n"
                                        "[Network]\nAddressFamilies=\nNamespace=none\n"
                                        "[Environment]\nWithhold=\n"
                                        "[Limits]\nProcesses=\nOpenFiles=infinity\n");
        assert_round_trip(p);
        char *text = show(p);
        assert_null(strstr(text, "Allow=@file-system"));
        assert_null(strstr(text, "Deny=@mount"));
        assert_null(strstr(text, "AddressFamilies=AF_INET"));
        assert_null(strstr(text, "Withhold=*TOKEN*"));
        free(text);
        lp_policy_free(p);
}

static void test_policy_show_round_trip_long_values(void **state)
{
        /* A Set= value as long as a profile line may make it: show must
         * print it whole (it used to be cut at 4 KiB). */
        size_t n = 60000;
        char *text = malloc(n + 64);
        assert_non_null(text);
        strcpy(text, "[Environment]\nSet=LONG=");
        size_t head = strlen(text);
        memset(text + head, 'v', n);
        strcpy(text + head + n, "\nWithhold=A*\n");
        struct lp_policy *p = load_text(text);
        assert_int_equal(strlen(p->set_env[0].value), n);
        assert_round_trip(p);
        lp_policy_free(p);
        free(text);
}

static void test_policy_show_cites_origins(void **state)
{
        struct lp_policy *p = load_text("[Syscalls]\nAllow=read\n\nDeny=ptrace:EINVAL\n"
                                        "[Capabilities]\nKeep=net_raw\n"
                                        "[Network]\nForward=tcp:[::1]:80\n"
                                        "[Environment]\nSet=A=1\n");
        char *text = show(p);
        /* One privilege per line, each with "# FILE:LINE". */
        assert_has_line(text, "Allow=read ");
        assert_non_null(strstr(text, "# t.profile:2\n"));
        assert_has_line(text, "Deny=ptrace:EINVAL ");
        assert_non_null(strstr(text, "# t.profile:4\n"));
        assert_has_line(text, "Keep=CAP_NET_RAW ");
        assert_non_null(strstr(text, "# t.profile:6\n"));
        assert_has_line(text, "Forward=tcp:80=[::1]:80 ");
        assert_non_null(strstr(text, "# t.profile:8\n"));
        assert_has_line(text, "Set=A=1 ");
        assert_non_null(strstr(text, "# t.profile:10\n"));
        /* Defaults say where they come from: nowhere. */
        assert_has_line(text, "DefaultAction=errno:EPERM ");
        assert_has_line(text, "Namespace=loopback ");
        assert_non_null(strstr(text, "# built-in\n"));
        /* No Identity when none is set. */
        assert_null(strstr(text, "[Identity]"));
        free(text);
        lp_policy_free(p);

        p = load_name("default");
        text = show(p);
        assert_has_line(text, "# The resolved policy of default");
        assert_non_null(strstr(text, "# <embedded>/default.profile:"));
        assert_non_null(strstr(text, "# <embedded>/base.profile:"));
        assert_has_line(text, "Allow=@file-system ");
        assert_has_line(text, "Deny=@mount ");
        assert_has_line(text, "Withhold=*TOKEN* ");
        free(text);
        lp_policy_free(p);
}

/* ---- diff ---- */

static void test_policy_diff_self(void **state)
{
        static const char *const names[] = {"base", "default", "strict"};
        for (size_t i = 0; i < 3; i++) {
                struct lp_policy *p = load_name(names[i]);
                struct diffed d = diff(p, p);
                assert_int_equal(d.r, 0);
                assert_string_equal(d.text, "");
                free(d.text);
                /* A separately loaded copy, too. */
                struct lp_policy *q = load_name(names[i]);
                d = diff(p, q);
                assert_int_equal(d.r, 0);
                assert_string_equal(d.text, "");
                free(d.text);
                lp_policy_free(q);
                lp_policy_free(p);
        }
        struct lp_policy *p = load_text(every_key);
        struct diffed d = diff(p, p);
        assert_int_equal(d.r, 0);
        assert_string_equal(d.text, "");
        free(d.text);
        lp_policy_free(p);
}

/* baseline default, candidate default + extra: r added privileges, each a
 * "+" line starting with one of `plus`, and no "-" line. */
static void assert_adds(const char *extra, int r, const char *const *plus)
{
        struct lp_policy *base = load_name("default");
        struct lp_policy *cand = default_plus(extra);
        struct diffed d = diff(base, cand);
        if (d.r != r)
                fail_msg("diff with '%s' returned %d, expected %d:\n%s", extra, d.r, r, d.text);
        for (size_t i = 0; plus[i]; i++)
                assert_has_line(d.text, plus[i]);
        assert_int_equal(count_lines(d.text, '+'), (size_t)r);
        assert_int_equal(count_lines(d.text, '-'), 0);
        free(d.text);

        /* The other way round it is a removal: "-" lines, returns 0. */
        d = diff(cand, base);
        assert_int_equal(d.r, 0);
        assert_int_equal(count_lines(d.text, '-'), (size_t)r);
        assert_int_equal(count_lines(d.text, '+'), 0);
        for (size_t i = 0; plus[i]; i++) {
                char minus[256];
                snprintf(minus, sizeof(minus), "-%s", plus[i] + 1);
                assert_has_line(d.text, minus);
        }
        free(d.text);
        lp_policy_free(cand);
        lp_policy_free(base);
}

static void test_policy_diff_added_syscall(void **state)
{
        assert_adds("[Syscalls]\nAllow=ptrace\n", 1,
                    (const char *const[]){"+ syscall ptrace    (cand.profile:4)", NULL});
        /* Allowed through a group: one "+" per syscall it grants. Deny= is
         * reset first, since default denies @mount as a group. */
        struct lp_policy *base = load_name("default");
        struct lp_policy *cand = default_plus("[Syscalls]\nDeny=\nAllow=@mount @io-uring\n");
        struct diffed d = diff(base, cand);
        assert_true(d.r > 1);
        assert_has_line(d.text, "+ syscall mount    (cand.profile:5)");
        assert_has_line(d.text, "+ syscall umount2 ");
        assert_null(strstr(d.text, "+ syscall ptrace"));         /* in no allowed group */
        assert_null(strstr(d.text, "+ syscall io_uring_setup")); /* hardening holds */
        assert_null(strstr(d.text, "+ syscall clone3"));
        assert_int_equal(count_lines(d.text, '+'), (size_t)d.r);
        free(d.text);
        lp_policy_free(cand);
        lp_policy_free(base);
}

static void test_policy_diff_added_capability(void **state)
{
        assert_adds("[Capabilities]\nKeep=cap_net_raw\n", 1,
                    (const char *const[]){"+ capability CAP_NET_RAW    (cand.profile:4)", NULL});
        assert_adds("[Capabilities]\nKeep=CAP_CHOWN CAP_SYS_ADMIN\n", 2,
                    (const char *const[]){"+ capability CAP_CHOWN ", "+ capability CAP_SYS_ADMIN ",
                                          NULL});
}

static void test_policy_diff_network(void **state)
{
        assert_adds(
                "[Network]\nNamespace=host\n", 1,
                (const char *const[]){"+ network host (no namespace)    (cand.profile:4)", NULL});
        assert_adds("[Network]\nForward=tcp:127.0.0.1:5432\n", 1,
                    (const char *const[]){"+ forward tcp:5432=127.0.0.1:5432    (cand.profile:4)",
                                          NULL});
        assert_adds("[Network]\nForward=tcp:6380=[::1]:16379\n", 1,
                    (const char *const[]){"+ forward tcp:6380=::1:16379 ", NULL});
        assert_adds("[Network]\nAddressFamilies=AF_PACKET\n", 1,
                    (const char *const[]){"+ address family AF_PACKET ", NULL});

        /* none -> loopback -> host: each step up is one privilege. */
        struct lp_policy *none = default_plus("[Network]\nNamespace=none\n");
        struct lp_policy *host = default_plus("[Network]\nNamespace=host\n");
        struct diffed d = diff(none, host);
        assert_int_equal(d.r, 2);
        assert_has_line(d.text, "+ network loopback (lo up)");
        assert_has_line(d.text, "+ network host (no namespace)");
        free(d.text);
        d = diff(host, none);
        assert_int_equal(d.r, 0);
        assert_int_equal(count_lines(d.text, '-'), 2);
        free(d.text);
        lp_policy_free(host);
        lp_policy_free(none);
}

static void test_policy_diff_hardening_and_default(void **state)
{
        assert_adds("[Syscalls]\nAllow=unshare\n", 2,
                    (const char *const[]){"+ syscall unshare ", "+ unhardened unshare(CLONE_NEW*) ",
                                          NULL});
        /* clone is allowed already: naming it lifts only the hardening. */
        assert_adds(
                "[Syscalls]\nAllow=clone\n", 1,
                (const char *const[]){"+ unhardened clone(CLONE_NEW*)    (cand.profile:4)", NULL});

        /* strict kills by default; default answers errno: looser. */
        struct lp_policy *strict = load_name("strict");
        struct lp_policy *dflt = load_name("default");
        struct diffed d = diff(strict, dflt);
        assert_true(d.r > 0);
        assert_has_line(d.text, "+ default action errno (looser than kill)");
        assert_has_line(d.text, "+ network loopback (lo up)");
        assert_has_line(d.text, "+ address family AF_INET ");
        assert_has_line(d.text, "+ environment inherited (Clear=no)");
        free(d.text);
        d = diff(dflt, strict);
        assert_int_equal(d.r, 0);
        assert_has_line(d.text, "- default action errno");
        free(d.text);
        lp_policy_free(dflt);
        lp_policy_free(strict);
}

static void test_policy_diff_environment(void **state)
{
        assert_adds("[Environment]\nPass=GITHUB_TOKEN\n", 1,
                    (const char *const[]){"+ environment pass GITHUB_TOKEN ", NULL});
        /* Dropping a withhold hands the secret over. */
        struct lp_policy *base = load_name("default");
        struct lp_policy *cand = default_plus("[Environment]\nWithhold=\n");
        struct diffed d = diff(base, cand);
        assert_int_equal((size_t)d.r, base->n_withhold);
        assert_has_line(d.text, "+ environment no longer withholds *TOKEN* ");
        assert_has_line(d.text, "+ environment no longer withholds AWS_* ");
        free(d.text);
        /* Adding one is no privilege. */
        d = diff(cand, base);
        assert_int_equal(d.r, 0);
        free(d.text);
        lp_policy_free(cand);
        lp_policy_free(base);
}

static void test_policy_diff_filesystem(void **state)
{
        assert_adds("[Filesystem]\nReadWritePaths=/var/cache/x\n", 1,
                    (const char *const[]){"+ filesystem writable /var/cache/x ", NULL});
        assert_adds("[Filesystem]\nProtectSystem=full\n", 1,
                    (const char *const[]){"+ filesystem host writable outside /usr /boot /efi "
                                          "/etc (ProtectSystem=full) ",
                                          NULL});
        assert_adds("[Filesystem]\nProtectSystem=no\n", 2,
                    (const char *const[]){"+ filesystem host writable everywhere "
                                          "(ProtectSystem=no) ",
                                          NULL});
        const char *const flags[][2] = {
                {"PrivateTmp=no", "+ filesystem the host's /tmp, /var/tmp, /dev/shm "},
                {"PrivateDevices=no", "+ filesystem the host's /dev "},
                {"ProtectKernelTunables=no", "+ filesystem kernel tunables writable "},
                {"ProtectControlGroups=no", "+ filesystem cgroupfs writable "},
                {"RestrictSUIDSGID=no", "+ filesystem set-user-ID and set-group-ID files "},
        };
        for (size_t i = 0; i < 5; i++) {
                char extra[64];
                snprintf(extra, sizeof(extra), "[Filesystem]\n%s\n", flags[i][0]);
                assert_adds(extra, 1, (const char *const[]){flags[i][1], NULL});
        }
        assert_adds("[Host]\nPrivateIPC=no\n", 1,
                    (const char *const[]){"+ host the host's SysV IPC and POSIX message queues "
                                          "(PrivateIPC=no) ",
                                          NULL});
        assert_adds(
                "[Host]\nProtectHostname=no\n", 1,
                (const char *const[]){"+ host the host's hostname (ProtectHostname=no) ", NULL});
        /* From a profile with a dynamic user, turning it off is one. */
        struct lp_policy *dyn = default_plus("[Identity]\nDynamicUser=yes\n");
        struct lp_policy *off = load_name("default");
        struct diffed dd = diff(dyn, off);
        assert_int_equal(dd.r, 1);
        assert_has_line(dd.text,
                        "+ identity the caller's own uid and gid, shared with the host and "
                        "with other runs (DynamicUser=no) ");
        free(dd.text);
        dd = diff(off, dyn);
        assert_int_equal(dd.r, 0);
        free(dd.text);
        lp_policy_free(dyn);
        lp_policy_free(off);
        /* A hidden path no longer hidden, and a read-only one made
         * writable by dropping it, are each one added privilege. */
        struct lp_policy *base = default_plus("[Filesystem]\nReadOnlyPaths=-/srv\n");
        struct lp_policy *cand =
                default_plus("[Filesystem]\nInaccessiblePaths=\nInaccessiblePaths=-/etc/shadow\n");
        struct diffed d = diff(base, cand);
        assert_int_equal((size_t)d.r, base->n_hidden_paths - 1 + 1);
        assert_has_line(d.text, "+ filesystem no longer read-only /srv ");
        assert_has_line(d.text, "+ filesystem no longer hides ~/.ssh ");
        assert_false(has_line(d.text, "+ filesystem no longer hides /etc/shadow "));
        free(d.text);
        /* Hiding more is no privilege. */
        d = diff(cand, base);
        assert_int_equal(d.r, 0);
        free(d.text);
        lp_policy_free(cand);
        lp_policy_free(base);
}

static void test_policy_diff_removal(void **state)
{
        struct lp_policy *base = load_name("default");
        struct lp_policy *cand =
                default_plus("[Syscalls]\nDeny=openat\n"
                             "[Network]\nAddressFamilies=\nAddressFamilies=AF_UNIX\n");
        struct diffed d = diff(base, cand);
        assert_int_equal(d.r, 0);
        assert_int_equal(count_lines(d.text, '+'), 0);
        assert_has_line(d.text, "- syscall openat ");
        assert_has_line(d.text, "- address family AF_INET ");
        assert_has_line(d.text, "- address family AF_INET6 ");
        assert_has_line(d.text, "- address family AF_NETLINK:ROUTE ");
        assert_int_equal(count_lines(d.text, '-'), 4);
        free(d.text);
        lp_policy_free(cand);
        lp_policy_free(base);
}

static void test_policy_diff_mixed(void **state)
{
        /* One added, one removed: returns 1 and prints both. */
        struct lp_policy *base = load_name("default");
        struct lp_policy *cand = default_plus("[Syscalls]\nAllow=ptrace\nDeny=openat\n");
        struct diffed d = diff(base, cand);
        assert_int_equal(d.r, 1);
        assert_has_line(d.text, "+ syscall ptrace ");
        assert_has_line(d.text, "- syscall openat ");
        free(d.text);
        lp_policy_free(cand);
        lp_policy_free(base);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_policy_show_round_trip_default),
                cmocka_unit_test(test_policy_show_round_trip_shipped),
                cmocka_unit_test(test_policy_show_round_trip_every_key),
                cmocka_unit_test(test_policy_show_round_trip_resets),
                cmocka_unit_test(test_policy_show_round_trip_long_values),
                cmocka_unit_test(test_policy_show_cites_origins),
                cmocka_unit_test(test_policy_diff_self),
                cmocka_unit_test(test_policy_diff_added_syscall),
                cmocka_unit_test(test_policy_diff_added_capability),
                cmocka_unit_test(test_policy_diff_network),
                cmocka_unit_test(test_policy_diff_hardening_and_default),
                cmocka_unit_test(test_policy_diff_environment),
                cmocka_unit_test(test_policy_diff_filesystem),
                cmocka_unit_test(test_policy_diff_removal),
                cmocka_unit_test(test_policy_diff_mixed),
        };
        return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
