/* Connection and server commands: PING, ECHO, QUIT, HELLO, AUTH, SELECT,
 * SWAPDB, DBSIZE, FLUSHDB, FLUSHALL, TIME, DEBUG SLEEP, SHUTDOWN. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/integration/harness.h"

static void test_ping_echo(void)
{
    EXPECT_STATUS("PONG", "PING");
    EXPECT_STR("hi there", "PING %s", "hi there");
    EXPECT_STR("", "PING %s", "");
    EXPECT_ERR("ERR wrong number of arguments for 'ping' command", "PING a b");
    EXPECT_STR("x", "ECHO x");
    EXPECT_STR("", "ECHO %s", "");
    EXPECT_ERR("ERR wrong number of arguments for 'echo' command", "ECHO");
    EXPECT_ERR("ERR wrong number of arguments for 'echo' command", "ECHO a b");
    redisReply *r = h_cmd("ECHO %b", "a\0b\r\n", (size_t)5);
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && r->len == 5 &&
          memcmp(r->str, "a\0b\r\n", 5) == 0);
    freeReplyObject(r);
}

/* QUIT answers +OK, then closes; whatever was pipelined after it is never
 * run. Extra arguments are accepted. */
static void test_quit(void)
{
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "QUIT\r\nSET after-quit 1\r\n");
    RAW_EXPECT(fd, "+OK\r\n");
    CHECK(h_raw_closed(fd));
    close(fd);
    EXPECT_INT(0, "EXISTS after-quit");
    fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "QUIT now please\r\n");
    RAW_EXPECT(fd, "+OK\r\n");
    CHECK(h_raw_closed(fd));
    close(fd);
}

static void test_hello_reply_fields(void)
{
    redisReply *id = h_cmd("CLIENT ID");
    redisReply *r = h_cmd("HELLO 2");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 14);
    const char *keys[] = {"server", "version", "proto", "id", "mode", "role", "modules"};
    for (size_t i = 0; r != NULL && r->elements == 14 && i < 7; i++) {
        CHECK_STR(r->element[2 * i]->str, keys[i]);
    }
    const redisReply *v = h_pair_get(r, "server");
    CHECK(v != NULL && v->type == REDIS_REPLY_STRING && strcmp(v->str, "redis") == 0);
    v = h_pair_get(r, "version");
    CHECK(v != NULL && v->type == REDIS_REPLY_STRING && v->str[0] == '7');
    v = h_pair_get(r, "proto");
    CHECK(v != NULL && v->type == REDIS_REPLY_INTEGER && v->integer == 2);
    v = h_pair_get(r, "id");
    CHECK(v != NULL && v->type == REDIS_REPLY_INTEGER && id != NULL && v->integer == id->integer);
    v = h_pair_get(r, "mode");
    CHECK(v != NULL && v->type == REDIS_REPLY_STRING && strcmp(v->str, "standalone") == 0);
    v = h_pair_get(r, "role");
    CHECK(v != NULL && v->type == REDIS_REPLY_STRING && strcmp(v->str, "master") == 0);
    v = h_pair_get(r, "modules");
    CHECK(v != NULL && v->type == REDIS_REPLY_ARRAY && v->elements == 0);
    freeReplyObject(r);
    freeReplyObject(id);
    /* Without a version it reports the current protocol. */
    r = h_cmd("HELLO");
    v = h_pair_get(r, "proto");
    CHECK(r != NULL && r->elements == 14 && v != NULL && v->integer == 2);
    freeReplyObject(r);
}

