/* test_examples.c - every program of examples/ runs against the server
 * and prints what it should. SURGE_EXAMPLES names their directory
 * (default build/examples). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/client/ctest.h"

/* Run one example on the test server; its stdout must contain every line
 * of want (in order), and it must exit 0. */
static void run_example(const char *name, const char *const *want, int nwant)
{
    const char *dir = getenv("SURGE_EXAMPLES");
    char cmd[512], line[512];
    snprintf(cmd, sizeof(cmd), "timeout 60 %s/%s 127.0.0.1 %d", dir != NULL ? dir : "build/examples",
             name, h_main.port);
    fflush(NULL);
    FILE *p = popen(cmd, "r");
    CHECK(p != NULL);
    int next = 0;
    while (p != NULL && fgets(line, sizeof(line), p) != NULL) {
        line[strcspn(line, "\n")] = '\0';
        if (next < nwant && strcmp(line, want[next]) == 0) {
            next++;
        }
    }
    int status = p != NULL ? pclose(p) : -1;
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (next < nwant) {
        fprintf(stderr, "  %s: missing line \"%s\"\n", name, want[next]);
        test_failures_in_case++;
    }
}

#define RUN_EXAMPLE(name, ...)                                                \
    do {                                                                      \
        const char *const w_[] = {__VA_ARGS__};                               \
        run_example(name, w_, (int)(sizeof(w_) / sizeof(w_[0])));             \
    } while (0)

static void test_example_product_cache(void)
{
    RUN_EXAMPLE("product_cache", "8 shoppers, origin calls: 1",
                "next read: hit {\"id\":\"product:42\",\"price\":1999}", "price change: purged 1",
                "after purge: loaded {\"id\":\"product:42\",\"price\":1499}",
                "next read: hit {\"id\":\"product:42\",\"price\":1499}", "origin calls: 2");
}

static void test_example_session(void)
{
    RUN_EXAMPLE("session", "request: user=alice views=1", "request: user=alice views=2",
                "request: user=alice views=3", "ttl slid to 1800");
}

static void test_example_flash_sale(void)
{
    RUN_EXAMPLE("flash_sale", "held 5, sold out for 3", "late shopper: sold out, 0 left",
                "paid 4, abandoned 1", "available 1, held 0, sold 4");
}

static void test_example_rate_limit(void)
{
    RUN_EXAMPLE("rate_limit", "GET /api/orders -> 200 (remaining 4)",
                "GET /api/orders -> 200 (remaining 0)",
                "GET /api/orders -> 429 (retry after a few seconds)",
                "another key -> 200 (remaining 4)", "5 allowed, 2 limited");
}

static void test_example_leaderboard(void)
{
    RUN_EXAMPLE("leaderboard", " 1. jo       95", " 2. ned      92", "10. gus      32",
                "3 views, 1 render");
}

CASES_DEFINE(ct_example_cases,
    TEST(test_example_product_cache),
    TEST(test_example_session),
    TEST(test_example_flash_sale),
    TEST(test_example_rate_limit),
    TEST(test_example_leaderboard),
);
