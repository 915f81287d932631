/* Keyspace commands: DEL, UNLINK, EXISTS, TOUCH, TYPE, KEYS, SCAN,
 * RANDOMKEY, RENAME, RENAMENX, COPY, MOVE, OBJECT. */
#include <stdio.h>
#include <stdlib.h>

#include "tests/integration/harness.h"

static void test_del_exists_unlink_touch_type(void)
{
    OK("MSET a 1 b 2 c 3");
    /* EXISTS and TOUCH count a key once per mention; DEL and UNLINK count
     * keys removed. */
    EXPECT_INT(3, "EXISTS a a b");
    EXPECT_INT(0, "EXISTS nokey");
    EXPECT_INT(3, "TOUCH a a nokey b");
    EXPECT_INT(2, "DEL a a b nokey");
    EXPECT_INT(1, "UNLINK c c nokey");
    EXPECT_INT(0, "EXISTS a b c");
    EXPECT_INT(0, "DEL nokey");
    OK("SET t v");
    EXPECT_STATUS("string", "TYPE t");
    EXPECT_STATUS("none", "TYPE nokey");
    EXPECT_ERR("ERR wrong number of arguments for 'del' command", "DEL");
    EXPECT_ERR("ERR wrong number of arguments for 'unlink' command", "UNLINK");
    EXPECT_ERR("ERR wrong number of arguments for 'exists' command", "EXISTS");
    EXPECT_ERR("ERR wrong number of arguments for 'touch' command", "TOUCH");
    EXPECT_ERR("ERR wrong number of arguments for 'type' command", "TYPE");
    EXPECT_ERR("ERR wrong number of arguments for 'type' command", "TYPE a b");
}

/* KEYS pattern matches exactly these of the keys set below. */
static void expect_keys(int line, const char *pattern, int n, const char *const *want)
{
    redisReply *r = h_cmd("KEYS %s", pattern);
    bool ok = r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == (size_t)n;
    for (int i = 0; ok && i < n; i++) {
        ok = h_count_in(r, want[i]) == 1;
    }
    if (!ok) {
        fprintf(stderr, "  line %d: KEYS %s: want %d keys:", line, pattern, n);
        for (int i = 0; i < n; i++) {
            fprintf(stderr, " %s", want[i]);
        }
        fprintf(stderr, "; got");
        for (size_t i = 0; r != NULL && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
            fprintf(stderr, " %s", r->element[i]->str);
        }
        fprintf(stderr, "\n");
        test_failures_in_case++;
    }
    freeReplyObject(r);
}
#define EXPECT_KEYS(pattern, ...)                                             \
    do {                                                                      \
        const char *const w_[] = {__VA_ARGS__};                               \
        expect_keys(__LINE__, pattern, (int)(sizeof(w_) / sizeof(w_[0])), w_); \
    } while (0)
#define EXPECT_NO_KEYS(pattern) expect_keys(__LINE__, pattern, 0, NULL)

static void test_keys_glob(void)
{
    OK("MSET hello 1 hallo 2 hxllo 3 hllo 4 heeeello 5 h[ll]o 6 Hello 7");
    EXPECT_KEYS("h?llo", "hello", "hallo", "hxllo");
    EXPECT_KEYS("h*llo", "hello", "hallo", "hxllo", "hllo", "heeeello");
    EXPECT_KEYS("h[ae]llo", "hello", "hallo");
    EXPECT_KEYS("h[^e]llo", "hallo", "hxllo");
    EXPECT_KEYS("h[a-b]llo", "hallo");
    EXPECT_KEYS("h\\[ll\\]o", "h[ll]o");
    EXPECT_KEYS("[hH]ello", "hello", "Hello");
    EXPECT_KEYS("*", "hello", "hallo", "hxllo", "hllo", "heeeello", "h[ll]o", "Hello");
    EXPECT_KEYS("hello", "hello");
    EXPECT_NO_KEYS("HELLO?");
    EXPECT_NO_KEYS("nomatch*");
    EXPECT_ERR("ERR wrong number of arguments for 'keys' command", "KEYS");
}

