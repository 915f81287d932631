/* flashsale - a flash sale against three caches, measured and drawn.
 *
 * The same shoppers, request mix and origin, three ways:
 *   1. redis-server, cache-aside (GET, miss -> origin -> SETEX; GET-check-DECR)
 *   2. surge-server, the same cache-aside
 *   3. surge-server with leases, stale-while-revalidate and inventory holds
 * Each way gets a fresh server (no persistence, a free loopback port,
 * stopped by PID). The origin is a RESP service in this process with a
 * latency and a concurrency cap; it counts every call.
 *
 * Usage: flashsale [--duration S] [--shoppers N] [--out DIR] [options]
 * (flashsale --help lists them). Writes DIR/summary.json, report.html and
 * PNG charts; prints a progress line per second and a summary table.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "tools/flashsale/origin.h"
#include "tools/flashsale/procs.h"
#include "tools/flashsale/report.h"
#include "tools/flashsale/shoppers.h"
#include "tools/flashsale/util.h"

#define TAIL_SECS 10 /* per-second series past the duration: stragglers */

struct opt_row {
    const char *name;
    char type; /* 'i' int, 'd' double, 's' string */
    void *dst;
    const char *help;
};

static void usage(const struct opt_row *rows, int n)
{
    printf("usage: flashsale [options]\n");
    for (int i = 0; i < n; i++) {
        printf("  --%-20s %s\n", rows[i].name, rows[i].help);
    }
}

static int parse_opts(int argc, char **argv, struct fs_config *cfg, const char **ways)
{
    int seed = (int)cfg->seed;
    const struct opt_row rows[] = {
        {"duration", 'd', &cfg->duration_s, "seconds per way (50)"},
        {"shoppers", 'i', &cfg->shoppers, "concurrent shoppers, one connection each (2000)"},
        {"think-ms", 'i', &cfg->think_ms, "mean pause between a shopper's requests (500)"},
        {"catalog", 'i', &cfg->catalog, "products on sale (100)"},
        {"zipf", 'd', &cfg->zipf_s, "Zipf exponent of product popularity (1.4)"},
        {"stock", 'i', &cfg->stock, "units of the limited SKU (500)"},
        {"hold", 'i', &cfg->hold_s, "seconds a reservation holds its unit (5)"},
        {"buyers", 'i', &cfg->buyer_pct, "percent of shoppers who try to buy it (50)"},
        {"confirm", 'i', &cfg->confirm_pct, "percent of holders who pay (70)"},
        {"sale-open-ms", 'i', &cfg->sale_open_ms, "when the limited SKU goes on sale (2000)"},
        {"latency-ms", 'i', &cfg->latency_ms, "origin latency per call (30)"},
        {"origin-concurrency", 'i', &cfg->max_concurrent, "origin calls served at once (32)"},
        {"seed", 'i', &seed, "random seed (1)"},
        {"ways", 's', ways, "ways to run, e.g. 1,3 (1,2,3)"},
        {"out", 's', &cfg->out_dir, "report directory (flashsale-report)"},
        {"surge", 's', &cfg->surge_bin, "surge-server binary (build/surge-server)"},
        {"redis", 's', &cfg->redis_bin, "redis-server binary (redis-server from PATH)"},
    };
    int nrows = (int)(sizeof(rows) / sizeof(rows[0]));
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(rows, nrows);
            exit(0);
        }
        int k = 0;
        while (k < nrows && (strncmp(argv[i], "--", 2) != 0 || strcmp(argv[i] + 2, rows[k].name)))
        {
            k++;
        }
        if (k == nrows || i + 1 >= argc) {
            fprintf(stderr, "flashsale: bad option '%s' (try --help)\n", argv[i]);
            return -EINVAL;
        }
        const char *v = argv[++i];
        if (rows[k].type == 'i') {
            *(int *)rows[k].dst = atoi(v);
        } else if (rows[k].type == 'd') {
            *(double *)rows[k].dst = atof(v);
        } else {
            *(const char **)rows[k].dst = v;
        }
    }
    cfg->seed = (unsigned)seed;
    return 0;
}

