/* The findings store (docs/architecture.md, "Findings"): one entry per unique
 * (kind, operation, dedupe_target or target, exe), an exact count, and the
 * details of the first occurrence.
 *
 * Entries live in an array in first-seen order; an open-addressing index
 * (linear probing, load <= 1/2, doubled when full) maps a key's hash to its
 * entry. Each entry's strings share one allocation. lp_findings_add is called
 * from the single-threaded supervisor for every notification, so the common
 * case (a key already stored) is one hash over the key strings, one or two
 * probes and a string compare, with no allocation.
 *
 * Past max_distinct, occurrences of a new key are folded: they are counted in
 * `folded` and never lost. Distinct folded keys are counted with a bounded
 * set of 64-bit key hashes (FOLD_SET_SLOTS slots, allocated at the first
 * fold): exact (up to 64-bit hash collisions) for the first FOLD_SET_MAX
 * distinct folded keys; past that the set is full, and every add of a key
 * not in it counts as a new distinct key, so the number becomes an upper
 * bound. */
#include "findings/findings.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* 2^16 slots of 8 bytes: 512 KiB at most, and only once folding starts. */
#define FOLD_SET_SLOTS (1u << 16)
#define FOLD_SET_MAX (FOLD_SET_SLOTS / 4 * 3)

/* Operations folded findings are grouped by: a storm of distinct targets
 * comes from a handful of them. */
#define FOLD_GROUPS 64

/* The index holds entry numbers + 1 in 32 bits (0: empty slot). */
#define MAX_ENTRIES (UINT32_MAX / 4)

struct entry {
        struct lp_finding f;    /* strings point into `strings` */
        const char *key_target; /* dedupe_target, or target */
        uint64_t hash;
        char *strings;
};

struct lp_findings {
        struct entry *entries;
        size_t n_entries, cap_entries;
        size_t max_distinct;

        uint32_t *index;    /* entry number + 1, 0 for an empty slot */
        size_t index_slots; /* a power of two */

        uint64_t folded;
        uint64_t folded_distinct;
        uint64_t *fold_set; /* key hashes, 0 for an empty slot */
        size_t fold_set_used;
        /* The folded occurrences again, by (kind, operation, action): an
         * exact count each, the first one's rule and fix, so that the
         * reports account for every occurrence. Past FOLD_GROUPS, the last
         * group takes the rest. */
        struct entry groups[FOLD_GROUPS];
        uint64_t group_distinct[FOLD_GROUPS];
        size_t n_groups;

        char *test_name; /* the test the run was, or NULL */
};

int lp_findings_new(size_t max_distinct, struct lp_findings **ret)
{
        struct lp_findings *s = calloc(1, sizeof(*s));
        if (!s)
                return -ENOMEM;
        /* 0 means "no bound" (the index still caps it at MAX_ENTRIES). */
        s->max_distinct =
                max_distinct == 0 || max_distinct > MAX_ENTRIES ? MAX_ENTRIES : max_distinct;
        *ret = s;
        return 0;
}

void lp_findings_free(struct lp_findings *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n_entries; i++)
                free(s->entries[i].strings);
        free(s->entries);
        free(s->index);
        free(s->fold_set);
        for (size_t i = 0; i < s->n_groups; i++)
                free(s->groups[i].strings);
        free(s->test_name);
        free(s);
}

int lp_findings_set_test_name(struct lp_findings *s, const char *name)
{
        char *copy = NULL;
        if (name && !(copy = strdup(name)))
                return -ENOMEM;
        free(s->test_name);
        s->test_name = copy;
        return 0;
}

const char *lp_findings_test_name(const struct lp_findings *s)
{
        return s->test_name;
}

/* FNV-1a over each string with a terminator, then a murmur3 finalizer so
 * that the low bits used by the index are well mixed. NULL hashes apart
 * from "" so that a missing exe is its own key. */
static uint64_t hash_str(uint64_t h, const char *str)
{
        if (!str)
                return (h ^ 0x1ff) * 0x100000001b3ULL;
        for (const unsigned char *p = (const unsigned char *)str; *p; p++)
                h = (h ^ *p) * 0x100000001b3ULL;
        return (h ^ 0x100) * 0x100000001b3ULL;
}

static uint64_t key_hash(enum lp_finding_kind kind, const char *operation, const char *key_target,
                         const char *exe)
{
        uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)kind;
        h = hash_str(h, operation);
        h = hash_str(h, key_target);
        h = hash_str(h, exe);
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53ULL;
        h ^= h >> 33;
        return h;
}

