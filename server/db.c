/* db.c - see db.h. */
#include "server/db.h"

#include <string.h>

#include "server/lazyfree.h"
#include "server/mem.h"
#include "server/multi.h"
#include "server/server.h"
#include "server/config.h"
#include "server/pack.h"
#include "server/propagate.h"
#include "server/evict.h"
#include "replication/repl.h"
#include "server/t_hash.h"
#include "server/t_zset.h"

static void db_entry_key(const struct dict_node *n, const char **key, size_t *len)
{
    entry_key((const struct entry *)n, key, len);
}

void db_init(struct db *db, int id, int64_t now_ms)
{
    memset(db, 0, sizeof(*db));
    db->id = id;
    dict_init(&db->dict, db_entry_key);
    expire_index_init(&db->expires, now_ms);
}

static void db_free_node(struct dict_node *n, void *arg)
{
    (void)arg;
    entry_free((struct entry *)n);
}

void db_deinit(struct db *db)
{
    dict_deinit(&db->dict, db_free_node, NULL);
    expire_index_deinit(&db->expires);
}

uint16_t db_lru_clock(void)
{
    return (uint16_t)((server.now_ms / 1000) & 0xffff);
}

uint64_t db_idle_seconds(const struct entry *e)
{
    return (uint16_t)(db_lru_clock() - dict_node_tag(&e->node));
}

static inline bool db_is_expired(const struct entry *e, int64_t now_ms)
{
    return entry_has_expire(e) && entry_expire(e) <= now_ms;
}

static void db_index_expire(struct db *db, const struct entry *e, uint64_t hash)
{
    if (entry_has_expire(e)) {
        db->expires_count++;
        expire_index_add(&db->expires, (uint32_t)hash, entry_expire(e));
    }
}

void db_modified(struct db *db, const char *key, size_t len)
{
    multi_touch_key(db, key, len);
}

static void db_forget(struct db *db, struct entry *e)
{
    if (entry_has_expire(e)) {
        db->expires_count--;
    }
    entry_free(e);
}

/* Delete an entry found past its deadline. */
static void db_expire_slot(struct db *db, dict_slot *slot, uint64_t hash)
{
    struct entry *e = (struct entry *)dict_unlink_slot(&db->dict, slot, hash);
    const char *key;
    size_t len;
    entry_key(e, &key, &len);
    server.stats.expired_keys++;
    multi_touch_key(db, key, len);
    prop_del(db->id, key, len);
    db_forget(db, e);
}

static struct entry *db_find_live(struct db *db, const char *key, size_t len, int flags)
{
    uint64_t hash = dict_hash(key, len);
    dict_slot *slot = dict_find_slot(&db->dict, key, len, hash);
    if (slot == NULL) {
        return NULL;
    }
    struct entry *e = (struct entry *)dict_slot_node(slot);
    if (!(flags & DB_LOOKUP_NOEXPIRE) && db_is_expired(e, server.now_ms)) {
        if (repl_is_replica()) {
            /* A replica's keys go by its primary's DEL: its stream still
             * sees the key, its clients don't. */
            bool from_primary = server.current_client != NULL &&
                                (server.current_client->flags & CLIENT_MASTER);
            return from_primary ? e : NULL;
        }
        db_expire_slot(db, slot, hash);
        return NULL;
    }
    return e;
}

struct entry *db_lookup(struct db *db, const char *key, size_t len, int flags)
{
    struct entry *e = db_find_live(db, key, len, flags);
    if (!(flags & DB_LOOKUP_NOSTATS)) {
        if (e != NULL) {
            server.stats.keyspace_hits++;
        } else {
            server.stats.keyspace_misses++;
        }
    }
    if (e != NULL && !(flags & DB_LOOKUP_NOTOUCH)) {
        dict_node_set_tag(&e->node, evict_tag_touch(dict_node_tag(&e->node)));
    }
    return e;
}

