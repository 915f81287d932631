/* dict.h - intrusive chained hash table with incremental rehashing.
 *
 * Nodes embed a struct dict_node as their first member; the table never
 * allocates nodes, only its bucket arrays. A node's link word holds the next
 * pointer in its low 48 bits and 16 bits of the owner's data in the high
 * bits (the keyspace keeps its LRU clock there), so chaining costs one word
 * per node. x86-64 and arm64 user-space pointers fit in 48 bits; dict_init
 * asserts it for the first node only in debug builds.
 *
 * Rehashing is incremental as in Redis: two tables while resizing, a bounded
 * number of buckets moved per write (at most 10 empty buckets visited per
 * moved bucket) and in dict_rehash_ms() from the server's timer. Lookups do
 * not rehash, so a slot pointer returned by dict_find_slot() stays valid
 * until the next add, delete or rehash call.
 *
 * The owner supplies the key of a node and the seed-keyed hash of bytes.
 */
#ifndef SURGE_SERVER_DICT_H
#define SURGE_SERVER_DICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dict_node {
    uint64_t link;
};

#define DICT_PTR_MASK ((UINT64_C(1) << 48) - 1)

static inline struct dict_node *dict_node_next(const struct dict_node *n)
{
    return (struct dict_node *)(uintptr_t)(n->link & DICT_PTR_MASK);
}

static inline uint16_t dict_node_tag(const struct dict_node *n)
{
    return (uint16_t)(n->link >> 48);
}

static inline void dict_node_set_tag(struct dict_node *n, uint16_t tag)
{
    n->link = (n->link & DICT_PTR_MASK) | ((uint64_t)tag << 48);
}

/* Key bytes of a node. */
typedef void (*dict_key_fn)(const struct dict_node *n, const char **key, size_t *len);

struct dict_table {
    uint64_t *buckets; /* link words; tag bits are always 0 here */
    uint64_t mask;     /* size - 1; size is 0 or a power of two */
    size_t used;
};

struct dict {
    dict_key_fn key;
    struct dict_table t[2];
    int64_t rehash_idx; /* -1 when not rehashing */
};

/* A slot is the link word that points at a node: a bucket or the previous
 * node's link. It is what replace and unlink operate on. */
typedef uint64_t dict_slot;

uint64_t dict_hash(const void *key, size_t len);
void dict_set_hash_seed(uint64_t seed0, uint64_t seed1);

void dict_init(struct dict *d, dict_key_fn key);
/* Frees the bucket arrays; calls free_fn on every node when non-NULL. */
void dict_deinit(struct dict *d, void (*free_fn)(struct dict_node *n, void *arg), void *arg);

static inline size_t dict_size(const struct dict *d)
{
    return d->t[0].used + d->t[1].used;
}

static inline size_t dict_buckets(const struct dict *d)
{
    size_t n = 0;
    for (int i = 0; i < 2; i++) {
        n += d->t[i].buckets != NULL ? (size_t)d->t[i].mask + 1 : 0;
    }
    return n;
}

static inline bool dict_is_rehashing(const struct dict *d)
{
    return d->rehash_idx != -1;
}

/* The node with this key, or NULL. */
struct dict_node *dict_find(const struct dict *d, const char *key, size_t len, uint64_t hash);
/* The slot pointing at the node with this key, or NULL. */
dict_slot *dict_find_slot(const struct dict *d, const char *key, size_t len, uint64_t hash);
/* Add a node whose key is absent (the caller looked it up). */
void dict_add(struct dict *d, struct dict_node *n, uint64_t hash);
/* Point slot at a node that replaces the one it pointed at (e.g. after
 * realloc of the node); the new node's link must equal the old one's. */
static inline void dict_slot_set(dict_slot *slot, struct dict_node *n)
{
    *slot = (*slot & ~DICT_PTR_MASK) | ((uint64_t)(uintptr_t)n & DICT_PTR_MASK);
}
static inline struct dict_node *dict_slot_node(const dict_slot *slot)
{
    return (struct dict_node *)(uintptr_t)(*slot & DICT_PTR_MASK);
}
/* Remove the node a slot points at (from dict_find_slot) and return it. */
struct dict_node *dict_unlink_slot(struct dict *d, dict_slot *slot, uint64_t hash);
/* Remove by key; returns the node or NULL. */
struct dict_node *dict_unlink(struct dict *d, const char *key, size_t len, uint64_t hash);

/* Move up to n buckets to the new table; returns true if more remain. */
bool dict_rehash(struct dict *d, int n);
/* Rehash for about ms milliseconds; returns buckets moved. */
int dict_rehash_ms(struct dict *d, int ms);
/* Start a shrink when the table is mostly empty (used < 1/8 of buckets);
 * returns true if one started. Called from the timer, like Redis's cron. */
bool dict_maybe_shrink(struct dict *d);

/* Call fn on every node of the bucket chain(s) that hash lands in, in both
 * tables. fn may unlink the node it is given (via dict_unlink_slot with the
 * slot passed) and must then return true. */
typedef bool (*dict_chain_fn)(struct dict *d, dict_slot *slot, void *arg);
void dict_visit_chain(struct dict *d, uint64_t hash, dict_chain_fn fn, void *arg);

/* Redis's reverse-binary cursor scan: calls fn for every node of the
 * buckets at cursor and returns the next cursor (0 when done). Every node
 * present for the whole scan is reported at least once. */
typedef void (*dict_scan_fn)(struct dict_node *n, void *arg);
uint64_t dict_scan(const struct dict *d, uint64_t cursor, dict_scan_fn fn, void *arg);

/* Whether n is linked in the chain(s) that hash lands in. Only live nodes of
 * the table are read, never n itself, so n may be a pointer kept from
 * earlier that is no longer (or again) in the table. */
bool dict_holds(const struct dict *d, uint64_t hash, const struct dict_node *n);

/* A random node, or NULL when empty; rnd is a source of random 64-bit values. */
struct dict_node *dict_random(const struct dict *d, uint64_t (*rnd)(void));

/* Visit every node (no changes allowed during the walk). */
void dict_foreach(const struct dict *d, void (*fn)(struct dict_node *n, void *arg), void *arg);

#endif
