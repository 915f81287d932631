/* Lists: every command and error text, and the blocking forms: FIFO
 * service, timeouts, disconnects, MULTI. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/integration/harness.h"


static void test_push_pop_len(void)
{
    EXPECT_INT(3, "RPUSH l a b c");
    EXPECT_INT(5, "LPUSH l y z");
    EXPECT_FLAT("z y a b c", "LRANGE l 0 -1");
    EXPECT_INT(5, "LLEN l");
    EXPECT_STR("z", "LPOP l");
    EXPECT_STR("c", "RPOP l");
    EXPECT_FLAT("y a", "LPOP l 2");
    EXPECT_FLAT("b", "RPOP l 5");
    EXPECT_INT(0, "EXISTS l");
    EXPECT_NIL("LPOP l");
    redisReply *r = h_cmd("LPOP l 2");
    CHECK(r != NULL && r->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    EXPECT_INT(0, "LPUSHX l a");
    EXPECT_INT(0, "EXISTS l");
    EXPECT_INT(1, "RPUSH l a");
    EXPECT_INT(2, "RPUSHX l b");
    EXPECT_INT(3, "LPUSHX l c");
    EXPECT_ERR("ERR value is out of range, must be positive", "LPOP l -1");
    EXPECT_STATUS("list", "TYPE l");
    OK("SET s v");
    EXPECT_ERR("WRONGTYPE Operation against a key holding the wrong kind of value", "LPUSH s a");
}

static void test_index_set_range_trim(void)
{
    EXPECT_INT(5, "RPUSH l a b c d e");
    EXPECT_STR("a", "LINDEX l 0");
    EXPECT_STR("e", "LINDEX l -1");
    EXPECT_NIL("LINDEX l 10");
    OK("LSET l 1 B");
    OK("LSET l -1 E");
    EXPECT_ERR("ERR index out of range", "LSET l 10 x");
    EXPECT_ERR("ERR no such key", "LSET nokey 0 x");
    EXPECT_FLAT("B c", "LRANGE l 1 2");
    EXPECT_FLAT("d E", "LRANGE l -2 100");
    EXPECT_FLAT("", "LRANGE l 4 2");
    EXPECT_FLAT("", "LRANGE nokey 0 -1");
    OK("LTRIM l 1 -2");
    EXPECT_FLAT("B c d", "LRANGE l 0 -1");
    OK("LTRIM l 5 10");
    EXPECT_INT(0, "EXISTS l");
    EXPECT_ERR("ERR value is not an integer or out of range", "LRANGE l a 1");
}

static void test_rem_insert_pos(void)
{
    EXPECT_INT(7, "RPUSH l a x b x c x d");
    EXPECT_INT(1, "LREM l 1 x");
    EXPECT_FLAT("a b x c x d", "LRANGE l 0 -1");
    EXPECT_INT(1, "LREM l -1 x");
    EXPECT_FLAT("a b x c d", "LRANGE l 0 -1");
    EXPECT_INT(1, "LREM l 0 x");
    EXPECT_INT(0, "LREM l 0 zz");
    EXPECT_INT(5, "LINSERT l BEFORE c C");
    EXPECT_INT(6, "LINSERT l AFTER d D");
    EXPECT_FLAT("a b C c d D", "LRANGE l 0 -1");
    EXPECT_INT(-1, "LINSERT l BEFORE zz q");
    EXPECT_INT(0, "LINSERT nokey BEFORE a b");
    EXPECT_ERR("ERR syntax error", "LINSERT l MIDDLE a b");
    EXPECT_INT(6, "RPUSH p a b c 1 2 3");
    EXPECT_INT(7, "RPUSH p c");
    EXPECT_INT(2, "LPOS p c");
    EXPECT_INT(6, "LPOS p c RANK 2");
    EXPECT_INT(6, "LPOS p c RANK -1");
    EXPECT_FLAT("2 6", "LPOS p c COUNT 0");
    EXPECT_FLAT("2", "LPOS p c COUNT 1");
    EXPECT_NIL("LPOS p c MAXLEN 2");
    EXPECT_NIL("LPOS p zz");
    EXPECT_FLAT("", "LPOS p zz COUNT 2");
    EXPECT_ERR_PREFIX("ERR RANK can't be zero", "LPOS p c RANK 0");
    EXPECT_ERR("ERR COUNT can't be negative", "LPOS p c COUNT -1");
    EXPECT_ERR("ERR MAXLEN can't be negative", "LPOS p c MAXLEN -1");
}

static void test_lmove_rpoplpush_lmpop(void)
{
    EXPECT_INT(3, "RPUSH src a b c");
    EXPECT_STR("c", "RPOPLPUSH src dst");
    EXPECT_STR("a", "LMOVE src dst LEFT RIGHT");
    EXPECT_FLAT("c a", "LRANGE dst 0 -1");
    EXPECT_STR("b", "LMOVE src src LEFT LEFT");
    EXPECT_NIL("LMOVE nokey dst LEFT LEFT");
    EXPECT_ERR("ERR syntax error", "LMOVE src dst UP LEFT");
    OK("SET str v");
    EXPECT_ERR("WRONGTYPE Operation against a key holding the wrong kind of value",
               "LMOVE src str LEFT LEFT");
    EXPECT_FLAT("dst [c a]", "LMPOP 2 nokey dst LEFT COUNT 5");
    redisReply *r = h_cmd("LMPOP 1 nokey LEFT");
    CHECK(r != NULL && r->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    EXPECT_ERR("ERR numkeys should be greater than 0", "LMPOP 0 a LEFT");
    EXPECT_ERR("ERR count should be greater than 0", "LMPOP 1 a LEFT COUNT 0");
    EXPECT_ERR("ERR syntax error", "LMPOP 1 a UP");
}

static void test_big_list_chunks(void)
{
    int fd = h_raw_connect(h_main.port);
    static char req[400000];
    size_t len = 0;
    for (int i = 0; i < 10000; i++) {
        len += (size_t)sprintf(req + len, "RPUSH big element-%05d\r\n", i);
    }
    h_raw_send(fd, req, len);
    CHECK(h_wait_int(10000, 5000, "LLEN big"));
    close(fd);
    EXPECT_STR("element-05000", "LINDEX big 5000");
    EXPECT_FLAT("element-09998 element-09999", "LRANGE big -2 -1");
    OK("LTRIM big 100 -101");
    EXPECT_INT(9800, "LLEN big");
    EXPECT_STR("element-00100", "LINDEX big 0");
    EXPECT_STR("element-09899", "LINDEX big -1");
    EXPECT_INT(1, "LREM big 0 element-05000");
    EXPECT_INT(9799, "LLEN big");
}

static void test_blpop_fifo(void)
{
    redisContext *a = h_send_only("BLPOP q1 q2 5");
    CHECK(h_wait_blocked(1));
    redisContext *b = h_send_only("BLPOP q2 5");
    CHECK(h_wait_blocked(2));
    EXPECT_INT(1, "RPUSH q2 first");
    redisReply *r = h_get_reply(a);
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[0]->str, "q2") == 0 &&
          strcmp(r->element[1]->str, "first") == 0);
    freeReplyObject(r);
    EXPECT_INT(1, "RPUSH q2 second");
    r = h_get_reply(b);
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[1]->str, "second") == 0);
    freeReplyObject(r);
    EXPECT_INT(0, "EXISTS q2");
    redisFree(a);
    redisFree(b);
}

static void test_blocking_timeout_and_immediate(void)
{
    EXPECT_INT(1, "RPUSH ready x");
    EXPECT_FLAT("ready x", "BRPOP nokey ready 1");
    redisReply *r = h_cmd("BLPOP nokey 0.1");
    CHECK(r != NULL && r->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    EXPECT_ERR("ERR timeout is negative", "BLPOP k -1");
    EXPECT_ERR("ERR timeout is not a float or out of range", "BLPOP k abc");
    r = h_cmd("BLMOVE nokey dst LEFT RIGHT 0.05");
    CHECK(r != NULL && r->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
}

static void test_blmove_and_blmpop_wake(void)
{
    redisContext *a = h_send_only("BLMOVE src dst RIGHT LEFT 5");
    redisContext *b = h_send_only("BLMPOP 5 1 dst LEFT COUNT 2");
    CHECK(h_wait_blocked(2));
    EXPECT_INT(1, "LPUSH src v");
    redisReply *r = h_get_reply(a);
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && strcmp(r->str, "v") == 0);
    freeReplyObject(r);
    /* The move fed dst, which serves the BLMPOP waiter. */
    r = h_get_reply(b);
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[0]->str, "dst") == 0 &&
          r->element[1]->elements == 1);
    freeReplyObject(r);
    redisFree(a);
    redisFree(b);
}

