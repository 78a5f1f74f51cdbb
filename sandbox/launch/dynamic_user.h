/* [Identity] DynamicUser=yes: the command runs as a uid (and the gid of
 * the same number) allocated for this run, free of any account, process
 * or other run, and released when the run ends (docs/architecture.md,
 * "Dynamic user"). Root only: the workspace stays writable for it through
 * an idmapped mount, which the kernel allows only to the host's root.
 *
 * All of it is made in the parent, before the fork: the id and its lock,
 * the user namespace the idmapped mounts take their mapping from, and a
 * passwd and group file that name the user (bound over /etc/passwd and
 * /etc/group in the command's view by launch/fs.c). */
#pragma once
#include <stdbool.h>
#include <sys/types.h>

struct lp_dynamic_user {
        unsigned id;   /* the uid and gid; 0: none allocated */
        char name[32]; /* "leastpriv-61184" */
        int lock;      /* held for the run: the id is this run's */
        char lock_path[64];
        /* Where systemd's DynamicUser= keeps its locks: ours there too, a
         * POSIX lock (lockf) as systemd takes, so that systemd does not
         * give the id to a service while the run holds it. -1: none. */
        int systemd_lock;
        char systemd_path[64];
        /* A user namespace mapping the caller's uid and gid to the id:
         * idmapped mounts show the caller's files as the id's, and store
         * the id's new files as the caller's. -1: none. */
        int userns;
        int files; /* a detached tmpfs holding "passwd" and "group"; -1: none */
};

#define LP_DYNAMIC_USER_INIT                                              \
        {                                                                 \
                .lock = -1, .systemd_lock = -1, .userns = -1, .files = -1 \
        }

/* Allocates and locks the lowest free id of LP_DYNAMIC_ID_MIN..MAX: no
 * entry in /etc/passwd or /etc/group, not held by systemd's DynamicUser=, by another
 * run, or by any process. 0, -EBUSY when all are taken, or -errno. */
int lp_dynamic_user_acquire(struct lp_dynamic_user *du);

/* The idmapping of the caller's uid and gid to the id (du->userns). */
int lp_dynamic_user_idmap(struct lp_dynamic_user *du, uid_t caller_uid, gid_t caller_gid);

/* The host's /etc/passwd and /etc/group with a line for the user (home
 * `home`), on a detached tmpfs (du->files): programs that look up their
 * own name (whoami, git, PostgreSQL's initdb) find it. */
int lp_dynamic_user_files(struct lp_dynamic_user *du, const char *home);

/* Closes everything and gives the id back. `clean`: nothing of the id
 * is left (the lock file goes too); else the lock file stays, and the
 * next run that picks the id looks at every process before taking it. */
void lp_dynamic_user_release(struct lp_dynamic_user *du, bool clean);
