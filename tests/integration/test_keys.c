/* Keyspace commands: DEL, EXISTS, KEYS, SCAN, RENAME, COPY, MOVE, the
 * EXPIRE family, TTL, OBJECT, and expiry behaviour with bounded waits. */
#include <stdio.h>
#include <stdlib.h>

#include "tests/integration/harness.h"

static void test_del_exists_unlink_touch_type(void)
{
    OK("MSET a 1 b 2 c 3");
    EXPECT_INT(3, "EXISTS a a b");
    EXPECT_INT(2, "DEL a b nokey");
    EXPECT_INT(1, "UNLINK c");
    EXPECT_INT(0, "EXISTS a b c");
    OK("SET t v");
    EXPECT_INT(1, "TOUCH t nokey");
    EXPECT_STATUS("string", "TYPE t");
    EXPECT_STATUS("none", "TYPE nokey");
}

static bool reply_has(redisReply *r, const char *s)
{
    for (size_t i = 0; r != NULL && i < r->elements; i++) {
        if (r->element[i]->type == REDIS_REPLY_STRING && strcmp(r->element[i]->str, s) == 0) {
            return true;
        }
    }
    return false;
}

static void test_keys_glob(void)
{
    OK("MSET hello 1 hallo 2 hxllo 3 hllo 4 heeeello 5 h[ll]o 6");
    redisReply *r = h_cmd("KEYS h?llo");
    CHECK(r != NULL && r->elements == 3 && reply_has(r, "hello") && reply_has(r, "hallo"));
    freeReplyObject(r);
    r = h_cmd("KEYS h*llo");
    CHECK(r != NULL && r->elements == 5);
    freeReplyObject(r);
    r = h_cmd("KEYS h[ae]llo");
    CHECK(r != NULL && r->elements == 2);
    freeReplyObject(r);
    r = h_cmd("KEYS h[^e]llo");
    CHECK(r != NULL && r->elements == 2 && reply_has(r, "hallo") && reply_has(r, "hxllo"));
    freeReplyObject(r);
    r = h_cmd("KEYS h[a-b]llo");
    CHECK(r != NULL && r->elements == 1 && reply_has(r, "hallo"));
    freeReplyObject(r);
    r = h_cmd("KEYS h\\[ll\\]o");
    CHECK(r != NULL && r->elements == 1 && reply_has(r, "h[ll]o"));
    freeReplyObject(r);
    r = h_cmd("KEYS *");
    CHECK(r != NULL && r->elements == 6);
    freeReplyObject(r);
}

/* Full SCAN while other keys come and go: every key present for the whole
 * scan is returned at least once. */
static void test_scan_guarantee(void)
{
    char key[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof(key), "stable:%d", i);
        freeReplyObject(h_cmd("SET %s x", key));
    }
    static char seen[2000];
    memset(seen, 0, sizeof(seen));
    unsigned long long cursor = 0;
    int rounds = 0, churn = 0;
    do {
        redisReply *r = h_cmd("SCAN %llu COUNT 50", cursor);
        CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
        if (r == NULL || r->elements != 2) {
            freeReplyObject(r);
            break;
        }
        cursor = strtoull(r->element[0]->str, NULL, 10);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            int n;
            if (sscanf(r->element[1]->element[i]->str, "stable:%d", &n) == 1 && n >= 0 &&
                n < 2000) {
                seen[n] = 1;
            }
        }
        freeReplyObject(r);
        for (int k = 0; k < 30; k++, churn++) {
            snprintf(key, sizeof(key), "churn:%d", churn);
            freeReplyObject(h_cmd(churn % 3 == 0 ? "DEL %s" : "SET %s y", key));
        }
    } while (cursor != 0 && ++rounds < 100000);
    int missing = 0;
    for (int i = 0; i < 2000; i++) {
        missing += !seen[i];
    }
    CHECK_INT(missing, 0);
}

