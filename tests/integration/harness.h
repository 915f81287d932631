/* harness.h - integration tests: start the real server on a free loopback
 * port, talk to it with hiredis and raw sockets.
 *
 * SURGE_SERVER names the binary (default build/surge-server). SURGE_REF=1
 * runs the same tests against Debian's redis-server instead, which is how
 * the expected replies are checked against the reference implementation.
 *
 * Every server the harness starts is registered; h_server_stop() stops it by
 * PID (SIGTERM, bounded wait, SIGKILL) and removes its temp dir, and
 * h_stop_all() does that for whatever is still running (main.c calls it
 * from atexit and its signal handlers). A started server also gets
 * PR_SET_PDEATHSIG, so it dies with the runner even if the runner is killed
 * with SIGKILL.
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

/* Start a server with extra "--name value" arguments (NULL-terminated) on a
 * free port, in a fresh temp dir; retries on other ports if it fails to
 * start. Returns 0 once it answers PING (5 s bound per attempt), -1 after
 * printing its log otherwise. */
int h_server_start(struct h_server *s, const char *const *extra);
/* Stop it by PID: SIGTERM, wait up to 5 s, then SIGKILL; remove its temp
 * dir. Returns the wait status (-1 if it was not running). */
int h_server_stop(struct h_server *s);
/* Stop it by PID and start it again on the same port, in the same dir
 * (its files kept): 0 once it answers PING, -1 (and not running) if not. */
int h_server_restart(struct h_server *s, const char *const *extra);
/* Stop every registered server. */
void h_stop_all(void);
bool h_is_reference(void);

/* The shared server of a runner, and the per-case connection. */
extern struct h_server h_main;
extern redisContext *T;
/* A hiredis connection with 5 s connect and command timeouts that the
 * server has already accepted (one PING answered), or NULL. */
redisContext *h_connect(int port);

/* The password tests use when they set requirepass; the per-case set-up
 * authenticates with it if a failed case left a password behind. */
#define H_PASSWORD "surge-test-secret"

/* Remember the config the tests may change, and put it back (called by the
 * per-case set-up so that no case sees another's settings). */
void h_config_snapshot(void);
void h_config_restore(redisContext *c);

/* Run a command on T (or c); the caller frees the reply. */
redisReply *h_cmd(const char *fmt, ...);
redisReply *h_cmdc(redisContext *c, const char *fmt, ...);
redisReply *h_cmdv(int argc, const char **argv);

/* Checks on a reply, which they free; line is the caller's __LINE__. */
void h_expect_status(int line, const char *want, redisReply *r);
void h_expect_int(int line, long long want, redisReply *r);
void h_expect_str(int line, const char *want, redisReply *r);
void h_expect_nil(int line, redisReply *r);
void h_expect_err(int line, const char *want, redisReply *r);
/* Error reply starting with the given prefix. */
void h_expect_err_prefix(int line, const char *want, redisReply *r);
/* An array of exactly the n given bulk strings, in order. */
void h_expect_strs(int line, redisReply *r, int n, const char *const *want);

/* Checks on a reply already received, e.g. from h_cmdc(other, ...). */
#define CHECK_REPLY_STATUS(r, want) h_expect_status(__LINE__, want, r)
#define CHECK_REPLY_INT(r, want) h_expect_int(__LINE__, want, r)
#define CHECK_REPLY_STR(r, want) h_expect_str(__LINE__, want, r)
#define CHECK_REPLY_NIL(r) h_expect_nil(__LINE__, r)
#define CHECK_REPLY_ERR(r, want) h_expect_err(__LINE__, want, r)

/* Send one command on T and check its reply. */
#define EXPECT_STATUS(want, ...) h_expect_status(__LINE__, want, h_cmd(__VA_ARGS__))
#define EXPECT_INT(want, ...) h_expect_int(__LINE__, want, h_cmd(__VA_ARGS__))
#define EXPECT_STR(want, ...) h_expect_str(__LINE__, want, h_cmd(__VA_ARGS__))
#define EXPECT_NIL(...) h_expect_nil(__LINE__, h_cmd(__VA_ARGS__))
#define EXPECT_ERR(want, ...) h_expect_err(__LINE__, want, h_cmd(__VA_ARGS__))
#define EXPECT_ERR_PREFIX(want, ...) h_expect_err_prefix(__LINE__, want, h_cmd(__VA_ARGS__))
#define OK(...) EXPECT_STATUS("OK", __VA_ARGS__)
/* EXPECT_STRS(h_cmd("MGET a b"), "1", "2"): an array of these bulks. */
#define EXPECT_STRS(r, ...)                                                   \
    do {                                                                      \
        const char *const w_[] = {__VA_ARGS__};                               \
        h_expect_strs(__LINE__, r, (int)(sizeof(w_) / sizeof(w_[0])), w_);   \
    } while (0)

