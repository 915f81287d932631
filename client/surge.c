/* surge.c - the pool's lifetime, options, errors, logging, and the
 * pass-through command calls. */
#include "client/surge.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "client/core.h"
#include "client/policy.h"
#include "client/reply.h"

static _Thread_local char last_error[256];

void sg_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof(last_error), fmt, ap);
    va_end(ap);
}

const char *surge_last_error(void)
{
    return last_error;
}

int sg_reply_error(const redisReply *r)
{
    sg_error("%.*s", (int)r->len, r->str);
    return sg_error_code(r->str);
}

int sg_reply_take_error(redisReply **r)
{
    if ((*r)->type != REDIS_REPLY_ERROR) {
        return 0;
    }
    int rc = sg_reply_error(*r);
    freeReplyObject(*r);
    *r = NULL;
    return rc;
}

const char *surge_strerror(int err)
{
    switch (err) {
    case 0:
        return "success";
    case SURGE_EREPLY:
        return "the server replied with an error";
    case SURGE_EBYPASS:
        return "the key matches a never-cache policy";
    case SURGE_ELEASE:
        return "the lease expired or another writer superseded it";
    case SURGE_ESTALEVER:
        return "the version is older than the stored one";
    default:
        return err < 0 && err > -4096 ? strerror(-err) : "unknown error";
    }
}

void sg_log(struct surge *s, enum surge_log_level level, const char *fmt, ...)
{
    if (s->opts.log == NULL || level < s->opts.log_level) {
        return;
    }
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    s->opts.log(s->opts.log_arg, level, msg);
}

