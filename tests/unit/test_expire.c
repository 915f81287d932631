/* Unit tests for server/expire.c: the timing-wheel expiry index. An owner
 * model keeps hash -> deadline, deletes on DUE visits and re-adds on
 * cascades, as the keyspace does. */
#define TEST_IMPLEMENTATION
#include "tests/test.h"

#include <stdint.h>

#include "server/expire.h"

#define KEYS 3000

struct owner {
    struct expire_index *x;
    int64_t deadline[KEYS]; /* -1: gone */
    int64_t deleted_at[KEYS];
    int64_t now;
    int early;
    int cascades;
};

static void owner_visit(uint32_t hash, enum expire_visit why, int64_t until_ms, void *arg)
{
    struct owner *o = arg;
    if (hash >= KEYS || o->deadline[hash] < 0) {
        return; /* stale item */
    }
    if (why == EXPIRE_VISIT_CASCADE) {
        o->cascades++;
        if (o->deadline[hash] < until_ms) {
            expire_index_add(o->x, hash, o->deadline[hash]);
        }
        return;
    }
    if (o->deadline[hash] <= o->now) {
        o->deleted_at[hash] = o->now;
        o->deadline[hash] = -1;
    } else if (o->deadline[hash] <= until_ms) {
        o->early++; /* visited before its deadline: must never happen */
    }
}

static void owner_init(struct owner *o, struct expire_index *x, int64_t t0)
{
    memset(o, 0, sizeof(*o));
    expire_index_init(x, t0);
    o->x = x;
    o->now = t0;
}

static void run_until(struct owner *o, int64_t end, int64_t step, size_t budget)
{
    while (o->now < end) {
        o->now += step;
        while (expire_index_run(o->x, o->now, budget, owner_visit, o) == budget &&
               budget > 0 && expire_index_behind(o->x, o->now)) {
        }
    }
}

static void test_due_within_a_tick(void)
{
    static struct owner o;
    struct expire_index x;
    int64_t t0 = 1700000000000LL;
    owner_init(&o, &x, t0);
    test_rng_state = 99;
    int64_t want[KEYS];
    for (int i = 0; i < KEYS; i++) {
        want[i] = t0 + 1 + (int64_t)(test_rng() % 10000); /* up to 10 s: crosses level 0 */
        o.deadline[i] = want[i];
        expire_index_add(&x, (uint32_t)i, want[i]);
    }
    run_until(&o, t0 + 12000, 1, 1000);
    for (int i = 0; i < KEYS; i++) {
        CHECK_INT(o.deadline[i], -1);
        CHECK(o.deleted_at[i] >= want[i]);
        CHECK(o.deleted_at[i] <= want[i] + 2 * EXPIRE_TICK_MS);
    }
    CHECK_INT(o.early, 0);
    CHECK_INT(x.items, 0);
    expire_index_deinit(&x);
}

static void test_cascade_from_coarse_levels(void)
{
    static struct owner o;
    struct expire_index x;
    int64_t t0 = 1700000000123LL;
    owner_init(&o, &x, t0);
    /* Deadlines minutes to hours away land on levels 1 and 2. */
    int64_t offsets[] = {9000, 60000, 600000, 3600000, 9000000};
    for (int i = 0; i < 5; i++) {
        o.deadline[i] = t0 + offsets[i];
        expire_index_add(&x, (uint32_t)i, o.deadline[i]);
    }
    for (int i = 5; i < KEYS; i++) {
        o.deadline[i] = -1;
    }
    run_until(&o, t0 + 9100000, 50, 100000);
    for (int i = 0; i < 5; i++) {
        CHECK_INT(o.deadline[i], -1);
        CHECK(o.deleted_at[i] >= t0 + offsets[i]);
        CHECK(o.deleted_at[i] <= t0 + offsets[i] + 50 + 2 * EXPIRE_TICK_MS);
    }
    CHECK(o.cascades > 0);
    CHECK_INT(o.early, 0);
    expire_index_deinit(&x);
}

static void test_budget_resumes(void)
{
    static struct owner o;
    struct expire_index x;
    int64_t t0 = 1700000000000LL;
    owner_init(&o, &x, t0);
    for (int i = 0; i < KEYS; i++) {
        o.deadline[i] = t0 + 100; /* all in one slot */
        expire_index_add(&x, (uint32_t)i, o.deadline[i]);
    }
    o.now = t0 + 200;
    size_t visits = 0, runs = 0;
    while (expire_index_behind(&x, o.now) && runs < 1000) {
        size_t n = expire_index_run(&x, o.now, 7, owner_visit, &o);
        CHECK(n <= 7);
        visits += n;
        runs++;
    }
    CHECK_INT(visits, KEYS);
    for (int i = 0; i < KEYS; i++) {
        CHECK_INT(o.deadline[i], -1);
    }
    CHECK_INT(o.early, 0);
    expire_index_deinit(&x);
}

static void test_past_deadlines_and_clear(void)
{
    static struct owner o;
    struct expire_index x;
    int64_t t0 = 1700000000000LL;
    owner_init(&o, &x, t0);
    o.deadline[1] = t0 - 5000; /* already past when added */
    expire_index_add(&x, 1, o.deadline[1]);
    run_until(&o, t0 + 20, 1, 100);
    CHECK_INT(o.deadline[1], -1);
    expire_index_add(&x, 2, t0 + 100000);
    CHECK(x.items > 0);
    expire_index_clear(&x);
    CHECK_INT(x.items, 0);
    CHECK_INT(expire_index_bytes(&x), 0);
    expire_index_deinit(&x);
}

static void test_clock_jump(void)
{
    static struct owner o;
    struct expire_index x;
    int64_t t0 = 1700000000000LL;
    owner_init(&o, &x, t0);
    o.deadline[3] = t0 + 30000;
    expire_index_add(&x, 3, o.deadline[3]);
    /* The loop stalls for a minute, then catches up in budgeted runs. */
    o.now = t0 + 60000;
    for (int i = 0; i < 100000 && expire_index_behind(&x, o.now); i++) {
        expire_index_run(&x, o.now, 64, owner_visit, &o);
    }
    CHECK_INT(o.deadline[3], -1);
    CHECK(!expire_index_behind(&x, o.now));
    expire_index_deinit(&x);
}

static const struct test_case cases[] = {
    TEST(test_due_within_a_tick),   TEST(test_cascade_from_coarse_levels),
    TEST(test_budget_resumes),      TEST(test_past_deadlines_and_clear),
    TEST(test_clock_jump),
};

int main(int argc, char **argv)
{
    return test_run(cases, TEST_COUNT(cases), argc, argv);
}
