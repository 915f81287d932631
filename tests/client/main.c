/* main.c - libsurge's integration runner (see ctest.h). SIGPIPE keeps its
 * default action here on purpose: the library must not let a write to a
 * closed connection kill its host. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#define TEST_IMPLEMENTATION
#include "tests/client/ctest.h"

struct h_server ct_redis;
redisContext *ct_r;

struct surge *ct_pool_opts(const struct surge_options *o)
{
    struct surge *s = NULL;
    int rc = surge_new(o, &s);
    if (rc < 0) {
        fprintf(stderr, "  surge_new: %s\n", surge_strerror(rc));
        test_failures_in_case++;
    }
    return s;
}

struct surge_options ct_options(int port)
{
    struct surge_options o;
    surge_options_init(&o);
    o.port = port;
    return o;
}

struct surge *ct_pool(int port, int pool_size)
{
    struct surge_options o = ct_options(port);
    o.pool_size = pool_size;
    o.connect_timeout_ms = 2000;
    o.command_timeout_ms = 5000;
    return ct_pool_opts(&o);
}

int ct_load(void *arg, const char *key, struct surge_load *ld)
{
    struct ct_loader *l = arg;
    atomic_fetch_add(&l->calls, 1);
    if (l->sleep_ms > 0) {
        h_sleep_ms(l->sleep_ms);
    }
    if (l->fail != 0) {
        return l->fail;
    }
    char v[256];
    int n = snprintf(v, sizeof(v), "%s:%s", l->prefix != NULL ? l->prefix : "loaded", key);
    return surge_load_set(ld, v, (size_t)n);
}

/* One herd: threads callers of surge_get_or_load on one key, recording
 * each result's source and value. */
struct herd {
    struct surge *s;
    struct ct_loader loader;
    struct surge_get_opts opts;
    int sources[SURGE_SRC_BYPASS + 1];
    int errors, wrong;
};

static pthread_mutex_t herd_mu = PTHREAD_MUTEX_INITIALIZER;

static void *herd_one(void *arg)
{
    struct herd *h = arg;
    struct surge_result r;
    int rc = surge_get_or_load(h->s, "product:herd", ct_load, &h->loader, &h->opts, &r);
    pthread_mutex_lock(&herd_mu);
    if (rc < 0) {
        h->errors++;
        fprintf(stderr, "  herd: %s (%s)\n", surge_strerror(rc), surge_last_error());
    } else {
        h->sources[r.source]++;
        if (strcmp(r.value, "loaded:product:herd") != 0) {
            h->wrong++;
            fprintf(stderr, "  herd: got \"%s\", want \"loaded:product:herd\"\n", r.value);
        }
    }
    pthread_mutex_unlock(&herd_mu);
    surge_result_free(&r);
    return NULL;
}

void ct_herd_loads_once(struct surge *s, int threads)
{
    struct herd h = {.s = s, .loader = {.sleep_ms = 300}};
    surge_get_opts_init(&h.opts);
    h.opts.ttl_s = 30;
    pthread_t t[64];
    for (int i = 0; i < threads && i < 64; i++) {
        pthread_create(&t[i], NULL, herd_one, &h);
    }
    for (int i = 0; i < threads && i < 64; i++) {
        pthread_join(t[i], NULL);
    }
    CHECK_INT(h.loader.calls, 1);
    CHECK_INT(h.errors, 0);
    CHECK_INT(h.wrong, 0);
    CHECK_INT(h.sources[SURGE_SRC_LOADED], 1);
    CHECK_INT(h.sources[SURGE_SRC_WAITED] + h.sources[SURGE_SRC_HIT], threads - 1);
}

static void setup(void)
{
    T = h_connect(h_main.port);
    ct_r = ct_redis.pid > 0 ? h_connect(ct_redis.port) : NULL;
    if (T == NULL || (ct_redis.pid > 0 && ct_r == NULL)) {
        fprintf(stderr, "  cannot connect to the servers\n");
        test_failures_in_case++;
        return;
    }
    freeReplyObject(redisCommand(T, "FLUSHALL"));
    if (ct_r != NULL) {
        freeReplyObject(redisCommand(ct_r, "FLUSHALL"));
    }
}

static void teardown(void)
{
    redisFree(T);
    redisFree(ct_r);
    T = ct_r = NULL;
}

static void on_signal(int sig)
{
    h_stop_all();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Last case: both servers stop cleanly (no leak under the sanitizers). */
static void test_servers_exit_cleanly(void)
{
    teardown();
    int status = h_server_stop(&h_main);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    h_server_stop(&ct_redis);
}

int main(int argc, char **argv)
{
    const struct {
        const struct test_case *cases;
        const int *n;
    } groups[] = {{ct_surge_cases, &ct_surge_cases_n},
                  {ct_ops_cases, &ct_ops_cases_n},
                  {ct_plain_cases, &ct_plain_cases_n},
                  {ct_example_cases, &ct_example_cases_n}};
    static struct test_case all[256];
    int n = 0;
    for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
        for (int i = 0; i < *groups[g].n && n < 254; i++) {
            all[n++] = groups[g].cases[i];
        }
    }
    all[n++] = (struct test_case)TEST(test_servers_exit_cleanly);
    atexit(h_stop_all);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGHUP, on_signal);
    if (h_server_start(&h_main, NULL) < 0) {
        printf("cannot start the server under test\n0 passed, 1 failed\n");
        return 1;
    }
    /* The harness starts Debian's redis-server when SURGE_REF=1. */
    setenv("SURGE_REF", "1", 1);
    int rc = h_server_start(&ct_redis, NULL);
    unsetenv("SURGE_REF");
    if (rc < 0) {
        printf("cannot start redis-server\n0 passed, 1 failed\n");
        return 1;
    }
    return test_run_with(all, n, argc, argv, setup, teardown);
}
