/* Strings and counters: every option and error text, as Redis 7. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/integration/harness.h"

static void test_get_set_basic(void)
{
    EXPECT_NIL("GET nokey");
    OK("SET k v");
    EXPECT_STR("v", "GET k");
    OK("SET k v2");
    EXPECT_STR("v2", "GET k");
    OK("SET k %s", "");
    EXPECT_STR("", "GET k");
    EXPECT_INT(1, "EXISTS k");
    EXPECT_ERR("ERR wrong number of arguments for 'get' command", "GET");
    EXPECT_ERR("ERR wrong number of arguments for 'get' command", "GET a b");
    EXPECT_ERR("ERR wrong number of arguments for 'set' command", "SET k");
    EXPECT_ERR("ERR wrong number of arguments for 'set' command", "SET");
}

static void test_set_nx_xx_get(void)
{
    EXPECT_NIL("SET k v XX");
    EXPECT_INT(0, "EXISTS k");
    OK("SET k v NX");
    EXPECT_NIL("SET k w NX");
    EXPECT_STR("v", "GET k");
    OK("SET k w XX");
    EXPECT_STR("w", "SET k x GET");
    EXPECT_STR("x", "GET k");
    EXPECT_NIL("SET new x GET");
    EXPECT_STR("x", "GET new");
    /* NX with GET returns the old value and does not write. */
    EXPECT_STR("x", "SET k y NX GET");
    EXPECT_STR("x", "GET k");
    EXPECT_NIL("SET fresh y NX GET");
    EXPECT_STR("y", "GET fresh");
    EXPECT_NIL("SET none y XX GET");
    EXPECT_INT(0, "EXISTS none");
    EXPECT_STR("x", "SET k z XX GET");
    /* Options are case-insensitive and may repeat. */
    EXPECT_STR("z", "set k a xx get get");
    OK("SET k b xx xx");
}

static void test_set_expire_options(void)
{
    OK("SET k v EX 100");
    EXPECT_INT(100, "TTL k");
    OK("SET k v PX 100000");
    EXPECT_INT(100, "TTL k");
    OK("SET k v EXAT 99999999999");
    EXPECT_INT(99999999999LL, "EXPIRETIME k");
    OK("SET k v PXAT 99999999999999");
    EXPECT_INT(99999999999999LL, "PEXPIRETIME k");
    OK("SET k v2 KEEPTTL");
    EXPECT_INT(99999999999999LL, "PEXPIRETIME k");
    EXPECT_STR("v2", "GET k");
    EXPECT_STR("v2", "SET k v3 KEEPTTL GET");
    EXPECT_INT(99999999999999LL, "PEXPIRETIME k");
    OK("SET k v3 XX KEEPTTL");
    EXPECT_INT(99999999999999LL, "PEXPIRETIME k");
    OK("SET k v3");
    EXPECT_INT(-1, "TTL k");
    /* The same option twice: the last value wins. */
    OK("SET k v EX 10 EX 20");
    EXPECT_INT(20, "TTL k");
    OK("SET k v ex 30");
    EXPECT_INT(30, "TTL k");
    /* The largest absolute time in ms is accepted. */
    OK("SET k v PXAT 9223372036854775807");
    EXPECT_INT(9223372036854775807LL, "PEXPIRETIME k");
    /* A time already past: OK, and the key is gone. */
    OK("SET k v EXAT 1");
    EXPECT_INT(0, "EXISTS k");
    OK("SET k v");
    OK("SET k w PXAT 1");
    EXPECT_INT(0, "EXISTS k");
}

static void test_set_option_errors(void)
{
    EXPECT_ERR("ERR syntax error", "SET k v NX XX");
    EXPECT_ERR("ERR syntax error", "SET k v EX 10 PX 100");
    EXPECT_ERR("ERR syntax error", "SET k v EX 10 EXAT 100");
    EXPECT_ERR("ERR syntax error", "SET k v PXAT 10 EXAT 100");
    EXPECT_ERR("ERR syntax error", "SET k v EX 10 KEEPTTL");
    EXPECT_ERR("ERR syntax error", "SET k v KEEPTTL PX 10");
    EXPECT_ERR("ERR syntax error", "SET k v EX");
    EXPECT_ERR("ERR syntax error", "SET k v PXAT");
    EXPECT_ERR("ERR syntax error", "SET k v FOO");
    EXPECT_ERR("ERR syntax error", "SET k v PERSIST");
    EXPECT_ERR("ERR invalid expire time in 'set' command", "SET k v EX 0");
    EXPECT_ERR("ERR invalid expire time in 'set' command", "SET k v PX -5");
    EXPECT_ERR("ERR invalid expire time in 'set' command", "SET k v EXAT 0");
    EXPECT_ERR("ERR invalid expire time in 'set' command", "SET k v PXAT 0");
    EXPECT_ERR("ERR invalid expire time in 'set' command", "SET k v EX 9223372036854775807");
    EXPECT_ERR("ERR invalid expire time in 'set' command", "SET k v EX 9223372036854775");
    EXPECT_ERR("ERR invalid expire time in 'set' command", "SET k v PX 9223372036854775000");
    EXPECT_ERR("ERR value is not an integer or out of range", "SET k v EX abc");
    EXPECT_ERR("ERR value is not an integer or out of range", "SET k v PX 1.5");
    EXPECT_ERR("ERR value is not an integer or out of range", "SET k v EX -0");
    EXPECT_INT(0, "EXISTS k");
    /* A rejected SET leaves an existing key alone. */
    OK("SET k old EX 100");
    EXPECT_ERR("ERR syntax error", "SET k new NX XX");
    EXPECT_ERR("ERR invalid expire time in 'set' command", "SET k new EX 0");
    EXPECT_STR("old", "GET k");
    EXPECT_INT(100, "TTL k");
}

static void test_setnx_setex_psetex(void)
{
    EXPECT_INT(1, "SETNX k a");
    EXPECT_INT(0, "SETNX k b");
    EXPECT_STR("a", "GET k");
    OK("SETEX k 50 v");
    EXPECT_INT(50, "TTL k");
    EXPECT_STR("v", "GET k");
    OK("PSETEX k 50000 v");
    EXPECT_INT(50, "TTL k");
    EXPECT_ERR("ERR invalid expire time in 'setex' command", "SETEX k 0 v");
    EXPECT_ERR("ERR invalid expire time in 'setex' command", "SETEX k -1 v");
    EXPECT_ERR("ERR invalid expire time in 'setex' command", "SETEX k 9223372036854775 v");
    EXPECT_ERR("ERR invalid expire time in 'psetex' command", "PSETEX k 0 v");
    EXPECT_ERR("ERR invalid expire time in 'psetex' command", "PSETEX k 9223372036854775807 v");
    EXPECT_ERR("ERR value is not an integer or out of range", "SETEX k x v");
    EXPECT_ERR("ERR wrong number of arguments for 'setex' command", "SETEX k 10");
    EXPECT_ERR("ERR wrong number of arguments for 'setnx' command", "SETNX k");
    EXPECT_INT(50, "TTL k");
}

static void test_mget_mset_msetnx(void)
{
    OK("MSET a 1 b 2 c 3");
    redisReply *r = h_cmd("MGET a nokey c");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 3);
    if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 3) {
        CHECK(r->element[0]->type == REDIS_REPLY_STRING && strcmp(r->element[0]->str, "1") == 0);
        CHECK(r->element[1]->type == REDIS_REPLY_NIL);
        CHECK(r->element[2]->type == REDIS_REPLY_STRING && strcmp(r->element[2]->str, "3") == 0);
    }
    freeReplyObject(r);
    EXPECT_STRS(h_cmd("MGET a a"), "1", "1");
    /* The same key twice: the last value wins. */
    OK("MSET d 1 d 2");
    EXPECT_STR("2", "GET d");
    /* MSET drops TTLs like SET does. */
    OK("SET t v EX 100");
    OK("MSET t w");
    EXPECT_INT(-1, "TTL t");
    EXPECT_ERR("ERR wrong number of arguments for 'mset' command", "MSET a 1 b");
    EXPECT_ERR("ERR wrong number of arguments for 'mset' command", "MSET a");
    EXPECT_ERR("ERR wrong number of arguments for 'mget' command", "MGET");
    EXPECT_INT(0, "MSETNX x 1 a 2");
    EXPECT_INT(0, "EXISTS x");
    EXPECT_STR("1", "GET a");
    EXPECT_INT(1, "MSETNX x 1 y 2");
    EXPECT_STR("2", "GET y");
    EXPECT_INT(1, "MSETNX z 1 z 2");
    EXPECT_STR("2", "GET z");
    EXPECT_ERR("ERR wrong number of arguments for 'msetnx' command", "MSETNX a");
    EXPECT_ERR("ERR wrong number of arguments for 'msetnx' command", "MSETNX a 1 b");
}

