/* Pub/sub: subscribe/publish/unsubscribe, patterns, PUBSUB introspection,
 * RESP2 subscribed-mode restrictions, RESP3 push messages, slow
 * subscribers cut off by client-output-buffer-limit pubsub. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/integration/harness.h"

static void test_subscribe_publish(void)
{
    int sub = h_raw_connect(h_main.port);
    RAW_SEND(sub, "SUBSCRIBE news alerts\r\n");
    RAW_EXPECT(sub, "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n"
                    "*3\r\n$9\r\nsubscribe\r\n$6\r\nalerts\r\n:2\r\n");
    EXPECT_INT(1, "PUBLISH news hello");
    RAW_EXPECT(sub, "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$5\r\nhello\r\n");
    EXPECT_INT(0, "PUBLISH other x");
    RAW_SEND(sub, "UNSUBSCRIBE news\r\n");
    RAW_EXPECT(sub, "*3\r\n$11\r\nunsubscribe\r\n$4\r\nnews\r\n:1\r\n");
    EXPECT_INT(0, "PUBLISH news again");
    RAW_SEND(sub, "UNSUBSCRIBE\r\n");
    RAW_EXPECT(sub, "*3\r\n$11\r\nunsubscribe\r\n$6\r\nalerts\r\n:0\r\n");
    RAW_SEND(sub, "UNSUBSCRIBE\r\n");
    RAW_EXPECT(sub, "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
    RAW_SEND(sub, "GET x\r\n");
    RAW_EXPECT(sub, "$-1\r\n");
    close(sub);
}

static void test_patterns(void)
{
    int sub = h_raw_connect(h_main.port);
    RAW_SEND(sub, "PSUBSCRIBE price.*\r\n");
    RAW_EXPECT(sub, "*3\r\n$10\r\npsubscribe\r\n$7\r\nprice.*\r\n:1\r\n");
    EXPECT_INT(1, "PUBLISH price.sku1 9.99");
    RAW_EXPECT(sub, "*4\r\n$8\r\npmessage\r\n$7\r\nprice.*\r\n$10\r\nprice.sku1\r\n$4\r\n9.99\r\n");
    EXPECT_INT(1, "PUBSUB NUMPAT");
    RAW_SEND(sub, "PUNSUBSCRIBE\r\n");
    RAW_EXPECT(sub, "*3\r\n$12\r\npunsubscribe\r\n$7\r\nprice.*\r\n:0\r\n");
    EXPECT_INT(0, "PUBSUB NUMPAT");
    close(sub);
}

static void test_subscribed_mode_restrictions(void)
{
    int sub = h_raw_connect(h_main.port);
    RAW_SEND(sub, "SUBSCRIBE c\r\n");
    RAW_EXPECT(sub, "*3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n");
    RAW_SEND(sub, "GET a\r\n");
    RAW_EXPECT(sub, "-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
                    "QUIT / RESET are allowed in this context\r\n");
    RAW_SEND(sub, "PING\r\nPING x\r\n");
    RAW_EXPECT(sub, "*2\r\n$4\r\npong\r\n$0\r\n\r\n*2\r\n$4\r\npong\r\n$1\r\nx\r\n");
    RAW_SEND(sub, "RESET\r\nGET a\r\n");
    RAW_EXPECT(sub, "+RESET\r\n$-1\r\n");
    close(sub);
}

static void test_pubsub_introspection(void)
{
    int a = h_raw_connect(h_main.port), b = h_raw_connect(h_main.port);
    RAW_SEND(a, "SUBSCRIBE ch1 ch2\r\n");
    RAW_EXPECT(a, "*3\r\n$9\r\nsubscribe\r\n$3\r\nch1\r\n:1\r\n*3\r\n$9\r\nsubscribe\r\n$3\r\nch2\r\n:2\r\n");
    RAW_SEND(b, "SUBSCRIBE ch1\r\n");
    RAW_EXPECT(b, "*3\r\n$9\r\nsubscribe\r\n$3\r\nch1\r\n:1\r\n");
    redisReply *r = h_cmd("PUBSUB NUMSUB ch1 ch2 ch3");
    CHECK(r != NULL && r->elements == 6 && r->element[1]->integer == 2 &&
          r->element[3]->integer == 1 && r->element[5]->integer == 0);
    freeReplyObject(r);
    r = h_cmd("PUBSUB CHANNELS");
    CHECK(r != NULL && r->elements == 2);
    freeReplyObject(r);
    r = h_cmd("PUBSUB CHANNELS *2");
    CHECK(r != NULL && r->elements == 1 && strcmp(r->element[0]->str, "ch2") == 0);
    freeReplyObject(r);
    EXPECT_INT(2, "PUBLISH ch1 m");
    close(a);
    /* A disconnected subscriber is gone from every channel. */
    CHECK(h_wait_int(1, 2000, "PUBLISH ch1 m2"));
    close(b);
    r = h_cmd("PUBSUB CHANNELS");
    for (int i = 0; i < 200 && r != NULL && r->elements != 0; i++) {
        freeReplyObject(r);
        h_sleep_ms(10);
        r = h_cmd("PUBSUB CHANNELS");
    }
    CHECK(r != NULL && r->elements == 0);
    freeReplyObject(r);
}

static void test_resp3_push(void)
{
    int sub = h_raw_connect_resp3(h_main.port);
    RAW_SEND(sub, "SUBSCRIBE p3\r\n");
    RAW_EXPECT(sub, ">3\r\n$9\r\nsubscribe\r\n$2\r\np3\r\n:1\r\n");
    EXPECT_INT(1, "PUBLISH p3 hi");
    RAW_EXPECT(sub, ">3\r\n$7\r\nmessage\r\n$2\r\np3\r\n$2\r\nhi\r\n");
    /* RESP3 subscribers may run any command. */
    RAW_SEND(sub, "GET nokey\r\n");
    RAW_EXPECT(sub, "_\r\n");
    close(sub);
}

static void test_slow_subscriber_disconnected(void)
{
    OK("CONFIG SET client-output-buffer-limit %s", "pubsub 1mb 0 0");
    int sub = h_raw_connect(h_main.port);
    RAW_SEND(sub, "SUBSCRIBE flood\r\n");
    RAW_EXPECT(sub, "*3\r\n$9\r\nsubscribe\r\n$5\r\nflood\r\n:1\r\n");
    size_t n = 64 * 1024;
    char *v = malloc(n);
    memset(v, 'p', n);
    long long delivered = 1;
    /* The subscriber never reads; the server must cut it off, not grow. */
    for (int i = 0; i < 2000 && delivered > 0; i++) {
        redisReply *r = h_cmd("PUBLISH flood %b", v, n);
        delivered = r != NULL && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
        freeReplyObject(r);
    }
    CHECK(delivered == 0);
    free(v);
    close(sub);
    OK("CONFIG SET client-output-buffer-limit %s", "pubsub 33554432 8388608 60");
}

CASES_DEFINE(pubsub_cases, TEST(test_subscribe_publish), TEST(test_patterns),
             TEST(test_subscribed_mode_restrictions), TEST(test_pubsub_introspection),
             TEST(test_resp3_push), TEST(test_slow_subscriber_disconnected));
