#include "launch/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/landlock.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rules/fs_plan.h"

/* Linux 6.2 (ABI 3); Debian 12's headers predate it. */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

/* The rights that change the file system, by the ABI that brought them
 * (landlock(7)). Reading and executing are left alone, and so are device
 * ioctls (ABI 5): the mounts decide those. */
static uint64_t write_rights(int abi)
{
        uint64_t r = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                     LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR |
                     LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
                     LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
                     LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
        if (abi >= 2)
                r |= LANDLOCK_ACCESS_FS_REFER;
        if (abi >= 3)
                r |= LANDLOCK_ACCESS_FS_TRUNCATE;
        return r;
}

/* Rights that make sense on a file (the rest only on a directory). */
static uint64_t file_rights(uint64_t rights)
{
        return rights & (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE);
}

static int allow_beneath(int ruleset, const char *path, uint64_t rights)
{
        int fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno; /* not in the view: nothing to allow */
        struct stat st;
        int r = fstat(fd, &st) < 0 ? -errno : 0;
        struct landlock_path_beneath_attr beneath = {
                .allowed_access = S_ISDIR(st.st_mode) ? rights : file_rights(rights),
                .parent_fd = fd,
        };
        if (r >= 0 &&
            syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &beneath, 0) < 0)
                r = -errno;
        close(fd);
        return r;
}

int lp_landlock_apply(const struct lp_fs_plan *plan)
{
        if (!plan->landlock)
                return 0;
        int abi =
                (int)syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
        if (abi < 0)
                return errno == ENOSYS || errno == EOPNOTSUPP ? 0 : -errno;
        uint64_t rights = write_rights(abi);
        struct landlock_ruleset_attr attr = {.handled_access_fs = rights};
        int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
        if (ruleset < 0)
                return -errno;
        int r = 0;
        for (size_t i = 0; r >= 0 && i < plan->n_rules; i++)
                if (plan->rules[i].access == LP_FS_WRITABLE)
                        r = allow_beneath(ruleset, plan->rules[i].path, rights);
        if (r >= 0 && syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
                r = -errno;
        close(ruleset);
        return r < 0 ? r : 1;
}
