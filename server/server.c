/* server.c - the global, start-up, the timers and shutdown. */
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "persistence/aof.h"
#include "replication/repl.h"
#include "server/blocking.h"
#include "server/cache_policy.h"
#include "server/cmd.h"
#include "server/config.h"
#include "server/conn.h"
#include "server/cmd_cache.h"
#include "server/evict.h"
#include "server/lazyfree.h"
#include "server/propagate.h"
#include "server/log.h"
#include "server/mem.h"
#include "server/util.h"

struct server server;
static struct config server_config;

/* Active expiry: how often and how long per run. Micro-cache keys must go
 * soon after their deadline, at a bounded share of the loop. */
#define EXPIRE_PERIOD_MS 10
#define EXPIRE_BUDGET_US 2000
#define EXPIRE_CHUNK 256
/* AOF loading at start-up: work per slice between client events. */
#define AOF_LOAD_SLICE_US 20000

int64_t server_ustime(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

int64_t server_mstime(void)
{
    return server_ustime() / 1000;
}

void server_update_time(void)
{
    server.now_ms = server_mstime();
}

void server_request_shutdown(int exit_code)
{
    server.exit_code = exit_code;
    server.shutdown_asap = 1;
    uv_stop(server.loop);
}

static void server_on_check(uv_check_t *h)
{
    (void)h;
    repl_before_sleep();
    aof_before_replies();
    conn_flush_all();
    if (server.shutdown_asap) {
        uv_stop(server.loop);
    }
}

static void server_sample_ops(void)
{
    struct server_stats *st = &server.stats;
    int64_t dt = server.now_ms - st->ops_last_ms;
    if (dt <= 0) {
        return;
    }
    uint64_t ops = (st->total_commands - st->ops_last_total) * 1000 / (uint64_t)dt;
    st->ops_samples[st->ops_idx++ % 16] = ops;
    st->ops_last_total = st->total_commands;
    st->ops_last_ms = server.now_ms;
}

static void server_on_cron(uv_timer_t *t)
{
    (void)t;
    server_update_time();
    server_sample_ops();
    for (int i = 0; i < server.ndbs; i++) {
        db_cron(&server.dbs[i], 1);
    }
    conn_cron();
    aof_cron();
    repl_cron();
    if (!(repl_is_replica() && server.cfg->replica_ignore_maxmemory)) {
        evict_perform(); /* what a command's budget left over */
    }
}

static void server_on_expire(uv_timer_t *t)
{
    (void)t;
    server_update_time();
    cache_timeouts();
    if (server.loading || repl_is_replica()) {
        blocking_timeouts(server.now_ms);
        return; /* a replica's keys expire by its primary's DELs */
    }
    int64_t start = server_ustime();
    int64_t deadline = start + EXPIRE_BUDGET_US;
    for (int i = 0; i < server.ndbs; i++) {
        struct db *db = &server.dbs[i];
        while (expire_index_behind(&db->expires, server.now_ms)) {
            db_active_expire(db, server.now_ms, EXPIRE_CHUNK);
            if (server_ustime() >= deadline) {
                break;
            }
        }
        if (!expire_index_behind(&db->expires, server.now_ms)) {
            /* Keep an idle index's clock current (cheap when empty). */
            db_active_expire(db, server.now_ms, 0);
        }
    }
    blocking_timeouts(server.now_ms);
    db_zset_repack(server_ustime() + EXPIRE_BUDGET_US / 2);
    server.stats.active_expire_cycles++;
    server.stats.active_expire_time_us += (uint64_t)(server_ustime() - start);
}

void server_cron_reschedule(int hz)
{
    uint64_t period = (uint64_t)(1000 / (hz > 0 ? hz : 10));
    uv_timer_start(&server.cron_timer, server_on_cron, period, period);
}

/* Load the AOF in slices; clients are answered (-LOADING) in between. */
static void server_on_load(uv_idle_t *h)
{
    int rc = aof_load_step(AOF_LOAD_SLICE_US);
    if (rc != 0) {
        uv_idle_stop(h);
        uv_close((uv_handle_t *)h, NULL);
    }
    if (rc < 0) {
        log_warning("Fatal error loading the AOF: exiting");
        server_request_shutdown(1);
    }
}

static void server_on_signal(uv_signal_t *s, int signum)
{
    (void)s;
    log_warning("Received %s scheduling shutdown...", signum == SIGINT ? "SIGINT" : "SIGTERM");
    server_request_shutdown(0);
}

static void server_make_run_id(void)
{
    unsigned char raw[20];
    util_random_hex(server.run_id, raw, sizeof(raw));
    uint64_t s0, s1;
    memcpy(&s0, raw, 8);
    memcpy(&s1, raw + 8, 8);
    dict_set_hash_seed(s0, s1);
}

static int server_daemonize(void)
{
    pid_t pid = fork();
    if (pid < 0) {
        return -errno;
    }
    if (pid > 0) {
        _exit(0);
    }
    setsid();
    int fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) {
            close(fd);
        }
    }
    return 0;
}

static void server_write_pidfile(void)
{
    const char *path = server.cfg->pidfile;
    if (path[0] == '\0') {
        return;
    }
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        log_warning("Failed to write PID file: %s", strerror(errno));
        return;
    }
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
}

