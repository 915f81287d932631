/* expire.h - time-bucketed index of keys with a TTL (a hierarchical timing
 * wheel), so active expiry visits keys near their deadlines instead of
 * sampling at random.
 *
 * The index stores only the low 32 bits of each key's hash (4 bytes per TTL
 * set), never a pointer: the keyspace resolves a hash to its bucket chain and
 * checks the deadlines stored in the entries themselves. So an item may be
 * stale (key deleted, TTL changed, key rewritten) and that is harmless; the
 * owner must only keep one invariant: whenever a key gets deadline T, an item
 * for its hash is added at T. Items are visited no earlier than their
 * deadline's tick and, load permitting, within a tick of it.
 *
 * Four levels of 1024 slots; level 0 has 8 ms slots (8 s span), each higher
 * level 1024 times coarser. Items of a coarse slot are handed back to the
 * owner when that slot's time begins ("cascade"), and the owner re-adds the
 * keys of that chain that still have deadlines. All work is resumable and
 * bounded by the caller's budget. Pure: no I/O, no globals.
 */
#ifndef SURGE_SERVER_EXPIRE_H
#define SURGE_SERVER_EXPIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EXPIRE_TICK_MS 8
#define EXPIRE_SLOT_BITS 10
#define EXPIRE_SLOTS (1u << EXPIRE_SLOT_BITS)
#define EXPIRE_LEVELS 4

struct expire_slot {
    uint32_t *items;
    uint32_t len;
    uint32_t cap;
};

struct expire_index {
    struct expire_slot *levels[EXPIRE_LEVELS]; /* allocated on first add */
    int64_t cur;       /* next tick of level 0 to process */
    uint32_t pos;      /* items of the current slot already visited */
    int64_t cascaded[EXPIRE_LEVELS]; /* per level: next coarse tick to hand back */
    uint32_t cascade_pos; /* position inside the slot being cascaded */
    size_t items;      /* total items held */
};

/* Why the owner is asked about a hash. */
enum expire_visit {
    EXPIRE_VISIT_DUE = 0,     /* deadline reached: delete what has expired */
    EXPIRE_VISIT_CASCADE = 1, /* coarse slot begins: re-add live deadlines */
};

/* For DUE, delete keys of the chain whose deadline is <= until_ms (the end
 * of the tick being processed, already in the past). For CASCADE, re-add
 * keys of the chain whose deadline is < until_ms (the end of the coarse
 * slot); later deadlines have items of their own. */
typedef void (*expire_visit_fn)(uint32_t hash, enum expire_visit why, int64_t until_ms,
                                void *arg);

void expire_index_init(struct expire_index *x, int64_t now_ms);
void expire_index_deinit(struct expire_index *x);
/* Drop every item (FLUSHDB), keeping the clock. */
void expire_index_clear(struct expire_index *x);

/* Record that a key with this hash has deadline_ms. Deadlines in the past go
 * to the slot processed next. */
void expire_index_add(struct expire_index *x, uint32_t hash, int64_t deadline_ms);

/* Visit items due at now_ms, in deadline order by tick, at most max_items
 * visits; returns the number of visits made. Returns with work left when the
 * budget ran out (call again). The visit callback may call
 * expire_index_add() (a cascade re-adds keys to finer levels). */
size_t expire_index_run(struct expire_index *x, int64_t now_ms, size_t max_items,
                        expire_visit_fn fn, void *arg);

/* True when items due at now_ms remain unvisited. */
bool expire_index_behind(const struct expire_index *x, int64_t now_ms);

/* Bytes held by the index (for INFO memory). */
size_t expire_index_bytes(const struct expire_index *x);

#endif
