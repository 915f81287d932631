/* Protocol: multibulk and inline requests, pipelining, every malformed
 * shape, limits, and the errors of dispatch (unknown command, arity,
 * unknown subcommand). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/integration/harness.h"

static void test_inline_commands(void)
{
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "PING\r\n");
    RAW_EXPECT(fd, "+PONG\r\n");
    /* A bare \n ends a line too; blank lines and extra spaces are ignored. */
    RAW_SEND(fd, "PING\n\r\n\n  ECHO   spaced   \r\n");
    RAW_EXPECT(fd, "+PONG\r\n$6\r\nspaced\r\n");
    RAW_SEND(fd, "ping\r\n");
    RAW_EXPECT(fd, "+PONG\r\n");
    close(fd);
}

/* Quoting as in redis-cli: escapes in double quotes, only \' in single. */
static void test_inline_quoting(void)
{
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "SET k \"a b\\x41\"\r\nGET k\n");
    RAW_EXPECT(fd, "+OK\r\n$4\r\na bA\r\n");
    RAW_SEND(fd, "ECHO \"\\n\\t\\\\\\\"\"\r\n");
    RAW_EXPECT(fd, "$4\r\n\n\t\\\"\r\n");
    RAW_SEND(fd, "\r\nECHO 'it\\'s'\r\n");
    RAW_EXPECT(fd, "$4\r\nit's\r\n");
    RAW_SEND(fd, "ECHO 'a\\nb'\r\n");
    RAW_EXPECT(fd, "$4\r\na\\nb\r\n");
    RAW_SEND(fd, "ECHO \"\"\r\nECHO ''\r\n");
    RAW_EXPECT(fd, "$0\r\n\r\n$0\r\n\r\n");
    RAW_SEND(fd, "ECHO \"a\" \"b\"\r\n");
    RAW_EXPECT(fd, "-ERR wrong number of arguments for 'echo' command\r\n");
    close(fd);
}