static void test_getset_getdel(void)
{
    EXPECT_NIL("GETSET k v");
    EXPECT_STR("v", "GET k");
    OK("SET k v EX 100");
    EXPECT_STR("v", "GETSET k w");
    EXPECT_INT(-1, "TTL k");
    EXPECT_STR("w", "GETDEL k");
    EXPECT_INT(0, "EXISTS k");
    EXPECT_NIL("GETDEL k");
    EXPECT_ERR("ERR wrong number of arguments for 'getdel' command", "GETDEL");
    EXPECT_ERR("ERR wrong number of arguments for 'getset' command", "GETSET k");
}

static void test_getex(void)
{
    EXPECT_NIL("GETEX k EX 10");
    OK("SET k v");
    EXPECT_STR("v", "GETEX k");
    EXPECT_INT(-1, "TTL k");
    EXPECT_STR("v", "GETEX k EX 100");
    EXPECT_INT(100, "TTL k");
    EXPECT_STR("v", "GETEX k PX 200000");
    EXPECT_INT(200, "TTL k");
    EXPECT_STR("v", "GETEX k EXAT 99999999999");
    EXPECT_INT(99999999999LL, "EXPIRETIME k");
    EXPECT_STR("v", "GETEX k PXAT 99999999999999");
    EXPECT_INT(99999999999999LL, "PEXPIRETIME k");
    EXPECT_STR("v", "GETEX k PERSIST");
    EXPECT_INT(-1, "TTL k");
    EXPECT_STR("v", "GETEX k persist persist");
    EXPECT_STR("v", "GETEX k EX 10 EX 20");
    EXPECT_INT(20, "TTL k");
    /* A time already past: the value is returned and the key deleted. */
    EXPECT_STR("v", "GETEX k PXAT 1");
    EXPECT_INT(0, "EXISTS k");
    OK("SET k v");
    EXPECT_STR("v", "GETEX k EXAT 1");
    EXPECT_INT(0, "EXISTS k");
}

static void test_getex_errors(void)
{
    OK("SET k v EX 100");
    EXPECT_ERR("ERR syntax error", "GETEX k EX 10 PERSIST");
    EXPECT_ERR("ERR syntax error", "GETEX k EX 10 PX 10");
    EXPECT_ERR("ERR syntax error", "GETEX k NX");
    EXPECT_ERR("ERR syntax error", "GETEX k KEEPTTL");
    EXPECT_ERR("ERR syntax error", "GETEX k GET");
    EXPECT_ERR("ERR syntax error", "GETEX k EX");
    EXPECT_ERR("ERR invalid expire time in 'getex' command", "GETEX k EX 0");
    EXPECT_ERR("ERR invalid expire time in 'getex' command", "GETEX k PX -1");
    EXPECT_ERR("ERR invalid expire time in 'getex' command", "GETEX k EXAT 9223372036854775807");
    EXPECT_ERR("ERR value is not an integer or out of range", "GETEX k EX abc");
    EXPECT_INT(100, "TTL k");
    /* Option syntax is checked first, the time only once the key exists. */
    EXPECT_ERR("ERR syntax error", "GETEX nokey FOO");
    EXPECT_NIL("GETEX nokey EX -1");
    EXPECT_NIL("GETEX nokey EX abc");
    EXPECT_ERR("ERR wrong number of arguments for 'getex' command", "GETEX");
}

static void test_append_strlen(void)
{
    EXPECT_INT(3, "APPEND k abc");
    EXPECT_INT(6, "APPEND k def");
    EXPECT_STR("abcdef", "GET k");
    EXPECT_INT(6, "STRLEN k");
    EXPECT_INT(0, "STRLEN nokey");
    EXPECT_INT(6, "APPEND k %s", "");
    OK("SET n 12345");
    EXPECT_INT(5, "STRLEN n");
    EXPECT_INT(6, "APPEND n 6");
    EXPECT_STR("123456", "GET n");
    OK("SET t v EX 100");
    EXPECT_INT(2, "APPEND t x");
    EXPECT_INT(100, "TTL t");
    EXPECT_INT(0, "APPEND empty %s", "");
    EXPECT_INT(1, "EXISTS empty");
    EXPECT_ERR("ERR wrong number of arguments for 'append' command", "APPEND k");
    EXPECT_ERR("ERR wrong number of arguments for 'strlen' command", "STRLEN");
}

static void test_getrange(void)
{
    OK("SET k %s", "This is a string");
    EXPECT_STR("This", "GETRANGE k 0 3");
    EXPECT_STR("ing", "GETRANGE k -3 -1");
    EXPECT_STR("This is a string", "GETRANGE k 0 -1");
    EXPECT_STR("string", "GETRANGE k 10 100");
    EXPECT_STR("", "GETRANGE k 5 3");
    EXPECT_STR("", "GETRANGE k -1 -5");
    EXPECT_STR("T", "GETRANGE k -100 0");
    EXPECT_STR("This is a string", "GETRANGE k -9223372036854775808 9223372036854775807");
    EXPECT_STR("", "GETRANGE k 9223372036854775807 9223372036854775807");
    /* Redis 7: an end before the start of the string clamps to 0. */
    EXPECT_STR("T", "GETRANGE k 0 -100");
    EXPECT_STR("", "GETRANGE nokey 0 -1");
    EXPECT_STR("This", "SUBSTR k 0 3");
    EXPECT_ERR("ERR value is not an integer or out of range", "GETRANGE k a 1");
    EXPECT_ERR("ERR wrong number of arguments for 'getrange' command", "GETRANGE k 0");
    OK("SET n 1234");
    EXPECT_STR("23", "GETRANGE n 1 2");
    OK("SET e %s", "");
    EXPECT_STR("", "GETRANGE e 0 -1");
    EXPECT_STR("", "GETRANGE e -1 0");
}

static void test_setrange(void)
{
    OK("SET k %s", "Hello World");
    EXPECT_INT(11, "SETRANGE k 6 Redis");
    EXPECT_STR("Hello Redis", "GET k");
    EXPECT_INT(13, "SETRANGE k 11 !!");
    EXPECT_STR("Hello Redis!!", "GET k");
    /* Padding with zero bytes. */
    EXPECT_INT(8, "SETRANGE pad 5 abc");
    redisReply *r = h_cmd("GET pad");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && r->len == 8 &&
          memcmp(r->str, "\0\0\0\0\0abc", 8) == 0);
    freeReplyObject(r);
    /* An empty value never creates the key, and never checks the size. */
    EXPECT_INT(0, "SETRANGE empty 5 %s", "");
    EXPECT_INT(0, "EXISTS empty");
    EXPECT_INT(0, "SETRANGE empty 2000000000000 %s", "");
    EXPECT_INT(13, "SETRANGE k 3 %s", "");
    OK("SET t v EX 100");
    EXPECT_INT(1, "SETRANGE t 0 w");
    EXPECT_INT(100, "TTL t");
    EXPECT_ERR("ERR offset is out of range", "SETRANGE k -1 x");
    EXPECT_ERR("ERR string exceeds maximum allowed size (proto-max-bulk-len)",
               "SETRANGE k 536870912 x");
    EXPECT_ERR("ERR value is not an integer or out of range", "SETRANGE k x x");
    EXPECT_ERR("ERR wrong number of arguments for 'setrange' command", "SETRANGE k 0");
    EXPECT_INT(0, "EXISTS nokey");
}

