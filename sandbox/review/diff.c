/* `leastpriv diff BASELINE CANDIDATE`: the CI gate against privilege
 * creep. Each policy is flattened into a set of privilege strings; what
 * only the candidate has is printed "+", what only the baseline has "-". */
#include <cap-ng.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile/policy.h"
#include "review/review.h"
#include "base/util.h"

/* The text is compared whole: a fixed buffer would cut two long globs to
 * the same prefix and hide the one the candidate added. */
struct privilege {
        char *text;
        struct lp_origin origin;
};

struct privileges {
        struct privilege *items;
        size_t n, cap;
        int error; /* -ENOMEM once a privilege could not be added */
};

static int add(struct privileges *s, const struct lp_origin *o, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int add(struct privileges *s, const struct lp_origin *o, const char *fmt, ...)
{
        char *text = NULL;
        va_list ap;
        va_start(ap, fmt);
        int r = vasprintf(&text, fmt, ap);
        va_end(ap);
        /* A privilege left out would be a privilege diff does not report. */
        if (r < 0 || LP_GROW(s->items, s->cap, s->n) < 0) {
                if (r >= 0)
                        free(text);
                s->error = -ENOMEM;
                return -ENOMEM;
        }
        s->items[s->n++] = (struct privilege){text, o ? *o : (struct lp_origin){0}};
        return 0;
}

static void privileges_done(struct privileges *s)
{
        for (size_t i = 0; i < s->n; i++)
                free(s->items[i].text);
        free(s->items);
}

static void add_syscalls(const struct lp_policy *p, struct privileges *s)
{
        for (size_t i = 0; i < p->n_syscalls; i++)
                if (p->syscalls[i].action.type == LP_ACTION_ALLOW)
                        add(s, &p->syscalls[i].origin, "syscall %s", p->syscalls[i].name);
        /* Lifting a hardening rule is a privilege of its own (DESIGN.md §1). */
        const struct lp_syscall_rule *r;
        if (!p->hardening.ioctl_tty && (r = lp_policy_syscall_by_name(p, "ioctl")))
                add(s, &r->origin, "unhardened ioctl(TIOCSTI, TIOCLINUX)");
        if (!p->hardening.clone_ns && (r = lp_policy_syscall_by_name(p, "clone")))
                add(s, &r->origin, "unhardened clone(CLONE_NEW*)");
        if (!p->hardening.unshare_ns && (r = lp_policy_syscall_by_name(p, "unshare")))
                add(s, &r->origin, "unhardened unshare(CLONE_NEW*)");
        /* errno is looser than kill: the command survives and can try again. */
        if (p->default_action.type == LP_ACTION_ERRNO)
                add(s, &p->default_origin, "default action errno (looser than kill)");
}

static void add_network(const struct lp_policy *p, struct privileges *s)
{
        /* none < loopback < host: each wider mode holds the narrower ones. */
        if (p->netns >= LP_NETNS_LOOPBACK)
                add(s, &p->netns_origin, "network loopback (lo up)");
        if (p->netns == LP_NETNS_HOST)
                add(s, &p->netns_origin, "network host (no namespace)");
        for (size_t i = 0; i < p->n_families; i++)
                add(s, &p->families[i].origin, "address family %s",
                    lp_family_name(p->families[i].family));
        for (size_t i = 0; i < p->n_forwards; i++) {
                const struct lp_forward *f = &p->forwards[i];
                add(s, &f->origin, "forward tcp:%u=%s:%u", f->inside_port, f->host, f->host_port);
        }
}

static void add_capabilities(const struct lp_policy *p, struct privileges *s)
{
        for (size_t i = 0; i < p->n_keep; i++) {
                char name[64];
                snprintf(name, sizeof(name), "CAP_%s",
                         capng_capability_to_name((unsigned)p->keep[i].cap));
                for (char *c = name; *c; c++)
                        *c = (char)toupper((unsigned char)*c);
                add(s, &p->keep[i].origin, "capability %s", name);
        }
}

/* A withhold is a restriction: its absence from the other side is the
 * privilege, so the caller adds each baseline withhold the candidate lacks. */
static void add_environment(const struct lp_policy *p, const struct lp_policy *other,
                            struct privileges *s)
{
        if (!p->clear_env)
                add(s, &p->clear_env_origin, "environment inherited (Clear=no)");
        for (size_t i = 0; i < p->n_pass; i++)
                add(s, &p->pass[i].origin, "environment pass %s", p->pass[i].glob);
        for (size_t i = 0; i < other->n_withhold; i++) {
                bool kept = false;
                for (size_t j = 0; j < p->n_withhold && !kept; j++)
                        kept = strcmp(p->withhold[j].glob, other->withhold[i].glob) == 0;
                if (!kept)
                        add(s, &other->withhold[i].origin, "environment no longer withholds %s",
                            other->withhold[i].glob);
        }
}

static int compare(const void *a, const void *b)
{
        return strcmp(((const struct privilege *)a)->text, ((const struct privilege *)b)->text);
}

static int collect(const struct lp_policy *p, const struct lp_policy *other,
                   struct privileges *s)
{
        add_syscalls(p, s);
        add_network(p, s);
        add_capabilities(p, s);
        add_environment(p, other, s);
        if (s->error < 0)
                return s->error;
        qsort(s->items, s->n, sizeof(*s->items), compare);
        return 0;
}

static bool contains(const struct privileges *s, const char *text)
{
        struct privilege key = {.text = (char *)text};
        return bsearch(&key, s->items, s->n, sizeof(*s->items), compare) != NULL;
}

static size_t print_missing(const struct privileges *from, const struct privileges *in,
                            char sign, FILE *out)
{
        size_t n = 0;
        for (size_t i = 0; i < from->n; i++) {
                if (contains(in, from->items[i].text))
                        continue;
                char where[512];
                fprintf(out, "%c %s    (%s)\n", sign, from->items[i].text,
                        lp_origin_format(&from->items[i].origin, where, sizeof(where)));
                n++;
        }
        return n;
}

int lp_policy_diff(const struct lp_policy *baseline, const struct lp_policy *candidate, FILE *out)
{
        struct privileges base = {0}, cand = {0};
        int r = collect(baseline, candidate, &base);
        if (r >= 0)
                r = collect(candidate, baseline, &cand);
        if (r >= 0) {
                print_missing(&base, &cand, '-', out);
                r = (int)print_missing(&cand, &base, '+', out);
        }
        privileges_done(&base);
        privileges_done(&cand);
        return r;
}
