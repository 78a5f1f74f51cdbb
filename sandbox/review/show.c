/* `leastpriv show`: the resolved policy written back as a profile, one
 * privilege per line, each annotated with the line that granted it. */
#include "review/review.h"

#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "profile/policy.h"

static void print_line(FILE *out, const char *key, const char *value, const struct lp_origin *o)
{
        char where[512];
        int n = fprintf(out, "%s=%s", key, value);
        fprintf(out, "%*s# %s\n", n < 40 ? 40 - n : 1, "", lp_origin_format(o, where, sizeof(where)));
}

static const char *action_text(const struct lp_action *a, char *buf, size_t size)
{
        if (a->type == LP_ACTION_KILL)
                snprintf(buf, size, "kill");
        else
                snprintf(buf, size, "errno:%s", lp_errno_name(a->errno_value));
        return buf;
}

static void show_syscalls(const struct lp_policy *p, FILE *out)
{
        char buf[256];
        size_t allowed = 0;
        for (size_t i = 0; i < p->n_syscalls; i++)
                allowed += p->syscalls[i].action.type == LP_ACTION_ALLOW;
        fprintf(out, "\n[Syscalls]\n# %zu of %zu syscalls of this architecture are allowed\n",
                allowed, p->n_syscalls);
        fputs("Allow=\n", out);
        for (size_t i = 0; i < p->n_allow; i++)
                print_line(out, "Allow", p->allow[i].token, &p->allow[i].origin);
        fputs("Deny=\n", out);
        for (size_t i = 0; i < p->n_deny; i++) {
                const struct lp_syscall_token *t = &p->deny[i];
                char act[64] = "";
                if (t->action_given)
                        snprintf(act, sizeof(act), ":%s",
                                 t->action.type == LP_ACTION_KILL ? "kill"
                                                                  : lp_errno_name(t->action.errno_value));
                snprintf(buf, sizeof(buf), "%s%s", t->token, act);
                print_line(out, "Deny", buf, &t->origin);
        }
        print_line(out, "DefaultAction", action_text(&p->default_action, buf, sizeof(buf)),
                   &p->default_origin);
}

static void capability_name(int cap, char *buf, size_t size)
{
        const char *n = capng_capability_to_name((unsigned)cap);
        snprintf(buf, size, "CAP_%s", n ? n : "UNKNOWN");
        for (char *s = buf; *s; s++)
                *s = (char)toupper((unsigned char)*s);
}

static void show_network(const struct lp_policy *p, FILE *out)
{
        static const char *const modes[] = {"none", "loopback", "host"};
        char buf[160];
        fputs("\n[Network]\n", out);
        print_line(out, "Namespace", modes[p->netns], &p->netns_origin);
        fputs("AddressFamilies=\n", out);
        for (size_t i = 0; i < p->n_families; i++)
                print_line(out, "AddressFamilies", lp_family_name(p->families[i].family),
                           &p->families[i].origin);
        fputs("Forward=\n", out);
        for (size_t i = 0; i < p->n_forwards; i++) {
                const struct lp_forward *f = &p->forwards[i];
                bool v6 = strchr(f->host, ':') != NULL;
                snprintf(buf, sizeof(buf), "tcp:%u=%s%s%s:%u", f->inside_port, v6 ? "[" : "",
                         f->host, v6 ? "]" : "", f->host_port);
                print_line(out, "Forward", buf, &f->origin);
        }
}

static void show_environment(const struct lp_policy *p, FILE *out)
{
        fputs("\n[Environment]\n", out);
        print_line(out, "Clear", p->clear_env ? "yes" : "no", &p->clear_env_origin);
        fputs("Withhold=\n", out);
        for (size_t i = 0; i < p->n_withhold; i++)
                print_line(out, "Withhold", p->withhold[i].glob, &p->withhold[i].origin);
        fputs("Pass=\n", out);
        for (size_t i = 0; i < p->n_pass; i++)
                print_line(out, "Pass", p->pass[i].glob, &p->pass[i].origin);
        fputs("Set=\n", out);
        for (size_t i = 0; i < p->n_set_env; i++) {
                /* Printed, not built in a buffer: a value may be as long as
                 * a profile line (64 KiB) and show must not truncate it. */
                const struct lp_setenv *e = &p->set_env[i];
                char where[512];
                int n = fprintf(out, "Set=%s=%s", e->name, e->value);
                fprintf(out, "%*s# %s\n", n < 40 ? 40 - n : 1, "",
                        lp_origin_format(&e->origin, where, sizeof(where)));
        }
}

static void show_limit(FILE *out, const char *key, const struct lp_limit *l)
{
        char buf[32];
        if (l->set)
                snprintf(buf, sizeof(buf), "%llu", (unsigned long long)l->value);
        else
                snprintf(buf, sizeof(buf), "infinity");
        print_line(out, key, buf, &l->origin);
}

int lp_policy_show(const struct lp_policy *p, FILE *out)
{
        char buf[64];
        fprintf(out, "# The resolved policy of %s (leastpriv show)\n[Profile]\n", p->source);
        if (p->description)
                fprintf(out, "Description=%s\n", p->description);
        fputs("\n[Capabilities]\nKeep=\n", out);
        for (size_t i = 0; i < p->n_keep; i++) {
                capability_name(p->keep[i].cap, buf, sizeof(buf));
                print_line(out, "Keep", buf, &p->keep[i].origin);
        }
        show_syscalls(p, out);
        show_network(p, out);
        show_environment(p, out);
        fputs("\n[Limits]\n", out);
        show_limit(out, "Timeout", &p->timeout);
        show_limit(out, "Processes", &p->processes);
        show_limit(out, "OpenFiles", &p->open_files);
        if (p->user || p->group) {
                fputs("\n[Identity]\n", out);
                if (p->user)
                        print_line(out, "User", p->user, &p->user_origin);
                if (p->group)
                        print_line(out, "Group", p->group, &p->group_origin);
        }
        return ferror(out) ? -EIO : 0;
}