/* The size limit follows proto-max-bulk-len (1 MiB is its minimum). */
static void test_string_size_limit(void)
{
    OK("CONFIG SET proto-max-bulk-len 1048576");
    EXPECT_ERR("ERR string exceeds maximum allowed size (proto-max-bulk-len)",
               "SETRANGE s 1048576 x");
    EXPECT_INT(0, "EXISTS s");
    EXPECT_INT(1048576, "SETRANGE s 1048575 x");
    EXPECT_ERR("ERR string exceeds maximum allowed size (proto-max-bulk-len)", "APPEND s x");
    EXPECT_INT(1048576, "STRLEN s");
    EXPECT_INT(1048576, "APPEND s %s", "");
    EXPECT_INT(1048576, "SETRANGE s 0 y");
    OK("CONFIG SET proto-max-bulk-len 536870912");
    EXPECT_INT(1048577, "APPEND s x");
}

static void test_incr_decr(void)
{
    EXPECT_INT(1, "INCR c");
    EXPECT_INT(0, "DECR c");
    EXPECT_INT(-1, "DECR c");
    EXPECT_INT(9, "INCRBY c 10");
    EXPECT_INT(-6, "DECRBY c 15");
    EXPECT_INT(-1, "INCRBY c 5");
    EXPECT_INT(4, "DECRBY c -5");
    EXPECT_STR("4", "GET c");
    EXPECT_INT(-5, "DECRBY new 5");
    OK("SET t 5 EX 100");
    EXPECT_INT(6, "INCR t");
    EXPECT_INT(100, "TTL t");
    EXPECT_ERR("ERR wrong number of arguments for 'incr' command", "INCR");
    EXPECT_ERR("ERR wrong number of arguments for 'incrby' command", "INCRBY c");
}

static void test_incr_limits_and_errors(void)
{
    OK("SET c 9223372036854775806");
    EXPECT_INT(9223372036854775807LL, "INCR c");
    EXPECT_ERR("ERR increment or decrement would overflow", "INCR c");
    EXPECT_ERR("ERR increment or decrement would overflow", "INCRBY c 1");
    EXPECT_STR("9223372036854775807", "GET c");
    OK("SET c -9223372036854775807");
    EXPECT_INT((-9223372036854775807LL - 1), "DECR c");
    EXPECT_ERR("ERR increment or decrement would overflow", "DECR c");
    EXPECT_ERR("ERR increment or decrement would overflow", "DECRBY c 9223372036854775807");
    EXPECT_ERR("ERR decrement would overflow", "DECRBY c -9223372036854775808");
    /* What is not an exact 64-bit integer, in the value or the argument. */
    const char *bad[] = {"abc", " 1", "1 ", "+1", "-0", "007", "1.0", "", "99999999999999999999",
                         "0x10"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        OK("SET s %s", bad[i]);
        EXPECT_ERR("ERR value is not an integer or out of range", "INCR s");
        EXPECT_ERR("ERR value is not an integer or out of range", "INCRBY c %s", bad[i]);
    }
    EXPECT_ERR("ERR value is not an integer or out of range", "INCRBY c 9223372036854775808");
    OK("SET z 0");
    EXPECT_INT(-1, "DECR z");
}

static void test_incrbyfloat(void)
{
    EXPECT_STR("10.5", "INCRBYFLOAT f 10.5");
    EXPECT_STR("10.6", "INCRBYFLOAT f 0.1");
    EXPECT_STR("5.6", "INCRBYFLOAT f -5");
    OK("SET f 5.0e3");
    EXPECT_STR("5200", "INCRBYFLOAT f 2.0e2");
    OK("SET f 3");
    EXPECT_STR("3", "INCRBYFLOAT f 0");
    OK("SET f 3.0");
    EXPECT_STR("3", "INCRBYFLOAT f 0");
    OK("SET f 1.10");
    EXPECT_STR("1.1", "INCRBYFLOAT f 0");
    OK("SET t 1 EX 100");
    EXPECT_STR("1.5", "INCRBYFLOAT t 0.5");
    EXPECT_INT(100, "TTL t");
    EXPECT_STR("1.5", "GET t");
}

/* Long double arithmetic, printed with 17 digits after the point, trailing
 * zeros dropped, never in exponent form. */
static void test_incrbyfloat_formatting(void)
{
    EXPECT_STR("0.1", "INCRBYFLOAT a 0.1");
    EXPECT_STR("0.3", "INCRBYFLOAT a 0.2");
    OK("SET b 10");
    EXPECT_STR("0", "INCRBYFLOAT b -10");
    OK("SET c 1e20");
    EXPECT_STR("100000000000000000000", "INCRBYFLOAT c 1");
    OK("SET d 5");
    EXPECT_STR("5", "INCRBYFLOAT d 1e-20");
    EXPECT_STR("1005", "INCRBYFLOAT d 1e3");
    EXPECT_STR("1005.001", "INCRBYFLOAT d 1.0e-3");
    EXPECT_STR("1005.501", "INCRBYFLOAT d .5");
    EXPECT_STR("1010.501", "INCRBYFLOAT d 5.");
    OK("SET e -0");
    EXPECT_STR("0", "INCRBYFLOAT e 0");
    EXPECT_STR("-1.5", "INCRBYFLOAT e -1.5");
}

static void test_incrbyfloat_errors(void)
{
    OK("SET f 1");
    EXPECT_ERR("ERR value is not a valid float", "INCRBYFLOAT f abc");
    EXPECT_ERR("ERR value is not a valid float", "INCRBYFLOAT f %s", "");
    EXPECT_ERR("ERR value is not a valid float", "INCRBYFLOAT f %s", " 1");
    EXPECT_ERR("ERR value is not a valid float", "INCRBYFLOAT f %s", "1 ");
    EXPECT_ERR("ERR value is not a valid float", "INCRBYFLOAT f 1_0");
    EXPECT_ERR("ERR value is not a valid float", "INCRBYFLOAT f nan");
    EXPECT_ERR("ERR value is not a valid float", "INCRBYFLOAT f 1e5000");
    EXPECT_ERR("ERR increment would produce NaN or Infinity", "INCRBYFLOAT f inf");
    EXPECT_ERR("ERR increment would produce NaN or Infinity", "INCRBYFLOAT f -inf");
    OK("SET s abc");
    EXPECT_ERR("ERR value is not a valid float", "INCRBYFLOAT s 1");
    OK("SET s %s", " 1");
    EXPECT_ERR("ERR value is not a valid float", "INCRBYFLOAT s 1");
    EXPECT_STR("1", "GET f");
    EXPECT_ERR("ERR wrong number of arguments for 'incrbyfloat' command", "INCRBYFLOAT f");
}

/* Regression: a value INCRBYFLOAT stored (up to LDBL_MAX's 4933 digits)
 * must read back; values over 256 characters used to be "not a valid
 * float". */
static void test_incrbyfloat_reads_back_long_values(void)
{
    OK("SET f 1e4000");
    redisReply *r = h_cmd("INCRBYFLOAT f 1e4000");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && r->len == 4001 && r->str[0] == '1');
    freeReplyObject(r);
    r = h_cmd("INCRBYFLOAT f 0");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && r->len == 4001 && r->str[0] == '1');
    freeReplyObject(r);
    EXPECT_INT(4001, "STRLEN f");
}

