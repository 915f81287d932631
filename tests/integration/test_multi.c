/* Transactions: MULTI/EXEC/DISCARD, queue-time errors, WATCH conflicts
 * from a second connection, expiry and FLUSH dirtying watched keys. */
#include <stdio.h>
#include <unistd.h>

#include "tests/integration/harness.h"

static void test_multi_exec_basic(void)
{
    OK("MULTI");
    EXPECT_STATUS("QUEUED", "SET a 1");
    EXPECT_STATUS("QUEUED", "INCR a");
    EXPECT_STATUS("QUEUED", "GET a");
    redisReply *r = h_cmd("EXEC");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 3);
    if (r != NULL && r->elements == 3) {
        CHECK(r->element[0]->type == REDIS_REPLY_STATUS);
        CHECK(r->element[1]->type == REDIS_REPLY_INTEGER && r->element[1]->integer == 2);
        CHECK(r->element[2]->type == REDIS_REPLY_STRING && strcmp(r->element[2]->str, "2") == 0);
    }
    freeReplyObject(r);
}

static void test_multi_errors(void)
{
    EXPECT_ERR("ERR EXEC without MULTI", "EXEC");
    EXPECT_ERR("ERR DISCARD without MULTI", "DISCARD");
    OK("MULTI");
    EXPECT_ERR("ERR MULTI calls can not be nested", "MULTI");
    EXPECT_ERR("ERR WATCH inside MULTI is not allowed", "WATCH x");
    EXPECT_STATUS("QUEUED", "SET a 1");
    EXPECT_ERR("ERR wrong number of arguments for 'get' command", "GET");
    EXPECT_ERR("EXECABORT Transaction discarded because of previous errors.", "EXEC");
    EXPECT_INT(0, "EXISTS a");
    OK("MULTI");
    EXPECT_ERR_PREFIX("ERR unknown command 'NOSUCH'", "NOSUCH");
    EXPECT_ERR("EXECABORT Transaction discarded because of previous errors.", "EXEC");
    OK("MULTI");
    EXPECT_STATUS("QUEUED", "SET a 1");
    OK("DISCARD");
    EXPECT_INT(0, "EXISTS a");
}

static void test_runtime_error_inside_exec(void)
{
    OK("SET s notanumber");
    OK("MULTI");
    EXPECT_STATUS("QUEUED", "INCR s");
    EXPECT_STATUS("QUEUED", "SET t 1");
    redisReply *r = h_cmd("EXEC");
    CHECK(r != NULL && r->elements == 2 && r->element[0]->type == REDIS_REPLY_ERROR &&
          r->element[1]->type == REDIS_REPLY_STATUS);
    freeReplyObject(r);
    EXPECT_STR("1", "GET t");
}

static void test_watch_conflict_from_other_client(void)
{
    redisContext *other = h_connect(h_main.port);
    OK("SET k 1");
    OK("WATCH k");
    freeReplyObject(h_cmdc(other, "SET k 2"));
    OK("MULTI");
    EXPECT_STATUS("QUEUED", "SET k 3");
    EXPECT_NIL("EXEC");
    EXPECT_STR("2", "GET k");
    /* Without a conflict the transaction runs; watches end at EXEC. */
    OK("WATCH k");
    OK("MULTI");
    EXPECT_STATUS("QUEUED", "SET k 4");
    redisReply *r = h_cmd("EXEC");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 1);
    freeReplyObject(r);
    freeReplyObject(h_cmdc(other, "SET k 5"));
    OK("MULTI");
    EXPECT_STATUS("QUEUED", "GET k");
    r = h_cmd("EXEC");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 1);
    freeReplyObject(r);
    redisFree(other);
}

static void test_watch_dirtied_by_incr_del_expire_flush(void)
{
    static const char *const writes[] = {"INCR n", "DEL n", "EXPIRE n 100", "FLUSHALL",
                                         "SWAPDB 0 1", "RENAME n m", NULL};
    redisContext *other = h_connect(h_main.port);
    for (int i = 0; writes[i] != NULL; i++) {
        OK("SET n 1");
        OK("WATCH n");
        freeReplyObject(h_cmdc(other, writes[i]));
        OK("MULTI");
        EXPECT_STATUS("QUEUED", "PING");
        redisReply *r = h_cmd("EXEC");
        if (r == NULL || r->type != REDIS_REPLY_NIL) {
            fprintf(stderr, "  after %s: EXEC ran\n", writes[i]);
            test_failures_in_case++;
        }
        freeReplyObject(r);
        freeReplyObject(h_cmdc(other, "FLUSHALL"));
    }
    redisFree(other);
}

static void test_watch_expired_key(void)
{
    OK("SET k v PX 30");
    OK("WATCH k");
    h_sleep_ms(100);
    OK("MULTI");
    EXPECT_STATUS("QUEUED", "PING");
    EXPECT_NIL("EXEC");
}

static void test_unwatch_and_discard_clear(void)
{
    redisContext *other = h_connect(h_main.port);
    OK("WATCH k");
    OK("UNWATCH");
    freeReplyObject(h_cmdc(other, "SET k x"));
    OK("MULTI");
    EXPECT_STATUS("QUEUED", "PING");
    redisReply *r = h_cmd("EXEC");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    redisFree(other);
}

static void test_exec_resp3_null(void)
{
    int fd = h_raw_connect_resp3(h_main.port);
    RAW_SEND(fd, "SET w 1\r\nWATCH w\r\nSET w 2\r\nMULTI\r\nPING\r\nEXEC\r\n");
    RAW_EXPECT(fd, "+OK\r\n+OK\r\n+OK\r\n+OK\r\n+QUEUED\r\n_\r\n");
    close(fd);
}

CASES_DEFINE(multi_cases, TEST(test_multi_exec_basic), TEST(test_multi_errors),
             TEST(test_runtime_error_inside_exec), TEST(test_watch_conflict_from_other_client),
             TEST(test_watch_dirtied_by_incr_del_expire_flush), TEST(test_watch_expired_key),
             TEST(test_unwatch_and_discard_clear), TEST(test_exec_resp3_null));
