/* Programs by the execve that ran them (exec_names.h). */
#include "supervise/exec_names.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "rules/fs_bpf.h"
#include "supervise/bpf_maps.h"

/* A program path as /proc/PID/exe would say it: symlinks followed in the
 * command's mount namespace (/usr/bin/sh is /usr/bin/dash). */
static char *canonical_program(struct lp_proc *p, int command, const char *path)
{
        struct lp_fs_resolved res;
        struct lp_proc_reader proc = lp_proc_reader(p);
        if (path[0] == '/' && proc.resolve(proc.ctx, command, AT_FDCWD, path, true, &res) == 0 &&
            res.exists)
                return strdup(res.path);
        return strdup(path);
}

/* An entry of the execs map: a tgid, the path its last execve was given. */
struct execd {
        uint32_t tgid;
        char path[LP_FS_PATH_MAX];
};

_Static_assert(sizeof(struct execd) == sizeof(uint32_t) + LP_FS_PATH_MAX,
               "an execs entry is the map's key then its value");

/* Whether an exec of `path` gives a thread the name `comm` (exec names
 * it after the path's last component, cut to 15 bytes). */
static bool named_after(const char *path, const char *comm)
{
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        return strncmp(base, comm, 15) == 0;
}

char *lp_exec_name(int execs, struct lp_proc *p, int command, uint32_t tgid, const char *comm)
{
        struct execd *all = NULL;
        size_t n = 0;
        if (execs < 0 ||
            lp_bpf_map_entries(execs, sizeof(uint32_t), LP_FS_PATH_MAX, 0, (void **)&all, &n) < 0)
                return NULL;
        const char *found = NULL;
        bool ambiguous = false;
        for (size_t i = 0; i < n; i++) {
                all[i].path[LP_FS_PATH_MAX - 1] = '\0';
                if (all[i].tgid == tgid) {
                        found = all[i].path;
                        ambiguous = false;
                        break;
                }
                if (!named_after(all[i].path, comm))
                        continue;
                ambiguous |= found && strcmp(found, all[i].path) != 0;
                found = all[i].path;
        }
        char *name = found && !ambiguous ? canonical_program(p, command, found) : NULL;
        free(all);
        return name;
}
