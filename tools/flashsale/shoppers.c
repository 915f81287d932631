/* shoppers.c - shopper threads (see shoppers.h).
 *
 * Every shopper connects to the cache and to the origin first; the clock
 * starts when all are connected. Then each shopper arrives within the
 * first second, and loops: one request of the mix, a pause (exponential,
 * think_ms on average), until the duration ends. A buyer's first attempt
 * on the limited SKU comes soon after the sale opens; when it is sold out
 * the buyer tries again later, a few times.
 */
#include "tools/flashsale/ways.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#define SHOPPER_STACK (128 * 1024)
#define SHOPPER_MAX_BUY_ATTEMPTS 8
#define CONNECT_TRIES 50
#define SHOPPER_NICE 19

const char *const fs_way_names[WAY_COUNT] = {"redis-naive", "surge-naive", "surge-lease"};
const char *const fs_way_titles[WAY_COUNT] = {
    "redis: cache-aside",
    "surge: cache-aside",
    "surge: leases+SWR+holds",
};

/* Shoppers report when connected; the main thread sets t0 and says go. */
struct run_sync {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int connected;
    bool go;
};

static void sync_connected(struct run_sync *y)
{
    pthread_mutex_lock(&y->mu);
    y->connected++;
    pthread_cond_broadcast(&y->cond);
    while (!y->go) {
        pthread_cond_wait(&y->cond, &y->mu);
    }
    pthread_mutex_unlock(&y->mu);
}

static void sync_wait_all(struct run_sync *y, int n)
{
    pthread_mutex_lock(&y->mu);
    while (y->connected < n) {
        pthread_cond_wait(&y->cond, &y->mu);
    }
    pthread_mutex_unlock(&y->mu);
}

static void sync_go(struct run_sync *y)
{
    pthread_mutex_lock(&y->mu);
    y->go = true;
    pthread_cond_broadcast(&y->cond);
    pthread_mutex_unlock(&y->mu);
}

static const struct way_ops *ops_of(enum fs_way w)
{
    return w == WAY_SURGE_LEASE ? &way_lease_ops : &way_naive_ops;
}

redisContext *shopper_connect(int port)
{
    struct timeval tv = {10, 0};
    for (int i = 0; i < CONNECT_TRIES; i++) {
        redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
        if (c != NULL && !c->err) {
            redisSetTimeout(c, tv);
            return c;
        }
        redisFree(c);
        fs_sleep_us(100000);
    }
    return NULL;
}

redisReply *shopper_cache_cmd(struct shopper *s, const char *fmt, ...)
{
    if (s->cache == NULL && (s->cache = shopper_connect(s->run->cache_port)) == NULL) {
        return NULL;
    }
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = redisvCommand(s->cache, fmt, ap);
    va_end(ap);
    if (r == NULL) { /* the connection is unusable: a new one next time */
        redisFree(s->cache);
        s->cache = NULL;
    }
    return r;
}

redisReply *shopper_origin_load(struct shopper *s, enum fs_resource res, const char *key)
{
    if (s->origin == NULL && (s->origin = shopper_connect(s->run->origin_port)) == NULL) {
        return NULL;
    }
    st_add(&s->run->st->c.loads[res], 1);
    redisReply *r = redisCommand(s->origin, "LOAD %d %s", (int)res, key);
    if (r == NULL) {
        redisFree(s->origin);
        s->origin = NULL;
    } else if (r->type != REDIS_REPLY_STRING) {
        freeReplyObject(r);
        r = NULL;
    }
    return r;
}

void shopper_checkout_pause(struct shopper *s)
{
    fs_sleep_us(500000 + (int64_t)fs_rng_below(&s->rng, 2000000));
}

bool shopper_pays(struct shopper *s)
{
    return fs_rng_below(&s->rng, 100) < (uint32_t)s->run->cfg->confirm_pct;
}

void shopper_retry_later(struct shopper *s)
{
    if (++s->attempts >= SHOPPER_MAX_BUY_ATTEMPTS) {
        s->done_buying = true;
        return;
    }
    s->next_buy_us = fs_now_us() + 1000000 + (int64_t)fs_rng_below(&s->rng, 2000000);
}

/* ---- the shopper's loop ---- */

static void fetch_timed(struct shopper *s, enum fs_resource res, const char *key)
{
    int64_t start = fs_now_us(), served = 0;
    st_add(&s->run->st->c.requests[res], 1);
    int rc = ops_of(s->run->way)->fetch(s, res, key, &served);
    st_request(s->run->st, start - s->run->t0_us, served - start, rc < 0);
}

static void browse_once(struct shopper *s)
{
    char key[FS_KEY_MAX];
    enum fs_resource res = workload_pick(s->run->wl, &s->rng, s->id, key);
    fetch_timed(s, res, key);
}

/* The limited SKU is product 1; a shopper ships to one ZIP prefix. */
void shopper_checkout_lookups(struct shopper *s)
{
    char key[FS_KEY_MAX];
    snprintf(key, sizeof(key), "%s:1", fs_resources[RES_PRICE].name);
    fetch_timed(s, RES_PRICE, key);
    snprintf(key, sizeof(key), "%s:%d", fs_resources[RES_SHIP].name,
             100 + (int)((unsigned)s->id * 7919u % FS_ZIP_PREFIXES));
    fetch_timed(s, RES_SHIP, key);
}