/* Parse Redis-style arguments: [config-file] [--name value ...]. */
static int server_parse_args(int argc, char **argv)
{
    const char *path = NULL;
    int first = 1;
    if (argc >= 2 && (strcmp(argv[1], "-v") == 0 || strcmp(argv[1], "--version") == 0)) {
        printf("Surge server v=%s (Redis %s compatible) malloc=jemalloc\n", SURGE_VERSION,
               SURGE_REDIS_VERSION);
        exit(0);
    }
    if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("Usage: surge-server [/path/to/redis.conf] [--name value ...]\n"
               "       surge-server -v | --version\n"
               "Example: surge-server --port 6380 --bind 127.0.0.1 --loglevel verbose\n");
        exit(0);
    }
    if (argc >= 2 && (strncmp(argv[1], "--", 2) != 0 || strcmp(argv[1], "-") == 0)) {
        path = argv[1];
        first = 2;
        if (realpath(path, server.config_file) == NULL) {
            snprintf(server.config_file, sizeof(server.config_file), "%s", path);
        }
    }
    return config_load(server.cfg, path, argc - first, argv + first);
}

/* The policies of cache-policy-file; a file that doesn't exist yet is an
 * empty table (CACHE.POLICY SAVE creates it), a bad one stops the start. */
static int server_load_cache_policies(void)
{
    const char *path = server.cfg->cache_policy_file;
    char err[256];
    if (path[0] == '\0') {
        return 0;
    }
    int rc = cache_policy_load_file(path, err, sizeof(err));
    if (rc == -ENOENT) {
        log_notice("Cache policy file %s doesn't exist yet: starting with no policies", path);
        return 0;
    }
    if (rc < 0) {
        log_warning("Bad cache policy file %s: %s", path, err);
        return rc;
    }
    log_notice("Cache policies loaded from %s: %zu", path, cache_policy_count());
    return 0;
}

int server_init(int argc, char **argv)
{
    mem_hook_libraries();
    mem_thread_register();
    server.cfg = &server_config;
    config_init(server.cfg);
    if (realpath("/proc/self/exe", server.executable) == NULL) {
        snprintf(server.executable, sizeof(server.executable), "%s", argv[0]);
    }
    if (server_parse_args(argc, argv) < 0) {
        return -EINVAL;
    }
    if (server.cfg->daemonize && server_daemonize() < 0) {
        return -errno;
    }
    log_configure(server.cfg->loglevel, server.cfg->logfile);
    if (server.cfg->dir[0] != '\0' && chdir(server.cfg->dir) != 0) {
        log_warning("Can't chdir to '%s': %s", server.cfg->dir, strerror(errno));
        return -errno;
    }
    server.pid = getpid();
    server_update_time();
    server.start_ms = server.now_ms;
    server.start_mono_ms = (int64_t)(uv_hrtime() / 1000000);
    server.stats.ops_last_ms = server.now_ms;
    server_make_run_id();
    cmd_table_init();
    server.loop = uv_default_loop();
    server.ndbs = (int)server.cfg->databases;
    server.dbs = mem_calloc(sizeof(struct db) * (size_t)server.ndbs);
    for (int i = 0; i < server.ndbs; i++) {
        db_init(&server.dbs[i], i, server.now_ms);
    }
    lazyfree_start();
    prop_set_feeds(aof_feed, repl_feed);
    repl_init();
    if (server_load_cache_policies() < 0) {
        return -EINVAL;
    }
    if (aof_startup() < 0) {
        return -EIO;
    }
    const char *err = NULL;
    if (server_listen(&err) < 0) {
        log_warning("%s", err);
        return -EADDRINUSE;
    }
    server_write_pidfile();
    log_notice("Surge %s (Redis %s compatible), pid=%d, port=%lld: ready to accept connections",
               SURGE_VERSION, SURGE_REDIS_VERSION, (int)server.pid, server.cfg->port);
    return 0;
}

int server_run(void)
{
    uv_check_init(server.loop, &server.flush_check);
    uv_check_start(&server.flush_check, server_on_check);
    uv_timer_init(server.loop, &server.cron_timer);
    server_cron_reschedule((int)server.cfg->hz);
    uv_timer_init(server.loop, &server.expire_timer);
    uv_timer_start(&server.expire_timer, server_on_expire, EXPIRE_PERIOD_MS, EXPIRE_PERIOD_MS);
    uv_signal_init(server.loop, &server.sig_term);
    uv_signal_start(&server.sig_term, server_on_signal, SIGTERM);
    uv_signal_init(server.loop, &server.sig_int);
    uv_signal_start(&server.sig_int, server_on_signal, SIGINT);
    signal(SIGPIPE, SIG_IGN);
    if (server.loading) {
        uv_idle_init(server.loop, &server.load_idle);
        uv_idle_start(&server.load_idle, server_on_load);
    }
    if (server.cfg->replicaof[0] != '\0') {
        const char *err;
        repl_apply_replicaof(server.cfg->replicaof, &err);
    }
    uv_run(server.loop, UV_RUN_DEFAULT);
    return server.exit_code;
}

static void server_close_handle(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h)) {
        uv_close(h, NULL);
    }
}

void server_teardown(void)
{
    log_warning("Surge is now ready to exit, bye bye...");
    conn_shutdown();
    uv_walk(server.loop, server_close_handle, NULL);
    uv_run(server.loop, UV_RUN_DEFAULT);
    if (uv_loop_close(server.loop) != 0) {
        log_warning("Event loop still had open handles at exit");
    }
    repl_shutdown(); /* records the offset the AOF is at, then the AOF closes */
    aof_shutdown();
    lazyfree_stop();
    for (int i = 0; i < server.ndbs; i++) {
        db_deinit(&server.dbs[i]);
    }
    db_zset_pending_deinit();
    mem_free(server.dbs);
    if (server.cfg->pidfile[0] != '\0') {
        unlink(server.cfg->pidfile);
    }
    config_deinit(server.cfg);
}