static void test_lcs(void)
{
    OK("MSET key1 ohmytext key2 mynewtext");
    EXPECT_STR("mytext", "LCS key1 key2");
    EXPECT_INT(6, "LCS key1 key2 LEN");
    redisReply *r = h_cmd("LCS key1 key2 IDX MINMATCHLEN 4 WITHMATCHLEN");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 4);
    if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 4) {
        CHECK(strcmp(r->element[0]->str, "matches") == 0);
        redisReply *m = r->element[1];
        CHECK(m->elements == 1);
        if (m->elements == 1) {
            redisReply *e = m->element[0];
            CHECK(e->elements == 3 && e->element[0]->element[0]->integer == 4 &&
                  e->element[0]->element[1]->integer == 7 &&
                  e->element[1]->element[0]->integer == 5 &&
                  e->element[1]->element[1]->integer == 8 && e->element[2]->integer == 4);
        }
        CHECK(strcmp(r->element[2]->str, "len") == 0 && r->element[3]->integer == 6);
    }
    freeReplyObject(r);
    /* Without a minimum: every match, last first, as [[a1,a2],[b1,b2]]. */
    r = h_cmd("LCS key1 key2 IDX");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 4 &&
          r->element[1]->elements == 2);
    if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 4 &&
        r->element[1]->elements == 2) {
        redisReply *e = r->element[1]->element[1];
        CHECK(e->elements == 2 && e->element[0]->element[0]->integer == 2 &&
              e->element[0]->element[1]->integer == 3 &&
              e->element[1]->element[0]->integer == 0 && e->element[1]->element[1]->integer == 1);
    }
    freeReplyObject(r);
    /* A negative minimum counts as none; WITHMATCHLEN alone changes nothing. */
    r = h_cmd("LCS key1 key2 MINMATCHLEN -5 IDX");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 4 &&
          r->element[1]->elements == 2);
    freeReplyObject(r);
    EXPECT_STR("mytext", "LCS key1 key2 WITHMATCHLEN");
    EXPECT_STR("", "LCS nokey key2");
    EXPECT_STR("", "LCS nokey nokey2");
    EXPECT_INT(0, "LCS nokey nokey2 LEN");
    r = h_cmd("LCS nokey nokey2 IDX");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 4 &&
          r->element[1]->type == REDIS_REPLY_ARRAY && r->element[1]->elements == 0 &&
          r->element[3]->integer == 0);
    freeReplyObject(r);
}

static void test_lcs_errors(void)
{
    OK("MSET key1 ohmytext key2 mynewtext");
    EXPECT_ERR("ERR If you want both the length and indexes, please just use IDX.",
               "LCS key1 key2 LEN IDX");
    EXPECT_ERR("ERR syntax error", "LCS key1 key2 FOO");
    EXPECT_ERR("ERR syntax error", "LCS key1 key2 IDX MINMATCHLEN");
    EXPECT_ERR("ERR value is not an integer or out of range", "LCS key1 key2 MINMATCHLEN x");
    EXPECT_ERR("ERR wrong number of arguments for 'lcs' command", "LCS key1");
}

static void test_object_encoding_rules(void)
{
    OK("SET i 12345");
    EXPECT_STR("int", "OBJECT ENCODING i");
    OK("SET i -9223372036854775808");
    EXPECT_STR("int", "OBJECT ENCODING i");
    OK("SET i 1234567890123456789");
    EXPECT_STR("int", "OBJECT ENCODING i");
    /* Not a canonical 64-bit integer: a string. */
    const char *strs[] = {"12345678901234567890", "0123", " 12", "+1", "-0", "1.5"};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        OK("SET s %s", strs[i]);
        EXPECT_STR("embstr", "OBJECT ENCODING s");
    }
    OK("SET e short");
    EXPECT_STR("embstr", "OBJECT ENCODING e");
    OK("SET e %s", "");
    EXPECT_STR("embstr", "OBJECT ENCODING e");
    /* Up to 44 bytes embstr, then raw. */
    OK("SET r %s", "01234567890123456789012345678901234567890abc");
    EXPECT_STR("embstr", "OBJECT ENCODING r");
    OK("SET r %s", "01234567890123456789012345678901234567890abcd");
    EXPECT_STR("raw", "OBJECT ENCODING r");
    /* Modified in place: raw; INCR results: int; INCRBYFLOAT: a string. */
    OK("SET a 5");
    EXPECT_INT(2, "APPEND a 6");
    EXPECT_STR("raw", "OBJECT ENCODING a");
    EXPECT_INT(57, "INCR a");
    EXPECT_STR("int", "OBJECT ENCODING a");
    OK("SET b 5");
    EXPECT_INT(1, "SETRANGE b 0 6");
    EXPECT_STR("raw", "OBJECT ENCODING b");
    OK("SET f 1");
    EXPECT_STR("3", "INCRBYFLOAT f 2");
    EXPECT_STR("embstr", "OBJECT ENCODING f");
    OK("SET x 7 EX 100");
    EXPECT_STR("int", "OBJECT ENCODING x");
    EXPECT_NIL("GETSET g 12");
    EXPECT_STR("int", "OBJECT ENCODING g");
}

/* Small integers are shared objects while no LRU/LFU policy is set. */
static void test_object_refcount(void)
{
    OK("SET big 12345");
    EXPECT_INT(1, "OBJECT REFCOUNT big");
    OK("SET small 123");
    EXPECT_INT(2147483647, "OBJECT REFCOUNT small");
    OK("SET edge 9999");
    EXPECT_INT(2147483647, "OBJECT REFCOUNT edge");
    OK("SET edge 10000");
    EXPECT_INT(1, "OBJECT REFCOUNT edge");
    OK("SET neg -1");
    EXPECT_INT(1, "OBJECT REFCOUNT neg");
    OK("SET e text");
    EXPECT_INT(1, "OBJECT REFCOUNT e");
}

CASES_DEFINE(string_cases, TEST(test_get_set_basic), TEST(test_set_nx_xx_get),
             TEST(test_set_expire_options), TEST(test_set_option_errors),
             TEST(test_setnx_setex_psetex), TEST(test_mget_mset_msetnx),
             TEST(test_getset_getdel), TEST(test_getex), TEST(test_getex_errors),
             TEST(test_append_strlen), TEST(test_getrange), TEST(test_setrange),
             TEST(test_string_size_limit), TEST(test_incr_decr),
             TEST(test_incr_limits_and_errors), TEST(test_incrbyfloat),
             TEST(test_incrbyfloat_formatting), TEST(test_incrbyfloat_errors),
             TEST(test_incrbyfloat_reads_back_long_values), TEST(test_lcs),
             TEST(test_lcs_errors), TEST(test_object_encoding_rules), TEST(test_object_refcount));

/* ---- Redis 8: INCREX, SET IFEQ / IFNE, DELEX (Surge-only: the
 * reference Redis 7.0 has none of them) ---- */

/* The two elements of an INCREX reply, as text (integers printed). */
#define EXPECT_INCREX(want, ...) EXPECT_FLAT(want, __VA_ARGS__)

static void test_increx_default_and_byint(void)
{
    EXPECT_INCREX("1 1", "INCREX c");
    EXPECT_INCREX("2 1", "increx c");
    EXPECT_STR("int", "OBJECT ENCODING c");
    EXPECT_INCREX("7 5", "INCREX c BYINT 5");
    EXPECT_INCREX("-3 -10", "INCREX c byint -10");
    EXPECT_INCREX("-3 0", "INCREX c BYINT 0");
    EXPECT_STR("-3", "GET c");
    OK("SET s 10");
    EXPECT_INCREX("11 1", "INCREX s");
    /* A value made raw by APPEND is an int again after INCREX. */
    EXPECT_INT(3, "APPEND s 2");
    EXPECT_INCREX("113 1", "INCREX s");
    EXPECT_STR("int", "OBJECT ENCODING s");
    /* Options in any order. */
    EXPECT_INCREX("5 5", "INCREX o LBOUND 0 BYINT 5 UBOUND 10");
    EXPECT_INCREX("10 5", "INCREX o UBOUND 10 BYINT 5 LBOUND 0 SATURATE");
}