static int check_config(const struct fs_config *c)
{
    if (c->duration_s < 1 || c->duration_s > 3600 || c->shoppers < 1 || c->shoppers > 5000 ||
        c->think_ms < 1 || c->catalog < FS_HOT_PRODUCTS || c->catalog > 1000000 ||
        c->stock < 0 || c->hold_s < 1 || c->sale_open_ms < 0 || c->latency_ms < 0 || c->max_concurrent < 1 ||
        c->buyer_pct < 0 || c->buyer_pct > 100 || c->confirm_pct < 0 || c->confirm_pct > 100) {
        fprintf(stderr, "flashsale: option out of range (duration 1..3600, shoppers 1..5000, "
                        "catalog >= %d, hold >= 1, percents 0..100)\n", FS_HOT_PRODUCTS);
        return -EINVAL;
    }
    return 0;
}

/* Room for the shoppers' connections (cache and origin, both ends). */
static void raise_fd_limit(int shoppers)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)shoppers * 3 + 64) {
        fprintf(stderr, "flashsale: warning: %llu file descriptors may be too few for %d "
                        "shoppers\n", (unsigned long long)rl.rlim_cur, shoppers);
    }
}

/* ---- one way ---- */

struct way_ctx {
    struct origin *origin;
    struct way_result *res;
    enum fs_way way;
    uint64_t last_calls, last_requests;
};

/* Second 0: the clock starts (the origin's too); then a line a second. */
static void progress(void *arg, const struct shop_run *run, int sec)
{
    struct way_ctx *w = arg;
    if (sec == 0) {
        origin_new_epoch(w->origin, run->t0_us);
        return;
    }
    struct origin_counters oc;
    origin_counters(w->origin, &oc);
    const struct way_stats *st = &w->res->st;
    uint64_t req = 0;
    for (int s = 0; s < sec && s < st->nsecs; s++) {
        req += st->secs[s].requests;
    }
    const struct st_second *last = &st->secs[sec - 1 < st->nsecs ? sec - 1 : st->nsecs - 1];
    printf("[%s] %3ds  requests/s %5llu  origin calls/s %5llu  queued %4d  p99 %8.1f ms  "
           "errors %llu  holds %llu  sold %llu\n",
           fs_way_names[w->way], sec, (unsigned long long)(req - w->last_requests),
           (unsigned long long)(oc.calls - w->last_calls), oc.queued,
           st_quantile_ms(last->hist, 0.99), (unsigned long long)st->c.errors,
           (unsigned long long)st->c.holds, (unsigned long long)st->c.confirmed);
    fflush(stdout);
    w->last_calls = oc.calls;
    w->last_requests = req;
}

static int run_way(const struct fs_config *cfg, enum fs_way way, struct origin *origin,
                   int origin_port, const struct workload *wl, struct way_result *res)
{
    char dir[] = "/tmp/flashsale.XXXXXX", log[64];
    if (mkdtemp(dir) == NULL) {
        return -errno;
    }
    snprintf(log, sizeof(log), "%s/server.log", dir);
    struct server_proc srv;
    const char *bin = way == WAY_REDIS_NAIVE ? cfg->redis_bin : cfg->surge_bin;
    int rc = server_proc_start(&srv, bin, dir, log, way == WAY_REDIS_NAIVE);
    if (rc < 0) {
        fprintf(stderr, "flashsale: cannot start %s (%s); see %s\n", bin, strerror(-rc), log);
        return rc;
    }
    int nsecs = (int)cfg->duration_s + TAIL_SECS;
    struct way_ctx ctx = {origin, res, way, 0, 0};
    struct shop_run run = {.cfg = cfg, .way = way, .cache_port = srv.port,
                           .origin_port = origin_port, .wl = wl, .st = &res->st,
                           .tick = progress, .tick_arg = &ctx};
    rc = way_stats_init(&res->st, nsecs);
    if (rc == 0) {
        rc = shop_run(&run, &res->inv);
    }
    server_proc_stop(&srv);
    unlink(log);
    rmdir(dir);
    return rc;
}

