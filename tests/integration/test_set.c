/* Sets: every command, error texts, encodings and their conversion. */
#include <stdio.h>
#include <stdlib.h>

#include "tests/integration/harness.h"

static bool has(redisReply *r, const char *s)
{
    for (size_t i = 0; r != NULL && i < r->elements; i++) {
        if (r->element[i]->str != NULL && strcmp(r->element[i]->str, s) == 0) {
            return true;
        }
    }
    return false;
}

static void test_sadd_srem_card_members(void)
{
    EXPECT_INT(3, "SADD s a b c");
    EXPECT_INT(1, "SADD s a d");
    EXPECT_INT(4, "SCARD s");
    EXPECT_INT(0, "SCARD nokey");
    EXPECT_INT(1, "SISMEMBER s a");
    EXPECT_INT(0, "SISMEMBER s z");
    redisReply *r = h_cmd("SMISMEMBER s a z d");
    CHECK(r != NULL && r->elements == 3 && r->element[0]->integer == 1 &&
          r->element[1]->integer == 0 && r->element[2]->integer == 1);
    freeReplyObject(r);
    r = h_cmd("SMEMBERS s");
    CHECK(r != NULL && r->elements == 4 && has(r, "a") && has(r, "d"));
    freeReplyObject(r);
    EXPECT_INT(2, "SREM s a b z");
    EXPECT_INT(2, "SREM s c d");
    EXPECT_INT(0, "EXISTS s");
    EXPECT_STATUS("none", "TYPE s");
    EXPECT_INT(1, "SADD s x");
    EXPECT_STATUS("set", "TYPE s");
    OK("SET str v");
    EXPECT_ERR("WRONGTYPE Operation against a key holding the wrong kind of value", "SADD str a");
}

static void test_encodings(void)
{
    EXPECT_INT(3, "SADD ints 1 2 -3");
    EXPECT_STR("intset", "OBJECT ENCODING ints");
    EXPECT_INT(1, "SADD ints 100000000000");
    EXPECT_STR("intset", "OBJECT ENCODING ints");
    EXPECT_INT(1, "SISMEMBER ints 100000000000");
    redisReply *r = h_cmd("SMEMBERS ints");
    CHECK(r != NULL && r->elements == 4 && strcmp(r->element[0]->str, "-3") == 0 &&
          strcmp(r->element[3]->str, "100000000000") == 0);
    freeReplyObject(r);
    EXPECT_INT(1, "SADD ints abc");
    if (!h_is_reference()) {
        EXPECT_STR("listpack", "OBJECT ENCODING ints"); /* Redis 7.2+ */
    }
    EXPECT_INT(5, "SCARD ints");
    EXPECT_INT(1, "SISMEMBER ints 2");
    for (int i = 0; i < 600; i++) {
        freeReplyObject(h_cmd("SADD many %d", i));
    }
    EXPECT_STR("hashtable", "OBJECT ENCODING many");
    EXPECT_INT(600, "SCARD many");
    EXPECT_INT(1, "SISMEMBER many 599");
}

static void test_spop_srandmember(void)
{
    EXPECT_NIL("SPOP nokey");
    EXPECT_NIL("SRANDMEMBER nokey");
    redisReply *r = h_cmd("SPOP nokey 3");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
    EXPECT_INT(5, "SADD s a b c d e");
    r = h_cmd("SRANDMEMBER s 3");
    CHECK(r != NULL && r->elements == 3);
    freeReplyObject(r);
    r = h_cmd("SRANDMEMBER s 10");
    CHECK(r != NULL && r->elements == 5);
    freeReplyObject(r);
    r = h_cmd("SRANDMEMBER s -8");
    CHECK(r != NULL && r->elements == 8);
    freeReplyObject(r);
    r = h_cmd("SPOP s 2");
    CHECK(r != NULL && r->elements == 2);
    freeReplyObject(r);
    EXPECT_INT(3, "SCARD s");
    r = h_cmd("SPOP s");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING);
    freeReplyObject(r);
    r = h_cmd("SPOP s 10");
    CHECK(r != NULL && r->elements == 2);
    freeReplyObject(r);
    EXPECT_INT(0, "EXISTS s");
    EXPECT_ERR("ERR value is out of range, must be positive", "SPOP s -1");
    EXPECT_ERR("ERR value is out of range, must be positive", "SPOP s x");
}

