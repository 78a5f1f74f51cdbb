/* `leastpriv export --format systemd` (export_systemd.h). */
#include "convert/export_systemd.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "profile/names.h"
#include "profile/policy.h"
#include "rules/watch.h"

/* Lines of words are wrapped here: systemd merges repeated list keys. */
#define WRAP 100

struct words {
        FILE *out;
        const char *key;
        size_t column;   /* 0: no line open */
        const char *sep; /* between the key and the words: "=" when NULL */
};

static void word(struct words *w, const char *text)
{
        if (w->column && w->column + 1 + strlen(text) > WRAP) {
                fputc('\n', w->out);
                w->column = 0;
        }
        if (!w->column)
                w->column = (size_t)fprintf(w->out, "%s%s%s", w->key, w->sep ?: "=", text);
        else
                w->column += (size_t)fprintf(w->out, " %s", text);
}

/* Ends the key's lines; a key with no word at all is written empty. */
static void words_end(struct words *w)
{
        if (!w->column)
                fprintf(w->out, "%s=", w->key);
        fputc('\n', w->out);
}

static const char *yes_no(bool b)
{
        return b ? "yes" : "no";
}

static int compare_names(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Syscalls leastpriv refuses with an errno of their own (Deny=NAME:E,
 * clone3's ENOSYS): a comment per errno, as systemd answers every
 * refused syscall alike. `names` has room for every syscall. */
static void write_own_errnos(const struct lp_policy *p, FILE *out, const char **names)
{
        for (size_t i = 0; i < p->n_syscalls; i++) {
                const struct lp_syscall_rule *r = &p->syscalls[i];
                bool own = r->action.type == LP_ACTION_ERRNO &&
                           (p->default_action.type != LP_ACTION_ERRNO ||
                            r->action.errno_value != p->default_action.errno_value);
                bool first = own;
                for (size_t k = 0; own && k < i; k++)
                        first &= p->syscalls[k].action.type != LP_ACTION_ERRNO ||
                                 p->syscalls[k].action.errno_value != r->action.errno_value;
                if (!first)
                        continue;
                size_t n = 0;
                for (size_t k = i; k < p->n_syscalls; k++)
                        if (p->syscalls[k].action.type == LP_ACTION_ERRNO &&
                            p->syscalls[k].action.errno_value == r->action.errno_value)
                                names[n++] = p->syscalls[k].name;
                qsort(names, n, sizeof(*names), compare_names);
                char key[64];
                snprintf(key, sizeof(key), "# leastpriv answers %s (systemd as above)",
                         lp_errno_name(r->action.errno_value));
                struct words w = {out, key, 0, ": "};
                for (size_t k = 0; k < n; k++)
                        word(&w, names[k]);
                words_end(&w);
        }
}

/* SystemCallFilter= as an allow list (the profile's own form: what is
 * not allowed gets DefaultAction=), sorted. */
static int write_syscalls(const struct lp_policy *p, FILE *out)
{
        _cleanup_free_ const char **names = calloc(p->n_syscalls + 1, sizeof(*names));
        if (!names)
                return -ENOMEM;
        size_t n = 0;
        for (size_t i = 0; i < p->n_syscalls; i++)
                if (p->syscalls[i].action.type == LP_ACTION_ALLOW)
                        names[n++] = p->syscalls[i].name;
        qsort(names, n, sizeof(*names), compare_names);
        struct words w = {out, "SystemCallFilter", 0, NULL};
        for (size_t i = 0; i < n; i++)
                word(&w, names[i]);
        words_end(&w);
        fputs("SystemCallArchitectures=native\n", out);
        if (p->default_action.type == LP_ACTION_ERRNO)
                fprintf(out, "SystemCallErrorNumber=%s\n",
                        lp_errno_name(p->default_action.errno_value));
        else
                fputs("# DefaultAction=kill: systemd kills with SIGSYS what the filter refuses\n",
                      out);
        write_own_errnos(p, out, names);
        return 0;
}

/* The argument hardening: namespaces through RestrictNamespaces=,
 * ioctl's has no directive. */
static void write_hardening(const struct lp_policy *p, FILE *out)
{
        if (lp_watch_hardened(p, "clone") || lp_watch_hardened(p, "unshare"))
                fputs("RestrictNamespaces=yes\n", out);
        if (lp_watch_hardened(p, "ioctl"))
                fputs("# ioctl(TIOCSTI, TIOCLINUX) is refused by leastpriv; systemd has no "
                      "directive for it\n",
                      out);
}

static void write_capabilities(const struct lp_policy *p, FILE *out)
{
        char buf[64];
        struct words w = {out, "CapabilityBoundingSet", 0, NULL};
        for (size_t i = 0; i < p->n_keep; i++)
                word(&w, lp_capability_name(p->keep[i].cap, buf, sizeof(buf)));
        words_end(&w);
        if (p->n_keep == 0)
                return;
        w = (struct words){out, "AmbientCapabilities", 0, NULL};
        for (size_t i = 0; i < p->n_keep; i++)
                word(&w, lp_capability_name(p->keep[i].cap, buf, sizeof(buf)));
        words_end(&w);
}

static void write_network(const struct lp_policy *p, FILE *out)
{
        fprintf(out, "PrivateNetwork=%s\n", yes_no(p->netns != LP_NETNS_HOST));
        if (p->netns == LP_NETNS_NONE)
                fputs("# Namespace=none: systemd's private network has lo up\n", out);
        struct words w = {out, "RestrictAddressFamilies", 0, NULL};
        if (p->n_families == 0)
                word(&w, "none");
        for (size_t i = 0; i < p->n_families; i++)
                word(&w, lp_family_name(p->families[i].family));
        words_end(&w);
        char buf[64];
        for (size_t i = 0; i < p->n_families; i++)
                if (p->families[i].protocol >= 0)
                        fprintf(out, "# %s: systemd allows every protocol of the family\n",
                                lp_family_token(p->families[i].family, p->families[i].protocol, buf,
                                                sizeof(buf)));
        if (p->n_forwards)
                fputs("# Forward=: systemd has no forward into a private network\n", out);
}

/* A path as systemd reads it: "~" is %h; a relative path (to where `run`
 * starts) has no systemd spelling, so it is a comment. */
static void write_path(FILE *out, const char *key, const struct lp_path *path)
{
        const char *dash = path->optional ? "-" : "";
        if (path->path[0] == '/')
                fprintf(out, "%s=%s%s\n", key, dash, path->path);
        else if (path->path[0] == '~' && (path->path[1] == '\0' || path->path[1] == '/'))
                fprintf(out, "%s=%s%%h%s\n", key, dash, path->path + 1);
        else
                fprintf(out,
                        "# %s=%s%s: relative to where leastpriv run starts; systemd "
                        "needs an absolute path\n",
                        key, dash, path->path);
}

static void write_filesystem(const struct lp_policy *p, FILE *out)
{
        static const char *const protect[] = {[LP_PROTECT_SYSTEM_NO] = "no",
                                              [LP_PROTECT_SYSTEM_FULL] = "full",
                                              [LP_PROTECT_SYSTEM_STRICT] = "strict"};
        fprintf(out, "ProtectSystem=%s\n", protect[p->protect_system]);
        for (size_t i = 0; i < p->n_rw_paths; i++)
                write_path(out, "ReadWritePaths", &p->rw_paths[i]);
        for (size_t i = 0; i < p->n_ro_paths; i++)
                write_path(out, "ReadOnlyPaths", &p->ro_paths[i]);
        for (size_t i = 0; i < p->n_hidden_paths; i++)
                write_path(out, "InaccessiblePaths", &p->hidden_paths[i]);
        fprintf(out, "PrivateTmp=%s\n", yes_no(p->private_tmp.value));
        fprintf(out, "PrivateDevices=%s\n", yes_no(p->private_devices.value));
        fprintf(out, "ProtectKernelTunables=%s\n", yes_no(p->protect_tunables.value));
        fprintf(out, "ProtectControlGroups=%s\n", yes_no(p->protect_cgroups.value));
        fprintf(out, "RestrictSUIDSGID=%s\n", yes_no(lp_policy_restricts_suid(p)));
        fprintf(out, "PrivateIPC=%s\n", yes_no(p->private_ipc.value));
        fprintf(out, "ProtectHostname=%s\n", yes_no(p->protect_hostname.value));
}

static void write_identity_and_limits(const struct lp_policy *p, FILE *out)
{
        if (p->user)
                fprintf(out, "User=%s\n", p->user);
        if (p->group)
                fprintf(out, "Group=%s\n", p->group);
        fprintf(out, "DynamicUser=%s\n", yes_no(p->dynamic_user.value));
        if (p->processes.set)
                fprintf(out, "TasksMax=%" PRIu64 "\n", p->processes.value);
        if (p->open_files.set)
                fprintf(out, "LimitNOFILE=%" PRIu64 "\n", p->open_files.value);
        if (p->memory.set)
                fprintf(out, "MemoryMax=%" PRIu64 "\n", p->memory.value);
        if (p->timeout.set)
                fprintf(out, "RuntimeMaxSec=%" PRIu64 "\n", p->timeout.value);
        if (p->tmp_size.set)
                fprintf(out, "# TmpSize=%" PRIu64 ": systemd's PrivateTmp= has no size\n",
                        p->tmp_size.value);
}

/* Inside a double-quoted assignment: systemd unescapes \\ and \", and
 * expands %-specifiers. */
static void quote(FILE *out, const char *s)
{
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        fputc('\\', out);
                if (*s == '%')
                        fputc('%', out);
                fputc(*s, out);
        }
}

/* [Environment]: what is set; what is withheld or cleared has no
 * directive (systemd passes no caller environment to a service). */
static void write_environment(const struct lp_policy *p, FILE *out)
{
        for (size_t i = 0; i < p->n_set_env; i++) {
                fputs("Environment=\"", out);
                quote(out, p->set_env[i].name);
                fputc('=', out);
                quote(out, p->set_env[i].value);
                fputs("\"\n", out);
        }
        if (p->clear_env)
                fputs("# Clear=yes: a service gets no caller environment anyway\n", out);
}

int lp_export_systemd(const struct lp_policy *p, FILE *out)
{
        fprintf(out, "# %s as systemd directives (leastpriv export --format systemd)\n", p->source);
        fputs("[Service]\nNoNewPrivileges=yes\n", out);
        int r = write_syscalls(p, out);
        if (r < 0)
                return r;
        write_hardening(p, out);
        write_capabilities(p, out);
        write_network(p, out);
        write_filesystem(p, out);
        write_identity_and_limits(p, out);
        write_environment(p, out);
        return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}