static void think(struct shopper *s)
{
    int64_t pause = (int64_t)(fs_rng_exp(&s->rng, s->run->cfg->think_ms) * 1000);
    int64_t left = s->run->end_us - fs_now_us();
    fs_sleep_us(pause < left ? pause : left);
}

static void shopper_loop(struct shopper *s)
{
    const struct fs_config *cfg = s->run->cfg;
    s->buyer = fs_rng_below(&s->rng, 100) < (uint32_t)cfg->buyer_pct;
    s->next_buy_us = s->run->t0_us + (int64_t)cfg->sale_open_ms * 1000 +
                     (int64_t)(fs_rng_exp(&s->rng, 1000) * 1000);
    fs_sleep_us((int64_t)fs_rng_below(&s->rng, 1000000)); /* arrivals over the first second */
    while (fs_now_us() < s->run->end_us) {
        if (s->buyer && !s->done_buying && fs_now_us() >= s->next_buy_us) {
            st_add(&s->run->st->c.buy_attempts, 1);
            ops_of(s->run->way)->buy(s);
            continue;
        }
        browse_once(s);
        think(s);
    }
}

static void *shopper_main(void *arg)
{
    struct shopper *s = arg;
    /* Thousands of runnable client threads would otherwise get the CPU in
     * turn with the servers and the origin (the fair scheduler's round
     * over 2000 threads takes seconds); on a real site the shoppers are
     * not on the servers' machines. */
    setpriority(PRIO_PROCESS, (id_t)gettid(), SHOPPER_NICE);
    const struct way_ops *ops = ops_of(s->run->way);
    int rc = ops->open(s);
    s->origin = shopper_connect(s->run->origin_port);
    sync_connected(s->sync);
    if (rc == 0 && s->origin != NULL) {
        shopper_loop(s);
    } else {
        st_add(&s->run->st->c.errors, 1);
    }
    ops->close(s);
    redisFree(s->origin);
    return NULL;
}

/* ---- the run ---- */

static int start_threads(struct shop_run *run, struct run_sync *sync, struct shopper *sh,
                         pthread_t *tids)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, SHOPPER_STACK);
    int started = 0;
    for (int i = 0; i < run->cfg->shoppers; i++) {
        sh[i].run = run;
        sh[i].sync = sync;
        sh[i].id = i;
        fs_rng_seed(&sh[i].rng, (uint64_t)run->cfg->seed * 1000003 + (uint64_t)i);
        if (pthread_create(&tids[i], &attr, shopper_main, &sh[i]) != 0) {
            break;
        }
        started++;
    }
    pthread_attr_destroy(&attr);
    return started;
}

/* The clock of the main thread: a tick each second until the end. */
static void run_clock(struct shop_run *run)
{
    for (int sec = 1; fs_now_us() < run->end_us; sec++) {
        int64_t at = run->t0_us + (int64_t)sec * 1000000;
        fs_sleep_us((at < run->end_us ? at : run->end_us) - fs_now_us());
        if (run->tick != NULL) {
            run->tick(run->tick_arg, run, sec);
        }
    }
}

static int run_shoppers(struct shop_run *run)
{
    int n = run->cfg->shoppers;
    struct shopper *sh = calloc((size_t)n, sizeof(*sh));
    pthread_t *tids = calloc((size_t)n, sizeof(*tids));
    struct run_sync sync = {.connected = 0, .go = false};
    if (sh == NULL || tids == NULL) {
        free(sh);
        free(tids);
        return -ENOMEM;
    }
    pthread_mutex_init(&sync.mu, NULL);
    pthread_cond_init(&sync.cond, NULL);
    int started = start_threads(run, &sync, sh, tids);
    if (started < n) {
        st_add(&run->st->c.errors, (uint64_t)(n - started));
        fprintf(stderr, "flashsale: only %d of %d shopper threads started\n", started, n);
    }
    sync_wait_all(&sync, started);
    run->t0_us = fs_now_us();
    run->end_us = run->t0_us + (int64_t)(run->cfg->duration_s * 1e6);
    if (run->tick != NULL) {
        run->tick(run->tick_arg, run, 0);
    }
    sync_go(&sync);
    run_clock(run);
    for (int i = 0; i < started; i++) {
        pthread_join(tids[i], NULL);
    }
    pthread_cond_destroy(&sync.cond);
    pthread_mutex_destroy(&sync.mu);
    free(sh);
    free(tids);
    return started == n ? 0 : -EAGAIN;
}

int shop_run(struct shop_run *run, struct inv_result *inv)
{
    const struct way_ops *ops = ops_of(run->way);
    int rc = ops->inv_setup(run);
    if (rc == 0) {
        rc = run_shoppers(run);
    }
    if (rc == 0 && run->way == WAY_SURGE_LEASE) { /* let abandoned holds time out */
        int64_t until = run->last_hold_us + (int64_t)run->cfg->hold_s * 1000000 + 300000;
        fs_sleep_us(until - fs_now_us());
    }
    if (rc == 0) {
        rc = ops->inv_read(run, inv);
    }
    return rc;
}
