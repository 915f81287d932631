/* dict.c - see dict.h. */
#include "server/dict.h"

#include <assert.h>
#include <string.h>
#include <time.h>

#include "server/mem.h"

#define DICT_INITIAL_SIZE 4
#define DICT_EMPTY_VISITS_PER_STEP 10

static uint64_t dict_seed0 = UINT64_C(0x9e3779b97f4a7c15);
static uint64_t dict_seed1 = UINT64_C(0xd6e8feb86659fd93);

void dict_set_hash_seed(uint64_t seed0, uint64_t seed1)
{
    dict_seed0 = seed0 | 1;
    dict_seed1 = seed1;
}

/* A multiply-fold hash over 8-byte words (128-bit product, folded), seeded
 * per process so bucket positions can't be predicted by clients. */
static inline uint64_t dict_fold(uint64_t a, uint64_t b)
{
    __uint128_t r = (__uint128_t)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t dict_read64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t dict_read_tail(const unsigned char *p, size_t n)
{
    /* 1..7 bytes, each read once. */
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v |= (uint64_t)p[i] << (8 * i);
    }
    return v;
}

uint64_t dict_hash(const void *key, size_t len)
{
    const unsigned char *p = key;
    uint64_t h = dict_seed0 ^ (len * UINT64_C(0xa0761d6478bd642f));
    size_t i = 0;
    for (; i + 16 <= len; i += 16) {
        h = dict_fold(dict_read64(p + i) ^ dict_seed1 ^ h,
                      dict_read64(p + i + 8) ^ UINT64_C(0xe7037ed1a0b428db));
    }
    if (i + 8 <= len) {
        h = dict_fold(dict_read64(p + i) ^ dict_seed1 ^ h, UINT64_C(0x8ebc6af09c88c6e3));
        i += 8;
    }
    if (i < len) {
        h = dict_fold(dict_read_tail(p + i, len - i) ^ dict_seed1 ^ h,
                      UINT64_C(0x589965cc75374cc3));
    }
    return dict_fold(h ^ UINT64_C(0x1d8e4e27c47d124f), dict_seed0);
}

void dict_init(struct dict *d, dict_key_fn key)
{
    memset(d, 0, sizeof(*d));
    d->key = key;
    d->rehash_idx = -1;
}

static void dict_table_free(struct dict_table *t,
                            void (*free_fn)(struct dict_node *n, void *arg), void *arg)
{
    if (t->buckets != NULL && free_fn != NULL) {
        for (uint64_t i = 0; i <= t->mask; i++) {
            struct dict_node *n = (struct dict_node *)(uintptr_t)t->buckets[i];
            while (n != NULL) {
                struct dict_node *next = dict_node_next(n);
                free_fn(n, arg);
                n = next;
            }
        }
    }
    mem_free(t->buckets);
    memset(t, 0, sizeof(*t));
}

void dict_deinit(struct dict *d, void (*free_fn)(struct dict_node *n, void *arg), void *arg)
{
    dict_table_free(&d->t[0], free_fn, arg);
    dict_table_free(&d->t[1], free_fn, arg);
    d->rehash_idx = -1;
}

static inline bool dict_node_has_key(const struct dict *d, const struct dict_node *n,
                                     const char *key, size_t len)
{
    const char *k;
    size_t klen;
    d->key(n, &k, &klen);
    return klen == len && memcmp(k, key, len) == 0;
}

dict_slot *dict_find_slot(const struct dict *d, const char *key, size_t len, uint64_t hash)
{
    for (int t = 0; t < 2; t++) {
        const struct dict_table *tab = &d->t[t];
        if (tab->buckets == NULL) {
            continue;
        }
        dict_slot *slot = &tab->buckets[hash & tab->mask];
        while (*slot != 0 && (*slot & DICT_PTR_MASK) != 0) {
            struct dict_node *n = dict_slot_node(slot);
            if (dict_node_has_key(d, n, key, len)) {
                return slot;
            }
            slot = &n->link;
        }
    }
    return NULL;
}

struct dict_node *dict_find(const struct dict *d, const char *key, size_t len, uint64_t hash)
{
    dict_slot *slot = dict_find_slot(d, key, len, hash);
    return slot != NULL ? dict_slot_node(slot) : NULL;
}

static void dict_start_resize(struct dict *d, size_t want)
{
    uint64_t size = DICT_INITIAL_SIZE;
    while (size < want) {
        size <<= 1;
    }
    if (d->t[0].buckets == NULL) {
        d->t[0].buckets = mem_calloc(size * sizeof(uint64_t));
        d->t[0].mask = size - 1;
        return;
    }
    if (size == d->t[0].mask + 1) {
        return;
    }
    d->t[1].buckets = mem_calloc(size * sizeof(uint64_t));
    d->t[1].mask = size - 1;
    d->t[1].used = 0;
    d->rehash_idx = 0;
}

