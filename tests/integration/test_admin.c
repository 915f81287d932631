/* Connection and server commands: PING, ECHO, SELECT, SWAPDB, FLUSH*, TIME,
 * INFO, CONFIG, CLIENT, COMMAND, DEBUG, QUIT, AUTH, HELLO. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/integration/harness.h"

static void test_ping_echo(void)
{
    EXPECT_STATUS("PONG", "PING");
    EXPECT_STR("hi there", "PING %s", "hi there");
    EXPECT_ERR("ERR wrong number of arguments for 'ping' command", "PING a b");
    EXPECT_STR("x", "ECHO x");
    EXPECT_ERR("ERR wrong number of arguments for 'echo' command", "ECHO");
}

static void test_select_swapdb_dbsize(void)
{
    OK("SET k db0");
    OK("SELECT 15");
    EXPECT_NIL("GET k");
    OK("SET k db15");
    EXPECT_INT(1, "DBSIZE");
    EXPECT_ERR("ERR DB index is out of range", "SELECT 16");
    EXPECT_ERR("ERR DB index is out of range", "SELECT -1");
    EXPECT_ERR("ERR value is not an integer or out of range", "SELECT x");
    OK("SWAPDB 0 15");
    EXPECT_STR("db0", "GET k");
    OK("SELECT 0");
    EXPECT_STR("db15", "GET k");
    EXPECT_ERR("ERR invalid first DB index", "SWAPDB x 1");
    EXPECT_ERR("ERR invalid second DB index", "SWAPDB 1 x");
    EXPECT_ERR("ERR DB index is out of range", "SWAPDB 0 16");
}

static void test_flush(void)
{
    OK("SET a 1");
    OK("SELECT 1");
    OK("SET b 1");
    OK("FLUSHDB");
    EXPECT_INT(0, "DBSIZE");
    OK("SELECT 0");
    EXPECT_INT(1, "DBSIZE");
    OK("FLUSHALL ASYNC");
    EXPECT_INT(0, "DBSIZE");
    OK("SET a 1");
    OK("FLUSHALL SYNC");
    EXPECT_INT(0, "DBSIZE");
    EXPECT_ERR("ERR syntax error", "FLUSHALL FOO");
    EXPECT_ERR("ERR syntax error", "FLUSHDB FOO");
}

static void test_time(void)
{
    redisReply *r = h_cmd("TIME");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    if (r != NULL && r->elements == 2) {
        long long s = atoll(r->element[0]->str), us = atoll(r->element[1]->str);
        CHECK(s > 1600000000LL && us >= 0 && us < 1000000);
    }
    freeReplyObject(r);
}

static bool info_has(const char *info, const char *field)
{
    char needle[128];
    snprintf(needle, sizeof(needle), "\r\n%s:", field);
    return strstr(info, needle) != NULL;
}

static void test_info_fields(void)
{
    OK("SET k v EX 100");
    OK("SET j v");
    redisReply *r = h_cmd("INFO");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING);
    const char *fields[] = {"redis_version", "tcp_port", "process_id", "uptime_in_seconds",
                            "connected_clients", "used_memory", "used_memory_human",
                            "used_memory_rss", "maxmemory", "total_connections_received",
                            "total_commands_processed", "instantaneous_ops_per_sec",
                            "expired_keys", "evicted_keys", "keyspace_hits", "keyspace_misses",
                            "role"};
    for (size_t i = 0; r != NULL && r->str != NULL && i < sizeof(fields) / sizeof(*fields); i++) {
        if (!info_has(r->str, fields[i])) {
            fprintf(stderr, "  missing INFO field %s\n", fields[i]);
            test_failures_in_case++;
        }
    }
    CHECK(r != NULL && r->str != NULL && strncmp(r->str, "# Server\r\n", 10) == 0);
    CHECK(r != NULL && r->str != NULL && strstr(r->str, "db0:keys=2,expires=1,avg_ttl=") != NULL);
    freeReplyObject(r);
    r = h_cmd("INFO keyspace");
    CHECK(r != NULL && r->str != NULL && strncmp(r->str, "# Keyspace\r\ndb0:keys=2", 22) == 0);
    CHECK(r != NULL && r->str != NULL && strstr(r->str, "# Server") == NULL);
    freeReplyObject(r);
    r = h_cmd("INFO server clients");
    CHECK(r != NULL && r->str != NULL && strstr(r->str, "# Clients\r\n") != NULL &&
          strstr(r->str, "# Memory") == NULL);
    freeReplyObject(r);
    r = h_cmd("INFO nosuchsection");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && r->len == 0);
    freeReplyObject(r);
    r = h_cmd("INFO everything");
    CHECK(r != NULL && r->str != NULL && strstr(r->str, "# Keyspace") != NULL);
    freeReplyObject(r);
}

static void test_info_stats_move(void)
{
    redisReply *r = h_cmd("INFO stats");
    char *p = r && r->str ? strstr(r->str, "keyspace_misses:") : NULL;
    long long before = p ? atoll(p + 16) : -1;
    freeReplyObject(r);
    EXPECT_NIL("GET nokey");
    r = h_cmd("INFO stats");
    p = r && r->str ? strstr(r->str, "keyspace_misses:") : NULL;
    CHECK(p != NULL && atoll(p + 16) == before + 1);
    freeReplyObject(r);
    OK("CONFIG RESETSTAT");
    r = h_cmd("INFO stats");
    CHECK(r != NULL && r->str != NULL && strstr(r->str, "\r\nkeyspace_misses:0\r\n") != NULL);
    freeReplyObject(r);
}

static void test_config_get_set(void)
{
    redisReply *r = h_cmd("CONFIG GET maxmemory");
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[0]->str, "maxmemory") == 0 &&
          strcmp(r->element[1]->str, "0") == 0);
    freeReplyObject(r);
    r = h_cmd("CONFIG GET port databases");
    CHECK(r != NULL && r->elements == 4);
    freeReplyObject(r);
    r = h_cmd("CONFIG GET *max-*-entries* nosuchparam");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    r = h_cmd("CONFIG GET proto-max-bulk*");
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[1]->str, "536870912") == 0);
    freeReplyObject(r);
    OK("CONFIG SET maxmemory 10mb");
    r = h_cmd("CONFIG GET maxmemory");
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[1]->str, "10485760") == 0);
    freeReplyObject(r);
    OK("CONFIG SET maxmemory 0 timeout 0");
    EXPECT_ERR("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'",
               "CONFIG SET nosuch 1");
    EXPECT_ERR_PREFIX("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - ",
                      "CONFIG SET maxmemory abc");
    EXPECT_ERR_PREFIX("ERR CONFIG SET failed (possibly related to argument 'daemonize') - ",
                      "CONFIG SET daemonize yes");
    EXPECT_ERR_PREFIX("ERR CONFIG SET failed (possibly related to argument 'timeout') - ",
                      "CONFIG SET timeout 1 timeout 2");
    EXPECT_ERR("ERR wrong number of arguments for 'config|set' command", "CONFIG SET timeout");
    r = h_cmd("CONFIG GET loglevel");
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[1]->str, "notice") == 0);
    freeReplyObject(r);
    EXPECT_ERR_PREFIX("ERR CONFIG SET failed (possibly related to argument 'loglevel') - ",
                      "CONFIG SET loglevel loud");
    OK("CONFIG SET client-output-buffer-limit %s", "normal 0 0 0");
}

static void test_client_commands(void)
{
    redisReply *r = h_cmd("CLIENT ID");
    CHECK(r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer > 0);
    long long id = r ? r->integer : 0;
    freeReplyObject(r);
    EXPECT_NIL("CLIENT GETNAME");
    OK("CLIENT SETNAME tester");
    EXPECT_STR("tester", "CLIENT GETNAME");
    EXPECT_ERR("ERR Client names cannot contain spaces, newlines or special characters.",
               "CLIENT SETNAME %s", "a b");
    r = h_cmd("CLIENT LIST");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && strstr(r->str, "name=tester ") != NULL &&
          strstr(r->str, " cmd=client|list ") != NULL && strstr(r->str, " addr=127.0.0.1:") &&
          strstr(r->str, " laddr=") != NULL && strstr(r->str, " db=0 ") != NULL);
    freeReplyObject(r);
    r = h_cmd("CLIENT INFO");
    char want[64];
    snprintf(want, sizeof(want), "id=%lld ", id);
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && strncmp(r->str, want, strlen(want)) == 0 &&
          strstr(r->str, " resp=2") != NULL);
    freeReplyObject(r);
    OK("CLIENT SETNAME %s", "");
    EXPECT_NIL("CLIENT GETNAME");
}

static void test_client_kill(void)
{
    redisContext *other = h_connect(h_main.port);
    CHECK(other != NULL);
    redisReply *r = h_cmdc(other, "CLIENT ID");
    long long id = r ? r->integer : 0;
    freeReplyObject(r);
    EXPECT_INT(0, "CLIENT KILL ID 999999");
    EXPECT_INT(1, "CLIENT KILL ID %lld", id);
    r = h_cmdc(other, "PING");
    CHECK(r == NULL);
    freeReplyObject(r);
    if (other != NULL) {
        redisFree(other);
    }
    EXPECT_ERR("ERR No such client", "CLIENT KILL 1.2.3.4:5");
    EXPECT_ERR("ERR syntax error", "CLIENT KILL ID 1 FOO");
    EXPECT_INT(0, "CLIENT KILL SKIPME yes ID 999998");
    EXPECT_ERR_PREFIX("ERR Unknown client type", "CLIENT KILL TYPE bogus");
}

static void test_client_setinfo(void)
{
    if (h_is_reference()) {
        return; /* CLIENT SETINFO is Redis 7.2+; the reference is 7.0 */
    }
    OK("CLIENT SETINFO lib-name mylib");
    OK("CLIENT SETINFO LIB-VER 1.2.3");
    redisReply *r = h_cmd("CLIENT INFO");
    CHECK(r != NULL && r->str != NULL && strstr(r->str, "lib-name=mylib") != NULL &&
          strstr(r->str, "lib-ver=1.2.3") != NULL);
    freeReplyObject(r);
    EXPECT_ERR("ERR lib-name cannot contain spaces, newlines or special characters.",
               "CLIENT SETINFO lib-name %s", "a b");
    EXPECT_ERR("ERR Unrecognized option 'foo'", "CLIENT SETINFO foo bar");
}

