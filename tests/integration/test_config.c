/* CONFIG GET (names, globs, several at once), CONFIG SET (several pairs,
 * all-or-nothing, units, every error text), RESETSTAT, REWRITE, HELP. */
#include <stdio.h>
#include <stdlib.h>

#include <unistd.h>

#include "tests/integration/harness.h"

/* CONFIG GET name returns exactly [name, want]. */
static void expect_config(int line, const char *name, const char *want)
{
    redisReply *r = h_cmd("CONFIG GET %s", name);
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
        strcmp(r->element[0]->str, name) != 0 || strcmp(r->element[1]->str, want) != 0) {
        fprintf(stderr, "  line %d: CONFIG GET %s: want [%s, %s]\n", line, name, name, want);
        test_failures_in_case++;
    }
    freeReplyObject(r);
}
#define EXPECT_CONFIG(name, want) expect_config(__LINE__, name, want)

#define SET_FAILED(param) "ERR CONFIG SET failed (possibly related to argument '" param "') - "

static void test_config_get_values(void)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", h_main.port);
    EXPECT_CONFIG("port", port);
    EXPECT_CONFIG("bind", "127.0.0.1");
    EXPECT_CONFIG("dir", h_main.dir);
    EXPECT_CONFIG("databases", "16");
    EXPECT_CONFIG("maxmemory", "0");
    EXPECT_CONFIG("timeout", "0");
    EXPECT_CONFIG("proto-max-bulk-len", "536870912");
    EXPECT_CONFIG("requirepass", "");
    /* A name without glob characters comes back as it was asked for. */
    EXPECT_CONFIG("MAXMEMORY", "0");
    EXPECT_CONFIG("hash-max-ziplist-entries", "512");
    EXPECT_CONFIG("hash-max-listpack-entries", "512");
    /* No match is an empty array, not an error. */
    redisReply *r = h_cmd("CONFIG GET nosuchparam");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
    EXPECT_ERR("ERR wrong number of arguments for 'config|get' command", "CONFIG GET");
}

/* Several names and patterns: each match once, in no particular order. */
static void test_config_get_multi_and_globs(void)
{
    redisReply *r = h_cmd("CONFIG GET port databases");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 4);
    CHECK(h_pair_get(r, "port") != NULL && h_pair_get(r, "databases") != NULL);
    freeReplyObject(r);
    r = h_cmd("CONFIG GET maxmemory maxmemory");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    freeReplyObject(r);
    r = h_cmd("CONFIG GET maxmemory* maxmemory");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements >= 2 && r->elements % 2 == 0);
    CHECK(h_count_in(r, "maxmemory") == 1);
    for (size_t i = 0; r != NULL && r->type == REDIS_REPLY_ARRAY && i < r->elements; i += 2) {
        CHECK(strncmp(r->element[i]->str, "maxmemory", 9) == 0);
    }
    freeReplyObject(r);
    /* Globs match case-insensitively and return the real names. */
    r = h_cmd("CONFIG GET PROTO-MAX-BULK-LE?");
    CHECK(r != NULL && r->elements == 2 && strcmp(r->element[0]->str, "proto-max-bulk-len") == 0);
    freeReplyObject(r);
    /* Globs list both a setting and its old alias. */
    r = h_cmd("CONFIG GET hash-max-*-entries");
    CHECK(r != NULL && r->elements == 4 && h_count_in(r, "hash-max-listpack-entries") == 1 &&
          h_count_in(r, "hash-max-ziplist-entries") == 1);
    freeReplyObject(r);
    r = h_cmd("CONFIG GET [pb][oi][rn][td]");
    CHECK(r != NULL && r->elements == 4 && h_count_in(r, "port") == 1 &&
          h_count_in(r, "bind") == 1);
    freeReplyObject(r);
    r = h_cmd("CONFIG GET *");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements > 40);
    freeReplyObject(r);
}