static void test_multibulk_shapes(void)
{
    int fd = h_raw_connect(h_main.port);
    /* Zero and negative counts are skipped without a reply. */
    RAW_SEND(fd, "*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n");
    RAW_EXPECT(fd, "+PONG\r\n");
    /* An empty command name is an unknown command. */
    RAW_SEND(fd, "*1\r\n$0\r\n\r\n");
    RAW_EXPECT(fd, "-ERR unknown command '', with args beginning with: \r\n");
    /* Multibulk and inline may be mixed on one connection. */
    RAW_SEND(fd, "*2\r\n$4\r\nECHO\r\n$3\r\na\r\n\r\nPING\r\n*1\r\n$4\r\nping\r\n");
    RAW_EXPECT(fd, "$3\r\na\r\n\r\n+PONG\r\n+PONG\r\n");
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

/* 1200 mixed commands in one write, errors included: replies in order, and
 * an error does not stop the rest. */
static void test_pipeline_mixed(void)
{
    int fd = h_raw_connect(h_main.port);
    enum { N = 300 };
    static char req[N * 200], want[N * 200];
    size_t rl = 0, wl = 0;
    for (int i = 0; i < N; i++) {
        rl += (size_t)sprintf(req + rl, "SET k%d v%d\r\nGET k%d\r\nGET\r\nNOSUCH x\r\n", i, i, i);
        wl += (size_t)sprintf(want + wl,
                              "+OK\r\n$%d\r\nv%d\r\n"
                              "-ERR wrong number of arguments for 'get' command\r\n"
                              "-ERR unknown command 'NOSUCH', with args beginning with: 'x' \r\n",
                              i < 10 ? 2 : i < 100 ? 3 : 4, i);
    }
    h_raw_send(fd, req, rl);
    RAW_EXPECT(fd, want);
    close(fd);
    EXPECT_INT(N, "DBSIZE");
}

/* hiredis pipelining: many commands appended, then all replies read. */
static void test_pipeline_hiredis(void)
{
    for (int i = 0; i < 1000; i++) {
        redisAppendCommand(T, "SET key:%d %d", i, i);
    }
    int ok = 0;
    for (int i = 0; i < 1000; i++) {
        redisReply *r = NULL;
        if (redisGetReply(T, (void **)&r) == REDIS_OK && r != NULL &&
            r->type == REDIS_REPLY_STATUS) {
            ok++;
        }
        freeReplyObject(r);
    }
    CHECK_INT(ok, 1000);
    EXPECT_STR("999", "GET key:999");
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

/* The exact error, then the connection closes; others keep working. */
static void expect_protocol_error(int line, const char *bytes, size_t len, const char *reply)
{
    int fd = h_raw_connect(h_main.port);
    h_raw_send(fd, bytes, len);
    h_raw_expect(line, fd, reply);
    if (!h_raw_closed(fd)) {
        fprintf(stderr, "  line %d: connection not closed after the protocol error\n", line);
        test_failures_in_case++;
    }
    close(fd);
    EXPECT_STATUS("PONG", "PING");
}
#define EXPECT_PROTO_ERR(bytes, reply) \
    expect_protocol_error(__LINE__, bytes, sizeof(bytes) - 1, "-ERR Protocol error: " reply "\r\n")

static void test_malformed_closes_connection(void)
{
    EXPECT_PROTO_ERR("*abc\r\n", "invalid multibulk length");
    EXPECT_PROTO_ERR("*\r\n", "invalid multibulk length");
    EXPECT_PROTO_ERR("*1x\r\n", "invalid multibulk length");
    EXPECT_PROTO_ERR("*3000000000\r\n", "invalid multibulk length");
    EXPECT_PROTO_ERR("*1\r\n+PING\r\n", "expected '$', got '+'");
    EXPECT_PROTO_ERR("*1\r\nPING\r\n", "expected '$', got 'P'");
    EXPECT_PROTO_ERR("*2\r\n$4\r\nECHO\r\n:1\r\n", "expected '$', got ':'");
    EXPECT_PROTO_ERR("*1\r\n$-5\r\n", "invalid bulk length");
    EXPECT_PROTO_ERR("*1\r\n$-1\r\n", "invalid bulk length");
    EXPECT_PROTO_ERR("*1\r\n$\r\n", "invalid bulk length");
    EXPECT_PROTO_ERR("*1\r\n$x\r\n", "invalid bulk length");
    EXPECT_PROTO_ERR("*1\r\n$999999999999\r\n", "invalid bulk length");
    EXPECT_PROTO_ERR("SET k \"unterminated\r\n", "unbalanced quotes in request");
    EXPECT_PROTO_ERR("ECHO 'unterminated\r\n", "unbalanced quotes in request");
    /* A closing quote must be followed by a space or the end. */
    EXPECT_PROTO_ERR("ECHO \"a\"b\r\n", "unbalanced quotes in request");
}

/* A line that never ends: each kind has its own message at 64 KiB. */
static void test_overlong_lines(void)
{
    size_t n = 70 * 1024;
    char *big = malloc(n + 8);
    struct {
        const char *prefix, *reply;
    } cases[] = {
        {"", "-ERR Protocol error: too big inline request\r\n"},
        {"*", "-ERR Protocol error: too big mbulk count string\r\n"},
        {"*1\r\n$", "-ERR Protocol error: too big bulk count string\r\n"},
    };
    for (size_t c = 0; big != NULL && c < sizeof(cases) / sizeof(cases[0]); c++) {
        size_t pl = strlen(cases[c].prefix);
        memcpy(big, cases[c].prefix, pl);
        memset(big + pl, c == 0 ? 'a' : '1', n);
        int fd = h_raw_connect(h_main.port);
        h_raw_send(fd, big, pl + n);
        h_raw_expect(__LINE__, fd, cases[c].reply);
        CHECK(h_raw_closed(fd));
        close(fd);
    }
    free(big);
    EXPECT_STATUS("PONG", "PING");
}

static void test_replies_before_error_are_kept(void)
{
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "PING\r\nSET before 1\r\n*1\r\n$x\r\nSET after 1\r\n");
    RAW_EXPECT(fd, "+PONG\r\n+OK\r\n-ERR Protocol error: invalid bulk length\r\n");
    CHECK(h_raw_closed(fd));
    close(fd);
    EXPECT_INT(1, "EXISTS before");
    EXPECT_INT(0, "EXISTS after");
}

/* proto-max-bulk-len bounds a request's bulk (1 MiB is its minimum). */
static void test_bulk_over_proto_max_bulk_len(void)
{
    OK("CONFIG SET proto-max-bulk-len 1048576");
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048577\r\n");
    RAW_EXPECT(fd, "-ERR Protocol error: invalid bulk length\r\n");
    CHECK(h_raw_closed(fd));
    close(fd);
    /* Exactly the limit is fine. */
    static char v[1048576];
    memset(v, 'v', sizeof(v));
    freeReplyObject(h_cmd("SET k %b", v, sizeof(v)));
    EXPECT_INT(1048576, "STRLEN k");
    OK("CONFIG SET proto-max-bulk-len 536870912");
    fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$536870913\r\n");
    RAW_EXPECT(fd, "-ERR Protocol error: invalid bulk length\r\n");
    close(fd);
}

static void test_large_value_round_trip(void)
{
    size_t n = 3 * 1024 * 1024 + 17;
    char *v = malloc(n);
    for (size_t i = 0; v != NULL && i < n; i++) {
        v[i] = (char)('a' + i % 26);
    }
    OK("SET big %b", v, n);
    redisReply *r = h_cmd("GET big");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && r->len == n && v != NULL &&
          memcmp(r->str, v, n) == 0);
    freeReplyObject(r);
    EXPECT_INT((long long)n, "STRLEN big");
    free(v);
}