/* Escapes and the corners of Redis's matcher, which KEYS, SCAN MATCH and
 * CONFIG GET share. */
static void test_keys_glob_escapes_and_corners(void)
{
    OK("MSET a*b 1 axb 2 a?b 3 %s 4 a[b 5 ab 6 a-b 7", "a\\b");
    EXPECT_KEYS("a\\*b", "a*b");
    EXPECT_KEYS("a\\?b", "a?b");
    EXPECT_KEYS("a\\\\b", "a\\b");
    EXPECT_KEYS("a\\[b", "a[b");
    EXPECT_KEYS("a[*]b", "a*b");
    EXPECT_KEYS("a[-]b", "a-b");
    EXPECT_KEYS("a[\\-]b", "a-b");
    EXPECT_KEYS("a**b", "a*b", "axb", "a?b", "a\\b", "a[b", "ab", "a-b");
    /* A reversed range still matches; '!' is not negation, only '^' is. */
    EXPECT_KEYS("a[x-a]b", "axb");
    EXPECT_KEYS("a[!x]b", "axb");
    EXPECT_KEYS("a[^x]b", "a*b", "a?b", "a\\b", "a[b", "a-b");
    /* An unterminated class matches its last character. */
    EXPECT_KEYS("a[b", "ab");
    EXPECT_NO_KEYS("[");
}

/* Full SCAN while other keys come and go: every key present for the whole
 * scan is returned at least once. */
static void test_scan_guarantee(void)
{
    char key[32];
    for (int i = 0; i < 2000; i++) {
        snprintf(key, sizeof(key), "stable:%d", i);
        freeReplyObject(h_cmd("SET %s x", key));
    }
    static char seen[2000];
    memset(seen, 0, sizeof(seen));
    unsigned long long cursor = 0;
    int rounds = 0, churn = 0;
    do {
        redisReply *r = h_cmd("SCAN %llu COUNT 50", cursor);
        CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
        if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            freeReplyObject(r);
            break;
        }
        cursor = strtoull(r->element[0]->str, NULL, 10);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            int n;
            if (sscanf(r->element[1]->element[i]->str, "stable:%d", &n) == 1 && n >= 0 &&
                n < 2000) {
                seen[n] = 1;
            }
        }
        freeReplyObject(r);
        /* Grow the keyspace well past its size so it rehashes mid-scan. */
        for (int k = 0; k < 60; k++, churn++) {
            bool del = churn % 4 == 0;
            snprintf(key, sizeof(key), "churn:%d", del ? churn / 2 : churn);
            freeReplyObject(h_cmd(del ? "DEL %s" : "SET %s y", key));
        }
    } while (cursor != 0 && ++rounds < 100000);
    int missing = 0;
    for (int i = 0; i < 2000; i++) {
        missing += !seen[i];
    }
    CHECK_INT(missing, 0);
    CHECK_INT(cursor, 0);
}

static void test_scan_options(void)
{
    OK("MSET user:1 a user:2 b other c");
    redisReply *r = h_cmd("SCAN 0 MATCH user:* COUNT 1000");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
          r->element[0]->type == REDIS_REPLY_STRING && strcmp(r->element[0]->str, "0") == 0 &&
          r->element[1]->elements == 2 && h_count_in(r->element[1], "user:1") == 1);
    freeReplyObject(r);
    r = h_cmd("SCAN 0 TYPE string COUNT 1000");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
          r->element[1]->elements == 3);
    freeReplyObject(r);
    r = h_cmd("SCAN 0 TYPE hash COUNT 1000");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
          r->element[1]->elements == 0);
    freeReplyObject(r);
    /* Options are case-insensitive and the last MATCH wins. */
    r = h_cmd("scan 0 match nothing* count 1000 match other");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
          r->element[1]->elements == 1 && h_count_in(r->element[1], "other") == 1);
    freeReplyObject(r);
    CHECK_INT(h_scan_all("SCAN %llu COUNT 1", 1), 3);
    r = h_cmd("SCAN 0");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    freeReplyObject(r);
}