static void test_smove(void)
{
    EXPECT_INT(2, "SADD src a b");
    EXPECT_INT(1, "SMOVE src dst a");
    EXPECT_INT(0, "SMOVE src dst zz");
    EXPECT_INT(1, "SISMEMBER dst a");
    EXPECT_INT(1, "SMOVE src dst b");
    EXPECT_INT(0, "EXISTS src");
    EXPECT_INT(1, "SMOVE dst dst a");
    OK("SET str v");
    EXPECT_ERR("WRONGTYPE Operation against a key holding the wrong kind of value",
               "SMOVE dst str a");
}

static void test_algebra(void)
{
    EXPECT_INT(4, "SADD s1 a b c d");
    EXPECT_INT(3, "SADD s2 c d e");
    redisReply *r = h_cmd("SINTER s1 s2");
    CHECK(r != NULL && r->elements == 2 && has(r, "c") && has(r, "d"));
    freeReplyObject(r);
    r = h_cmd("SUNION s1 s2 nokey");
    CHECK(r != NULL && r->elements == 5);
    freeReplyObject(r);
    r = h_cmd("SDIFF s1 s2");
    CHECK(r != NULL && r->elements == 2 && has(r, "a") && has(r, "b"));
    freeReplyObject(r);
    r = h_cmd("SINTER s1 nokey");
    CHECK(r != NULL && r->elements == 0);
    freeReplyObject(r);
    EXPECT_INT(2, "SINTERSTORE out s1 s2");
    EXPECT_INT(2, "SCARD out");
    EXPECT_INT(5, "SUNIONSTORE out s1 s2");
    EXPECT_INT(2, "SDIFFSTORE out s1 s2");
    EXPECT_INT(0, "SINTERSTORE out s1 nokey");
    EXPECT_INT(0, "EXISTS out");
    EXPECT_INT(2, "SINTERCARD 2 s1 s2");
    EXPECT_INT(1, "SINTERCARD 2 s1 s2 LIMIT 1");
    EXPECT_INT(0, "SINTERCARD 2 s1 nokey");
    EXPECT_ERR("ERR numkeys should be greater than 0", "SINTERCARD 0 s1");
    EXPECT_ERR("ERR Number of keys can't be greater than number of args", "SINTERCARD 3 s1 s2");
    EXPECT_ERR("ERR LIMIT can't be negative", "SINTERCARD 2 s1 s2 LIMIT -1");
    EXPECT_ERR("ERR syntax error", "SINTERCARD 1 s1 FOO 2");
    OK("SET str v");
    EXPECT_ERR("WRONGTYPE Operation against a key holding the wrong kind of value", "SINTER s1 str");
}

static void test_sscan(void)
{
    for (int i = 0; i < 300; i++) {
        freeReplyObject(h_cmd("SADD s m%d", i));
    }
    int seen = h_scan_all("SSCAN s %llu COUNT 25", 1);
    CHECK(seen >= 300);
    redisReply *r = h_cmd("SSCAN s 0 MATCH m1?? COUNT 1000");
    CHECK(r != NULL && r->elements == 2 && r->element[1]->elements == 100);
    freeReplyObject(r);
    EXPECT_ERR("ERR invalid cursor", "SSCAN s abc");
}

static void test_set_copy_and_lazy_flush(void)
{
    EXPECT_INT(3, "SADD s 1 2 x");
    EXPECT_INT(1, "COPY s s2");
    EXPECT_INT(1, "SREM s2 x");
    EXPECT_INT(3, "SCARD s");
    for (int i = 0; i < 1000; i++) {
        freeReplyObject(h_cmd("SADD big%d a b c", i % 50));
    }
    OK("FLUSHALL ASYNC");
    EXPECT_INT(0, "DBSIZE");
}

CASES_DEFINE(set_cases, TEST(test_sadd_srem_card_members), TEST(test_encodings),
             TEST(test_spop_srandmember), TEST(test_smove), TEST(test_algebra), TEST(test_sscan),
             TEST(test_set_copy_and_lazy_flush));
