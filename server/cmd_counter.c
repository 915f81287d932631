/* cmd_counter.c - INCR, DECR, INCRBY, DECRBY, INCRBYFLOAT and INCREX. */
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "protocol/resp.h"
#include "server/cmd.h"
#include "server/cmd_string.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/propagate.h"
#include "server/util.h"

/* ---- reading, storing and propagating a counter ---- */

/* The integer held by e (0 when e is NULL); ERR_NOT_INT when none. */
static int counter_int_or_reply(struct client *c, const struct entry *e, long long *v)
{
    *v = 0;
    if (e != NULL && entry_enc(e) == ENTRY_ENC_INT) {
        *v = entry_int(e);
    } else if (e != NULL) {
        struct entry_str s;
        entry_str(e, &s);
        if (util_parse_ll(s.p, s.len, v) < 0) {
            reply_error(REPLY(c), ERR_NOT_INT);
            return -EINVAL;
        }
    }
    return 0;
}

/* The number held by e as a long double (0 when NULL); ERR_NOT_FLOAT. */
static int counter_float_or_reply(struct client *c, const struct entry *e, long double *v)
{
    *v = 0;
    if (e != NULL) {
        struct entry_str s;
        entry_str(e, &s);
        if (util_parse_long_double(s.p, s.len, v) < 0) {
            reply_error(REPLY(c), ERR_NOT_FLOAT);
            return -EINVAL;
        }
    }
    return 0;
}

/* A counter's new value: an integer (stored in the int encoding), or a
 * float's text (stored as bytes, as Redis stores INCRBYFLOAT's result). */
struct counter_value {
    long long i;      /* when text is NULL */
    const char *text; /* NULL for an integer */
    size_t len;
};

/* Store v at argv[1] over e (NULL: a new key) with the deadline expire_ms.
 * An int entry keeping its deadline is changed in place (the INCR path). */
static void counter_store(struct client *c, struct entry *e, const struct counter_value *v,
                          int64_t expire_ms)
{
    const char *k = c->argv[1].ptr;
    size_t klen = c->argv[1].len;
    if (v->text == NULL && e != NULL && entry_enc(e) == ENTRY_ENC_INT &&
        entry_expire(e) == expire_ms) {
        entry_set_int(e, v->i);
        db_modified(c->db, k, klen);
        return;
    }
    struct entry *n = v->text == NULL ? entry_new_int(k, klen, v->i, expire_ms)
                                      : entry_new_bytes(k, klen, v->text, v->len, expire_ms, false);
    if (e != NULL) {
        db_replace(c->db, e, n);
    } else {
        db_add(c->db, n);
    }
}

/* What follows the value in the SET a counter write propagates as. */
enum counter_ttl {
    COUNTER_KEEPTTL, /* SET key v KEEPTTL: the deadline stayed */
    COUNTER_PXAT,    /* SET key v PXAT ms: a deadline was set */
    COUNTER_NO_TTL,  /* SET key v: the deadline was removed */
};

/* Relative or float results propagate as the value they produced, so a
 * replica or a reload stores the same bytes. */
static void counter_propagate(struct client *c, const struct counter_value *v,
                              enum counter_ttl ttl, int64_t pxat)
{
    prop_cmd_begin(c->db_id, ttl == COUNTER_PXAT ? 5 : ttl == COUNTER_KEEPTTL ? 4 : 3);
    prop_arg_str("SET");
    prop_arg(c->argv[1].ptr, c->argv[1].len);
    if (v->text != NULL) {
        prop_arg(v->text, v->len);
    } else {
        prop_arg_ll(v->i);
    }
    if (ttl == COUNTER_KEEPTTL) {
        prop_arg_str("KEEPTTL");
    } else if (ttl == COUNTER_PXAT) {
        prop_arg_str("PXAT");
        prop_arg_ll(pxat);
    }
    prop_cmd_end(true);
}

/* ---- INCR family ---- */

static void incr_generic(struct client *c, long long by)
{
    bool wrong;
    long long v;
    struct entry *e = string_lookup_or_reply(c, 1, true, &wrong);
    if (wrong || counter_int_or_reply(c, e, &v) < 0) {
        return;
    }
    if ((by < 0 && v < 0 && by < LLONG_MIN - v) || (by > 0 && v > 0 && by > LLONG_MAX - v)) {
        reply_error(REPLY(c), ERR_OVERFLOW);
        return;
    }
    struct counter_value cv = {.i = v + by};
    counter_store(c, e, &cv, e != NULL ? entry_expire(e) : -1);
    reply_int(REPLY(c), cv.i);
}

void cmd_incr(struct client *c)
{
    incr_generic(c, 1);
}

void cmd_decr(struct client *c)
{
    incr_generic(c, -1);
}

