/* Hashes: every command, error texts, encodings and their conversion. */
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>

#include "tests/integration/harness.h"

static void test_hset_hget_basic(void)
{
    EXPECT_INT(2, "HSET h f1 v1 f2 v2");
    EXPECT_INT(0, "HSET h f1 v1b");
    EXPECT_INT(1, "HSET h f3 v3");
    EXPECT_STR("v1b", "HGET h f1");
    EXPECT_NIL("HGET h nofield");
    EXPECT_NIL("HGET nokey f");
    EXPECT_INT(3, "HLEN h");
    EXPECT_INT(0, "HLEN nokey");
    EXPECT_STATUS("hash", "TYPE h");
    EXPECT_ERR("ERR wrong number of arguments for 'hset' command", "HSET h f1 v1 f2");
    OK("HMSET h a 1 b 2");
    EXPECT_ERR("ERR wrong number of arguments for 'hmset' command", "HMSET h a");
    EXPECT_INT(1, "HSETNX h new x");
    EXPECT_INT(0, "HSETNX h new y");
    EXPECT_STR("x", "HGET h new");
    EXPECT_INT(1, "HEXISTS h a");
    EXPECT_INT(0, "HEXISTS h zz");
    EXPECT_INT(3, "HSTRLEN h f1");
    EXPECT_INT(0, "HSTRLEN h zz");
}

static void test_hmget_hgetall_keys_vals(void)
{
    EXPECT_INT(2, "HSET h a 1 b 2");
    redisReply *r = h_cmd("HMGET h a zz b");
    CHECK(r != NULL && r->elements == 3 && strcmp(r->element[0]->str, "1") == 0 &&
          r->element[1]->type == REDIS_REPLY_NIL && strcmp(r->element[2]->str, "2") == 0);
    freeReplyObject(r);
    r = h_cmd("HGETALL h");
    CHECK(r != NULL && r->elements == 4);
    freeReplyObject(r);
    r = h_cmd("HKEYS h");
    CHECK(r != NULL && r->elements == 2);
    freeReplyObject(r);
    r = h_cmd("HVALS h");
    CHECK(r != NULL && r->elements == 2);
    freeReplyObject(r);
    r = h_cmd("HGETALL nokey");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
}

static void test_hdel_removes_empty_key(void)
{
    EXPECT_INT(2, "HSET h a 1 b 2");
    EXPECT_INT(1, "HDEL h a zz");
    EXPECT_INT(1, "EXISTS h");
    EXPECT_INT(1, "HDEL h b");
    EXPECT_INT(0, "EXISTS h");
    EXPECT_INT(0, "HDEL h b");
}

static void test_hincrby_hincrbyfloat(void)
{
    EXPECT_INT(5, "HINCRBY h n 5");
    EXPECT_INT(2, "HINCRBY h n -3");
    EXPECT_ERR("ERR value is not an integer or out of range", "HINCRBY h n x");
    OK("HMSET h s abc big 9223372036854775807");
    EXPECT_ERR("ERR hash value is not an integer", "HINCRBY h s 1");
    EXPECT_ERR("ERR increment or decrement would overflow", "HINCRBY h big 1");
    EXPECT_STR("10.5", "HINCRBYFLOAT h f 10.5");
    EXPECT_STR("10.6", "HINCRBYFLOAT h f 0.1");
    EXPECT_STR("10.6", "HGET h f");
    EXPECT_ERR("ERR hash value is not a float", "HINCRBYFLOAT h s 1");
    EXPECT_ERR("ERR value is not a valid float", "HINCRBYFLOAT h f x");
    EXPECT_ERR("ERR value is NaN or Infinity", "HINCRBYFLOAT h f inf");
}

static void test_wrongtype(void)
{
    OK("SET s v");
    EXPECT_ERR("WRONGTYPE Operation against a key holding the wrong kind of value", "HSET s a 1");
    EXPECT_ERR("WRONGTYPE Operation against a key holding the wrong kind of value", "HGET s a");
    EXPECT_INT(1, "HSET h a 1");
    EXPECT_ERR("WRONGTYPE Operation against a key holding the wrong kind of value", "GET h");
    EXPECT_ERR("WRONGTYPE Operation against a key holding the wrong kind of value", "INCR h");
    EXPECT_ERR("WRONGTYPE Operation against a key holding the wrong kind of value", "APPEND h x");
}