/* Elements of an array reply that are a bulk or status equal to s. */
int h_count_in(const redisReply *r, const char *s);
/* A flat [name, value, name, value...] reply (HELLO, CONFIG GET): the value
 * after the first element equal to name, or NULL. */
const redisReply *h_pair_get(const redisReply *r, const char *name);

/* INFO: the value of field in section (copied to out), or false. */
bool h_info_field(const char *section, const char *field, char *out, size_t cap);
/* The same, as an integer (-1 if absent). */
long long h_info_int(const char *section, const char *field);

/* Raw sockets for exact bytes (RESP3, malformed input). */
int h_raw_connect(int port);
void h_raw_send(int fd, const char *bytes, size_t len);
/* A raw connection switched to RESP3 (HELLO 3 sent, its reply read). */
int h_raw_connect_resp3(int port);
/* Read exactly strlen(want) bytes (bounded wait) and compare. */
void h_raw_expect(int line, int fd, const char *want);
/* Read one complete RESP2/RESP3 reply (bounded wait), NUL-terminated, into
 * buf; returns its length, or -1 (incomplete, closed, or over cap). */
int h_raw_read_reply(int fd, char *buf, size_t cap);
/* True if the peer closed the connection within the bounded wait without
 * sending anything more. */
bool h_raw_closed(int fd);
/* True if nothing arrives (and the connection stays open) for ms. */
bool h_raw_silent(int fd, int ms);
#define RAW_SEND(fd, s) h_raw_send(fd, s, sizeof(s) - 1)
#define RAW_EXPECT(fd, s) h_raw_expect(__LINE__, fd, s)

/* Iterate a SCAN-family command to cursor 0: cmd is the command with one
 * %llu for the cursor ("HSCAN h %llu COUNT 20"); returns the items seen
 * (elements / per_item), or -1 on a malformed reply. */
int h_scan_all(const char *cmd, int per_item);

/* A new connection that has sent cmd and not read its reply (blocking
 * commands); h_get_reply waits (bounded by the 5 s timeout) for it. */
redisContext *h_send_only(const char *cmd);
/* Wait (up to 3 s) until INFO reports n blocked clients. */
bool h_wait_blocked(long long n);
redisReply *h_get_reply(redisContext *c);

/* A reply flattened to text for compact checks: strings and integers
 * space-separated, nested arrays in brackets ("k [a 1] [b 2]"). */
void h_flat(redisReply *r, char *out, size_t cap);
#define EXPECT_FLAT(want, ...)                                                \
    do {                                                                      \
        char got_[1024];                                                      \
        redisReply *r_ = h_cmd(__VA_ARGS__);                                  \
        h_flat(r_, got_, sizeof(got_));                                       \
        if (r_ == NULL || r_->type != REDIS_REPLY_ARRAY || strcmp(got_, want) != 0) { \
            fprintf(stderr, "  line %d: got [%s], want [%s]\n", __LINE__, got_, want); \
            test_failures_in_case++;                                          \
        }                                                                     \
        freeReplyObject(r_);                                                  \
    } while (0)

/* Poll cmd until the reply is the integer want or timeout_ms passes. */
bool h_wait_int(long long want, int timeout_ms, const char *fmt, ...);
void h_sleep_ms(int ms);

/* The case tables of each file, joined by main.c. */
#define CASES(name) extern const struct test_case name[]; extern const int name##_n
CASES(protocol_cases);
CASES(admin_cases);
CASES(keys_cases);
CASES(string_cases);
CASES(expire_cases);
CASES(resp3_cases);
CASES(client_cases);
CASES(config_cases);
CASES(info_cases);
CASES(command_cases);
CASES(multi_cases);
CASES(pubsub_cases);
CASES(hash_cases);
CASES(set_cases);
CASES(zset_cases);
CASES(zset2_cases);
CASES(list_cases);
/* Behaviour newer than the reference (Redis 7.2+): skipped when SURGE_REF=1. */
CASES(surge_only_cases);
#define CASES_DEFINE(name, ...)                                               \
    const struct test_case name[] = {__VA_ARGS__};                            \
    const int name##_n = TEST_COUNT(name)

#endif
