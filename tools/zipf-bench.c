/* zipf-bench - cache-aside hit ratio of a server under maxmemory, with a
 * Zipf-distributed key stream.
 *
 * The key universe is N keys "zipf:%08u" (default 1,000,000). Each key has a
 * value whose length (in [vmin, vmax], default 100..400 bytes) and contents
 * are a function of the key alone, so every run and every server stores the
 * same bytes. Key popularity follows Zipf(s) (default s = 0.99): rank r in
 * 1..N is drawn with probability proportional to 1/r^s, and ranks map to key
 * ids by a fixed bijection so the popular keys are spread over the names.
 *
 * Each of C connections (one thread each, default 4) draws its own seeded
 * stream (seed, connection number) and works in batches of P requests
 * (default 64): one write carries the SETs that fill the previous batch's
 * misses (the "origin load") followed by this batch's GETs, so a miss is
 * filled before the connection's next batch is sent. A hit's value is
 * checked against the expected bytes. After W warm-up requests in all (the
 * connections then wait for each other), the next M requests are counted.
 *
 * Prints one line:
 *   zipf-bench: keys=N s=S warmup=W requests=M hits=H hit_ratio=R sets=F
 *               set_errors=E bad_values=B seconds=T rps=Q
 *
 * Usage: zipf-bench [-h host] [-p port] [-n keys] [-s zipf-s] [-c conns]
 *                   [-P pipeline] [--warmup W] [--requests M] [--seed X]
 *                   [--vmin A] [--vmax B]
 */
#include <hiredis.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEY_MAX 32
#define VALUE_POOL 8192
#define MAX_CONNS 64
#define MAX_PIPELINE 4096

struct opts {
    const char *host;
    int port;
    long keys;
    double s;
    int conns;
    int pipeline;
    long warmup, requests;
    uint64_t seed;
    long vmin, vmax;
};

/* Shared, read-only once the workers start. */
struct universe {
    const struct opts *o;
    double *cdf;       /* cdf[r] = P(rank <= r + 1) */
    uint64_t mult;     /* rank -> id: (r * mult + 7) mod N, mult coprime with N */
    char pool[VALUE_POOL];
};

struct counts {
    long gets, hits, sets, set_errors, bad_values;
};

struct worker {
    const struct universe *u;
    int id;
    pthread_barrier_t *barrier;
    uint64_t rng;
    struct counts warm, measured;
    int failed;
};

