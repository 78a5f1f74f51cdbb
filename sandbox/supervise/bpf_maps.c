/* The observers' bpf(2) calls (bpf_maps.h). */
#include "supervise/bpf_maps.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"
#include "base/util.h"

int lp_bpf(enum bpf_cmd cmd, union bpf_attr *attr)
{
        int r = (int)syscall(SYS_bpf, cmd, attr, sizeof(*attr));
        return r < 0 ? -errno : r;
}

int lp_bpf_map_create_flags(enum bpf_map_type type, uint32_t key, uint32_t value, uint32_t max,
                            uint32_t flags)
{
        union bpf_attr a = {.map_type = type,
                            .key_size = key,
                            .value_size = value,
                            .max_entries = max,
                            .map_flags = flags};
        return lp_bpf(BPF_MAP_CREATE, &a);
}

int lp_bpf_map_create(enum bpf_map_type type, uint32_t key, uint32_t value, uint32_t max)
{
        return lp_bpf_map_create_flags(type, key, value, max,
                                       BPF_F_NO_PREALLOC * (type == BPF_MAP_TYPE_HASH));
}

int lp_bpf_counting_maps(uint32_t key, uint32_t value, uint32_t max, bool prealloc, int *events,
                         int *overflow)
{
        *events = lp_bpf_map_create_flags(BPF_MAP_TYPE_HASH, key, value, max,
                                          prealloc ? 0 : BPF_F_NO_PREALLOC);
        if (*events < 0)
                return *events;
        *overflow = lp_bpf_map_create(BPF_MAP_TYPE_ARRAY, sizeof(uint32_t), sizeof(uint64_t), 1);
        return *overflow < 0 ? *overflow : 0;
}

int lp_bpf_map_set(int map, const void *key, const void *value)
{
        union bpf_attr a = {.map_fd = (uint32_t)map,
                            .key = (uint64_t)(uintptr_t)key,
                            .value = (uint64_t)(uintptr_t)value};
        int r = lp_bpf(BPF_MAP_UPDATE_ELEM, &a);
        return r < 0 ? r : 0;
}

uint64_t lp_bpf_counter(int map)
{
        uint32_t zero = 0;
        uint64_t count = 0;
        union bpf_attr a = {.map_fd = (uint32_t)map,
                            .key = (uint64_t)(uintptr_t)&zero,
                            .value = (uint64_t)(uintptr_t)&count};
        return lp_bpf(BPF_MAP_LOOKUP_ELEM, &a) < 0 ? 0 : count;
}

static int load(enum bpf_prog_type type, enum bpf_attach_type expected,
                const struct bpf_insn *insns, size_t n, char *log, size_t log_size)
{
        union bpf_attr a = {.prog_type = type,
                            .expected_attach_type = expected,
                            .insns = (uint64_t)(uintptr_t)insns,
                            .insn_cnt = (uint32_t)n,
                            .license = (uint64_t)(uintptr_t) "GPL",
                            .log_level = log != NULL,
                            .log_buf = (uint64_t)(uintptr_t)log,
                            .log_size = (uint32_t)log_size};
        return lp_bpf(BPF_PROG_LOAD, &a);
}

int lp_bpf_load(enum bpf_prog_type type, enum bpf_attach_type expected,
                const struct bpf_insn *insns, size_t n, const char *what)
{
        int fd = load(type, expected, insns, n, NULL, 0);
        if (fd >= 0 || fd == -EPERM || lp_log_level < LP_LOG_DEBUG)
                return fd;
        size_t size = 1 << 20;
        _cleanup_free_ char *log = calloc(1, size);
        if (log && load(type, expected, insns, n, log, size) < 0)
                lp_debug("%s was refused:\n%s", what, log);
        return fd;
}

int lp_bpf_ring_create(struct lp_bpf_ring *ring, size_t size)
{
        *ring = (struct lp_bpf_ring)LP_BPF_RING_INIT;
        ring->fd = lp_bpf_map_create(BPF_MAP_TYPE_RINGBUF, 0, 0, (uint32_t)size);
        ring->size = size;
        return ring->fd < 0 ? ring->fd : 0;
}

int lp_bpf_ring_map(struct lp_bpf_ring *ring)
{
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        ring->consumer = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, ring->fd, 0);
        if (ring->consumer == MAP_FAILED) {
                ring->consumer = NULL;
                return -errno;
        }
        ring->producer =
                mmap(NULL, page + 2 * ring->size, PROT_READ, MAP_SHARED, ring->fd, (off_t)page);
        if (ring->producer == MAP_FAILED) {
                ring->producer = NULL;
                return -errno;
        }
        return 0;
}