static void test_config_set_applies(void)
{
    OK("CONFIG SET maxmemory 10mb");
    EXPECT_CONFIG("maxmemory", "10485760");
    OK("CONFIG SET maxmemory 0 timeout 7");
    EXPECT_CONFIG("maxmemory", "0");
    EXPECT_CONFIG("timeout", "7");
    /* Names are case-insensitive. */
    OK("CONFIG SET MAXMEMORY 2mb");
    EXPECT_CONFIG("maxmemory", "2097152");
    /* Memory units: k/m/g are powers of 1000, kb/mb/gb of 1024, any case. */
    OK("CONFIG SET maxmemory 1k");
    EXPECT_CONFIG("maxmemory", "1000");
    OK("CONFIG SET maxmemory 1kb");
    EXPECT_CONFIG("maxmemory", "1024");
    OK("CONFIG SET maxmemory 3M");
    EXPECT_CONFIG("maxmemory", "3000000");
    OK("CONFIG SET maxmemory 1GB");
    EXPECT_CONFIG("maxmemory", "1073741824");
    OK("CONFIG SET maxmemory 1g");
    EXPECT_CONFIG("maxmemory", "1000000000");
    OK("CONFIG SET maxmemory 100b");
    EXPECT_CONFIG("maxmemory", "100");
    OK("CONFIG SET maxmemory 0");
    OK("CONFIG SET loglevel warning");
    EXPECT_CONFIG("loglevel", "warning");
    OK("CONFIG SET loglevel notice");
}

static void test_config_set_errors(void)
{
    EXPECT_ERR(SET_FAILED("maxmemory") "argument must be a memory value",
               "CONFIG SET maxmemory abc");
    EXPECT_ERR(SET_FAILED("maxmemory") "argument must be a memory value",
               "CONFIG SET maxmemory -1");
    EXPECT_ERR(SET_FAILED("maxmemory") "argument must be a memory value",
               "CONFIG SET maxmemory 1.5gb");
    EXPECT_ERR(SET_FAILED("timeout") "argument couldn't be parsed into an integer",
               "CONFIG SET timeout abc");
    EXPECT_ERR(SET_FAILED("timeout") "argument must be between 0 and 2147483647 inclusive",
               "CONFIG SET timeout -1");
    EXPECT_ERR(SET_FAILED("port") "argument must be between 0 and 65535 inclusive",
               "CONFIG SET port 99999");
    EXPECT_ERR(SET_FAILED("proto-max-bulk-len")
               "argument must be between 1048576 and 9223372036854775807 inclusive",
               "CONFIG SET proto-max-bulk-len 1000");
    /* Redis 7.2 adds "nothing" to the list; the known levels come first. */
    EXPECT_ERR_PREFIX(SET_FAILED("loglevel") "argument(s) must be one of the following: "
                      "debug, verbose, notice, warning",
                      "CONFIG SET loglevel loud");
    EXPECT_ERR(SET_FAILED("daemonize") "can't set immutable config", "CONFIG SET daemonize yes");
    EXPECT_ERR(SET_FAILED("databases") "can't set immutable config", "CONFIG SET databases 4");
    EXPECT_ERR(SET_FAILED("timeout") "duplicate parameter", "CONFIG SET timeout 1 timeout 2");
    EXPECT_ERR("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'",
               "CONFIG SET nosuch 1");
    EXPECT_ERR("ERR wrong number of arguments for 'config|set' command", "CONFIG SET timeout");
    EXPECT_ERR("ERR syntax error", "CONFIG SET timeout 1 maxmemory");
}

/* save: Surge keeps no RDB, so the schedule is empty and stays so. Redis's
 * own check comes first (pairs of non-negative integers). */
static void test_config_save_schedule(void)
{
    EXPECT_CONFIG("save", "");
    OK("CONFIG SET save %s", "");
    EXPECT_CONFIG("save", "");
    EXPECT_ERR(SET_FAILED("save") "Invalid save parameters", "CONFIG SET save 900");
    EXPECT_ERR(SET_FAILED("save") "Invalid save parameters", "CONFIG SET save %s", "900 x");
    EXPECT_ERR(SET_FAILED("save") "Invalid save parameters", "CONFIG SET save %s", "900 -1");
    EXPECT_ERR(SET_FAILED("save") "Invalid save parameters", "CONFIG SET save %s", "0 1");
    if (!h_is_reference()) { /* Redis takes a schedule; Surge has no RDB to write */
        EXPECT_ERR_PREFIX(SET_FAILED("save") "Surge writes no RDB snapshots",
                          "CONFIG SET save %s", "3600 1 300 100");
        EXPECT_CONFIG("save", "");
    }
}

