/* unit.c - libsurge's pure parts: key templates, the policy table's JSON,
 * CACHE.POLICY rows, reply parsing (replies built by hiredis's reader from
 * RESP bytes), options, and the loader paths that need no server (bypass,
 * loader errors, a refused connection). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_IMPLEMENTATION
#include "client/policy.h"
#include "client/reply.h"
#include "client/surge.h"
#include "tests/test.h"

static const char sample_policy[] =
    "{\"schema_version\":3,\"resources\":{"
    "\"product\":{\"key\":\"product:{sku}\",\"ttl\":10,\"swr\":30,\"tags\":[\"sku:{sku}\","
    "\"catalog\"],\"lease\":5000},"
    "\"shipping\":{\"key\":\"ship:{zip3}:{device}\",\"ttl\":5},"
    "\"payment\":{\"key\":\"pay:{order}\",\"bypass\":true}}}";

/* ---- templates ---- */

static void test_template_fields(void)
{
    const struct surge_field f[] = {{"zip3", "941"}, {"device", "mobile"}, {"sku", "42"}};
    char out[64];
    CHECK_INT(surge_template_expand("ship:{zip3}:{device}", f, 3, out, sizeof(out)), 15);
    CHECK_STR(out, "ship:941:mobile");
    CHECK_INT(surge_template_expand("{sku}", f, 3, out, sizeof(out)), 2);
    CHECK_STR(out, "42");
    CHECK_INT(surge_template_expand("catalog", NULL, 0, out, sizeof(out)), 7);
    CHECK_STR(out, "catalog");
    CHECK_INT(surge_template_expand("{sku}{sku}-x", f, 3, out, sizeof(out)), 6);
    CHECK_STR(out, "4242-x");
}

static void test_template_errors(void)
{
    const struct surge_field f[] = {{"zip3", "941"}};
    char out[16];
    CHECK_INT(surge_template_expand("ship:{zip3}:{device}", f, 1, out, sizeof(out)), -EINVAL);
    CHECK(strstr(surge_last_error(), "'device'") != NULL);
    CHECK_INT(surge_template_expand("a:{zip3", f, 1, out, sizeof(out)), -EINVAL);
    CHECK_INT(surge_template_expand("a:{}", f, 1, out, sizeof(out)), -EINVAL);
    CHECK_INT(surge_template_expand("a:zip3}", f, 1, out, sizeof(out)), -EINVAL);
    CHECK_INT(surge_template_expand("a:{{zip3}}", f, 1, out, sizeof(out)), -EINVAL);
    /* The key and its NUL must fit: 15 characters fit in 16, 16 do not. */
    CHECK_INT(surge_template_expand("0123456789abcde", NULL, 0, out, sizeof(out)), 15);
    CHECK_INT(surge_template_expand("0123456789abcdef", NULL, 0, out, sizeof(out)), -ENOSPC);
    CHECK_INT(surge_template_expand("0123456789abc{zip3}", f, 1, out, sizeof(out)), -ENOSPC);
    CHECK_INT(surge_template_expand(NULL, f, 1, out, sizeof(out)), -EINVAL);
}

static void test_template_pattern(void)
{
    char *p = sg_template_pattern("ship:{zip3}:{device}", "");
    CHECK_STR(p, "ship:*:*");
    free(p);
    p = sg_template_pattern("product:{sku}", "v3:");
    CHECK_STR(p, "v3:product:*");
    free(p);
    p = sg_template_pattern("catalog", "");
    CHECK_STR(p, "catalog");
    free(p);
}

/* ---- the policy table ---- */