static bool str_eq(const char *a, const char *b)
{
        if (!a || !b)
                return a == b;
        return strcmp(a, b) == 0;
}

static bool entry_matches(const struct entry *e, uint64_t hash, enum lp_finding_kind kind,
                          const char *operation, const char *key_target, const char *exe)
{
        return e->hash == hash && e->f.kind == kind && str_eq(e->f.operation, operation) &&
               str_eq(e->key_target, key_target) && str_eq(e->f.exe, exe);
}

/* The slot holding the key, or the empty slot where it would go. */
static size_t index_find(const struct lp_findings *s, uint64_t hash, enum lp_finding_kind kind,
                         const char *operation, const char *key_target, const char *exe)
{
        size_t mask = s->index_slots - 1;
        for (size_t i = hash & mask;; i = (i + 1) & mask) {
                uint32_t v = s->index[i];
                if (v == 0 ||
                    entry_matches(&s->entries[v - 1], hash, kind, operation, key_target, exe))
                        return i;
        }
}

static int index_grow(struct lp_findings *s)
{
        size_t slots = s->index_slots ? s->index_slots * 2 : 64;
        uint32_t *index = calloc(slots, sizeof(*index));
        if (!index)
                return -ENOMEM;
        for (size_t e = 0; e < s->n_entries; e++) {
                size_t i = s->entries[e].hash & (slots - 1);
                while (index[i])
                        i = (i + 1) & (slots - 1);
                index[i] = (uint32_t)(e + 1);
        }
        free(s->index);
        s->index = index;
        s->index_slots = slots;
        return 0;
}

static void count_add(uint64_t *total, uint64_t n)
{
        /* Saturate rather than wrap: a wrapped count would be a lie. */
        if (__builtin_add_overflow(*total, n, total))
                *total = UINT64_MAX;
}

static int entry_init(struct entry *e, const struct lp_finding *f, uint64_t hash, uint64_t n);
static void fold_distinct(struct lp_findings *s, uint64_t hash);

/* The group of f's (kind, operation, action), made on first use;
 * SIZE_MAX only without memory for it. */
static size_t fold_group(struct lp_findings *s, const struct lp_finding *f)
{
        for (size_t i = 0; i < s->n_groups; i++) {
                const struct lp_finding *g = &s->groups[i].f;
                if (g->kind == f->kind && g->action == f->action &&
                    strcmp(g->operation, f->operation) == 0)
                        return i;
        }
        if (s->n_groups == FOLD_GROUPS)
                return FOLD_GROUPS - 1; /* the rest: counted, under the last group */
        struct lp_finding first = *f;
        first.target = first.dedupe_target = NULL;
        if (entry_init(&s->groups[s->n_groups], &first, 0, 0) < 0)
                return SIZE_MAX;
        return s->n_groups++;
}

static void fold(struct lp_findings *s, const struct lp_finding *f, uint64_t hash, uint64_t n)
{
        size_t g = fold_group(s, f);
        uint64_t distinct_before = s->folded_distinct;
        count_add(&s->folded, n);
        if (g != SIZE_MAX)
                count_add(&s->groups[g].f.count, n);
        fold_distinct(s, hash);
        if (g != SIZE_MAX && s->folded_distinct != distinct_before)
                s->group_distinct[g]++;
}

static void fold_distinct(struct lp_findings *s, uint64_t hash)
{
        if (!s->fold_set)
                s->fold_set = calloc(FOLD_SET_SLOTS, sizeof(*s->fold_set));
        if (!s->fold_set) {
                /* No memory for the set: count as the documented fallback. */
                s->folded_distinct++;
                return;
        }
        uint64_t h = hash ? hash : 1; /* 0 marks an empty slot */
        size_t mask = FOLD_SET_SLOTS - 1;
        size_t i = h & mask;
        while (s->fold_set[i] && s->fold_set[i] != h)
                i = (i + 1) & mask;
        if (s->fold_set[i] == h)
                return;
        s->folded_distinct++;
        if (s->fold_set_used < FOLD_SET_MAX) {
                s->fold_set[i] = h;
                s->fold_set_used++;
        }
}