struct entry *db_lookup_write(struct db *db, const char *key, size_t len)
{
    return db_find_live(db, key, len, DB_LOOKUP_NOSTATS);
}

/* A new key: the namespace hash switches the CACHE.* namespace checks on. */
static void db_key_added(const char *key, size_t len)
{
    if (len == SERVER_NS_KEY_LEN && memcmp(key, SERVER_NS_KEY, len) == 0) {
        server.cache_ns_used = true;
    }
}

void db_add(struct db *db, struct entry *e)
{
    const char *key;
    size_t len;
    entry_key(e, &key, &len);
    db_key_added(key, len);
    uint64_t hash = dict_hash(key, len);
    dict_node_set_tag(&e->node, evict_tag_new());
    dict_add(&db->dict, &e->node, hash);
    db_index_expire(db, e, hash);
    multi_touch_key(db, key, len);
}

void db_set(struct db *db, struct entry *e)
{
    const char *key;
    size_t len;
    entry_key(e, &key, &len);
    uint64_t hash = dict_hash(key, len);
    dict_slot *slot = dict_find_slot(&db->dict, key, len, hash);
    if (slot == NULL) {
        db_key_added(key, len);
        dict_node_set_tag(&e->node, evict_tag_new());
        dict_add(&db->dict, &e->node, hash);
    } else {
        struct entry *old = (struct entry *)dict_slot_node(slot);
        uint16_t tag = evict_tag_touch(dict_node_tag(&old->node)); /* LFU keeps its count */
        e->node.link = (old->node.link & DICT_PTR_MASK) | ((uint64_t)tag << 48);
        dict_slot_set(slot, &e->node);
        db_forget(db, old);
    }
    db_index_expire(db, e, hash);
    multi_touch_key(db, key, len);
}

void db_replace(struct db *db, struct entry *old, struct entry *e)
{
    const char *key;
    size_t len;
    entry_key(old, &key, &len);
    uint64_t hash = dict_hash(key, len);
    dict_slot *slot = dict_find_slot(&db->dict, key, len, hash);
    e->node.link = old->node.link;
    dict_slot_set(slot, &e->node);
    multi_touch_key(db, key, len);
    bool had = entry_has_expire(old);
    bool changed = entry_expire(old) != entry_expire(e);
    if (had) {
        db->expires_count--;
    }
    entry_free_replaced(old, e);
    if (entry_has_expire(e)) {
        db->expires_count++;
        if (changed) {
            expire_index_add(&db->expires, (uint32_t)hash, entry_expire(e));
        }
    }
}

struct entry *db_detach(struct db *db, const char *key, size_t len)
{
    uint64_t hash = dict_hash(key, len);
    struct entry *e = (struct entry *)dict_unlink(&db->dict, key, len, hash);
    if (e != NULL) {
        multi_touch_key(db, key, len);
    }
    if (e != NULL && entry_has_expire(e)) {
        db->expires_count--;
    }
    return e;
}

bool db_delete(struct db *db, const char *key, size_t len)
{
    if (db_lookup_write(db, key, len) == NULL) {
        return false;
    }
    struct entry *e = db_detach(db, key, len);
    entry_free(e);
    return true;
}

struct entry *db_set_expire(struct db *db, struct entry *e, int64_t expire_ms)
{
    if (expire_ms >= 0 && entry_has_expire(e)) {
        entry_set_expire_inplace(e, expire_ms);
        const char *key;
        size_t len;
        entry_key(e, &key, &len);
        multi_touch_key(db, key, len);
        expire_index_add(&db->expires, (uint32_t)dict_hash(key, len), expire_ms);
        return e;
    }
    if (expire_ms < 0 && !entry_has_expire(e)) {
        return e;
    }
    struct entry *n = entry_with_expire(e, expire_ms);
    db_replace(db, e, n);
    return n;
}

