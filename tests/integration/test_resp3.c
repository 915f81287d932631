/* RESP3 after HELLO 3, as exact bytes: null, map, set, double, verbatim,
 * and the replies that stay as they are in RESP2. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/integration/harness.h"

/* The whole HELLO 3 reply, with the version and the connection's id. */
static void test_hello3_reply(void)
{
    int fd = h_raw_connect(h_main.port);
    char buf[1024], tail[512];
    RAW_SEND(fd, "CLIENT ID\r\n");
    int n = h_raw_read_reply(fd, buf, sizeof(buf));
    long long id = n > 1 && buf[0] == ':' ? atoll(buf + 1) : -1;
    RAW_SEND(fd, "HELLO 3\r\n");
    n = h_raw_read_reply(fd, buf, sizeof(buf));
    const char *head = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$";
    CHECK(n > 0 && strncmp(buf, head, strlen(head)) == 0);
    snprintf(tail, sizeof(tail),
             "$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:%lld\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n"
             "$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
             id);
    const char *p = n > 0 ? strstr(buf, "$5\r\nproto\r\n") : NULL;
    CHECK(p != NULL && strcmp(p, tail) == 0);
    /* HELLO without a version answers in the current protocol. */
    RAW_SEND(fd, "HELLO\r\n");
    n = h_raw_read_reply(fd, buf, sizeof(buf));
    CHECK(n > 0 && strncmp(buf, "%7\r\n", 4) == 0 && strstr(buf, "proto\r\n:3\r\n") != NULL);
    close(fd);
}

static void test_resp3_null(void)
{
    int fd = h_raw_connect_resp3(h_main.port);
    RAW_SEND(fd, "GET nokey\r\n");
    RAW_EXPECT(fd, "_\r\n");
    RAW_SEND(fd, "SET k 1\r\nGET k\r\nMGET k nokey\r\n");
    RAW_EXPECT(fd, "+OK\r\n$1\r\n1\r\n*2\r\n$1\r\n1\r\n_\r\n");
    RAW_SEND(fd, "SET k v NX\r\nSET nk v GET\r\nSET nk2 v XX\r\n");
    RAW_EXPECT(fd, "_\r\n_\r\n_\r\n");
    RAW_SEND(fd, "GETDEL nokey\r\nGETEX nokey\r\nGETSET nokey2 v\r\n");
    RAW_EXPECT(fd, "_\r\n_\r\n_\r\n");
    RAW_SEND(fd, "OBJECT ENCODING nokey\r\nCLIENT GETNAME\r\nCOMMAND INFO nosuchcmd\r\n");
    RAW_EXPECT(fd, "_\r\n_\r\n*1\r\n_\r\n");
    RAW_SEND(fd, "FLUSHALL\r\nRANDOMKEY\r\n");
    RAW_EXPECT(fd, "+OK\r\n_\r\n");
    close(fd);
}

/* Integers, statuses, errors, bulk strings and arrays are unchanged. */
static void test_resp3_unchanged_types(void)
{
    int fd = h_raw_connect_resp3(h_main.port);
    RAW_SEND(fd, "SET k 1\r\nINCR k\r\nTTL k\r\nEXISTS k nokey\r\n");
    RAW_EXPECT(fd, "+OK\r\n:2\r\n:-1\r\n:1\r\n");
    RAW_SEND(fd, "GET\r\nPING\r\nECHO hi\r\n");
    RAW_EXPECT(fd, "-ERR wrong number of arguments for 'get' command\r\n+PONG\r\n$2\r\nhi\r\n");
    /* INCRBYFLOAT replies with a bulk string, not a double. */
    RAW_SEND(fd, "INCRBYFLOAT f 1.5\r\n");
    RAW_EXPECT(fd, "$3\r\n1.5\r\n");
    RAW_SEND(fd, "KEYS nomatch\r\nSCAN 0 MATCH nomatch\r\n");
    RAW_EXPECT(fd, "*0\r\n*2\r\n$1\r\n0\r\n*0\r\n");
    close(fd);
}

static void test_resp3_maps(void)
{
    int fd = h_raw_connect_resp3(h_main.port);
    RAW_SEND(fd, "CONFIG GET maxmemory\r\nCONFIG GET nosuchparam\r\n");
    RAW_EXPECT(fd, "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n%0\r\n");
    char buf[4096];
    RAW_SEND(fd, "CONFIG GET maxmemory timeout\r\n");
    int n = h_raw_read_reply(fd, buf, sizeof(buf));
    CHECK(n > 0 && strncmp(buf, "%2\r\n", 4) == 0 &&
          strstr(buf, "$7\r\ntimeout\r\n$1\r\n0\r\n") != NULL &&
          strstr(buf, "$9\r\nmaxmemory\r\n$1\r\n0\r\n") != NULL);
    RAW_SEND(fd, "COMMAND DOCS get\r\n");
    n = h_raw_read_reply(fd, buf, sizeof(buf));
    CHECK(n > 0 && strncmp(buf, "%1\r\n$3\r\nget\r\n%", 14) == 0 &&
          strstr(buf, "$5\r\nsince\r\n$5\r\n1.0.0\r\n") != NULL &&
          strstr(buf, "$5\r\ngroup\r\n$6\r\nstring\r\n") != NULL);
    RAW_SEND(fd, "COMMAND DOCS nosuchcmd\r\n");
    RAW_EXPECT(fd, "%0\r\n");
    RAW_SEND(fd, "MSET key1 ohmytext key2 mynewtext\r\nLCS key1 key2 IDX MINMATCHLEN 4 "
                 "WITHMATCHLEN\r\n");
    RAW_EXPECT(fd, "+OK\r\n%2\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
                   ":4\r\n$3\r\nlen\r\n:6\r\n");
    RAW_SEND(fd, "HSET h f v\r\nHGETALL h\r\nHGETALL nokey\r\n");
    RAW_EXPECT(fd, ":1\r\n%1\r\n$1\r\nf\r\n$1\r\nv\r\n%0\r\n");
    close(fd);
}