void cmd_incrby(struct client *c)
{
    long long by;
    if (arg_ll_or_reply(c, 2, &by) == 0) {
        incr_generic(c, by);
    }
}

void cmd_decrby(struct client *c)
{
    long long by;
    if (arg_ll_or_reply(c, 2, &by) < 0) {
        return;
    }
    if (by == LLONG_MIN) {
        reply_error(REPLY(c), "ERR decrement would overflow");
        return;
    }
    incr_generic(c, -by);
}

void cmd_incrbyfloat(struct client *c)
{
    long double by, v;
    bool wrong;
    if (arg_long_double_or_reply(c, 2, &by) < 0) {
        return;
    }
    struct entry *e = string_lookup_or_reply(c, 1, true, &wrong);
    if (wrong || counter_float_or_reply(c, e, &v) < 0) {
        return;
    }
    v += by;
    if (isnan(v) || isinf(v)) {
        reply_error(REPLY(c), ERR_NAN_INF);
        return;
    }
    char text[REPLY_LONG_DOUBLE_MAX];
    struct counter_value cv = {0, text, reply_fmt_long_double(text, sizeof(text), v)};
    counter_store(c, e, &cv, e != NULL ? entry_expire(e) : -1);
    reply_bulk(REPLY(c), cv.text, cv.len);
    counter_propagate(c, &cv, COUNTER_KEEPTTL, -1);
}

/* ---- INCREX ----
 *
 * INCREX key [BYINT n | BYFLOAT f] [LBOUND lo] [UBOUND hi] [SATURATE]
 *            [EX s | PX ms | EXAT ts | PXAT ms | PERSIST] [ENX]
 * (Redis 8.8). Replies [new value, applied increment]: integers, or for
 * BYFLOAT long doubles in INCRBYFLOAT's text (bulk strings in RESP2,
 * doubles in RESP3). A result outside [lo, hi] (default: the type's
 * limits) is refused: [current value, 0], and neither the value nor the
 * TTL changes. With SATURATE it is clamped to the bound instead, and the
 * reply carries the increment really applied. ENX sets the expiry only on
 * a key that has none. An accepted increment is a write even when it adds
 * 0 (as INCRBY 0 is); an expiry already past deletes the key. Options come
 * in any order, each at most once.
 */

enum {
    IX_OPT_BYINT,
    IX_OPT_BYFLOAT,
    IX_OPT_LBOUND,
    IX_OPT_UBOUND,
    IX_OPT_SATURATE,
    IX_OPT_EX,
    IX_OPT_PX,
    IX_OPT_EXAT,
    IX_OPT_PXAT,
    IX_OPT_PERSIST,
    IX_OPT_ENX,
    IX_NOPTS
};

#define IX_FLAG(opt) (1u << (opt))
#define IX_BY (IX_FLAG(IX_OPT_BYINT) | IX_FLAG(IX_OPT_BYFLOAT))
#define IX_EXPIRE \
    (IX_FLAG(IX_OPT_EX) | IX_FLAG(IX_OPT_PX) | IX_FLAG(IX_OPT_EXAT) | IX_FLAG(IX_OPT_PXAT))
#define IX_TTL (IX_EXPIRE | IX_FLAG(IX_OPT_PERSIST))

static const struct cmd_opt increx_options[IX_NOPTS] = {
    [IX_OPT_BYINT] = {"byint", IX_FLAG(IX_OPT_BYINT), IX_BY, true},
    [IX_OPT_BYFLOAT] = {"byfloat", IX_FLAG(IX_OPT_BYFLOAT), IX_BY, true},
    [IX_OPT_LBOUND] = {"lbound", IX_FLAG(IX_OPT_LBOUND), IX_FLAG(IX_OPT_LBOUND), true},
    [IX_OPT_UBOUND] = {"ubound", IX_FLAG(IX_OPT_UBOUND), IX_FLAG(IX_OPT_UBOUND), true},
    [IX_OPT_SATURATE] = {"saturate", IX_FLAG(IX_OPT_SATURATE), IX_FLAG(IX_OPT_SATURATE), false},
    [IX_OPT_EX] = {"ex", IX_FLAG(IX_OPT_EX), IX_TTL, true},
    [IX_OPT_PX] = {"px", IX_FLAG(IX_OPT_PX), IX_TTL, true},
    [IX_OPT_EXAT] = {"exat", IX_FLAG(IX_OPT_EXAT), IX_TTL, true},
    [IX_OPT_PXAT] = {"pxat", IX_FLAG(IX_OPT_PXAT), IX_TTL, true},
    [IX_OPT_PERSIST] = {"persist", IX_FLAG(IX_OPT_PERSIST), IX_TTL | IX_FLAG(IX_OPT_ENX), false},
    [IX_OPT_ENX] = {"enx", IX_FLAG(IX_OPT_ENX), IX_FLAG(IX_OPT_ENX) | IX_FLAG(IX_OPT_PERSIST),
                    false},
};

