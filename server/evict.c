/* evict.c - see evict.h. */
#include "server/evict.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "server/config.h"
#include "server/db.h"
#include "server/mem.h"
#include "server/propagate.h"
#include "server/server.h"

#define LFU_INIT_VAL 5
#define EVICT_MAX_SAMPLES 64

static enum maxmemory_policy evict_policy(void)
{
    return (enum maxmemory_policy)server.cfg->maxmemory_policy;
}

bool evict_policy_is_lfu(void)
{
    enum maxmemory_policy p = evict_policy();
    return p == MM_VOLATILE_LFU || p == MM_ALLKEYS_LFU;
}

static unsigned evict_minutes(void)
{
    return (unsigned)((server.now_ms / 60000) & 0xff);
}

/* Redis's LFUDecrAndReturn: one step down per lfu-decay-time minutes. */
static unsigned lfu_decayed(uint16_t tag)
{
    unsigned counter = tag & 0xff;
    unsigned elapsed = (evict_minutes() - (tag >> 8)) & 0xff;
    long long period = server.cfg->lfu_decay_time;
    unsigned steps = period > 0 ? (unsigned)(elapsed / period) : 0;
    return steps > counter ? 0 : counter - steps;
}

unsigned evict_lfu_count(uint16_t tag)
{
    return lfu_decayed(tag);
}

uint16_t evict_tag_new(void)
{
    if (evict_policy_is_lfu()) {
        return (uint16_t)((evict_minutes() << 8) | LFU_INIT_VAL);
    }
    return db_lru_clock();
}

uint16_t evict_tag_touch(uint16_t tag)
{
    if (!evict_policy_is_lfu()) {
        return db_lru_clock();
    }
    /* Redis's LFULogIncr: the higher the count, the less likely a step. */
    unsigned counter = lfu_decayed(tag);
    if (counter < 255) {
        double r = (double)rand() / RAND_MAX;
        double base = counter > LFU_INIT_VAL ? counter - LFU_INIT_VAL : 0;
        if (r < 1.0 / (base * (double)server.cfg->lfu_log_factor + 1)) {
            counter++;
        }
    }
    return (uint16_t)((evict_minutes() << 8) | counter);
}

static uint64_t evict_rand64(void)
{
    return ((uint64_t)rand() << 42) ^ ((uint64_t)rand() << 21) ^ (uint64_t)rand();
}

/* Higher is a better victim. The score of a key left alone does not grow
 * stale: LRU scores the time of the last access (in seconds, the clock's
 * resolution), LFU the counter, which only decays, and TTL the deadline. */
static double evict_score(const struct entry *e)
{
    uint16_t tag = dict_node_tag(&e->node);
    switch (evict_policy()) {
    case MM_VOLATILE_LRU:
    case MM_ALLKEYS_LRU:
        return (double)db_idle_seconds(e) - (double)(server.now_ms / 1000);
    case MM_VOLATILE_LFU:
    case MM_ALLKEYS_LFU:
        return 255.0 - (double)lfu_decayed(tag);
    case MM_VOLATILE_TTL:
        return -(double)entry_expire(e);
    default:
        return 0;
    }
}

static bool evict_policy_is_volatile(void)
{
    return evict_policy() <= MM_VOLATILE_TTL;
}

static bool evict_policy_is_random(void)
{
    return evict_policy() == MM_ALLKEYS_RANDOM || evict_policy() == MM_VOLATILE_RANDOM;
}

/* Up to want random keys of db the policy may evict, into out; how many. */
static int evict_sample(struct db *db, struct entry **out, int want)
{
    bool volatile_only = evict_policy_is_volatile();
    int found = 0;
    if (db_size(db) == 0 || (volatile_only && db->expires_count == 0)) {
        return 0;
    }
    for (int tries = 0; tries < EVICT_MAX_SAMPLES * 4 && found < want; tries++) {
        struct entry *e = (struct entry *)dict_random(&db->dict, evict_rand64);
        if (e == NULL) {
            break;
        }
        if (!volatile_only || entry_has_expire(e)) {
            out[found++] = e;
        }
    }
    return found;
}