static void test_command_introspection(void)
{
    redisReply *r = h_cmd("COMMAND COUNT");
    CHECK(r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer > 50);
    freeReplyObject(r);
    r = h_cmd("COMMAND INFO get set nosuchcmd");
    CHECK(r != NULL && r->elements == 3);
    if (r != NULL && r->elements == 3) {
        redisReply *g = r->element[0];
        CHECK(g->elements == 10 && strcmp(g->element[0]->str, "get") == 0 &&
              g->element[1]->integer == 2 && g->element[3]->integer == 1 &&
              g->element[4]->integer == 1 && g->element[5]->integer == 1);
        redisReply *s = r->element[1];
        CHECK(s->elements == 10 && s->element[1]->integer == -3);
        CHECK(r->element[2]->type == REDIS_REPLY_NIL);
    }
    freeReplyObject(r);
    r = h_cmd("COMMAND INFO mset");
    CHECK(r != NULL && r->elements == 1 && r->element[0]->element[4]->integer == -1 &&
          r->element[0]->element[5]->integer == 2);
    freeReplyObject(r);
    r = h_cmd("COMMAND DOCS get");
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[0]->str, "get") == 0);
    freeReplyObject(r);
    r = h_cmd("COMMAND GETKEYS mset a 1 b 2");
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[1]->str, "b") == 0);
    freeReplyObject(r);
    EXPECT_ERR("ERR Invalid command specified", "COMMAND GETKEYS nosuch a");
    EXPECT_ERR("ERR The command has no key arguments", "COMMAND GETKEYS ping x");
    EXPECT_ERR("ERR Invalid number of arguments specified for command", "COMMAND GETKEYS get a b");
    r = h_cmd("COMMAND LIST FILTERBY PATTERN get*");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements >= 5);
    freeReplyObject(r);
    r = h_cmd("COMMAND");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements > 50);
    freeReplyObject(r);
}