/* Sets where Redis 7.0 uses them: command flags and set members. */
static void test_resp3_sets(void)
{
    int fd = h_raw_connect_resp3(h_main.port);
    char buf[4096];
    RAW_SEND(fd, "COMMAND INFO get\r\n");
    int n = h_raw_read_reply(fd, buf, sizeof(buf));
    const char *want = "*1\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n"
                       ":1\r\n:1\r\n:1\r\n~3\r\n+@read\r\n+@string\r\n+@fast\r\n";
    CHECK(n > 0 && strncmp(buf, want, strlen(want)) == 0);
    RAW_SEND(fd, "SADD s a\r\nSMEMBERS s\r\nSMEMBERS nokey\r\n");
    RAW_EXPECT(fd, ":1\r\n~1\r\n$1\r\na\r\n~0\r\n");
    close(fd);
}

/* Sorted-set scores are doubles; nothing else in Redis 7.0's string and key
 * commands is. */
static void test_resp3_doubles(void)
{
    int fd = h_raw_connect_resp3(h_main.port);
    RAW_SEND(fd, "ZADD z 1.5 a 2 b inf c\r\nZSCORE z a\r\nZSCORE z b\r\nZSCORE z c\r\n");
    RAW_EXPECT(fd, ":3\r\n,1.5\r\n,2\r\n,inf\r\n");
    RAW_SEND(fd, "ZSCORE z nomember\r\nZINCRBY z 1 a\r\nZADD z INCR 1 a\r\n");
    RAW_EXPECT(fd, "_\r\n,2.5\r\n,3.5\r\n");
    RAW_SEND(fd, "ZRANGE z 0 0 WITHSCORES\r\n");
    RAW_EXPECT(fd, "*1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
    close(fd);
}

/* INFO and CLIENT INFO/LIST are verbatim strings of format "txt". */
static void test_resp3_verbatim(void)
{
    int fd = h_raw_connect_resp3(h_main.port);
    RAW_SEND(fd, "INFO keyspace\r\n");
    RAW_EXPECT(fd, "=16\r\ntxt:# Keyspace\r\n\r\n");
    RAW_SEND(fd, "INFO nosuchsection\r\n");
    RAW_EXPECT(fd, "=4\r\ntxt:\r\n");
    RAW_SEND(fd, "SET k v\r\nINFO keyspace\r\n");
    RAW_EXPECT(fd, "+OK\r\n=48\r\ntxt:# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n\r\n");
    char buf[2048];
    RAW_SEND(fd, "CLIENT INFO\r\n");
    int n = h_raw_read_reply(fd, buf, sizeof(buf));
    CHECK(n > 0 && buf[0] == '=' && strstr(buf, "\r\ntxt:id=") != NULL &&
          strstr(buf, " resp=3") != NULL && strcmp(buf + n - 3, "\n\r\n") == 0);
    /* The length covers "txt:" and the text. */
    CHECK(n > 0 && atoi(buf + 1) == (int)(n - (strchr(buf, '\n') - buf + 1) - 2));
    RAW_SEND(fd, "CLIENT LIST\r\n");
    n = h_raw_read_reply(fd, buf, sizeof(buf));
    CHECK(n > 0 && buf[0] == '=' && strstr(buf, "\r\ntxt:id=") != NULL);
    close(fd);
}

static void test_resp3_back_to_2(void)
{
    int fd = h_raw_connect_resp3(h_main.port);
    char buf[1024];
    RAW_SEND(fd, "HELLO 2\r\n");
    int n = h_raw_read_reply(fd, buf, sizeof(buf));
    CHECK(n > 0 && strncmp(buf, "*14\r\n$6\r\nserver\r\n", 17) == 0 &&
          strstr(buf, "$5\r\nproto\r\n:2\r\n") != NULL);
    RAW_SEND(fd, "GET nokey\r\nCONFIG GET maxmemory\r\nINFO nosuchsection\r\n");
    RAW_EXPECT(fd, "$-1\r\n*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$0\r\n\r\n");
    close(fd);
}

CASES_DEFINE(resp3_cases, TEST(test_hello3_reply), TEST(test_resp3_null),
             TEST(test_resp3_unchanged_types), TEST(test_resp3_maps), TEST(test_resp3_sets),
             TEST(test_resp3_doubles), TEST(test_resp3_verbatim), TEST(test_resp3_back_to_2));
