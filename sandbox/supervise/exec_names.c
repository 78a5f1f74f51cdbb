/* Programs by the execve that ran them (exec_names.h). */
#include "supervise/exec_names.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rules/fs_bpf.h"
#include "supervise/bpf_maps.h"

/* An entry of the execs map: a tgid, the path its last execve was given. */
struct execd {
        uint32_t tgid;
        char path[LP_FS_PATH_MAX];
};

_Static_assert(sizeof(struct execd) == sizeof(uint32_t) + LP_FS_PATH_MAX,
               "an execs entry is the map's key then its value");

struct lp_exec_names {
        struct execd *all;
        char **canonical; /* by entry, resolved at the first look */
        size_t n;
        struct lp_proc *proc;
        int command;
};

struct lp_exec_names *lp_exec_names_read(int execs, struct lp_proc *p, int command)
{
        struct lp_exec_names *n = execs < 0 ? NULL : calloc(1, sizeof(*n));
        if (!n)
                return NULL;
        *n = (struct lp_exec_names){.proc = p, .command = command};
        if (lp_bpf_map_entries(execs, sizeof(uint32_t), LP_FS_PATH_MAX, 0, (void **)&n->all,
                               &n->n) < 0 ||
            !(n->canonical = calloc(n->n ? n->n : 1, sizeof(*n->canonical)))) {
                lp_exec_names_free(n);
                return NULL;
        }
        for (size_t i = 0; i < n->n; i++)
                n->all[i].path[LP_FS_PATH_MAX - 1] = '\0';
        return n;
}

void lp_exec_names_free(struct lp_exec_names *n)
{
        if (!n)
                return;
        for (size_t i = 0; n->canonical && i < n->n; i++)
                free(n->canonical[i]);
        free(n->canonical);
        free(n->all);
        free(n);
}

/* Entry i's path as /proc/PID/exe would say it: symlinks followed in the
 * command's mount namespace (/usr/bin/sh is /usr/bin/dash). */
static const char *canonical_program(struct lp_exec_names *n, size_t i)
{
        if (n->canonical[i])
                return n->canonical[i];
        const char *path = n->all[i].path;
        struct lp_fs_resolved res;
        struct lp_proc_reader proc = lp_proc_reader(n->proc);
        bool resolved = path[0] == '/' &&
                        proc.resolve(proc.ctx, n->command, AT_FDCWD, path, true, &res) == 0 &&
                        res.exists;
        n->canonical[i] = strdup(resolved ? res.path : path);
        return n->canonical[i];
}

/* Whether an exec of `path` gives a thread the name `comm` (exec names
 * it after the path's last component, cut to 15 bytes). */
static bool named_after(const char *path, const char *comm)
{
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        return strncmp(base, comm, 15) == 0;
}

const char *lp_exec_name(struct lp_exec_names *n, uint32_t tgid, const char *comm)
{
        ssize_t found = -1;
        bool ambiguous = false;
        for (size_t i = 0; n && i < n->n; i++) {
                if (n->all[i].tgid == tgid)
                        return canonical_program(n, i);
                if (!named_after(n->all[i].path, comm))
                        continue;
                ambiguous |= found >= 0 && strcmp(n->all[found].path, n->all[i].path) != 0;
                found = (ssize_t)i;
        }
        return found >= 0 && !ambiguous ? canonical_program(n, (size_t)found) : NULL;
}
