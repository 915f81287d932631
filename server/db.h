/* db.h - the keyspace: one dict of entries and one expiry index per logical
 * database.
 *
 * Entry pointers returned here are borrowed until the next write to that db
 * (a write may reallocate or free entries). Lookups for commands apply lazy
 * expiry: an entry past its deadline is deleted and reported absent.
 */
#ifndef SURGE_SERVER_DB_H
#define SURGE_SERVER_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/dict.h"
#include "server/entry.h"
#include "server/expire.h"

struct db {
    struct dict dict;
    struct expire_index expires;
    size_t expires_count; /* entries with a deadline */
    int id;
};

/* Lookup flags. */
#define DB_LOOKUP_NOTOUCH 0x1 /* don't update the LRU clock */
#define DB_LOOKUP_NOSTATS 0x2 /* don't count keyspace hits/misses */
#define DB_LOOKUP_NOEXPIRE 0x4 /* don't delete if past its deadline */

void db_init(struct db *db, int id, int64_t now_ms);
void db_deinit(struct db *db);

static inline size_t db_size(const struct db *db)
{
    return dict_size(&db->dict);
}

/* The live entry for key, or NULL (expired entries are deleted first). */
struct entry *db_lookup(struct db *db, const char *key, size_t len, int flags);
/* Entry lookup for a write: no hit/miss stats, no LRU update. */
struct entry *db_lookup_write(struct db *db, const char *key, size_t len);

/* Insert e, replacing (and freeing) any entry with the same key; the
 * deadline stored in e is indexed. Takes ownership of e. */
void db_set(struct db *db, struct entry *e);
/* Insert e whose key is known to be absent. Takes ownership. */
void db_add(struct db *db, struct entry *e);
/* Replace the live entry old (same key) with e; frees old. Takes e. */
void db_replace(struct db *db, struct entry *old, struct entry *e);
/* Delete key; returns true if it existed (expired entries count as absent). */
bool db_delete(struct db *db, const char *key, size_t len);
/* Remove the entry from the dict without freeing it; returns it. */
struct entry *db_detach(struct db *db, const char *key, size_t len);

/* Report a change made in place to a live entry (INCR on an int): WATCH
 * must see it. Every other write function here reports by itself. */
void db_modified(struct db *db, const char *key, size_t len);

/* Set or clear (expire_ms < 0) the deadline of a live entry; returns the
 * entry, which may have moved. */
struct entry *db_set_expire(struct db *db, struct entry *e, int64_t expire_ms);

/* Index a deadline inside a key's value (a hash field's TTL): active
 * expiry visits the key then, and db_field_expiry() handles it. */
void db_index_deadline(struct db *db, const char *key, size_t len, int64_t when_ms);
/* Drop a hash's expired fields (deleting the key when none are left);
 * returns the entry, or NULL when the key went away. */
struct entry *db_field_expiry(struct db *db, struct entry *e);

/* Small sorted sets rest packed. A command gets the skiplist form from
 * db_zset_open() (which unpacks and schedules a check); db_zset_note()
 * schedules the check for a sorted set it created; db_zset_repack() (run by
 * the server's timer) packs again what is small and has been left alone
 * for a second, so hot sorted sets keep the fast form. */
struct zset_obj *db_zset_open(struct db *db, struct entry *e);
void db_zset_note(struct db *db, const char *key, size_t len);
void db_zset_repack(int64_t deadline_us);
void db_zset_pending_deinit(void);

/* Delete every key; returns how many there were. With async, the entries
 * are freed by the lazy-free thread. */
size_t db_flush(struct db *db, bool async);
/* Exchange the contents of two dbs (SWAPDB). */
void db_swap(struct db *a, struct db *b);

/* One step of SCAN; fn gets every live entry of the visited buckets. */
uint64_t db_scan(struct db *db, uint64_t cursor, void (*fn)(struct entry *e, void *arg),
                 void *arg);
/* A random live entry, or NULL. */
struct entry *db_random(struct db *db);

/* Active expiry: visit due index items, at most max_visits; returns the
 * number of keys deleted. */
size_t db_active_expire(struct db *db, int64_t now_ms, size_t max_visits);
/* Timer work: shrink and rehash the dict for about ms milliseconds. */
void db_cron(struct db *db, int ms);

/* LRU clock as stored in entries (seconds, 16 bits) and idle time. */
uint16_t db_lru_clock(void);
uint64_t db_idle_seconds(const struct entry *e);

#endif
