/* Sorted sets: ZADD flags, ranges by rank/score/lex, counts, removal,
 * pops, random members, ZSCAN, error texts. */
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/integration/harness.h"

/* "m1 m2 ..." of a flat reply, for compact checks. */

static void test_zadd_flags(void)
{
    EXPECT_INT(3, "ZADD z 1 a 2 b 3 c");
    EXPECT_INT(0, "ZADD z 10 a");
    EXPECT_STR("10", "ZSCORE z a");
    EXPECT_INT(1, "ZADD z CH 11 a");
    EXPECT_INT(0, "ZADD z NX 99 a");
    EXPECT_STR("11", "ZSCORE z a");
    EXPECT_INT(0, "ZADD z XX 5 new");
    EXPECT_INT(0, "EXISTS nokey2");
    EXPECT_INT(0, "ZADD z GT CH 5 a");
    EXPECT_INT(1, "ZADD z GT CH 20 a");
    EXPECT_INT(1, "ZADD z LT CH 1 a");
    EXPECT_STR("1.5", "ZADD z INCR 0.5 a");
    EXPECT_NIL("ZADD z NX INCR 1 a");
    EXPECT_STR("2", "ZINCRBY z 0.5 a");
    EXPECT_STR("7", "ZINCRBY z 7 fresh");
    EXPECT_ERR("ERR XX and NX options at the same time are not compatible", "ZADD z NX XX 1 a");
    EXPECT_ERR("ERR GT, LT, and/or NX options at the same time are not compatible",
               "ZADD z GT LT 1 a");
    EXPECT_ERR("ERR INCR option supports a single increment-element pair", "ZADD z INCR 1 a 2 b");
    EXPECT_ERR("ERR syntax error", "ZADD z 1 a 2");
    EXPECT_ERR("ERR value is not a valid float", "ZADD z x a");
    EXPECT_ERR("ERR value is not a valid float", "ZADD z nan a");
    EXPECT_INT(1, "ZADD inf +inf top");
    EXPECT_STR("inf", "ZSCORE inf top");
    EXPECT_ERR("ERR resulting score is not a number (NaN)", "ZINCRBY inf -inf top");
    EXPECT_STATUS("zset", "TYPE z");
    OK("SET s v");
    EXPECT_ERR("WRONGTYPE Operation against a key holding the wrong kind of value", "ZADD s 1 a");
}

static void test_lookups(void)
{
    EXPECT_INT(4, "ZADD z 1 a 2 b 3 c 4 d");
    EXPECT_INT(4, "ZCARD z");
    EXPECT_INT(0, "ZCARD nokey");
    EXPECT_INT(0, "ZRANK z a");
    EXPECT_INT(3, "ZREVRANK z a");
    EXPECT_NIL("ZRANK z zz");
    EXPECT_NIL("ZSCORE z zz");
    redisReply *r = h_cmd("ZMSCORE z a zz d");
    CHECK(r != NULL && r->elements == 3 && strcmp(r->element[0]->str, "1") == 0 &&
          r->element[1]->type == REDIS_REPLY_NIL && strcmp(r->element[2]->str, "4") == 0);
    freeReplyObject(r);
    EXPECT_INT(3, "ZCOUNT z 2 +inf");
    EXPECT_INT(2, "ZCOUNT z (1 3");
    EXPECT_INT(4, "ZCOUNT z -inf +inf");
    EXPECT_INT(0, "ZCOUNT z 5 10");
    EXPECT_ERR("ERR min or max is not a float", "ZCOUNT z x 1");
}

static void test_ranges_by_rank(void)
{
    EXPECT_INT(4, "ZADD z 1 a 2 b 3 c 4 d");
    EXPECT_FLAT("a b c d", "ZRANGE z 0 -1");
    EXPECT_FLAT("b c", "ZRANGE z 1 2");
    EXPECT_FLAT("d c", "ZRANGE z 0 1 REV");
    EXPECT_FLAT("d c b a", "ZREVRANGE z 0 -1");
    EXPECT_FLAT("a 1 b 2", "ZRANGE z 0 1 WITHSCORES");
    EXPECT_FLAT("", "ZRANGE z 5 10");
    EXPECT_FLAT("", "ZRANGE nokey 0 -1");
    EXPECT_FLAT("c d", "ZRANGE z -2 100");
    EXPECT_ERR("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or "
               "BYLEX",
               "ZRANGE z 0 1 LIMIT 0 1");
    EXPECT_ERR("ERR syntax error", "ZRANGE z 0 1 FOO");
}