static void test_increx_bounds_and_saturate(void)
{
    OK("SET k 10");
    EXPECT_INCREX("10 0", "INCREX k BYINT 10 UBOUND 15");
    EXPECT_STR("10", "GET k");
    EXPECT_INCREX("15 5", "INCREX k BYINT 10 UBOUND 15 SATURATE");
    EXPECT_INCREX("15 0", "INCREX k BYINT -10 LBOUND 6");
    EXPECT_INCREX("6 -9", "INCREX k BYINT -10 LBOUND 6 SATURATE");
    /* Exactly on a bound is inside. */
    EXPECT_INCREX("10 4", "INCREX k BYINT 4 UBOUND 10");
    EXPECT_INCREX("0 -10", "INCREX k BYINT -10 LBOUND 0");
    /* A value already outside: refused, clamped, or brought back in. */
    OK("SET k 50");
    EXPECT_INCREX("50 0", "INCREX k BYINT 5 UBOUND 30");
    EXPECT_INCREX("30 -20", "INCREX k BYINT 5 UBOUND 30 SATURATE");
    OK("SET k 50");
    EXPECT_INCREX("25 -25", "INCREX k BYINT -25 UBOUND 30");
    OK("SET k 10");
    EXPECT_INCREX("20 10", "INCREX k BYINT -5 LBOUND 20 SATURATE");
    EXPECT_INCREX("20 0", "INCREX k BYINT 5 LBOUND 20 UBOUND 20");
    /* A missing key counts from 0; a refused result doesn't create it. */
    EXPECT_INCREX("0 0", "INCREX m BYINT 15 UBOUND 10");
    EXPECT_INT(0, "EXISTS m");
    EXPECT_INCREX("0 0", "INCREX m LBOUND 5");
    EXPECT_INT(0, "EXISTS m");
    EXPECT_INCREX("5 5", "INCREX m LBOUND 5 SATURATE");
    EXPECT_STR("5", "GET m");
    EXPECT_INCREX("0 0", "INCREX z UBOUND 0 SATURATE");
    EXPECT_STR("0", "GET z");
    /* A refused write changes nothing: no TTL, no WATCH conflict. */
    OK("SET w 10");
    OK("WATCH w");
    EXPECT_INCREX("10 0", "INCREX w BYINT 100 UBOUND 15 EX 100");
    EXPECT_INT(-1, "TTL w");
    OK("MULTI");
    EXPECT_STATUS("QUEUED", "GET w");
    EXPECT_STRS(h_cmd("EXEC"), "10");
}

static void test_increx_integer_limits(void)
{
    OK("SET k 9223372036854775800");
    EXPECT_INCREX("9223372036854775800 0", "INCREX k BYINT 9223372036854775800");
    EXPECT_INCREX("9223372036854775807 7", "INCREX k BYINT 9223372036854775800 SATURATE");
    EXPECT_INCREX("9223372036854775807 0", "INCREX k SATURATE");
    OK("SET k -9223372036854775800");
    EXPECT_INCREX("-9223372036854775808 -8", "INCREX k BYINT -9223372036854775800 SATURATE");
    OK("SET k 10");
    EXPECT_INCREX("100 90", "INCREX k BYINT 9223372036854775807 UBOUND 100 SATURATE");
    EXPECT_INCREX("100 0", "INCREX k BYINT 9223372036854775807 UBOUND 1000");
    /* Saturated to LLONG_MIN from LLONG_MAX: the applied increment can't
     * be told, so nothing happens. */
    OK("SET k 9223372036854775807");
    EXPECT_ERR("ERR applied increment would overflow",
               "INCREX k BYINT -5 UBOUND -9223372036854775808 SATURATE");
    EXPECT_STR("9223372036854775807", "GET k");
}

static void test_increx_byfloat(void)
{
    EXPECT_INCREX("0.1 0.1", "INCREX f BYFLOAT 0.1");
    EXPECT_INCREX("0.3 0.2", "INCREX f BYFLOAT 0.2");
    EXPECT_STR("0.3", "GET f");
    EXPECT_STR("embstr", "OBJECT ENCODING f");
    OK("SET f 10");
    EXPECT_INCREX("12.5 2.5", "INCREX f BYFLOAT 2.5");
    EXPECT_INCREX("10 -2.5", "INCREX f byfloat -2.5");
    EXPECT_STR("embstr", "OBJECT ENCODING f");
    OK("SET f 10.0");
    EXPECT_INCREX("10 0", "INCREX f BYFLOAT 10 UBOUND 15.5");
    EXPECT_STR("10.0", "GET f");
    EXPECT_INCREX("15.5 5.5", "INCREX f BYFLOAT 10 UBOUND 15.5 SATURATE");
    OK("SET f 0");
    EXPECT_INCREX("-5.5 -5.5", "INCREX f BYFLOAT -100 LBOUND -5.5 SATURATE");
    EXPECT_INCREX("0 0", "INCREX nf BYFLOAT -0.5 UBOUND -1.5");
    EXPECT_INT(0, "EXISTS nf");
    /* No negative zero; 17 digits after the point, as INCRBYFLOAT. */
    EXPECT_INCREX("0.5 0.5", "INCREX z BYFLOAT 0.5");
    EXPECT_INCREX("0 -0.5", "INCREX z BYFLOAT -0.5");
    EXPECT_STR("0", "GET z");
    EXPECT_INCREX("5 5", "INCREX d BYFLOAT 5 UBOUND 5 LBOUND 5 SATURATE");
    /* The applied increment is what really changed the value. */
    EXPECT_INCREX("5 0", "INCREX d BYFLOAT 1e-20");
    /* Infinite bounds are bounds like any other. */
    OK("SET f 10");
    EXPECT_INCREX("11 1", "INCREX f BYFLOAT 1 UBOUND inf");
    EXPECT_INCREX("12 1", "INCREX f BYFLOAT 1 LBOUND -inf");
    EXPECT_INCREX("12 0", "INCREX f BYFLOAT 1 LBOUND -inf UBOUND -inf");
    EXPECT_ERR("ERR applied increment would be Infinity",
               "INCREX f BYFLOAT 1 LBOUND inf UBOUND inf SATURATE");
    EXPECT_STR("12", "GET f");
}

/* Past the long double range: refused, or clamped to the largest value. */
static void test_increx_byfloat_limits(void)
{
    OK("SET f 1e4932");
    redisReply *r = h_cmd("INCREX f BYFLOAT 1e4932");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
          r->element[0]->len == 4933 && strcmp(r->element[1]->str, "0") == 0);
    freeReplyObject(r);
    EXPECT_STR("1e4932", "GET f");
    /* Clamped to LDBL_MAX (4933 digits), which reads back. */
    r = h_cmd("INCREX f BYFLOAT 1e4932 SATURATE");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
          r->element[0]->len == 4933 && strncmp(r->element[0]->str, "118973149535723", 15) == 0 &&
          r->element[1]->len == 4932 && strncmp(r->element[1]->str, "18973149535723", 14) == 0);
    freeReplyObject(r);
    r = h_cmd("INCREX f BYFLOAT 1 UBOUND 100 SATURATE");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
          strcmp(r->element[0]->str, "100") == 0 &&
          strncmp(r->element[1]->str, "-118973149535723", 16) == 0);
    freeReplyObject(r);
    OK("SET f -1e4932");
    EXPECT_ERR("ERR applied increment would be Infinity",
               "INCREX f BYFLOAT 1e4932 LBOUND 1e4932 SATURATE");
    OK("SET f inf");
    EXPECT_ERR("ERR value cannot be Infinity", "INCREX f BYFLOAT 1");
    EXPECT_ERR("ERR value is not an integer or out of range", "INCREX f BYINT 1");
    EXPECT_STR("inf", "GET f");
}

