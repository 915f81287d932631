/* way_naive.c - cache-aside as most shops write it, on redis-server or
 * surge-server: GET; on a miss, the origin and SETEX. Every shopper who
 * misses calls the origin. Buying: GET the stock, if > 0 DECR it; between
 * the two another shopper may take the last unit, so it can oversell. */
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
    freeReplyObject(shopper_cache_cmd(s, "DECR %s", FS_SKU_KEY)); /* the unit is "held" */
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

static int naive_inv_setup(redisContext *c, int stock)
{
    redisReply *r = redisCommand(c, "SET %s %d", FS_SKU_KEY, stock);
    bool ok = r != NULL && r->type == REDIS_REPLY_STATUS;
    freeReplyObject(r);
    freeReplyObject(redisCommand(c, "DEL %s", FS_SOLD_KEY));
    return ok ? 0 : -1;
}

static int naive_inv_read(redisContext *c, int stock, const struct st_counts *cnt,
                          struct inv_result *out)
{
    redisReply *r = redisCommand(c, "GET %s", FS_SKU_KEY);
    out->available = int_reply(r, 0);
    freeReplyObject(r);
    r = redisCommand(c, "GET %s", FS_SOLD_KEY);
    out->sold = int_reply(r, 0);
    freeReplyObject(r);
    out->held = 0;
    out->oversold = out->sold > stock ? out->sold - stock : 0;
    out->returned = (long long)cnt->returned_app;
    return 0;
}

const struct way_ops way_naive_ops = {naive_fetch, naive_buy, naive_inv_setup, naive_inv_read};
