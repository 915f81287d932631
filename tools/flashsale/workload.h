/* workload.h - what flash-sale shoppers ask for: the resources with their
 * TTLs, Zipf-distributed hot products and ZIP prefixes, and the keys. */
#ifndef FLASHSALE_WORKLOAD_H
#define FLASHSALE_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "tools/flashsale/util.h"

enum fs_resource {
    RES_PRODUCT,
    RES_PRICE,
    RES_STOCK, /* display stock: "only 3 left" */
    RES_SHIP,  /* shipping options by ZIP prefix */
    RES_PROMO, /* promotion eligibility by customer tier and product */
    RES_CART,  /* cart summary per session */
    RES_COUNT
};

struct fs_resource_def {
    const char *name;
    int ttl_s;
    int swr_s;  /* stale window after the TTL (the lease way only) */
    int weight; /* share of requests, in percent */
};

extern const struct fs_resource_def fs_resources[RES_COUNT];

/* Inverse-CDF sampler of ranks 0..n-1 with P(k) ~ 1/(k+1)^s. */
struct zipf {
    uint32_t n;
    double *cdf;
};

int zipf_init(struct zipf *z, uint32_t n, double s);
void zipf_deinit(struct zipf *z);
uint32_t zipf_draw(const struct zipf *z, struct fs_rng *r);

#define FS_ZIP_PREFIXES 900
#define FS_PROMO_TIERS 2
#define FS_HOT_PRODUCTS 5
#define FS_HOT_ZIPS 3
#define FS_HOT_KEYS (FS_HOT_PRODUCTS * 3 + FS_HOT_ZIPS)
#define FS_KEY_MAX 64

struct workload {
    struct zipf products;
    struct zipf zips;
};

/* catalog products on sale with Zipf exponent s; 0 or -ENOMEM. */
int workload_init(struct workload *w, uint32_t catalog, double s);
void workload_deinit(struct workload *w);

/* One request of shopper `session`: returns the resource, writes its key. */
enum fs_resource workload_pick(const struct workload *w, struct fs_rng *r, int session,
                               char key[FS_KEY_MAX]);

/* The hot keys whose origin calls are counted per TTL window: product,
 * price and display stock of the top products, shipping of the top ZIP
 * prefixes. keys[i] gets the key, res[i] its resource. */
void workload_hot_keys(char keys[FS_HOT_KEYS][FS_KEY_MAX], enum fs_resource res[FS_HOT_KEYS]);

#endif
