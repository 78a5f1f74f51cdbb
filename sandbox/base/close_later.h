/* Closing descriptors whose last close is slow (a fanotify group waits for
 * an SRCU grace period; a BPF link's detach patches the kernel's text and
 * a program's free waits for RCU), without the caller waiting for it. */
#pragma once
#include <stddef.h>

/* Closes fds[0..n-1] (those >= 0). An io_uring ring whose file table holds
 * them takes the last close: closing the ring hands its teardown, and
 * their final fput with it, to a kernel worker, so the caller does not
 * wait and no process of ours is left behind. Where io_uring is refused
 * (kernel.io_uring_disabled, a container's seccomp profile), plain closes
 * that wait. */
void lp_close_later(const int *fds, size_t n);
