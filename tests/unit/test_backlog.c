/* test_backlog.c - the replication backlog against a naive model. */
#define TEST_IMPLEMENTATION
#include "tests/test.h"

#include <stdlib.h>
#include <string.h>

#include "replication/backlog.h"

struct sink {
    char *p;
    size_t len;
};

static void collect(const char *p, size_t len, void *arg)
{
    struct sink *s = arg;
    memcpy(s->p + s->len, p, len);
    s->len += len;
}

static void test_empty_backlog(void)
{
    struct backlog b;
    backlog_init(&b, 16, 100);
    CHECK(backlog_first(&b) == 101);
    CHECK(backlog_can_serve(&b, 101));
    CHECK(!backlog_can_serve(&b, 100));
    CHECK(!backlog_can_serve(&b, 102));
    backlog_free(&b);
}

static void test_random_appends_match_model(void)
{
    srand(7);
    for (int round = 0; round < 50; round++) {
        size_t size = 1 + (size_t)(rand() % 64);
        struct backlog b;
        backlog_init(&b, size, 0);
        char model[8192];
        size_t mlen = 0;
        for (int k = 0; k < 60; k++) {
            char chunk[100];
            size_t n = (size_t)(rand() % 90);
            for (size_t i = 0; i < n; i++) {
                chunk[i] = (char)('a' + (mlen + i) % 26);
            }
            if (mlen + n > sizeof(model)) {
                break;
            }
            backlog_append(&b, chunk, n);
            memcpy(model + mlen, chunk, n);
            mlen += n;
            if (rand() % 7 == 0) {
                size = 1 + (size_t)(rand() % 64);
                backlog_resize(&b, size);
            }
            CHECK(b.offset == (long long)mlen);
            size_t held = mlen < size ? mlen : size;
            CHECK(b.histlen <= held);
            long long from = backlog_first(&b) + (long long)(rand() % (b.histlen + 1));
            char out[128];
            struct sink s = {out, 0};
            size_t got = backlog_copy(&b, from, collect, &s);
            CHECK(got == (size_t)((long long)mlen + 1 - from));
            CHECK(memcmp(out, model + from - 1, got) == 0);
            CHECK(!backlog_can_serve(&b, backlog_first(&b) - 1) || backlog_first(&b) == 1);
        }
        backlog_free(&b);
    }
}

int main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        TEST(test_empty_backlog),
        TEST(test_random_appends_match_model),
    };
    return test_run(cases, TEST_COUNT(cases), argc, argv);
}
