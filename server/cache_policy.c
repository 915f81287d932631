/* cache_policy.c - see cache_policy.h. */
#include "server/cache_policy.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "server/mem.h"
#include "server/util.h"

#define POLICY_FILE_MAX (16 * 1024 * 1024)

const struct cache_policy_opt cache_policy_opts[CACHE_POLICY_NOPTS] = {
    {"ttl", "TTL", 1, 1000},
    {"swr", "SWR", 0, 1000},
    {"maxttl", "MAXTTL", 1, 1000},
    {"lease", "LEASE", 1, 1},
};

static long long *policy_opt_slot(struct cache_policy *p, int k)
{
    long long *const slots[CACHE_POLICY_NOPTS] = {&p->ttl_ms, &p->swr_ms, &p->maxttl_ms,
                                                  &p->lease_ms};
    return slots[k];
}

long long cache_policy_opt_get(const struct cache_policy *p, int k)
{
    long long ms = *policy_opt_slot((struct cache_policy *)p, k);
    return ms < 0 ? -1 : ms / cache_policy_opts[k].unit_ms;
}

int cache_policy_opt_set(struct cache_policy *p, int k, long long v)
{
    const struct cache_policy_opt *o = &cache_policy_opts[k];
    if (v < o->min || v > CACHE_POLICY_MAX_SECONDS * 1000 / o->unit_ms) {
        return -ERANGE;
    }
    *policy_opt_slot(p, k) = v * o->unit_ms;
    return 0;
}

/* Longest pattern first, so the first match is the most specific. */
static struct cache_policy table[CACHE_POLICY_MAX];
static size_t ntable;

static ssize_t policy_index(const char *pattern, size_t plen)
{
    for (size_t i = 0; i < ntable; i++) {
        if (table[i].plen == plen && memcmp(table[i].pattern, pattern, plen) == 0) {
            return (ssize_t)i;
        }
    }
    return -1;
}

int cache_policy_set(const struct cache_policy *p)
{
    ssize_t at = policy_index(p->pattern, p->plen);
    if (at >= 0) {
        char *keep = table[at].pattern;
        table[at] = *p;
        table[at].pattern = keep;
        return 0;
    }
    if (ntable == CACHE_POLICY_MAX) {
        return -ENOSPC;
    }
    size_t i = 0;
    while (i < ntable && table[i].plen >= p->plen) {
        i++;
    }
    memmove(&table[i + 1], &table[i], (ntable - i) * sizeof(table[0]));
    table[i] = *p;
    table[i].pattern = mem_strndup(p->pattern, p->plen);
    ntable++;
    return 0;
}

bool cache_policy_del(const char *pattern, size_t plen)
{
    ssize_t at = policy_index(pattern, plen);
    if (at < 0) {
        return false;
    }
    mem_free(table[at].pattern);
    memmove(&table[at], &table[at + 1], (ntable - (size_t)at - 1) * sizeof(table[0]));
    ntable--;
    return true;
}

const struct cache_policy *cache_policy_get(const char *pattern, size_t plen)
{
    ssize_t at = policy_index(pattern, plen);
    return at >= 0 ? &table[at] : NULL;
}

const struct cache_policy *cache_policy_match(const char *key, size_t klen)
{
    for (size_t i = 0; i < ntable; i++) {
        if (util_glob_match(table[i].pattern, table[i].plen, key, klen, false)) {
            return &table[i];
        }
    }
    return NULL;
}

size_t cache_policy_count(void)
{
    return ntable;
}

const struct cache_policy *cache_policy_at(size_t i)
{
    return i < ntable ? &table[i] : NULL;
}

void cache_policy_clear(void)
{
    for (size_t i = 0; i < ntable; i++) {
        mem_free(table[i].pattern);
    }
    ntable = 0;
}

/* ---- the file ---- */

static void parse_error_at(const char *text, const char *at, char *err, size_t errlen)
{
    int line = 1, col = 1;
    for (const char *p = text; at != NULL && p < at && *p != '\0'; p++) {
        line += *p == '\n';
        col = *p == '\n' ? 1 : col + 1;
    }
    snprintf(err, errlen, "not valid JSON at line %d, column %d", line, col);
}

