/* Compiled seccomp programs kept between runs (filter_cache.h). */
#include "launch/filter_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

/* The entry format; a new one is a new magic, and old entries are misses. */
#define ENTRY_MAGIC "lpbpf\0\0\2"

struct entry_header {
        char magic[8];
        uint32_t key_len;
        uint32_t n_insns;
        uint64_t checksum; /* of the key, then the program */
};

#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)

/* FNV-1a's step on 64-bit words (the key is tens of kilobytes: a byte
 * at a time was a tenth of a millisecond), the last bytes one by one:
 * names an entry and catches a torn or damaged one. Not a defence
 * against a writer: only we may write the directory, and an entry is
 * used only when its whole key matches. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
        const unsigned char *p = data;
        size_t i = 0;
        for (; i + 8 <= len; i += 8) {
                uint64_t word;
                memcpy(&word, p + i, sizeof(word));
                h = (h ^ word) * UINT64_C(0x100000001b3);
        }
        for (; i < len; i++)
                h = (h ^ p[i]) * UINT64_C(0x100000001b3);
        return h;
}

static uint64_t checksum(const void *key, size_t key_len, const struct sock_filter *insns, size_t n)
{
        return fnv1a(fnv1a(FNV_OFFSET, key, key_len), insns, n * sizeof(*insns));
}

static void entry_name(const void *key, size_t key_len, char name[32])
{
        snprintf(name, 32, "%016llx.bpf", (unsigned long long)fnv1a(FNV_OFFSET, key, key_len));
}

char *lp_filter_cache_dir(void)
{
        const char *dir = getenv("LEASTPRIV_CACHE_DIR");
        if (dir && *dir)
                return strdup(dir);
        if (geteuid() == 0)
                return strdup("/var/cache/leastpriv");
        char *path = NULL;
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        /* A relative XDG_CACHE_HOME is invalid (XDG base directory spec). */
        int r = xdg && xdg[0] == '/'     ? asprintf(&path, "%s/leastpriv", xdg)
                : home && home[0] == '/' ? asprintf(&path, "%s/.cache/leastpriv", home)
                                         : -1;
        return r < 0 ? NULL : path;
}

/* The directory, opened, when it is ours and nobody else may write in
 * it; else -1 and why. */
static int open_private_dir(const char *dir, const char **why)
{
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat st;
        if (fd < 0) {
                *why = strerror(errno);
                return -1;
        }
        if (fstat(fd, &st) < 0 || st.st_uid != geteuid() || (st.st_mode & 022)) {
                *why = "not a directory of ours that only we may write";
                close(fd);
                errno = EPERM;
                return -1;
        }
        return fd;
}

const char *lp_filter_cache_read(int fd, const void *key, size_t key_len,
                                 struct sock_filter **insns, size_t *len)
{
        struct stat st;
        struct entry_header h;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
                return "not a regular file";
        if (st.st_uid != geteuid())
                return "owned by another user";
        if ((st.st_mode & 07777) != 0600)
                return "mode is not 0600";
        if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
            memcmp(h.magic, ENTRY_MAGIC, sizeof(h.magic)) != 0)
                return "not an entry of this version";
        if (h.key_len != key_len || h.n_insns == 0 || h.n_insns > BPF_MAXINSNS)
                return "compiled for another policy";
        size_t size = sizeof(h) + key_len + h.n_insns * sizeof(struct sock_filter);
        if ((size_t)st.st_size != size)
                return "truncated or padded";
        _cleanup_free_ char *body = malloc(size - sizeof(h));
        if (!body || pread(fd, body, size - sizeof(h), sizeof(h)) != (ssize_t)(size - sizeof(h)))
                return "unreadable";
        if (memcmp(body, key, key_len) != 0)
                return "compiled for another policy";
        const struct sock_filter *prog = (const void *)(body + key_len);
        if (checksum(key, key_len, prog, h.n_insns) != h.checksum)
                return "checksum mismatch";
        *insns = malloc(h.n_insns * sizeof(**insns));
        if (!*insns)
                return "out of memory";
        memcpy(*insns, prog, h.n_insns * sizeof(**insns));
        *len = h.n_insns;
        return NULL;
}

