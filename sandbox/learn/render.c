#include "learn/render.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "learn/families.h"
#include "learn/floor.h"
#include "learn/learned.h"
#include "profile/keys.h"
#include "profile/policy.h"
#include "profile/syscall_sets.h"
#include "rules/watch.h"

struct render {
        FILE *out;
        const struct lp_policy *base;
        const struct lp_learned *l;
        const struct lp_key *allow; /* [Syscalls] Allow= */
};

static bool used(const struct render *c, const char *syscall)
{
        return lp_learned_find(c->l, LP_LEARNED_GRANT, c->allow, syscall) != NULL;
}

static bool allowed_by(const struct lp_policy *p, const char *name)
{
        const struct lp_syscall_rule *r = lp_policy_syscall_by_name(p, name);
        return r && r->action.type == LP_ACTION_ALLOW;
}

static void render_floor(const struct render *c)
{
        const char *sep = "";
        for (size_t i = 0; lp_learn_floor[i]; i++) {
                if (!lp_floor_grants(c->base, c->l->floor, lp_learn_floor[i]))
                        continue;
                if (!*sep)
                        fputs("# The learning floor (README, \"Learning mode\"): calls every "
                              "program makes,\n# granted without being observed one by one.\n"
                              "Allow=",
                              c->out);
                fprintf(c->out, "%s%s", sep, lp_learn_floor[i]);
                sep = " ";
        }
        if (*sep)
                fputs(" # floor\n", c->out);
}

static bool in_list(const char *const *list, const char *name)
{
        for (size_t i = 0; list[i]; i++)
                if (strcmp(list[i], name) == 0)
                        return true;
        return false;
}

/* The first ordinary group that holds `name`, else any group. */
static const char *group_of(const char *name)
{
        const char *any = NULL;
        for (const struct lp_syscall_group *g = lp_syscall_groups; g->name; g++)
                if (in_list(g->members, name)) {
                        if (!g->dangerous)
                                return g->name;
                        any = any ? any : g->name;
                }
        return any;
}

/* A syscall with argument hardening (the watch table says which) goes
 * through its group, since a grant by bare name would lift the hardening;
 * unless the command needed what the hardening refuses, or BASE denies
 * that group (a group Deny would win over the group Allow). */
static const char *grant_group(const struct render *c, const struct lp_learned_item *it)
{
        const struct lp_watch *w = lp_watch_find(it->value);
        if (!w || !w->hardening || it->by_name)
                return NULL;
        const struct lp_syscall_rule *r = lp_policy_syscall_by_name(c->base, it->value);
        if (r && (r->named || r->group) && r->action.type != LP_ACTION_ALLOW)
                return NULL;
        return group_of(it->value);
}

struct deny_list {
        const struct render *c;
        const char **names;
        size_t n, cap;
        int error;
};

static int collect_unused_member(const char *name, int nr, void *userdata)
{
        struct deny_list *d = userdata;
        const struct render *c = d->c;
        const struct lp_syscall_rule *r = lp_policy_syscall_by_name(c->base, name);
        bool keep = used(c, name) || allowed_by(c->base, name) || (r && r->hardening) ||
                    lp_floor_grants(c->base, c->l->floor, name) ||
                    lp_creation_grants(c->base, c->l, name) ||
                    lp_family_grants(c->base, c->l, name, NULL);
        if (keep)
                return 0;
        if (LP_GROW(d->names, d->cap, d->n) < 0)
                return d->error = -ENOMEM;
        d->names[d->n++] = name;
        return 0;
}