static void test_increx_ttl_options(void)
{
    /* INCREX k <options>: its reply, then what a TTL query answers. No
     * option keeps the TTL, PERSIST removes it, ENX sets one only on a key
     * without. */
    static const struct {
        const char *opts, *reply, *query;
        long long ttl;
    } steps[] = {
        {"EX 100", "1 1", "TTL k", 100},
        {"PX 200000", "2 1", "TTL k", 200},
        {"EXAT 99999999999", "3 1", "EXPIRETIME k", 99999999999LL},
        {"PXAT 99999999999999", "4 1", "PEXPIRETIME k", 99999999999999LL},
        {"", "5 1", "PEXPIRETIME k", 99999999999999LL},
        {"PERSIST", "6 1", "TTL k", -1},
        {"PERSIST", "7 1", "TTL k", -1},
        {"EX 100 ENX", "8 1", "TTL k", 100},
        {"EX 10 ENX", "9 1", "TTL k", 100},
    };
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        char got[64];
        redisReply *r = h_cmd_words("INCREX k", steps[i].opts);
        h_flat(r, got, sizeof(got));
        freeReplyObject(r);
        if (strcmp(got, steps[i].reply) != 0) {
            fprintf(stderr, "  INCREX k %s: got [%s]\n", steps[i].opts, got);
            test_failures_in_case++;
        }
        CHECK_REPLY_INT(h_cmd_words(steps[i].query, ""), steps[i].ttl);
    }
    EXPECT_INCREX("5 5", "INCREX n BYINT 5 ENX EX 50");
    EXPECT_INT(50, "TTL n");
    /* A refused result leaves the TTL; a saturated one applies it. */
    OK("SET r 10 EX 500");
    EXPECT_INCREX("10 0", "INCREX r BYINT 5 UBOUND 5 PERSIST");
    EXPECT_INT(500, "TTL r");
    EXPECT_INCREX("12 2", "INCREX r BYINT 5 UBOUND 12 SATURATE EX 100");
    EXPECT_INT(100, "TTL r");
    /* A time already past deletes the key (ENX on a key with a TTL keeps
     * it); on a missing key nothing is stored. */
    EXPECT_INCREX("13 1", "INCREX r EXAT 1 ENX");
    EXPECT_INT(100, "TTL r");
    EXPECT_INCREX("14 1", "INCREX r PXAT 1");
    EXPECT_INT(0, "EXISTS r");
    EXPECT_INCREX("1 1", "INCREX gone EXAT 1");
    EXPECT_INT(0, "EXISTS gone");
    EXPECT_INCREX("2.5 2.5", "INCREX fl BYFLOAT 2.5 EX 100");
    EXPECT_INT(100, "TTL fl");
}

static void test_increx_errors(void)
{
    EXPECT_ERR("ERR wrong number of arguments for 'increx' command", "INCREX");
    const char *syntax[] = {
        "FOO", "BYINT", "BYINT 1 FOO", "BYINT 1 BYFLOAT 1.5", "BYFLOAT 1.5 BYINT 1",
        "BYINT 1 BYINT 2", "LBOUND 0 LBOUND 1", "UBOUND 9 UBOUND 8", "SATURATE SATURATE",
        "SAT", "LBOUND", "UBOUND", "EX 10 PX 5000", "EX 10 EXAT 99999999999", "EX 10 EX 20",
        "EX 10 PERSIST", "PERSIST EX 10", "PERSIST PERSIST", "PERSIST ENX", "ENX PERSIST",
        "ENX ENX EX 10", "EX",
    };
    for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++) {
        CHECK_REPLY_ERR(h_cmd_words("INCREX k", syntax[i]), "ERR syntax error");
    }
    EXPECT_ERR("ERR ENX flag requires an expiration", "INCREX k ENX");
    EXPECT_ERR("ERR ENX flag requires an expiration", "INCREX k BYINT 1 ENX");
    const char *not_int[] = {"abc", "1.5", "9223372036854775808", " 1", ""};
    for (size_t i = 0; i < sizeof(not_int) / sizeof(not_int[0]); i++) {
        EXPECT_ERR("ERR Increment is not an integer or out of range", "INCREX k BYINT %s",
                   not_int[i]);
    }
    EXPECT_ERR("ERR Increment is not a valid float", "INCREX k BYFLOAT abc");
    EXPECT_ERR("ERR Increment is not a valid float", "INCREX k BYFLOAT nan");
    EXPECT_ERR("ERR Increment is not a valid float", "INCREX k BYFLOAT 1e99999");
    EXPECT_ERR("ERR BYFLOAT increment cannot be Infinity", "INCREX k BYFLOAT inf");
    EXPECT_ERR("ERR BYFLOAT increment cannot be Infinity", "INCREX k BYFLOAT -inf");
    EXPECT_ERR("ERR UBOUND is not an integer or out of range", "INCREX k UBOUND 12.5");
    EXPECT_ERR("ERR UBOUND is not an integer or out of range", "INCREX k BYINT 1 UBOUND inf");
    EXPECT_ERR("ERR LBOUND is not an integer or out of range", "INCREX k LBOUND abc");
    EXPECT_ERR("ERR LBOUND is not a valid float", "INCREX k BYFLOAT 1 LBOUND abc");
    EXPECT_ERR("ERR UBOUND is not a valid float", "INCREX k UBOUND x BYFLOAT 1");
    EXPECT_ERR("ERR LBOUND can't be greater than UBOUND", "INCREX k LBOUND 10 UBOUND 5");
    EXPECT_ERR("ERR LBOUND can't be greater than UBOUND",
               "INCREX k BYFLOAT 0.5 LBOUND 10.5 UBOUND 1.5");
    EXPECT_ERR("ERR LBOUND can't be greater than UBOUND", "INCREX k BYFLOAT 1 UBOUND -inf");
    const char *bad_time[] = {"EX 0", "PX -1", "EXAT 0", "PXAT -5", "EX 9223372036854775807",
                              "PX 9223372036854775000"};
    for (size_t i = 0; i < sizeof(bad_time) / sizeof(bad_time[0]); i++) {
        CHECK_REPLY_ERR(h_cmd_words("INCREX k", bad_time[i]),
                        "ERR invalid expire time in 'increx' command");
    }
    EXPECT_ERR("ERR value is not an integer or out of range", "INCREX k EX abc");
    EXPECT_INT(0, "EXISTS k");
    /* Stored values: another type, or a string that is no number. */
    EXPECT_INT(1, "RPUSH l a");
    EXPECT_ERR_PREFIX("WRONGTYPE", "INCREX l");
    EXPECT_ERR_PREFIX("WRONGTYPE", "INCREX l BYFLOAT 1.5 EXAT 1");
    EXPECT_INT(1, "LLEN l");
    OK("SET s hello");
    EXPECT_ERR("ERR value is not an integer or out of range", "INCREX s");
    EXPECT_ERR("ERR value is not a valid float", "INCREX s BYFLOAT 1");
    OK("SET s 1.5");
    EXPECT_ERR("ERR value is not an integer or out of range", "INCREX s BYINT 1 EX 100");
    EXPECT_INT(-1, "TTL s");
    EXPECT_INCREX("2 0.5", "INCREX s BYFLOAT 0.5");
}

/* Integers are integers in both protocols; BYFLOAT's values are bulk
 * strings in RESP2 and doubles in RESP3. */
static void test_increx_reply_types(void)
{
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "INCREX r BYINT 5\r\nINCREX f BYFLOAT 2.5\r\nINCREX f BYFLOAT 1 UBOUND 1\r\n");
    RAW_EXPECT(fd, "*2\r\n:5\r\n:5\r\n*2\r\n$3\r\n2.5\r\n$3\r\n2.5\r\n*2\r\n$3\r\n2.5\r\n$1\r\n0\r\n");
    close(fd);
    fd = h_raw_connect_resp3(h_main.port);
    RAW_SEND(fd, "INCREX r\r\nINCREX f BYFLOAT 0.25\r\n");
    RAW_EXPECT(fd, "*2\r\n:6\r\n:1\r\n*2\r\n,2.75\r\n,0.25\r\n");
    close(fd);
}

