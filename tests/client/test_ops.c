/* test_ops.c - the typed helpers (INV.*, CL.THROTTLE), pass-through
 * commands, and the pool: checkout and command timeouts, reconnecting
 * after the server restarts. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/client/ctest.h"

static void test_inventory(void)
{
    struct surge *s = ct_pool(h_main.port, 2);
    CHECK_INT(surge_inv_set(s, "sku:A", 3), 0);
    struct surge_reservation r;
    CHECK_INT(surge_inv_reserve(s, "sku:A", 2, "o1", 600, &r), 0);
    CHECK(r.reserved && !r.soldout);
    CHECK_INT(r.held, 2);
    CHECK_INT(r.available, 1);
    CHECK_INT(surge_inv_reserve(s, "sku:A", 2, "o1", 600, &r), 0); /* a retry */
    CHECK(r.reserved);
    CHECK_INT(r.available, 1);
    CHECK_INT(surge_inv_reserve(s, "sku:A", 2, "o2", 600, &r), 0);
    CHECK(!r.reserved && r.soldout);
    CHECK_INT(r.available, 1);
    CHECK_INT(r.held, 0);
    long long sold = 0;
    CHECK_INT(surge_inv_confirm(s, "sku:A", "o1", &sold), 0);
    CHECK_INT(sold, 2);
    CHECK_INT(surge_inv_confirm(s, "sku:A", "o1", &sold), -ENOENT);
    CHECK(strncmp(surge_last_error(), "NOHOLD", 6) == 0);
    CHECK_INT(surge_inv_reserve(s, "sku:A", 1, "o3", 600, &r), 0);
    bool released = false;
    CHECK_INT(surge_inv_release(s, "sku:A", "o3", &released), 0);
    CHECK(released);
    CHECK_INT(surge_inv_release(s, "sku:A", "o3", &released), 0);
    CHECK(!released);
    struct surge_inventory inv;
    CHECK_INT(surge_inv_get(s, "sku:A", &inv), 0);
    CHECK_INT(inv.available, 1);
    CHECK_INT(inv.held, 0);
    CHECK_INT(inv.sold, 2);
    OK("SET plain x");
    CHECK_INT(surge_inv_get(s, "plain", &inv), SURGE_EREPLY);
    CHECK(strncmp(surge_last_error(), "WRONGTYPE", 9) == 0);
    CHECK_INT(surge_inv_reserve(s, "sku:A", 0, "o4", 600, &r), -EINVAL);
    surge_free(&s);
}

static void test_throttle(void)
{
    struct surge *s = ct_pool(h_main.port, 1);
    struct surge_throttle_result t;
    for (int i = 0; i < 3; i++) {
        CHECK_INT(surge_throttle(s, "rl:k", 2, 1, 60, 1, &t), 0);
        CHECK(t.allowed);
        CHECK_INT(t.limit, 3);
        CHECK_INT(t.remaining, 2 - i);
        CHECK_INT(t.retry_after_s, -1);
    }
    CHECK_INT(surge_throttle(s, "rl:k", 2, 1, 60, 1, &t), 0);
    CHECK(!t.allowed);
    CHECK_INT(t.remaining, 0);
    CHECK(t.retry_after_s > 0 && t.retry_after_s <= 60);
    CHECK(t.reset_after_s > 0);
    CHECK_INT(surge_throttle(s, "rl:k", 2, 0, 60, 1, &t), SURGE_EREPLY);
    CHECK_STR(surge_last_error(), "ERR count per period must be greater than 0");
    surge_free(&s);
}

static void test_command_passthrough(void)
{
    struct surge *s = ct_pool(h_main.port, 1);
    redisReply *r;
    CHECK_INT(surge_command(s, &r, "SET %s %b", "bin", "a\0b", (size_t)3), 0);
    CHECK(r->type == REDIS_REPLY_STATUS);
    surge_reply_free(r);
    CHECK_INT(surge_command(s, &r, "STRLEN bin"), 0);
    CHECK_INT(r->integer, 3);
    surge_reply_free(r);
    CHECK_INT(surge_command(s, &r, "INCR bin"), 0); /* an error reply is a reply */
    CHECK(r->type == REDIS_REPLY_ERROR);
    surge_reply_free(r);
    const char *argv[] = {"HSET", "h", "f", "v"};
    CHECK_INT(surge_command_argv(s, &r, 4, argv, NULL), 0);
    CHECK_INT(r->integer, 1);
    surge_reply_free(r);
    surge_free(&s);
}

