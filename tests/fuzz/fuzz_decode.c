/* libFuzzer: arbitrary bytes as the tracee's memory, decoded into finding
 * targets without any process: a reader that serves a buffer stands in for
 * process_vm_readv (struct lp_decode_reader, decode.h).
 *
 * Input: op, syscall index, flags, display buffer size, six 64-bit
 * arguments, then the memory image, mapped at IMAGE_BASE. Flag bit i makes argument i an address
 * inside (or just past) the image, so that the fuzzer reaches the decoding
 * of sockaddrs and strings instead of stopping at EFAULT. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "rules/call.h"
#include "rules/decode.h"

#include "../helpers/memory_image.h"

#define IMAGE_BASE 0x10000ULL
#define HEADER (4 + 6 * 8)

static const char *image_socket_proto(int fd)
{
        static const char *const protos[] = {"tcp", "udp", "raw", "inet"};
        return protos[(unsigned)fd % 4];
}

static const char *const syscalls[] = {
        "ptrace",
        "clone",
        "unshare",
        "ioctl",
        "socket",
        "socketpair",
        "connect",
        "bind",
        "sendto",
        "sendmsg",
        "sendmmsg",
        "mount",
        "kill",
        "tkill",
        "tgkill",
        "pidfd_open",
        "process_vm_readv",
        "process_vm_writev",
        "kcmp",
        "open",
        "openat",
        "openat2",
        "execve",
        "execveat",
        "symlinkat",
        "linkat",
        "init_module",
        "mkdir",
        "chown",
        "umount2",
        "pivot_root",
        "sethostname",
        "reboot",
        "",
        "no_such_syscall",
};

/* Exactly `size` heap bytes, so that ASan catches a write past them. */
static void check_terminated(const char *buf, size_t size)
{
        FUZZ_CHECK(memchr(buf, '\0', size) != NULL);
}

/* The decoded target of any call, through its watch entry's decoder or
 * the generic one (rules/call.h). */
static void fuzz_target(const struct lp_decode_reader *rd, uint8_t which, const uint64_t *args)
{
        struct lp_decoded *d = malloc(sizeof(*d));
        if (!d)
                abort();
        memset(d, 0xa5, sizeof(*d));
        const char *sc = syscalls[which % (sizeof(syscalls) / sizeof(syscalls[0]))];
        lp_call_describe(rd, sc, args, d);
        check_terminated(d->target, sizeof(d->target));
        check_terminated(d->dedupe, sizeof(d->dedupe));
        free(d);
}

/* The addresses of a sendmmsg, message by message. */
static void fuzz_messages(const struct lp_decode_reader *rd, uint64_t addr, uint64_t vlen)
{
        for (size_t i = 0; i < (vlen & 0xf); i++) {
                struct lp_sockaddr_info sa;
                memset(&sa, 0xa5, sizeof(sa));
                int r = lp_decode_mmsghdr_address(rd, addr, i, &sa);
                check_terminated(sa.text, sizeof(sa.text));
                FUZZ_CHECK(r == 0 || r == 1 || r == -EINVAL || r == -EFAULT || r == -ESRCH);
                if (r < 0)
                        return;
        }
}

static void fuzz_sockaddr(const struct lp_decode_reader *rd, uint64_t addr, uint64_t len)
{
        struct lp_sockaddr_info sa;
        memset(&sa, 0xa5, sizeof(sa));
        int r = lp_decode_sockaddr(rd, addr, len, &sa);
        check_terminated(sa.text, sizeof(sa.text));
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EFAULT || r == -ESRCH);
        FUZZ_CHECK(r == 0 || sa.family == -1);
}

/* A string as the decoder quotes it can stand between two quotes: a
 * quote only as \", a backslash only as the first of \\ or \", whatever
 * the buffer's size cut. */
static void check_quoted_content(const char *s)
{
        for (; *s; s++) {
                FUZZ_CHECK(*s != '"');
                if (*s == '\\') {
                        FUZZ_CHECK(s[1] == '\\' || s[1] == '"');
                        s++;
                }
        }
}

static void fuzz_string(const struct lp_decode_reader *rd, uint64_t addr, size_t size)
{
        char *buf = malloc(size);
        if (!buf)
                abort();
        int r = lp_decode_string(rd, addr, buf, size);
        check_terminated(buf, size);
        FUZZ_CHECK(r == 0 || r == -EFAULT || r == -ESRCH);
        check_quoted_content(buf);
        free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < HEADER)
                return 0;
        uint8_t op = data[0], which = data[1], flags = data[2];
        /* Display buffers of 1..511 bytes: every size must stay terminated. */
        size_t bufsize = 1 + 2 * (size_t)data[3];
        uint64_t args[6];
        memcpy(args, data + 4, sizeof(args));
        for (int i = 0; i < 6; i++)
                if (flags & (1u << i))
                        args[i] = IMAGE_BASE + (args[i] & 0xffff);
        struct memory_image im = {.size = size - HEADER,
                                  .base = IMAGE_BASE,
                                  .invalid = flags & 0x40,
                                  .gone = flags & 0x80,
                                  .proto = image_socket_proto};
        uint8_t *copy = malloc(im.size ? im.size : 1);
        if (!copy)
                abort();
        memcpy(copy, data + HEADER, im.size);
        im.bytes = copy;
        struct lp_decode_reader rd = memory_image_reader(&im);
        switch (op % 5) {
        case 0:
                fuzz_target(&rd, which, args);
                break;
        case 3:
                fuzz_messages(&rd, args[0], args[1]);
                break;
        case 1:
                fuzz_sockaddr(&rd, args[0], args[1]);
                break;
        case 2:
                fuzz_string(&rd, args[0], bufsize);
                break;
        default: {
                char *buf = malloc(bufsize);
                if (!buf)
                        abort();
                lp_decode_ns_flags(args[0], buf, bufsize);
                check_terminated(buf, bufsize);
                free(buf);
        }
        }
        free(copy);
        return 0;
}