void lp_bpf_ring_unmap(struct lp_bpf_ring *ring)
{
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        if (ring->consumer)
                munmap(ring->consumer, page);
        if (ring->producer)
                munmap(ring->producer, page + 2 * ring->size);
        ring->consumer = ring->producer = NULL;
}

/* The records (the kernel's layout, linux/bpf.h): a header of length
 * and flags, the data, padded to 8 bytes; the consumer position is ours
 * to advance. */
void lp_bpf_ring_drain(const struct lp_bpf_ring *ring, size_t min,
                       void (*fn)(void *ctx, const void *record), void *ctx)
{
        if (!ring->producer)
                return;
        unsigned long *consumer = ring->consumer;
        const unsigned long *producer = ring->producer;
        const char *data = (const char *)ring->producer + sysconf(_SC_PAGESIZE);
        unsigned long pos = __atomic_load_n(consumer, __ATOMIC_ACQUIRE);
        unsigned long end = __atomic_load_n(producer, __ATOMIC_ACQUIRE);
        while (pos < end) {
                const uint32_t *header = (const void *)(data + (pos & (ring->size - 1)));
                uint32_t len = __atomic_load_n(header, __ATOMIC_ACQUIRE);
                if (len & BPF_RINGBUF_BUSY_BIT)
                        break; /* still being written */
                uint32_t size = len & ~(uint32_t)(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
                if (!(len & BPF_RINGBUF_DISCARD_BIT) && size >= min)
                        fn(ctx, (const char *)header + BPF_RINGBUF_HDR_SZ);
                pos += (size + BPF_RINGBUF_HDR_SZ + 7) & ~7UL;
                __atomic_store_n(consumer, pos, __ATOMIC_RELEASE);
        }
}

static int by_u64_at(const void *a, const void *b, void *at)
{
        uint64_t x, y;
        memcpy(&x, (const char *)a + (size_t)at, sizeof(x));
        memcpy(&y, (const char *)b + (size_t)at, sizeof(y));
        return x < y ? -1 : x > y;
}

uint64_t lp_bpf_run_ms(uint64_t ns, uint64_t start_ms)
{
        uint64_t ms = ns / 1000000;
        return ms > start_ms ? ms - start_ms : 0;
}

int lp_bpf_map_entries(int map, size_t key_size, size_t value_size, size_t order_at, void **ret,
                       size_t *ret_n)
{
        size_t entry = key_size + value_size, n = 0, cap = 0;
        char *v = NULL, *previous = NULL;
        int r;
        for (;;) {
                if (n == cap) {
                        size_t bigger = cap ? 2 * cap : 16;
                        char *grown = realloc(v, bigger * entry);
                        if (!grown) {
                                r = -ENOMEM;
                                break;
                        }
                        v = grown;
                        cap = bigger;
                }
                char *key = v + n * entry;
                if (previous)
                        previous = v + (n - 1) * entry; /* v may have moved */
                union bpf_attr a = {.map_fd = (uint32_t)map,
                                    .key = (uint64_t)(uintptr_t)previous,
                                    .next_key = (uint64_t)(uintptr_t)key};
                if ((r = lp_bpf(BPF_MAP_GET_NEXT_KEY, &a)) < 0)
                        break;
                a = (union bpf_attr){.map_fd = (uint32_t)map,
                                     .key = (uint64_t)(uintptr_t)key,
                                     .value = (uint64_t)(uintptr_t)(key + key_size)};
                if ((r = lp_bpf(BPF_MAP_LOOKUP_ELEM, &a)) < 0)
                        break; /* nothing deletes: a key that went is a failure */
                previous = key;
                n++;
        }
        if (r != -ENOENT) { /* ENOENT: past the last key */
                free(v);
                return r;
        }
        if (n > 1)
                qsort_r(v, n, entry, by_u64_at, (void *)order_at);
        *ret = v;
        *ret_n = n;
        return 0;
}

/* The host's PID namespace's inode (include/linux/proc_ns.h). */
#define PROC_PID_INIT_INO 0xEFFFFFFCU

bool lp_bpf_host_pids(void)
{
        struct stat st;
        return stat("/proc/self/ns/pid", &st) == 0 && st.st_ino == PROC_PID_INIT_INO;
}
