/* Unit tests for server/dict.c: lookups under incremental rehash, scan
 * guarantees, tags, random. Checked against a naive model. */
#define TEST_IMPLEMENTATION
#include "tests/test.h"

#include <stdint.h>

#include "server/dict.h"

struct node {
    struct dict_node dn;
    char key[16];
    size_t len;
    int seen;
};

static void node_key(const struct dict_node *n, const char **key, size_t *len)
{
    const struct node *x = (const struct node *)n;
    *key = x->key;
    *len = x->len;
}

#define N 5000

static struct node *make_nodes(void)
{
    struct node *nodes = calloc(N, sizeof(struct node));
    for (int i = 0; i < N; i++) {
        nodes[i].len = (size_t)snprintf(nodes[i].key, sizeof(nodes[i].key), "k%d", i);
    }
    return nodes;
}

static struct dict_node *find(struct dict *d, struct node *x)
{
    return dict_find(d, x->key, x->len, dict_hash(x->key, x->len));
}

static void test_insert_delete_under_rehash(void)
{
    struct dict d;
    struct node *nodes = make_nodes();
    bool present[N] = {false};
    test_rng_state = 42;
    dict_init(&d, node_key);
    for (int step = 0; step < 40000; step++) {
        int i = (int)(test_rng() % N);
        struct node *x = &nodes[i];
        if (present[i]) {
            struct dict_node *got = dict_unlink(&d, x->key, x->len, dict_hash(x->key, x->len));
            CHECK(got == &x->dn);
        } else {
            CHECK(find(&d, x) == NULL);
            dict_add(&d, &x->dn, dict_hash(x->key, x->len));
        }
        present[i] = !present[i];
        if (step % 1000 == 0) {
            dict_maybe_shrink(&d);
        }
    }
    size_t count = 0;
    for (int i = 0; i < N; i++) {
        count += present[i];
        CHECK((find(&d, &nodes[i]) != NULL) == present[i]);
    }
    CHECK_INT(dict_size(&d), count);
    dict_deinit(&d, NULL, NULL);
    free(nodes);
}

static void test_tags_survive_rehash(void)
{
    struct dict d;
    struct node *nodes = make_nodes();
    dict_init(&d, node_key);
    for (int i = 0; i < N; i++) {
        dict_node_set_tag(&nodes[i].dn, (uint16_t)(i * 7));
        dict_add(&d, &nodes[i].dn, dict_hash(nodes[i].key, nodes[i].len));
    }
    while (dict_rehash(&d, 100)) {
    }
    for (int i = 0; i < N; i++) {
        CHECK_INT(dict_node_tag(&nodes[i].dn), (uint16_t)(i * 7));
        CHECK(find(&d, &nodes[i]) == &nodes[i].dn);
    }
    dict_deinit(&d, NULL, NULL);
    free(nodes);
}

static void mark_seen(struct dict_node *n, void *arg)
{
    (void)arg;
    ((struct node *)n)->seen++;
}

/* Nodes 0..N/2 stay for the whole scan; others come and go, and the table
 * grows and shrinks between calls: every stable node must be reported. */
static void test_scan_guarantee(void)
{
    for (int round = 0; round < 4; round++) {
        struct dict d;
        struct node *nodes = make_nodes();
        bool present[N] = {false};
        test_rng_state = 1000 + (uint64_t)round;
        dict_init(&d, node_key);
        for (int i = 0; i < N / 2 + (round % 2) * (N / 4); i++) {
            dict_add(&d, &nodes[i].dn, dict_hash(nodes[i].key, nodes[i].len));
            present[i] = true;
        }
        uint64_t cursor = 0;
        int calls = 0;
        do {
            cursor = dict_scan(&d, cursor, mark_seen, NULL);
            for (int k = 0; k < 20; k++) {
                int i = N / 2 + (int)(test_rng() % (N / 2));
                struct node *x = &nodes[i];
                if (present[i]) {
                    dict_unlink(&d, x->key, x->len, dict_hash(x->key, x->len));
                } else {
                    dict_add(&d, &x->dn, dict_hash(x->key, x->len));
                }
                present[i] = !present[i];
            }
            if (calls % 7 == 0) {
                dict_maybe_shrink(&d);
            }
            calls++;
        } while (cursor != 0 && calls < 1000000);
        for (int i = 0; i < N / 2; i++) {
            CHECK(nodes[i].seen >= 1);
        }
        dict_deinit(&d, NULL, NULL);
        free(nodes);
    }
}

