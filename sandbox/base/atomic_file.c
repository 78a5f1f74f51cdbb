/* Files that appear whole or not at all (atomic_file.h). */
#include "base/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "base/util.h"

/* Best effort: makes the rename itself durable. */
static void fsync_parent(const char *path)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return;
        int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
                (void)fsync(fd);
                close(fd);
        }
}

/* Runs fill, then flushes, fsyncs (when sync) and closes out, whatever
 * happened; returns the first error. */
static int fill_and_close(FILE *out, bool sync, int (*fill)(FILE *out, void *userdata),
                          void *userdata)
{
        errno = 0;
        int r = fill(out, userdata);
        if (r >= 0 && (fflush(out) != 0 || ferror(out)))
                r = -(errno ? errno : EIO);
        if (r >= 0 && sync && fsync(fileno(out)) < 0)
                r = -errno;
        if (fclose(out) != 0 && r >= 0)
                r = -errno;
        return r;
}

/* What a report may stream to in place: a pipe, a socket, a terminal,
 * /dev/null. Not a disk, memory or watchdog device a symlink points at
 * (opening one can be an act of its own), so this is asked before the
 * open, and of the inode opened again after it. */
static bool streamable(const struct stat *st)
{
        unsigned maj = major(st->st_rdev);
        if (S_ISFIFO(st->st_mode) || S_ISSOCK(st->st_mode))
                return true;
        return S_ISCHR(st->st_mode) &&
               (st->st_rdev == makedev(1, 3) || maj == 4 || maj == 5 || (maj >= 136 && maj <= 143));
}

/* "--findings /dev/stdout" or a pipe: nothing to rename, so write in place
 * (renaming over /dev/stdout as root would replace the device node). The
 * open does not wait: a FIFO nobody reads (one the command put at the
 * path, then exited) is ENXIO at once, not a run that never ends. Once
 * open, the writes may wait for the reader, who is there. */
static int write_special(const char *path, const struct stat *seen,
                         int (*fill)(FILE *out, void *userdata), void *userdata)
{
        if (!streamable(seen))
                return -EINVAL;
        int fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        struct stat st;
        int flags = fcntl(fd, F_GETFL);
        int r = flags < 0 || fstat(fd, &st) < 0 ? -errno : 0;
        if (r == 0 && (st.st_ino != seen->st_ino || st.st_dev != seen->st_dev))
                r = -EAGAIN; /* replaced in between */
        if (r == 0 && fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
                r = -errno;
        FILE *out = r == 0 ? fdopen(fd, "w") : NULL;
        if (!out) {
                r = r < 0 ? r : -errno;
                close(fd);
                return r;
        }
        return fill_and_close(out, false, fill, userdata);
}

int lp_write_atomic(const char *path, int (*fill)(FILE *out, void *userdata), void *userdata)
{
        struct stat st;
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
                return write_special(path, &st, fill, userdata);

        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp.XXXXXX", path) < 0) {
                tmp = NULL;
                return -ENOMEM;
        }
        int fd = mkostemp(tmp, O_CLOEXEC);
        if (fd < 0)
                return -errno;

        /* mkstemp makes the file 0600; a report is read by CI uploaders
         * running as someone else, so give it what creat(2) would. Best
         * effort: some file systems (vfat, some CI mounts) refuse chmod. */
        mode_t mask = umask(0);
        umask(mask);
        (void)!fchmod(fd, 0666 & ~mask);
        int r;
        FILE *out = fdopen(fd, "w");
        if (!out) {
                r = -errno;
                close(fd);
        } else {
                r = fill_and_close(out, true, fill, userdata);
        }
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                unlink(tmp);
                return r;
        }
        fsync_parent(path);
        return 0;
}

static int fill_text(FILE *out, void *userdata)
{
        return fputs(userdata, out) < 0 ? -EIO : 0;
}

int lp_write_atomic_text(const char *path, const char *text)
{
        return lp_write_atomic(path, fill_text, (void *)text);
}
