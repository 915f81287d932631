/* Expiry: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX/XX/GT/LT, TTL, PTTL,
 * EXPIRETIME, PEXPIRETIME, PERSIST, and keys really going away (bounded
 * waits only; nothing asserts on timing). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "tests/integration/harness.h"

static long long int_reply(redisReply *r)
{
    long long v = r != NULL && r->type == REDIS_REPLY_INTEGER ? r->integer : -999;
    freeReplyObject(r);
    return v;
}

static void test_expire_and_ttl(void)
{
    OK("SET k v");
    EXPECT_INT(-1, "TTL k");
    EXPECT_INT(-1, "PTTL k");
    EXPECT_INT(1, "EXPIRE k 100");
    EXPECT_INT(100, "TTL k");
    long long pttl = int_reply(h_cmd("PTTL k"));
    CHECK(pttl > 90000 && pttl <= 100000);
    EXPECT_INT(1, "PEXPIRE k 200000");
    EXPECT_INT(200, "TTL k");
    EXPECT_INT(0, "EXPIRE nokey 10");
    EXPECT_INT(0, "PEXPIRE nokey 10");
    EXPECT_INT(-2, "TTL nokey");
    EXPECT_INT(-2, "PTTL nokey");
    /* A write that replaces the value drops the TTL. */
    OK("SET k v2");
    EXPECT_INT(-1, "TTL k");
}

/* TTL rounds to the nearest second: 1990 ms left reads as 2, not 1. */
static void test_ttl_rounds(void)
{
    OK("SET k v PX 1990");
    EXPECT_INT(2, "TTL k");
    OK("SET k v PX 100400");
    EXPECT_INT(100, "TTL k");
}

static void test_expireat_and_expiretime(void)
{
    OK("SET k v");
    EXPECT_INT(-1, "EXPIRETIME k");
    EXPECT_INT(-1, "PEXPIRETIME k");
    EXPECT_INT(-2, "EXPIRETIME nokey");
    EXPECT_INT(-2, "PEXPIRETIME nokey");
    EXPECT_INT(1, "EXPIREAT k 99999999999");
    EXPECT_INT(99999999999LL, "EXPIRETIME k");
    EXPECT_INT(99999999999000LL, "PEXPIRETIME k");
    EXPECT_INT(1, "PEXPIREAT k 99999999999999");
    EXPECT_INT(99999999999999LL, "PEXPIRETIME k");
    /* EXPIRETIME rounds to the nearest second, as TTL does. */
    EXPECT_INT(100000000000LL, "EXPIRETIME k");
    EXPECT_INT(1, "PEXPIREAT k 99999999999499");
    EXPECT_INT(99999999999LL, "EXPIRETIME k");
    long long now = (long long)time(NULL);
    EXPECT_INT(1, "EXPIREAT k %lld", now + 1000);
    long long ttl = int_reply(h_cmd("TTL k"));
    CHECK(ttl >= 995 && ttl <= 1001);
    EXPECT_INT(0, "EXPIREAT nokey %lld", now + 1000);
    /* The largest absolute time in ms is accepted. */
    EXPECT_INT(1, "PEXPIREAT k 9223372036854775807");
    EXPECT_INT(9223372036854775807LL, "PEXPIRETIME k");
    EXPECT_INT(1, "EXPIREAT k 9223372036854775");
}

static void test_persist(void)
{
    OK("SET k v EX 100");
    EXPECT_INT(1, "PERSIST k");
    EXPECT_INT(-1, "TTL k");
    EXPECT_INT(0, "PERSIST k");
    EXPECT_INT(0, "PERSIST nokey");
    EXPECT_STR("v", "GET k");
    EXPECT_ERR("ERR wrong number of arguments for 'persist' command", "PERSIST");
}

