/* test_plain.c - the fallback against Debian's redis-server: detected as
 * plain Redis, GET / SET NX PX lock / SET PX, one load for a herd while
 * the lock holds, the lock released after a load or a loader error (and a
 * foreign lock never deleted), and what plain Redis cannot do. */
#include <errno.h>
#include <string.h>

#include "tests/client/ctest.h"

static void test_plain_detected(void)
{
    struct surge *s = ct_pool(ct_redis.port, 1);
    enum surge_mode m = SURGE_MODE_AUTO;
    CHECK_INT(surge_server_mode(s, &m), 0);
    CHECK_INT(m, SURGE_MODE_PLAIN);
    surge_free(&s);
}

static void test_plain_load_and_hit(void)
{
    struct surge *s = ct_pool(ct_redis.port, 2);
    struct ct_loader l = {0};
    struct surge_get_opts o;
    surge_get_opts_init(&o);
    o.ttl_s = 30;
    o.swr_s = 60; /* not available: ignored */
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "product:1", ct_load, &l, &o, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_LOADED);
    CHECK(r.filled);
    surge_result_free(&r);
    CHECK_REPLY_STR(h_cmdc(ct_r, "GET product:1"), "loaded:product:1");
    redisReply *ttl = h_cmdc(ct_r, "PTTL product:1");
    CHECK(ttl != NULL && ttl->integer > 25000 && ttl->integer <= 30000);
    freeReplyObject(ttl);
    CHECK_REPLY_INT(h_cmdc(ct_r, "EXISTS lock:product:1"), 0);
    CHECK_INT(surge_get_or_load(s, "product:1", ct_load, &l, &o, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_HIT);
    CHECK_STR(r.value, "loaded:product:1");
    surge_result_free(&r);
    CHECK_INT(l.calls, 1);
    CHECK_INT(surge_cache_set(s, "product:2", "v", 1, &o), 0);
    CHECK_REPLY_STR(h_cmdc(ct_r, "GET product:2"), "v");
    long long n;
    CHECK_INT(surge_cache_purge_tag(s, "catalog", false, &n), -ENOTSUP);
    CHECK_INT(surge_inv_set(s, "sku", 1), -ENOTSUP);
    struct surge_throttle_result t;
    CHECK_INT(surge_throttle(s, "k", 1, 1, 1, 1, &t), -ENOTSUP);
    surge_free(&s);
}

static void test_plain_herd(void)
{
    struct surge *s = ct_pool(ct_redis.port, 8);
    ct_herd_loads_once(s, 16); /* the lock (5 s) outlives the 300 ms load */
    CHECK_REPLY_INT(h_cmdc(ct_r, "EXISTS lock:product:herd"), 0);
    surge_free(&s);
}

static void test_plain_loader_error_unlocks(void)
{
    struct surge *s = ct_pool(ct_redis.port, 1);
    struct ct_loader l = {.fail = -EHOSTDOWN};
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "p:e", ct_load, &l, NULL, &r), -EHOSTDOWN);
    CHECK_REPLY_INT(h_cmdc(ct_r, "EXISTS lock:p:e"), 0);
    CHECK_REPLY_INT(h_cmdc(ct_r, "EXISTS p:e"), 0);
    l.fail = 0;
    CHECK_INT(surge_get_or_load(s, "p:e", ct_load, &l, NULL, &r), 0); /* no waiting on a lock */
    CHECK_INT(r.source, SURGE_SRC_LOADED);
    surge_result_free(&r);
    CHECK_INT(l.calls, 2);
    surge_free(&s);
}

/* Someone else holds the lock and never writes: bounded polling, then a
 * load without writing; their lock is left alone. */
static void test_plain_foreign_lock(void)
{
    struct surge *s = ct_pool(ct_redis.port, 1);
    struct ct_loader l = {0};
    CHECK_REPLY_STATUS(h_cmdc(ct_r, "SET lock:p:f theirs PX 20000"), "OK");
    struct surge_get_opts o;
    surge_get_opts_init(&o);
    o.wait_ms = 100;
    o.wait_retries = 1;
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "p:f", ct_load, &l, &o, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_LOADED);
    CHECK(!r.filled);
    surge_result_free(&r);
    CHECK_REPLY_STR(h_cmdc(ct_r, "GET lock:p:f"), "theirs");
    CHECK_REPLY_INT(h_cmdc(ct_r, "EXISTS p:f"), 0);
    surge_free(&s);
}

static void test_plain_versioned(void)
{
    struct surge_options opt = ct_options(ct_redis.port);
    opt.schema_version = 2;
    opt.mode = SURGE_MODE_PLAIN; /* forced: no detection round trip */
    struct surge *s = ct_pool_opts(&opt);
    struct ct_loader l = {0};
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "cart:1", ct_load, &l, NULL, &r), 0);
    CHECK_STR(r.key, "v2:cart:1");
    CHECK_STR(r.value, "loaded:cart:1");
    surge_result_free(&r);
    CHECK_REPLY_STR(h_cmdc(ct_r, "GET v2:cart:1"), "loaded:cart:1");
    surge_free(&s);
}

CASES_DEFINE(ct_plain_cases,
    TEST(test_plain_detected),
    TEST(test_plain_load_and_hit),
    TEST(test_plain_herd),
    TEST(test_plain_loader_error_unlocks),
    TEST(test_plain_foreign_lock),
    TEST(test_plain_versioned),
);