size_t db_flush(struct db *db, bool async)
{
    size_t n = db_size(db);
    multi_touch_db(db);
    if (async && n > 0) {
        lazyfree_dict(&db->dict);
    } else {
        dict_deinit(&db->dict, db_free_node, NULL);
    }
    dict_init(&db->dict, db_entry_key);
    expire_index_clear(&db->expires);
    db->expires_count = 0;
    return n;
}

void db_swap(struct db *a, struct db *b)
{
    multi_touch_db(a);
    multi_touch_db(b);
    struct db tmp = *a;
    *a = *b;
    *b = tmp;
    b->id = a->id;
    a->id = tmp.id;
}

struct db_scan_ctx {
    struct db *db;
    void (*fn)(struct entry *e, void *arg);
    void *arg;
};

static void db_scan_node(struct dict_node *n, void *arg)
{
    struct db_scan_ctx *ctx = arg;
    struct entry *e = (struct entry *)n;
    if (!db_is_expired(e, server.now_ms)) {
        ctx->fn(e, ctx->arg);
    }
}

uint64_t db_scan(struct db *db, uint64_t cursor, void (*fn)(struct entry *e, void *arg),
                 void *arg)
{
    struct db_scan_ctx ctx = {db, fn, arg};
    return dict_scan(&db->dict, cursor, db_scan_node, &ctx);
}

static uint64_t db_rand64(void)
{
    /* xorshift64*: RANDOMKEY needs spread, not secrecy. */
    static uint64_t s = 0x2545f4914f6cdd1dULL;
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return s * 0x2545f4914f6cdd1dULL;
}

struct entry *db_random(struct db *db)
{
    /* Bounded retries: a db full of expired keys deletes them as it goes. */
    for (int tries = 0; tries < 100 && db_size(db) > 0; tries++) {
        struct entry *e = (struct entry *)dict_random(&db->dict, db_rand64);
        if (!db_is_expired(e, server.now_ms)) {
            return e;
        }
        const char *key;
        size_t len;
        entry_key(e, &key, &len);
        db_find_live(db, key, len, DB_LOOKUP_NOSTATS);
    }
    return NULL;
}

struct db_expire_ctx {
    struct db *db;
    int64_t now_ms;
    size_t deleted;
    enum expire_visit why;
    int64_t until_ms;
};

void db_index_deadline(struct db *db, const char *key, size_t len, int64_t when_ms)
{
    expire_index_add(&db->expires, (uint32_t)dict_hash(key, len), when_ms);
}

/* An expired hash field propagates as HDEL key field. */
struct field_prop {
    int db;
    const char *key;
    size_t len;
};

static void db_prop_field_expired(const char *f, size_t flen, void *arg)
{
    const struct field_prop *fp = arg;
    prop_cmd_begin(fp->db, 3);
    prop_arg("HDEL", 4);
    prop_arg(fp->key, fp->len);
    prop_arg(f, flen);
    prop_cmd_end(false);
}

struct entry *db_field_expiry(struct db *db, struct entry *e)
{
    if (entry_type(e) != ENTRY_HASH || !hash_has_field_deadlines(entry_obj(e)) ||
        repl_is_replica()) {
        return e; /* a replica's fields go by its primary's HDEL */
    }
    struct hash_obj *h = entry_obj(e);
    const char *key;
    size_t len;
    entry_key(e, &key, &len);
    struct field_prop fp = {db->id, key, len};
    if (hash_purge_expired(h, server.now_ms, db_prop_field_expired, &fp) > 0) {
        multi_touch_key(db, key, len);
    }
    if (hash_len(h) == 0) {
        db_delete(db, key, len);
        return NULL;
    }
    return e;
}

/* A hash with field deadlines met in the wheel: purge what is due, then
 * make sure the next field deadline has an item. Returns true if the
 * whole key went. */
