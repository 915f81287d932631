/* test_gcra.c - CL.THROTTLE's arithmetic against redis-cell's examples. */
#define TEST_IMPLEMENTATION
#include "tests/test.h"

#include "server/gcra.h"

#define S 1000000000LL

/* redis-cell's README: CL.THROTTLE user123 15 30 60 1 on a fresh key. */
static void test_readme_example(void)
{
    struct gcra_result r;
    gcra_apply(1000 * S, -1, 15, 30, 60, 1, &r);
    CHECK(!r.limited);
    CHECK_INT(r.limit, 16);
    CHECK_INT(r.remaining, 15);
    CHECK_INT(r.retry_after_s, -1);
    CHECK_INT(r.reset_after_s, 2);
}

/* A burst of limit actions at one instant passes; the next is limited and
 * told to come back after one emission interval. */
static void test_burst_then_limited(void)
{
    struct gcra_result r;
    int64_t now = 5000 * S, tat = -1;
    for (int i = 0; i < 16; i++) {
        gcra_apply(now, tat, 15, 30, 60, 1, &r);
        CHECK(!r.limited);
        CHECK_INT(r.remaining, 15 - i);
        tat = r.new_tat_ns;
    }
    gcra_apply(now, tat, 15, 30, 60, 1, &r);
    CHECK(r.limited);
    CHECK_INT(r.remaining, 0);
    CHECK_INT(r.retry_after_s, 2);
    CHECK_INT(r.reset_after_s, 32);
    /* One interval later one more fits. */
    gcra_apply(now + 2 * S, tat, 15, 30, 60, 1, &r);
    CHECK(!r.limited);
    CHECK_INT(r.remaining, 0);
}

/* A quantity larger than the whole burst can never pass: no retry time. */
static void test_quantity_over_limit(void)
{
    struct gcra_result r;
    gcra_apply(10 * S, -1, 2, 1, 1, 4, &r);
    CHECK(r.limited);
    CHECK_INT(r.retry_after_s, -1);
    CHECK_INT(r.remaining, 3);
}

/* Quantity 0 reads the state without taking anything. */
static void test_quantity_zero_peeks(void)
{
    struct gcra_result r;
    gcra_apply(10 * S, -1, 4, 10, 1, 0, &r);
    CHECK(!r.limited);
    CHECK_INT(r.remaining, 5);
    CHECK_INT(r.reset_after_s, 0);
}

/* An old TAT (long idle key) counts as a fresh start. */
static void test_idle_key_resets(void)
{
    struct gcra_result r;
    gcra_apply(100 * S, 1 * S, 15, 30, 60, 1, &r);
    CHECK(!r.limited);
    CHECK_INT(r.remaining, 15);
}

int main(int argc, char **argv)
{
    static const struct test_case cases[] = {
        TEST(test_readme_example),      TEST(test_burst_then_limited),
        TEST(test_quantity_over_limit), TEST(test_quantity_zero_peeks),
        TEST(test_idle_key_resets),
    };
    return test_run(cases, TEST_COUNT(cases), argc, argv);
}