/* A CONFIG SET with any bad pair changes nothing. */
static void test_config_set_all_or_nothing(void)
{
    OK("CONFIG SET maxmemory 10mb timeout 5");
    EXPECT_ERR(SET_FAILED("timeout") "argument couldn't be parsed into an integer",
               "CONFIG SET maxmemory 20mb timeout abc");
    EXPECT_CONFIG("maxmemory", "10485760");
    EXPECT_ERR("ERR Unknown option or number of arguments for CONFIG SET - 'nosuch'",
               "CONFIG SET maxmemory 20mb nosuch 2");
    EXPECT_CONFIG("maxmemory", "10485760");
    EXPECT_ERR(SET_FAILED("maxmemory") "argument must be a memory value",
               "CONFIG SET timeout 9 maxmemory 1.5gb");
    EXPECT_CONFIG("timeout", "5");
}

static void test_config_resetstat_rewrite_help(void)
{
    OK("CONFIG RESETSTAT");
    EXPECT_ERR("ERR wrong number of arguments for 'config|resetstat' command",
               "CONFIG RESETSTAT x");
    /* Started without a config file. */
    EXPECT_ERR("ERR The server is running without a config file", "CONFIG REWRITE");
    redisReply *r = h_cmd("CONFIG HELP");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements > 5 &&
          r->element[0]->type == REDIS_REPLY_STATUS &&
          strcmp(r->element[0]->str,
                 "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:") == 0);
    freeReplyObject(r);
    EXPECT_ERR("ERR wrong number of arguments for 'config|help' command", "CONFIG HELP x");
    EXPECT_ERR("ERR unknown subcommand 'foo'. Try CONFIG HELP.", "CONFIG foo");
    EXPECT_ERR("ERR wrong number of arguments for 'config' command", "CONFIG");
}

/* timeout closes idle clients; CONFIG SET port listens on the new port. */
static void test_config_timeout_and_port_apply(void)
{
    int idle = h_raw_connect(h_main.port);
    OK("CONFIG SET timeout 1");
    CHECK(h_raw_closed(idle) || h_raw_closed(idle));
    close(idle);
    /* This case's own connection may have idled out too: use a new one. */
    redisContext *fresh = h_connect(h_main.port);
    redisReply *r0 = h_cmdc(fresh, "CONFIG SET timeout 0");
    CHECK(r0 != NULL && r0->type == REDIS_REPLY_STATUS);
    freeReplyObject(r0);
    if (fresh != NULL) {
        redisFree(fresh);
    }
    struct h_server other;
    CHECK(h_server_start(&other, NULL) == 0);
    int port = other.port;
    h_server_stop(&other); /* a port that was free a moment ago */
    redisContext *c = h_connect(h_main.port);
    redisReply *r = h_cmdc(c, "CONFIG SET port %d", port);
    CHECK(r != NULL && r->type == REDIS_REPLY_STATUS);
    freeReplyObject(r);
    redisContext *moved = h_connect(port);
    r = moved != NULL ? h_cmdc(moved, "PING") : NULL;
    CHECK(r != NULL && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "PONG") == 0);
    freeReplyObject(r);
    r = moved != NULL ? h_cmdc(moved, "CONFIG SET port %d", h_main.port) : NULL;
    CHECK(r != NULL && r->type == REDIS_REPLY_STATUS);
    freeReplyObject(r);
    if (moved != NULL) {
        redisFree(moved);
    }
    if (c != NULL) {
        redisFree(c);
    }
}

CASES_DEFINE(config_cases, TEST(test_config_timeout_and_port_apply), TEST(test_config_get_values), TEST(test_config_get_multi_and_globs),
             TEST(test_config_set_applies), TEST(test_config_set_errors), TEST(test_config_save_schedule),
             TEST(test_config_set_all_or_nothing), TEST(test_config_resetstat_rewrite_help));
