/* Files several runs add to at once (file_lock.h). */
#include "base/file_lock.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic_file.h"
#include "base/util.h"

int lp_lock_directory_of(const char *path)
{
        _cleanup_free_ char *copy = strdup(path);
        if (!copy)
                return -ENOMEM;
        int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

/* fill's text in memory, so that it reaches the file in one write. */
static int fill_memory(int (*fill)(FILE *out, void *userdata), void *userdata, char **ret_text,
                       size_t *ret_len)
{
        FILE *m = open_memstream(ret_text, ret_len);
        if (!m)
                return -ENOMEM;
        int r = fill(m, userdata);
        if (fclose(m) != 0 && r >= 0)
                r = -ENOMEM;
        return r;
}

/* All of text at the end of fd. O_APPEND places each write at the end;
 * the lock keeps another appender's lines from coming between two writes
 * should the first be short. */
static int write_all(int fd, const char *text, size_t len)
{
        while (len > 0) {
                ssize_t n = write(fd, text, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
                text += n;
                len -= (size_t)n;
        }
        return 0;
}

int lp_append_locked(const char *path, int (*fill)(FILE *out, void *userdata), void *userdata)
{
        struct stat st;
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
                return lp_write_atomic(path, fill, userdata);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = fill_memory(fill, userdata, &text, &len);
        if (r < 0)
                return r;
        _cleanup_close_ int fd =
                open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOCTTY | O_CLOEXEC, 0666);
        if (fd < 0)
                return -errno;
        /* Replaced by something else between the stat and the open. */
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return -EINVAL;
        if (flock(fd, LOCK_EX) < 0)
                return -errno;
        off_t end = lseek(fd, 0, SEEK_END);
        if (end < 0)
                return -errno;
        r = write_all(fd, text, len);
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        /* A full disk mid-write: take the half line back, for the next
         * appender's lines to start on a line of their own. */
        if (r < 0)
                (void)!ftruncate(fd, end);
        return r;
}