static void test_scan_errors(void)
{
    EXPECT_ERR("ERR invalid cursor", "SCAN abc");
    EXPECT_ERR("ERR invalid cursor", "SCAN 1.5");
    EXPECT_ERR("ERR invalid cursor", "SCAN 18446744073709551616");
    EXPECT_ERR("ERR syntax error", "SCAN 0 COUNT 0");
    EXPECT_ERR("ERR syntax error", "SCAN 0 COUNT -1");
    EXPECT_ERR("ERR value is not an integer or out of range", "SCAN 0 COUNT x");
    EXPECT_ERR("ERR syntax error", "SCAN 0 FOO bar");
    EXPECT_ERR("ERR syntax error", "SCAN 0 MATCH");
    EXPECT_ERR("ERR syntax error", "SCAN 0 COUNT");
    EXPECT_ERR("ERR syntax error", "SCAN 0 TYPE");
    EXPECT_ERR("ERR wrong number of arguments for 'scan' command", "SCAN");
}

static void test_randomkey(void)
{
    EXPECT_NIL("RANDOMKEY");
    OK("SET only v");
    EXPECT_STR("only", "RANDOMKEY");
    OK("MSET a 1 b 2");
    for (int i = 0; i < 20; i++) {
        redisReply *r = h_cmd("RANDOMKEY");
        CHECK(r != NULL && r->type == REDIS_REPLY_STRING &&
              (strcmp(r->str, "only") == 0 || strcmp(r->str, "a") == 0 ||
               strcmp(r->str, "b") == 0));
        freeReplyObject(r);
    }
    EXPECT_ERR("ERR wrong number of arguments for 'randomkey' command", "RANDOMKEY x");
}

static void test_rename(void)
{
    EXPECT_ERR("ERR no such key", "RENAME nokey x");
    EXPECT_ERR("ERR no such key", "RENAME nokey nokey");
    OK("SET a 1 EX 100");
    OK("SET b 2");
    /* RENAME overwrites the target and carries the TTL. */
    OK("RENAME a b");
    EXPECT_STR("1", "GET b");
    EXPECT_INT(100, "TTL b");
    EXPECT_INT(0, "EXISTS a");
    OK("RENAME b b");
    EXPECT_STR("1", "GET b");
    /* A target with a TTL loses it when overwritten by a key without. */
    OK("SET plain p");
    OK("SET timed t EX 100");
    OK("RENAME plain timed");
    EXPECT_INT(-1, "TTL timed");
    EXPECT_ERR("ERR wrong number of arguments for 'rename' command", "RENAME a");
}

static void test_renamenx(void)
{
    EXPECT_ERR("ERR no such key", "RENAMENX nokey x");
    OK("SET b 1");
    OK("SET c 3");
    EXPECT_INT(0, "RENAMENX b c");
    EXPECT_STR("1", "GET b");
    EXPECT_INT(1, "RENAMENX b d");
    EXPECT_STR("1", "GET d");
    EXPECT_INT(0, "EXISTS b");
    EXPECT_INT(0, "RENAMENX d d");
}

static void test_copy(void)
{
    OK("SET src v EX 100");
    EXPECT_INT(1, "COPY src dst");
    EXPECT_STR("v", "GET dst");
    EXPECT_INT(100, "TTL dst");
    EXPECT_INT(0, "COPY src dst");
    OK("SET src w");
    EXPECT_INT(1, "COPY src dst REPLACE");
    EXPECT_STR("w", "GET dst");
    EXPECT_INT(-1, "TTL dst");
    EXPECT_INT(1, "COPY src dst replace replace");
    EXPECT_INT(0, "COPY nokey dst");
    EXPECT_INT(0, "COPY nokey dst REPLACE");
    EXPECT_STR("w", "GET dst");
    EXPECT_ERR("ERR source and destination objects are the same", "COPY src src");
    EXPECT_ERR("ERR source and destination objects are the same", "COPY src src DB 0");
    EXPECT_INT(1, "COPY src src DB 1");
    EXPECT_INT(1, "COPY src dst DB 0 REPLACE");
    OK("SELECT 1");
    EXPECT_STR("w", "GET src");
    OK("SELECT 0");
    EXPECT_STR("w", "GET src");
    EXPECT_ERR("ERR DB index is out of range", "COPY src x DB 16");
    EXPECT_ERR("ERR DB index is out of range", "COPY src x DB -1");
    EXPECT_ERR("ERR value is not an integer or out of range", "COPY src x DB x");
    EXPECT_ERR("ERR syntax error", "COPY src x FOO");
    EXPECT_ERR("ERR syntax error", "COPY src x DB");
    EXPECT_ERR("ERR wrong number of arguments for 'copy' command", "COPY src");
}

