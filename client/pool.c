/* pool.c - connections: checkout/checkin under one mutex, connect with
 * timeouts, AUTH/SELECT, one retry on a broken connection, server mode
 * detection. */
#include "client/core.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static struct timeval ms_to_tv(int ms)
{
    struct timeval tv = {ms / 1000, (long)(ms % 1000) * 1000};
    return tv;
}

/* hiredis reports a failed connect or I/O in c->err/errstr and errno. */
static int io_error(const redisContext *ctx, int saved_errno)
{
    if (ctx == NULL) {
        return -ENOMEM;
    }
    if (ctx->err == REDIS_ERR_EOF) {
        return -ECONNRESET;
    }
    if (ctx->err == REDIS_ERR_PROTOCOL) {
        return -EPROTO;
    }
    if (ctx->err == REDIS_ERR_OOM) {
        return -ENOMEM;
    }
    if (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK || saved_errno == EINPROGRESS ||
        strstr(ctx->errstr, "timed out") != NULL) {
        return -ETIMEDOUT;
    }
    return saved_errno != 0 ? -saved_errno : -EIO;
}

/* A command on a connection being set up (AUTH, SELECT). */
static int setup_cmd(redisContext *ctx, int argc, const char **argv)
{
    redisReply *r = redisCommandArgv(ctx, argc, argv, NULL);
    if (r == NULL) {
        return io_error(ctx, errno);
    }
    int rc = sg_reply_take_error(&r);
    freeReplyObject(r);
    return rc;
}

static int conn_open(struct surge *s, struct sg_conn *c)
{
    const struct surge_options *o = &s->opts;
    errno = 0;
    redisContext *ctx = redisConnectWithTimeout(o->host, o->port, ms_to_tv(o->connect_timeout_ms));
    int saved = errno;
    if (ctx == NULL || ctx->err) {
        int rc = io_error(ctx, saved);
        sg_error("connect %s:%d: %s", o->host, o->port, ctx != NULL ? ctx->errstr : "no memory");
        sg_log(s, SURGE_LOG_WARNING, "%s", surge_last_error());
        redisFree(ctx);
        return rc == -EIO ? -ECONNREFUSED : rc;
    }
    redisSetTimeout(ctx, ms_to_tv(o->command_timeout_ms));
    redisEnableKeepAlive(ctx);
    int rc = 0;
    if (o->password != NULL) {
        const char *auth[] = {"AUTH", o->username, o->password};
        rc = o->username != NULL ? setup_cmd(ctx, 3, auth)
                                 : setup_cmd(ctx, 2, (const char *[]){"AUTH", o->password});
    }
    if (rc == 0 && o->db != 0) {
        char db[16];
        snprintf(db, sizeof(db), "%d", o->db);
        rc = setup_cmd(ctx, 2, (const char *[]){"SELECT", db});
    }
    if (rc < 0) {
        redisFree(ctx);
        return rc;
    }
    c->ctx = ctx;
    atomic_fetch_add(&s->connects, 1);
    sg_log(s, SURGE_LOG_DEBUG, "connected to %s:%d", o->host, o->port);
    return 0;
}

static void conn_drop(struct sg_conn *c)
{
    redisFree(c->ctx);
    c->ctx = NULL;
}

