/* cache_policy.h - per-prefix cache policies: default and maximum TTLs,
 * stale windows, lease lengths and "never cache" (bypass) rules.
 *
 * A policy is a glob pattern (Redis's KEYS syntax) with options. A key is
 * governed by the longest pattern that matches it (ties: the one set
 * first). The table is global (not per database), starts from
 * cache-policy-file (JSON, read with cJSON) and changes at runtime with
 * CACHE.POLICY; changes propagate as CACHE.POLICY SET/DEL, so the AOF and
 * replicas keep them, and the AOF rewrite writes the whole table.
 *
 * The file:
 *   {"policies": [{"pattern": "product:*", "ttl": 10, "swr": 30,
 *                  "maxttl": 60, "lease": 5000},
 *                 {"pattern": "pay:*", "bypass": true}]}
 * ttl, swr, maxttl in seconds, lease in milliseconds.
 */
#ifndef SURGE_SERVER_CACHE_POLICY_H
#define SURGE_SERVER_CACHE_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#define CACHE_POLICY_MAX 1024
#define CACHE_POLICY_PATTERN_MAX 512
#define CACHE_POLICY_MAX_SECONDS (100LL * 365 * 24 * 3600)
#define CACHE_POLICY_NOPTS 4

struct cache_policy {
    char *pattern;
    size_t plen;
    long long ttl_ms;    /* default freshness; -1: none */
    long long swr_ms;    /* default stale window; -1: none */
    long long maxttl_ms; /* TTL clamp; -1: none */
    long long lease_ms;  /* default CACHE.GET lease; -1: none */
    bool bypass;         /* CACHE.* refuse the key */
};

/* The numeric options, one row each, in the order replies show them: the
 * name in the JSON file and replies, the argument word of CACHE.POLICY SET,
 * the least value, and milliseconds per unit (ttl, swr, maxttl are seconds;
 * lease is milliseconds). The command, the file, the replies and the AOF
 * rewrite all go through this table. */
struct cache_policy_opt {
    const char *name;
    const char *word;
    long long min;
    long long unit_ms;
};
extern const struct cache_policy_opt cache_policy_opts[CACHE_POLICY_NOPTS];
/* Option k of p in its unit, or -1 when unset. */
long long cache_policy_opt_get(const struct cache_policy *p, int k);
/* Set option k from a value in its unit: 0, or -ERANGE outside
 * [min, CACHE_POLICY_MAX_SECONDS in that unit] (p unchanged). */
int cache_policy_opt_set(struct cache_policy *p, int k, long long v);

/* Add or replace the policy with p's pattern (copied). 0, or -ENOSPC when
 * the table holds CACHE_POLICY_MAX policies. */
int cache_policy_set(const struct cache_policy *p);
/* Remove the policy with exactly this pattern: true if there was one. */
bool cache_policy_del(const char *pattern, size_t plen);
/* The policy with exactly this pattern, or NULL. */
const struct cache_policy *cache_policy_get(const char *pattern, size_t plen);
/* The policy governing key, or NULL. Borrowed until the next change. */
const struct cache_policy *cache_policy_match(const char *key, size_t klen);
size_t cache_policy_count(void);
/* The i-th policy (0 <= i < count), longest pattern first. */
const struct cache_policy *cache_policy_at(size_t i);
void cache_policy_clear(void);

/* Replace the table with the file's policies. 0, or a negative errno with
 * a message naming the line or the field in err. A missing file is
 * -ENOENT. */
int cache_policy_load_file(const char *path, char *err, size_t errlen);
/* Write the table to path (temp file, fsync, rename). 0, or -errno. */
int cache_policy_save_file(const char *path);

#endif