static void test_unknown_command(void)
{
    EXPECT_ERR("ERR unknown command 'NOSUCH', with args beginning with: 'a' 'b' ",
               "NOSUCH a b");
    EXPECT_ERR("ERR unknown command 'nosuch', with args beginning with: ", "nosuch");
    EXPECT_ERR("ERR unknown command 'foo', with args beginning with: 'a' 'b' ", "foo a b");
    EXPECT_ERR("ERR unknown command 'foo', with args beginning with: '' ", "foo %s", "");
    /* The arguments are cut at 128 characters in all ... */
    char arg[51];
    memset(arg, 'x', 50);
    arg[50] = '\0';
    char want[300];
    snprintf(want, sizeof(want),
             "ERR unknown command 'NOSUCH', with args beginning with: '%s' '%s' '%.22s' ", arg,
             arg, arg);
    EXPECT_ERR(want, "NOSUCH %s %s %s %s", arg, arg, arg, arg);
    /* ... the name at 128 ... */
    char name[201];
    memset(name, 'n', 200);
    name[200] = '\0';
    snprintf(want, sizeof(want), "ERR unknown command '%.128s', with args beginning with: ",
             name);
    EXPECT_ERR(want, "%s", name);
    /* ... and newlines become spaces so the error stays one line. */
    EXPECT_ERR("ERR unknown command 'NOSUCH', with args beginning with: 'a b' 'c d' ",
               "NOSUCH %s %s", "a\nb", "c\rd");
}

static void test_arity_errors(void)
{
    EXPECT_ERR("ERR wrong number of arguments for 'get' command", "GET");
    EXPECT_ERR("ERR wrong number of arguments for 'get' command", "GET a b");
    EXPECT_ERR("ERR wrong number of arguments for 'set' command", "SET a");
    /* The name in the message is the command's, lower case. */
    EXPECT_ERR("ERR wrong number of arguments for 'get' command", "GeT");
    EXPECT_ERR("ERR wrong number of arguments for 'mset' command", "MSET a");
    EXPECT_ERR("ERR wrong number of arguments for 'ping' command", "PING a b");
    EXPECT_ERR("ERR wrong number of arguments for 'config' command", "CONFIG");
    EXPECT_ERR("ERR wrong number of arguments for 'config|get' command", "CONFIG GET");
    EXPECT_ERR("ERR wrong number of arguments for 'config|get' command", "config get");
    EXPECT_ERR("ERR wrong number of arguments for 'object|encoding' command", "OBJECT encoding");
    EXPECT_ERR("ERR wrong number of arguments for 'client|setname' command", "CLIENT SETNAME");
}

static void test_unknown_subcommand(void)
{
    EXPECT_ERR("ERR unknown subcommand 'foo'. Try CONFIG HELP.", "CONFIG foo");
    EXPECT_ERR("ERR unknown subcommand 'foo'. Try CONFIG HELP.", "config foo bar");
    /* The subcommand is echoed as sent, the container upper-cased. */
    EXPECT_ERR("ERR unknown subcommand 'Nope'. Try OBJECT HELP.", "object Nope x");
    EXPECT_ERR("ERR unknown subcommand 'x'. Try CLIENT HELP.", "client x");
    EXPECT_ERR("ERR unknown subcommand 'x'. Try COMMAND HELP.", "command x");
}