static void test_hello_options_and_errors(void)
{
    EXPECT_ERR("NOPROTO unsupported protocol version", "HELLO 4");
    EXPECT_ERR("NOPROTO unsupported protocol version", "HELLO 1");
    EXPECT_ERR("NOPROTO unsupported protocol version", "HELLO 0");
    EXPECT_ERR("ERR Protocol version is not an integer or out of range", "HELLO x");
    EXPECT_ERR("ERR Protocol version is not an integer or out of range", "HELLO 2.0");
    /* The option name is echoed as sent. */
    EXPECT_ERR("ERR Syntax error in HELLO option 'foo'", "HELLO 2 foo");
    EXPECT_ERR("ERR Syntax error in HELLO option 'auth'", "HELLO 2 auth");
    EXPECT_ERR("ERR Syntax error in HELLO option 'SETNAME'", "HELLO 2 SETNAME");
    EXPECT_ERR("ERR Client names cannot contain spaces, newlines or special characters.",
               "HELLO 2 SETNAME %s", "a b");
    redisReply *r = h_cmd("HELLO 2 SETNAME conn1");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 14);
    freeReplyObject(r);
    EXPECT_STR("conn1", "CLIENT GETNAME");
    /* The default user has no password: any password authenticates. */
    r = h_cmd("HELLO 2 AUTH default whatever");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 14);
    freeReplyObject(r);
}

/* A failed HELLO changes nothing: the protocol stays RESP2. */
static void test_hello_failure_keeps_protocol(void)
{
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "HELLO 3 SETNAME \"a b\"\r\nGET nokey\r\n");
    RAW_EXPECT(fd, "-ERR Client names cannot contain spaces, newlines or special characters."
                   "\r\n$-1\r\n");
    RAW_SEND(fd, "HELLO 4\r\nGET nokey\r\n");
    RAW_EXPECT(fd, "-NOPROTO unsupported protocol version\r\n$-1\r\n");
    close(fd);
}

static void test_auth(void)
{
    EXPECT_ERR("ERR AUTH <password> called without any password configured for the default "
               "user. Are you sure your configuration is correct?",
               "AUTH foo");
    OK("AUTH default anything");
    EXPECT_ERR("WRONGPASS invalid username-password pair or user is disabled.",
               "AUTH someone pass");
    EXPECT_ERR("ERR wrong number of arguments for 'auth' command", "AUTH");
    EXPECT_ERR("ERR syntax error", "AUTH a b c");
}

static void test_requirepass(void)
{
    OK("CONFIG SET requirepass %s", H_PASSWORD);
    redisContext *c = h_connect(h_main.port);
    CHECK_REPLY_ERR(h_cmdc(c, "GET k"), "NOAUTH Authentication required.");
    /* PING, and HELLO without AUTH, are refused too. */
    CHECK_REPLY_ERR(h_cmdc(c, "PING"), "NOAUTH Authentication required.");
    /* Redis 7.0 says "the HELLO AUTH <user> <pass> option", 7.2 "the HELLO
     * <proto> AUTH <user> <pass> option"; either is Redis 7. */
    redisReply *r = h_cmdc(c, "HELLO 2");
    const char *noauth = "NOAUTH HELLO must be called with the client already authenticated, "
                         "otherwise the HELLO %sAUTH <user> <pass> option can be used to "
                         "authenticate the client and select the RESP protocol version at the "
                         "same time";
    char v70[300], v72[300];
    snprintf(v70, sizeof(v70), noauth, "");
    snprintf(v72, sizeof(v72), noauth, "<proto> ");
    bool match = r != NULL && r->type == REDIS_REPLY_ERROR &&
                 (strcmp(r->str, v70) == 0 || strcmp(r->str, v72) == 0);
    if (!match) {
        CHECK_REPLY_ERR(r, v72);
    } else {
        freeReplyObject(r);
    }
    CHECK_REPLY_ERR(h_cmdc(c, "AUTH wrong"),
                    "WRONGPASS invalid username-password pair or user is disabled.");
    CHECK_REPLY_ERR(h_cmdc(c, "HELLO 2 AUTH default wrong"),
                    "WRONGPASS invalid username-password pair or user is disabled.");
    r = h_cmdc(c, "HELLO 2 AUTH default %s SETNAME me", H_PASSWORD);
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 14);
    freeReplyObject(r);
    CHECK_REPLY_STR(h_cmdc(c, "CLIENT GETNAME"), "me");
    /* The one-argument form authenticates the default user. */
    redisContext *c2 = h_connect(h_main.port);
    CHECK_REPLY_STATUS(h_cmdc(c2, "AUTH %s", H_PASSWORD), "OK");
    CHECK_REPLY_NIL(h_cmdc(c2, "GET k"));
    CHECK_REPLY_STATUS(h_cmdc(c, "CONFIG SET requirepass %s", ""), "OK");
    if (c2 != NULL) {
        redisFree(c2);
    }
    if (c != NULL) {
        redisFree(c);
    }
}