static void pool_insert(struct evict_pool *p, struct db *db, const struct entry *e)
{
    uintptr_t addr = (uintptr_t)e;
    for (int i = 0; i < p->n; i++) {
        if (p->c[i].addr == addr) {
            return; /* sampled again */
        }
    }
    double score = evict_score(e);
    if (p->n == EVICT_POOL_SIZE && score <= p->c[0].score) {
        return;
    }
    int pos = 0;
    while (pos < p->n && p->c[pos].score < score) {
        pos++;
    }
    if (p->n == EVICT_POOL_SIZE) {
        /* Full: the worst candidate makes room. */
        pos--;
        memmove(&p->c[0], &p->c[1], sizeof(p->c[0]) * (size_t)pos);
    } else {
        memmove(&p->c[pos + 1], &p->c[pos], sizeof(p->c[0]) * (size_t)(p->n - pos));
        p->n++;
    }
    const char *key;
    size_t len;
    entry_key(e, &key, &len);
    p->c[pos] = (struct evict_candidate){addr, dict_hash(key, len), score, db->id};
}

/* maxmemory-samples keys of every db into the pool; how many were sampled. */
static int pool_populate(struct evict_pool *p)
{
    struct entry *sample[EVICT_MAX_SAMPLES];
    int want = (int)server.cfg->maxmemory_samples, total = 0;
    for (int d = 0; d < server.ndbs; d++) {
        int n = evict_sample(&server.dbs[d], sample, want);
        for (int i = 0; i < n; i++) {
            pool_insert(p, &server.dbs[d], sample[i]);
        }
        total += n;
    }
    return total;
}

/* The best candidate still present and untouched since it was sampled,
 * taken out of the pool; NULL when the pool has none. */
static struct entry *pool_pop(struct evict_pool *p, struct db **db_out)
{
    while (p->n > 0) {
        struct evict_candidate c = p->c[--p->n];
        struct db *db = c.db < server.ndbs ? &server.dbs[c.db] : NULL;
        if (db == NULL || !dict_holds(&db->dict, c.hash, (const struct dict_node *)c.addr)) {
            continue;
        }
        struct entry *e = (struct entry *)c.addr;
        if ((evict_policy_is_volatile() && !entry_has_expire(e)) || evict_score(e) < c.score) {
            continue; /* read or written since: no longer this good a victim */
        }
        *db_out = db;
        return e;
    }
    return NULL;
}

/* The random policies: the first sample of a db, starting at a random one. */
static struct entry *evict_pick_random(struct db **db_out)
{
    int start = rand() % server.ndbs;
    for (int k = 0; k < server.ndbs; k++) {
        struct db *db = &server.dbs[(start + k) % server.ndbs];
        struct entry *e;
        if (evict_sample(db, &e, 1) == 1) {
            *db_out = db;
            return e;
        }
    }
    return NULL;
}

static struct entry *evict_pick(struct db **db_out)
{
    if (evict_policy_is_random()) {
        return evict_pick_random(db_out);
    }
    struct evict_pool *p = &server.evict_pool;
    if (p->policy != (int)evict_policy()) {
        p->n = 0; /* scores of another policy */
        p->policy = (int)evict_policy();
    }
    /* Bounded: every candidate may have been deleted or touched since. */
    for (int round = 0; round < 16; round++) {
        if (pool_populate(p) == 0 && p->n == 0) {
            return NULL;
        }
        struct entry *e = pool_pop(p, db_out);
        if (e != NULL) {
            return e;
        }
    }
    return NULL;
}

/* Evict one key; false when no db has a candidate. */
static bool evict_one(void)
{
    struct db *db;
    struct entry *e = evict_pick(&db);
    if (e == NULL) {
        return false;
    }
    const char *key;
    size_t len;
    entry_key(e, &key, &len);
    prop_del(db->id, key, len);
    db_delete(db, key, len);
    server.stats.evicted_keys++;
    return true;
}

/* Redis's evictionTimeLimitUs: 50 us per tenacity step up to 10, then
 * growing 15% a step; 100 is unlimited. */
static int64_t evict_budget_us(void)
{
    long long t = server.cfg->maxmemory_eviction_tenacity;
    if (t <= 10) {
        return 50 * (t > 0 ? t : 1);
    }
    if (t >= 100) {
        return INT64_MAX / 2;
    }
    double us = 500;
    for (long long i = 10; i < t; i++) {
        us *= 1.15;
    }
    return (int64_t)us;
}

int evict_perform(void)
{
    long long max = server.cfg->maxmemory;
    if (max <= 0 || (long long)mem_used() <= max || server.loading) {
        return 0;
    }
    if (evict_policy() == MM_NOEVICTION) {
        return -ENOMEM;
    }
    int64_t deadline = server_ustime() + evict_budget_us();
    long long evicted = 0;
    while ((long long)mem_used() > max) {
        if (!evict_one()) {
            return evicted > 0 ? 0 : -ENOMEM;
        }
        evicted++;
        if ((evicted & 15) == 0 && server_ustime() >= deadline) {
            return 0; /* more from the timer */
        }
    }
    return 0;
}