static bool db_expire_fields(struct db_expire_ctx *ctx, dict_slot *slot, struct entry *e)
{
    struct hash_obj *h = entry_obj(e);
    const char *key;
    size_t len;
    entry_key(e, &key, &len);
    struct field_prop fp = {ctx->db->id, key, len};
    if (ctx->why == EXPIRE_VISIT_DUE &&
        hash_purge_expired(h, ctx->now_ms, db_prop_field_expired, &fp) > 0) {
        multi_touch_key(ctx->db, key, len);
        if (hash_len(h) == 0) {
            db_expire_slot(ctx->db, slot, dict_hash(key, len));
            ctx->deleted++;
            return true;
        }
    }
    int64_t next = hash_next_deadline(h);
    if (next >= 0 && (ctx->why == EXPIRE_VISIT_DUE || next < ctx->until_ms)) {
        expire_index_add(&ctx->db->expires, (uint32_t)dict_hash(key, len), next);
    }
    return false;
}

static bool db_expire_visit_node(struct dict *d, dict_slot *slot, void *arg)
{
    (void)d;
    struct db_expire_ctx *ctx = arg;
    struct entry *e = (struct entry *)dict_slot_node(slot);
    if (entry_type(e) == ENTRY_HASH && hash_has_field_deadlines(entry_obj(e)) &&
        db_expire_fields(ctx, slot, e)) {
        return true;
    }
    if (!entry_has_expire(e)) {
        return false;
    }
    int64_t when = entry_expire(e);
    const char *key;
    size_t len;
    if (when <= ctx->now_ms) {
        entry_key(e, &key, &len);
        db_expire_slot(ctx->db, slot, dict_hash(key, len));
        ctx->deleted++;
        return true;
    }
    if (ctx->why == EXPIRE_VISIT_CASCADE && when < ctx->until_ms) {
        entry_key(e, &key, &len);
        expire_index_add(&ctx->db->expires, (uint32_t)dict_hash(key, len), when);
    }
    return false;
}

static void db_expire_visit(uint32_t hash, enum expire_visit why, int64_t until_ms, void *arg)
{
    struct db_expire_ctx *ctx = arg;
    ctx->why = why;
    ctx->until_ms = until_ms;
    dict_visit_chain(&ctx->db->dict, hash, db_expire_visit_node, ctx);
}

size_t db_active_expire(struct db *db, int64_t now_ms, size_t max_visits)
{
    struct db_expire_ctx ctx = {db, now_ms, 0, EXPIRE_VISIT_DUE, 0};
    expire_index_run(&db->expires, now_ms, max_visits, db_expire_visit, &ctx);
    return ctx.deleted;
}

void db_cron(struct db *db, int ms)
{
    dict_maybe_shrink(&db->dict);
    if (dict_is_rehashing(&db->dict)) {
        dict_rehash_ms(&db->dict, ms);
    }
}

/* Sorted sets to pack again once they have been left alone for a while:
 * a hot small sorted set stays a skiplist (fast), a cold one rests packed
 * (small). Keyed by db id + key. */
#define ZSET_REPACK_IDLE_MS 1000
#define ZSET_REPACK_BUDGET 1000

struct zset_pending {
    struct dict_node node;
    int64_t last_ms;
    int db;
    size_t len;
    char name[]; /* db id (4 bytes), then the key */
};

static struct dict zset_pending;
static bool zset_pending_ready;

static void zset_pending_key(const struct dict_node *n, const char **key, size_t *len)
{
    const struct zset_pending *p = (const struct zset_pending *)n;
    *key = p->name;
    *len = p->len + 4;
}

void db_zset_note(struct db *db, const char *key, size_t len)
{
    if (!zset_pending_ready) {
        dict_init(&zset_pending, zset_pending_key);
        zset_pending_ready = true;
    }
    char *name = mem_alloc(len + 4);
    memcpy(name, &db->id, 4);
    memcpy(name + 4, key, len);
    uint64_t h = dict_hash(name, len + 4);
    struct zset_pending *p = (struct zset_pending *)dict_find(&zset_pending, name, len + 4, h);
    if (p == NULL) {
        p = mem_alloc(sizeof(*p) + len + 4);
        p->node.link = 0;
        p->db = db->id;
        p->len = len;
        memcpy(p->name, name, len + 4);
        dict_add(&zset_pending, &p->node, h);
    }
    p->last_ms = server.now_ms;
    mem_free(name);
}

