/* The resolved policy's look-ups, used by every later stage, and its
 * release. Building one is load.c's (includes) and keys.c's (values). */
#include "profile/policy.h"

#include <fnmatch.h>
#include <stdlib.h>

#include "base/text.h"
#include "profile/syscall_sets.h"

static void free_tokens(struct lp_syscall_token *t, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(t[i].token);
        free(t);
}

static void free_paths(struct lp_path *t, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(t[i].path);
        free(t);
}

static void free_patterns(struct lp_pattern *t, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(t[i].glob);
        free(t);
}

void lp_policy_free(struct lp_policy *p)
{
        if (!p)
                return;
        free(p->source);
        free(p->description);
        free_tokens(p->allow, p->n_allow);
        free_tokens(p->deny, p->n_deny);
        for (size_t i = 0; i < p->n_syscalls; i++)
                free(p->syscalls[i].name);
        free(p->syscalls);
        free(p->keep);
        free(p->families);
        free(p->forwards);
        free_paths(p->rw_paths, p->n_rw_paths);
        free_paths(p->ro_paths, p->n_ro_paths);
        free_paths(p->hidden_paths, p->n_hidden_paths);
        free_patterns(p->withhold, p->n_withhold);
        free_patterns(p->pass, p->n_pass);
        for (size_t i = 0; i < p->n_set_env; i++) {
                free(p->set_env[i].name);
                free(p->set_env[i].value);
        }
        free(p->set_env);
        free(p->user);
        free(p->group);
        for (size_t i = 0; i < p->n_files; i++)
                free(p->files[i]);
        free(p->files);
        free(p);
}

bool lp_policy_has_filesystem_rules(const struct lp_policy *p)
{
        return p->protect_system != LP_PROTECT_SYSTEM_NO || p->n_ro_paths || p->n_hidden_paths ||
               p->private_tmp.value || p->private_devices.value || p->protect_tunables.value ||
               p->protect_cgroups.value || p->dynamic_user.value;
}

bool lp_policy_wants_namespaces(const struct lp_policy *p)
{
        return p->netns != LP_NETNS_HOST || p->private_ipc.value || p->protect_hostname.value ||
               lp_policy_has_filesystem_rules(p);
}

const struct lp_syscall_rule *lp_policy_syscall(const struct lp_policy *p, int nr)
{
        /* syscalls[] is sorted by nr. */
        size_t lo = 0, hi = p->n_syscalls;
        while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (p->syscalls[mid].nr == nr)
                        return &p->syscalls[mid];
                if (p->syscalls[mid].nr < nr)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

const struct lp_syscall_rule *lp_policy_syscall_by_name(const struct lp_policy *p, const char *name)
{
        int nr = lp_syscall_nr(name);
        return nr >= 0 ? lp_policy_syscall(p, nr) : NULL;
}

const struct lp_capability *lp_policy_keeps(const struct lp_policy *p, int cap)
{
        for (size_t i = 0; i < p->n_keep; i++)
                if (p->keep[i].cap == cap)
                        return &p->keep[i];
        return NULL;
}

const struct lp_family *lp_policy_family(const struct lp_policy *p, int family)
{
        const struct lp_family *some = NULL;
        for (size_t i = 0; i < p->n_families; i++)
                if (p->families[i].family == family) {
                        if (p->families[i].protocol < 0)
                                return &p->families[i];
                        some = some ? some : &p->families[i];
                }
        return some;
}

bool lp_policy_forwards(const struct lp_policy *p, uint16_t port)
{
        for (size_t i = 0; i < p->n_forwards; i++)
                if (p->forwards[i].inside_port == port)
                        return true;
        return false;
}

bool lp_policy_socket(const struct lp_policy *p, int family, int protocol)
{
        for (size_t i = 0; i < p->n_families; i++)
                if (p->families[i].family == family &&
                    (p->families[i].protocol < 0 || p->families[i].protocol == protocol))
                        return true;
        return false;
}

bool lp_policy_passes(const struct lp_policy *p, const char *name)
{
        for (size_t i = 0; i < p->n_pass; i++)
                if (fnmatch(p->pass[i].glob, name, 0) == 0)
                        return true;
        return false;
}

const struct lp_pattern *lp_policy_withhold_pattern(const struct lp_policy *p, const char *name)
{
        for (size_t i = 0; i < p->n_withhold; i++)
                if (fnmatch(p->withhold[i].glob, name, 0) == 0)
                        return &p->withhold[i];
        return NULL;
}

const char *lp_origin_format(const struct lp_origin *o, char *buf, size_t size)
{
        if (!o || !o->file || o->line == 0) {
                lp_text_join(buf, size, 0, "built-in");
                return buf;
        }
        size_t n = lp_text_join(buf, size, 0, o->file);
        n = lp_text_join(buf, size, n, ":");
        lp_text_join_int(buf, size, n, o->line);
        return buf;
}
