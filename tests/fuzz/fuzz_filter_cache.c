/* libFuzzer: arbitrary bytes as a compiled-filter cache entry
 * (launch/filter_cache.h), read for a key the input also gives, so that
 * the fuzzer can reach past the key comparison to the checksum and the
 * program. Input: one byte N, then N bytes of key, then the entry file.
 * Oracle: an entry that is accepted is exactly the header, the key and
 * the program it hands back, and the program's length is one the kernel
 * takes. */
#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "launch/filter_cache.h"

#define HEADER_SIZE 24 /* magic, key length, count, checksum */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1 || size < 1u + data[0])
                return 0;
        size_t key_len = data[0];
        const uint8_t *key = data + 1, *entry = data + 1 + key_len;
        size_t entry_len = size - 1 - key_len;
        int fd = memfd_create("entry", MFD_CLOEXEC);
        FUZZ_CHECK(fd >= 0);
        FUZZ_CHECK(fchmod(fd, 0600) == 0);
        FUZZ_CHECK(write(fd, entry, entry_len) == (ssize_t)entry_len);
        struct sock_filter *insns = NULL;
        size_t len = 0;
        const char *why = lp_filter_cache_read(fd, key, key_len, &insns, &len);
        close(fd);
        if (!why) {
                FUZZ_CHECK(len >= 1 && len <= BPF_MAXINSNS);
                FUZZ_CHECK(entry_len == HEADER_SIZE + key_len + len * sizeof(*insns));
                FUZZ_CHECK(memcmp(entry + HEADER_SIZE, key, key_len) == 0);
                FUZZ_CHECK(memcmp(entry + HEADER_SIZE + key_len, insns, len * sizeof(*insns)) == 0);
        } else {
                FUZZ_CHECK(!insns);
        }
        free(insns);
        return 0;
}