void sg_random_token(char out[33])
{
    unsigned char raw[16];
    static atomic_ullong counter;
    if (getrandom(raw, sizeof(raw), GRND_NONBLOCK) != (ssize_t)sizeof(raw)) {
        /* No entropy yet (early boot): unique enough for a lock token. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        unsigned long long v[2] = {(unsigned long long)ts.tv_sec * 1000000000ULL +
                                       (unsigned long long)ts.tv_nsec,
                                   atomic_fetch_add(&counter, 1) ^ (unsigned long long)getpid()};
        memcpy(raw, v, sizeof(raw));
    }
    for (int i = 0; i < 16; i++) {
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    }
}

char *sg_full_key(struct surge *s, const char *key)
{
    int v = atomic_load(&s->schema_version);
    size_t len = strlen(key) + 16;
    char *out = malloc(len);
    if (out != NULL) {
        if (v > 0) {
            snprintf(out, len, "v%d:%s", v, key);
        } else {
            memcpy(out, key, len - 15);
        }
    }
    return out;
}

void surge_options_init(struct surge_options *o)
{
    memset(o, 0, sizeof(*o));
    o->host = "127.0.0.1";
    o->port = 6379;
    o->connect_timeout_ms = 1000;
    o->command_timeout_ms = 2000;
    o->pool_size = 4;
    o->checkout_timeout_ms = 5000;
    o->mode = SURGE_MODE_AUTO;
    o->log_level = SURGE_LOG_INFO;
}

static int options_check(const struct surge_options *o)
{
    const char *bad = o->host == NULL ? "host"
                      : o->port <= 0 || o->port > 65535 ? "port"
                      : o->connect_timeout_ms <= 0 ? "connect_timeout_ms"
                      : o->command_timeout_ms <= 0 ? "command_timeout_ms"
                      : o->pool_size < 1 || o->pool_size > 1024 ? "pool_size"
                      : o->checkout_timeout_ms < 0 ? "checkout_timeout_ms"
                      : o->db < 0 ? "db"
                      : o->schema_version < 0 ? "schema_version"
                      : o->mode < SURGE_MODE_AUTO || o->mode > SURGE_MODE_PLAIN ? "mode"
                      : o->username != NULL && o->password == NULL ? "password"
                                                                    : NULL;
    if (bad != NULL) {
        sg_error("invalid option %s", bad);
        return -EINVAL;
    }
    return 0;
}

static char *dup_or_null(const char *s, bool *oom)
{
    char *d = s != NULL ? strdup(s) : NULL;
    *oom |= s != NULL && d == NULL;
    return d;
}

int surge_new(const struct surge_options *o, struct surge **out)
{
    if (o == NULL || out == NULL) {
        return -EINVAL;
    }
    *out = NULL;
    int rc = options_check(o);
    if (rc < 0) {
        return rc;
    }
    struct surge *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return -ENOMEM;
    }
    bool oom = false;
    s->opts = *o;
    s->opts.host = dup_or_null(o->host, &oom);
    s->opts.username = dup_or_null(o->username, &oom);
    s->opts.password = dup_or_null(o->password, &oom);
    s->conns = calloc((size_t)o->pool_size, sizeof(*s->conns));
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->cv, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&s->mode, o->mode);
    atomic_init(&s->schema_version, o->schema_version);
    if (oom || s->conns == NULL) {
        surge_free(&s);
        return -ENOMEM;
    }
    *out = s;
    return 0;
}

void surge_free(struct surge **sp)
{
    if (sp == NULL || *sp == NULL) {
        return;
    }
    struct surge *s = *sp;
    for (int i = 0; s->conns != NULL && i < s->opts.pool_size; i++) {
        redisFree(s->conns[i].ctx);
    }
    free(s->conns);
    sg_policy_unref(s->policy);
    pthread_mutex_destroy(&s->mu);
    pthread_cond_destroy(&s->cv);
    free((char *)s->opts.host);
    free((char *)s->opts.username);
    free((char *)s->opts.password);
    free(s);
    *sp = NULL;
}

int surge_server_mode(struct surge *s, enum surge_mode *out)
{
    if (s == NULL || out == NULL) {
        return -EINVAL;
    }
    return sg_mode(s, NULL, out);
}

void surge_stats_get(struct surge *s, struct surge_stats *out)
{
    out->connects = atomic_load(&s->connects);
    out->reconnects = atomic_load(&s->reconnects);
    out->loads = atomic_load(&s->loads);
    out->fills = atomic_load(&s->fills);
}

const char *surge_source_name(enum surge_source src)
{
    static const char *const names[] = {"hit", "stale", "loaded", "waited", "bypass"};
    return src >= SURGE_SRC_HIT && src <= SURGE_SRC_BYPASS ? names[src] : "unknown";
}

void surge_result_free(struct surge_result *r)
{
    if (r == NULL) {
        return;
    }
    free(r->value);
    free(r->token);
    free(r->key);
    memset(r, 0, sizeof(*r));
}

int surge_command_argv(struct surge *s, struct redisReply **reply, int argc, const char **argv,
                       const size_t *argvlen)
{
    if (s == NULL || reply == NULL || argc < 1 || argv == NULL) {
        return -EINVAL;
    }
    return sg_exec1(s, argc, argv, argvlen, reply);
}

/* The format is hiredis's (%s, %b with a length, %d...): hiredis turns it
 * into a RESP command, which is then run like an argv. */
int surge_command(struct surge *s, struct redisReply **reply, const char *fmt, ...)
{
    if (s == NULL || reply == NULL || fmt == NULL) {
        return -EINVAL;
    }
    *reply = NULL;
    char *cmd = NULL;
    va_list ap;
    va_start(ap, fmt);
    int len = redisvFormatCommand(&cmd, fmt, ap);
    va_end(ap);
    if (len < 0) {
        sg_error("invalid command format");
        return len == -2 ? -ENOMEM : -EINVAL;
    }
    /* Parse the formatted command back into argv with hiredis's reader. */
    redisReader *rd = redisReaderCreate();
    void *parsed = NULL;
    int rc = -ENOMEM;
    if (rd != NULL && redisReaderFeed(rd, cmd, (size_t)len) == REDIS_OK &&
        redisReaderGetReply(rd, &parsed) == REDIS_OK && parsed != NULL) {
        redisReply *a = parsed;
        size_t n = a->elements;
        const char **argv = calloc(n ? n : 1, sizeof(*argv));
        size_t *lens = calloc(n ? n : 1, sizeof(*lens));
        rc = argv != NULL && lens != NULL ? 0 : -ENOMEM;
        for (size_t i = 0; rc == 0 && i < n; i++) {
            argv[i] = a->element[i]->str;
            lens[i] = a->element[i]->len;
        }
        if (rc == 0) {
            rc = n > 0 ? sg_exec1(s, (int)n, argv, lens, reply) : -EINVAL;
        }
        free(argv);
        free(lens);
        freeReplyObject(parsed);
    }
    redisReaderFree(rd);
    redisFreeCommand(cmd);
    return rc;
}

void surge_reply_free(struct redisReply *reply)
{
    freeReplyObject(reply);
}