/* Before AUTH: unknown commands and arity are checked first, and requests
 * of more than 10 arguments or bulks over 16 KiB are protocol errors. */
static void test_unauthenticated_limits(void)
{
    OK("CONFIG SET requirepass %s", H_PASSWORD);
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "NOSUCH\r\nGET a b\r\nGET a\r\n");
    RAW_EXPECT(fd, "-ERR unknown command 'NOSUCH', with args beginning with: \r\n"
                   "-ERR wrong number of arguments for 'get' command\r\n"
                   "-NOAUTH Authentication required.\r\n");
    RAW_SEND(fd, "*10\r\n$4\r\nMGET\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n$1\r\nd\r\n"
                 "$1\r\ne\r\n$1\r\nf\r\n$1\r\ng\r\n$1\r\nh\r\n$1\r\ni\r\n");
    RAW_EXPECT(fd, "-NOAUTH Authentication required.\r\n");
    RAW_SEND(fd, "*1\r\n$16384\r\n");
    CHECK(h_raw_silent(fd, 50));
    close(fd);
    fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "*11\r\n");
    RAW_EXPECT(fd, "-ERR Protocol error: unauthenticated multibulk length\r\n");
    CHECK(h_raw_closed(fd));
    close(fd);
    fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "*1\r\n$16385\r\n");
    RAW_EXPECT(fd, "-ERR Protocol error: unauthenticated bulk length\r\n");
    CHECK(h_raw_closed(fd));
    close(fd);
    /* Once authenticated, the usual limits apply. */
    fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "AUTH " H_PASSWORD "\r\n*12\r\n$4\r\nMSET\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n"
                 "$1\r\n2\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\ne\r\n$1\r\n5\r\n"
                 "$1\r\nf\r\n");
    RAW_EXPECT(fd, "+OK\r\n-ERR wrong number of arguments for 'mset' command\r\n");
    RAW_SEND(fd, "CONFIG SET requirepass \"\"\r\n");
    RAW_EXPECT(fd, "+OK\r\n");
    close(fd);
}

static void test_select(void)
{
    OK("SET k db0");
    OK("SELECT 15");
    EXPECT_NIL("GET k");
    OK("SET k db15");
    EXPECT_INT(1, "DBSIZE");
    OK("SELECT 0");
    EXPECT_STR("db0", "GET k");
    EXPECT_ERR("ERR DB index is out of range", "SELECT 16");
    EXPECT_ERR("ERR DB index is out of range", "SELECT -1");
    EXPECT_ERR("ERR value is not an integer or out of range", "SELECT x");
    EXPECT_ERR("ERR value is not an integer or out of range", "SELECT 1.0");
    EXPECT_ERR("ERR value is not an integer or out of range", "SELECT 01");
    EXPECT_ERR("ERR value is not an integer or out of range", "SELECT %s", "");
    EXPECT_ERR("ERR wrong number of arguments for 'select' command", "SELECT 1 2");
    /* The db is per connection. */
    OK("SELECT 3");
    redisContext *other = h_connect(h_main.port);
    CHECK_REPLY_STR(h_cmdc(other, "GET k"), "db0");
    if (other != NULL) {
        redisFree(other);
    }
}

static void test_swapdb(void)
{
    OK("SET k db0");
    OK("SELECT 15");
    OK("SET k db15");
    OK("SET only15 x");
    OK("SWAPDB 0 15");
    EXPECT_STR("db0", "GET k");
    EXPECT_INT(1, "DBSIZE");
    OK("SELECT 0");
    EXPECT_STR("db15", "GET k");
    EXPECT_INT(2, "DBSIZE");
    OK("SWAPDB 0 0");
    EXPECT_ERR("ERR invalid first DB index", "SWAPDB x 1");
    EXPECT_ERR("ERR invalid second DB index", "SWAPDB 1 x");
    EXPECT_ERR("ERR DB index is out of range", "SWAPDB 0 16");
    EXPECT_ERR("ERR DB index is out of range", "SWAPDB -1 0");
    EXPECT_ERR("ERR wrong number of arguments for 'swapdb' command", "SWAPDB 0");
}