/* One field of a policy object; *why completes "policies[i].<name> ". */
static int policy_field(const cJSON *f, struct cache_policy *p, char *why, size_t whylen)
{
    const char *n = f->string;
    if (strcmp(n, "pattern") == 0) {
        snprintf(why, whylen, "must be a string of 1 to %d bytes", CACHE_POLICY_PATTERN_MAX);
        if (!cJSON_IsString(f) || f->valuestring[0] == '\0' ||
            strlen(f->valuestring) > CACHE_POLICY_PATTERN_MAX) {
            return -EINVAL;
        }
        p->pattern = f->valuestring;
        p->plen = strlen(f->valuestring);
        return 0;
    }
    if (strcmp(n, "bypass") == 0) {
        snprintf(why, whylen, "must be true or false");
        p->bypass = cJSON_IsTrue(f);
        return cJSON_IsBool(f) ? 0 : -EINVAL;
    }
    for (int k = 0; k < CACHE_POLICY_NOPTS; k++) {
        const struct cache_policy_opt *o = &cache_policy_opts[k];
        if (strcmp(n, o->name) != 0) {
            continue;
        }
        snprintf(why, whylen, "must be a whole number of %s, %lld or more",
                 o->unit_ms == 1000 ? "seconds" : "milliseconds", o->min);
        bool whole = cJSON_IsNumber(f) && f->valuedouble > -1e15 && f->valuedouble < 1e15 &&
                     f->valuedouble == (double)(long long)f->valuedouble;
        return whole ? cache_policy_opt_set(p, k, (long long)f->valuedouble) : -EINVAL;
    }
    snprintf(why, whylen, "is not a policy field (pattern, ttl, swr, maxttl, lease, bypass)");
    return -EINVAL;
}

static int policy_from_json(const cJSON *o, int i, struct cache_policy *p, char *err,
                            size_t errlen)
{
    *p = (struct cache_policy){NULL, 0, -1, -1, -1, -1, false};
    if (!cJSON_IsObject(o)) {
        snprintf(err, errlen, "policies[%d] must be an object", i);
        return -EINVAL;
    }
    for (const cJSON *f = o->child; f != NULL; f = f->next) {
        char why[96];
        if (policy_field(f, p, why, sizeof(why)) < 0) {
            snprintf(err, errlen, "policies[%d].%s %s", i, f->string, why);
            return -EINVAL;
        }
    }
    if (p->pattern == NULL) {
        snprintf(err, errlen, "policies[%d] has no pattern", i);
        return -EINVAL;
    }
    if (p->maxttl_ms >= 0 && p->ttl_ms > p->maxttl_ms) {
        snprintf(err, errlen, "policies[%d].ttl is above its maxttl", i);
        return -EINVAL;
    }
    return 0;
}

static int policies_from_json(const cJSON *root, char *err, size_t errlen)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "policies");
    if (!cJSON_IsObject(root) || !cJSON_IsArray(list)) {
        snprintf(err, errlen, "the top level must be an object with a \"policies\" array");
        return -EINVAL;
    }
    if (cJSON_GetArraySize(list) > CACHE_POLICY_MAX) {
        snprintf(err, errlen, "more than %d policies", CACHE_POLICY_MAX);
        return -EINVAL;
    }
    struct cache_policy p;
    int i = 0;
    for (const cJSON *o = list->child; o != NULL; o = o->next, i++) { /* validate first */
        if (policy_from_json(o, i, &p, err, errlen) < 0) {
            return -EINVAL;
        }
    }
    cache_policy_clear();
    for (const cJSON *o = list->child; o != NULL; o = o->next) {
        policy_from_json(o, 0, &p, err, errlen);
        cache_policy_set(&p);
    }
    return 0;
}

int cache_policy_load_file(const char *path, char *err, size_t errlen)
{
    char *text;
    size_t len;
    int rc = util_read_file(path, POLICY_FILE_MAX, &text, &len);
    if (rc < 0) {
        snprintf(err, errlen, "%s", strerror(-rc));
        return rc;
    }
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, true);
    if (root == NULL) {
        parse_error_at(text, end, err, errlen);
        rc = -EINVAL;
    } else {
        rc = policies_from_json(root, err, errlen);
    }
    cJSON_Delete(root);
    mem_free(text);
    return rc;
}

static char *policies_to_json(void)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *list = cJSON_AddArrayToObject(root, "policies");
    for (size_t i = 0; i < ntable; i++) {
        const struct cache_policy *p = &table[i];
        cJSON *o = cJSON_CreateObject();
        char *pat = mem_strndup(p->pattern, p->plen);
        cJSON_AddStringToObject(o, "pattern", pat);
        mem_free(pat);
        for (int k = 0; k < CACHE_POLICY_NOPTS; k++) {
            if (cache_policy_opt_get(p, k) >= 0) {
                cJSON_AddNumberToObject(o, cache_policy_opts[k].name,
                                        (double)cache_policy_opt_get(p, k));
            }
        }
        if (p->bypass) {
            cJSON_AddTrueToObject(o, "bypass");
        }
        cJSON_AddItemToArray(list, o);
    }
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    return text;
}

int cache_policy_save_file(const char *path)
{
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-%d", path, (int)getpid()) >= sizeof(tmp)) {
        return -ENAMETOOLONG;
    }
    char *text = policies_to_json();
    int rc = util_write_file_atomic(path, tmp, text, strlen(text));
    cJSON_free(text);
    return rc;
}
