#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

int lp_grow(void **array, size_t *capacity, size_t n, size_t elem)
{
        if (n < *capacity)
                return 0;
        size_t want = *capacity ? *capacity * 2 : 8;
        while (want <= n)
                want *= 2;
        if (want > SIZE_MAX / elem)
                return -ENOMEM;
        void *p = realloc(*array, want * elem);
        if (!p)
                return -ENOMEM;
        *array = p;
        *capacity = want;
        return 0;
}

uint64_t lp_now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

long lp_read_long(const char *path, long fallback)
{
        FILE *f = fopen(path, "re");
        long v = fallback;
        if (f && fscanf(f, "%ld", &v) != 1)
                v = fallback;
        if (f)
                fclose(f);
        return v;
}

int lp_read_text(const char *path, char **ret)
{
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        char *text = NULL;
        size_t size = 0;
        ssize_t n = getdelim(&text, &size, '\0', f);
        bool failed = n < 0 && ferror(f);
        fclose(f);
        if (failed) {
                free(text);
                return -EIO;
        }
        if (n < 0) { /* an empty file: getdelim read nothing */
                free(text);
                if (!(text = strdup("")))
                        return -ENOMEM;
        }
        *ret = text;
        return 0;
}

int lp_write_text(const char *path, const char *text)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        size_t len = strlen(text);
        ssize_t n = write(fd, text, len);
        int r = n == (ssize_t)len ? 0 : (n < 0 ? -errno : -EIO);
        close(fd);
        return r;
}

int lp_pidfd_kill_wait(int pidfd, int timeout_ms)
{
        if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0)
                return errno == ESRCH ? 0 : -errno;
        struct pollfd p = {pidfd, POLLIN, 0};
        return poll(&p, 1, timeout_ms) == 0 ? -ETIMEDOUT : 1;
}
