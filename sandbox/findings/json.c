/* JSON string escaping and atomic report files, shared by report_json.c and
 * report_sarif.c. */
#include "findings/json.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"

size_t lp_utf8_sequence(const char *str, unsigned *ret_cp)
{
        const unsigned char *s = (const unsigned char *)str;
        unsigned cp, min;
        size_t n;
        if (s[0] < 0x80) {
                if (ret_cp)
                        *ret_cp = s[0];
                return 1;
        } else if ((s[0] & 0xe0) == 0xc0) {
                n = 2, cp = s[0] & 0x1f, min = 0x80;
        } else if ((s[0] & 0xf0) == 0xe0) {
                n = 3, cp = s[0] & 0x0f, min = 0x800;
        } else if ((s[0] & 0xf8) == 0xf0) {
                n = 4, cp = s[0] & 0x07, min = 0x10000;
        } else {
                return 0; /* a continuation byte, or 0xf8..0xff */
        }
        for (size_t i = 1; i < n; i++) {
                /* Stops at the NUL too, since 0 is not a continuation byte. */
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        if (ret_cp)
                *ret_cp = cp;
        return n;
}

void lp_json_string(FILE *out, const char *s)
{
        if (!s) {
                fputs("null", out);
                return;
        }
        fputc('"', out);
        const char *run = s; /* bytes that need no escaping, not yet written */
        while (*s) {
                unsigned char c = (unsigned char)*s;
                size_t n = lp_utf8_sequence(s, NULL);
                const char *esc = NULL;
                char buf[8];
                if (n > 1 || (n == 1 && c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)) {
                        s += n;
                        continue;
                }
                switch (c) {
                case '"':
                        esc = "\\\"";
                        break;
                case '\\':
                        esc = "\\\\";
                        break;
                case '\n':
                        esc = "\\n";
                        break;
                case '\r':
                        esc = "\\r";
                        break;
                case '\t':
                        esc = "\\t";
                        break;
                case '\b':
                        esc = "\\b";
                        break;
                case '\f':
                        esc = "\\f";
                        break;
                default:
                        /* n == 0: a byte that is not UTF-8 */
                        snprintf(buf, sizeof(buf), "\\u%04X", n ? c : 0xfffdu);
                        esc = buf;
                }
                fwrite(run, 1, (size_t)(s - run), out);
                fputs(esc, out);
                s++;
                run = s;
        }
        fwrite(run, 1, (size_t)(s - run), out);
        fputc('"', out);
}

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

/* "--findings /dev/stdout" or a pipe: nothing to rename, so write in place
 * (renaming over /dev/stdout as root would replace the device node). */
static int write_special(const char *path, int (*fill)(FILE *out, void *userdata), void *userdata)
{
        int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        FILE *out = fdopen(fd, "w");
        if (!out) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fill_and_close(out, false, fill, userdata);
}

int lp_json_write_atomic(const char *path, int (*fill)(FILE *out, void *userdata), void *userdata)
{
        struct stat st;
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
                return write_special(path, fill, userdata);

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
