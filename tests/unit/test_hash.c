/* Unit tests for server/t_hash.c's field deadlines: a table of fields
 * against a naive array under random HSET, HDEL, deadlines set, changed
 * and cleared, and purges at advancing times; and many deadlines purged a
 * millisecond at a time, in deadline order. */
#define TEST_IMPLEMENTATION
#include "tests/test.h"

#include <errno.h>
#include <stdint.h>

#include "server/mem.h"
#include "server/t_hash.h"

#define FIELDS 300

struct model {
    bool present[FIELDS];
    int64_t expire[FIELDS]; /* -1: none */
};

static size_t field_name(int i, char *buf)
{
    return (size_t)snprintf(buf, 32, "hold:%d", i);
}

static void purged_one(const char *f, size_t flen, void *arg)
{
    size_t *n = arg;
    (*n)++;
    (void)f;
    (void)flen;
}

static void check_against_model(const struct hash_obj *h, const struct model *m)
{
    int64_t min = -1;
    size_t len = 0;
    for (int i = 0; i < FIELDS; i++) {
        char f[32];
        size_t flen = field_name(i, f);
        int64_t got = hash_field_expire(h, f, flen);
        CHECK_INT(got, m->present[i] ? m->expire[i] : -2);
        len += m->present[i];
        if (m->present[i] && m->expire[i] >= 0 && (min < 0 || m->expire[i] < min)) {
            min = m->expire[i];
        }
    }
    CHECK_INT((long long)hash_len(h), (long long)len);
    CHECK_INT(hash_next_deadline(h), min);
}

static void test_field_deadlines_against_model(void)
{
    const struct hash_limits lim = {0, 0}; /* table encoding from the first field */
    struct hash_obj *h = hash_new();
    struct model m;
    memset(&m, 0, sizeof(m));
    int64_t now = 1000;
    for (int step = 0; step < 20000; step++) {
        int i = (int)(test_rng() % FIELDS);
        char f[32];
        size_t flen = field_name(i, f);
        switch (test_rng() % 6) {
        case 0:
        case 1: /* HSET: a new value drops the deadline */
            hash_set(h, f, flen, "v", 1, &lim);
            m.present[i] = true;
            m.expire[i] = -1;
            break;
        case 2: /* HDEL */
            CHECK_INT(hash_del(h, f, flen), m.present[i]);
            m.present[i] = false;
            break;
        case 3:
        case 4: { /* HPEXPIREAT, sometimes PERSIST */
            int64_t at = test_rng() % 8 == 0 ? -1 : now + (int64_t)(test_rng() % 200);
            int rc = hash_set_field_expire(h, f, flen, at);
            CHECK_INT(rc, m.present[i] ? 0 : -ENOENT);
            if (m.present[i]) {
                m.expire[i] = at;
            }
            break;
        }
        default: { /* time passes; what is due goes */
            now += (int64_t)(test_rng() % 20);
            size_t want = 0, got = 0;
            for (int k = 0; k < FIELDS; k++) {
                if (m.present[k] && m.expire[k] >= 0 && m.expire[k] <= now) {
                    m.present[k] = false;
                    want++;
                }
            }
            CHECK_INT((long long)hash_purge_expired(h, now, purged_one, &got), (long long)want);
            CHECK_INT((long long)got, (long long)want);
            break;
        }
        }
        if (step % 97 == 0) {
            check_against_model(h, &m);
            struct hash_obj *copy = hash_dup(h); /* a copy keeps every deadline */
            check_against_model(copy, &m);
            hash_free(copy);
        }
    }
    check_against_model(h, &m);
    hash_free(h);
}

/* 300k deadlines spread over a second, purged one millisecond at a time,
 * as the expiry cycle meets them: each purge takes exactly what is due,
 * in deadline order. (A purge that scanned the whole hash each time made
 * this many holds stall the server for seconds.) */
static void test_many_deadlines_purge_in_order(void)
{
    const struct hash_limits lim = {0, 0};
    struct hash_obj *h = hash_new();
    enum { N = 300000 };
    for (int i = 0; i < N; i++) {
        char f[32];
        size_t flen = field_name(i, f);
        hash_set(h, f, flen, "1", 1, &lim);
        hash_set_field_expire(h, f, flen, 5000 + (int64_t)(test_rng() % 1000));
    }
    size_t total = 0;
    int64_t last = -1;
    for (int64_t now = 5000; now < 6000; now++) {
        int64_t next = hash_next_deadline(h);
        CHECK(next >= now); /* nothing overdue is left behind */
        CHECK(next >= last);
        last = next;
        total += hash_purge_expired(h, now, NULL, NULL);
    }
    CHECK_INT((long long)total, N);
    CHECK_INT((long long)hash_len(h), 0);
    CHECK_INT(hash_next_deadline(h), -1);
    hash_free(h);
}

static const struct test_case cases[] = {
    TEST(test_field_deadlines_against_model),
    TEST(test_many_deadlines_purge_in_order),
};

int main(int argc, char **argv)
{
    return test_run(cases, TEST_COUNT(cases), argc, argv);
}
