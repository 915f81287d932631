/* Unit tests for protocol/resp.c: the request parser. */
#define TEST_IMPLEMENTATION
#include "tests/test.h"

#include <limits.h>
#include <stdint.h>

#include "protocol/resp.h"

/* Parse everything in buf (one or more requests) feeding it in pieces cut
 * at `split`, copying to a new heap buffer on every feed so the parser
 * must not keep pointers. Writes "argc:arg,arg|..." into out. */
static int parse_all(const char *input, size_t len, size_t split, char *out, size_t outcap)
{
    struct resp_parser p;
    resp_parser_init(&p, NULL, NULL);
    char *buf = NULL;
    size_t have = 0, fed = 0, o = 0;
    int rc = RESP_NEED_MORE;
    out[0] = '\0';
    while (fed < len || rc == RESP_OK) {
        if (rc == RESP_NEED_MORE) {
            size_t n = split == 0 ? len - fed : (len - fed < split ? len - fed : split);
            char *nb = malloc(have + n + 1);
            if (have > 0) {
                memcpy(nb, buf, have);
            }
            memcpy(nb + have, input + fed, n);
            free(buf);
            buf = nb;
            have += n;
            fed += n;
        }
        size_t used = 0;
        rc = resp_parse(&p, buf, have, &used);
        if (rc == RESP_ERROR) {
            o += (size_t)snprintf(out + o, outcap - o, "ERR<%s>", p.err);
            break;
        }
        if (rc == RESP_OK) {
            o += (size_t)snprintf(out + o, outcap - o, "%d:", p.argc);
            for (int i = 0; i < p.argc; i++) {
                o += (size_t)snprintf(out + o, outcap - o, "%s%.*s", i ? "," : "",
                                      (int)p.argv[i].len, p.argv[i].ptr);
            }
            o += (size_t)snprintf(out + o, outcap - o, "|");
            memmove(buf, buf + used, have - used);
            have -= used;
            if (have == 0 && fed == len) {
                break;
            }
        }
    }
    free(buf);
    resp_parser_deinit(&p);
    return rc;
}

static void check_every_split(const char *input, const char *want)
{
    char whole[4096], part[4096];
    size_t len = strlen(input);
    parse_all(input, len, 0, whole, sizeof(whole));
    CHECK_STR(whole, want);
    for (size_t split = 1; split <= len; split++) {
        parse_all(input, len, split, part, sizeof(part));
        if (strcmp(part, want) != 0) {
            fprintf(stderr, "  split %zu: got %s\n", split, part);
            test_failures_in_case++;
            return;
        }
    }
}

static void test_multibulk_every_split(void)
{
    check_every_split("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n",
                      "3:SET,key,va\r\nl|");
    check_every_split("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$0\r\n\r\n", "1:PING|2:ECHO,|");
}

static void test_inline_every_split(void)
{
    check_every_split("PING\r\n", "1:PING|");
    check_every_split("set  a   b\n", "3:set,a,b|");
    check_every_split("set k \"a b\\n\\x41\"\r\n", "3:set,k,a b\nA|");
    check_every_split("set k 'it\\'s'\r\n", "3:set,k,it's|");
    check_every_split("\r\n", "0:|");
}

static void test_pipeline_mixed(void)
{
    check_every_split("PING\r\n*2\r\n$3\r\nGET\r\n$1\r\nx\r\nECHO hi\r\n", "1:PING|2:GET,x|2:ECHO,hi|");
}

static void test_empty_multibulk(void)
{
    check_every_split("*0\r\n", "0:|");
    check_every_split("*-1\r\n", "0:|");
}

static void expect_error(const char *input, const char *err)
{
    char out[512], want[512];
    snprintf(want, sizeof(want), "ERR<%s>", err);
    parse_all(input, strlen(input), 0, out, sizeof(out));
    CHECK_STR(out, want);
}

static void test_malformed(void)
{
    expect_error("*x\r\n", "Protocol error: invalid multibulk length");
    expect_error("*3000000000\r\n", "Protocol error: invalid multibulk length");
    expect_error("*1\r\n+foo\r\n", "Protocol error: expected '$', got '+'");
    expect_error("*1\r\n$-1\r\n", "Protocol error: invalid bulk length");
    expect_error("*1\r\n$abc\r\n", "Protocol error: invalid bulk length");
    expect_error("*1\r\n$600000000\r\n", "Protocol error: invalid bulk length");
    expect_error("set k \"abc\r\n", "Protocol error: unbalanced quotes in request");
    expect_error("set k \"abc\"x\r\n", "Protocol error: unbalanced quotes in request");
}

