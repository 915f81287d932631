/* Strings and counters: every option and error text, as Redis 7. */
#include <stdio.h>
#include <stdlib.h>

#include "tests/integration/harness.h"

static void test_get_set_basic(void)
{
    EXPECT_NIL("GET nokey");
    OK("SET k v");
    EXPECT_STR("v", "GET k");
    OK("SET k v2");
    EXPECT_STR("v2", "GET k");
    OK("SET k %s", "");
    EXPECT_STR("", "GET k");
}

static void test_set_nx_xx_get(void)
{
    EXPECT_NIL("SET k v XX");
    OK("SET k v NX");
    EXPECT_NIL("SET k w NX");
    EXPECT_STR("v", "GET k");
    OK("SET k w XX");
    EXPECT_STR("w", "SET k x GET");
    EXPECT_NIL("SET new x GET");
    EXPECT_STR("x", "SET k y NX GET");
    EXPECT_STR("x", "GET k");
    EXPECT_NIL("SET none y XX GET");
    EXPECT_INT(0, "EXISTS none");
}

static void test_set_expire_options(void)
{
    OK("SET k v EX 100");
    EXPECT_INT(100, "TTL k");
    OK("SET k v PX 100000");
    EXPECT_INT(100, "TTL k");
    OK("SET k v EXAT 99999999999");
    EXPECT_INT(99999999999LL, "EXPIRETIME k");
    OK("SET k v PXAT 99999999999999");
    EXPECT_INT(99999999999999LL, "PEXPIRETIME k");
    OK("SET k v2 KEEPTTL");
    EXPECT_INT(99999999999999LL, "PEXPIRETIME k");
    OK("SET k v3");
    EXPECT_INT(-1, "TTL k");
}

static void test_set_option_errors(void)
{
    EXPECT_ERR("ERR syntax error", "SET k v NX XX");
    EXPECT_ERR("ERR syntax error", "SET k v EX 10 PX 100");
    EXPECT_ERR("ERR syntax error", "SET k v EX 10 KEEPTTL");
    EXPECT_ERR("ERR syntax error", "SET k v EX");
    EXPECT_ERR("ERR syntax error", "SET k v FOO");
    EXPECT_ERR("ERR syntax error", "SET k v PERSIST");
    EXPECT_ERR("ERR invalid expire time in 'set' command", "SET k v EX 0");
    EXPECT_ERR("ERR invalid expire time in 'set' command", "SET k v PX -5");
    EXPECT_ERR("ERR invalid expire time in 'set' command", "SET k v EX 9223372036854775807");
    EXPECT_ERR("ERR invalid expire time in 'set' command", "SET k v PX 9223372036854775000");
    EXPECT_ERR("ERR value is not an integer or out of range", "SET k v EX abc");
    EXPECT_INT(0, "EXISTS k");
}

static void test_setnx_setex_psetex(void)
{
    EXPECT_INT(1, "SETNX k a");
    EXPECT_INT(0, "SETNX k b");
    EXPECT_STR("a", "GET k");
    OK("SETEX k 50 v");
    EXPECT_INT(50, "TTL k");
    OK("PSETEX k 50000 v");
    EXPECT_INT(50, "TTL k");
    EXPECT_ERR("ERR invalid expire time in 'setex' command", "SETEX k 0 v");
    EXPECT_ERR("ERR invalid expire time in 'psetex' command", "PSETEX k -1 v");
    EXPECT_ERR("ERR value is not an integer or out of range", "SETEX k x v");
}

static void test_mget_mset_msetnx(void)
{
    OK("MSET a 1 b 2 c 3");
    redisReply *r = h_cmd("MGET a nokey c");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 3);
    if (r != NULL && r->elements == 3) {
        CHECK(r->element[0]->type == REDIS_REPLY_STRING && strcmp(r->element[0]->str, "1") == 0);
        CHECK(r->element[1]->type == REDIS_REPLY_NIL);
        CHECK(r->element[2]->type == REDIS_REPLY_STRING && strcmp(r->element[2]->str, "3") == 0);
    }
    freeReplyObject(r);
    EXPECT_ERR("ERR wrong number of arguments for 'mset' command", "MSET a 1 b");
    EXPECT_INT(0, "MSETNX x 1 a 2");
    EXPECT_INT(0, "EXISTS x");
    EXPECT_INT(1, "MSETNX x 1 y 2");
    EXPECT_STR("2", "GET y");
    EXPECT_ERR("ERR wrong number of arguments for 'msetnx' command", "MSETNX a");
}

