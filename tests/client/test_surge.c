/* test_surge.c - get-or-load against surge-server: win and fill, one load
 * for a herd, stale and revalidation, loader errors, waits that run out,
 * lost leases, versioned keys, resources, bypass, CACHE.POLICY. */
#include <errno.h>
#include <string.h>

#include "tests/client/ctest.h"

static const char policy_json[] =
    "{\"schema_version\":3,\"resources\":{"
    "\"product\":{\"key\":\"product:{sku}\",\"ttl\":10,\"swr\":30,\"tags\":[\"sku:{sku}\","
    "\"catalog\"],\"lease\":5000},"
    "\"shipping\":{\"key\":\"ship:{zip3}:{device}\",\"ttl\":5},"
    "\"payment\":{\"key\":\"pay:{order}\",\"bypass\":true}}}";

static void test_win_then_hit(void)
{
    struct surge *s = ct_pool(h_main.port, 2);
    struct ct_loader l = {0};
    static const char *const tags[] = {"sku:1", "catalog"};
    struct surge_get_opts o;
    surge_get_opts_init(&o);
    o.ttl_s = 30;
    o.swr_s = 60;
    o.tags = tags;
    o.ntags = 2;
    o.version = 7;
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "product:1", ct_load, &l, &o, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_LOADED);
    CHECK(r.filled);
    CHECK_INT(r.fill_err, 0);
    CHECK_STR(r.value, "loaded:product:1");
    CHECK_STR(r.key, "product:1");
    surge_result_free(&r);
    enum surge_mode m;
    CHECK_INT(surge_server_mode(s, &m), 0);
    CHECK_INT(m, SURGE_MODE_SURGE);
    /* In the server: an entry with its version and tags; a plain hit now. */
    EXPECT_STR("7", "HGET product:1 ver");
    EXPECT_STR("sku:1,catalog", "HGET product:1 tags");
    CHECK_INT(surge_get_or_load(s, "product:1", ct_load, &l, &o, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_HIT);
    CHECK_STR(r.value, "loaded:product:1");
    CHECK(r.ttl_ms > 25000 && r.ttl_ms <= 30000);
    surge_result_free(&r);
    CHECK_INT(l.calls, 1);
    long long purged = -1;
    CHECK_INT(surge_cache_purge_tag(s, "catalog", false, &purged), 0);
    CHECK_INT(purged, 1);
    CHECK_INT(surge_get_or_load(s, "product:1", ct_load, &l, &o, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_LOADED);
    surge_result_free(&r);
    CHECK_INT(l.calls, 2);
    struct surge_stats st;
    surge_stats_get(s, &st);
    CHECK_INT(st.loads, 2);
    CHECK_INT(st.fills, 2);
    surge_free(&s);
}

/* 24 threads on 8 connections miss one key: the loader runs once; every
 * caller gets its value. */
static void test_herd_loads_once(void)
{
    struct surge *s = ct_pool(h_main.port, 8);
    ct_herd_loads_once(s, 24);
    surge_free(&s);
}

/* Made stale with CACHE.PURGE ... SOFT (no sleeping): the one caller that
 * gets the token reloads before returning; a caller without it gets the
 * stale value at once. */
static void test_stale_revalidates(void)
{
    struct surge *s = ct_pool(h_main.port, 2);
    struct ct_loader l = {.prefix = "v2"};
    OK("CACHE.SET product:5 v1 EX 30 SWR 60 TAG sku:5");
    EXPECT_INT(1, "CACHE.PURGE TAG sku:5 SOFT");
    static const char *const tags[] = {"sku:5"};
    struct surge_get_opts o;
    surge_get_opts_init(&o);
    o.swr_s = 60;
    o.tags = tags;
    o.ntags = 1;
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "product:5", ct_load, &l, &o, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_LOADED);
    CHECK(r.revalidated && r.filled);
    CHECK_STR(r.value, "v2:product:5");
    surge_result_free(&r);
    CHECK_INT(l.calls, 1);
    EXPECT_STR("v2:product:5", "HGET product:5 v");

    /* Another client holds the revalidation token: stale, no load here. */
    EXPECT_INT(1, "CACHE.PURGE TAG sku:5 SOFT");
    freeReplyObject(h_cmd("CACHE.GET product:5"));
    CHECK_INT(surge_get_or_load(s, "product:5", ct_load, &l, &o, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_STALE);
    CHECK(!r.revalidated);
    CHECK_STR(r.value, "v2:product:5");
    surge_result_free(&r);
    CHECK_INT(l.calls, 1);
    surge_free(&s);
}

static void test_stale_deferred_revalidation(void)
{
    struct surge *s = ct_pool(h_main.port, 1);
    struct ct_loader l = {.prefix = "new"};
    OK("CACHE.SET p:9 old EX 30 SWR 60 TAG t9");
    EXPECT_INT(1, "CACHE.PURGE TAG t9 SOFT");
    struct surge_get_opts o;
    surge_get_opts_init(&o);
    o.defer_revalidate = true;
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "p:9", ct_load, &l, &o, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_STALE);
    CHECK_STR(r.value, "old");
    CHECK(r.token != NULL);
    CHECK_INT(l.calls, 0);
    CHECK_INT(surge_revalidate(s, &r, ct_load, &l, &o), 0);
    CHECK_INT(r.source, SURGE_SRC_LOADED);
    CHECK(r.revalidated && r.filled && r.token == NULL);
    CHECK_STR(r.value, "new:p:9");
    CHECK_INT(surge_revalidate(s, &r, ct_load, &l, &o), -EINVAL); /* token used up */
    surge_result_free(&r);
    EXPECT_STR("new:p:9", "HGET p:9 v");
    surge_free(&s);
}