static int summarize_way(const struct fs_config *cfg, struct origin *origin,
                         struct way_result *res)
{
    struct origin_call *calls;
    size_t n, dropped;
    struct origin_counters oc;
    origin_counters(origin, &oc);
    res->origin_max_queued = oc.max_queued;
    res->duration_s = cfg->duration_s;
    int rc = origin_log_copy(origin, &calls, &n, &dropped);
    if (rc == 0) {
        rc = origin_summarize(calls, n, dropped, res->st.nsecs, cfg->duration_s, &res->os);
        free(calls);
    }
    if (rc == 0) {
        rc = report_way_latency(res, res->st.nsecs);
    }
    res->ran = rc == 0;
    return rc;
}

/* ---- main ---- */

static void set_defaults(struct fs_config *c)
{
    *c = (struct fs_config){.shoppers = 2000, .duration_s = 50, .think_ms = 500,
                            .catalog = 100, .zipf_s = 1.4, .stock = 500, .hold_s = 5,
                            .buyer_pct = 50, .confirm_pct = 70, .sale_open_ms = 2000,
                            .latency_ms = 30, .max_concurrent = 32, .seed = 1,
                            .out_dir = "flashsale-report", .surge_bin = "build/surge-server",
                            .redis_bin = "redis-server"};
}

static int run_all(const struct fs_config *cfg, const char *ways, struct run_report *rep)
{
    struct origin_opts oo = {cfg->latency_ms, 20, cfg->max_concurrent, 4000000};
    struct origin *origin;
    int port, rc = origin_start(&oo, &origin, &port);
    struct workload wl;
    if (rc < 0 || (rc = workload_init(&wl, (uint32_t)cfg->catalog, cfg->zipf_s)) < 0) {
        fprintf(stderr, "flashsale: cannot start the origin (%s)\n", strerror(-rc));
        origin_stop(&origin);
        return rc;
    }
    for (int w = 0; w < WAY_COUNT && rc == 0; w++) {
        if (strchr(ways, '1' + w) == NULL) {
            continue;
        }
        printf("== way %d: %s\n", w + 1, fs_way_titles[w]);
        rc = run_way(cfg, (enum fs_way)w, origin, port, &wl, &rep->ways[w]);
        if (rc == 0) {
            rc = summarize_way(cfg, origin, &rep->ways[w]);
        }
    }
    workload_deinit(&wl);
    origin_stop(&origin);
    return rc;
}

int main(int argc, char **argv)
{
    struct fs_config cfg;
    const char *ways = "1,2,3";
    set_defaults(&cfg);
    if (parse_opts(argc, argv, &cfg, &ways) < 0 || check_config(&cfg) < 0) {
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    raise_fd_limit(cfg.shoppers);
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct run_report rep = {.cfg = &cfg, .nsecs = (int)cfg.duration_s};
    int rc = run_all(&cfg, ways, &rep);
    if (rc == 0) {
        report_table(&rep, stdout);
        rc = report_write(&rep, cfg.out_dir);
        if (rc < 0) {
            fprintf(stderr, "flashsale: cannot write the report to %s (%s)\n", cfg.out_dir,
                    strerror(-rc));
        } else {
            printf("report: %s/report.html, %s/summary.json, %s/flashsale.png\n", cfg.out_dir,
                   cfg.out_dir, cfg.out_dir);
        }
    }
    for (int w = 0; w < WAY_COUNT; w++) {
        way_stats_deinit(&rep.ways[w].st);
        origin_summary_deinit(&rep.ways[w].os);
        free(rep.ways[w].p99_by_sec);
    }
    return rc == 0 ? 0 : 1;
}