static void deadline_after(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* A free connection, preferring one already connected; NULL if none. */
static struct sg_conn *pick_free(struct surge *s)
{
    struct sg_conn *unconnected = NULL;
    for (int i = 0; i < s->opts.pool_size; i++) {
        struct sg_conn *c = &s->conns[i];
        if (!c->busy && c->ctx != NULL) {
            return c;
        }
        if (!c->busy && unconnected == NULL) {
            unconnected = c;
        }
    }
    return unconnected;
}

int sg_checkout(struct surge *s, struct sg_conn **out)
{
    struct timespec deadline;
    deadline_after(&deadline, s->opts.checkout_timeout_ms);
    sg_error("%s", "");
    pthread_mutex_lock(&s->mu);
    struct sg_conn *c;
    while ((c = pick_free(s)) == NULL) {
        if (pthread_cond_timedwait(&s->cv, &s->mu, &deadline) == ETIMEDOUT &&
            (c = pick_free(s)) == NULL) {
            pthread_mutex_unlock(&s->mu);
            sg_error("no free connection within %d ms", s->opts.checkout_timeout_ms);
            return -ETIMEDOUT;
        }
    }
    c->busy = true;
    pthread_mutex_unlock(&s->mu);
    int rc = c->ctx == NULL ? conn_open(s, c) : 0;
    if (rc < 0) {
        sg_checkin(s, c);
        return rc;
    }
    *out = c;
    return 0;
}

void sg_checkin(struct surge *s, struct sg_conn *c)
{
    if (c == NULL) {
        return;
    }
    if (c->ctx != NULL && c->ctx->err) {
        conn_drop(c);
    }
    pthread_mutex_lock(&s->mu);
    c->busy = false;
    pthread_cond_signal(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* hiredis writes with write(2): a peer that closed the connection would
 * raise SIGPIPE. The library must not kill its host nor change its signal
 * handlers, so SIGPIPE is blocked around the I/O and one raised by it is
 * consumed (only if it was not already pending for the thread). */
struct sigpipe_guard {
    sigset_t old;
    bool was_pending;
};

static void sigpipe_block(struct sigpipe_guard *g)
{
    sigset_t pipe_only, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    g->was_pending = sigismember(&pending, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, &g->old);
}

static void sigpipe_unblock(struct sigpipe_guard *g)
{
    sigset_t pipe_only, pending;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    sigpending(&pending);
    if (!g->was_pending && sigismember(&pending, SIGPIPE)) {
        struct timespec zero = {0, 0};
        while (sigtimedwait(&pipe_only, NULL, &zero) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &g->old, NULL);
}

/* Send and read one reply; a negative error leaves the context dropped. */
static int exec_once(struct surge *s, struct sg_conn *c, int extra_ms, int argc,
                     const char **argv, const size_t *argvlen, redisReply **reply)
{
    if (extra_ms > 0) {
        redisSetTimeout(c->ctx, ms_to_tv(s->opts.command_timeout_ms + extra_ms));
    }
    void *r = NULL;
    struct sigpipe_guard g;
    sigpipe_block(&g);
    errno = 0;
    int st = redisAppendCommandArgv(c->ctx, argc, argv, argvlen);
    if (st == REDIS_OK) {
        st = redisGetReply(c->ctx, &r);
    }
    int saved = errno;
    sigpipe_unblock(&g);
    if (st != REDIS_OK || r == NULL) {
        int rc = io_error(c->ctx, saved);
        sg_error("%s: %s", argv[0], c->ctx->errstr[0] ? c->ctx->errstr : strerror(-rc));
        conn_drop(c);
        return rc;
    }
    if (extra_ms > 0) {
        redisSetTimeout(c->ctx, ms_to_tv(s->opts.command_timeout_ms));
    }
    *reply = r;
    return 0;
}

static bool is_broken(int rc)
{
    return rc == -ECONNRESET || rc == -EPIPE || rc == -ECONNREFUSED || rc == -ECONNABORTED ||
           rc == -ENOTCONN || rc == -EIO;
}

int sg_exec(struct surge *s, struct sg_conn *c, int extra_ms, int argc, const char **argv,
            const size_t *argvlen, redisReply **reply)
{
    *reply = NULL;
    for (int attempt = 0;; attempt++) {
        int rc = c->ctx == NULL ? conn_open(s, c) : 0;
        if (rc == 0) {
            rc = exec_once(s, c, extra_ms, argc, argv, argvlen, reply);
        }
        if (rc == 0 || attempt == 1 || !is_broken(rc)) {
            return rc;
        }
        atomic_fetch_add(&s->reconnects, 1);
        sg_log(s, SURGE_LOG_INFO, "connection to %s:%d broke (%s); reconnecting",
               s->opts.host, s->opts.port, strerror(-rc));
    }
}

int sg_exec1(struct surge *s, int argc, const char **argv, const size_t *argvlen,
             redisReply **reply)
{
    struct sg_conn *c;
    *reply = NULL;
    int rc = sg_checkout(s, &c);
    if (rc == 0) {
        rc = sg_exec(s, c, 0, argc, argv, argvlen, reply);
        sg_checkin(s, c);
    }
    return rc;
}

int sg_command_known(struct surge *s, struct sg_conn *c, const char *name, bool *known)
{
    const char *argv[] = {"COMMAND", "INFO", name};
    redisReply *r;
    int rc = sg_exec(s, c, 0, 3, argv, NULL, &r);
    if (rc < 0) {
        return rc;
    }
    /* Redis 7 answers [nil] for an unknown name; an old server may not know
     * COMMAND INFO at all (an error): neither has the command. */
    *known = r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
             r->element[0]->type == REDIS_REPLY_ARRAY;
    freeReplyObject(r);
    return 0;
}

int sg_mode(struct surge *s, struct sg_conn *c, enum surge_mode *out)
{
    int m = atomic_load(&s->mode);
    if (m != SURGE_MODE_AUTO) {
        *out = (enum surge_mode)m;
        return 0;
    }
    struct sg_conn *own = NULL;
    int rc = c == NULL ? sg_checkout(s, &own) : 0;
    bool known = false;
    if (rc == 0) {
        rc = sg_command_known(s, c != NULL ? c : own, "CACHE.GET", &known);
    }
    sg_checkin(s, own);
    if (rc < 0) {
        return rc;
    }
    m = known ? SURGE_MODE_SURGE : SURGE_MODE_PLAIN;
    atomic_store(&s->mode, m);
    sg_log(s, SURGE_LOG_INFO, "%s:%d is %s", s->opts.host, s->opts.port,
           known ? "Surge (CACHE.* commands)" : "plain Redis (cache-aside with a lock key)");
    *out = (enum surge_mode)m;
    return 0;
}

int sg_exec_int(struct surge *s, int argc, const char **argv, long long *out)
{
    redisReply *r;
    int rc = sg_exec1(s, argc, argv, NULL, &r);
    rc = rc == 0 ? sg_reply_take_error(&r) : rc;
    if (rc == 0 && r->type != REDIS_REPLY_INTEGER) {
        rc = -EPROTO;
    }
    if (rc == 0 && out != NULL) {
        *out = r->integer;
    }
    freeReplyObject(r);
    return rc;
}

bool sg_wait_slot_take(struct surge *s)
{
    pthread_mutex_lock(&s->mu);
    bool ok = s->blocked < s->opts.pool_size - 1;
    s->blocked += ok;
    pthread_mutex_unlock(&s->mu);
    return ok;
}

void sg_wait_slot_give(struct surge *s)
{
    pthread_mutex_lock(&s->mu);
    s->blocked--;
    pthread_mutex_unlock(&s->mu);
}

long long sg_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sg_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}