/* A failing loader: its error on a miss; the stale value (marked) when
 * there is one. */
static void test_loader_error(void)
{
    struct surge *s = ct_pool(h_main.port, 1);
    struct ct_loader l = {.fail = -EHOSTDOWN};
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "p:err", ct_load, &l, NULL, &r), -EHOSTDOWN);
    CHECK(r.value == NULL && r.key == NULL);
    EXPECT_INT(0, "EXISTS p:err");
    redisReply *g = h_cmd("CACHE.GET p:err"); /* the lease was given back */
    CHECK(g != NULL && g->type == REDIS_REPLY_ARRAY && strcmp(g->element[1]->str, "win") == 0);
    freeReplyObject(g);
    OK("CACHE.SET p:old kept EX 30 SWR 60 TAG told");
    EXPECT_INT(1, "CACHE.PURGE TAG told SOFT");
    CHECK_INT(surge_get_or_load(s, "p:old", ct_load, &l, NULL, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_STALE);
    CHECK_INT(r.loader_err, -EHOSTDOWN);
    CHECK(!r.revalidated);
    CHECK_STR(r.value, "kept");
    surge_result_free(&r);
    CHECK_INT(l.calls, 2);
    surge_free(&s);
}

/* Another client won the lease and never fills: we wait (bounded), then
 * load without filling. */
static void test_wait_runs_out(void)
{
    struct surge *s = ct_pool(h_main.port, 1);
    struct ct_loader l = {0};
    redisReply *w = h_cmd("CACHE.GET p:slow LEASE 20000");
    CHECK(w != NULL && w->type == REDIS_REPLY_ARRAY && strcmp(w->element[1]->str, "win") == 0);
    freeReplyObject(w);
    struct surge_get_opts o;
    surge_get_opts_init(&o);
    o.wait_ms = 100;
    o.wait_retries = 1;
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "p:slow", ct_load, &l, &o, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_LOADED);
    CHECK(!r.filled);
    CHECK_STR(r.value, "loaded:p:slow");
    surge_result_free(&r);
    EXPECT_INT(0, "EXISTS p:slow");
    surge_free(&s);
}

/* The loader outlives its lease: the fill is refused, the value returned. */
static void test_lease_lost(void)
{
    struct surge *s = ct_pool(h_main.port, 1);
    struct ct_loader l = {.sleep_ms = 250};
    struct surge_get_opts o;
    surge_get_opts_init(&o);
    o.lease_ms = 50;
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "p:lease", ct_load, &l, &o, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_LOADED);
    CHECK(!r.filled);
    CHECK_INT(r.fill_err, SURGE_ELEASE);
    CHECK_STR(r.value, "loaded:p:lease");
    surge_result_free(&r);
    surge_free(&s);
}

static int versioned_loader(void *arg, const char *key, struct surge_load *ld)
{
    (void)arg;
    surge_load_version(ld, 3);
    return surge_load_set(ld, key, strlen(key));
}

static void test_versioned_keys(void)
{
    struct surge_options opt = ct_options(h_main.port);
    opt.schema_version = 4;
    struct surge *s = ct_pool_opts(&opt);
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "product:8", versioned_loader, NULL, NULL, &r), 0);
    CHECK_STR(r.value, "product:8"); /* the loader sees the logical key */
    CHECK_STR(r.key, "v4:product:8");
    surge_result_free(&r);
    EXPECT_STR("3", "HGET v4:product:8 ver");
    EXPECT_INT(0, "EXISTS product:8");
    /* A fill older than the stored version is refused, not applied. */
    OK("CACHE.SET v4:product:9 newer VERSION 5");
    CHECK_INT(surge_cache_set(s, "product:9", "older", 5, &(struct surge_get_opts){
                                  .ttl_s = 10, .lease_ms = 1, .version = 4}),
              SURGE_ESTALEVER);
    CHECK(strncmp(surge_last_error(), "STALEVERSION", 12) == 0);
    long long n = 0;
    CHECK_INT(surge_cache_del(s, "product:9", &n), 0);
    CHECK_INT(n, 1);
    surge_free(&s);
}