static void test_getset_getdel_getex(void)
{
    EXPECT_NIL("GETSET k v");
    OK("SET k v EX 100");
    EXPECT_STR("v", "GETSET k w");
    EXPECT_INT(-1, "TTL k");
    EXPECT_STR("w", "GETDEL k");
    EXPECT_INT(0, "EXISTS k");
    EXPECT_NIL("GETDEL k");
    EXPECT_NIL("GETEX k EX 10");
    OK("SET k v");
    EXPECT_STR("v", "GETEX k EX 100");
    EXPECT_INT(100, "TTL k");
    EXPECT_STR("v", "GETEX k PX 200000");
    EXPECT_INT(200, "TTL k");
    EXPECT_STR("v", "GETEX k EXAT 99999999999");
    EXPECT_INT(99999999999LL, "EXPIRETIME k");
    EXPECT_STR("v", "GETEX k PERSIST");
    EXPECT_INT(-1, "TTL k");
    EXPECT_STR("v", "GETEX k PXAT 1");
    EXPECT_INT(0, "EXISTS k");
    OK("SET k v");
    EXPECT_ERR("ERR syntax error", "GETEX k EX 10 PERSIST");
    EXPECT_ERR("ERR syntax error", "GETEX k NX");
    EXPECT_ERR("ERR syntax error", "GETEX k KEEPTTL");
    EXPECT_ERR("ERR invalid expire time in 'getex' command", "GETEX k EX 0");
    EXPECT_STR("v", "GETEX k");
}

static void test_append_strlen(void)
{
    EXPECT_INT(3, "APPEND k abc");
    EXPECT_INT(6, "APPEND k def");
    EXPECT_STR("abcdef", "GET k");
    EXPECT_INT(6, "STRLEN k");
    EXPECT_INT(0, "STRLEN nokey");
    OK("SET n 12345");
    EXPECT_INT(5, "STRLEN n");
    EXPECT_INT(6, "APPEND n 6");
    EXPECT_STR("raw", "OBJECT ENCODING n");
    OK("SET t v EX 100");
    EXPECT_INT(2, "APPEND t x");
    EXPECT_INT(100, "TTL t");
}

static void test_getrange(void)
{
    OK("SET k %s", "This is a string");
    EXPECT_STR("This", "GETRANGE k 0 3");
    EXPECT_STR("ing", "GETRANGE k -3 -1");
    EXPECT_STR("This is a string", "GETRANGE k 0 -1");
    EXPECT_STR("string", "GETRANGE k 10 100");
    EXPECT_STR("", "GETRANGE k 5 3");
    EXPECT_STR("", "GETRANGE k -1 -5");
    EXPECT_STR("T", "GETRANGE k -100 0");
    EXPECT_STR("", "GETRANGE nokey 0 -1");
    EXPECT_STR("This", "SUBSTR k 0 3");
    EXPECT_ERR("ERR value is not an integer or out of range", "GETRANGE k a 1");
    OK("SET n 1234");
    EXPECT_STR("23", "GETRANGE n 1 2");
}

static void test_setrange(void)
{
    OK("SET k %s", "Hello World");
    EXPECT_INT(11, "SETRANGE k 6 Redis");
    EXPECT_STR("Hello Redis", "GET k");
    EXPECT_INT(8, "SETRANGE pad 5 abc");
    redisReply *r = h_cmd("GET pad");
    CHECK(r != NULL && r->len == 8 && memcmp(r->str, "\0\0\0\0\0abc", 8) == 0);
    freeReplyObject(r);
    EXPECT_INT(0, "SETRANGE empty 5 %s", "");
    EXPECT_INT(0, "EXISTS empty");
    EXPECT_INT(11, "SETRANGE k 3 %s", "");
    EXPECT_ERR("ERR offset is out of range", "SETRANGE k -1 x");
    EXPECT_ERR("ERR string exceeds maximum allowed size (proto-max-bulk-len)",
               "SETRANGE k 536870912 x");
    EXPECT_ERR("ERR value is not an integer or out of range", "SETRANGE k x x");
}