static void test_ranges_by_score(void)
{
    EXPECT_INT(5, "ZADD z 1 a 2 b 3 c 4 d 5 e");
    EXPECT_FLAT("b c d", "ZRANGEBYSCORE z 2 4");
    EXPECT_FLAT("c", "ZRANGEBYSCORE z (2 (4");
    EXPECT_FLAT("d c b", "ZREVRANGEBYSCORE z 4 2");
    EXPECT_FLAT("c d", "ZRANGEBYSCORE z -inf +inf LIMIT 2 2");
    EXPECT_FLAT("b 2 c 3", "ZRANGEBYSCORE z 2 3 WITHSCORES");
    EXPECT_FLAT("d c", "ZRANGE z 4 2 BYSCORE REV LIMIT 0 2");
    EXPECT_FLAT("a b", "ZRANGE z -inf 2 BYSCORE");
    EXPECT_FLAT("", "ZRANGEBYSCORE z 10 20");
    EXPECT_FLAT("", "ZRANGEBYSCORE z 1 5 LIMIT -1 2");
    EXPECT_ERR("ERR min or max is not a float", "ZRANGEBYSCORE z a b");
}

static void test_ranges_by_lex(void)
{
    EXPECT_INT(5, "ZADD z 0 a 0 b 0 c 0 d 0 e");
    EXPECT_FLAT("a b c", "ZRANGEBYLEX z - [c");
    EXPECT_FLAT("b c", "ZRANGEBYLEX z (a [c");
    EXPECT_FLAT("e d", "ZREVRANGEBYLEX z + (c");
    EXPECT_FLAT("c d", "ZRANGE z [c + BYLEX LIMIT 0 2");
    EXPECT_INT(3, "ZLEXCOUNT z [b [d");
    EXPECT_INT(5, "ZLEXCOUNT z - +");
    EXPECT_INT(0, "ZLEXCOUNT z (e +");
    EXPECT_ERR("ERR min or max not valid string range item", "ZRANGEBYLEX z a c");
    EXPECT_ERR("ERR syntax error, WITHSCORES not supported in combination with BYLEX",
               "ZRANGE z - + BYLEX WITHSCORES");
    EXPECT_INT(2, "ZREMRANGEBYLEX z [a [b");
    EXPECT_FLAT("c d e", "ZRANGE z 0 -1");
}

static void test_removal(void)
{
    EXPECT_INT(5, "ZADD z 1 a 2 b 3 c 4 d 5 e");
    EXPECT_INT(2, "ZREM z a zz b");
    EXPECT_INT(1, "ZREMRANGEBYRANK z 0 0");
    EXPECT_FLAT("d e", "ZRANGE z 0 -1");
    EXPECT_INT(2, "ZREMRANGEBYSCORE z -inf +inf");
    EXPECT_INT(0, "EXISTS z");
    EXPECT_INT(0, "ZREM nokey a");
}

static void test_pops(void)
{
    EXPECT_INT(4, "ZADD z 1 a 2 b 3 c 4 d");
    EXPECT_FLAT("a 1", "ZPOPMIN z");
    EXPECT_FLAT("d 4", "ZPOPMAX z");
    EXPECT_FLAT("b 2 c 3", "ZPOPMIN z 5");
    EXPECT_INT(0, "EXISTS z");
    EXPECT_FLAT("", "ZPOPMIN z");
    EXPECT_ERR("ERR value is out of range, must be positive", "ZPOPMIN z -1");
}

static void test_randmember_and_scan(void)
{
    EXPECT_NIL("ZRANDMEMBER nokey");
    for (int i = 0; i < 200; i++) {
        freeReplyObject(h_cmd("ZADD z %d m%d", i, i));
    }
    redisReply *r = h_cmd("ZRANDMEMBER z 5 WITHSCORES");
    CHECK(r != NULL && r->elements == 10);
    freeReplyObject(r);
    r = h_cmd("ZRANDMEMBER z -300");
    CHECK(r != NULL && r->elements == 300);
    freeReplyObject(r);
    r = h_cmd("ZRANDMEMBER z 1000");
    CHECK(r != NULL && r->elements == 200);
    freeReplyObject(r);
    int seen = h_scan_all("ZSCAN z %llu COUNT 20", 2);
    CHECK(seen >= 200);
}