static void test_blocked_client_disconnects(void)
{
    redisContext *gone = h_send_only("BLPOP dq 5");
    CHECK(h_wait_blocked(1));
    redisContext *waiter = h_send_only("BLPOP dq 5");
    CHECK(h_wait_blocked(2));
    redisFree(gone);
    CHECK(h_wait_blocked(1));
    EXPECT_INT(1, "RPUSH dq item");
    redisReply *r = h_get_reply(waiter);
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[1]->str, "item") == 0);
    freeReplyObject(r);
    redisFree(waiter);
}

static void test_push_in_multi_wakes_after_exec(void)
{
    redisContext *w = h_send_only("BLPOP mq 5");
    CHECK(h_wait_blocked(1));
    OK("MULTI");
    EXPECT_STATUS("QUEUED", "RPUSH mq a");
    EXPECT_STATUS("QUEUED", "RPUSH mq b");
    redisReply *r = h_cmd("EXEC");
    CHECK(r != NULL && r->elements == 2);
    freeReplyObject(r);
    r = h_get_reply(w);
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[1]->str, "a") == 0);
    freeReplyObject(r);
    EXPECT_FLAT("b", "LRANGE mq 0 -1");
    /* Inside MULTI a blocking pop on an empty list does not block. */
    OK("MULTI");
    EXPECT_STATUS("QUEUED", "BLPOP emptyq 0");
    r = h_cmd("EXEC");
    CHECK(r != NULL && r->elements == 1 && r->element[0]->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    redisFree(w);
}