static void test_resources(void)
{
    struct surge *s = ct_pool(h_main.port, 2);
    struct surge_policy *p;
    CHECK_INT(surge_policy_parse(policy_json, strlen(policy_json), &p, NULL, 0), 0);
    CHECK_INT(surge_set_policy(s, p), 0);
    struct ct_loader l = {0};
    const struct surge_field f[] = {{"sku", "42"}, {"zip3", "941"}, {"device", "mobile"},
                                    {"order", "9"}};
    struct surge_result r;
    CHECK_INT(surge_get_resource(s, "product", f, 1, ct_load, &l, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_LOADED);
    CHECK_STR(r.key, "v3:product:42");
    CHECK_STR(r.value, "loaded:product:42");
    surge_result_free(&r);
    EXPECT_STR("sku:42,catalog", "HGET v3:product:42 tags");
    redisReply *ttl = h_cmd("PTTL v3:product:42"); /* ttl 10 + swr 30 */
    CHECK(ttl != NULL && ttl->integer > 35000 && ttl->integer <= 40000);
    freeReplyObject(ttl);
    CHECK_INT(surge_get_resource(s, "shipping", f, 4, ct_load, &l, &r), 0);
    CHECK_STR(r.key, "v3:ship:941:mobile");
    surge_result_free(&r);
    CHECK_INT(surge_get_resource(s, "payment", f, 4, ct_load, &l, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_BYPASS);
    CHECK_STR(r.value, "loaded:pay:9");
    surge_result_free(&r);
    EXPECT_INT(0, "EXISTS v3:pay:9");
    EXPECT_INT(0, "EXISTS pay:9");
    CHECK_INT(surge_get_resource(s, "shipping", f, 1, ct_load, &l, &r), -EINVAL);
    CHECK_INT(l.calls, 3);
    /* Replacing the table while it is in use is safe; the new one rules. */
    const char *small = "{\"resources\":{\"product\":{\"key\":\"item:{sku}\"}}}";
    CHECK_INT(surge_policy_parse(small, strlen(small), &p, NULL, 0), 0);
    CHECK_INT(surge_set_policy(s, p), 0);
    CHECK_INT(surge_get_resource(s, "product", f, 1, ct_load, &l, &r), 0);
    CHECK_STR(r.key, "v3:item:42");
    surge_result_free(&r);
    CHECK_INT(surge_get_resource(s, "payment", f, 4, ct_load, &l, &r), -ENOENT);
    surge_free(&s);
}

/* CACHE.POLICY is being added to the server: push the table and check the
 * server's BYPASS only where the command exists. */
static void test_policy_push(void)
{
    struct surge *s = ct_pool(h_main.port, 1);
    struct surge_policy *p;
    CHECK_INT(surge_policy_parse(policy_json, strlen(policy_json), &p, NULL, 0), 0);
    redisReply *info = h_cmd("COMMAND INFO cache.policy");
    bool has = info != NULL && info->type == REDIS_REPLY_ARRAY && info->elements == 1 &&
               info->element[0]->type == REDIS_REPLY_ARRAY;
    freeReplyObject(info);
    int sent = -1;
    int rc = surge_policy_push(s, p, &sent);
    if (!has) {
        CHECK_INT(rc, -ENOTSUP);
        CHECK_INT(sent, 0);
    } else {
        CHECK_INT(rc, 0);
        CHECK_INT(sent, 3);
        struct ct_loader l = {0};
        struct surge_result r;
        /* pay:* is a never-cache pattern on the server now (v3: prefix as
         * pushed from a table with schema_version 3). */
        struct surge_options opt = ct_options(h_main.port);
        opt.schema_version = 3;
        struct surge *v3 = ct_pool_opts(&opt);
        CHECK_INT(surge_get_or_load(v3, "pay:1", ct_load, &l, NULL, &r), 0);
        CHECK_INT(r.source, SURGE_SRC_BYPASS);
        surge_result_free(&r);
        CHECK_INT(surge_cache_set(v3, "pay:1", "x", 1, NULL), SURGE_EBYPASS);
        surge_free(&v3);
    }
    surge_policy_free(&p);
    surge_free(&s);
}

CASES_DEFINE(ct_surge_cases,
    TEST(test_win_then_hit),
    TEST(test_herd_loads_once),
    TEST(test_stale_revalidates),
    TEST(test_stale_deferred_revalidation),
    TEST(test_loader_error),
    TEST(test_wait_runs_out),
    TEST(test_lease_lost),
    TEST(test_versioned_keys),
    TEST(test_resources),
    TEST(test_policy_push),
);