static void test_limits(void)
{
    struct resp_limits lim = {.max_bulk_len = 10};
    struct resp_parser p;
    resp_parser_init(&p, &lim, NULL);
    char req[] = "*1\r\n$11\r\nhello world\r\n";
    size_t used;
    CHECK_INT(resp_parse(&p, req, strlen(req), &used), RESP_ERROR);
    CHECK_STR(p.err, "Protocol error: invalid bulk length");
    /* Sticky until reset. */
    char ok[] = "PING\r\n";
    CHECK_INT(resp_parse(&p, ok, strlen(ok), &used), RESP_ERROR);
    resp_parser_reset(&p);
    CHECK_INT(resp_parse(&p, ok, strlen(ok), &used), RESP_OK);
    resp_parser_deinit(&p);

    /* An inline request over 64 KiB without a newline. */
    size_t n = 70 * 1024;
    char *big = malloc(n);
    memset(big, 'a', n);
    resp_parser_init(&p, NULL, NULL);
    CHECK_INT(resp_parse(&p, big, n, &used), RESP_ERROR);
    CHECK_STR(p.err, "Protocol error: too big inline request");
    resp_parser_deinit(&p);
    /* A multibulk count line over 64 KiB without CRLF. */
    big[0] = '*';
    resp_parser_init(&p, NULL, NULL);
    CHECK_INT(resp_parse(&p, big, n, &used), RESP_ERROR);
    CHECK_STR(p.err, "Protocol error: too big mbulk count string");
    resp_parser_deinit(&p);
    memcpy(big, "*1\r\n$", 5);
    resp_parser_init(&p, NULL, NULL);
    CHECK_INT(resp_parse(&p, big, n, &used), RESP_ERROR);
    CHECK_STR(p.err, "Protocol error: too big bulk count string");
    resp_parser_deinit(&p);
    free(big);
}

static void test_need_hint(void)
{
    struct resp_parser p;
    resp_parser_init(&p, NULL, NULL);
    char req[] = "*2\r\n$3\r\nSET\r\n$100000\r\nabc";
    size_t used;
    CHECK_INT(resp_parse(&p, req, strlen(req), &used), RESP_NEED_MORE);
    /* header 4 + "$3\r\nSET\r\n" 9 + "$100000\r\n" 9 + 100000 + CRLF */
    CHECK_INT(p.need, 4 + 9 + 9 + 100000 + 2);
    resp_parser_deinit(&p);
}

static void test_binary_bulk(void)
{
    struct resp_parser p;
    resp_parser_init(&p, NULL, NULL);
    char req[] = "*1\r\n$5\r\na\0b\r\n\r\n";
    size_t used;
    CHECK_INT(resp_parse(&p, req, sizeof(req) - 1, &used), RESP_OK);
    CHECK_INT(p.argc, 1);
    CHECK_MEM(p.argv[0].ptr, p.argv[0].len, "a\0b\r\n", 5);
    CHECK_INT(used, sizeof(req) - 1);
    resp_parser_deinit(&p);
}