static void test_encoding_conversion(void)
{
    EXPECT_INT(1, "HSET h a 1");
    EXPECT_STR("listpack", "OBJECT ENCODING h");
    char field[32];
    for (int i = 0; i < 512; i++) {
        snprintf(field, sizeof(field), "f%d", i);
        freeReplyObject(h_cmd("HSET h %s v", field));
    }
    EXPECT_STR("hashtable", "OBJECT ENCODING h");
    EXPECT_INT(513, "HLEN h");
    EXPECT_STR("v", "HGET h f77");
    EXPECT_INT(1, "HSET big a 1");
    EXPECT_INT(1, "HSET big b %s", "0123456789012345678901234567890123456789012345678901234567890123456789");
    EXPECT_STR("hashtable", "OBJECT ENCODING big");
    EXPECT_STR("1", "HGET big a");
    OK("CONFIG SET hash-max-listpack-entries 2");
    EXPECT_INT(3, "HSET small a 1 b 2 c 3");
    EXPECT_STR("hashtable", "OBJECT ENCODING small");
    OK("CONFIG SET hash-max-listpack-entries 512");
}

static void test_hrandfield(void)
{
    EXPECT_NIL("HRANDFIELD nokey");
    redisReply *r = h_cmd("HRANDFIELD nokey 5");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
    OK("HMSET h a 1 b 2 c 3");
    r = h_cmd("HRANDFIELD h");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && r->len == 1);
    freeReplyObject(r);
    r = h_cmd("HRANDFIELD h 10");
    CHECK(r != NULL && r->elements == 3);
    freeReplyObject(r);
    r = h_cmd("HRANDFIELD h 2 WITHVALUES");
    CHECK(r != NULL && r->elements == 4);
    freeReplyObject(r);
    r = h_cmd("HRANDFIELD h -7");
    CHECK(r != NULL && r->elements == 7);
    freeReplyObject(r);
    r = h_cmd("HRANDFIELD h 0");
    CHECK(r != NULL && r->elements == 0);
    freeReplyObject(r);
    EXPECT_ERR("ERR syntax error", "HRANDFIELD h 1 FOO");
    EXPECT_ERR("ERR value is not an integer or out of range", "HRANDFIELD h x");
}

static void test_hscan(void)
{
    char field[32];
    for (int i = 0; i < 300; i++) {
        snprintf(field, sizeof(field), "f%d", i);
        freeReplyObject(h_cmd("HSET h %s %d", field, i));
    }
    int seen = h_scan_all("HSCAN h %llu COUNT 20", 2);
    CHECK(seen >= 300);
    redisReply *r = h_cmd("HSCAN h 0 MATCH f1? COUNT 1000");
    CHECK(r != NULL && r->elements == 2 && r->element[1]->elements == 20);
    freeReplyObject(r);
    EXPECT_ERR("ERR invalid cursor", "HSCAN h x");
    EXPECT_ERR("ERR syntax error", "HSCAN h 0 FOO 1");
}

static void test_hash_copy_rename_expire(void)
{
    OK("HMSET h a 1 b 2");
    EXPECT_INT(1, "COPY h h2");
    EXPECT_INT(1, "HSET h2 c 3");
    EXPECT_INT(2, "HLEN h");
    OK("RENAME h2 h3");
    EXPECT_INT(3, "HLEN h3");
    EXPECT_INT(1, "PEXPIRE h3 50");
    CHECK(h_wait_int(0, 3000, "EXISTS h3"));
    EXPECT_INT(1, "EXPIRE h 100");
    EXPECT_INT(1, "HSET h z 9");
    EXPECT_INT(100, "TTL h");
}

static void expect_ints(int line, redisReply *r, int n, const long long *want)
{
    bool ok = r != NULL && r->type == REDIS_REPLY_ARRAY && (int)r->elements == n;
    for (int i = 0; ok && i < n; i++) {
        ok = r->element[i]->type == REDIS_REPLY_INTEGER && r->element[i]->integer == want[i];
    }
    if (!ok) {
        fprintf(stderr, "  line %d: unexpected integer array\n", line);
        test_failures_in_case++;
    }
    freeReplyObject(r);
}

#define EXPECT_INTS(want, ...)                                                \
    expect_ints(__LINE__, h_cmd(__VA_ARGS__), (int)(sizeof(want) / sizeof((want)[0])), want)

/* Redis 7.4 field TTLs and Redis 8 HGETDEL/HGETEX/HSETEX: newer than the
 * reference server, so checked against the documented behaviour only. */
