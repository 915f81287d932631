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

/* A loader counting its calls: value "<prefix>:<key>", after sleep_ms;
 * fails with fail when it is not 0. */
struct ct_loader {
    atomic_int calls;
    int sleep_ms;
    int fail;
    const char *prefix;
};
int ct_load(void *arg, const char *key, struct surge_load *ld);

/* Start n threads, each running surge_get_or_load(s, key, ct_load, l, o)
 * and recording its source and value; returns the loads seen and checks
 * every value equals want. */
struct ct_herd {
    struct surge *s;
    const char *key;
    struct ct_loader *loader;
    const struct surge_get_opts *opts;
    const char *want;
    int sources[SURGE_SRC_BYPASS + 1];
    int errors, wrong;
};
void ct_herd_run(struct ct_herd *h, int threads);

CASES(ct_surge_cases);
CASES(ct_ops_cases);
CASES(ct_plain_cases);
CASES(ct_example_cases);

#endif
