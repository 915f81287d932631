/* workload.c - the request mix of a flash sale (see workload.h). */
#include "tools/flashsale/workload.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

const struct fs_resource_def fs_resources[RES_COUNT] = {
    [RES_PRODUCT] = {"product", 10, 60, 30},
    [RES_PRICE] = {"price", 5, 20, 22},
    [RES_STOCK] = {"stock", 3, 10, 22},
    [RES_SHIP] = {"ship", 5, 60, 8},
    [RES_PROMO] = {"promo", 3, 10, 12},
    [RES_CART] = {"cart", 2, 60, 6}, /* the shop deletes it when the cart changes */
};

int zipf_init(struct zipf *z, uint32_t n, double s)
{
    z->n = n;
    z->cdf = malloc(sizeof(double) * (n ? n : 1));
    if (z->cdf == NULL) {
        return -ENOMEM;
    }
    double sum = 0;
    for (uint32_t k = 0; k < n; k++) {
        sum += 1.0 / pow((double)k + 1, s);
        z->cdf[k] = sum;
    }
    for (uint32_t k = 0; k < n; k++) {
        z->cdf[k] /= sum;
    }
    return 0;
}

void zipf_deinit(struct zipf *z)
{
    free(z->cdf);
    z->cdf = NULL;
}

uint32_t zipf_draw(const struct zipf *z, struct fs_rng *r)
{
    double u = fs_rng_unit(r);
    uint32_t lo = 0, hi = z->n ? z->n - 1 : 0;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (z->cdf[mid] < u) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

int workload_init(struct workload *w, uint32_t catalog, double s)
{
    if (zipf_init(&w->products, catalog, s) < 0) {
        return -ENOMEM;
    }
    if (zipf_init(&w->zips, FS_ZIP_PREFIXES, 1.1) < 0) {
        zipf_deinit(&w->products);
        return -ENOMEM;
    }
    return 0;
}

void workload_deinit(struct workload *w)
{
    zipf_deinit(&w->products);
    zipf_deinit(&w->zips);
}

static enum fs_resource pick_resource(struct fs_rng *r)
{
    uint32_t u = fs_rng_below(r, 100);
    for (int i = 0; i < RES_COUNT; i++) {
        if (u < (uint32_t)fs_resources[i].weight) {
            return (enum fs_resource)i;
        }
        u -= (uint32_t)fs_resources[i].weight;
    }
    return RES_PRODUCT;
}

/* Products are numbered by popularity rank (product 1 is the hottest),
 * ZIP prefixes from 100 on. */
enum fs_resource workload_pick(const struct workload *w, struct fs_rng *r, int session,
                               char key[FS_KEY_MAX])
{
    enum fs_resource res = pick_resource(r);
    const char *name = fs_resources[res].name;
    switch (res) {
    case RES_SHIP:
        snprintf(key, FS_KEY_MAX, "%s:%u", name, 100 + zipf_draw(&w->zips, r));
        break;
    case RES_PROMO:
        snprintf(key, FS_KEY_MAX, "%s:t%u:%u", name, fs_rng_below(r, FS_PROMO_TIERS),
                 1 + zipf_draw(&w->products, r));
        break;
    case RES_CART:
        snprintf(key, FS_KEY_MAX, "%s:s%d", name, session);
        break;
    default:
        snprintf(key, FS_KEY_MAX, "%s:%u", name, 1 + zipf_draw(&w->products, r));
        break;
    }
    return res;
}

void workload_hot_keys(char keys[FS_HOT_KEYS][FS_KEY_MAX], enum fs_resource res[FS_HOT_KEYS])
{
    static const enum fs_resource per_product[3] = {RES_PRODUCT, RES_PRICE, RES_STOCK};
    int n = 0;
    for (int p = 1; p <= FS_HOT_PRODUCTS; p++) {
        for (int i = 0; i < 3; i++) {
            res[n] = per_product[i];
            snprintf(keys[n++], FS_KEY_MAX, "%s:%d", fs_resources[per_product[i]].name, p);
        }
    }
    for (int z = 0; z < FS_HOT_ZIPS; z++) {
        res[n] = RES_SHIP;
        snprintf(keys[n++], FS_KEY_MAX, "%s:%d", fs_resources[RES_SHIP].name, 100 + z);
    }
}