struct zset_obj *db_zset_open(struct db *db, struct entry *e)
{
    const char *key;
    size_t len;
    entry_key(e, &key, &len);
    if (!entry_is_packed(e) &&
        zset_len(entry_obj(e)) > (size_t)server.cfg->zset_max_listpack_entries) {
        return entry_obj(e); /* large: nothing to pack later, skip the bookkeeping */
    }
    db_zset_note(db, key, len);
    if (!entry_is_packed(e)) {
        return entry_obj(e);
    }
    struct pack pk = {entry_obj(e)};
    struct zset_obj *z = zset_from_pack(&pk);
    pack_deinit(&pk);
    entry_set_obj(e, z, false);
    return z;
}

/* Pack one sorted set if it is still there and small enough. */
static void zset_repack_one(const struct zset_pending *p)
{
    struct db *db = &server.dbs[p->db];
    struct entry *e = db_find_live(db, p->name + 4, p->len, DB_LOOKUP_NOSTATS);
    struct pack pk;
    if (e != NULL && entry_type(e) == ENTRY_ZSET && !entry_is_packed(e) &&
        zset_to_pack(entry_obj(e), (size_t)server.cfg->zset_max_listpack_entries,
                     (size_t)server.cfg->zset_max_listpack_value, &pk)) {
        zset_free(entry_obj(e));
        entry_set_obj(e, pk.data, true);
    }
}

struct zset_repack_walk {
    struct zset_pending *due[ZSET_REPACK_BUDGET];
    size_t n, seen;
};

static void zset_repack_collect(struct dict_node *n, void *arg)
{
    struct zset_repack_walk *w = arg;
    struct zset_pending *p = (struct zset_pending *)n;
    w->seen++;
    if (w->n < ZSET_REPACK_BUDGET && server.now_ms - p->last_ms >= ZSET_REPACK_IDLE_MS) {
        w->due[w->n++] = p;
    }
}

void db_zset_repack(int64_t deadline_us)
{
    static uint64_t cursor;
    static struct zset_repack_walk w;
    static size_t packed_since_purge;
    static int64_t last_purge_ms;
    /* Bounded slices of the pending set, resumed by cursor, until the time
     * budget is spent or a whole pass is done. */
    while (zset_pending_ready && dict_size(&zset_pending) > 0 &&
           server_ustime() < deadline_us) {
        w.n = w.seen = 0;
        do {
            cursor = dict_scan(&zset_pending, cursor, zset_repack_collect, &w);
        } while (cursor != 0 && w.seen < 64 && w.n < 32);
        packed_since_purge += w.n;
        for (size_t i = 0; i < w.n; i++) {
            struct zset_pending *p = w.due[i];
            zset_repack_one(p);
            dict_unlink(&zset_pending, p->name, p->len + 4, dict_hash(p->name, p->len + 4));
            mem_free(p);
        }
        if (cursor == 0) {
            break;
        }
    }
    /* Packing frees many small blocks: give the pages back, at most once a
     * second, so RSS follows. */
    if (packed_since_purge >= 1000 && server.now_ms - last_purge_ms >= 1000) {
        mem_purge();
        packed_since_purge = 0;
        last_purge_ms = server.now_ms;
    }
}

static void zset_pending_free(struct dict_node *n, void *arg)
{
    (void)arg;
    mem_free(n);
}

void db_zset_pending_deinit(void)
{
    if (zset_pending_ready) {
        dict_deinit(&zset_pending, zset_pending_free, NULL);
        zset_pending_ready = false;
    }
}
