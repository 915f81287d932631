/* ways.h - how a shopper reads through the cache and buys the limited SKU,
 * one set of operations per way:
 *   naive (redis-server or surge-server): GET, on a miss the origin, SETEX;
 *       buying is GET stock, check > 0, DECR (as shops write it; it can
 *       oversell), abandoning gives the unit back with INCR;
 *   lease (surge-server, through libsurge): get-or-load with a lease (one
 *       caller loads and CACHE.FILLs, the others wait for it) and a stale
 *       window (served at once, one caller revalidates); INV.RESERVE /
 *       INV.CONFIRM, and an abandoned hold times out.
 * Internal to the flash-sale tool. */
#ifndef FLASHSALE_WAYS_H
#define FLASHSALE_WAYS_H

#include <hiredis.h>
#include <stdbool.h>
#include <stdint.h>

#include "tools/flashsale/shoppers.h"
#include "tools/flashsale/util.h"

#define FS_SKU_KEY "sku:LIMITED-SNEAKER"
#define FS_SOLD_KEY "sku:LIMITED-SNEAKER:sold"

struct run_sync;
struct surge;

struct shopper {
    struct shop_run *run;
    struct run_sync *sync;
    int id;
    struct fs_rng rng;
    redisContext *cache;   /* naive ways */
    struct surge *surge;   /* lease way: this shopper's libsurge pool */
    redisContext *origin;
    bool buyer;
    bool done_buying;
    int attempts;
    int64_t next_buy_us;
};

struct way_ops {
    /* Connect the shopper to the cache (before the clock starts); 0 or -1. */
    int (*open)(struct shopper *s);
    void (*close)(struct shopper *s);
    /* Get the value of key; *served_us is when the shopper had it (a stale
     * value is served before its revalidation). 0, or -1 on an error. */
    int (*fetch)(struct shopper *s, enum fs_resource res, const char *key, int64_t *served_us);
    /* One attempt to buy a unit: hold, then pay or walk away. */
    void (*buy)(struct shopper *s);
    /* Stock the limited SKU before the run, read it after. */
    int (*inv_setup)(const struct shop_run *run);
    int (*inv_read)(const struct shop_run *run, struct inv_result *out);
};

extern const struct way_ops way_naive_ops;
extern const struct way_ops way_lease_ops;

/* Shared by the ways (shoppers.c). */
redisContext *shopper_connect(int port);
redisReply *shopper_cache_cmd(struct shopper *s, const char *fmt, ...);
/* LOAD from the origin: the reply (caller frees), or NULL on an error. */
redisReply *shopper_origin_load(struct shopper *s, enum fs_resource res, const char *key);
/* At checkout the shop looks up the price and the shipping of the SKU
 * (through the cache, as any request of the shopper). */
void shopper_checkout_lookups(struct shopper *s);
/* The pause of a shopper at checkout before paying or leaving. */
void shopper_checkout_pause(struct shopper *s);
/* Whether this shopper pays (confirm_pct). */
bool shopper_pays(struct shopper *s);
void shopper_retry_later(struct shopper *s);

#endif