/* Zero, negative or past times delete the key (and count as set). */
static void test_expire_in_the_past_deletes(void)
{
    OK("SET k v");
    EXPECT_INT(1, "EXPIRE k 0");
    EXPECT_INT(0, "EXISTS k");
    OK("SET k v");
    EXPECT_INT(1, "EXPIRE k -1");
    EXPECT_INT(0, "EXISTS k");
    OK("SET k v");
    EXPECT_INT(1, "PEXPIRE k -100");
    EXPECT_INT(0, "EXISTS k");
    OK("SET k v");
    EXPECT_INT(1, "EXPIREAT k 1");
    EXPECT_INT(0, "EXISTS k");
    OK("SET k v");
    EXPECT_INT(1, "PEXPIREAT k -1");
    EXPECT_INT(0, "EXISTS k");
    EXPECT_INT(0, "EXPIRE k -1");
}

static void test_expire_nx_xx_gt_lt(void)
{
    OK("SET k v");
    EXPECT_INT(0, "EXPIRE k 100 XX");
    /* No TTL counts as infinite: GT never applies, LT always does. */
    EXPECT_INT(0, "EXPIRE k 100 GT");
    EXPECT_INT(1, "EXPIRE k 100 LT");
    EXPECT_INT(0, "EXPIRE k 200 NX");
    EXPECT_INT(1, "EXPIRE k 200 XX");
    EXPECT_INT(0, "EXPIRE k 100 GT");
    EXPECT_INT(1, "EXPIRE k 300 GT");
    EXPECT_INT(0, "EXPIRE k 400 LT");
    EXPECT_INT(1, "EXPIRE k 50 LT");
    EXPECT_INT(0, "EXPIRE k 50 LT");
    EXPECT_INT(50, "TTL k");
    EXPECT_INT(1, "EXPIRE k 60 XX GT");
    EXPECT_INT(1, "EXPIRE k 70 gt xx");
    /* The same option twice is fine. */
    EXPECT_INT(1, "EXPIRE k 80 GT GT");
    EXPECT_INT(1, "PEXPIRE k 90000 GT");
    EXPECT_INT(1, "PEXPIREAT k 99999999999999 GT");
    EXPECT_INT(0, "EXPIREAT k 99999999998 GT");
    EXPECT_INT(1, "EXPIREAT k 99999999998 LT");
    EXPECT_INT(0, "PEXPIRE k 1000 NX");
    /* GT with a past time on a key without TTL does nothing at all. */
    OK("SET p v");
    EXPECT_INT(0, "EXPIRE p -5 GT");
    EXPECT_INT(1, "EXISTS p");
    EXPECT_INT(0, "EXPIRE p 0 XX");
    EXPECT_INT(1, "EXISTS p");
    EXPECT_INT(1, "EXPIRE p 0 NX");
    EXPECT_INT(0, "EXISTS p");
    EXPECT_INT(0, "EXPIRE nokey 10 NX");
}

static void test_expire_errors(void)
{
    OK("SET k v");
    EXPECT_ERR("ERR NX and XX, GT or LT options at the same time are not compatible",
               "EXPIRE k 10 NX XX");
    EXPECT_ERR("ERR NX and XX, GT or LT options at the same time are not compatible",
               "EXPIRE k 10 NX GT");
    EXPECT_ERR("ERR NX and XX, GT or LT options at the same time are not compatible",
               "PEXPIRE k 10 LT NX");
    EXPECT_ERR("ERR GT and LT options at the same time are not compatible", "EXPIRE k 10 GT LT");
    EXPECT_ERR("ERR GT and LT options at the same time are not compatible",
               "PEXPIREAT k 10 lt gt");
    EXPECT_ERR("ERR Unsupported option foo", "EXPIRE k 10 foo");
    EXPECT_ERR("ERR Unsupported option KEEPTTL", "EXPIRE k 10 KEEPTTL");
    EXPECT_ERR("ERR value is not an integer or out of range", "EXPIRE k abc");
    EXPECT_ERR("ERR value is not an integer or out of range", "EXPIRE k 1.5");
    EXPECT_ERR("ERR value is not an integer or out of range", "EXPIRE k %s", "");
    /* Times that overflow once converted to absolute ms. */
    EXPECT_ERR("ERR invalid expire time in 'expire' command", "EXPIRE k 9223372036854775807");
    EXPECT_ERR("ERR invalid expire time in 'expire' command", "EXPIRE k -9223372036854775808");
    EXPECT_ERR("ERR invalid expire time in 'expire' command", "EXPIRE k 9223372036854775");
    EXPECT_ERR("ERR invalid expire time in 'pexpire' command", "PEXPIRE k 9223372036854775807");
    EXPECT_ERR("ERR invalid expire time in 'expireat' command",
               "EXPIREAT k 9223372036854775807");
    EXPECT_ERR("ERR wrong number of arguments for 'expire' command", "EXPIRE k");
    EXPECT_ERR("ERR wrong number of arguments for 'ttl' command", "TTL");
    EXPECT_ERR("ERR wrong number of arguments for 'pttl' command", "PTTL a b");
    EXPECT_ERR("ERR wrong number of arguments for 'expiretime' command", "EXPIRETIME");
    EXPECT_INT(-1, "TTL k");
}