/* The increment and bounds in the command's mode. */
struct increx_num {
    long long by, lo, hi;  /* integer mode */
    long double fby, flo, fhi; /* BYFLOAT mode */
};

struct increx_opts {
    unsigned flags;
    int at[IX_NOPTS]; /* argv index of each option's value, 0 when absent */
    bool is_float;
    struct increx_num n;
    int64_t expire_ms; /* from EX/PX/EXAT/PXAT, -1 when none */
};

static bool increx_has(const struct increx_opts *o, int opt)
{
    return (o->flags & IX_FLAG(opt)) != 0;
}

/* The value of option opt, if given, as a number of the command's mode;
 * errors name the argument as Redis does ("ERR LBOUND is not a valid
 * float"). */
static int increx_num_or_reply(struct client *c, const struct increx_opts *o, int opt,
                               const char *what, long long *ll, long double *ld)
{
    int i = o->at[opt];
    if (i == 0) {
        return 0;
    }
    bool bad = o->is_float ? util_parse_long_double(c->argv[i].ptr, c->argv[i].len, ld) < 0
                           : util_parse_ll(c->argv[i].ptr, c->argv[i].len, ll) < 0;
    if (bad) {
        reply_errorf(REPLY(c), o->is_float ? "ERR %s is not a valid float"
                                           : "ERR %s is not an integer or out of range",
                     what);
        return -EINVAL;
    }
    return 0;
}

static int increx_numbers_or_reply(struct client *c, struct increx_opts *o)
{
    struct increx_num *n = &o->n;
    *n = (struct increx_num){1, LLONG_MIN, LLONG_MAX, 1, -LDBL_MAX, LDBL_MAX};
    if (increx_num_or_reply(c, o, IX_OPT_BYINT, "Increment", &n->by, NULL) < 0 ||
        increx_num_or_reply(c, o, IX_OPT_BYFLOAT, "Increment", NULL, &n->fby) < 0) {
        return -EINVAL;
    }
    if (o->is_float && isinf(n->fby)) {
        reply_error(REPLY(c), "ERR BYFLOAT increment cannot be Infinity");
        return -EINVAL;
    }
    if (increx_num_or_reply(c, o, IX_OPT_LBOUND, "LBOUND", &n->lo, &n->flo) < 0 ||
        increx_num_or_reply(c, o, IX_OPT_UBOUND, "UBOUND", &n->hi, &n->fhi) < 0) {
        return -EINVAL;
    }
    if (o->is_float ? n->flo > n->fhi : n->lo > n->hi) {
        reply_error(REPLY(c), "ERR LBOUND can't be greater than UBOUND");
        return -EINVAL;
    }
    return 0;
}

/* Syntax first, then ENX's requirement, the numbers, and the expire time;
 * all before the key is looked at. */
static int increx_parse_or_reply(struct client *c, struct increx_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->expire_ms = -1;
    if (cmd_opts_parse_or_reply(c, 2, increx_options, IX_NOPTS, &o->flags, o->at) < 0) {
        return -EINVAL;
    }
    if (increx_has(o, IX_OPT_ENX) && !(o->flags & IX_EXPIRE)) {
        reply_error(REPLY(c), "ERR ENX flag requires an expiration");
        return -EINVAL;
    }
    o->is_float = increx_has(o, IX_OPT_BYFLOAT);
    if (increx_numbers_or_reply(c, o) < 0) {
        return -EINVAL;
    }
    for (int opt = IX_OPT_EX; opt <= IX_OPT_PXAT; opt++) {
        if (increx_has(o, opt) &&
            string_deadline_or_reply(c, o->at[opt], opt == IX_OPT_EX || opt == IX_OPT_EXAT,
                                     opt == IX_OPT_EX || opt == IX_OPT_PX, &o->expire_ms) < 0) {
            return -EINVAL;
        }
    }
    return 0;
}

enum increx_outcome {
    INCREX_DONE,
    INCREX_REFUSED,        /* out of bounds without SATURATE */
    INCREX_DELTA_OVERFLOW, /* saturated, but the applied increment doesn't fit */
};

/* cur + by within [lo, hi]: refused (*res is cur, *applied 0), or clamped
 * with SATURATE (an overflow of the type clamps to its limit first). */