static void dict_link_front(struct dict_table *t, struct dict_node *n, uint64_t hash)
{
    uint64_t *bucket = &t->buckets[hash & t->mask];
    n->link = (n->link & ~DICT_PTR_MASK) | *bucket;
    *bucket = (uint64_t)(uintptr_t)n;
    t->used++;
}

bool dict_rehash(struct dict *d, int n)
{
    if (!dict_is_rehashing(d)) {
        return false;
    }
    int empty_visits = n * DICT_EMPTY_VISITS_PER_STEP;
    struct dict_table *from = &d->t[0], *to = &d->t[1];
    while (n-- > 0 && from->used != 0) {
        while (from->buckets[d->rehash_idx] == 0) {
            d->rehash_idx++;
            if (--empty_visits == 0) {
                return true;
            }
        }
        struct dict_node *node = (struct dict_node *)(uintptr_t)from->buckets[d->rehash_idx];
        while (node != NULL) {
            struct dict_node *next = dict_node_next(node);
            const char *k;
            size_t klen;
            d->key(node, &k, &klen);
            dict_link_front(to, node, dict_hash(k, klen));
            from->used--;
            node = next;
        }
        from->buckets[d->rehash_idx] = 0;
        d->rehash_idx++;
    }
    if (from->used == 0) {
        mem_free(from->buckets);
        *from = *to;
        memset(to, 0, sizeof(*to));
        d->rehash_idx = -1;
        return false;
    }
    return true;
}

static long long dict_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int dict_rehash_ms(struct dict *d, int ms)
{
    long long deadline = dict_now_us() + (long long)ms * 1000;
    int moved = 0;
    while (dict_rehash(d, 100)) {
        moved += 100;
        if (dict_now_us() >= deadline) {
            break;
        }
    }
    return moved;
}

bool dict_maybe_shrink(struct dict *d)
{
    if (dict_is_rehashing(d) || d->t[0].buckets == NULL) {
        return false;
    }
    uint64_t size = d->t[0].mask + 1;
    if (size <= DICT_INITIAL_SIZE || d->t[0].used * 8 >= size) {
        return false;
    }
    dict_start_resize(d, d->t[0].used);
    return dict_is_rehashing(d);
}

void dict_add(struct dict *d, struct dict_node *n, uint64_t hash)
{
    if (dict_is_rehashing(d)) {
        dict_rehash(d, 1);
    }
    if (d->t[0].buckets == NULL) {
        dict_start_resize(d, DICT_INITIAL_SIZE);
    } else if (!dict_is_rehashing(d) && d->t[0].used >= d->t[0].mask + 1) {
        dict_start_resize(d, d->t[0].used + 1);
    }
    dict_link_front(dict_is_rehashing(d) ? &d->t[1] : &d->t[0], n, hash);
}

static struct dict_table *dict_table_of_slot(struct dict *d, dict_slot *slot, uint64_t hash)
{
    /* The node lives in t[1] iff its chain head is there; both tables are
     * searched by dict_find_slot, so decide by walking t[1]'s chain. */
    if (d->t[1].buckets != NULL) {
        uint64_t *p = &d->t[1].buckets[hash & d->t[1].mask];
        while ((*p & DICT_PTR_MASK) != 0) {
            if (p == slot) {
                return &d->t[1];
            }
            p = &dict_slot_node(p)->link;
        }
        if (p == slot) {
            return &d->t[1];
        }
    }
    return &d->t[0];
}

struct dict_node *dict_unlink_slot(struct dict *d, dict_slot *slot, uint64_t hash)
{
    struct dict_node *n = dict_slot_node(slot);
    struct dict_table *t = dict_table_of_slot(d, slot, hash);
    *slot = (*slot & ~DICT_PTR_MASK) | (n->link & DICT_PTR_MASK);
    n->link &= ~DICT_PTR_MASK;
    t->used--;
    return n;
}

struct dict_node *dict_unlink(struct dict *d, const char *key, size_t len, uint64_t hash)
{
    if (dict_is_rehashing(d)) {
        dict_rehash(d, 1);
    }
    dict_slot *slot = dict_find_slot(d, key, len, hash);
    return slot != NULL ? dict_unlink_slot(d, slot, hash) : NULL;
}

