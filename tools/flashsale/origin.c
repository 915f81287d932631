/* origin.c - the simulated origin service (see origin.h).
 *
 * One libuv loop on its own thread. A connection holds at most one call at
 * a time: while its call is queued or in service, further bytes stay in
 * its buffer. A call in service is a running timer on the connection;
 * when it fires the reply goes out, the slot passes to the head of the
 * queue, and the connection parses its next request.
 */
#include "tools/flashsale/origin.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "protocol/reply.h"
#include "protocol/resp.h"
#include "tools/flashsale/util.h"

#define ORIGIN_KEY_MAX 200
#define ORIGIN_READ_MAX (64 * 1024)
#define ORIGIN_PAYLOAD_PAD 240

struct oconn {
    uv_tcp_t tcp;
    uv_timer_t timer;
    struct origin *o;
    char *buf;
    size_t len, cap;
    struct resp_parser parser;
    bool busy;    /* a call is queued or in service */
    bool serving; /* the timer runs */
    bool closing;
    int open_handles;
    uint16_t res;
    char key[ORIGIN_KEY_MAX + 1];
    struct oconn *qnext;            /* FIFO of connections waiting for a slot */
    struct oconn *prev, *next;      /* every open connection */
};

struct origin {
    struct origin_opts opts;
    uv_loop_t loop;
    uv_tcp_t listener;
    uv_async_t stop_async;
    pthread_t thread;
    pthread_mutex_t mu; /* the log and the counters */
    struct origin_call *log;
    size_t nlog, dropped;
    int64_t t0_us;
    struct origin_counters cnt;
    struct oconn *qhead, *qtail;
    struct oconn *all;
    struct fs_rng rng;
};

uint64_t origin_key_hash(const char *key, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ (uint8_t)key[i]) * 0x100000001b3ULL;
    }
    return h;
}

/* ---- the queue of calls ---- */

static void queue_push(struct origin *o, struct oconn *c)
{
    c->qnext = NULL;
    if (o->qtail != NULL) {
        o->qtail->qnext = c;
    } else {
        o->qhead = c;
    }
    o->qtail = c;
    o->cnt.queued++;
    if (o->cnt.queued > o->cnt.max_queued) {
        o->cnt.max_queued = o->cnt.queued;
    }
}

static struct oconn *queue_pop(struct origin *o)
{
    struct oconn *c = o->qhead;
    if (c != NULL) {
        o->qhead = c->qnext;
        if (o->qhead == NULL) {
            o->qtail = NULL;
        }
        o->cnt.queued--;
    }
    return c;
}

static void queue_remove(struct origin *o, struct oconn *c)
{
    struct oconn *prev = NULL;
    for (struct oconn *p = o->qhead; p != NULL; prev = p, p = p->qnext) {
        if (p != c) {
            continue;
        }
        if (prev != NULL) {
            prev->qnext = p->qnext;
        } else {
            o->qhead = p->qnext;
        }
        if (o->qtail == p) {
            o->qtail = prev;
        }
        o->cnt.queued--;
        return;
    }
}

/* ---- replies ---- */

static void write_done(uv_write_t *req, int status)
{
    (void)status;
    free(req->data);
    free(req);
}

static void conn_close(struct oconn *c);

static void conn_send(struct oconn *c, const char *p, size_t n)
{
    uv_buf_t b = uv_buf_init((char *)p, (unsigned)n);
    int w = uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
    if (w == (int)n) {
        return;
    }
    if (w < 0 && w != UV_EAGAIN) {
        conn_close(c);
        return;
    }
    size_t off = w > 0 ? (size_t)w : 0;
    uv_write_t *req = malloc(sizeof(*req));
    char *copy = malloc(n - off);
    if (req == NULL || copy == NULL) {
        free(req);
        free(copy);
        conn_close(c);
        return;
    }
    memcpy(copy, p + off, n - off);
    req->data = copy;
    b = uv_buf_init(copy, (unsigned)(n - off));
    if (uv_write(req, (uv_stream_t *)&c->tcp, &b, 1, write_done) < 0) {
        write_done(req, 0);
        conn_close(c);
    }
}

static void reply_payload(struct oconn *c, uint64_t served)
{
    char body[ORIGIN_KEY_MAX + ORIGIN_PAYLOAD_PAD + 128];
    int n = snprintf(body, sizeof(body), "{\"key\":\"%s\",\"resource\":%u,\"rev\":%llu,\"pad\":\"",
                     c->key, (unsigned)c->res, (unsigned long long)served);
    memset(body + n, 'x', ORIGIN_PAYLOAD_PAD);
    n += ORIGIN_PAYLOAD_PAD;
    n += snprintf(body + n, sizeof(body) - (size_t)n, "\"}");
    struct reply_buf rb;
    reply_buf_init(&rb, 2, NULL);
    reply_bulk(&rb, body, (size_t)n);
    conn_send(c, rb.data, rb.len);
    reply_buf_deinit(&rb);
}

/* ---- service ---- */

static void conn_parse(struct oconn *c);
static void service_done(uv_timer_t *t);