static void test_incr_decr(void)
{
    EXPECT_INT(1, "INCR c");
    EXPECT_INT(0, "DECR c");
    EXPECT_INT(10, "INCRBY c 10");
    EXPECT_INT(-5, "DECRBY c 15");
    EXPECT_STR("-5", "GET c");
    OK("SET c 9223372036854775807");
    EXPECT_ERR("ERR increment or decrement would overflow", "INCR c");
    OK("SET c -9223372036854775808");
    EXPECT_ERR("ERR increment or decrement would overflow", "DECR c");
    EXPECT_ERR("ERR decrement would overflow", "DECRBY c -9223372036854775808");
    OK("SET s abc");
    EXPECT_ERR("ERR value is not an integer or out of range", "INCR s");
    OK("SET s %s", " 1");
    EXPECT_ERR("ERR value is not an integer or out of range", "INCR s");
    EXPECT_ERR("ERR value is not an integer or out of range", "INCRBY c x");
    OK("SET t 5 EX 100");
    EXPECT_INT(6, "INCR t");
    EXPECT_INT(100, "TTL t");
    EXPECT_STR("int", "OBJECT ENCODING t");
}

static void test_incrbyfloat(void)
{
    EXPECT_STR("10.5", "INCRBYFLOAT f 10.5");
    EXPECT_STR("10.6", "INCRBYFLOAT f 0.1");
    EXPECT_STR("5.6", "INCRBYFLOAT f -5");
    OK("SET f 5.0e3");
    EXPECT_STR("5200", "INCRBYFLOAT f 2.0e2");
    OK("SET f 3");
    EXPECT_STR("3", "INCRBYFLOAT f 0");
    EXPECT_ERR("ERR value is not a valid float", "INCRBYFLOAT f abc");
    OK("SET s abc");
    EXPECT_ERR("ERR value is not a valid float", "INCRBYFLOAT s 1");
    EXPECT_ERR("ERR value is not a valid float", "INCRBYFLOAT f 1e5000");
    EXPECT_ERR("ERR increment would produce NaN or Infinity", "INCRBYFLOAT f inf");
    OK("SET t 1 EX 100");
    EXPECT_STR("1.5", "INCRBYFLOAT t 0.5");
    EXPECT_INT(100, "TTL t");
}

static void test_lcs(void)
{
    OK("MSET key1 ohmytext key2 mynewtext");
    EXPECT_STR("mytext", "LCS key1 key2");
    EXPECT_INT(6, "LCS key1 key2 LEN");
    redisReply *r = h_cmd("LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 4);
    if (r != NULL && r->elements == 4) {
        CHECK(strcmp(r->element[0]->str, "matches") == 0);
        redisReply *m = r->element[1];
        CHECK(m->elements == 1);
        if (m->elements == 1) {
            redisReply *e = m->element[0];
            CHECK(e->elements == 3 && e->element[0]->element[0]->integer == 4 &&
                  e->element[0]->element[1]->integer == 7 &&
                  e->element[1]->element[0]->integer == 5 &&
                  e->element[1]->element[1]->integer == 8 && e->element[2]->integer == 4);
        }
        CHECK(strcmp(r->element[2]->str, "len") == 0 && r->element[3]->integer == 6);
    }
    freeReplyObject(r);
    r = h_cmd("LCS key1 key2 IDX");
    CHECK(r != NULL && r->elements == 4 && r->element[1]->elements == 2);
    freeReplyObject(r);
    EXPECT_ERR("ERR If you want both the length and indexes, please just use IDX.",
               "LCS key1 key2 LEN IDX");
    EXPECT_ERR("ERR syntax error", "LCS key1 key2 FOO");
    EXPECT_STR("", "LCS nokey key2");
}

static void test_object_encoding_rules(void)
{
    OK("SET i 12345");
    EXPECT_STR("int", "OBJECT ENCODING i");
    OK("SET e short");
    EXPECT_STR("embstr", "OBJECT ENCODING e");
    OK("SET r %s", "0123456789012345678901234567890123456789012345");
    EXPECT_STR("raw", "OBJECT ENCODING r");
    OK("SET z 0123");
    EXPECT_STR("embstr", "OBJECT ENCODING z");
    EXPECT_INT(1, "OBJECT REFCOUNT i");
    OK("SET si 123");
    EXPECT_INT(2147483647, "OBJECT REFCOUNT si");
    EXPECT_INT(1, "OBJECT REFCOUNT e");
    EXPECT_NIL("OBJECT ENCODING nokey");
}

CASES_DEFINE(string_cases, TEST(test_get_set_basic), TEST(test_set_nx_xx_get),
             TEST(test_set_expire_options), TEST(test_set_option_errors),
             TEST(test_setnx_setex_psetex), TEST(test_mget_mset_msetnx),
             TEST(test_getset_getdel_getex), TEST(test_append_strlen), TEST(test_getrange),
             TEST(test_setrange), TEST(test_incr_decr), TEST(test_incrbyfloat), TEST(test_lcs),
             TEST(test_object_encoding_rules));