static void test_debug_sleep_and_quit(void)
{
    OK("DEBUG SLEEP 0");
    OK("DEBUG SLEEP 0.01");
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "QUIT\r\nPING\r\n");
    RAW_EXPECT(fd, "+OK\r\n");
    CHECK(h_raw_closed(fd));
    close(fd);
}

static void test_auth_and_hello(void)
{
    EXPECT_ERR("ERR AUTH <password> called without any password configured for the default "
               "user. Are you sure your configuration is correct?",
               "AUTH foo");
    OK("AUTH default anything");
    EXPECT_ERR("WRONGPASS invalid username-password pair or user is disabled.",
               "AUTH someone pass");
    OK("CONFIG SET requirepass secret");
    redisContext *c = h_connect(h_main.port);
    redisReply *r = h_cmdc(c, "GET k");
    CHECK(r != NULL && r->type == REDIS_REPLY_ERROR &&
          strcmp(r->str, "NOAUTH Authentication required.") == 0);
    freeReplyObject(r);
    r = h_cmdc(c, "AUTH wrong");
    CHECK(r != NULL && r->type == REDIS_REPLY_ERROR &&
          strncmp(r->str, "WRONGPASS", 9) == 0);
    freeReplyObject(r);
    r = h_cmdc(c, "HELLO 2 AUTH default secret SETNAME me");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 14);
    freeReplyObject(r);
    r = h_cmdc(c, "CLIENT GETNAME");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && strcmp(r->str, "me") == 0);
    freeReplyObject(r);
    freeReplyObject(h_cmdc(c, "CONFIG SET requirepass %s", ""));
    redisFree(c);
    EXPECT_ERR("NOPROTO unsupported protocol version", "HELLO 4");
    EXPECT_ERR("ERR Protocol version is not an integer or out of range", "HELLO x");
    EXPECT_ERR("ERR Syntax error in HELLO option 'foo'", "HELLO 2 foo");
    r = h_cmd("HELLO 2");
    CHECK(r != NULL && r->elements == 14 && strcmp(r->element[0]->str, "server") == 0 &&
          strcmp(r->element[4]->str, "proto") == 0 && r->element[5]->integer == 2 &&
          strcmp(r->element[8]->str, "mode") == 0 &&
          strcmp(r->element[9]->str, "standalone") == 0 &&
          strcmp(r->element[11]->str, "master") == 0);
    freeReplyObject(r);
}

static void test_help_replies(void)
{
    redisReply *r = h_cmd("CONFIG HELP");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements > 3 &&
          r->element[0]->type == REDIS_REPLY_STATUS);
    freeReplyObject(r);
    r = h_cmd("CLIENT HELP");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements > 3);
    freeReplyObject(r);
}

CASES_DEFINE(admin_cases, TEST(test_ping_echo), TEST(test_select_swapdb_dbsize), TEST(test_flush),
             TEST(test_time), TEST(test_info_fields), TEST(test_info_stats_move),
             TEST(test_config_get_set), TEST(test_client_commands), TEST(test_client_kill),
             TEST(test_client_setinfo), TEST(test_command_introspection),
             TEST(test_debug_sleep_and_quit), TEST(test_auth_and_hello),
             TEST(test_help_replies));