static void service_start(struct origin *o, struct oconn *c)
{
    int lat = o->opts.latency_ms;
    int span = lat * o->opts.jitter_pct / 100;
    if (span > 0) {
        lat += (int)fs_rng_below(&o->rng, (uint32_t)(2 * span + 1)) - span;
    }
    c->serving = true;
    o->cnt.in_service++;
    uv_timer_start(&c->timer, service_done, (uint64_t)(lat > 0 ? lat : 0), 0);
}

/* A slot is free: give it to the next queued call. */
static void service_next(struct origin *o)
{
    struct oconn *n = queue_pop(o);
    if (n != NULL) {
        service_start(o, n);
    }
}

static void service_done(uv_timer_t *t)
{
    struct oconn *c = t->data;
    struct origin *o = c->o;
    pthread_mutex_lock(&o->mu);
    o->cnt.in_service--;
    uint64_t served = ++o->cnt.served;
    service_next(o);
    pthread_mutex_unlock(&o->mu);
    c->serving = false;
    c->busy = false;
    reply_payload(c, served);
    if (!c->closing) {
        conn_parse(c);
    }
}

static void record_call(struct origin *o, uint16_t res, const char *key, size_t klen)
{
    o->cnt.calls++;
    if (o->nlog >= o->opts.max_calls) {
        o->dropped++;
        return;
    }
    int64_t t = (fs_now_us() - o->t0_us) / 1000;
    struct origin_call *rec = &o->log[o->nlog++];
    rec->t_ms = (uint32_t)(t > 0 ? t : 0);
    rec->resource = res;
    rec->key_hash = origin_key_hash(key, klen);
}

/* LOAD res key: record, then serve now or queue. */
static void call_begin(struct oconn *c, const struct resp_arg *argv)
{
    struct origin *o = c->o;
    long long res;
    if (resp_str_to_ll(argv[1].ptr, argv[1].len, &res) < 0 || res < 0 ||
        res >= ORIGIN_MAX_RESOURCES || argv[2].len > ORIGIN_KEY_MAX) {
        conn_send(c, "-ERR bad LOAD\r\n", 15);
        return;
    }
    c->res = (uint16_t)res;
    memcpy(c->key, argv[2].ptr, argv[2].len);
    c->key[argv[2].len] = '\0';
    c->busy = true;
    pthread_mutex_lock(&o->mu);
    record_call(o, c->res, c->key, argv[2].len);
    if (o->cnt.in_service < o->opts.max_concurrent) {
        service_start(o, c);
    } else {
        queue_push(o, c);
    }
    pthread_mutex_unlock(&o->mu);
}

static void conn_dispatch(struct oconn *c, int argc, const struct resp_arg *argv)
{
    if (argc == 3 && argv[0].len == 4 && strncasecmp(argv[0].ptr, "load", 4) == 0) {
        call_begin(c, argv);
    } else if (argc == 1 && argv[0].len == 4 && strncasecmp(argv[0].ptr, "ping", 4) == 0) {
        conn_send(c, "+PONG\r\n", 7);
    } else {
        conn_send(c, "-ERR unknown command\r\n", 22);
    }
}

/* Run requests from the buffer until one is incomplete or a call is busy. */
static void conn_parse(struct oconn *c)
{
    while (!c->busy && !c->closing && c->len > 0) {
        size_t used = 0;
        int rc = resp_parse(&c->parser, c->buf, c->len, &used);
        if (rc == RESP_NEED_MORE) {
            return;
        }
        if (rc == RESP_ERROR) {
            conn_close(c);
            return;
        }
        if (c->parser.argc > 0) {
            conn_dispatch(c, c->parser.argc, c->parser.argv);
        }
        memmove(c->buf, c->buf + used, c->len - used);
        c->len -= used;
    }
}

/* ---- connections ---- */

static void handle_closed(uv_handle_t *h)
{
    struct oconn *c = h->data;
    if (--c->open_handles > 0) {
        return;
    }
    resp_parser_deinit(&c->parser);
    free(c->buf);
    free(c);
}

static void conn_close(struct oconn *c)
{
    if (c->closing) {
        return;
    }
    struct origin *o = c->o;
    c->closing = true;
    pthread_mutex_lock(&o->mu);
    if (c->serving) {
        uv_timer_stop(&c->timer);
        c->serving = false;
        o->cnt.in_service--;
        service_next(o);
    } else if (c->busy) {
        queue_remove(o, c);
    }
    pthread_mutex_unlock(&o->mu);
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        o->all = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    uv_close((uv_handle_t *)&c->tcp, handle_closed);
    uv_close((uv_handle_t *)&c->timer, handle_closed);
}

static void conn_alloc(uv_handle_t *h, size_t hint, uv_buf_t *b)
{
    (void)hint;
    struct oconn *c = h->data;
    if (c->cap - c->len < 4096 && c->cap < ORIGIN_READ_MAX) {
        size_t cap = c->cap ? c->cap * 2 : 8192;
        char *nb = realloc(c->buf, cap);
        if (nb != NULL) {
            c->buf = nb;
            c->cap = cap;
        }
    }
    *b = uv_buf_init(c->buf + c->len, (unsigned)(c->cap - c->len));
}