static void test_move(void)
{
    OK("SET k v");
    EXPECT_INT(1, "MOVE k 1");
    EXPECT_INT(0, "EXISTS k");
    EXPECT_INT(0, "MOVE k 1");
    OK("SELECT 1");
    EXPECT_STR("v", "GET k");
    OK("SELECT 0");
    /* The target already has the key: nothing moves. */
    OK("SET k v2");
    EXPECT_INT(0, "MOVE k 1");
    EXPECT_STR("v2", "GET k");
    EXPECT_ERR("ERR source and destination objects are the same", "MOVE k 0");
    EXPECT_ERR("ERR DB index is out of range", "MOVE k 16");
    EXPECT_ERR("ERR DB index is out of range", "MOVE k -1");
    EXPECT_ERR("ERR value is not an integer or out of range", "MOVE k x");
    EXPECT_ERR("ERR wrong number of arguments for 'move' command", "MOVE k");
}

static void test_object_encoding_refcount(void)
{
    OK("SET i 12345");
    EXPECT_STR("int", "OBJECT ENCODING i");
    EXPECT_NIL("OBJECT ENCODING nokey");
    EXPECT_NIL("OBJECT REFCOUNT nokey");
    EXPECT_NIL("OBJECT IDLETIME nokey");
    EXPECT_NIL("OBJECT FREQ nokey");
    EXPECT_ERR("ERR wrong number of arguments for 'object|encoding' command", "OBJECT ENCODING");
    EXPECT_ERR("ERR wrong number of arguments for 'object' command", "OBJECT");
    EXPECT_ERR("ERR unknown subcommand 'nope'. Try OBJECT HELP.", "OBJECT nope x");
}

#define LFU_MSG "Please note that when switching between policies at runtime LRU and LFU data " \
                "will take some time to adjust."

/* IDLETIME works without a policy; FREQ needs an LFU one, which Surge does
 * not offer yet. */
static void test_object_idletime_freq(void)
{
    OK("SET k v");
    redisReply *r = h_cmd("OBJECT IDLETIME k");
    CHECK(r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer >= 0 && r->integer < 5);
    freeReplyObject(r);
    EXPECT_ERR("ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
               LFU_MSG,
               "OBJECT FREQ k");
}

static void test_object_help(void)
{
    redisReply *r = h_cmd("OBJECT HELP");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements > 4 &&
          r->element[0]->type == REDIS_REPLY_STATUS &&
          strcmp(r->element[0]->str,
                 "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:") == 0);
    CHECK(r != NULL && h_count_in(r, "ENCODING <key>") == 1 && h_count_in(r, "HELP") == 1);
    freeReplyObject(r);
    EXPECT_ERR("ERR wrong number of arguments for 'object|help' command", "OBJECT HELP x");
}

CASES_DEFINE(keys_cases, TEST(test_del_exists_unlink_touch_type), TEST(test_keys_glob),
             TEST(test_keys_glob_escapes_and_corners), TEST(test_scan_guarantee),
             TEST(test_scan_options), TEST(test_scan_errors), TEST(test_randomkey),
             TEST(test_rename), TEST(test_renamenx), TEST(test_copy), TEST(test_move),
             TEST(test_object_encoding_refcount), TEST(test_object_idletime_freq),
             TEST(test_object_help));
