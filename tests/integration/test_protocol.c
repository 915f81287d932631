/* Protocol: multibulk, inline, pipelining, malformed input, dispatch errors. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/integration/harness.h"

static void test_inline_commands(void)
{
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "PING\r\n");
    RAW_EXPECT(fd, "+PONG\r\n");
    RAW_SEND(fd, "SET k \"a b\\x41\"\r\nGET k\n");
    RAW_EXPECT(fd, "+OK\r\n$4\r\na bA\r\n");
    RAW_SEND(fd, "\r\nECHO 'it\\'s'\r\n");
    RAW_EXPECT(fd, "$4\r\nit's\r\n");
    close(fd);
}

static void test_pipeline_deep(void)
{
    int fd = h_raw_connect(h_main.port);
    enum { N = 2000 };
    static char req[N * 40], want[N * 16];
    size_t rl = 0, wl = 0;
    for (int i = 0; i < N; i++) {
        rl += (size_t)sprintf(req + rl, "*2\r\n$4\r\nINCR\r\n$3\r\nctr\r\n");
        wl += (size_t)sprintf(want + wl, ":%d\r\n", i + 1);
    }
    h_raw_send(fd, req, rl);
    RAW_EXPECT(fd, want);
    close(fd);
}

static void test_split_request_bytes(void)
{
    int fd = h_raw_connect(h_main.port);
    const char *req = "*3\r\n$3\r\nSET\r\n$5\r\nsplit\r\n$5\r\nv\r\nx!\r\n";
    for (const char *p = req; *p != '\0'; p++) {
        h_raw_send(fd, p, 1);
        h_sleep_ms(1);
    }
    RAW_EXPECT(fd, "+OK\r\n");
    close(fd);
    EXPECT_STR("v\r\nx!", "GET split");
}

static void expect_protocol_error(const char *bytes, const char *reply)
{
    int fd = h_raw_connect(h_main.port);
    h_raw_send(fd, bytes, strlen(bytes));
    h_raw_expect(__LINE__, fd, reply);
    CHECK(h_raw_closed(fd));
    close(fd);
    /* The server keeps serving others. */
    EXPECT_STATUS("PONG", "PING");
}

static void test_malformed_closes_connection(void)
{
    expect_protocol_error("*abc\r\n", "-ERR Protocol error: invalid multibulk length\r\n");
    expect_protocol_error("*1\r\n+PING\r\n", "-ERR Protocol error: expected '$', got '+'\r\n");
    expect_protocol_error("*1\r\n$-5\r\n", "-ERR Protocol error: invalid bulk length\r\n");
    expect_protocol_error("SET k \"unterminated\r\n",
                          "-ERR Protocol error: unbalanced quotes in request\r\n");
    expect_protocol_error("*1\r\n$999999999999\r\n", "-ERR Protocol error: invalid bulk length\r\n");
}

static void test_replies_before_error_are_kept(void)
{
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "PING\r\n*1\r\n$x\r\n");
    RAW_EXPECT(fd, "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
    close(fd);
}

static void test_big_inline_rejected(void)
{
    size_t n = 70 * 1024;
    char *big = malloc(n);
    memset(big, 'a', n);
    int fd = h_raw_connect(h_main.port);
    h_raw_send(fd, big, n);
    RAW_EXPECT(fd, "-ERR Protocol error: too big inline request\r\n");
    CHECK(h_raw_closed(fd));
    close(fd);
    free(big);
}

static void test_bulk_over_proto_max_bulk_len(void)
{
    OK("CONFIG SET proto-max-bulk-len 1048576");
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n");
    RAW_EXPECT(fd, "-ERR Protocol error: invalid bulk length\r\n");
    close(fd);
    OK("CONFIG SET proto-max-bulk-len 536870912");
}

static void test_large_value_round_trip(void)
{
    size_t n = 3 * 1024 * 1024 + 17;
    char *v = malloc(n);
    for (size_t i = 0; i < n; i++) {
        v[i] = (char)('a' + i % 26);
    }
    redisReply *r = h_cmd("SET big %b", v, n);
    freeReplyObject(r);
    r = h_cmd("GET big");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && r->len == n &&
          memcmp(r->str, v, n) == 0);
    freeReplyObject(r);
    EXPECT_INT((long long)n, "STRLEN big");
    free(v);
}