static void test_scan_options(void)
{
    OK("MSET user:1 a user:2 b other c");
    redisReply *r = h_cmd("SCAN 0 MATCH user:* COUNT 1000");
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[0]->str, "0") == 0 &&
          r->element[1]->elements == 2);
    freeReplyObject(r);
    r = h_cmd("SCAN 0 TYPE string COUNT 1000");
    CHECK(r != NULL && r->elements == 2 && r->element[1]->elements == 3);
    freeReplyObject(r);
    r = h_cmd("SCAN 0 TYPE hash COUNT 1000");
    CHECK(r != NULL && r->elements == 2 && r->element[1]->elements == 0);
    freeReplyObject(r);
    EXPECT_ERR("ERR invalid cursor", "SCAN abc");
    EXPECT_ERR("ERR syntax error", "SCAN 0 COUNT 0");
    EXPECT_ERR("ERR value is not an integer or out of range", "SCAN 0 COUNT x");
    EXPECT_ERR("ERR syntax error", "SCAN 0 FOO bar");
    EXPECT_ERR("ERR syntax error", "SCAN 0 MATCH");
}

static void test_randomkey(void)
{
    EXPECT_NIL("RANDOMKEY");
    OK("SET only v");
    EXPECT_STR("only", "RANDOMKEY");
}

static void test_rename(void)
{
    EXPECT_ERR("ERR no such key", "RENAME nokey x");
    OK("SET a 1 EX 100");
    OK("SET b 2");
    OK("RENAME a b");
    EXPECT_STR("1", "GET b");
    EXPECT_INT(100, "TTL b");
    EXPECT_INT(0, "EXISTS a");
    OK("RENAME b b");
    EXPECT_ERR("ERR no such key", "RENAMENX nokey x");
    OK("SET c 3");
    EXPECT_INT(0, "RENAMENX b c");
    EXPECT_INT(1, "RENAMENX b d");
    EXPECT_STR("1", "GET d");
    EXPECT_INT(0, "RENAMENX d d");
}

static void test_copy(void)
{
    OK("SET src v EX 100");
    EXPECT_INT(1, "COPY src dst");
    EXPECT_STR("v", "GET dst");
    EXPECT_INT(100, "TTL dst");
    EXPECT_INT(0, "COPY src dst");
    OK("SET src w");
    EXPECT_INT(1, "COPY src dst REPLACE");
    EXPECT_STR("w", "GET dst");
    EXPECT_INT(0, "COPY nokey dst");
    EXPECT_ERR("ERR source and destination objects are the same", "COPY src src");
    EXPECT_INT(1, "COPY src src DB 1");
    OK("SELECT 1");
    EXPECT_STR("w", "GET src");
    OK("SELECT 0");
    EXPECT_ERR("ERR DB index is out of range", "COPY src x DB 99");
    EXPECT_ERR("ERR syntax error", "COPY src x FOO");
}

static void test_move(void)
{
    OK("SET k v");
    EXPECT_INT(1, "MOVE k 1");
    EXPECT_INT(0, "EXISTS k");
    EXPECT_INT(0, "MOVE k 1");
    OK("SELECT 1");
    EXPECT_STR("v", "GET k");
    OK("SELECT 0");
    OK("SET k v2");
    EXPECT_INT(0, "MOVE k 1");
    EXPECT_ERR("ERR source and destination objects are the same", "MOVE k 0");
    EXPECT_ERR("ERR DB index is out of range", "MOVE k 16");
    EXPECT_ERR("ERR value is not an integer or out of range", "MOVE k x");
}