static void test_binary_keys_and_values(void)
{
    redisReply *r = h_cmd("SET %b %b", "k\0\r\n", (size_t)4, "v\0\0", (size_t)3);
    CHECK_REPLY_STATUS(r, "OK");
    r = h_cmd("GET %b", "k\0\r\n", (size_t)4);
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && r->len == 3 &&
          memcmp(r->str, "v\0\0", 3) == 0);
    freeReplyObject(r);
    EXPECT_INT(1, "EXISTS %b", "k\0\r\n", (size_t)4);
    EXPECT_INT(0, "EXISTS %b", "k\0", (size_t)2);
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
    if (v != NULL) {
        memset(v, 'x', n);
        freeReplyObject(h_cmd("SET big %b", v, n));
    }
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

/* Garbage on many connections: each gets an error or nothing, and the
 * server keeps serving everyone else. */
static void test_random_garbage_keeps_serving(void)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int conn = 0; conn < 40; conn++) {
        int fd = h_raw_connect(h_main.port);
        char buf[512];
        for (int k = 0; k < 8; k++) {
            for (size_t i = 0; i < sizeof(buf); i++) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                /* Mostly protocol-shaped bytes, so the parser goes deep. */
                static const char alphabet[] = "*$\r\n0123456789-+ \"'\\abcSETGET";
                buf[i] = (x & 3) == 0 ? (char)(x >> 24) : alphabet[(x >> 8) % (sizeof(alphabet) - 1)];
            }
            h_raw_send(fd, buf, sizeof(buf));
        }
        close(fd);
        EXPECT_STATUS("PONG", "PING");
    }
    OK("SET still alive");
    EXPECT_STR("alive", "GET still");
}

/* maxclients: one more connection gets Redis's error and is closed. */
static void test_maxclients(void)
{
    redisContext *extra[4] = {NULL};
    OK("CONFIG SET maxclients 3");
    for (int i = 0; i < 2; i++) {
        extra[i] = h_connect(h_main.port);
        CHECK(extra[i] != NULL);
    }
    int fd = h_raw_connect(h_main.port); /* the fourth */
    RAW_EXPECT(fd, "-ERR max number of clients reached\r\n");
    CHECK(h_raw_closed(fd));
    close(fd);
    OK("CONFIG SET maxclients 10000");
    for (int i = 0; i < 2; i++) {
        if (extra[i] != NULL) {
            redisFree(extra[i]);
        }
    }
}

/* A hard output limit for normal clients closes a client whose replies
 * pile up, and only that client. */
static void test_output_buffer_hard_limit(void)
{
    OK("CONFIG SET client-output-buffer-limit %s", "normal 1mb 0 0");
    size_t n = 256 * 1024;
    char *v = malloc(n);
    memset(v, 'o', n);
    freeReplyObject(h_cmd("SET big %b", v, n));
    free(v);
    int fd = h_raw_connect(h_main.port);
    static char req[64 * 12];
    size_t len = 0;
    for (int i = 0; i < 64; i++) {
        len += (size_t)sprintf(req + len, "GET big\r\n");
    }
    h_raw_send(fd, req, len); /* 16 MiB of replies, never read */
    CHECK(h_raw_closed(fd));
    close(fd);
    EXPECT_STATUS("PONG", "PING");
    OK("CONFIG SET client-output-buffer-limit %s", "normal 0 0 0");
}

CASES_DEFINE(protocol_cases, TEST(test_maxclients), TEST(test_output_buffer_hard_limit), TEST(test_random_garbage_keeps_serving), TEST(test_inline_commands), TEST(test_inline_quoting),
             TEST(test_multibulk_shapes), TEST(test_pipeline_deep), TEST(test_pipeline_mixed),
             TEST(test_pipeline_hiredis), TEST(test_split_request_bytes),
             TEST(test_malformed_closes_connection), TEST(test_overlong_lines),
             TEST(test_replies_before_error_are_kept), TEST(test_bulk_over_proto_max_bulk_len),
             TEST(test_large_value_round_trip), TEST(test_unknown_command),
             TEST(test_arity_errors), TEST(test_unknown_subcommand),
             TEST(test_binary_keys_and_values), TEST(test_many_clients),
             TEST(test_slow_reader_does_not_block_others), TEST(test_query_buffer_limit));