static enum increx_outcome increx_int_add(long long cur, const struct increx_num *n,
                                          bool saturate, long long *res, long long *applied)
{
    long long v;
    bool overflow = __builtin_add_overflow(cur, n->by, &v);
    if (overflow) {
        v = n->by > 0 ? LLONG_MAX : LLONG_MIN;
    }
    if ((overflow || v > n->hi || v < n->lo) && !saturate) {
        *res = cur;
        *applied = 0;
        return INCREX_REFUSED;
    }
    v = v > n->hi ? n->hi : v < n->lo ? n->lo : v;
    if (__builtin_sub_overflow(v, cur, applied)) {
        return INCREX_DELTA_OVERFLOW;
    }
    *res = v;
    return INCREX_DONE;
}

static enum increx_outcome increx_float_add(long double cur, const struct increx_num *n,
                                            bool saturate, long double *res,
                                            long double *applied)
{
    long double v = cur + n->fby;
    bool overflow = isinf(v);
    if (overflow) {
        v = v > 0 ? LDBL_MAX : -LDBL_MAX;
    }
    if ((overflow || v > n->fhi || v < n->flo) && !saturate) {
        *res = cur;
        *applied = 0;
        return INCREX_REFUSED;
    }
    v = v > n->fhi ? n->fhi : v < n->flo ? n->flo : v;
    *applied = v - cur;
    if (isinf(*applied)) {
        return INCREX_DELTA_OVERFLOW;
    }
    *res = v;
    return INCREX_DONE;
}

/* Store an accepted result with the TTL the options ask for, and
 * propagate it: SET key v KEEPTTL / PXAT ms / (PERSIST removed it) plain
 * SET; DEL when a deadline already past deletes the key. */
static void increx_write(struct client *c, struct entry *e, const struct increx_opts *o,
                         const struct counter_value *v)
{
    int64_t old = e != NULL ? entry_expire(e) : -1;
    bool set_ttl = o->expire_ms >= 0 && !(increx_has(o, IX_OPT_ENX) && old >= 0);
    int64_t expire_ms = set_ttl ? o->expire_ms : increx_has(o, IX_OPT_PERSIST) ? -1 : old;
    if (set_ttl && expire_ms <= server.now_ms) {
        if (e != NULL) {
            db_delete(c->db, c->argv[1].ptr, c->argv[1].len);
            prop_key_command(c, "DEL", 1, -1);
        }
        return;
    }
    counter_store(c, e, v, expire_ms);
    enum counter_ttl ttl = set_ttl ? COUNTER_PXAT
                           : (old >= 0 && expire_ms < 0) ? COUNTER_NO_TTL : COUNTER_KEEPTTL;
    counter_propagate(c, v, ttl, expire_ms);
}

/* The increment's result in the command's mode. */
struct increx_result {
    long long res, applied;       /* integer mode */
    long double fres, fapplied;   /* BYFLOAT mode */
    struct counter_value value;   /* what an accepted result stores */
    char text[REPLY_LONG_DOUBLE_MAX];
};

/* Read the current value and add; replies the errors (returns -1). */
static int increx_compute_or_reply(struct client *c, const struct entry *e,
                                   const struct increx_opts *o, struct increx_result *r)
{
    bool saturate = increx_has(o, IX_OPT_SATURATE);
    enum increx_outcome out;
    if (o->is_float) {
        long double cur;
        if (counter_float_or_reply(c, e, &cur) < 0) {
            return -1;
        }
        if (isinf(cur)) {
            reply_error(REPLY(c), "ERR value cannot be Infinity");
            return -1;
        }
        out = increx_float_add(cur, &o->n, saturate, &r->fres, &r->fapplied);
        r->value = (struct counter_value){0, r->text,
                                          reply_fmt_long_double(r->text, sizeof(r->text), r->fres)};
    } else {
        long long cur;
        if (counter_int_or_reply(c, e, &cur) < 0) {
            return -1;
        }
        out = increx_int_add(cur, &o->n, saturate, &r->res, &r->applied);
        r->value = (struct counter_value){r->res, NULL, 0};
    }
    if (out == INCREX_DELTA_OVERFLOW) {
        reply_error(REPLY(c), o->is_float ? "ERR applied increment would be Infinity"
                                          : "ERR applied increment would overflow");
        return -1;
    }
    return (int)out;
}

void cmd_increx(struct client *c)
{
    struct increx_opts o;
    struct increx_result r;
    bool wrong;
    if (increx_parse_or_reply(c, &o) < 0) {
        return;
    }
    struct entry *e = string_lookup_or_reply(c, 1, true, &wrong);
    int out = wrong ? -1 : increx_compute_or_reply(c, e, &o, &r);
    if (out < 0) {
        return;
    }
    if (out == INCREX_DONE) {
        increx_write(c, e, &o, &r.value);
    }
    reply_array_len(REPLY(c), 2);
    if (o.is_float) {
        reply_long_double(REPLY(c), r.fres);
        reply_long_double(REPLY(c), r.fapplied);
    } else {
        reply_int(REPLY(c), r.res);
        reply_int(REPLY(c), r.applied);
    }
}