struct holder {
    struct surge *s;
    int rc;
};

static void *hold_connection(void *arg)
{
    struct holder *h = arg;
    redisReply *r = NULL;
    h->rc = surge_command(h->s, &r, "BLPOP never 1");
    surge_reply_free(r);
    return NULL;
}

/* All connections in use: a call waits checkout_timeout_ms, then fails. */
static void test_checkout_timeout(void)
{
    struct surge_options o = ct_options(h_main.port);
    o.pool_size = 1;
    o.checkout_timeout_ms = 100;
    struct surge *s = ct_pool_opts(&o);
    struct holder h = {s, 1};
    pthread_t t;
    pthread_create(&t, NULL, hold_connection, &h);
    CHECK(h_wait_blocked(1));
    struct surge_inventory inv;
    CHECK_INT(surge_inv_get(s, "x", &inv), -ETIMEDOUT);
    pthread_join(t, NULL);
    CHECK_INT(h.rc, 0);
    CHECK_INT(surge_inv_get(s, "x", &inv), 0); /* free again */
    surge_free(&s);
}

/* A command slower than command_timeout_ms fails with -ETIMEDOUT and is
 * not retried; the next call gets a fresh connection. */
static void test_command_timeout(void)
{
    struct surge_options o = ct_options(h_main.port);
    o.pool_size = 1;
    o.command_timeout_ms = 100;
    struct surge *s = ct_pool_opts(&o);
    redisReply *r = NULL;
    CHECK_INT(surge_command(s, &r, "DEBUG SLEEP 0.4"), -ETIMEDOUT);
    CHECK(r == NULL);
    h_sleep_ms(400);
    CHECK_INT(surge_command(s, &r, "PING"), 0);
    surge_reply_free(r);
    struct surge_stats st;
    surge_stats_get(s, &st);
    CHECK_INT(st.connects, 2);
    CHECK_INT(st.reconnects, 0);
    surge_free(&s);
}

/* The server restarts: pooled connections are dead; the next command is
 * retried once on a new connection and succeeds. While it is down, calls
 * fail fast with a connection error (and do not kill us with SIGPIPE). */
static void test_reconnect_after_restart(void)
{
    struct surge *s = ct_pool(h_main.port, 2);
    struct ct_loader l = {0};
    struct surge_result r;
    CHECK_INT(surge_get_or_load(s, "k:r", ct_load, &l, NULL, &r), 0);
    surge_result_free(&r);
    redisFree(T);
    T = NULL;
    CHECK_INT(h_server_restart(&h_main, NULL), 0);
    CHECK_INT(surge_get_or_load(s, "k:r", ct_load, &l, NULL, &r), 0);
    CHECK_INT(r.source, SURGE_SRC_LOADED); /* the cache did not persist */
    surge_result_free(&r);
    struct surge_stats st;
    surge_stats_get(s, &st);
    CHECK(st.reconnects >= 1);
    /* Down: stopped by PID (h_server_restart starts it again, same port). */
    kill(h_main.pid, SIGTERM);
    waitpid(h_main.pid, NULL, 0);
    h_main.pid = 0;
    struct surge_inventory inv;
    int rc = surge_inv_get(s, "x", &inv);
    CHECK(rc == -ECONNREFUSED || rc == -ECONNRESET);
    CHECK_INT(h_server_restart(&h_main, NULL), 0);
    CHECK_INT(surge_inv_get(s, "x", &inv), 0);
    surge_free(&s);
}

CASES_DEFINE(ct_ops_cases,
    TEST(test_inventory),
    TEST(test_throttle),
    TEST(test_command_passthrough),
    TEST(test_checkout_timeout),
    TEST(test_command_timeout),
    TEST(test_reconnect_after_restart),
);
