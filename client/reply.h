/* reply.h - pure parsing of Surge's replies into libsurge's results (no
 * I/O, no state): CACHE.GET, error replies, INV.*, CL.THROTTLE. Unit
 * tested on replies built by hiredis's reader from RESP bytes.
 */
#ifndef SURGE_CLIENT_REPLY_H
#define SURGE_CLIENT_REPLY_H

#include <hiredis.h>
#include <stdbool.h>

#include "client/surge.h"

enum sg_cache_status { SG_CACHE_HIT, SG_CACHE_STALE, SG_CACHE_WIN, SG_CACHE_WAIT };

/* CACHE.GET: [value|nil, status, token|nil, ttl ms]; pointers borrowed
 * from the reply. */
struct sg_cache_reply {
    enum sg_cache_status status;
    const char *value; /* NULL for nil */
    size_t len;
    const char *token; /* NULL for nil */
    long long ttl_ms;
};

/* 0, or -EPROTO for another shape. An error reply is not parsed here. */
int sg_parse_cache_get(const redisReply *r, struct sg_cache_reply *out);

/* The code of an error reply's text: SURGE_EBYPASS ("BYPASS ..."),
 * SURGE_ELEASE ("LEASE ..."), SURGE_ESTALEVER ("STALEVERSION ..."),
 * -ENOTSUP ("ERR unknown command ..."), -ENOENT ("NOHOLD ..."),
 * -EACCES ("NOAUTH"/"WRONGPASS"/"NOPERM"), else SURGE_EREPLY. */
int sg_error_code(const char *text);

/* "SOLDOUT only N left": 0 with *left = N, or -EINVAL for other text. */
int sg_parse_soldout(const char *text, long long *left);

/* An array of exactly n integers into out[]: 0 or -EPROTO. */
int sg_parse_ints(const redisReply *r, long long *out, size_t n);

int sg_parse_throttle(const redisReply *r, struct surge_throttle_result *out);
int sg_parse_inventory(const redisReply *r, struct surge_inventory *out);
/* INV.RESERVE's reply (an integer, or the SOLDOUT error) for qty units. */
int sg_parse_reserve(const redisReply *r, long long qty, struct surge_reservation *out);

#endif
