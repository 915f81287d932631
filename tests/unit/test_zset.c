/* Unit tests for server/t_zset.c: the skiplist against a naive sorted
 * array under random inserts, score updates and deletes. */
#define TEST_IMPLEMENTATION
#include "tests/test.h"

#include <stdint.h>

#include "server/t_zset.h"

#define N 400

struct model {
    bool present[N];
    double score[N];
};

static void name_of(int i, char *buf, size_t cap)
{
    snprintf(buf, cap, "m%03d", i);
}

/* Expected rank of member i: members with lower (score, name). */
static long long model_rank(const struct model *m, int i)
{
    long long r = 0;
    for (int j = 0; j < N; j++) {
        if (m->present[j] && (m->score[j] < m->score[i] || (m->score[j] == m->score[i] && j < i))) {
            r++;
        }
    }
    return r;
}

static void check_against_model(struct zset_obj *z, const struct model *m)
{
    size_t count = 0;
    char buf[16];
    for (int i = 0; i < N; i++) {
        count += m->present[i];
        name_of(i, buf, sizeof(buf));
        double s;
        CHECK(zset_score(z, buf, 4, &s) == m->present[i]);
        if (m->present[i]) {
            long long r = model_rank(m, i);
            CHECK_INT(zset_rank(z, buf, 4, false), r);
            CHECK_INT(zset_rank(z, buf, 4, true), (long long)zset_len(z) - 1 - r);
            struct zset_node *n = zset_at_rank(z, (size_t)r);
            size_t len;
            CHECK(n != NULL && memcmp(zset_node_member(n, &len), buf, 4) == 0);
        }
    }
    CHECK_INT(zset_len(z), count);
    struct zset_range all = {-1e300, 1e300, false, false};
    CHECK_INT(zset_count_in(z, &all), count);
}

static void test_random_against_model(void)
{
    static struct model m;
    memset(&m, 0, sizeof(m));
    test_rng_state = 12345;
    struct zset_obj *z = zset_new();
    char buf[16];
    for (int step = 0; step < 4000; step++) {
        int i = (int)(test_rng() % N);
        name_of(i, buf, sizeof(buf));
        if (test_rng() % 3 == 0) {
            CHECK(zset_del(z, buf, 4) == m.present[i]);
            m.present[i] = false;
        } else {
            double s = (double)(test_rng() % 50);
            CHECK(zset_set(z, buf, 4, s) == !m.present[i]);
            m.present[i] = true;
            m.score[i] = s;
        }
        if (step % 500 == 0) {
            check_against_model(z, &m);
        }
    }
    check_against_model(z, &m);
    struct zset_obj *copy = zset_dup(z);
    check_against_model(copy, &m);
    zset_free(copy);
    zset_free(z);
}

static void test_score_ranges(void)
{
    struct zset_obj *z = zset_new();
    char buf[16];
    for (int i = 0; i < 100; i++) {
        name_of(i, buf, sizeof(buf));
        zset_set(z, buf, 4, i);
    }
    struct zset_range r = {10, 20, false, false};
    CHECK_INT(zset_count_in(z, &r), 11);
    r.exmin = r.exmax = true;
    CHECK_INT(zset_count_in(z, &r), 9);
    CHECK(zset_node_score(zset_first_in(z, &r)) == 11);
    CHECK(zset_node_score(zset_last_in(z, &r)) == 19);
    struct zset_range none = {200, 300, false, false};
    CHECK(zset_first_in(z, &none) == NULL && zset_last_in(z, &none) == NULL);
    CHECK(zset_at_rank(z, 100) == NULL);
    CHECK(zset_node_score(zset_next(zset_at_rank(z, 5))) == 6);
    CHECK(zset_node_score(zset_prev(zset_at_rank(z, 5))) == 4);
    zset_free(z);
}

static const struct test_case cases[] = {
    TEST(test_random_against_model),
    TEST(test_score_ranges),
};

int main(int argc, char **argv)
{
    return test_run(cases, TEST_COUNT(cases), argc, argv);
}