static void test_policy_sample(void)
{
    struct surge_policy *p;
    char err[200] = "";
    CHECK_INT(surge_policy_parse(sample_policy, strlen(sample_policy), &p, err, sizeof(err)), 0);
    CHECK_STR(err, "");
    CHECK_INT(surge_policy_schema_version(p), 3);
    CHECK_INT(surge_policy_count(p), 3);
    struct surge_get_opts o;
    CHECK_INT(surge_policy_opts(p, "product", &o), 0);
    CHECK_INT(o.ttl_s, 10);
    CHECK_INT(o.swr_s, 30);
    CHECK_INT(o.lease_ms, 5000);
    CHECK_INT(o.ntags, 2);
    CHECK_STR(o.tags[0], "sku:{sku}");
    CHECK_STR(o.tags[1], "catalog");
    CHECK(!o.bypass);
    CHECK_INT(surge_policy_opts(p, "shipping", &o), 0);
    CHECK_INT(o.ttl_s, 5);
    CHECK_INT(o.swr_s, 0);
    CHECK_INT(o.lease_ms, 5000); /* the default */
    CHECK_INT(surge_policy_opts(p, "payment", &o), 0);
    CHECK(o.bypass);
    CHECK_INT(surge_policy_opts(p, "nope", &o), -ENOENT);
    const struct surge_field f[] = {{"zip3", "100"}, {"device", "tablet"}};
    char key[64];
    CHECK_INT(surge_policy_key(p, "shipping", f, 2, key, sizeof(key)), 15);
    CHECK_STR(key, "ship:100:tablet");
    CHECK_INT(surge_policy_key(p, "nope", f, 2, key, sizeof(key)), -ENOENT);
    surge_policy_free(&p);
    CHECK(p == NULL);
    surge_policy_free(&p);
}

