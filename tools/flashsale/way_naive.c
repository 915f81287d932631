/* way_naive.c - cache-aside as most shops write it, on redis-server or
 * surge-server: GET; on a miss, the origin and SETEX. Every shopper who
 * misses calls the origin. Buying: GET the stock, if > 0 look up the
 * order's price and shipping, then DECR; between the check and the
 * decrement another shopper may take the last unit, so it can oversell. */
#include "tools/flashsale/ways.h"

#include <stdlib.h>

static int naive_fetch(struct shopper *s, enum fs_resource res, const char *key,
                       int64_t *served_us)
{
    redisReply *r = shopper_cache_cmd(s, "GET %s", key);
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        freeReplyObject(r);
        return -1;
    }
    bool hit = r->type == REDIS_REPLY_STRING;
    freeReplyObject(r);
    if (hit) {
        *served_us = fs_now_us();
        return 0;
    }
    redisReply *v = shopper_origin_load(s, res, key);
    if (v == NULL) {
        return -1;
    }
    *served_us = fs_now_us();
    r = shopper_cache_cmd(s, "SETEX %s %d %b", key, fs_resources[res].ttl_s, v->str, v->len);
    bool ok = r != NULL && r->type == REDIS_REPLY_STATUS;
    freeReplyObject(r);
    freeReplyObject(v);
    return ok ? 0 : -1;
}

static long long int_reply(redisReply *r, long long dflt)
{
    if (r != NULL && r->type == REDIS_REPLY_INTEGER) {
        return r->integer;
    }
    if (r != NULL && r->type == REDIS_REPLY_STRING) {
        return strtoll(r->str, NULL, 10);
    }
    return dflt;
}

static void naive_buy(struct shopper *s)
{
    struct st_counts *c = &s->run->st->c;
    redisReply *r = shopper_cache_cmd(s, "GET %s", FS_SKU_KEY);
    long long left = int_reply(r, 0);
    freeReplyObject(r);
    if (left <= 0) {
        st_add(&c->soldout, 1);
        shopper_retry_later(s);
        return;
    }
    shopper_checkout_lookups(s); /* the shop prepares the order, then takes the unit */
    freeReplyObject(shopper_cache_cmd(s, "DECR %s", FS_SKU_KEY));
    st_add(&c->holds, 1);
    shopper_checkout_pause(s);
    s->done_buying = true;
    if (shopper_pays(s)) {
        freeReplyObject(shopper_cache_cmd(s, "INCR %s", FS_SOLD_KEY));
        st_add(&c->confirmed, 1);
    } else { /* the shop gives the unit back when the shopper leaves */
        freeReplyObject(shopper_cache_cmd(s, "INCR %s", FS_SKU_KEY));
        st_add(&c->abandoned, 1);
        st_add(&c->returned_app, 1);
    }
}

static int naive_open(struct shopper *s)
{
    s->cache = shopper_connect(s->run->cache_port);
    return s->cache != NULL ? 0 : -1;
}

static void naive_close(struct shopper *s)
{
    redisFree(s->cache);
    s->cache = NULL;
}

static int naive_inv_setup(const struct shop_run *run)
{
    redisContext *c = shopper_connect(run->cache_port);
    redisReply *r = c != NULL ? redisCommand(c, "SET %s %d", FS_SKU_KEY, run->cfg->stock) : NULL;
    bool ok = r != NULL && r->type == REDIS_REPLY_STATUS;
    freeReplyObject(r);
    if (c != NULL) {
        freeReplyObject(redisCommand(c, "DEL %s", FS_SOLD_KEY));
    }
    redisFree(c);
    return ok ? 0 : -1;
}

static int naive_inv_read(const struct shop_run *run, struct inv_result *out)
{
    redisContext *c = shopper_connect(run->cache_port);
    if (c == NULL) {
        return -1;
    }
    int stock = run->cfg->stock;
    redisReply *r = redisCommand(c, "GET %s", FS_SKU_KEY);
    out->available = int_reply(r, 0);
    freeReplyObject(r);
    r = redisCommand(c, "GET %s", FS_SOLD_KEY);
    out->sold = int_reply(r, 0);
    freeReplyObject(r);
    out->held = 0;
    out->oversold = out->sold > stock ? out->sold - stock : 0;
    out->returned = (long long)run->st->c.returned_app;
    redisFree(c);
    return 0;
}

const struct way_ops way_naive_ops = {naive_open,      naive_close,   naive_fetch,
                                      naive_buy,       naive_inv_setup, naive_inv_read};