/* A leaderboard's top ten must not depend on its size: rank queries walk
 * the skiplist. Checked for correctness here; speed is for tools/bench. */
static void test_leaderboard_top10(void)
{
    int fd = h_raw_connect(h_main.port);
    static char req[200000];
    size_t len = 0;
    for (int i = 0; i < 5000; i++) {
        len += (size_t)sprintf(req + len, "ZADD lb %d p%d\r\n", (i * 7919) % 5000, i);
    }
    h_raw_send(fd, req, len);
    CHECK(h_wait_int(5000, 5000, "ZCARD lb"));
    close(fd);
    EXPECT_FLAT("p2321 4999 p4642 4998 p1963 4997", "ZREVRANGE lb 0 2 WITHSCORES");
    redisReply *r = h_cmd("ZREVRANGE lb 0 9");
    CHECK(r != NULL && r->elements == 10);
    freeReplyObject(r);
}

/* OBJECT ENCODING of key, polled for up to 3 s: Surge packs a small sorted
 * set once it has been left alone for a second (Redis at once). */
static bool wait_encoding(const char *key, const char *want)
{
    for (int i = 0; i < 300; i++) {
        redisReply *r = h_cmd("OBJECT ENCODING %s", key);
        bool ok = r != NULL && r->type == REDIS_REPLY_STRING && strcmp(r->str, want) == 0;
        freeReplyObject(r);
        if (ok) {
            return true;
        }
        h_sleep_ms(10);
    }
    return false;
}

/* Small sorted sets are packed, as Redis's listpack; past the limits they
 * become skiplists, and every command sees the same data either way. */