static void test_set_ifeq_ifne(void)
{
    OK("SET k v");
    OK("SET k w IFEQ v");
    EXPECT_NIL("SET k x IFEQ v");
    EXPECT_STR("w", "GET k");
    EXPECT_NIL("SET k y IFNE w");
    OK("SET k y ifne v");
    EXPECT_STR("y", "GET k");
    /* A missing key equals nothing: IFEQ fails, IFNE creates it. */
    EXPECT_NIL("SET n a IFEQ a");
    EXPECT_INT(0, "EXISTS n");
    OK("SET n a IFNE b");
    EXPECT_STR("a", "GET n");
    /* The comparison is on the bytes, whatever the encoding. */
    OK("SET i 123");
    OK("SET i 124 IFEQ 123");
    EXPECT_NIL("SET i 125 IFEQ 0124");
    OK("SET e %s", "");
    OK("SET e x IFEQ %s", "");
    EXPECT_NIL("SET e y IFEQ %s", "");
    /* With GET: the old value whether or not the SET happened. */
    EXPECT_STR("y", "SET k z IFEQ y GET");
    EXPECT_STR("z", "SET k q IFEQ nope GET");
    EXPECT_STR("z", "GET k");
    EXPECT_NIL("SET g1 v IFNE x GET");
    EXPECT_STR("v", "GET g1");
    EXPECT_NIL("SET g2 v IFEQ x GET");
    EXPECT_INT(0, "EXISTS g2");
    /* With the expire options. */
    OK("SET k v EX 100 IFEQ z");
    EXPECT_INT(100, "TTL k");
    OK("SET k v2 IFNE z KEEPTTL");
    EXPECT_INT(100, "TTL k");
    EXPECT_NIL("SET k v3 IFEQ z PX 5000");
    EXPECT_INT(100, "TTL k");
    OK("SET k v4 IFEQ v2");
    EXPECT_INT(-1, "TTL k");
}

static void test_set_ifeq_ifne_errors(void)
{
    const char *syntax[] = {"IFEQ", "IFEQ a NX", "NX IFEQ a", "XX IFNE a", "IFEQ a IFNE b",
                            "IFNE a IFEQ b", "IFNE a XX", "IFEQ a PERSIST"};
    for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++) {
        CHECK_REPLY_ERR(h_cmd_words("SET k v", syntax[i]), "ERR syntax error");
    }
    EXPECT_INT(0, "EXISTS k");
    EXPECT_INT(1, "LPUSH l a");
    EXPECT_ERR_PREFIX("WRONGTYPE", "SET l v IFEQ a");
    EXPECT_ERR_PREFIX("WRONGTYPE", "SET l v IFNE a");
    EXPECT_ERR_PREFIX("WRONGTYPE", "SET l v IFNE a GET");
    EXPECT_INT(1, "LLEN l");
    OK("SET l v");
    EXPECT_STR("v", "GET l");
}

static void test_delex(void)
{
    EXPECT_INT(0, "DELEX nokey");
    EXPECT_INT(0, "DELEX nokey IFNE x");
    EXPECT_INT(0, "DELEX nokey IFEQ x");
    OK("SET k v");
    EXPECT_INT(1, "DELEX k");
    EXPECT_INT(0, "EXISTS k");
    OK("SET k v");
    EXPECT_INT(0, "DELEX k IFEQ w");
    EXPECT_INT(0, "DELEX k IFNE v");
    EXPECT_INT(1, "EXISTS k");
    EXPECT_INT(1, "DELEX k ifeq v");
    EXPECT_INT(0, "EXISTS k");
    OK("SET k v");
    EXPECT_INT(1, "DELEX k IFNE w");
    OK("SET n 42");
    EXPECT_INT(1, "DELEX n IFEQ 42");
    /* Without a condition any type goes; with one, only a string. */
    EXPECT_INT(1, "RPUSH l a");
    EXPECT_ERR_PREFIX("WRONGTYPE", "DELEX l IFEQ a");
    EXPECT_ERR_PREFIX("WRONGTYPE", "DELEX l IFNE a");
    EXPECT_INT(1, "DELEX l");
    EXPECT_INT(0, "EXISTS l");
    OK("SET k v");
    const char *syntax[] = {"IFEQ", "FOO v", "IFEQ v IFNE w", "IFEQ v extra", "IFDEQ"};
    for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++) {
        CHECK_REPLY_ERR(h_cmd_words("DELEX k", syntax[i]), "ERR syntax error");
    }
    EXPECT_INT(1, "EXISTS k");
    EXPECT_ERR("ERR wrong number of arguments for 'delex' command", "DELEX");
}

/* The lock release pattern: only the holder's token deletes the lock. */
static void test_delex_lock_release(void)
{
    OK("SET lock token-a NX PX 30000");
    EXPECT_NIL("SET lock token-b NX PX 30000");
    EXPECT_INT(0, "DELEX lock IFEQ token-b");
    EXPECT_INT(1, "DELEX lock IFEQ token-a");
    OK("SET lock token-b NX PX 30000");
    EXPECT_STR("token-b", "GET lock");
}

/* DIGEST: XXH3-64 of the value's bytes as 16 lower-case hex digits with
 * leading zeros (redis.io's example and Redis issue 14496's value). */
static void test_digest(void)
{
    OK("SET key1 %s", "Hello world");
    EXPECT_STR("b6acb9d84a38ff74", "DIGEST key1");
    OK("SET z %s", "v8lf0c11xh8ymlqztfd3eeq16kfn4sspw7fqmnuuq3k3t75em5wdizgcdw7uc26nnf961u2jkf"
                   "zkjytls2kwlj7626sd");
    EXPECT_STR("00006c38adf31777", "digest z");
    OK("SET e %s", "");
    EXPECT_STR("2d06800538d394c2", "DIGEST e");
    /* An integer-encoded value hashes its decimal text. */
    OK("SET i 123");
    EXPECT_STR("404a763b3f4c8c9a", "DIGEST i");
    EXPECT_NIL("DIGEST nokey");
    EXPECT_INT(1, "RPUSH l a");
    EXPECT_ERR_PREFIX("WRONGTYPE", "DIGEST l");
    EXPECT_ERR("ERR wrong number of arguments for 'digest' command", "DIGEST");
    EXPECT_ERR("ERR wrong number of arguments for 'digest' command", "DIGEST a b");
    int fd = h_raw_connect_resp3(h_main.port);
    RAW_SEND(fd, "DIGEST nokey\r\nDIGEST i\r\n");
    RAW_EXPECT(fd, "_\r\n$16\r\n404a763b3f4c8c9a\r\n");
    close(fd);
    redisReply *r = h_cmd("COMMAND INFO digest");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 1);
    if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
        const redisReply *d = r->element[0];
        CHECK(strcmp(d->element[0]->str, "digest") == 0 && d->element[1]->integer == 2);
        CHECK(h_count_in(d->element[2], "readonly") == 1 && h_count_in(d->element[2], "fast") == 1);
        CHECK(d->element[3]->integer == 1 && d->element[4]->integer == 1);
    }
    freeReplyObject(r);
}

static void test_set_ifdeq_ifdne(void)
{
    OK("SET k v"); /* DIGEST v: f7042be43fb80714 */
    EXPECT_NIL("SET k w IFDEQ aceee8f5de193e29");
    OK("SET k w IFDEQ f7042be43fb80714");
    EXPECT_STR("w", "GET k"); /* DIGEST w: aceee8f5de193e29 */
    /* The hex is compared without regard to case. */
    OK("SET k v ifdeq ACEEE8F5DE193E29");
    EXPECT_NIL("SET k x IFDNE F7042BE43FB80714");
    OK("SET k x IFDNE aceee8f5de193e29");
    EXPECT_STR("x", "GET k");
    /* A missing key: IFDEQ does not create it, IFDNE does, and neither
     * looks at the digest. */
    EXPECT_NIL("SET n a IFDEQ f7042be43fb80714");
    EXPECT_NIL("SET n a IFDEQ short");
    EXPECT_INT(0, "EXISTS n");
    OK("SET n v IFDNE short");
    EXPECT_STR("v", "GET n");
    /* With GET and the expire options. */
    EXPECT_STR("v", "SET n w IFDEQ f7042be43fb80714 GET EX 100");
    EXPECT_INT(100, "TTL n");
    EXPECT_STR("w", "SET n q IFDEQ f7042be43fb80714 GET");
    EXPECT_STR("w", "SET n q IFDNE f7042be43fb80714 KEEPTTL GET");
    EXPECT_INT(100, "TTL n");
    /* Sixteen characters that are not hex are a digest that never matches. */
    EXPECT_NIL("SET n r IFDEQ zzzzzzzzzzzzzzzz");
    OK("SET n r IFDNE zzzzzzzzzzzzzzzz");
    EXPECT_STR("r", "GET n");
}