static void test_dbsize_flush(void)
{
    EXPECT_INT(0, "DBSIZE");
    OK("MSET a 1 b 2 c 3");
    EXPECT_INT(3, "DBSIZE");
    EXPECT_ERR("ERR wrong number of arguments for 'dbsize' command", "DBSIZE x");
    OK("SELECT 1");
    OK("SET b 1");
    OK("FLUSHDB");
    EXPECT_INT(0, "DBSIZE");
    OK("SELECT 0");
    EXPECT_INT(3, "DBSIZE");
    OK("FLUSHDB ASYNC");
    EXPECT_INT(0, "DBSIZE");
    OK("SET a 1");
    OK("FLUSHDB SYNC");
    EXPECT_INT(0, "DBSIZE");
    OK("SET a 1");
    OK("SELECT 1");
    OK("SET b 1");
    OK("FLUSHALL ASYNC");
    EXPECT_INT(0, "DBSIZE");
    OK("SELECT 0");
    EXPECT_INT(0, "DBSIZE");
    OK("SET a 1");
    OK("FLUSHALL SYNC");
    EXPECT_INT(0, "DBSIZE");
    OK("FLUSHALL");
    EXPECT_ERR("ERR syntax error", "FLUSHALL FOO");
    EXPECT_ERR("ERR syntax error", "FLUSHDB FOO");
    EXPECT_ERR("ERR syntax error", "FLUSHALL ASYNC SYNC");
}

static void test_time(void)
{
    redisReply *r = h_cmd("TIME");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
        CHECK(r->element[0]->type == REDIS_REPLY_STRING);
        CHECK(r->element[1]->type == REDIS_REPLY_STRING);
        long long s = atoll(r->element[0]->str), us = atoll(r->element[1]->str);
        long long now = (long long)time(NULL);
        CHECK(s >= now - 5 && s <= now + 5);
        CHECK(us >= 0 && us < 1000000);
    }
    freeReplyObject(r);
    EXPECT_ERR("ERR wrong number of arguments for 'time' command", "TIME x");
}

static void test_debug_sleep(void)
{
    OK("DEBUG SLEEP 0");
    OK("DEBUG SLEEP 0.01");
    /* The subcommand is echoed as sent. */
    EXPECT_ERR("ERR unknown subcommand or wrong number of arguments for 'SLEEP'. "
               "Try DEBUG HELP.",
               "DEBUG SLEEP");
}

/* SHUTDOWN on a server of its own: no reply, the connection closes and the
 * process exits 0. The error forms are checked on the shared server. */
static void test_shutdown(void)
{
    EXPECT_ERR("ERR syntax error", "SHUTDOWN foo");
    EXPECT_ERR("ERR No shutdown in progress.", "SHUTDOWN ABORT");
    struct h_server s;
    if (h_server_start(&s, NULL) < 0) {
        CHECK(!"second server started");
        return;
    }
    redisContext *c = h_connect(s.port);
    CHECK_REPLY_STATUS(h_cmdc(c, "SET k v"), "OK");
    redisReply *r = h_cmdc(c, "SHUTDOWN");
    CHECK(r == NULL);
    freeReplyObject(r);
    if (c != NULL) {
        redisFree(c);
    }
    int status = -1;
    for (int i = 0; i < 500 && waitpid(s.pid, &status, WNOHANG) != s.pid; i++) {
        h_sleep_ms(10);
    }
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
        s.pid = 0;
    }
    h_server_stop(&s);
}

CASES_DEFINE(admin_cases, TEST(test_ping_echo), TEST(test_quit), TEST(test_hello_reply_fields),
             TEST(test_hello_options_and_errors), TEST(test_hello_failure_keeps_protocol),
             TEST(test_auth), TEST(test_requirepass), TEST(test_unauthenticated_limits),
             TEST(test_select), TEST(test_swapdb),
             TEST(test_dbsize_flush), TEST(test_time), TEST(test_debug_sleep),
             TEST(test_shutdown));
