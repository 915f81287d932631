/* Unit tests for server/t_list.c: the chunked list (plain end chunks,
 * front-coded interior chunks) against a naive array of strings under
 * random pushes, pops, LSET, LINSERT, LREM and LTRIM, with elements that
 * share prefixes, elements that don't, and elements too long to share. */
#define TEST_IMPLEMENTATION
#include "tests/test.h"

#include <stdint.h>

#include "server/mem.h"
#include "server/t_list.h"

#define MODEL_MAX 20000
#define ELEM_MAX 400

struct model {
    char *v[MODEL_MAX];
    size_t len[MODEL_MAX];
    size_t n;
};

/* Mostly "order:<n>" (long shared prefixes), some random bytes, a few
 * longer than a shared prefix may cover. */
static size_t make_elem(char *buf)
{
    uint64_t kind = test_rng() % 10;
    if (kind < 7) {
        return (size_t)snprintf(buf, ELEM_MAX, "order:%09llu", (unsigned long long)(test_rng() % 5000));
    }
    size_t len = kind < 9 ? test_rng() % 20 : 256 + test_rng() % 100;
    for (size_t i = 0; i < len; i++) {
        buf[i] = (char)('a' + test_rng() % 3);
    }
    return len;
}

static void model_insert(struct model *m, size_t at, const char *s, size_t len)
{
    memmove(&m->v[at + 1], &m->v[at], (m->n - at) * sizeof(m->v[0]));
    memmove(&m->len[at + 1], &m->len[at], (m->n - at) * sizeof(m->len[0]));
    m->v[at] = malloc(len + 1);
    memcpy(m->v[at], s, len);
    m->len[at] = len;
    m->n++;
}

static void model_delete(struct model *m, size_t at)
{
    free(m->v[at]);
    memmove(&m->v[at], &m->v[at + 1], (m->n - at - 1) * sizeof(m->v[0]));
    memmove(&m->len[at], &m->len[at + 1], (m->n - at - 1) * sizeof(m->len[0]));
    m->n--;
}

struct walk_check {
    const struct model *m;
    bool reverse;
    size_t seen;
    int bad;
};

static bool walk_one(const char *s, size_t len, long long index, void *arg)
{
    struct walk_check *w = arg;
    size_t want = w->reverse ? w->m->n - 1 - w->seen : w->seen;
    if ((size_t)index != want || len != w->m->len[want] || memcmp(s, w->m->v[want], len) != 0) {
        w->bad++;
    }
    w->seen++;
    return true;
}

static void check_model(const struct list_obj *l, const struct model *m)
{
    CHECK_INT(list_len(l), m->n);
    for (int r = 0; r < 2; r++) {
        struct walk_check w = {m, r == 1, 0, 0};
        list_walk(l, r == 1, walk_one, &w);
        CHECK_INT(w.bad, 0);
        CHECK_INT(w.seen, m->n);
    }
    for (int k = 0; k < 20 && m->n > 0; k++) {
        size_t i = test_rng() % m->n;
        const char *s;
        size_t len;
        CHECK(list_index(l, (long long)i, &s, &len));
        CHECK(len == m->len[i] && memcmp(s, m->v[i], len) == 0);
        CHECK(list_index(l, (long long)i - (long long)m->n, &s, &len));
        CHECK(len == m->len[i] && memcmp(s, m->v[i], len) == 0);
    }
}

static void random_op(struct list_obj *l, struct model *m, char *buf, char **pop, size_t *cap)
{
    uint64_t op = test_rng() % 100;
    size_t len = make_elem(buf);
    if (op < 40 || m->n == 0) { /* push */
        bool head = test_rng() % 2;
        list_push(l, buf, len, head);
        model_insert(m, head ? 0 : m->n, buf, len);
    } else if (op < 55) { /* pop */
        bool head = test_rng() % 2;
        size_t got = list_pop(l, head, pop, cap);
        size_t at = head ? 0 : m->n - 1;
        CHECK(got == m->len[at] && memcmp(*pop, m->v[at], got) == 0);
        model_delete(m, at);
    } else if (op < 75) { /* LSET */
        size_t i = test_rng() % m->n;
        CHECK(list_set(l, (long long)i, buf, len));
        model_delete(m, i);
        model_insert(m, i, buf, len);
    } else if (op < 90) { /* LINSERT before/after the first equal element */
        size_t p = test_rng() % m->n, first = 0;
        bool before = test_rng() % 2;
        while (m->len[first] != m->len[p] || memcmp(m->v[first], m->v[p], m->len[p]) != 0) {
            first++;
        }
        CHECK(list_insert(l, m->v[p], m->len[p], before, buf, len));
        model_insert(m, before ? first : first + 1, buf, len);
    } else { /* LREM count of an existing element */
        size_t p = test_rng() % m->n;
        char *target = malloc(m->len[p] + 1);
        size_t tlen = m->len[p];
        memcpy(target, m->v[p], tlen);
        long long count = (long long)(test_rng() % 5) - 2, removed = 0;
        long long limit = count < 0 ? -count : count;
        for (size_t k = 0; k < m->n && (limit == 0 || removed < limit);) {
            size_t i = count < 0 ? m->n - 1 - k : k;
            if (m->len[i] == tlen && memcmp(m->v[i], target, tlen) == 0) {
                model_delete(m, i);
                removed++;
                if (count >= 0) {
                    continue;
                }
            }
            k++;
        }
        CHECK_INT(list_remove(l, count, target, tlen), removed);
        free(target);
    }
}

static void test_list_random_against_model(void)
{
    static struct model m;
    char buf[ELEM_MAX];
    char *pop = NULL;
    size_t cap = 0;
    test_rng_state = 0x9e3779b97f4a7c15ULL;
    struct list_obj *l = list_new();
    for (int round = 0; round < 12; round++) {
        for (int i = 0; i < 1500 && m.n < MODEL_MAX - 10; i++) {
            random_op(l, &m, buf, &pop, &cap);
        }
        check_model(l, &m);
        struct list_obj *d = list_dup(l);
        check_model(d, &m);
        list_free(d);
    }
    /* LTRIM from both ends, then to nothing */
    size_t start = m.n / 5, stop = m.n - m.n / 4;
    list_trim(l, start, stop);
    for (size_t i = 0; i < start; i++) {
        model_delete(&m, 0);
    }
    while (m.n > stop - start + 1) {
        model_delete(&m, m.n - 1);
    }
    check_model(l, &m);
    while (m.n > 0) {
        list_pop(l, m.n % 2 == 0, &pop, &cap);
        model_delete(&m, m.n % 2 == 1 ? 0 : m.n - 1);
    }
    CHECK_INT(list_len(l), 0);
    list_free(l);
    mem_free(pop);
}

/* A queue of IDs (one shared prefix) costs a few bytes per element. */
static void test_list_front_coding_saves_memory(void)
{
    struct list_obj *l = list_new();
    char buf[32];
    size_t before = mem_used();
    for (int i = 0; i < 100000; i++) {
        list_push(l, buf, (size_t)snprintf(buf, sizeof(buf), "element:%09d", i), false);
    }
    size_t per_elem = (mem_used() - before) / 100000;
    CHECK(per_elem <= 6);
    const char *s;
    size_t len;
    CHECK(list_index(l, 54321, &s, &len));
    CHECK(len == 17 && memcmp(s, "element:000054321", 17) == 0);
    list_free(l);
}

static const struct test_case cases[] = {
    TEST(test_list_random_against_model),
    TEST(test_list_front_coding_saves_memory),
};

int main(int argc, char **argv)
{
    return test_run(cases, TEST_COUNT(cases), argc, argv);
}