static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t mix64(uint64_t x)
{
    return splitmix64(&x);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t gcd64(uint64_t a, uint64_t b)
{
    while (b != 0) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static int universe_init(struct universe *u, const struct opts *o)
{
    u->o = o;
    u->cdf = malloc(sizeof(double) * (size_t)o->keys);
    if (u->cdf == NULL) {
        return -1;
    }
    double sum = 0;
    for (long r = 0; r < o->keys; r++) {
        sum += 1.0 / pow((double)(r + 1), o->s);
        u->cdf[r] = sum;
    }
    for (long r = 0; r < o->keys; r++) {
        u->cdf[r] /= sum;
    }
    u->cdf[o->keys - 1] = 1.0;
    u->mult = 2654435761ULL % (uint64_t)o->keys;
    while (u->mult == 0 || gcd64(u->mult, (uint64_t)o->keys) != 1) {
        u->mult++;
    }
    uint64_t st = 0x5eed;
    for (int i = 0; i < VALUE_POOL; i++) {
        u->pool[i] = (char)('!' + splitmix64(&st) % 94);
    }
    return 0;
}

/* A Zipf-drawn key id. */
static uint64_t draw_key(const struct universe *u, uint64_t *rng)
{
    double x = (double)(splitmix64(rng) >> 11) * 0x1.0p-53;
    long lo = 0, hi = u->o->keys - 1;
    while (lo < hi) {
        long mid = (lo + hi) / 2;
        if (u->cdf[mid] < x) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return ((uint64_t)lo * u->mult + 7) % (uint64_t)u->o->keys;
}

static const char *value_of(const struct universe *u, uint64_t id, size_t *len)
{
    uint64_t h = mix64(id ^ 0xa0761d6478bd642fULL);
    *len = (size_t)(u->o->vmin + (long)(h % (uint64_t)(u->o->vmax - u->o->vmin + 1)));
    return u->pool + (h >> 32) % (uint64_t)(VALUE_POOL - u->o->vmax);
}

static size_t key_of(uint64_t id, char *buf)
{
    return (size_t)snprintf(buf, KEY_MAX, "zipf:%08llu", (unsigned long long)id);
}

/* RESP for GET or SET, appended to out at *len (the buffer is large enough). */
static void put_cmd(char *out, size_t *len, const struct universe *u, uint64_t id, bool set)
{
    char key[KEY_MAX];
    size_t klen = key_of(id, key);
    if (!set) {
        *len += (size_t)sprintf(out + *len, "*2\r\n$3\r\nGET\r\n$%zu\r\n%s\r\n", klen, key);
        return;
    }
    size_t vlen;
    const char *v = value_of(u, id, &vlen);
    *len += (size_t)sprintf(out + *len, "*3\r\n$3\r\nSET\r\n$%zu\r\n%s\r\n$%zu\r\n", klen, key,
                            vlen);
    memcpy(out + *len, v, vlen);
    *len += vlen;
    memcpy(out + *len, "\r\n", 2);
    *len += 2;
}

struct batch {
    uint64_t get_ids[MAX_PIPELINE];
    uint64_t miss_ids[MAX_PIPELINE];
    int nmiss;
    char *buf;
};

/* One round trip: the pending fills, then n GETs. -1 on a connection error. */
static int run_batch(redisContext *c, struct worker *w, struct batch *b, int n, struct counts *k)
{
    size_t len = 0;
    for (int i = 0; i < b->nmiss; i++) {
        put_cmd(b->buf, &len, w->u, b->miss_ids[i], true);
    }
    for (int i = 0; i < n; i++) {
        b->get_ids[i] = draw_key(w->u, &w->rng);
        put_cmd(b->buf, &len, w->u, b->get_ids[i], false);
    }
    if (redisAppendFormattedCommand(c, b->buf, len) != REDIS_OK) {
        return -1;
    }
    for (int i = 0; i < b->nmiss; i++) {
        redisReply *r;
        if (redisGetReply(c, (void **)&r) != REDIS_OK) {
            return -1;
        }
        k->sets++;
        k->set_errors += r->type != REDIS_REPLY_STATUS;
        freeReplyObject(r);
    }
    b->nmiss = 0;
    for (int i = 0; i < n; i++) {
        redisReply *r;
        if (redisGetReply(c, (void **)&r) != REDIS_OK) {
            return -1;
        }
        k->gets++;
        if (r->type == REDIS_REPLY_STRING) {
            size_t vlen;
            const char *v = value_of(w->u, b->get_ids[i], &vlen);
            k->hits++;
            k->bad_values += r->len != vlen || memcmp(r->str, v, vlen) != 0;
        } else {
            k->bad_values += r->type != REDIS_REPLY_NIL;
            b->miss_ids[b->nmiss++] = b->get_ids[i];
        }
        freeReplyObject(r);
    }
    return 0;
}

static int run_phase(redisContext *c, struct worker *w, struct batch *b, long n,
                     struct counts *k)
{
    while (n > 0) {
        int step = n < w->u->o->pipeline ? (int)n : w->u->o->pipeline;
        if (run_batch(c, w, b, step, k) < 0) {
            fprintf(stderr, "zipf-bench: connection %d: %s\n", w->id, c->errstr);
            return -1;
        }
        n -= step;
    }
    return 0;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    const struct opts *o = w->u->o;
    struct timeval tv = {30, 0};
    redisContext *c = redisConnectWithTimeout(o->host, o->port, tv);
    struct batch *b = calloc(1, sizeof(*b));
    /* Worst case: every GET missed, plus this batch's GETs. */
    size_t cap = (size_t)o->pipeline * (size_t)(2 * KEY_MAX + o->vmax + 64);
    bool ok = c != NULL && c->err == 0 && b != NULL && (b->buf = malloc(cap)) != NULL;
    if (ok) {
        redisSetTimeout(c, tv);
    }
    /* Split evenly; the first connections take the remainders. */
    long warm = o->warmup / o->conns + (w->id < o->warmup % o->conns);
    long meas = o->requests / o->conns + (w->id < o->requests % o->conns);
    ok = ok && run_phase(c, w, b, warm, &w->warm) == 0;
    pthread_barrier_wait(w->barrier);
    ok = ok && run_phase(c, w, b, meas, &w->measured) == 0;
    w->failed = !ok;
    if (b != NULL) {
        free(b->buf);
        free(b);
    }
    if (c != NULL) {
        redisFree(c);
    }
    return NULL;
}

static void usage_exit(void)
{
    fprintf(stderr, "usage: zipf-bench [-h host] [-p port] [-n keys] [-s zipf-s] [-c conns] "
                    "[-P pipeline] [--warmup W] [--requests M] [--seed X] [--vmin A] "
                    "[--vmax B]\n");
    exit(2);
}

static void parse_args(int argc, char **argv, struct opts *o)
{
    *o = (struct opts){"127.0.0.1", 6379, 1000000, 0.99, 4, 64, 2000000, 2000000, 1, 100, 400};
    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) {
            usage_exit();
        } else if (strcmp(a, "-h") == 0) {
            o->host = v;
        } else if (strcmp(a, "-p") == 0) {
            o->port = atoi(v);
        } else if (strcmp(a, "-n") == 0) {
            o->keys = atol(v);
        } else if (strcmp(a, "-s") == 0) {
            o->s = atof(v);
        } else if (strcmp(a, "-c") == 0) {
            o->conns = atoi(v);
        } else if (strcmp(a, "-P") == 0) {
            o->pipeline = atoi(v);
        } else if (strcmp(a, "--warmup") == 0) {
            o->warmup = atol(v);
        } else if (strcmp(a, "--requests") == 0) {
            o->requests = atol(v);
        } else if (strcmp(a, "--seed") == 0) {
            o->seed = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--vmin") == 0) {
            o->vmin = atol(v);
        } else if (strcmp(a, "--vmax") == 0) {
            o->vmax = atol(v);
        } else {
            usage_exit();
        }
    }
    if (o->keys <= 0 || o->keys > 100000000 || o->s < 0 || o->conns <= 0 ||
        o->conns > MAX_CONNS || o->pipeline <= 0 || o->pipeline > MAX_PIPELINE ||
        o->warmup < 0 || o->requests <= 0 || o->vmin <= 0 || o->vmax < o->vmin ||
        o->vmax > VALUE_POOL / 2) {
        fprintf(stderr, "zipf-bench: bad arguments\n");
        exit(2);
    }
}

static void add_counts(struct counts *to, const struct counts *k)
{
    to->gets += k->gets;
    to->hits += k->hits;
    to->sets += k->sets;
    to->set_errors += k->set_errors;
    to->bad_values += k->bad_values;
}

int main(int argc, char **argv)
{
    struct opts o;
    parse_args(argc, argv, &o);
    struct universe *u = malloc(sizeof(*u));
    if (u == NULL || universe_init(u, &o) < 0) {
        fprintf(stderr, "zipf-bench: out of memory\n");
        return 1;
    }
    struct worker w[MAX_CONNS];
    pthread_t tid[MAX_CONNS];
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, (unsigned)o.conns + 1);
    for (int i = 0; i < o.conns; i++) {
        uint64_t st = o.seed * 1000003ULL + (uint64_t)i;
        w[i] = (struct worker){.u = u, .id = i, .barrier = &barrier, .rng = splitmix64(&st)};
        pthread_create(&tid[i], NULL, worker_main, &w[i]);
    }
    pthread_barrier_wait(&barrier); /* every connection has warmed up */
    double t0 = now_s();
    struct counts total = {0};
    int failed = 0;
    for (int i = 0; i < o.conns; i++) {
        pthread_join(tid[i], NULL);
        add_counts(&total, &w[i].measured);
        failed |= w[i].failed;
    }
    double secs = now_s() - t0;
    pthread_barrier_destroy(&barrier);
    if (failed) {
        return 1;
    }
    printf("zipf-bench: keys=%ld s=%.3f warmup=%ld requests=%ld hits=%ld hit_ratio=%.6f "
           "sets=%ld set_errors=%ld bad_values=%ld seconds=%.2f rps=%.0f\n",
           o.keys, o.s, o.warmup, total.gets, total.hits,
           total.gets > 0 ? (double)total.hits / (double)total.gets : 0.0, total.sets,
           total.set_errors, total.bad_values, secs, (double)total.gets / secs);
    free(u->cdf);
    free(u);
    return total.bad_values > 0 ? 1 : 0;
}