static void test_field_ttl(void)
{
    if (h_is_reference()) {
        return;
    }
    EXPECT_INT(3, "HSET h a 1 b 2 c 3");
    EXPECT_INTS(((long long[]){1, -2}), "HEXPIRE h 100 FIELDS 2 a zz");
    EXPECT_INTS(((long long[]){100, -1, -2}), "HTTL h FIELDS 3 a b zz");
    EXPECT_INTS(((long long[]){0}), "HEXPIRE h 200 NX FIELDS 1 a");
    EXPECT_INTS(((long long[]){0}), "HEXPIRE h 50 GT FIELDS 1 a");
    EXPECT_INTS(((long long[]){1}), "HEXPIRE h 50 LT FIELDS 1 a");
    EXPECT_INTS(((long long[]){0}), "HEXPIRE h 50 XX FIELDS 1 b");
    EXPECT_INTS(((long long[]){2}), "HEXPIREAT h 1 FIELDS 1 c");
    EXPECT_INT(0, "HEXISTS h c");
    EXPECT_INTS(((long long[]){1, -1}), "HPERSIST h FIELDS 2 a b");
    EXPECT_INTS(((long long[]){1}), "HPEXPIRE h 30 FIELDS 1 b");
    CHECK(h_wait_int(0, 3000, "HEXISTS h b"));
    EXPECT_INTS(((long long[]){-2, -2}), "HTTL nokey FIELDS 2 a b");
    /* The last field expiring takes the key with it, without any access. */
    EXPECT_INT(1, "HSET gone f v");
    EXPECT_INTS(((long long[]){1}), "HPEXPIRE gone 30 FIELDS 1 f");
    CHECK(h_wait_int(0, 3000, "EXISTS gone"));
    EXPECT_ERR("ERR Mandatory argument FIELDS is missing or not at the right position",
               "HEXPIRE h 10 FOO 1 a");
    EXPECT_ERR("ERR The `numfields` parameter must match the number of arguments",
               "HEXPIRE h 10 FIELDS 2 a");
    EXPECT_ERR("ERR Parameter `numFields` should be greater than 0", "HTTL h FIELDS 0 a");
    EXPECT_ERR("ERR invalid expire time in 'hexpire' command", "HEXPIRE h -1 FIELDS 1 a");
    OK("SET s v");
    EXPECT_ERR("WRONGTYPE Operation against a key holding the wrong kind of value",
               "HEXPIRE s 10 FIELDS 1 a");
}

static void test_hgetdel_hgetex_hsetex(void)
{
    if (h_is_reference()) {
        return;
    }
    EXPECT_INT(1, "HSETEX h FNX EX 100 FIELDS 2 a 1 b 2");
    EXPECT_INT(0, "HSETEX h FNX FIELDS 1 a 9");
    EXPECT_INT(0, "HSETEX h FXX FIELDS 1 zz 9");
    EXPECT_INTS(((long long[]){100}), "HTTL h FIELDS 1 a");
    EXPECT_INT(1, "HSETEX h KEEPTTL FIELDS 1 a 10");
    EXPECT_INTS(((long long[]){100}), "HTTL h FIELDS 1 a");
    EXPECT_INT(1, "HSETEX h FIELDS 1 a 11");
    EXPECT_INTS(((long long[]){-1}), "HTTL h FIELDS 1 a");
    redisReply *r = h_cmd("HGETEX h PX 50000 FIELDS 2 a zz");
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[0]->str, "11") == 0 &&
          r->element[1]->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    EXPECT_INTS(((long long[]){50}), "HTTL h FIELDS 1 a");
    r = h_cmd("HGETEX h PERSIST FIELDS 1 a");
    freeReplyObject(r);
    EXPECT_INTS(((long long[]){-1}), "HTTL h FIELDS 1 a");
    r = h_cmd("HGETDEL h FIELDS 3 a b zz");
    CHECK(r != NULL && r->elements == 3 && strcmp(r->element[1]->str, "2") == 0 &&
          r->element[2]->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    EXPECT_INT(0, "EXISTS h");
}

CASES_DEFINE(hash_cases, TEST(test_field_ttl), TEST(test_hgetdel_hgetex_hsetex), TEST(test_hset_hget_basic), TEST(test_hmget_hgetall_keys_vals),
             TEST(test_hdel_removes_empty_key), TEST(test_hincrby_hincrbyfloat),
             TEST(test_wrongtype), TEST(test_encoding_conversion), TEST(test_hrandfield),
             TEST(test_hscan), TEST(test_hash_copy_rename_expire));