/* Commands pipelined behind a blocking one wait for it, then run in order. */
static void test_pipeline_behind_blocked_command(void)
{
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "BLPOP pq 0.2\r\nPING\r\nRPUSH pq x\r\nBLPOP pq 1\r\n");
    RAW_EXPECT(fd, "*-1\r\n+PONG\r\n:1\r\n*2\r\n$2\r\npq\r\n$1\r\nx\r\n");
    close(fd);
    /* A blocked client killed by another is dropped from the wait. */
    redisContext *w = h_send_only("BLPOP kq 5");
    CHECK(h_wait_blocked(1));
    EXPECT_INT(1, "CLIENT KILL TYPE normal SKIPME yes");
    CHECK(h_wait_blocked(0));
    if (w != NULL) {
        redisFree(w);
    }
}

CASES_DEFINE(list_cases, TEST(test_pipeline_behind_blocked_command), TEST(test_push_pop_len), TEST(test_index_set_range_trim),
             TEST(test_rem_insert_pos), TEST(test_lmove_rpoplpush_lmpop),
             TEST(test_big_list_chunks), TEST(test_blpop_fifo),
             TEST(test_blocking_timeout_and_immediate), TEST(test_blmove_and_blmpop_wake),
             TEST(test_blocked_client_disconnects), TEST(test_push_in_multi_wakes_after_exec));
