#include "base/close_later.h"

#include <linux/io_uring.h>
#include <sys/syscall.h>
#include <unistd.h>

void lp_close_later(const int *fds, size_t n)
{
        int held[64], k = 0;
        for (size_t i = 0; i < n && k < (int)(sizeof(held) / sizeof(held[0])); i++)
                if (fds[i] >= 0)
                        held[k++] = fds[i];
        struct io_uring_params params = {0};
        int ring = k ? (int)syscall(SYS_io_uring_setup, 1, &params) : -1;
        if (ring >= 0 &&
            syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES, held, (unsigned)k) < 0) {
                close(ring);
                ring = -1;
        }
        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        if (ring >= 0)
                close(ring);
}
