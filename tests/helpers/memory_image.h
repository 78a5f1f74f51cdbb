/* A tracee's memory for unit tests and fuzzers: bytes mapped at `base`,
 * served through the decoder's reader seam (rules/decode.h) the way
 * process_vm_readv serves a live tracee: a short count where the mapping
 * ends, EFAULT outside it, ESRCH once the tracee is gone. */
#pragma once
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "rules/decode.h"

struct memory_image {
        const void *bytes;
        size_t size;
        uint64_t base;
        bool invalid; /* the notification went stale: nothing read counts */
        bool gone;    /* every read fails with ESRCH */
        /* The protocol of socket fd; NULL: "tcp" for every fd. */
        const char *(*proto)(int fd);
};

static inline ssize_t memory_image_read(const void *ctx, uint64_t addr, void *buf, size_t size)
{
        const struct memory_image *im = ctx;
        if (im->gone)
                return -ESRCH;
        if (addr < im->base || addr - im->base >= im->size)
                return -EFAULT;
        size_t off = (size_t)(addr - im->base), n = im->size - off;
        n = n < size ? n : size;
        memcpy(buf, (const char *)im->bytes + off, n);
        return (ssize_t)n;
}

static inline bool memory_image_valid(const void *ctx)
{
        return !((const struct memory_image *)ctx)->invalid;
}

static inline const char *memory_image_proto(const void *ctx, int fd)
{
        const struct memory_image *im = ctx;
        return im->proto ? im->proto(fd) : "tcp";
}

static inline struct lp_decode_reader memory_image_reader(const struct memory_image *im)
{
        return (struct lp_decode_reader){memory_image_read, memory_image_valid, memory_image_proto,
                                         im};
}
