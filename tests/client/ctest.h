/* ctest.h - libsurge's integration runner: a surge-server (h_main, raw
 * connection T) and a Debian redis-server (ct_redis, raw connection
 * ct_r) started once; every case gets both flushed. */
#ifndef SURGE_TESTS_CLIENT_CTEST_H
#define SURGE_TESTS_CLIENT_CTEST_H

#include <stdatomic.h>

#include "client/surge.h"
#include "tests/integration/harness.h"

extern struct h_server ct_redis;
extern redisContext *ct_r;

/* A pool on 127.0.0.1:port with short timeouts; NULL (case failed) if not. */
struct surge *ct_pool(int port, int pool_size);
struct surge *ct_pool_opts(const struct surge_options *o);
/* surge_options_init's defaults, on 127.0.0.1:port. */
struct surge_options ct_options(int port);

/* A loader counting its calls: value "<prefix>:<key>", after sleep_ms;
 * fails with fail when it is not 0. */
struct ct_loader {
    atomic_int calls;
    int sleep_ms;
    int fail;
    const char *prefix;
};
int ct_load(void *arg, const char *key, struct surge_load *ld);

/* threads callers of surge_get_or_load(s, "product:herd") at once (ttl
 * 30 s, a 300 ms loader): checks the loader ran once, every caller got
 * "loaded:product:herd", one loaded it and the others waited or hit. */
void ct_herd_loads_once(struct surge *s, int threads);

CASES(ct_surge_cases);
CASES(ct_ops_cases);
CASES(ct_plain_cases);
CASES(ct_example_cases);

#endif
