/* inv.c - typed helpers for INV.* (inventory holds) and CL.THROTTLE. */
#include "client/core.h"
#include "client/reply.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Run argv; *r is the reply unless an error reply (its code returned) or
 * an I/O error. Sold out is the one error reply a caller wants to see, so
 * keep_soldout leaves "SOLDOUT ..." replies in *r. */
static int call(struct surge *s, int argc, const char **argv, bool keep_soldout, redisReply **r)
{
    int rc = sg_exec1(s, argc, argv, NULL, r);
    if (rc < 0 || (keep_soldout && (*r)->type == REDIS_REPLY_ERROR &&
                   strncmp((*r)->str, "SOLDOUT ", 8) == 0)) {
        return rc;
    }
    return sg_reply_take_error(r);
}

int surge_inv_set(struct surge *s, const char *sku, long long qty)
{
    if (s == NULL || sku == NULL || qty < 0) {
        return -EINVAL;
    }
    char n[24];
    snprintf(n, sizeof(n), "%lld", qty);
    const char *argv[] = {"INV.SET", sku, n};
    redisReply *r;
    int rc = call(s, 3, argv, false, &r);
    if (rc == 0 && r->type != REDIS_REPLY_STATUS) {
        rc = -EPROTO;
    }
    freeReplyObject(r);
    return rc;
}

int surge_inv_reserve(struct surge *s, const char *sku, long long qty, const char *hold_id,
                      long long hold_s, struct surge_reservation *out)
{
    if (s == NULL || sku == NULL || hold_id == NULL || out == NULL || qty <= 0 || hold_s <= 0) {
        return -EINVAL;
    }
    char n[24], secs[24];
    snprintf(n, sizeof(n), "%lld", qty);
    snprintf(secs, sizeof(secs), "%lld", hold_s);
    const char *argv[] = {"INV.RESERVE", sku, n, hold_id, "HOLD", secs};
    redisReply *r;
    memset(out, 0, sizeof(*out));
    int rc = call(s, 6, argv, true, &r);
    if (rc == 0) {
        rc = sg_parse_reserve(r, qty, out);
    }
    freeReplyObject(r);
    return rc;
}

int surge_inv_confirm(struct surge *s, const char *sku, const char *hold_id, long long *sold)
{
    if (s == NULL || sku == NULL || hold_id == NULL) {
        return -EINVAL;
    }
    const char *argv[] = {"INV.CONFIRM", sku, hold_id};
    return sg_exec_int(s, 3, argv, sold);
}

int surge_inv_release(struct surge *s, const char *sku, const char *hold_id, bool *released)
{
    if (s == NULL || sku == NULL || hold_id == NULL) {
        return -EINVAL;
    }
    const char *argv[] = {"INV.RELEASE", sku, hold_id};
    long long n = 0;
    int rc = sg_exec_int(s, 3, argv, &n);
    if (released != NULL) {
        *released = rc == 0 && n == 1;
    }
    return rc;
}

int surge_inv_get(struct surge *s, const char *sku, struct surge_inventory *out)
{
    if (s == NULL || sku == NULL || out == NULL) {
        return -EINVAL;
    }
    const char *argv[] = {"INV.GET", sku};
    redisReply *r;
    int rc = call(s, 2, argv, false, &r);
    if (rc == 0) {
        rc = sg_parse_inventory(r, out);
    }
    freeReplyObject(r);
    return rc;
}

int surge_throttle(struct surge *s, const char *key, long long max_burst, long long count,
                   long long period_s, long long quantity, struct surge_throttle_result *out)
{
    if (s == NULL || key == NULL || out == NULL) {
        return -EINVAL;
    }
    char v[4][24];
    long long in[4] = {max_burst, count, period_s, quantity};
    for (int i = 0; i < 4; i++) {
        snprintf(v[i], sizeof(v[i]), "%lld", in[i]);
    }
    const char *argv[] = {"CL.THROTTLE", key, v[0], v[1], v[2], v[3]};
    redisReply *r;
    memset(out, 0, sizeof(*out));
    int rc = call(s, 6, argv, false, &r);
    if (rc == 0) {
        rc = sg_parse_throttle(r, out);
    }
    freeReplyObject(r);
    return rc;
}