static void test_str_to_ll(void)
{
    static const struct {
        const char *s;
        int ok;
        long long v;
    } cases[] = {
        {"0", 1, 0},
        {"1", 1, 1},
        {"-1", 1, -1},
        {"9223372036854775807", 1, LLONG_MAX},
        {"-9223372036854775808", 1, LLONG_MIN},
        {"9223372036854775808", 0, 0},
        {"-9223372036854775809", 0, 0},
        {"-0", 0, 0},
        {"01", 0, 0},
        {"+1", 0, 0},
        {" 1", 0, 0},
        {"1 ", 0, 0},
        {"", 0, 0},
        {"-", 0, 0},
        {"1a", 0, 0},
        {"99999999999999999999", 0, 0},
        /* eight digits at a time: a non-digit anywhere in a word */
        {"1764000000123", 1, 1764000000123LL},
        {"-1764000000123", 1, -1764000000123LL},
        {"123456789012345678", 1, 123456789012345678LL},
        {"1234567/", 0, 0},
        {"1234567:9", 0, 0},
        {"1/34567890", 0, 0},
        {"12345678 ", 0, 0},
        {"17640000001\x80" "23", 0, 0},
        {"1764000000\xff" "23", 0, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long long v = 12345;
        int rc = resp_str_to_ll(cases[i].s, strlen(cases[i].s), &v);
        CHECK_INT(rc == 0, cases[i].ok);
        if (cases[i].ok) {
            CHECK_INT(v, cases[i].v);
        }
    }
}

static void test_ll_to_str(void)
{
    char buf[24];
    CHECK_INT(resp_ll_to_str(buf, 0), 1);
    CHECK_STR(buf, "0");
    resp_ll_to_str(buf, LLONG_MIN);
    CHECK_STR(buf, "-9223372036854775808");
    resp_ll_to_str(buf, LLONG_MAX);
    CHECK_STR(buf, "9223372036854775807");
    /* Every bit length, at both ends: the digit count comes from it. */
    for (int bits = 1; bits < 63; bits++) {
        long long ends[2] = {1LL << (bits - 1), (long long)((1ULL << bits) - 1)};
        for (int i = 0; i < 2; i++) {
            char want[32];
            snprintf(want, sizeof(want), "%lld", ends[i]);
            resp_ll_to_str(buf, ends[i]);
            CHECK_STR(buf, want);
        }
    }
    /* TTLs, lengths and counters mostly stay below 10^8: the first 100k
     * values whole, then a million spread to 10^8 (a prime stride). */
    for (long long v = 0; v < 100000000LL; v += v < 100000 ? 1 : 97) {
        char want8[32];
        snprintf(want8, sizeof(want8), "%lld", v);
        size_t n8 = resp_ll_to_str(buf, v);
        if (strcmp(buf, want8) != 0 || n8 != strlen(want8)) {
            CHECK_STR(buf, want8);
            break;
        }
    }
    /* Every digit count and sign, and the edges around each power of ten,
     * against printf; each parses back to itself. */
    char want[32];
    for (int sign = -1; sign <= 1; sign += 2) {
        long long p10 = 1;
        for (int d = 0; d < 19; d++, p10 = d < 19 ? p10 * 10 : p10) {
            for (long long delta = -1; delta <= 1; delta++) {
                long long v = sign * (p10 + delta);
                size_t n = resp_ll_to_str(buf, v);
                snprintf(want, sizeof(want), "%lld", v);
                CHECK_STR(buf, want);
                CHECK_INT((long long)n, (long long)strlen(want));
                long long back = 0;
                CHECK_INT(resp_str_to_ll(buf, n, &back), 0);
                CHECK_INT(back, v);
            }
        }
    }
}

/* Random mutations of valid requests, fed in random pieces: the parser must
 * end every stream in a complete parse, a wait for more, or a protocol
 * error, never reading outside the buffer (ASan checks that in CI). */
static void test_random_mutations(void)
{
    static const char *const seeds[] = {
        "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n",
        "SET k \"a\\x41 b\" 'c\\'d'\r\n",
        "*2\r\n$4\r\nECHO\r\n$0\r\n\r\nPING\r\n",
    };
    uint64_t x = 88172645463325252ULL;
    for (int round = 0; round < 20000; round++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        const char *seed = seeds[x % 3];
        size_t len = strlen(seed);
        char *buf = malloc(len + 1);
        memcpy(buf, seed, len + 1);
        for (int m = 0; m < 1 + (int)(x % 4); m++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            buf[x % len] = (char)(x >> 32);
        }
        struct resp_parser p;
        resp_parser_init(&p, NULL, NULL);
        size_t off = 0, fed = 1 + (size_t)(x % len), used;
        for (int steps = 0; steps < 200 && off <= len; steps++) {
            /* Each call sees a private copy so reads past the end fault. */
            size_t n = (fed < len ? fed : len) - off;
            char *piece = malloc(n > 0 ? n : 1);
            memcpy(piece, buf + off, n);
            int rc = resp_parse(&p, piece, n, &used);
            free(piece);
            if (rc == RESP_ERROR || (rc == RESP_NEED_MORE && fed >= len)) {
                break;
            }
            if (rc == RESP_OK) {
                CHECK(used <= n);
                off += used;
            } else {
                fed++;
            }
        }
        resp_parser_deinit(&p);
        free(buf);
    }
}

static const struct test_case cases[] = {
    TEST(test_random_mutations),
    TEST(test_multibulk_every_split), TEST(test_inline_every_split),
    TEST(test_pipeline_mixed),        TEST(test_empty_multibulk),
    TEST(test_malformed),             TEST(test_limits),
    TEST(test_need_hint),             TEST(test_binary_bulk),
    TEST(test_str_to_ll),             TEST(test_ll_to_str),
};

int main(int argc, char **argv)
{
    return test_run(cases, TEST_COUNT(cases), argc, argv);
}
