/* stats.c - latency histograms, counters, origin log analysis. */
#include "tools/flashsale/stats.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

int way_stats_init(struct way_stats *st, int nsecs)
{
    memset(st, 0, sizeof(*st));
    st->secs = calloc((size_t)nsecs, sizeof(*st->secs));
    if (st->secs == NULL) {
        return -ENOMEM;
    }
    st->nsecs = nsecs;
    return 0;
}

void way_stats_deinit(struct way_stats *st)
{
    free(st->secs);
    st->secs = NULL;
}

void st_add(uint64_t *counter, uint64_t n)
{
    __atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static int bucket_of(int64_t us)
{
    if (us < 1) {
        return 0;
    }
    int b = (int)(log2((double)us) * ST_SUB);
    return b < ST_BUCKETS ? b : ST_BUCKETS - 1;
}

void st_request(struct way_stats *st, int64_t at_us, int64_t lat_us, bool error)
{
    int64_t s = at_us / 1000000;
    if (s < 0) {
        s = 0;
    }
    if (s >= st->nsecs) {
        s = st->nsecs - 1;
    }
    struct st_second *sec = &st->secs[s];
    __atomic_fetch_add(&sec->requests, 1, __ATOMIC_RELAXED);
    if (error) {
        __atomic_fetch_add(&sec->errors, 1, __ATOMIC_RELAXED);
        st_add(&st->c.errors, 1);
        return;
    }
    __atomic_fetch_add(&sec->hist[bucket_of(lat_us)], 1, __ATOMIC_RELAXED);
    uint64_t cur = __atomic_load_n(&st->c.max_latency_us, __ATOMIC_RELAXED);
    while ((uint64_t)lat_us > cur &&
           !__atomic_compare_exchange_n(&st->c.max_latency_us, &cur, (uint64_t)lat_us, true,
                                        __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

void st_total_hist(const struct way_stats *st, uint32_t out[ST_BUCKETS])
{
    memset(out, 0, sizeof(uint32_t) * ST_BUCKETS);
    for (int s = 0; s < st->nsecs; s++) {
        for (int b = 0; b < ST_BUCKETS; b++) {
            out[b] += st->secs[s].hist[b];
        }
    }
}

double st_quantile_ms(const uint32_t hist[ST_BUCKETS], double q)
{
    uint64_t total = 0;
    for (int b = 0; b < ST_BUCKETS; b++) {
        total += hist[b];
    }
    if (total == 0) {
        return 0;
    }
    uint64_t rank = (uint64_t)ceil(q * (double)total);
    rank = rank < 1 ? 1 : rank;
    uint64_t seen = 0;
    for (int b = 0; b < ST_BUCKETS; b++) {
        seen += hist[b];
        if (seen >= rank) {
            return pow(2.0, (b + 1) / (double)ST_SUB) / 1000.0;
        }
    }
    return pow(2.0, ST_BUCKETS / (double)ST_SUB) / 1000.0;
}

/* ---- the origin's log ---- */

static int call_cmp(const void *a, const void *b)
{
    const struct origin_call *x = a, *y = b;
    if (x->key_hash != y->key_hash) {
        return x->key_hash < y->key_hash ? -1 : 1;
    }
    return x->t_ms < y->t_ms ? -1 : x->t_ms > y->t_ms;
}

/* Most calls of one key (calls[0..n), sorted by time) within any window
 * [t, t + ttl). */
static int max_in_window(const struct origin_call *calls, size_t n, uint32_t ttl_ms)
{
    int best = 0;
    size_t lo = 0;
    for (size_t hi = 0; hi < n; hi++) {
        while (calls[hi].t_ms - calls[lo].t_ms >= ttl_ms) {
            lo++;
        }
        if ((int)(hi - lo + 1) > best) {
            best = (int)(hi - lo + 1);
        }
    }
    return best;
}

static void per_second(const struct origin_call *calls, size_t n, struct origin_summary *s)
{
    for (size_t i = 0; i < n; i++) {
        int sec = (int)(calls[i].t_ms / 1000);
        sec = sec < s->nsecs ? sec : s->nsecs - 1;
        uint16_t r = calls[i].resource < RES_COUNT ? calls[i].resource : RES_PRODUCT;
        s->per_sec[sec][r]++;
        s->per_sec[sec][RES_COUNT]++;
        s->per_res[r]++;
    }
    for (int sec = 0; sec < s->nsecs; sec++) {
        if (s->per_sec[sec][RES_COUNT] > s->peak_per_sec) {
            s->peak_per_sec = s->per_sec[sec][RES_COUNT];
        }
    }
}

static void hot_keys_init(struct origin_summary *s, uint64_t hashes[FS_HOT_KEYS])
{
    char keys[FS_HOT_KEYS][FS_KEY_MAX];
    enum fs_resource res[FS_HOT_KEYS];
    workload_hot_keys(keys, res);
    for (int i = 0; i < FS_HOT_KEYS; i++) {
        memcpy(s->hot[i].key, keys[i], FS_KEY_MAX);
        s->hot[i].res = res[i];
        hashes[i] = origin_key_hash(keys[i], strlen(keys[i]));
    }
}

/* Per key (runs of equal hash in the sorted log): windows and hot keys. */
static void per_key(const struct origin_call *calls, size_t n, double duration_s,
                    struct origin_summary *s)
{
    uint64_t hashes[FS_HOT_KEYS];
    hot_keys_init(s, hashes);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && calls[j].key_hash == calls[i].key_hash) {
            j++;
        }
        uint16_t r = calls[i].resource < RES_COUNT ? calls[i].resource : RES_PRODUCT;
        uint32_t ttl_ms = (uint32_t)fs_resources[r].ttl_s * 1000;
        int m = max_in_window(calls + i, j - i, ttl_ms);
        s->keys++;
        s->max_per_window_any = m > s->max_per_window_any ? m : s->max_per_window_any;
        s->max_per_window_res[r] = m > s->max_per_window_res[r] ? m : s->max_per_window_res[r];
        for (int h = 0; h < FS_HOT_KEYS; h++) {
            if (hashes[h] == calls[i].key_hash) {
                s->hot[h].calls = j - i;
                s->hot[h].max_per_window = m;
            }
        }
        i = j;
    }
    double sum = 0;
    for (int h = 0; h < FS_HOT_KEYS; h++) {
        /* the run covers this many TTL windows, a started one counting */
        double windows = ceil(duration_s / fs_resources[s->hot[h].res].ttl_s);
        s->hot[h].mean_per_window = windows > 0 ? (double)s->hot[h].calls / windows : 0;
        sum += s->hot[h].mean_per_window;
        s->hot_max = s->hot[h].max_per_window > s->hot_max ? s->hot[h].max_per_window : s->hot_max;
    }
    s->hot_mean = sum / FS_HOT_KEYS;
}

int origin_summarize(struct origin_call *calls, size_t n, size_t dropped, int nsecs,
                     double duration_s, struct origin_summary *out)
{
    memset(out, 0, sizeof(*out));
    out->per_sec = calloc((size_t)nsecs, sizeof(*out->per_sec));
    if (out->per_sec == NULL) {
        return -ENOMEM;
    }
    out->nsecs = nsecs;
    out->calls = n + dropped;
    out->dropped = dropped;
    out->mean_per_sec = duration_s > 0 ? (double)out->calls / duration_s : 0;
    per_second(calls, n, out);
    qsort(calls, n, sizeof(*calls), call_cmp);
    per_key(calls, n, duration_s, out);
    return 0;
}

void origin_summary_deinit(struct origin_summary *s)
{
    free(s->per_sec);
    s->per_sec = NULL;
}
