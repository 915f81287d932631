/* Strings and counters: every option and error text, as Redis 7. */
#include <stdio.h>
#include <stdlib.h>

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
             TEST(test_incrbyfloat_formatting), TEST(test_incrbyfloat_errors), TEST(test_lcs),
             TEST(test_lcs_errors), TEST(test_object_encoding_rules), TEST(test_object_refcount));
