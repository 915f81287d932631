/* product_cache.c - cache-aside for a product page: many shoppers miss the
 * same product at once and the origin is asked once; a price change purges
 * the product's tag and the next read loads it again.
 *
 *   build/examples/product_cache [host port]
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "example.h"

#define SHOPPERS 8

static atomic_int origin_calls;
static atomic_int price = 1999;

/* The "database": slow on purpose, so concurrent misses overlap. */
static int load_product(void *arg, const char *key, struct surge_load *ld)
{
    (void)arg;
    struct timespec slow = {0, 100 * 1000000L};
    nanosleep(&slow, NULL);
    atomic_fetch_add(&origin_calls, 1);
    char json[128];
    int n = snprintf(json, sizeof(json), "{\"id\":\"%s\",\"price\":%d}", key,
                     atomic_load(&price));
    return surge_load_set(ld, json, (size_t)n);
}

static struct surge_get_opts product_opts(void)
{
    static const char *const tags[] = {"sku:42", "catalog"};
    struct surge_get_opts o;
    surge_get_opts_init(&o);
    o.ttl_s = 10;    /* fresh for 10 s */
    o.swr_s = 30;    /* then served stale for 30 s while one caller reloads */
    o.tags = tags;
    o.ntags = 2;
    return o;
}

static void *shopper(void *arg)
{
    struct surge *s = arg;
    struct surge_get_opts o = product_opts();
    struct surge_result r;
    example_check(surge_get_or_load(s, "product:42", load_product, NULL, &o, &r), "get");
    surge_result_free(&r);
    return NULL;
}

static void show(struct surge *s, const char *when)
{
    struct surge_get_opts o = product_opts();
    struct surge_result r;
    example_check(surge_get_or_load(s, "product:42", load_product, NULL, &o, &r), "get");
    printf("%s: %s %s\n", when, surge_source_name(r.source), r.value);
    surge_result_free(&r);
}

int main(int argc, char **argv)
{
    struct surge *s = example_connect(argc, argv, SHOPPERS);
    pthread_t t[SHOPPERS];
    for (int i = 0; i < SHOPPERS; i++) {
        pthread_create(&t[i], NULL, shopper, s);
    }
    for (int i = 0; i < SHOPPERS; i++) {
        pthread_join(t[i], NULL);
    }
    printf("%d shoppers, origin calls: %d\n", SHOPPERS, atomic_load(&origin_calls));
    show(s, "next read");
    atomic_store(&price, 1499);
    long long purged = 0;
    example_check(surge_cache_purge_tag(s, "sku:42", false, &purged), "purge");
    printf("price change: purged %lld\n", purged);
    show(s, "after purge");
    show(s, "next read");
    printf("origin calls: %d\n", atomic_load(&origin_calls));
    surge_free(&s);
    return 0;
}
