/* reply.c - see reply.h. */
#include "client/reply.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static bool is_str(const redisReply *r)
{
    return r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS;
}

static bool str_is(const redisReply *r, const char *s)
{
    return is_str(r) && r->len == strlen(s) && memcmp(r->str, s, r->len) == 0;
}

int sg_parse_cache_get(const redisReply *r, struct sg_cache_reply *out)
{
    static const char *const names[] = {"hit", "stale", "win", "wait"};
    memset(out, 0, sizeof(*out));
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 4) {
        return -EPROTO;
    }
    redisReply *const *e = r->element;
    if ((e[0]->type != REDIS_REPLY_NIL && !is_str(e[0])) ||
        (e[2]->type != REDIS_REPLY_NIL && !is_str(e[2])) || e[3]->type != REDIS_REPLY_INTEGER) {
        return -EPROTO;
    }
    size_t i = 0;
    while (i < 4 && !str_is(e[1], names[i])) {
        i++;
    }
    if (i == 4) {
        return -EPROTO;
    }
    out->status = (enum sg_cache_status)i;
    if (e[0]->type != REDIS_REPLY_NIL) {
        out->value = e[0]->str;
        out->len = e[0]->len;
    }
    out->token = e[2]->type != REDIS_REPLY_NIL ? e[2]->str : NULL;
    out->ttl_ms = e[3]->integer;
    /* hit and stale carry a value; win carries the token. */
    if ((out->value == NULL) != (i == SG_CACHE_WIN || i == SG_CACHE_WAIT) ||
        (i == SG_CACHE_WIN && out->token == NULL)) {
        return -EPROTO;
    }
    return 0;
}

static bool starts(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

int sg_error_code(const char *text)
{
    static const struct {
        const char *prefix;
        int code;
    } codes[] = {
        {"BYPASS ", SURGE_EBYPASS},
        {"LEASE ", SURGE_ELEASE},
        {"STALEVERSION ", SURGE_ESTALEVER},
        {"ERR unknown command", -ENOTSUP},
        {"NOHOLD ", -ENOENT},
        {"NOAUTH ", -EACCES},
        {"WRONGPASS ", -EACCES},
        {"NOPERM ", -EACCES},
    };
    for (size_t i = 0; text != NULL && i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (starts(text, codes[i].prefix)) {
            return codes[i].code;
        }
    }
    return SURGE_EREPLY;
}

int sg_parse_soldout(const char *text, long long *left)
{
    const char *prefix = "SOLDOUT only ";
    if (text == NULL || !starts(text, prefix)) {
        return -EINVAL;
    }
    const char *p = text + strlen(prefix);
    char *end;
    errno = 0;
    long long n = strtoll(p, &end, 10);
    if (end == p || errno != 0 || n < 0 || strcmp(end, " left") != 0) {
        return -EINVAL;
    }
    *left = n;
    return 0;
}

int sg_parse_ints(const redisReply *r, long long *out, size_t n)
{
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != n) {
        return -EPROTO;
    }
    for (size_t i = 0; i < n; i++) {
        if (r->element[i]->type != REDIS_REPLY_INTEGER) {
            return -EPROTO;
        }
        out[i] = r->element[i]->integer;
    }
    return 0;
}

int sg_parse_throttle(const redisReply *r, struct surge_throttle_result *out)
{
    long long v[5];
    if (sg_parse_ints(r, v, 5) < 0) {
        return -EPROTO;
    }
    *out = (struct surge_throttle_result){.allowed = v[0] == 0, .limit = v[1], .remaining = v[2],
                                          .retry_after_s = v[3], .reset_after_s = v[4]};
    return 0;
}

int sg_parse_inventory(const redisReply *r, struct surge_inventory *out)
{
    long long v[3];
    if (sg_parse_ints(r, v, 3) < 0) {
        return -EPROTO;
    }
    *out = (struct surge_inventory){.available = v[0], .held = v[1], .sold = v[2]};
    return 0;
}

int sg_parse_reserve(const redisReply *r, long long qty, struct surge_reservation *out)
{
    memset(out, 0, sizeof(*out));
    if (r == NULL) {
        return -EPROTO;
    }
    if (r->type == REDIS_REPLY_INTEGER) {
        out->reserved = true;
        out->held = qty;
        out->available = r->integer;
        return 0;
    }
    if (r->type == REDIS_REPLY_ERROR && sg_parse_soldout(r->str, &out->available) == 0) {
        out->soldout = true;
        return 0;
    }
    return r->type == REDIS_REPLY_ERROR ? sg_error_code(r->str) : -EPROTO;
}
