/* Unit tests for protocol/reply.c: exact RESP2/RESP3 bytes. */
#define TEST_IMPLEMENTATION
#include "tests/test.h"

#include <float.h>
#include <math.h>

#include "protocol/reply.h"
#include "protocol/resp.h"

#define CHECK_BYTES(b, want) CHECK_MEM((b)->data, (b)->len, want, sizeof(want) - 1)

static void test_scalars(void)
{
    struct reply_buf b;
    reply_buf_init(&b, 2, NULL);
    reply_ok(&b);
    reply_status(&b, "PONG");
    reply_int(&b, -42);
    reply_bulk(&b, "hi", 2);
    reply_bulk(&b, "", 0);
    reply_bulk_ll(&b, 1234);
    CHECK_BYTES(&b, "+OK\r\n+PONG\r\n:-42\r\n$2\r\nhi\r\n$0\r\n\r\n$4\r\n1234\r\n");
    reply_buf_deinit(&b);
}

static void test_errors(void)
{
    struct reply_buf b;
    reply_buf_init(&b, 2, NULL);
    reply_error(&b, "ERR bad\r\nthing");
    reply_errorf(&b, "ERR unknown command '%s'", "x");
    CHECK_BYTES(&b, "-ERR bad  thing\r\n-ERR unknown command 'x'\r\n");
    reply_buf_deinit(&b);
}

static void test_resp2_vs_resp3(void)
{
    static const char *const want[2] = {
        "$-1\r\n*-1\r\n:1\r\n:0\r\n$3\r\n1.5\r\n$3\r\ninf\r\n$4\r\n-inf\r\n*4\r\n*2\r\n*1\r\n$2\r\nhi\r\n",
        "_\r\n_\r\n#t\r\n#f\r\n,1.5\r\n,inf\r\n,-inf\r\n%2\r\n~2\r\n>1\r\n=6\r\ntxt:hi\r\n",
    };
    for (int proto = 2; proto <= 3; proto++) {
        struct reply_buf b;
        reply_buf_init(&b, proto, NULL);
        reply_null(&b);
        reply_null_array(&b);
        reply_bool(&b, true);
        reply_bool(&b, false);
        reply_double(&b, 1.5);
        reply_double(&b, INFINITY);
        reply_double(&b, -INFINITY);
        reply_map_len(&b, 2);
        reply_set_len(&b, 2);
        reply_push_len(&b, 1);
        reply_verbatim(&b, "hi", 2);
        CHECK_MEM(b.data, b.len, want[proto - 2], strlen(want[proto - 2]));
        reply_buf_deinit(&b);
    }
}

static void test_long_double(void)
{
    static const struct {
        long double v;
        const char *want;
    } cases[] = {
        {3.0L, "$1\r\n3\r\n"},
        {10.5L, "$4\r\n10.5\r\n"},
        {-0.0L, "$1\r\n0\r\n"},
        {0.1L, "$3\r\n0.1\r\n"},
        {5.0e3L, "$4\r\n5000\r\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct reply_buf b;
        reply_buf_init(&b, 2, NULL);
        reply_bulk_long_double(&b, cases[i].v);
        CHECK_MEM(b.data, b.len, cases[i].want, strlen(cases[i].want));
        reply_buf_deinit(&b);
    }
}

/* INCREX BYFLOAT: the same text, a bulk in RESP2 and a double in RESP3. */
static void test_long_double_resp3(void)
{
    static const struct {
        long double v;
        const char *resp2, *resp3;
    } cases[] = {
        {2.5L, "$3\r\n2.5\r\n", ",2.5\r\n"},
        {-0.0L, "$1\r\n0\r\n", ",0\r\n"},
        {0.1L + 0.2L, "$3\r\n0.3\r\n", ",0.3\r\n"},
        {1e20L, "$21\r\n100000000000000000000\r\n", ",100000000000000000000\r\n"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        for (int proto = 2; proto <= 3; proto++) {
            struct reply_buf b;
            reply_buf_init(&b, proto, NULL);
            reply_long_double(&b, cases[i].v);
            const char *want = proto == 2 ? cases[i].resp2 : cases[i].resp3;
            CHECK_MEM(b.data, b.len, want, strlen(want));
            reply_buf_deinit(&b);
        }
    }
    /* The largest long double is 4933 digits and fits the documented size. */
    char buf[REPLY_LONG_DOUBLE_MAX];
    size_t n = reply_fmt_long_double(buf, sizeof(buf), LDBL_MAX);
    CHECK_INT((long long)n, 4933);
    CHECK(memcmp(buf, "118973149535723176", 18) == 0);
    CHECK_INT((long long)reply_fmt_long_double(buf, sizeof(buf), -LDBL_MAX), 4934);
}

static void test_deferred_nested(void)
{
    for (int proto = 2; proto <= 3; proto++) {
        struct reply_buf b;
        reply_buf_init(&b, proto, NULL);
        reply_status(&b, "x");
        size_t outer = reply_defer_len(&b);
        reply_int(&b, 1);
        size_t inner = reply_defer_len(&b);
        reply_bulk(&b, "a", 1);
        reply_bulk(&b, "b", 1);
        reply_set_map_len(&b, inner, 1);
        reply_set_array_len(&b, outer, 2);
        const char *want = proto == 2 ? "+x\r\n*2\r\n:1\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"
                                      : "+x\r\n*2\r\n:1\r\n%1\r\n$1\r\na\r\n$1\r\nb\r\n";
        CHECK_MEM(b.data, b.len, want, strlen(want));
        reply_buf_deinit(&b);
    }
}

/* Write an array of bulks with the writers, parse it back as a request. */
static void test_round_trip(void)
{
    struct reply_buf b;
    reply_buf_init(&b, 2, NULL);
    const char *args[] = {"SET", "key\r\n", "", "\x01\x02"};
    size_t lens[] = {3, 5, 0, 2};
    reply_array_len(&b, 4);
    for (int i = 0; i < 4; i++) {
        reply_bulk(&b, args[i], lens[i]);
    }
    struct resp_parser p;
    resp_parser_init(&p, NULL, NULL);
    size_t used;
    CHECK_INT(resp_parse(&p, b.data, b.len, &used), RESP_OK);
    CHECK_INT(used, b.len);
    CHECK_INT(p.argc, 4);
    for (int i = 0; i < 4 && i < p.argc; i++) {
        CHECK_MEM(p.argv[i].ptr, p.argv[i].len, args[i], lens[i]);
    }
    resp_parser_deinit(&p);
    reply_buf_deinit(&b);
}

static void test_growth(void)
{
    struct reply_buf b;
    reply_buf_init(&b, 2, NULL);
    char big[5000];
    memset(big, 'z', sizeof(big));
    for (int i = 0; i < 100; i++) {
        reply_bulk(&b, big, sizeof(big));
    }
    CHECK_INT(b.len, 100 * (sizeof(big) + 9));
    CHECK(b.cap >= b.len);
    reply_buf_deinit(&b);
}

static const struct test_case cases[] = {
    TEST(test_scalars),     TEST(test_errors),          TEST(test_resp2_vs_resp3),
    TEST(test_long_double), TEST(test_long_double_resp3), TEST(test_deferred_nested), TEST(test_round_trip),
    TEST(test_growth),
};

int main(int argc, char **argv)
{
    return test_run(cases, TEST_COUNT(cases), argc, argv);
}