static int name_cmp(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Whether `syscall` is clone and fork or vfork come with it (floor.h). */
static bool with_creation(const struct render *c, const char *syscall)
{
        bool any = false;
        for (size_t i = 1; lp_learn_creation[i]; i++)
                any |= lp_creation_grants(c->base, c->l, lp_learn_creation[i]);
        return any && strcmp(syscall, lp_learn_creation[0]) == 0;
}

/* clone granted by name: fork and vfork on a line of their own, which
 * follows from it (merge.c skips it). */
static void render_creation_by_name(const struct render *c)
{
        const char *sep = "Allow=";
        for (size_t i = 1; lp_learn_creation[i]; i++)
                if (lp_creation_grants(c->base, c->l, lp_learn_creation[i])) {
                        fprintf(c->out, "%s%s", sep, lp_learn_creation[i]);
                        sep = " ";
                }
        if (*sep == ' ')
                fputs(LP_LEARN_WITH_CLONE "\n", c->out);
}

static void render_group_grant(const struct render *c, const char *group, const char *syscall)
{
        struct deny_list d = {.c = c};
        lp_syscall_group_foreach(group, collect_unused_member, &d);
        if (d.n > 0)
                qsort(d.names, d.n, sizeof(d.names[0]), name_cmp);
        fprintf(c->out,
                "# %s through %s, not by name: that would lift the built-in\n"
                "# argument hardening. The members of %s not used are denied.\n",
                syscall, group, group);
        if (with_creation(c, syscall))
                fputs("# fork and vfork come with clone: creating processes is one grant.\n",
                      c->out);
        fprintf(c->out, "Allow=%s\n", group);
        /* A member left out of Deny= would be granted unused: the verify
         * step (verify.c) refuses such a file, so an ENOMEM here cannot
         * widen a profile. */
        for (size_t i = 0; i < d.n; i++)
                fprintf(c->out, "%s%s", i ? " " : "Deny=", d.names[i]);
        if (d.n > 0)
                fputs("\n", c->out);
        free(d.names);
}

static void render_syscall(const struct render *c, const struct lp_learned_item *it)
{
        const char *group = grant_group(c, it);
        if (group) {
                render_group_grant(c, group, it->value);
                fprintf(c->out, "# used: %s # ", it->value);
                lp_learned_format_evidence(c->out, it);
                fprintf(c->out, " (granted through %s above)\n", group);
                return;
        }
        fprintf(c->out, "Allow=%s # ", it->value);
        lp_learned_format_evidence(c->out, it);
        if (it->by_name)
                fputs(" (by name: needs what the built-in hardening refuses)", c->out);
        fputs("\n", c->out);
        if (with_creation(c, it->value))
                render_creation_by_name(c);
}

static bool has(const struct lp_learned *l, enum lp_learned_kind kind, const struct lp_key *key)
{
        for (size_t i = 0; i < l->n_items; i++)
                if (l->items[i].kind == kind && (!key || l->items[i].key == key))
                        return true;
        return false;
}

/* The members that come with the family of a used syscall, one line per
 * family: "Allow=rmdir unlink # with unlinkat: one family" (merge.c
 * skips it; it follows from unlinkat's line). */
static void render_families(const struct render *c)
{
        for (size_t f = 0; lp_learn_families[f]; f++) {
                const char *sep = "Allow=", *with = NULL;
                for (size_t i = 0; lp_learn_families[f][i]; i++)
                        if (lp_family_grants(c->base, c->l, lp_learn_families[f][i], &with)) {
                                fprintf(c->out, "%s%s", sep, lp_learn_families[f][i]);
                                sep = " ";
                        }
                if (with)
                        fprintf(c->out, " # with %s" LP_LEARN_FAMILY_SUFFIX "\n", with);
        }
}

/* "Key=VALUE # evidence" for each learned value of a key. */
static void render_grants(const struct render *c, const struct lp_key *key)
{
        for (size_t i = 0; i < c->l->n_items; i++) {
                const struct lp_learned_item *it = &c->l->items[i];
                if (it->kind != LP_LEARNED_GRANT || it->key != key)
                        continue;
                if (key == c->allow) {
                        render_syscall(c, it);
                        continue;
                }
                fprintf(c->out, "%s=%s # ", key->name, it->value);
                lp_learned_format_evidence(c->out, it);
                fputs("\n", c->out);
        }
        if (key == c->allow)
                render_families(c);
}

static bool is_loopback_destination(const char *target)
{
        return strstr(target, " 127.") || strstr(target, " [::1]") || strstr(target, "::ffff:127.");
}

/* A destination learning found to be a TCP service on the host's
 * loopback, as the Forward= token that serves it ("tcp:5432",
 * "tcp:5432=[::1]:5432"); false for any other destination. */
static bool forward_of(const char *target, char *buf, size_t size)
{
        unsigned port;
        char more;
        if (sscanf(target, "tcp 127.0.0.1:%u%c", &port, &more) == 1 && port && port < 65536) {
                snprintf(buf, size, "tcp:%u", port);
                return true;
        }
        if (sscanf(target, "tcp [::1]:%u%c", &port, &more) == 1 && port && port < 65536) {
                snprintf(buf, size, "tcp:%u=[::1]:%u", port, port);
                return true;
        }
        return false;
}

/* One inside port takes one forward: a client that tried [::1]:P and
 * 127.0.0.1:P (a dual-stack "localhost") learns P once, to 127.0.0.1
 * when it was seen there, else to [::1]. */
static bool forwarded_earlier(const struct lp_learned *l, size_t index, const char *token)
{
        char other[64];
        size_t port_len = strcspn(token + 4, "=");
        bool v6 = token[4 + port_len] == '=';
        for (size_t j = 0; j < l->n_items; j++) {
                const struct lp_learned_item *it = &l->items[j];
                if (j == index || it->kind != LP_LEARNED_DESTINATION ||
                    !forward_of(it->value, other, sizeof(other)) ||
                    strncmp(other, token, 4 + port_len) != 0 ||
                    (other[4 + port_len] != '\0' && other[4 + port_len] != '='))
                        continue;
                bool other_v6 = other[4 + port_len] == '=';
                if ((v6 && !other_v6) || (v6 == other_v6 && j < index))
                        return true;
        }
        return false;
}

static void render_destinations(const struct render *c)
{
        const struct lp_learned *l = c->l;
        bool loopback_base = c->base->netns == LP_NETNS_LOOPBACK, outside = false;
        char token[64];
        for (size_t i = 0; i < l->n_items; i++) {
                const struct lp_learned_item *it = &l->items[i];
                if (it->kind != LP_LEARNED_DESTINATION)
                        continue;
                /* A loopback destination learned from a loopback base is a
                 * host service (rules/checks.c): a forward serves TCP ones;
                 * only the host network has the others. */
                bool udp_service = loopback_base && strncmp(it->value, "udp ", 4) == 0 &&
                                   is_loopback_destination(it->value);
                if (!(loopback_base && forward_of(it->value, token, sizeof(token))) && !udp_service)
                        outside |= !is_loopback_destination(it->value) ||
                                   c->base->netns != LP_NETNS_NONE;
                fprintf(c->out, "# destination: %s # ", it->value);
                lp_learned_format_evidence(c->out, it);
                fputs("\n", c->out);
                /* A note, not a grant: the host network for one UDP
                 * service would be far more than it needs. */
                if (udp_service)
                        fputs("#   a UDP service on the host's loopback: Forward= is TCP only; "
                              "Namespace=host\n#   would reach it (not granted)\n",
                              c->out);
        }
        if (!has(l, LP_LEARNED_DESTINATION, NULL) || c->base->netns == LP_NETNS_HOST)
                return;
        if (outside || !loopback_base) {
                fprintf(c->out, "Namespace=%s\n", outside ? "host" : "loopback");
                return;
        }
        fputs("# Services on the host's loopback, forwarded into the namespace:\n", c->out);
        for (size_t i = 0; i < l->n_items; i++) {
                const struct lp_learned_item *it = &l->items[i];
                if (it->kind == LP_LEARNED_DESTINATION &&
                    forward_of(it->value, token, sizeof(token)) && !forwarded_earlier(l, i, token))
                        fprintf(c->out, "Forward=%s\n", token);
        }
}

static void render_withheld(const struct render *c)
{
        if (!has(c->l, LP_LEARNED_WITHHELD, NULL))
                return;
        fputs("# Present while learning and withheld; never passed automatically. A test\n"
              "# that needs one names it in Pass=.\n",
              c->out);
        for (size_t i = 0; i < c->l->n_items; i++)
                if (c->l->items[i].kind == LP_LEARNED_WITHHELD)
                        fprintf(c->out, "# withheld: %s\n", c->l->items[i].value);
}

static void render_fs_notes(const struct render *c)
{
        if (!has(c->l, LP_LEARNED_FS_NOTE, NULL))
                return;
        fputs("# Refused by a hidden path or a protected kernel surface while learning;\n"
              "# never granted automatically. A test that needs one applies its fix by hand.\n",
              c->out);
        for (size_t i = 0; i < c->l->n_items; i++) {
                const struct lp_learned_item *it = &c->l->items[i];
                if (it->kind != LP_LEARNED_FS_NOTE)
                        continue;
                fprintf(c->out, "# refused: %s # ", it->value);
                lp_learned_format_evidence(c->out, it);
                fputs("\n", c->out);
        }
}

/* Whether the section has anything to say; [Syscalls] always does (the
 * floor, or the statement that nothing was needed). */
static bool section_used(const struct render *c, const char *section)
{
        if (strcmp(section, "Syscalls") == 0)
                return true;
        if (strcmp(section, "Network") == 0 && has(c->l, LP_LEARNED_DESTINATION, NULL))
                return true;
        if (strcmp(section, "Environment") == 0 && has(c->l, LP_LEARNED_WITHHELD, NULL))
                return true;
        if (strcmp(section, "Filesystem") == 0 && has(c->l, LP_LEARNED_FS_NOTE, NULL))
                return true;
        for (const struct lp_key *k = lp_keys; k->name; k++)
                if (k->learned && strcmp(k->section, section) == 0 &&
                    has(c->l, LP_LEARNED_GRANT, k))
                        return true;
        return false;
}

static void render_section(const struct render *c, const char *section)
{
        fprintf(c->out, "\n[%s]\n", section);
        if (strcmp(section, "Syscalls") == 0)
                render_floor(c);
        for (const struct lp_key *k = lp_keys; k->name; k++)
                if (k->learned && strcmp(k->section, section) == 0)
                        render_grants(c, k);
        if (strcmp(section, "Network") == 0)
                render_destinations(c);
        if (strcmp(section, "Environment") == 0)
                render_withheld(c);
        if (strcmp(section, "Filesystem") == 0)
                render_fs_notes(c);
}

void lp_learn_render(FILE *out, const struct lp_policy *base, const struct lp_learned *l,
                     const char *include)
{
        struct render c = {out, base, l, lp_key_find("Syscalls", "Allow")};
        fputs("# Learned by `leastpriv learn`: what the command used, one grant per line,\n"
              "# each with how often and which executable first. `leastpriv diff BASELINE\n"
              "# THIS` shows what it grants beyond a baseline.\n"
              "[Profile]\nDescription=Learned by leastpriv learn\n",
              out);
        fprintf(out, "Include=%s\n", include);
        for (size_t i = 0; lp_sections[i]; i++)
                if (strcmp(lp_sections[i], "Profile") != 0 && section_used(&c, lp_sections[i]))
                        render_section(&c, lp_sections[i]);
}