static void test_shrink(void)
{
    struct dict d;
    struct node *nodes = make_nodes();
    dict_init(&d, node_key);
    for (int i = 0; i < N; i++) {
        dict_add(&d, &nodes[i].dn, dict_hash(nodes[i].key, nodes[i].len));
    }
    while (dict_rehash(&d, 100)) {
    }
    size_t big = dict_buckets(&d);
    for (int i = 10; i < N; i++) {
        dict_unlink(&d, nodes[i].key, nodes[i].len, dict_hash(nodes[i].key, nodes[i].len));
    }
    CHECK(dict_maybe_shrink(&d));
    while (dict_rehash(&d, 100)) {
    }
    CHECK(dict_buckets(&d) < big);
    CHECK_INT(dict_size(&d), 10);
    for (int i = 0; i < 10; i++) {
        CHECK(find(&d, &nodes[i]) == &nodes[i].dn);
    }
    dict_deinit(&d, NULL, NULL);
    free(nodes);
}

static void test_random(void)
{
    struct dict d;
    struct node *nodes = make_nodes();
    dict_init(&d, node_key);
    test_rng_state = 7;
    CHECK(dict_random(&d, test_rng) == NULL);
    for (int i = 0; i < 100; i++) {
        dict_add(&d, &nodes[i].dn, dict_hash(nodes[i].key, nodes[i].len));
    }
    for (int i = 0; i < 5000; i++) {
        struct node *x = (struct node *)dict_random(&d, test_rng);
        CHECK(x != NULL && x >= nodes && x < nodes + 100);
        if (x != NULL) {
            x->seen++;
        }
    }
    int hit = 0;
    for (int i = 0; i < 100; i++) {
        hit += nodes[i].seen > 0;
    }
    CHECK(hit > 90);
    dict_deinit(&d, NULL, NULL);
    free(nodes);
}

/* dict_holds answers by pointer for nodes added, moved by a rehash and
 * removed, without reading the node asked about. */
static void test_holds(void)
{
    struct dict d;
    struct node *nodes = make_nodes();
    dict_init(&d, node_key);
    for (int i = 0; i < N; i += 2) {
        dict_add(&d, &nodes[i].dn, dict_hash(nodes[i].key, nodes[i].len));
    }
    CHECK(dict_is_rehashing(&d) || dict_size(&d) == N / 2);
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < N; i++) {
            uint64_t h = dict_hash(nodes[i].key, nodes[i].len);
            CHECK(dict_holds(&d, h, &nodes[i].dn) == (i % 2 == 0));
        }
        while (dict_rehash(&d, 100)) {
        }
    }
    uint64_t h0 = dict_hash(nodes[0].key, nodes[0].len);
    CHECK(dict_unlink(&d, nodes[0].key, nodes[0].len, h0) == &nodes[0].dn);
    CHECK(!dict_holds(&d, h0, &nodes[0].dn));
    dict_deinit(&d, NULL, NULL);
    free(nodes);
}

static const struct test_case cases[] = {
    TEST(test_insert_delete_under_rehash), TEST(test_tags_survive_rehash),
    TEST(test_scan_guarantee),             TEST(test_shrink),
    TEST(test_random),                     TEST(test_holds),
};

int main(int argc, char **argv)
{
    return test_run(cases, TEST_COUNT(cases), argc, argv);
}