/* A key with a short PX disappears for every reader within a bounded wait. */
static void test_px_key_goes_away(void)
{
    OK("SET short v PX 100");
    long long pttl = int_reply(h_cmd("PTTL short"));
    CHECK(pttl > 0 && pttl <= 100);
    CHECK(h_wait_int(0, 2000, "EXISTS short"));
    EXPECT_NIL("GET short");
    EXPECT_INT(-2, "TTL short");
    EXPECT_INT(-2, "PTTL short");
    EXPECT_INT(0, "DEL short");
    redisReply *r = h_cmd("KEYS *");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
    /* SET ... NX treats an expired key as missing. */
    OK("SET gone v PX 50");
    CHECK(h_wait_int(0, 2000, "EXISTS gone"));
    OK("SET gone w NX");
    EXPECT_INT(-1, "TTL gone");
}

/* Active expiry reclaims keys nobody touches (DBSIZE counts them until then). */
static void test_active_expiry(void)
{
    for (int i = 0; i < 200; i++) {
        freeReplyObject(h_cmd("SET idle:%d v PX 50", i));
    }
    OK("SET keep v");
    OK("SET keep2 v EX 1000");
    CHECK(h_wait_int(2, 3000, "DBSIZE"));
    EXPECT_STR("v", "GET keep");
}

/* PEXPIRE on a key keeps its value; RENAME and COPY carry the TTL;
 * GETSET and SET drop it; INCR, APPEND and SETRANGE keep it. */
static void test_ttl_follows_the_key(void)
{
    OK("SET k 1 EX 100");
    EXPECT_INT(2, "INCR k");
    EXPECT_INT(100, "TTL k");
    EXPECT_INT(2, "APPEND k x");
    EXPECT_INT(100, "TTL k");
    EXPECT_INT(2, "SETRANGE k 0 y");
    EXPECT_INT(100, "TTL k");
    OK("RENAME k k2");
    EXPECT_INT(100, "TTL k2");
    EXPECT_INT(1, "COPY k2 k3");
    EXPECT_INT(100, "TTL k3");
    EXPECT_STR("yx", "GETSET k3 z");
    EXPECT_INT(-1, "TTL k3");
    EXPECT_INT(1, "MOVE k2 1");
    OK("SELECT 1");
    EXPECT_INT(100, "TTL k2");
}

CASES_DEFINE(expire_cases, TEST(test_expire_and_ttl), TEST(test_ttl_rounds),
             TEST(test_expireat_and_expiretime), TEST(test_persist),
             TEST(test_expire_in_the_past_deletes), TEST(test_expire_nx_xx_gt_lt),
             TEST(test_expire_errors), TEST(test_px_key_goes_away), TEST(test_active_expiry),
             TEST(test_ttl_follows_the_key));
