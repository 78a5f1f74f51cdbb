/* The observers' (net_observer.h, fs_observer.h) use of bpf(2): maps,
 * a ring buffer's two mappings and its reading, a hash map read back
 * whole, a program loaded. No loader library: these few commands are
 * all the observers need. */
#pragma once
#include <linux/bpf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* bpf(2): the result, or -errno. */
int lp_bpf(enum bpf_cmd cmd, union bpf_attr *attr);

/* A map; a hash is not preallocated (its entries cost only when used). */
int lp_bpf_map_create(enum bpf_map_type type, uint32_t key, uint32_t value, uint32_t max);

/* The same with map_flags as given. */
int lp_bpf_map_create_flags(enum bpf_map_type type, uint32_t key, uint32_t value, uint32_t max,
                            uint32_t flags);

/* What an observer counts into: `events`, a hash of `max` keys
 * (preallocated or not), and `overflow`, the counter of what a full one
 * could not keep (array[1] of u64). 0, or -errno (what was made is the
 * caller's to close). */
int lp_bpf_counting_maps(uint32_t key, uint32_t value, uint32_t max, bool prealloc, int *events,
                         int *overflow);

/* One entry set: 0, or -errno. */
int lp_bpf_map_set(int map, const void *key, const void *value);

/* A counter of an array map (index 0), 0 when it cannot be read. */
uint64_t lp_bpf_counter(int map);

/* Loads a program: its fd, or -errno. Refused for a reason other than
 * EPERM with -v, it is loaded again for the verifier's reasons (which
 * cost time, so only then), logged as those of `what`. */
int lp_bpf_load(enum bpf_prog_type type, enum bpf_attach_type expected,
                const struct bpf_insn *insns, size_t n, const char *what);

/* A ring buffer map and its mappings: the consumer page (ours to write)
 * and the producer page with the data mapped twice after it (the
 * kernel's; read only), as the kernel lays out BPF_MAP_TYPE_RINGBUF. */
struct lp_bpf_ring {
        int fd;
        void *consumer, *producer;
        size_t size;
};

#define LP_BPF_RING_INIT \
        {                \
                .fd = -1 \
        }

int lp_bpf_ring_create(struct lp_bpf_ring *ring, size_t size);
int lp_bpf_ring_map(struct lp_bpf_ring *ring);
/* Unmaps; the fd is the caller's to close (with the rest). */
void lp_bpf_ring_unmap(struct lp_bpf_ring *ring);

/* Hands each record waiting (at least `min` bytes) to `fn` and frees its
 * room. */
void lp_bpf_ring_drain(const struct lp_bpf_ring *ring, size_t min,
                       void (*fn)(void *ctx, const void *record), void *ctx);

/* Every entry of a hash map, each as its key then its value (key_size +
 * value_size bytes) in *ret (malloc'd), in the order of the u64 at
 * `order_at` in each entry (a first sighting's time): 0, or -errno. */
int lp_bpf_map_entries(int map, size_t key_size, size_t value_size, size_t order_at, void **ret,
                       size_t *ret_n);

/* ms since the run started (lp_now_ms()'s), of a CLOCK_MONOTONIC time
 * in ns (bpf_ktime_get_ns()'s). */
uint64_t lp_bpf_run_ms(uint64_t ns, uint64_t start_ms);

/* Whether we are in the host's PID namespace: the observers name a
 * process by its pid there (bpf_get_current_pid_tgid), which only that
 * namespace's /proc can tell the executable of. */
bool lp_bpf_host_pids(void);
