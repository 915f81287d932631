/* harness.h - integration tests: start the real server on a free loopback
 * port, talk to it with hiredis and raw sockets.
 *
 * SURGE_SERVER names the binary (default build/surge-server). SURGE_REF=1
 * runs the same tests against Debian's redis-server instead, which is how
 * the expected replies are checked against the reference implementation.
 */
#ifndef SURGE_TESTS_HARNESS_H
#define SURGE_TESTS_HARNESS_H

#include <hiredis.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tests/test.h"

/* A server process started by the harness. */
struct h_server {
    pid_t pid;
    int port;
    char dir[256];
};

/* Start a server with extra "--name value" arguments (NULL-terminated);
 * returns 0 when it answers PING within 5 s. */
int h_server_start(struct h_server *s, const char *const *extra);
/* SIGTERM, wait up to 5 s, then SIGKILL; returns the exit status. */
int h_server_stop(struct h_server *s);
bool h_is_reference(void);

/* The shared server of a runner, and the per-case connection. */
extern struct h_server h_main;
extern redisContext *T;
redisContext *h_connect(int port);

/* Run a command on T (or c); the caller frees the reply. */
redisReply *h_cmd(const char *fmt, ...);
redisReply *h_cmdc(redisContext *c, const char *fmt, ...);
redisReply *h_cmdv(int argc, const char **argv);

/* Checks on the reply of one command sent on T. */
void h_expect_status(int line, const char *want, redisReply *r);
void h_expect_int(int line, long long want, redisReply *r);
void h_expect_str(int line, const char *want, redisReply *r);
void h_expect_nil(int line, redisReply *r);
void h_expect_err(int line, const char *want, redisReply *r);
/* Error reply starting with the given prefix. */
void h_expect_err_prefix(int line, const char *want, redisReply *r);

#define EXPECT_STATUS(want, ...) h_expect_status(__LINE__, want, h_cmd(__VA_ARGS__))
#define EXPECT_INT(want, ...) h_expect_int(__LINE__, want, h_cmd(__VA_ARGS__))
#define EXPECT_STR(want, ...) h_expect_str(__LINE__, want, h_cmd(__VA_ARGS__))
#define EXPECT_NIL(...) h_expect_nil(__LINE__, h_cmd(__VA_ARGS__))
#define EXPECT_ERR(want, ...) h_expect_err(__LINE__, want, h_cmd(__VA_ARGS__))
#define EXPECT_ERR_PREFIX(want, ...) h_expect_err_prefix(__LINE__, want, h_cmd(__VA_ARGS__))
#define OK(...) EXPECT_STATUS("OK", __VA_ARGS__)

/* Raw sockets for exact bytes (RESP3, malformed input). */
int h_raw_connect(int port);
void h_raw_send(int fd, const char *bytes, size_t len);
/* A raw connection switched to RESP3 (HELLO 3 sent, its reply drained). */
int h_raw_connect_resp3(int port);
/* Read exactly strlen(want) bytes (bounded wait) and compare. */
void h_raw_expect(int line, int fd, const char *want);
/* True if the peer closed the connection within the bounded wait. */
bool h_raw_closed(int fd);
#define RAW_SEND(fd, s) h_raw_send(fd, s, sizeof(s) - 1)
#define RAW_EXPECT(fd, s) h_raw_expect(__LINE__, fd, s)

/* Iterate a SCAN-family command to cursor 0: cmd is the command with one
 * %llu for the cursor ("HSCAN h %llu COUNT 20"); returns the items seen
 * (elements / per_item), or -1 on a malformed reply. */
int h_scan_all(const char *cmd, int per_item);

/* A new connection that has sent cmd and not read its reply (blocking
 * commands); h_get_reply waits (bounded by the 5 s timeout) for it. */
redisContext *h_send_only(const char *cmd);
redisReply *h_get_reply(redisContext *c);

/* Poll cmd until the reply is the integer want or timeout_ms passes. */
bool h_wait_int(long long want, int timeout_ms, const char *fmt, ...);
void h_sleep_ms(int ms);

/* The case tables of each file, joined by main.c. */
#define CASES(name) extern const struct test_case name[]; extern const int name##_n
CASES(protocol_cases);
CASES(string_cases);
CASES(keys_cases);
CASES(admin_cases);
CASES(resp3_cases);
CASES(multi_cases);
CASES(pubsub_cases);
CASES(hash_cases);
CASES(set_cases);
CASES(zset_cases);
CASES(list_cases);
CASES(zset2_cases);
#define CASES_DEFINE(name, ...)                                               \
    const struct test_case name[] = {__VA_ARGS__};                            \
    const int name##_n = TEST_COUNT(name)

#endif
