/* evict.h - maxmemory: Redis's eight eviction policies, and the per-key
 * access data they use.
 *
 * Every entry carries a 16-bit tag in its dict link. Under an LRU (or no)
 * policy it is the access time in seconds (mod 2^16); under an LFU policy
 * it is Redis's logarithmic access counter (low 8 bits) and the minute it
 * was last decayed (high 8 bits).
 *
 * Eviction deletes one key at a time until used memory is under maxmemory,
 * within a time budget set by maxmemory-eviction-tenacity; evicted keys
 * propagate as DEL. For each key it samples maxmemory-samples keys of every
 * db (keys with a deadline for the volatile-* policies) into a pool of the
 * EVICT_POOL_SIZE best candidates seen so far, as Redis's eviction pool
 * does, and deletes the best one. Candidates carry a score that does not
 * change while the key is left alone (the time of the last access, not the
 * idle time), so candidates sampled at different times compare fairly; a
 * candidate that was deleted, or read or written since it was sampled, is
 * dropped instead of evicted. The random policies delete the first sample.
 */
#ifndef SURGE_SERVER_EVICT_H
#define SURGE_SERVER_EVICT_H

#include <stdbool.h>
#include <stdint.h>

/* In Redis's order of names (config maxmemory-policy). */
enum maxmemory_policy {
    MM_VOLATILE_LRU = 0,
    MM_VOLATILE_LFU,
    MM_VOLATILE_RANDOM,
    MM_VOLATILE_TTL,
    MM_ALLKEYS_LRU,
    MM_ALLKEYS_LFU,
    MM_ALLKEYS_RANDOM,
    MM_NOEVICTION,
};

#define EVICT_POOL_SIZE 16

/* A candidate is known by its address, which is only compared with live
 * nodes of its db (dict_holds) until found there: the key may be gone. */
struct evict_candidate {
    uintptr_t addr;
    uint64_t hash;
    double score; /* higher is a better victim */
    int db;
};

/* Lives in struct server: ascending score, the best victim last. */
struct evict_pool {
    struct evict_candidate c[EVICT_POOL_SIZE];
    int n;
    int policy; /* the policy the scores were computed for */
};

bool evict_policy_is_lfu(void);
/* The tag of a new key, and of a key being read or written. */
uint16_t evict_tag_new(void);
uint16_t evict_tag_touch(uint16_t tag);
/* LFU: the access counter as OBJECT FREQ reports it (decayed). */
unsigned evict_lfu_count(uint16_t tag);

/* Over maxmemory: evict. 0 when under maxmemory (or evicting made
 * progress and continues from the timer), -ENOMEM when nothing could go. */
int evict_perform(void);

#endif