static void test_expire_family(void)
{
    OK("SET k v");
    EXPECT_INT(1, "EXPIRE k 100");
    EXPECT_INT(100, "TTL k");
    EXPECT_INT(1, "PEXPIRE k 200000");
    EXPECT_INT(200, "TTL k");
    EXPECT_INT(1, "EXPIREAT k 99999999999");
    EXPECT_INT(99999999999LL, "EXPIRETIME k");
    EXPECT_INT(1, "PEXPIREAT k 99999999999999");
    EXPECT_INT(99999999999999LL, "PEXPIRETIME k");
    EXPECT_INT(0, "EXPIRE nokey 10");
    EXPECT_INT(-2, "TTL nokey");
    EXPECT_INT(-2, "PTTL nokey");
    EXPECT_INT(-2, "EXPIRETIME nokey");
    EXPECT_INT(1, "PERSIST k");
    EXPECT_INT(0, "PERSIST k");
    EXPECT_INT(-1, "TTL k");
    EXPECT_INT(-1, "PEXPIRETIME k");
    EXPECT_INT(1, "EXPIRE k -1");
    EXPECT_INT(0, "EXISTS k");
    OK("SET k v");
    EXPECT_INT(1, "EXPIREAT k 1");
    EXPECT_INT(0, "EXISTS k");
}

static void test_expire_nx_xx_gt_lt(void)
{
    OK("SET k v");
    EXPECT_INT(0, "EXPIRE k 100 XX");
    EXPECT_INT(0, "EXPIRE k 100 GT");
    EXPECT_INT(1, "EXPIRE k 100 LT");
    EXPECT_INT(0, "EXPIRE k 200 NX");
    EXPECT_INT(1, "EXPIRE k 200 XX");
    EXPECT_INT(0, "EXPIRE k 100 GT");
    EXPECT_INT(1, "EXPIRE k 300 GT");
    EXPECT_INT(0, "EXPIRE k 400 LT");
    EXPECT_INT(1, "EXPIRE k 50 LT");
    EXPECT_INT(50, "TTL k");
    EXPECT_INT(1, "EXPIRE k 60 XX GT");
    EXPECT_ERR("ERR NX and XX, GT or LT options at the same time are not compatible",
               "EXPIRE k 10 NX XX");
    EXPECT_ERR("ERR GT and LT options at the same time are not compatible", "EXPIRE k 10 GT LT");
    EXPECT_ERR("ERR Unsupported option foo", "EXPIRE k 10 foo");
    EXPECT_ERR("ERR value is not an integer or out of range", "EXPIRE k abc");
    EXPECT_ERR("ERR invalid expire time in 'expire' command", "EXPIRE k 9223372036854775807");
    EXPECT_ERR("ERR invalid expire time in 'pexpire' command", "PEXPIRE k 9223372036854775807");
}

static void test_ttl_expires_with_px(void)
{
    OK("SET short v PX 100");
    redisReply *r = h_cmd("PTTL short");
    CHECK(r != NULL && r->integer > 0 && r->integer <= 100);
    freeReplyObject(r);
    CHECK(h_wait_int(0, 3000, "EXISTS short"));
    EXPECT_NIL("GET short");
    /* Active expiry reclaims keys nobody touches. */
    for (int i = 0; i < 100; i++) {
        freeReplyObject(h_cmd("SET idle:%d v PX 50", i));
    }
    OK("SET keep v");
    CHECK(h_wait_int(1, 3000, "DBSIZE"));
}

static void test_object_idletime_and_help(void)
{
    OK("SET k v");
    redisReply *r = h_cmd("OBJECT IDLETIME k");
    CHECK(r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer >= 0 && r->integer < 5);
    freeReplyObject(r);
    EXPECT_NIL("OBJECT IDLETIME nokey");
    EXPECT_ERR_PREFIX("ERR An LFU maxmemory policy is not selected", "OBJECT FREQ k");
    r = h_cmd("OBJECT HELP");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements > 4 &&
          strcmp(r->element[0]->str,
                 "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:") == 0);
    freeReplyObject(r);
}

CASES_DEFINE(keys_cases, TEST(test_del_exists_unlink_touch_type), TEST(test_keys_glob),
             TEST(test_scan_guarantee), TEST(test_scan_options), TEST(test_randomkey),
             TEST(test_rename), TEST(test_copy), TEST(test_move), TEST(test_expire_family),
             TEST(test_expire_nx_xx_gt_lt), TEST(test_ttl_expires_with_px),
             TEST(test_object_idletime_and_help));
