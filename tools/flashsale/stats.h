/* stats.h - what one way of the run measured: shopper latency per second
 * (log histograms), counters, and the origin's call log summarized per
 * resource, per second and per hot key per TTL window. */
#ifndef FLASHSALE_STATS_H
#define FLASHSALE_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "tools/flashsale/origin.h"
#include "tools/flashsale/workload.h"

/* Bucket b holds latencies in [2^(b/16), 2^((b+1)/16)) us: about 4.4%
 * wide, up to 2^32 us. */
#define ST_SUB 16
#define ST_BUCKETS (32 * ST_SUB)

struct st_second {
    uint32_t hist[ST_BUCKETS];
    uint32_t requests;
    uint32_t errors;
};

/* Counters, updated atomically by the shopper threads. */
struct st_counts {
    uint64_t requests[RES_COUNT];
    uint64_t loads[RES_COUNT];  /* origin calls made by shoppers */
    uint64_t stale[RES_COUNT];  /* served stale (lease way) */
    uint64_t waited[RES_COUNT]; /* served a value another caller loaded */
    uint64_t errors;
    uint64_t max_latency_us;
    uint64_t buy_attempts, holds, soldout, confirmed, abandoned, confirm_late, returned_app;
};

struct way_stats {
    int nsecs;
    struct st_second *secs;
    struct st_counts c;
};

int way_stats_init(struct way_stats *st, int nsecs);
void way_stats_deinit(struct way_stats *st);
/* One shopper request that started at_us after t0 and took lat_us. */
void st_request(struct way_stats *st, int64_t at_us, int64_t lat_us, bool error);
void st_add(uint64_t *counter, uint64_t n);
/* The merged histogram of every second. */
void st_total_hist(const struct way_stats *st, uint32_t out[ST_BUCKETS]);
/* Latency in ms at quantile q (0..1) of a histogram; 0 when empty. The
 * upper edge of the bucket, so never below the true value. */
double st_quantile_ms(const uint32_t hist[ST_BUCKETS], double q);

struct hot_key {
    char key[FS_KEY_MAX];
    enum fs_resource res;
    uint64_t calls;
    int max_per_window;     /* most calls within any TTL-long window */
    double mean_per_window; /* calls / (seconds / TTL) */
};

struct origin_summary {
    int nsecs;
    uint32_t (*per_sec)[RES_COUNT + 1]; /* [second][resource], [..][RES_COUNT] all */
    uint64_t calls, dropped;
    uint64_t per_res[RES_COUNT];
    uint64_t keys;                      /* distinct keys called */
    int max_per_window_any;             /* over every key */
    int max_per_window_res[RES_COUNT];
    struct hot_key hot[FS_HOT_KEYS];
    int hot_max;
    double hot_mean;
    uint32_t peak_per_sec;
    double mean_per_sec;
};

/* Summarize a call log over duration_s seconds (nsecs seconds of per-second
 * series). Sorts calls in place. 0 or -ENOMEM; free with
 * origin_summary_deinit(). */
int origin_summarize(struct origin_call *calls, size_t n, size_t dropped, int nsecs,
                     double duration_s, struct origin_summary *out);
void origin_summary_deinit(struct origin_summary *s);

#endif