void dict_visit_chain(struct dict *d, uint64_t hash, dict_chain_fn fn, void *arg)
{
    for (int t = 0; t < 2; t++) {
        struct dict_table *tab = &d->t[t];
        if (tab->buckets == NULL) {
            continue;
        }
        dict_slot *slot = &tab->buckets[hash & tab->mask];
        while ((*slot & DICT_PTR_MASK) != 0) {
            struct dict_node *n = dict_slot_node(slot);
            if (!fn(d, slot, arg)) {
                slot = &n->link;
            }
        }
    }
}

static void dict_scan_bucket(const struct dict_table *t, uint64_t idx, dict_scan_fn fn, void *arg)
{
    struct dict_node *n = (struct dict_node *)(uintptr_t)t->buckets[idx & t->mask];
    while (n != NULL) {
        struct dict_node *next = dict_node_next(n);
        fn(n, arg);
        n = next;
    }
}

static inline uint64_t dict_rev(uint64_t v)
{
    v = ((v >> 1) & UINT64_C(0x5555555555555555)) | ((v & UINT64_C(0x5555555555555555)) << 1);
    v = ((v >> 2) & UINT64_C(0x3333333333333333)) | ((v & UINT64_C(0x3333333333333333)) << 2);
    v = ((v >> 4) & UINT64_C(0x0f0f0f0f0f0f0f0f)) | ((v & UINT64_C(0x0f0f0f0f0f0f0f0f)) << 4);
    return __builtin_bswap64(v);
}

static inline uint64_t dict_cursor_next(uint64_t v, uint64_t mask)
{
    v |= ~mask;
    return dict_rev(dict_rev(v) + 1);
}

uint64_t dict_scan(const struct dict *d, uint64_t cursor, dict_scan_fn fn, void *arg)
{
    uint64_t v = cursor;
    if (dict_size(d) == 0) {
        return 0;
    }
    if (!dict_is_rehashing(d)) {
        dict_scan_bucket(&d->t[0], v, fn, arg);
        return dict_cursor_next(v, d->t[0].mask);
    }
    /* Scan the small table's bucket, then every bucket of the large table
     * that it expands to, so nodes moving between tables are not missed. */
    const struct dict_table *small = &d->t[0], *large = &d->t[1];
    if (small->mask > large->mask) {
        small = &d->t[1];
        large = &d->t[0];
    }
    dict_scan_bucket(small, v, fn, arg);
    do {
        dict_scan_bucket(large, v, fn, arg);
        v = dict_cursor_next(v, large->mask);
    } while (v & (small->mask ^ large->mask));
    return v;
}

bool dict_holds(const struct dict *d, uint64_t hash, const struct dict_node *n)
{
    for (int t = 0; t < 2; t++) {
        const struct dict_table *tab = &d->t[t];
        if (tab->buckets == NULL) {
            continue;
        }
        const struct dict_node *x = dict_slot_node(&tab->buckets[hash & tab->mask]);
        for (; x != NULL; x = dict_node_next(x)) {
            if (x == n) {
                return true;
            }
        }
    }
    return false;
}

struct dict_node *dict_random(const struct dict *d, uint64_t (*rnd)(void))
{
    if (dict_size(d) == 0) {
        return NULL;
    }
    const uint64_t *bucket = NULL;
    /* Bounded: at worst the table is 1/8 full (larger tables shrink), so the
     * expected number of tries is small; fall back to a walk after that. */
    for (int tries = 0; tries < 1000 && bucket == NULL; tries++) {
        uint64_t r = rnd();
        int t = dict_is_rehashing(d) ? (int)(rnd() & 1) : 0;
        const struct dict_table *tab = &d->t[t];
        if (tab->buckets == NULL) {
            continue;
        }
        if ((tab->buckets[r & tab->mask] & DICT_PTR_MASK) != 0) {
            bucket = &tab->buckets[r & tab->mask];
        }
    }
    for (int t = 0; t < 2 && bucket == NULL; t++) {
        for (uint64_t i = 0; d->t[t].buckets != NULL && i <= d->t[t].mask; i++) {
            if (d->t[t].buckets[i] != 0) {
                bucket = &d->t[t].buckets[i];
                break;
            }
        }
    }
    size_t len = 0;
    for (struct dict_node *n = dict_slot_node(bucket); n != NULL; n = dict_node_next(n)) {
        len++;
    }
    size_t pick = (size_t)(rnd() % len);
    struct dict_node *n = dict_slot_node(bucket);
    while (pick-- > 0) {
        n = dict_node_next(n);
    }
    return n;
}

void dict_foreach(const struct dict *d, void (*fn)(struct dict_node *n, void *arg), void *arg)
{
    for (int t = 0; t < 2; t++) {
        for (uint64_t i = 0; d->t[t].buckets != NULL && i <= d->t[t].mask; i++) {
            dict_scan_bucket(&d->t[t], i, (dict_scan_fn)fn, arg);
        }
    }
}