static void test_set_ifdeq_ifdne_errors(void)
{
    const char *syntax[] = {"IFDEQ",
                            "IFDNE",
                            "IFDEQ f7042be43fb80714 NX",
                            "XX IFDNE f7042be43fb80714",
                            "IFEQ v IFDEQ f7042be43fb80714",
                            "IFDNE f7042be43fb80714 IFNE v",
                            "IFDEQ f7042be43fb80714 IFDNE f7042be43fb80714"};
    OK("SET k v");
    for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++) {
        CHECK_REPLY_ERR(h_cmd_words("SET k w", syntax[i]), "ERR syntax error");
    }
    const char *bad[] = {"f7042be43fb8071", "f7042be43fb807140", "0x7042be43fb80714", "-"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        EXPECT_ERR("ERR must be exactly 16 hexadecimal characters", "SET k w IFDEQ %s", bad[i]);
        EXPECT_ERR("ERR must be exactly 16 hexadecimal characters", "SET k w IFDNE %s GET",
                   bad[i]);
    }
    EXPECT_STR("v", "GET k");
    EXPECT_INT(1, "LPUSH l a");
    EXPECT_ERR_PREFIX("WRONGTYPE", "SET l v IFDEQ f7042be43fb80714");
    EXPECT_ERR_PREFIX("WRONGTYPE", "SET l v IFDNE f7042be43fb80714");
    EXPECT_ERR_PREFIX("WRONGTYPE", "SET l v IFDNE short");
    EXPECT_INT(1, "LLEN l");
}

static void test_delex_digest(void)
{
    EXPECT_INT(0, "DELEX nokey IFDEQ f7042be43fb80714");
    EXPECT_INT(0, "DELEX nokey IFDNE f7042be43fb80714");
    EXPECT_INT(0, "DELEX nokey IFDEQ short"); /* no key: the digest is not looked at */
    OK("SET k v");
    EXPECT_INT(0, "DELEX k IFDEQ aceee8f5de193e29");
    EXPECT_INT(0, "DELEX k IFDNE f7042be43fb80714");
    EXPECT_INT(0, "DELEX k IFDNE F7042BE43FB80714");
    EXPECT_INT(1, "EXISTS k");
    EXPECT_INT(1, "DELEX k ifdeq F7042BE43fb80714");
    EXPECT_INT(0, "EXISTS k");
    OK("SET k v");
    EXPECT_INT(1, "DELEX k IFDNE aceee8f5de193e29");
    EXPECT_INT(0, "EXISTS k");
    OK("SET k v");
    EXPECT_ERR("ERR must be exactly 16 hexadecimal characters", "DELEX k IFDEQ short");
    EXPECT_ERR("ERR must be exactly 16 hexadecimal characters", "DELEX k IFDNE %s", "");
    EXPECT_INT(1, "EXISTS k");
    EXPECT_INT(1, "RPUSH l a");
    EXPECT_ERR_PREFIX("WRONGTYPE", "DELEX l IFDEQ f7042be43fb80714");
    EXPECT_ERR_PREFIX("WRONGTYPE", "DELEX l IFDNE short");
    const char *syntax[] = {"IFDEQ", "IFDNE", "IFDEQ f7042be43fb80714 extra",
                            "IFDEQ f7042be43fb80714 IFDNE f7042be43fb80714"};
    for (size_t i = 0; i < sizeof(syntax) / sizeof(syntax[0]); i++) {
        CHECK_REPLY_ERR(h_cmd_words("DELEX k", syntax[i]), "ERR syntax error");
    }
    EXPECT_INT(1, "EXISTS k");
}

/* Writes made by the new commands are seen by WATCH; refused ones not. */
static void test_conditional_writes_and_watch(void)
{
    static const struct {
        const char *setup, *write;
        bool conflict;
    } cases[] = {
        {"SET k 1", "INCREX k", true},
        {"SET k 1", "INCREX k BYINT 5 UBOUND 2", false},
        {"SET k 1", "INCREX k BYFLOAT 0.5", true},
        {"SET k 1", "SET k 2 IFEQ 1", true},
        {"SET k 1", "SET k 2 IFEQ 3", false},
        {"SET k 1", "SET k 2 IFNE 3", true},
        {"SET k 1", "DELEX k IFEQ 1", true},
        {"SET k 1", "DELEX k IFNE 1", false},
        {"SET k 1", "SET k 2 IFDEQ 65cd25028f98f158", true}, /* DIGEST of "1" */
        {"SET k 1", "SET k 2 IFDEQ 9c8b5ba1b1e2e9b4", false},
        {"SET k 1", "SET k 2 IFDNE 9c8b5ba1b1e2e9b4", true},
        {"SET k 1", "DELEX k IFDNE 9c8b5ba1b1e2e9b4", true},
        {"SET k 1", "DIGEST k", false},
    };
    redisContext *other = h_connect(h_main.port);
    CHECK(other != NULL);
    for (size_t i = 0; other != NULL && i < sizeof(cases) / sizeof(cases[0]); i++) {
        OK(cases[i].setup);
        OK("WATCH k");
        freeReplyObject(h_cmdc(other, cases[i].write));
        OK("MULTI");
        EXPECT_STATUS("QUEUED", "PING");
        redisReply *r = h_cmd("EXEC");
        bool aborted = r != NULL && r->type == REDIS_REPLY_NIL;
        if (aborted != cases[i].conflict) {
            fprintf(stderr, "  %s: WATCH saw %s\n", cases[i].write, aborted ? "a write" : "none");
            test_failures_in_case++;
        }
        freeReplyObject(r);
    }
    redisFree(other);
}

static void test_new_string_commands_table(void)
{
    redisReply *r = h_cmd("COMMAND INFO increx delex");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
        const redisReply *ix = r->element[0], *dx = r->element[1];
        CHECK(strcmp(ix->element[0]->str, "increx") == 0 && ix->element[1]->integer == -2);
        CHECK(h_count_in(ix->element[2], "write") == 1 &&
              h_count_in(ix->element[2], "denyoom") == 1 &&
              h_count_in(ix->element[2], "fast") == 1);
        CHECK(ix->element[3]->integer == 1 && ix->element[4]->integer == 1 &&
              ix->element[5]->integer == 1);
        CHECK(strcmp(dx->element[0]->str, "delex") == 0 && dx->element[1]->integer == -2);
        CHECK(h_count_in(dx->element[2], "write") == 1 && h_count_in(dx->element[2], "fast") == 1 &&
              h_count_in(dx->element[2], "denyoom") == 0);
        CHECK(dx->element[3]->integer == 1 && dx->element[4]->integer == 1);
    }
    freeReplyObject(r);
}

CASES_DEFINE(string_redis8_cases, TEST(test_increx_default_and_byint),
             TEST(test_increx_bounds_and_saturate), TEST(test_increx_integer_limits),
             TEST(test_increx_byfloat), TEST(test_increx_byfloat_limits),
             TEST(test_increx_ttl_options), TEST(test_increx_errors),
             TEST(test_increx_reply_types), TEST(test_set_ifeq_ifne),
             TEST(test_set_ifeq_ifne_errors), TEST(test_delex), TEST(test_delex_lock_release),
             TEST(test_digest), TEST(test_set_ifdeq_ifdne), TEST(test_set_ifdeq_ifdne_errors),
             TEST(test_delex_digest),
             TEST(test_conditional_writes_and_watch), TEST(test_new_string_commands_table));
