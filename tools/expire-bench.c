/* expire-bench - how promptly a server reclaims keys with short TTLs.
 *
 * Writes N keys (default 1,000,000) with random TTLs in [min, max] ms
 * (default 1000..5000) at full speed over a pipelined connection, keeping
 * each key's deadline. A sampler polls DBSIZE every ~50 ms until max TTL +
 * 6 s; since it knows the deadlines, it can bound how many expired keys are
 * still held L ms after their deadline:
 *     held_late(t, L) <= DBSIZE(t) - alive(t) - #(deadline in (t-L, t])
 * reported for L = 100 ms, 1 s and 5 s as the maximum over samples, also as
 * a share of the keys whose deadline is <= t-L. A probe thread with its own
 * connection sends GET of a missing key in a loop and records latency.
 *
 * Usage: expire-bench [-h host] [-p port] [-n keys] [--min-ms A] [--max-ms B]
 */
#include <hiredis.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 1000
#define PROBE_MAX_SAMPLES 2000000

struct opts {
    const char *host;
    int port;
    long keys;
    long min_ms, max_ms;
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static redisContext *connect_or_die(const struct opts *o)
{
    struct timeval tv = {10, 0};
    redisContext *c = redisConnectWithTimeout(o->host, o->port, tv);
    if (c == NULL || c->err) {
        fprintf(stderr, "expire-bench: cannot connect to %s:%d\n", o->host, o->port);
        exit(1);
    }
    redisSetTimeout(c, tv);
    return c;
}

/* ---- latency probe ---- */

struct probe {
    const struct opts *o;
    volatile bool stop;
    double *samples;
    long n;
    double max_ms;
};

static void *probe_main(void *arg)
{
    struct probe *p = arg;
    redisContext *c = connect_or_die(p->o);
    while (!p->stop && p->n < PROBE_MAX_SAMPLES) {
        int64_t t0 = now_us();
        redisReply *r = redisCommand(c, "GET expire-bench:probe:missing");
        double ms = (double)(now_us() - t0) / 1000.0;
        freeReplyObject(r);
        p->samples[p->n++] = ms;
        if (ms > p->max_ms) {
            p->max_ms = ms;
        }
        struct timespec ts = {0, 200000}; /* 0.2 ms between probes */
        nanosleep(&ts, NULL);
    }
    redisFree(c);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Number of sorted deadlines <= t. */
static long count_le(const int64_t *d, long n, int64_t t)
{
    long lo = 0, hi = n;
    while (lo < hi) {
        long mid = (lo + hi) / 2;
        if (d[mid] <= t) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

struct sample {
    int64_t t_ms;
    long dbsize;
};

static void write_keys(redisContext *c, const struct opts *o, int64_t *deadline)
{
    srand((unsigned)now_us());
    for (long i = 0; i < o->keys; i += BATCH) {
        long end = i + BATCH < o->keys ? i + BATCH : o->keys;
        for (long k = i; k < end; k++) {
            long ttl = o->min_ms + rand() % (o->max_ms - o->min_ms + 1);
            deadline[k] = now_us() / 1000 + ttl;
            redisAppendCommand(c, "SET eb:%ld x PX %ld", k, ttl);
        }
        for (long k = i; k < end; k++) {
            redisReply *r;
            if (redisGetReply(c, (void **)&r) != REDIS_OK) {
                fprintf(stderr, "expire-bench: write failed\n");
                exit(1);
            }
            freeReplyObject(r);
        }
    }
}

static void parse_args(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){"127.0.0.1", 6379, 1000000, 1000, 5000};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "-h") == 0) {
            o->host = argv[i + 1];
        } else if (strcmp(argv[i], "-p") == 0) {
            o->port = atoi(argv[i + 1]);
        } else if (strcmp(argv[i], "-n") == 0) {
            o->keys = atol(argv[i + 1]);
        } else if (strcmp(argv[i], "--min-ms") == 0) {
            o->min_ms = atol(argv[i + 1]);
        } else if (strcmp(argv[i], "--max-ms") == 0) {
            o->max_ms = atol(argv[i + 1]);
        } else {
            fprintf(stderr, "usage: expire-bench [-h host] [-p port] [-n keys] "
                            "[--min-ms A] [--max-ms B]\n");
            exit(2);
        }
    }
    if (o->keys <= 0 || o->min_ms <= 0 || o->max_ms < o->min_ms) {
        fprintf(stderr, "expire-bench: bad arguments\n");
        exit(2);
    }
}

int main(int argc, char **argv)
{
    struct opts o;
    parse_args(argc, argv, &o);
    redisContext *c = connect_or_die(&o);
    freeReplyObject(redisCommand(c, "FLUSHALL"));
    int64_t *deadline = malloc(sizeof(int64_t) * (size_t)o.keys);
    struct probe probe = {&o, false, malloc(sizeof(double) * PROBE_MAX_SAMPLES), 0, 0};
    pthread_t tid;
    pthread_create(&tid, NULL, probe_main, &probe);

    int64_t t_start = now_us();
    write_keys(c, &o, deadline);
    double write_s = (double)(now_us() - t_start) / 1e6;
    qsort(deadline, (size_t)o.keys, sizeof(int64_t), cmp_i64);

    long cap = (o.max_ms + 6000) / 50 + 1000, ns = 0;
    struct sample *s = malloc(sizeof(*s) * (size_t)cap);
    int64_t end_ms = deadline[o.keys - 1] + 6000;
    while (now_us() / 1000 < end_ms && ns < cap) {
        redisReply *r = redisCommand(c, "DBSIZE");
        s[ns].t_ms = now_us() / 1000;
        s[ns].dbsize = r != NULL && r->type == REDIS_REPLY_INTEGER ? (long)r->integer : -1;
        freeReplyObject(r);
        ns++;
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
    }
    probe.stop = true;
    pthread_join(tid, NULL);

    static const int64_t lags[] = {100, 1000, 5000};
    printf("keys %ld, TTL %ld..%ld ms, written in %.2f s (%.0f keys/s), %ld DBSIZE samples\n",
           o.keys, o.min_ms, o.max_ms, write_s, (double)o.keys / write_s, ns);
    double pct[3];
    long worst[3];
    for (int l = 0; l < 3; l++) {
        worst[l] = 0;
        long base = 1;
        for (long i = 0; i < ns; i++) {
            long expired = count_le(deadline, o.keys, s[i].t_ms);
            long late = count_le(deadline, o.keys, s[i].t_ms - lags[l]);
            long held = s[i].dbsize - (o.keys - expired) - (expired - late);
            if (held > worst[l]) {
                worst[l] = held;
                base = late > 0 ? late : 1;
            }
        }
        pct[l] = 100.0 * (double)worst[l] / (double)base;
        printf("expired keys still held %5lld ms after deadline: max %ld (%.2f%%)\n",
               (long long)lags[l], worst[l], pct[l]);
    }
    qsort(probe.samples, (size_t)probe.n, sizeof(double), cmp_double);
    double p99 = probe.n > 0 ? probe.samples[(size_t)((double)probe.n * 0.99)] : 0;
    printf("probe: %ld requests, p99 %.2f ms, max %.2f ms\n", probe.n, p99, probe.max_ms);
    printf("expire-bench: held>100ms max=%ld (%.2f%%), held>1s max=%ld (%.2f%%), "
           "held>5s max=%ld (%.2f%%), probe p99=%.2f ms max=%.2f ms\n",
           worst[0], pct[0], worst[1], pct[1], worst[2], pct[2], p99, probe.max_ms);
    free(s);
    free(deadline);
    free(probe.samples);
    redisFree(c);
    return 0;
}