static void test_zset_encodings(void)
{
    EXPECT_INT(3, "ZADD small 1 a 2 b 3 c");
    CHECK(wait_encoding("small", "listpack"));
    EXPECT_FLAT("b c", "ZRANGE small 1 -1");
    CHECK(wait_encoding("small", "listpack"));
    EXPECT_INT(1, "ZADD small 4 %s", "a-member-name-longer-than-sixty-four-bytes-xxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
    EXPECT_STR("skiplist", "OBJECT ENCODING small");
    for (int i = 0; i < 130; i++) {
        freeReplyObject(h_cmd("ZADD big %d m%d", i, i));
    }
    EXPECT_STR("skiplist", "OBJECT ENCODING big");
    EXPECT_INT(130, "ZCARD big");
    EXPECT_INT(1, "COPY small small2");
    EXPECT_INT(4, "ZCARD small2");
    EXPECT_INT(2, "ZADD p 1 x 2 y");
    CHECK(wait_encoding("p", "listpack"));
    OK("RENAME p p2");
    EXPECT_STR("listpack", "OBJECT ENCODING p2");
    EXPECT_INT(1, "ZRANK p2 y");
    EXPECT_INT(1, "PEXPIRE p2 100000");
    EXPECT_STR("2", "ZSCORE p2 y");
    EXPECT_INT(2, "ZUNIONSTORE u 2 p2 p2");
    CHECK(wait_encoding("u", "listpack"));
    EXPECT_STR("4", "ZSCORE u y");
}

CASES_DEFINE(zset_cases, TEST(test_zset_encodings), TEST(test_zadd_flags), TEST(test_lookups), TEST(test_ranges_by_rank),
             TEST(test_ranges_by_score), TEST(test_ranges_by_lex), TEST(test_removal),
             TEST(test_pops), TEST(test_randmember_and_scan), TEST(test_leaderboard_top10));

static void test_zalgebra(void)
{
    EXPECT_INT(3, "ZADD a 1 x 2 y 3 z");
    EXPECT_INT(2, "ZADD b 10 y 20 w");
    EXPECT_INT(2, "SADD s y q");
    EXPECT_FLAT("x 1 z 3 y 12 w 20", "ZUNION 2 a b WITHSCORES");
    EXPECT_FLAT("y 12", "ZINTER 2 a b WITHSCORES");
    EXPECT_FLAT("y 2", "ZINTER 2 a b AGGREGATE MIN WITHSCORES");
    EXPECT_FLAT("y 22", "ZINTER 2 a b WEIGHTS 1 2 WITHSCORES");
    EXPECT_FLAT("x z", "ZDIFF 2 a b");
    EXPECT_FLAT("y 3", "ZINTER 2 a s WITHSCORES");
    EXPECT_INT(4, "ZUNIONSTORE u 2 a b");
    EXPECT_INT(1, "ZINTERSTORE i 2 a b AGGREGATE MAX");
    EXPECT_STR("10", "ZSCORE i y");
    EXPECT_INT(2, "ZDIFFSTORE d 2 a b");
    EXPECT_INT(0, "ZINTERSTORE i 2 a nokey");
    EXPECT_INT(0, "EXISTS i");
    EXPECT_INT(1, "ZINTERCARD 2 a b");
    EXPECT_INT(3, "ZINTERCARD 1 a");
    EXPECT_INT(2, "ZINTERCARD 1 a LIMIT 2");
    EXPECT_ERR("ERR at least 1 input key is needed for 'zunionstore' command", "ZUNIONSTORE d 0 a");
    EXPECT_ERR("ERR at least 1 input key is needed for 'zintercard' command", "ZINTERCARD 0 a");
    EXPECT_ERR("ERR weight value is not a float", "ZINTERSTORE d 1 a WEIGHTS x");
    EXPECT_ERR("ERR syntax error", "ZUNIONSTORE d 2 a");
    EXPECT_ERR("ERR syntax error", "ZINTER 1 a AGGREGATE foo");
    EXPECT_ERR("ERR syntax error", "ZDIFF 1 a WEIGHTS 1");
    OK("SET str v");
    EXPECT_ERR("WRONGTYPE Operation against a key holding the wrong kind of value",
               "ZUNION 2 a str");
    EXPECT_INT(2, "ZRANGESTORE rs a 0 1");
    EXPECT_FLAT("x y", "ZRANGE rs 0 -1");
    EXPECT_INT(1, "ZRANGESTORE rs a (1 2 BYSCORE");
    EXPECT_INT(0, "ZRANGESTORE rs a 5 10");
    EXPECT_INT(0, "EXISTS rs");
}

static void test_zmpop_and_blocking(void)
{
    EXPECT_INT(3, "ZADD z 1 a 2 b 3 c");
    EXPECT_FLAT("z [[c 3] [b 2]]", "ZMPOP 2 nokey z MAX COUNT 2");
    redisReply *r = h_cmd("ZMPOP 1 nokey MIN");
    CHECK(r != NULL && r->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    EXPECT_ERR("ERR numkeys should be greater than 0", "ZMPOP 0 z MAX");
    EXPECT_ERR("ERR syntax error", "ZMPOP 1 z FOO");
    EXPECT_ERR("ERR count should be greater than 0", "ZMPOP 1 z MIN COUNT 0");
    EXPECT_FLAT("z a 1", "BZPOPMIN nokey z 1");
    r = h_cmd("BZPOPMAX nokey 0.05");
    CHECK(r != NULL && r->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    redisContext *w = h_send_only("BZPOPMAX board 5");
    CHECK(h_wait_blocked(1));
    EXPECT_INT(2, "ZADD board 5 p1 9 p2");
    r = h_get_reply(w);
    CHECK(r != NULL && r->elements == 3 &&
          strcmp(r->element[1]->str, "p2") == 0);
    freeReplyObject(r);
    redisFree(w);
    EXPECT_FLAT("board [[p1 5]]", "BZMPOP 1 1 board MIN");
}

/* Redis 7.2+ options, newer than the reference server. */
static void test_newer_options(void)
{
    if (h_is_reference()) {
        return;
    }
    EXPECT_INT(2, "ZADD z 1.5 a 2 b");
    EXPECT_FLAT("1 2", "ZRANK z b WITHSCORE");
    EXPECT_FLAT("1 1.5", "ZREVRANK z a WITHSCORE");
    redisReply *r = h_cmd("ZRANK z nope WITHSCORE");
    CHECK(r != NULL && r->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    EXPECT_ERR("ERR syntax error", "ZRANK z a FOO");
    EXPECT_INT(2, "HSET h f1 v1 f2 v2");
    r = h_cmd("HSCAN h 0 NOVALUES");
    CHECK(r != NULL && r->elements == 2 && r->element[1]->elements == 2 &&
          strncmp(r->element[1]->element[0]->str, "f", 1) == 0 &&
          strncmp(r->element[1]->element[1]->str, "f", 1) == 0);
    freeReplyObject(r);
}

CASES_DEFINE(zset2_cases, TEST(test_newer_options), TEST(test_zalgebra), TEST(test_zmpop_and_blocking));
