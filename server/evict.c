/* evict.c - see evict.h. */
#include "server/evict.h"

#include <errno.h>
#include <stdlib.h>

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

/* Higher is a better victim. */
static double evict_score(const struct entry *e)
{
    uint16_t tag = dict_node_tag(&e->node);
    switch (evict_policy()) {
    case MM_VOLATILE_LRU:
    case MM_ALLKEYS_LRU:
        return (double)db_idle_seconds(e);
    case MM_VOLATILE_LFU:
    case MM_ALLKEYS_LFU:
        return 255.0 - (double)lfu_decayed(tag);
    case MM_VOLATILE_TTL:
        return -(double)entry_expire(e);
    default:
        return 0; /* random: the first sample */
    }
}

/* One victim from a sample of db; NULL if it has none to offer. */
static struct entry *evict_pick(struct db *db)
{
    enum maxmemory_policy p = evict_policy();
    bool volatile_only = p <= MM_VOLATILE_TTL;
    long long want = server.cfg->maxmemory_samples;
    struct entry *best = NULL;
    double best_score = 0;
    int found = 0;
    for (int tries = 0; tries < EVICT_MAX_SAMPLES * 4 && found < want; tries++) {
        struct entry *e = (struct entry *)dict_random(&db->dict, evict_rand64);
        if (e == NULL) {
            break;
        }
        if (volatile_only && !entry_has_expire(e)) {
            continue;
        }
        found++;
        double s = evict_score(e);
        if (best == NULL || s > best_score) {
            best = e;
            best_score = s;
        }
        if (p == MM_ALLKEYS_RANDOM || p == MM_VOLATILE_RANDOM) {
            break;
        }
    }
    return best;
}

/* Evict one key from some db; false when no db has a candidate. */
static bool evict_one(void)
{
    int start = rand() % server.ndbs;
    for (int k = 0; k < server.ndbs; k++) {
        struct db *db = &server.dbs[(start + k) % server.ndbs];
        if (db_size(db) == 0) {
            continue;
        }
        struct entry *e = evict_pick(db);
        if (e == NULL) {
            continue;
        }
        const char *key;
        size_t len;
        entry_key(e, &key, &len);
        prop_expired(db->id, key, len); /* propagates as DEL */
        db_delete(db, key, len);
        server.stats.evicted_keys++;
        return true;
    }
    return false;
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
