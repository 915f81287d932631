/* RESP3 after HELLO 3: exact reply bytes. */
#include <stdio.h>
#include <unistd.h>

#include "tests/integration/harness.h"

static void test_hello3_reply(void)
{
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "HELLO 3\r\n");
    RAW_EXPECT(fd, "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n");
    char buf[512];
    h_sleep_ms(50);
    ssize_t n = read(fd, buf, sizeof(buf));
    CHECK(n > 0 && memmem(buf, (size_t)n, "$5\r\nproto\r\n:3\r\n", 15) != NULL);
    CHECK(n > 0 && memmem(buf, (size_t)n, "$4\r\nmode\r\n$10\r\nstandalone\r\n", 27) != NULL);
    close(fd);
}

static void test_resp3_null_and_types(void)
{
    int fd = h_raw_connect_resp3(h_main.port);
    RAW_SEND(fd, "GET nokey\r\n");
    RAW_EXPECT(fd, "_\r\n");
    RAW_SEND(fd, "SET k 1\r\nGET k\r\nINCR k\r\n");
    RAW_EXPECT(fd, "+OK\r\n$1\r\n1\r\n:2\r\n");
    RAW_SEND(fd, "INCRBYFLOAT f 1.5\r\n");
    RAW_EXPECT(fd, "$3\r\n1.5\r\n");
    RAW_SEND(fd, "MGET k nokey\r\n");
    RAW_EXPECT(fd, "*2\r\n$1\r\n2\r\n_\r\n");
    RAW_SEND(fd, "CONFIG GET maxmemory\r\n");
    RAW_EXPECT(fd, "%1\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n");
    RAW_SEND(fd, "OBJECT ENCODING nokey\r\n");
    RAW_EXPECT(fd, "_\r\n");
    close(fd);
}

static void test_resp3_verbatim_info(void)
{
    int fd = h_raw_connect_resp3(h_main.port);
    RAW_SEND(fd, "INFO keyspace\r\n");
    RAW_EXPECT(fd, "=16\r\ntxt:# Keyspace\r\n\r\n");
    close(fd);
}

static void test_resp3_back_to_2(void)
{
    int fd = h_raw_connect_resp3(h_main.port);
    RAW_SEND(fd, "HELLO 2\r\n");
    RAW_EXPECT(fd, "*14\r\n$6\r\nserver\r\n");
    h_sleep_ms(50);
    char buf[512];
    CHECK(read(fd, buf, sizeof(buf)) > 0);
    RAW_SEND(fd, "GET nokey\r\n");
    RAW_EXPECT(fd, "$-1\r\n");
    close(fd);
}

CASES_DEFINE(resp3_cases, TEST(test_hello3_reply), TEST(test_resp3_null_and_types), TEST(test_resp3_verbatim_info),
             TEST(test_resp3_back_to_2));