int lp_filter_cache_load(const char *dir, const void *key, size_t key_len,
                         struct sock_filter **insns, size_t *len)
{
        const char *why = NULL;
        char name[32];
        entry_name(key, key_len, name);
        int dfd = open_private_dir(dir, &why);
        if (dfd < 0 && errno == ENOENT) {
                lp_debug("filter cache: miss %s/%s (no directory yet)", dir, name);
                return 0;
        }
        if (dfd < 0) {
                lp_debug("filter cache: %s not used: %s", dir, why);
                return 0;
        }
        /* O_NOFOLLOW: a symlink put in our place is a miss, and the store
         * renames over the link, never writing where it points. */
        int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        close(dfd);
        if (fd < 0) {
                lp_debug("filter cache: miss %s/%s", dir, name);
                return 0;
        }
        why = lp_filter_cache_read(fd, key, key_len, insns, len);
        close(fd);
        if (why) {
                lp_debug("filter cache: entry %s/%s ignored: %s", dir, name, why);
                return 0;
        }
        lp_debug("filter cache: hit %s/%s", dir, name);
        return 1;
}

/* The directory and, for ~/.cache/leastpriv, its parent: mode 0700. */
static void make_dir(const char *dir)
{
        if (mkdir(dir, 0700) == 0 || errno != ENOENT)
                return;
        _cleanup_free_ char *parent = strdup(dir);
        char *slash = parent ? strrchr(parent, '/') : NULL;
        if (!slash || slash == parent)
                return;
        *slash = '\0';
        if (mkdir(parent, 0700) == 0)
                (void)mkdir(dir, 0700);
}

static int write_entry(int fd, const void *key, size_t key_len, const struct sock_filter *insns,
                       size_t len)
{
        struct entry_header h = {.key_len = (uint32_t)key_len,
                                 .n_insns = (uint32_t)len,
                                 .checksum = checksum(key, key_len, insns, len)};
        memcpy(h.magic, ENTRY_MAGIC, sizeof(h.magic));
        struct iovec v[3] = {
                {&h, sizeof(h)}, {(void *)key, key_len}, {(void *)insns, len * sizeof(*insns)}};
        ssize_t want = (ssize_t)(sizeof(h) + key_len + len * sizeof(*insns));
        if (fchmod(fd, 0600) < 0)
                return -errno;
        ssize_t n = writev(fd, v, 3);
        return n == want ? 0 : n < 0 ? -errno : -EIO;
}

void lp_filter_cache_store(const char *dir, const void *key, size_t key_len,
                           const struct sock_filter *insns, size_t len)
{
        const char *why = NULL;
        char name[32];
        entry_name(key, key_len, name);
        make_dir(dir);
        int dfd = open_private_dir(dir, &why);
        if (dfd < 0) {
                lp_debug("filter cache: %s not used: %s", dir, why);
                return;
        }
        close(dfd);
        _cleanup_free_ char *tmp = NULL, *path = NULL;
        if (asprintf(&tmp, "%s/.%s.XXXXXX", dir, name) < 0)
                tmp = NULL; /* asprintf leaves it undefined */
        if (!tmp || asprintf(&path, "%s/%s", dir, name) < 0) {
                path = NULL;
                return;
        }
        /* Written beside and renamed over: a reader sees the old entry or
         * the new one. No fsync: an entry lost or torn by a crash is a
         * miss (its checksum), and compiling again is cheap. */
        int fd = mkostemp(tmp, O_CLOEXEC);
        int r = fd < 0 ? -errno : write_entry(fd, key, key_len, insns, len);
        if (fd >= 0 && close(fd) < 0 && r == 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                if (fd >= 0)
                        unlink(tmp);
                lp_debug("filter cache: cannot store %s: %s", path, strerror(-r));
                return;
        }
        lp_debug("filter cache: stored %s", path);
}