/* Each malformed table: the error names the field. */
static void test_policy_errors(void)
{
    static const struct {
        const char *json, *want;
    } bad[] = {
        {"{\"resources\":{\"p\":{\"key\":\"p:{id}\",\"ttl\":\"10\"}}}", "resources.p.ttl: must be"},
        {"{\"resources\":{\"p\":{\"key\":\"p:{id}\",\"ttl\":0}}}", "resources.p.ttl: must be"},
        {"{\"resources\":{\"p\":{\"key\":\"p:{id}\",\"ttl\":1.5}}}", "resources.p.ttl: must be"},
        {"{\"resources\":{\"p\":{\"key\":\"p:{id}\",\"swr\":-1}}}", "resources.p.swr: must be"},
        {"{\"resources\":{\"p\":{\"key\":\"p:{id}\",\"lease\":true}}}", "resources.p.lease:"},
        {"{\"resources\":{\"p\":{\"key\":\"p:{id}\",\"tll\":5}}}", "resources.p.tll: unknown field"},
        {"{\"resources\":{\"p\":{\"ttl\":5}}}", "resources.p.key: missing"},
        {"{\"resources\":{\"p\":{\"key\":5}}}", "resources.p.key: must be a string"},
        {"{\"resources\":{\"p\":{\"key\":\"p:{id\"}}}", "resources.p.key: unbalanced"},
        {"{\"resources\":{\"p\":{\"key\":\"\"}}}", "resources.p.key: must not be empty"},
        {"{\"resources\":{\"p\":{\"key\":\"k\",\"tags\":\"t\"}}}", "resources.p.tags: must be an"},
        {"{\"resources\":{\"p\":{\"key\":\"k\",\"tags\":[\"a\",3]}}}", "resources.p.tags[1]:"},
        {"{\"resources\":{\"p\":{\"key\":\"k\",\"bypass\":1}}}", "resources.p.bypass: must be"},
        {"{\"resources\":{\"p\":{\"key\":\"k\",\"tags\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\","
         "\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\",\"18\","
         "\"19\",\"20\",\"21\",\"22\",\"23\",\"24\",\"25\",\"26\",\"27\",\"28\",\"29\",\"30\","
         "\"31\",\"32\",\"33\"]}}}", "resources.p.tags: at most 32 tags"},
        {"{\"resources\":{\"p\":{\"key\":\"k\",\"ttl\":90,\"maxttl\":60}}}", "resources.p.ttl: 90"},
        {"{\"resources\":{\"p\":[]}}", "resources.p: must be an object"},
        {"{\"resources\":[]}", "resources: must be an object"},
        {"{\"schema_version\":3}", "resources: missing"},
        {"{\"schema_version\":-1,\"resources\":{}}", "schema_version: must be"},
        {"{\"resources\":{},\"extra\":1}", "extra: unknown field"},
        {"{\"resources\":{\"p\":{\"key\":\"a\"},\"p\":{\"key\":\"b\"}}}", "resources.p: defined twice"},
        {"[1]", "policy: must be a JSON object"},
        {"{\"resources\":{\"p\":{\"key\":", "policy: invalid JSON near byte"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct surge_policy *p = (struct surge_policy *)1;
        char err[200] = "";
        int rc = surge_policy_parse(bad[i].json, strlen(bad[i].json), &p, err, sizeof(err));
        if (rc != -EINVAL || p != NULL || strncmp(err, bad[i].want, strlen(bad[i].want)) != 0) {
            fprintf(stderr, "  %s: rc %d, err \"%s\", want \"%s\"\n", bad[i].json, rc, err,
                    bad[i].want);
            test_failures_in_case++;
        }
        CHECK_STR(surge_last_error(), err);
    }
}

static void test_policy_file(void)
{
    char path[] = "/tmp/surge-policy-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(write(fd, sample_policy, strlen(sample_policy)) == (ssize_t)strlen(sample_policy));
    close(fd);
    struct surge_policy *p = NULL;
    char err[200];
    CHECK_INT(surge_policy_load_file(path, &p, err, sizeof(err)), 0);
    CHECK_INT(surge_policy_count(p), 3);
    surge_policy_free(&p);
    unlink(path);
    CHECK_INT(surge_policy_load_file(path, &p, err, sizeof(err)), -ENOENT);
    CHECK(strstr(err, path) != NULL);
    CHECK(p == NULL);
}

static void test_policy_rows(void)
{
    struct surge_policy *p;
    CHECK_INT(surge_policy_parse(sample_policy, strlen(sample_policy), &p, NULL, 0), 0);
    const char *argv[SG_POLICY_ARGV];
    char num[SG_POLICY_ARGV * 24], flat[256];
    const char *want[] = {"CACHE.POLICY SET product:* TTL 10 SWR 30 LEASE 5000",
                          "CACHE.POLICY SET ship:*:* TTL 5", "CACHE.POLICY SET pay:* BYPASS"};
    const char *names[] = {"product", "shipping", "payment"};
    for (int i = 0; i < 3; i++) {
        const struct sg_resource *r = sg_policy_find(p, names[i]);
        char *pattern = sg_template_pattern(r->key, "");
        int argc = sg_policy_row(r, pattern, argv, num);
        size_t n = 0;
        for (int k = 0; k < argc; k++) {
            n += (size_t)snprintf(flat + n, sizeof(flat) - n, "%s%s", k ? " " : "", argv[k]);
        }
        CHECK_STR(flat, want[i]);
        free(pattern);
    }
    surge_policy_free(&p);
}

/* ---- replies ---- */

/* A reply parsed from RESP bytes; the caller frees it. */
static redisReply *resp(const char *bytes)
{
    redisReader *rd = redisReaderCreate();
    void *r = NULL;
    redisReaderFeed(rd, bytes, strlen(bytes));
    if (redisReaderGetReply(rd, &r) != REDIS_OK) {
        r = NULL;
    }
    redisReaderFree(rd);
    return r;
}

static void test_reply_cache_get(void)
{
    struct sg_cache_reply cr;
    redisReply *r = resp("*4\r\n$4\r\n{..}\r\n$3\r\nhit\r\n$-1\r\n:9500\r\n");
    CHECK_INT(sg_parse_cache_get(r, &cr), 0);
    CHECK_INT(cr.status, SG_CACHE_HIT);
    CHECK_MEM(cr.value, cr.len, "{..}", 4);
    CHECK(cr.token == NULL);
    CHECK_INT(cr.ttl_ms, 9500);
    freeReplyObject(r);
    r = resp("*4\r\n$1\r\nv\r\n$5\r\nstale\r\n$4\r\nabcd\r\n:0\r\n");
    CHECK_INT(sg_parse_cache_get(r, &cr), 0);
    CHECK_INT(cr.status, SG_CACHE_STALE);
    CHECK_STR(cr.token, "abcd");
    freeReplyObject(r);
    r = resp("*4\r\n$-1\r\n$3\r\nwin\r\n$4\r\nabcd\r\n:0\r\n");
    CHECK_INT(sg_parse_cache_get(r, &cr), 0);
    CHECK_INT(cr.status, SG_CACHE_WIN);
    CHECK(cr.value == NULL);
    freeReplyObject(r);
    r = resp("*4\r\n$-1\r\n$4\r\nwait\r\n$-1\r\n:0\r\n");
    CHECK_INT(sg_parse_cache_get(r, &cr), 0);
    CHECK_INT(cr.status, SG_CACHE_WAIT);
    freeReplyObject(r);
    /* An empty value is a value. */
    r = resp("*4\r\n$0\r\n\r\n$3\r\nhit\r\n$-1\r\n:-1\r\n");
    CHECK_INT(sg_parse_cache_get(r, &cr), 0);
    CHECK_INT(cr.len, 0);
    CHECK_INT(cr.ttl_ms, -1);
    freeReplyObject(r);
}

static void test_reply_cache_get_malformed(void)
{
    static const char *const bad[] = {
        "*3\r\n$1\r\nv\r\n$3\r\nhit\r\n$-1\r\n",             /* 3 elements */
        "*4\r\n$1\r\nv\r\n$4\r\nmiss\r\n$-1\r\n:0\r\n",       /* unknown status */
        "*4\r\n$1\r\nv\r\n$3\r\nhit\r\n$-1\r\n$1\r\n0\r\n",   /* ttl not an integer */
        "*4\r\n$-1\r\n$3\r\nhit\r\n$-1\r\n:0\r\n",            /* hit without a value */
        "*4\r\n$-1\r\n$3\r\nwin\r\n$-1\r\n:0\r\n",            /* win without a token */
        "*4\r\n$1\r\nv\r\n$4\r\nwait\r\n$-1\r\n:0\r\n",       /* wait with a value */
        "*4\r\n:1\r\n$3\r\nhit\r\n$-1\r\n:0\r\n",             /* value an integer */
        "$3\r\nhit\r\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct sg_cache_reply cr;
        redisReply *r = resp(bad[i]);
        CHECK(r != NULL);
        CHECK_INT(sg_parse_cache_get(r, &cr), -EPROTO);
        freeReplyObject(r);
    }
    struct sg_cache_reply cr;
    CHECK_INT(sg_parse_cache_get(NULL, &cr), -EPROTO);
}

static void test_reply_errors(void)
{
    CHECK_INT(sg_error_code("BYPASS key 'pay:1' matches the never-cache policy 'pay:*'"),
              SURGE_EBYPASS);
    CHECK_INT(sg_error_code("LEASE the lease expired or another writer superseded it"),
              SURGE_ELEASE);
    CHECK_INT(sg_error_code("STALEVERSION version 3 is older than the stored 4"),
              SURGE_ESTALEVER);
    CHECK_INT(sg_error_code("ERR unknown command 'CACHE.GET', with args beginning with: "),
              -ENOTSUP);
    CHECK_INT(sg_error_code("NOHOLD no such hold (never made, released or expired)"), -ENOENT);
    CHECK_INT(sg_error_code("NOAUTH Authentication required."), -EACCES);
    CHECK_INT(sg_error_code("WRONGTYPE Operation against a key holding the wrong kind of value"),
              SURGE_EREPLY);
    CHECK_INT(sg_error_code("BYPASSED"), SURGE_EREPLY);
    CHECK_STR(surge_strerror(SURGE_EBYPASS), "the key matches a never-cache policy");
    CHECK_STR(surge_strerror(-ETIMEDOUT), strerror(ETIMEDOUT));
    CHECK_STR(surge_strerror(-99999), "unknown error");
}

static void test_reply_soldout(void)
{
    long long n = -1;
    CHECK_INT(sg_parse_soldout("SOLDOUT only 12 left", &n), 0);
    CHECK_INT(n, 12);
    CHECK_INT(sg_parse_soldout("SOLDOUT only 0 left", &n), 0);
    CHECK_INT(n, 0);
    CHECK_INT(sg_parse_soldout("SOLDOUT only left", &n), -EINVAL);
    CHECK_INT(sg_parse_soldout("SOLDOUT only 12", &n), -EINVAL);
    CHECK_INT(sg_parse_soldout("SOLDOUT only -1 left", &n), -EINVAL);
    CHECK_INT(sg_parse_soldout("ERR only 3 left", &n), -EINVAL);
    CHECK_INT(sg_parse_soldout("SOLDOUT only 99999999999999999999 left", &n), -EINVAL);

    struct surge_reservation res;
    redisReply *r = resp(":499\r\n");
    CHECK_INT(sg_parse_reserve(r, 1, &res), 0);
    CHECK(res.reserved && !res.soldout);
    CHECK_INT(res.held, 1);
    CHECK_INT(res.available, 499);
    freeReplyObject(r);
    r = resp("-SOLDOUT only 3 left\r\n");
    CHECK_INT(sg_parse_reserve(r, 5, &res), 0);
    CHECK(!res.reserved && res.soldout);
    CHECK_INT(res.held, 0);
    CHECK_INT(res.available, 3);
    freeReplyObject(r);
    r = resp("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n");
    CHECK_INT(sg_parse_reserve(r, 5, &res), SURGE_EREPLY);
    freeReplyObject(r);
}

static void test_reply_throttle_inventory(void)
{
    struct surge_throttle_result t;
    redisReply *r = resp("*5\r\n:0\r\n:20\r\n:19\r\n:-1\r\n:1\r\n");
    CHECK_INT(sg_parse_throttle(r, &t), 0);
    CHECK(t.allowed);
    CHECK_INT(t.limit, 20);
    CHECK_INT(t.remaining, 19);
    CHECK_INT(t.retry_after_s, -1);
    CHECK_INT(t.reset_after_s, 1);
    freeReplyObject(r);
    r = resp("*5\r\n:1\r\n:20\r\n:0\r\n:3\r\n:60\r\n");
    CHECK_INT(sg_parse_throttle(r, &t), 0);
    CHECK(!t.allowed);
    CHECK_INT(t.retry_after_s, 3);
    freeReplyObject(r);
    r = resp("*4\r\n:1\r\n:20\r\n:0\r\n:3\r\n");
    CHECK_INT(sg_parse_throttle(r, &t), -EPROTO);
    freeReplyObject(r);
    struct surge_inventory inv;
    r = resp("*3\r\n:499\r\n:0\r\n:1\r\n");
    CHECK_INT(sg_parse_inventory(r, &inv), 0);
    CHECK_INT(inv.available, 499);
    CHECK_INT(inv.held, 0);
    CHECK_INT(inv.sold, 1);
    freeReplyObject(r);
    r = resp("*3\r\n:499\r\n$1\r\n0\r\n:1\r\n");
    CHECK_INT(sg_parse_inventory(r, &inv), -EPROTO);
    freeReplyObject(r);
}

/* ---- options and the paths that need no server ---- */

static void test_options(void)
{
    struct surge_options o;
    struct surge *s = (struct surge *)1;
    surge_options_init(&o);
    CHECK_STR(o.host, "127.0.0.1");
    CHECK_INT(o.port, 6379);
    o.pool_size = 0;
    CHECK_INT(surge_new(&o, &s), -EINVAL);
    CHECK(s == NULL);
    CHECK(strstr(surge_last_error(), "pool_size") != NULL);
    surge_options_init(&o);
    o.port = 70000;
    CHECK_INT(surge_new(&o, &s), -EINVAL);
    surge_options_init(&o);
    o.username = "u";
    CHECK_INT(surge_new(&o, &s), -EINVAL);
    surge_options_init(&o);
    CHECK_INT(surge_new(&o, &s), 0);
    surge_free(&s);
    CHECK(s == NULL);
    surge_free(&s);
    surge_free(NULL);

    struct surge_get_opts g;
    surge_get_opts_init(&g);
    CHECK_INT(g.ttl_s, 60);
    CHECK_INT(g.version, -1);
}

struct fake {
    int calls;
    int fail;
    const char *seen_key;
    const char *seen_zip;
};

static int fake_loader(void *arg, const char *key, struct surge_load *ld)
{
    struct fake *f = arg;
    f->calls++;
    f->seen_key = key;
    f->seen_zip = surge_load_field(ld, "zip3");
    if (f->fail) {
        return f->fail;
    }
    char v[64];
    int n = snprintf(v, sizeof(v), "value of %s", key);
    return surge_load_set(ld, v, (size_t)n);
}

/* A pool on a port nobody listens on: bypass never touches the server. */
static struct surge *closed_port_pool(void)
{
    struct surge_options o;
    surge_options_init(&o);
    o.port = 1; /* never listening on loopback in a test box */
    o.connect_timeout_ms = 500;
    struct surge *s = NULL;
    CHECK_INT(surge_new(&o, &s), 0);
    return s;
}

static void test_bypass_without_server(void)
{
    struct surge *s = closed_port_pool();
    struct fake f = {0};
    struct surge_get_opts g;
    surge_get_opts_init(&g);
    g.bypass = true;
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "pay:1", fake_loader, &f, &g, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_BYPASS);
    CHECK_STR(r.value, "value of pay:1");
    CHECK_INT(f.calls, 1);
    surge_result_free(&r);
    f.fail = -EHOSTUNREACH;
    CHECK_INT(surge_get_or_load(s, "pay:1", fake_loader, &f, &g, &r), -EHOSTUNREACH);
    CHECK(r.value == NULL);
    /* A bypass resource of the table: same, and the loader sees the fields. */
    struct surge_policy *p;
    CHECK_INT(surge_policy_parse(sample_policy, strlen(sample_policy), &p, NULL, 0), 0);
    CHECK_INT(surge_set_policy(s, p), 0);
    f.fail = 0;
    const struct surge_field fields[] = {{"order", "77"}, {"zip3", "941"}};
    CHECK_INT(surge_get_resource(s, "payment", fields, 2, fake_loader, &f, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_BYPASS);
    CHECK_STR(f.seen_zip, "941");
    CHECK_STR(r.value, "value of pay:77");
    CHECK_STR(r.key, "pay:77");
    surge_result_free(&r);
    CHECK_INT(surge_get_resource(s, "payment", fields, 1 - 1, fake_loader, &f, &r), -EINVAL);
    CHECK(strstr(surge_last_error(), "'order'") != NULL);
    CHECK_INT(surge_get_resource(s, "nope", fields, 2, fake_loader, &f, &r), -ENOENT);
    surge_free(&s);
}

static void test_connection_refused(void)
{
    struct surge *s = closed_port_pool();
    struct fake f = {0};
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "k", fake_loader, &f, NULL, &r), -ECONNREFUSED);
    CHECK_INT(f.calls, 0);
    CHECK(strstr(surge_last_error(), "connect 127.0.0.1:1") != NULL);
    CHECK_INT(surge_inv_set(s, "sku", 1), -ECONNREFUSED);
    surge_free(&s);
}

static const struct test_case cases[] = {
    TEST(test_template_fields),
    TEST(test_template_errors),
    TEST(test_template_pattern),
    TEST(test_policy_sample),
    TEST(test_policy_errors),
    TEST(test_policy_file),
    TEST(test_policy_rows),
    TEST(test_reply_cache_get),
    TEST(test_reply_cache_get_malformed),
    TEST(test_reply_errors),
    TEST(test_reply_soldout),
    TEST(test_reply_throttle_inventory),
    TEST(test_options),
    TEST(test_bypass_without_server),
    TEST(test_connection_refused),
};

int main(int argc, char **argv)
{
    return test_run(cases, TEST_COUNT(cases), argc, argv);
}