static void conn_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    (void)b;
    struct oconn *c = s->data;
    if (n < 0 || (n == 0 && c->cap == c->len)) {
        conn_close(c);
        return;
    }
    c->len += (size_t)n;
    conn_parse(c);
}

static void on_connection(uv_stream_t *server, int status)
{
    struct origin *o = server->data;
    struct oconn *c = status == 0 ? calloc(1, sizeof(*c)) : NULL;
    if (c == NULL) {
        return;
    }
    c->o = o;
    resp_parser_init(&c->parser, NULL, NULL);
    uv_tcp_init(&o->loop, &c->tcp);
    uv_timer_init(&o->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->open_handles = 2;
    c->next = o->all;
    if (o->all != NULL) {
        o->all->prev = c;
    }
    o->all = c;
    if (uv_accept(server, (uv_stream_t *)&c->tcp) < 0 ||
        uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, conn_read) < 0) {
        conn_close(c);
        return;
    }
    uv_tcp_nodelay(&c->tcp, 1);
}

/* ---- the thread ---- */

static void on_stop(uv_async_t *a)
{
    struct origin *o = a->data;
    while (o->all != NULL) {
        conn_close(o->all);
    }
    uv_close((uv_handle_t *)&o->listener, NULL);
    uv_close((uv_handle_t *)&o->stop_async, NULL);
}

static void *origin_thread(void *arg)
{
    struct origin *o = arg;
    uv_run(&o->loop, UV_RUN_DEFAULT);
    return NULL;
}

static int origin_listen(struct origin *o, int *port)
{
    struct sockaddr_in addr;
    struct sockaddr_storage bound;
    int len = sizeof(bound);
    uv_ip4_addr("127.0.0.1", 0, &addr);
    int rc = uv_tcp_bind(&o->listener, (const struct sockaddr *)&addr, 0);
    if (rc == 0) {
        rc = uv_listen((uv_stream_t *)&o->listener, 4096, on_connection);
    }
    if (rc == 0) {
        rc = uv_tcp_getsockname(&o->listener, (struct sockaddr *)&bound, &len);
    }
    if (rc == 0) {
        *port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    }
    return rc;
}

int origin_start(const struct origin_opts *opts, struct origin **out, int *port)
{
    struct origin *o = calloc(1, sizeof(*o));
    if (o == NULL || (o->log = calloc(opts->max_calls, sizeof(*o->log))) == NULL) {
        free(o);
        return -ENOMEM;
    }
    o->opts = *opts;
    fs_rng_seed(&o->rng, 42);
    pthread_mutex_init(&o->mu, NULL);
    o->t0_us = fs_now_us();
    int rc = uv_loop_init(&o->loop);
    if (rc < 0) {
        goto fail;
    }
    uv_tcp_init(&o->loop, &o->listener);
    o->listener.data = o;
    uv_async_init(&o->loop, &o->stop_async, on_stop);
    o->stop_async.data = o;
    rc = origin_listen(o, port);
    if (rc == 0 && (rc = -pthread_create(&o->thread, NULL, origin_thread, o)) == 0) {
        *out = o;
        return 0;
    }
    uv_close((uv_handle_t *)&o->listener, NULL);
    uv_close((uv_handle_t *)&o->stop_async, NULL);
    uv_run(&o->loop, UV_RUN_DEFAULT);
    uv_loop_close(&o->loop);
fail:
    pthread_mutex_destroy(&o->mu);
    free(o->log);
    free(o);
    return rc;
}

void origin_stop(struct origin **op)
{
    struct origin *o = *op;
    if (o == NULL) {
        return;
    }
    uv_async_send(&o->stop_async);
    pthread_join(o->thread, NULL);
    uv_loop_close(&o->loop);
    pthread_mutex_destroy(&o->mu);
    free(o->log);
    free(o);
    *op = NULL;
}

void origin_new_epoch(struct origin *o, int64_t t0_us)
{
    pthread_mutex_lock(&o->mu);
    o->t0_us = t0_us;
    o->nlog = 0;
    o->dropped = 0;
    int in_service = o->cnt.in_service, queued = o->cnt.queued;
    memset(&o->cnt, 0, sizeof(o->cnt));
    o->cnt.in_service = in_service;
    o->cnt.queued = queued;
    pthread_mutex_unlock(&o->mu);
}

void origin_counters(struct origin *o, struct origin_counters *out)
{
    pthread_mutex_lock(&o->mu);
    *out = o->cnt;
    pthread_mutex_unlock(&o->mu);
}

int origin_log_copy(struct origin *o, struct origin_call **calls, size_t *n, size_t *dropped)
{
    pthread_mutex_lock(&o->mu);
    *n = o->nlog;
    *dropped = o->dropped;
    *calls = malloc((o->nlog ? o->nlog : 1) * sizeof(**calls));
    if (*calls != NULL) {
        memcpy(*calls, o->log, o->nlog * sizeof(**calls));
    }
    pthread_mutex_unlock(&o->mu);
    return *calls != NULL ? 0 : -ENOMEM;
}