/* Copies the strings of f into one allocation owned by e. */
static int entry_init(struct entry *e, const struct lp_finding *f, uint64_t hash, uint64_t n)
{
        const char *src[] = {f->operation, f->target, f->dedupe_target, f->exe, f->rule, f->fix};
        size_t len[LP_ELEMENTSOF(src)], total = 0;
        for (size_t i = 0; i < LP_ELEMENTSOF(src); i++) {
                len[i] = src[i] ? strlen(src[i]) + 1 : 0;
                total += len[i];
        }
        char *buf = malloc(total ? total : 1);
        if (!buf)
                return -ENOMEM;
        const char *dst[LP_ELEMENTSOF(src)];
        char *p = buf;
        for (size_t i = 0; i < LP_ELEMENTSOF(src); i++) {
                dst[i] = src[i] ? memcpy(p, src[i], len[i]) : NULL;
                p += len[i];
        }
        *e = (struct entry){
                .f = *f,
                .hash = hash,
                .strings = buf,
        };
        e->f.operation = dst[0];
        e->f.target = dst[1];
        e->f.dedupe_target = dst[2];
        e->f.exe = dst[3];
        e->f.rule = dst[4];
        e->f.fix = dst[5];
        e->f.count = n;
        e->key_target = e->f.dedupe_target ? e->f.dedupe_target : e->f.target;
        return 0;
}

int lp_findings_add(struct lp_findings *s, const struct lp_finding *f)
{
        if (!s || !f || !f->operation || (unsigned)f->kind >= LP_FINDING_KIND_COUNT ||
            (unsigned)f->action > LP_FINDING_FORWARD_FAILED)
                return -EINVAL;
        uint64_t n = f->count ? f->count : 1;
        const char *key_target = f->dedupe_target ? f->dedupe_target : f->target;
        uint64_t hash = key_hash(f->kind, f->operation, key_target, f->exe);

        if (s->index_slots) {
                size_t slot = index_find(s, hash, f->kind, f->operation, key_target, f->exe);
                if (s->index[slot]) {
                        count_add(&s->entries[s->index[slot] - 1].f.count, n);
                        return 0;
                }
        }
        if (s->n_entries >= s->max_distinct) {
                fold(s, f, hash, n);
                return 0;
        }

        /* A new key. On ENOMEM the occurrence is still counted (folded),
         * so the totals stay exact; the caller learns of it from -ENOMEM. */
        int r = 0;
        if ((s->n_entries + 1) * 2 > s->index_slots)
                r = index_grow(s);
        if (r == 0)
                r = LP_GROW(s->entries, s->cap_entries, s->n_entries);
        if (r == 0)
                r = entry_init(&s->entries[s->n_entries], f, hash, n);
        if (r < 0) {
                fold(s, f, hash, n);
                return r;
        }
        size_t slot = index_find(s, hash, f->kind, f->operation, key_target, f->exe);
        s->index[slot] = (uint32_t)(++s->n_entries);
        return 0;
}

size_t lp_findings_size(const struct lp_findings *s)
{
        return s ? s->n_entries : 0;
}

/* The pointer stays valid until the next lp_findings_add. */
const struct lp_finding *lp_findings_at(const struct lp_findings *s, size_t i)
{
        return s && i < s->n_entries ? &s->entries[i].f : NULL;
}

uint64_t lp_findings_folded(const struct lp_findings *s)
{
        return s ? s->folded : 0;
}

uint64_t lp_findings_folded_distinct(const struct lp_findings *s)
{
        return s ? s->folded_distinct : 0;
}

size_t lp_findings_folded_groups(const struct lp_findings *s)
{
        return s ? s->n_groups : 0;
}

const struct lp_finding *lp_findings_folded_group(const struct lp_findings *s, size_t i,
                                                  uint64_t *ret_distinct)
{
        if (!s || i >= s->n_groups)
                return NULL;
        if (ret_distinct)
                *ret_distinct = s->group_distinct[i];
        return &s->groups[i].f;
}

const char *lp_finding_kind_name(enum lp_finding_kind k)
{
        static const char *const names[] = {
                [LP_FINDING_SYSCALL] = "syscall",       [LP_FINDING_NETWORK] = "network",
                [LP_FINDING_CAPABILITY] = "capability", [LP_FINDING_ENVIRONMENT] = "environment",
                [LP_FINDING_FILESYSTEM] = "filesystem", [LP_FINDING_IDENTITY] = "identity",
                [LP_FINDING_RESOURCE] = "resource",
        };
        return (unsigned)k < LP_ELEMENTSOF(names) ? names[k] : "unknown";
}

const char *lp_finding_action_name(enum lp_finding_action a)
{
        static const char *const names[] = {
                [LP_FINDING_DENIED] = "denied",   [LP_FINDING_KILLED] = "killed",
                [LP_FINDING_AUDITED] = "audited", [LP_FINDING_WITHHELD] = "withheld",
                [LP_FINDING_CLEANED] = "cleaned", [LP_FINDING_FORWARD_FAILED] = "forward-failed",
        };
        return (unsigned)a < LP_ELEMENTSOF(names) ? names[a] : "unknown";
}
