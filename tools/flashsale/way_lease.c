/* way_lease.c - Surge's way: CACHE.GET with LEASE and WAIT (one caller
 * loads a missing key, the others wait for its CACHE.FILL), a stale
 * window (a stale value is served at once and one caller revalidates),
 * and inventory holds (INV.RESERVE / INV.CONFIRM; an abandoned hold
 * times out and its unit is available again). */
#include "tools/flashsale/ways.h"

#include <stdio.h>
#include <string.h>

#define LEASE_MS 5000
#define WAIT_MS 2000
#define LEASE_TRIES 5

/* Load key from the origin and CACHE.FILL it under the lease token. */
static int lease_load_fill(struct shopper *s, enum fs_resource res, const char *key,
                           const char *token, int64_t *served_us)
{
    redisReply *v = shopper_origin_load(s, res, key);
    if (v == NULL) {
        return -1;
    }
    if (served_us != NULL) {
        *served_us = fs_now_us();
    }
    const struct fs_resource_def *d = &fs_resources[res];
    redisReply *r = d->swr_s > 0
                        ? shopper_cache_cmd(s, "CACHE.FILL %s %s %b EX %d SWR %d", key, token,
                                            v->str, v->len, d->ttl_s, d->swr_s)
                        : shopper_cache_cmd(s, "CACHE.FILL %s %s %b EX %d", key, token, v->str,
                                            v->len, d->ttl_s);
    /* -LEASE (superseded) is not the shopper's problem: it has its value */
    bool ok = r != NULL && (r->type == REDIS_REPLY_STATUS || r->type == REDIS_REPLY_ERROR);
    freeReplyObject(r);
    freeReplyObject(v);
    return ok ? 0 : -1;
}

static bool is_status(const redisReply *r, const char *status)
{
    const redisReply *e = r->element[1];
    return e->type == REDIS_REPLY_STRING && strcmp(e->str, status) == 0;
}

static int lease_fetch(struct shopper *s, enum fs_resource res, const char *key,
                       int64_t *served_us)
{
    for (int i = 0; i < LEASE_TRIES; i++) {
        redisReply *r = shopper_cache_cmd(s, "CACHE.GET %s LEASE %d WAIT %d", key, LEASE_MS,
                                          WAIT_MS);
        if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 4) {
            freeReplyObject(r);
            return -1;
        }
        char token[64] = "";
        if (r->element[2]->type == REDIS_REPLY_STRING && r->element[2]->len < sizeof(token)) {
            memcpy(token, r->element[2]->str, r->element[2]->len + 1);
        }
        bool hit = is_status(r, "hit"), stale = is_status(r, "stale");
        bool win = is_status(r, "win");
        freeReplyObject(r);
        if (hit || stale) {
            *served_us = fs_now_us();
            st_add(stale ? &s->run->st->c.stale[res] : &s->run->st->c.waited[res], stale);
            /* the one stale reader with a token revalidates, after serving */
            return stale && token[0] ? lease_load_fill(s, res, key, token, NULL) : 0;
        }
        if (win) {
            return lease_load_fill(s, res, key, token, served_us);
        }
        /* "wait": the loader's WAIT ran out; ask again */
    }
    return -1;
}

static void lease_buy(struct shopper *s)
{
    struct st_counts *c = &s->run->st->c;
    char order[64];
    snprintf(order, sizeof(order), "order:%d:%d", s->id, s->attempts);
    redisReply *r = shopper_cache_cmd(s, "INV.RESERVE %s 1 %s HOLD %d", FS_SKU_KEY, order,
                                      s->run->cfg->hold_s);
    bool held = r != NULL && r->type == REDIS_REPLY_INTEGER;
    bool soldout = r != NULL && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "SOLDOUT", 7) == 0;
    freeReplyObject(r);
    if (!held) {
        st_add(soldout ? &c->soldout : &c->errors, 1);
        shopper_retry_later(s);
        return;
    }
    __atomic_store_n(&s->run->last_hold_us, fs_now_us(), __ATOMIC_RELAXED);
    st_add(&c->holds, 1);
    shopper_checkout_pause(s);
    s->done_buying = true;
    if (!shopper_pays(s)) {
        st_add(&c->abandoned, 1); /* walks away: the hold times out */
        return;
    }
    r = shopper_cache_cmd(s, "INV.CONFIRM %s %s", FS_SKU_KEY, order);
    if (r != NULL && r->type == REDIS_REPLY_INTEGER) {
        st_add(&c->confirmed, (uint64_t)r->integer);
    } else {
        st_add(&c->confirm_late, 1); /* the hold ran out first */
    }
    freeReplyObject(r);
}

static int lease_inv_setup(redisContext *c, int stock)
{
    redisReply *r = redisCommand(c, "INV.SET %s %d", FS_SKU_KEY, stock);
    bool ok = r != NULL && r->type == REDIS_REPLY_STATUS;
    freeReplyObject(r);
    return ok ? 0 : -1;
}

/* INV.GET after every hold has been confirmed or has timed out: the units
 * of the abandoned holds must be available again. */
static int lease_inv_read(redisContext *c, int stock, const struct st_counts *cnt,
                          struct inv_result *out)
{
    redisReply *r = redisCommand(c, "INV.GET %s", FS_SKU_KEY);
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
        freeReplyObject(r);
        return -1;
    }
    out->available = r->element[0]->integer;
    out->held = r->element[1]->integer;
    out->sold = r->element[2]->integer;
    freeReplyObject(r);
    out->oversold = out->sold > stock ? out->sold - stock : 0;
    /* every hold took a unit; those not sold and no longer held are back */
    out->returned = (long long)cnt->holds - out->sold - out->held;
    return 0;
}

const struct way_ops way_lease_ops = {lease_fetch, lease_buy, lease_inv_setup, lease_inv_read};
