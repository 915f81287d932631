/* shoppers.h - one way of the run: N shopper threads against one cache
 * server and the origin, for a fixed duration. */
#ifndef FLASHSALE_SHOPPERS_H
#define FLASHSALE_SHOPPERS_H

#include <stdbool.h>
#include <stdint.h>

#include "tools/flashsale/stats.h"
#include "tools/flashsale/workload.h"

struct fs_config {
    int shoppers;
    double duration_s;   /* per way */
    int think_ms;        /* mean pause between a shopper's requests */
    int catalog;         /* products on sale */
    double zipf_s;
    int stock;           /* units of the limited SKU */
    int hold_s;          /* how long a reservation holds its unit */
    int buyer_pct;       /* shoppers who try to buy the limited SKU */
    int confirm_pct;     /* of those holding a unit, who pay */
    int sale_open_ms;    /* the limited SKU goes on sale at this time */
    int latency_ms;      /* origin */
    int max_concurrent;  /* origin */
    unsigned seed;
    const char *out_dir;
    const char *surge_bin;
    const char *redis_bin;
};

enum fs_way { WAY_REDIS_NAIVE, WAY_SURGE_NAIVE, WAY_SURGE_LEASE, WAY_COUNT };

extern const char *const fs_way_names[WAY_COUNT];  /* short, for JSON */
extern const char *const fs_way_titles[WAY_COUNT]; /* for tables and charts */

/* How the limited SKU ended. */
struct inv_result {
    long long available; /* units left (naive: the counter, may be < 0) */
    long long held;      /* units still held at the end (lease way) */
    long long sold;      /* units the server counts as sold */
    long long oversold;  /* units sold beyond the stock */
    long long returned;  /* abandoned holds whose units came back */
};

struct shop_run {
    const struct fs_config *cfg;
    enum fs_way way;
    int cache_port;
    int origin_port;
    const struct workload *wl;
    struct way_stats *st;
    int64_t t0_us;  /* set when every shopper is connected */
    int64_t end_us;
    int64_t last_hold_us; /* when the last reservation was made */
    /* Called about once a second by the main thread while shoppers run. */
    void (*tick)(void *arg, const struct shop_run *run, int second);
    void *tick_arg;
};

/* Prepare the SKU, run the shoppers until the duration ends, wait for
 * open holds to time out, read the SKU. 0 or a negative errno. */
int shop_run(struct shop_run *run, struct inv_result *inv);

#endif
