#include "launch/fds.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <stdlib.h>
#include <unistd.h>

static int ascending(const void *a, const void *b)
{
        int x = *(const int *)a, y = *(const int *)b;
        return (x > y) - (x < y);
}

int lp_fds_close_except(const int *keep, size_t n)
{
        int sorted[LP_FDS_KEEP_MAX];
        if (n > sizeof(sorted) / sizeof(sorted[0]))
                return -E2BIG;
        for (size_t i = 0; i < n; i++) {
                if (fcntl(keep[i], F_GETFD) < 0)
                        return -EBADF;
                sorted[i] = keep[i];
        }
        qsort(sorted, n, sizeof(int), ascending);
        unsigned from = 3;
        for (size_t i = 0; i < n; i++) {
                if (sorted[i] < 3 || (unsigned)sorted[i] < from)
                        continue;
                if ((unsigned)sorted[i] > from && close_range(from, (unsigned)sorted[i] - 1, 0) < 0)
                        return -errno;
                from = (unsigned)sorted[i] + 1;
        }
        return close_range(from, ~0U, 0) < 0 ? -errno : 0;
}
