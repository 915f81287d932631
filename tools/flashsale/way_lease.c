/* way_lease.c - Surge's way, through libsurge: get-or-load with a lease
 * (one caller loads a missing key, the others wait for its CACHE.FILL) and
 * a stale window (a stale value is served at once and one caller
 * revalidates, after the shopper has it), and inventory holds
 * (INV.RESERVE / INV.CONFIRM; an abandoned hold times out and its unit is
 * available again). Each shopper has its own pool: one connection, as in
 * the naive ways, and room for one caller to block in CACHE.GET WAIT. */
#include "tools/flashsale/ways.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client/surge.h"

#define LEASE_MS 5000
#define WAIT_MS 2000
#define TIMEOUT_MS 10000

static int lease_pool(int port, struct surge **out)
{
    struct surge_options o;
    surge_options_init(&o);
    o.port = port;
    o.pool_size = 2;
    o.connect_timeout_ms = TIMEOUT_MS;
    o.command_timeout_ms = TIMEOUT_MS;
    o.mode = SURGE_MODE_SURGE;
    return surge_new(&o, out);
}

/* The pool connects on first use: PING now, before the clock starts. */
static int lease_open(struct shopper *s)
{
    struct redisReply *r = NULL;
    if (lease_pool(s->run->cache_port, &s->surge) < 0) {
        return -1;
    }
    int rc = surge_command(s->surge, &r, "PING");
    surge_reply_free(r);
    return rc == 0 ? 0 : -1;
}

static void lease_close(struct shopper *s)
{
    surge_free(&s->surge);
}

struct load_ctx {
    struct shopper *s;
    enum fs_resource res;
    int64_t loaded_us; /* when the origin answered */
};

static int load_from_origin(void *arg, const char *key, struct surge_load *ld)
{
    struct load_ctx *ctx = arg;
    redisReply *v = shopper_origin_load(ctx->s, ctx->res, key);
    if (v == NULL) {
        return -EIO;
    }
    ctx->loaded_us = fs_now_us();
    int rc = surge_load_set(ld, v->str, v->len);
    freeReplyObject(v);
    return rc;
}

static int lease_fetch(struct shopper *s, enum fs_resource res, const char *key,
                       int64_t *served_us)
{
    struct surge_get_opts o;
    surge_get_opts_init(&o);
    o.ttl_s = fs_resources[res].ttl_s;
    o.swr_s = fs_resources[res].swr_s;
    o.lease_ms = LEASE_MS;
    o.wait_ms = WAIT_MS;
    o.defer_revalidate = true;
    struct load_ctx ctx = {s, res, 0};
    struct surge_result r;
    if (surge_get_or_load(s->surge, key, load_from_origin, &ctx, &o, &r) < 0) {
        return -1;
    }
    *served_us = r.source == SURGE_SRC_LOADED && ctx.loaded_us ? ctx.loaded_us : fs_now_us();
    struct st_counts *c = &s->run->st->c;
    if (r.source == SURGE_SRC_STALE) {
        st_add(&c->stale[res], 1);
    } else if (r.source == SURGE_SRC_WAITED) {
        st_add(&c->waited[res], 1);
    }
    int rc = 0;
    if (r.token != NULL) { /* this caller revalidates: the shopper already has the value */
        rc = surge_revalidate(s->surge, &r, load_from_origin, &ctx, &o) < 0 ? -1 : 0;
    }
    surge_result_free(&r);
    return rc;
}

static void lease_buy(struct shopper *s)
{
    struct st_counts *c = &s->run->st->c;
    char order[64];
    struct surge_reservation rv;
    snprintf(order, sizeof(order), "order:%d:%d", s->id, s->attempts);
    int rc = surge_inv_reserve(s->surge, FS_SKU_KEY, 1, order, s->run->cfg->hold_s, &rv);
    if (rc < 0 || !rv.reserved) {
        st_add(rc == 0 && rv.soldout ? &c->soldout : &c->errors, 1);
        shopper_retry_later(s);
        return;
    }
    __atomic_store_n(&s->run->last_hold_us, fs_now_us(), __ATOMIC_RELAXED);
    st_add(&c->holds, 1);
    shopper_checkout_lookups(s);
    shopper_checkout_pause(s);
    s->done_buying = true;
    if (!shopper_pays(s)) {
        st_add(&c->abandoned, 1); /* walks away: the hold times out */
        return;
    }
    long long sold = 0;
    rc = surge_inv_confirm(s->surge, FS_SKU_KEY, order, &sold);
    if (rc == 0) {
        st_add(&c->confirmed, (uint64_t)sold);
    } else {
        st_add(rc == -ENOENT ? &c->confirm_late : &c->errors, 1); /* -ENOENT: hold ran out */
    }
}

static int lease_inv_setup(const struct shop_run *run)
{
    struct surge *sg;
    if (lease_pool(run->cache_port, &sg) < 0) {
        return -1;
    }
    int rc = surge_inv_set(sg, FS_SKU_KEY, run->cfg->stock);
    surge_free(&sg);
    return rc == 0 ? 0 : -1;
}

/* INV.GET after every hold has been confirmed or has timed out. */
static int lease_inv_read(const struct shop_run *run, struct inv_result *out)
{
    struct surge *sg;
    struct surge_inventory inv;
    if (lease_pool(run->cache_port, &sg) < 0) {
        return -1;
    }
    int rc = surge_inv_get(sg, FS_SKU_KEY, &inv);
    surge_free(&sg);
    if (rc < 0) {
        return -1;
    }
    out->available = inv.available;
    out->held = inv.held;
    out->sold = inv.sold;
    out->oversold = out->sold > run->cfg->stock ? out->sold - run->cfg->stock : 0;
    /* every hold took a unit; those not sold and no longer held are back */
    out->returned = (long long)run->st->c.holds - out->sold - out->held;
    return 0;
}

const struct way_ops way_lease_ops = {lease_open,  lease_close,     lease_fetch,
                                      lease_buy,   lease_inv_setup, lease_inv_read};