static void test_unknown_command_and_arity(void)
{
    EXPECT_ERR("ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ",
               "NOSUCH a b");
    EXPECT_ERR("ERR unknown command 'nosuch', with args beginning with: ", "nosuch");
    EXPECT_ERR("ERR wrong number of arguments for 'get' command", "GET");
    EXPECT_ERR("ERR wrong number of arguments for 'get' command", "GET a b");
    EXPECT_ERR("ERR wrong number of arguments for 'set' command", "SET a");
    EXPECT_ERR("ERR unknown subcommand 'foo'. Try CONFIG HELP.", "CONFIG foo");
    EXPECT_ERR("ERR wrong number of arguments for 'config|get' command", "CONFIG GET");
    EXPECT_ERR("ERR wrong number of arguments for 'config' command", "CONFIG");
    EXPECT_ERR("ERR unknown subcommand 'nope'. Try OBJECT HELP.", "object nope x");
}

static void test_binary_keys_and_values(void)
{
    redisReply *r = h_cmd("SET %b %b", "k\0\r\n", (size_t)4, "v\0\0", (size_t)3);
    freeReplyObject(r);
    r = h_cmd("GET %b", "k\0\r\n", (size_t)4);
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && r->len == 3 &&
          memcmp(r->str, "v\0\0", 3) == 0);
    freeReplyObject(r);
}

static void test_many_clients(void)
{
    redisContext *cs[50];
    for (int i = 0; i < 50; i++) {
        cs[i] = h_connect(h_main.port);
        CHECK(cs[i] != NULL);
    }
    for (int i = 0; i < 50; i++) {
        if (cs[i] != NULL) {
            freeReplyObject(h_cmdc(cs[i], "INCR shared"));
        }
    }
    EXPECT_STR("50", "GET shared");
    for (int i = 0; i < 50; i++) {
        if (cs[i] != NULL) {
            redisFree(cs[i]);
        }
    }
}

/* A client that never reads its replies must not stall anyone else. */
static void test_slow_reader_does_not_block_others(void)
{
    size_t n = 512 * 1024;
    char *v = malloc(n);
    memset(v, 'x', n);
    freeReplyObject(h_cmd("SET big %b", v, n));
    free(v);
    int fd = h_raw_connect(h_main.port);
    static char req[64 * 20];
    size_t len = 0;
    for (int i = 0; i < 64; i++) {
        len += (size_t)sprintf(req + len, "GET big\r\n");
    }
    h_raw_send(fd, req, len); /* ~32 MiB of replies nobody reads */
    for (int i = 0; i < 100; i++) {
        EXPECT_STATUS("PONG", "PING");
    }
    close(fd);
}

static void test_query_buffer_limit(void)
{
    OK("CONFIG SET client-query-buffer-limit 1mb");
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3000000\r\n");
    static char chunk[64 * 1024];
    memset(chunk, 'a', sizeof(chunk));
    for (int i = 0; i < 32; i++) {
        h_raw_send(fd, chunk, sizeof(chunk));
    }
    CHECK(h_raw_closed(fd));
    close(fd);
    OK("CONFIG SET client-query-buffer-limit 1gb");
    EXPECT_INT(0, "EXISTS k");
}

CASES_DEFINE(protocol_cases, TEST(test_slow_reader_does_not_block_others),
             TEST(test_query_buffer_limit), TEST(test_inline_commands), TEST(test_pipeline_deep),
             TEST(test_split_request_bytes), TEST(test_malformed_closes_connection),
             TEST(test_replies_before_error_are_kept), TEST(test_big_inline_rejected),
             TEST(test_bulk_over_proto_max_bulk_len), TEST(test_large_value_round_trip),
             TEST(test_unknown_command_and_arity), TEST(test_binary_keys_and_values),
             TEST(test_many_clients));
