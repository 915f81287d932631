/* cmd_zset.c - sorted set commands. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "server/blocking.h"
#include "server/cmd.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/t_set.h"
#include "server/cmd_zset.h"
#include "server/t_zset.h"
#include "server/util.h"

#define ERR_RANGE_FLOAT "ERR min or max is not a float"
#define ERR_RANGE_LEX "ERR min or max not valid string range item"
#define ERR_POSITIVE "ERR value is out of range, must be positive"

/* The sorted set at argv[i], NULL when absent; *wrong (replied) on
 * WRONGTYPE. Writers report the change for WATCH. */
struct zset_obj *zset_at_or_reply(struct client *c, int i, bool write, bool *wrong)
{
    return cmd_obj_or_reply(c, i, ENTRY_ZSET, write, wrong);
}

static void zset_drop_if_empty(struct client *c, const struct zset_obj *z)
{
    if (z != NULL && zset_len(z) == 0) {
        db_delete(c->db, c->argv[1].ptr, c->argv[1].len);
    }
}

void reply_member(struct client *c, const struct zset_node *n, bool withscores)
{
    size_t len;
    const char *m = zset_node_member(n, &len);
    if (withscores && c->resp >= 3) {
        reply_array_len(REPLY(c), 2);
    }
    reply_bulk(REPLY(c), m, len);
    if (withscores) {
        reply_double(REPLY(c), zset_node_score(n));
    }
}

/* ---- ZADD / ZINCRBY ---- */

#define ZADD_NX 0x01u
#define ZADD_XX 0x02u
#define ZADD_GT 0x04u
#define ZADD_LT 0x08u
#define ZADD_CH 0x10u
#define ZADD_INCR 0x20u

static int zadd_flags_or_reply(struct client *c, unsigned *flags, int *first)
{
    static const char *const names[] = {"nx", "xx", "gt", "lt", "ch", "incr"};
    int i = 2;
    *flags = 0;
    for (; i < c->argc; i++) {
        unsigned f = 0;
        for (unsigned k = 0; k < 6; k++) {
            f |= arg_is(c, i, names[k]) ? 1u << k : 0;
        }
        if (f == 0) {
            break;
        }
        *flags |= f;
    }
    *first = i;
    int rest = c->argc - i;
    if (rest == 0 || rest % 2 != 0) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return -EINVAL;
    }
    if ((*flags & ZADD_NX) && (*flags & ZADD_XX)) {
        reply_error(REPLY(c), "ERR XX and NX options at the same time are not compatible");
        return -EINVAL;
    }
    if (((*flags & ZADD_NX) && (*flags & (ZADD_GT | ZADD_LT))) ||
        ((*flags & ZADD_GT) && (*flags & ZADD_LT))) {
        reply_error(REPLY(c), "ERR GT, LT, and/or NX options at the same time are not compatible");
        return -EINVAL;
    }
    if ((*flags & ZADD_INCR) && rest > 2) {
        reply_error(REPLY(c), "ERR INCR option supports a single increment-element pair");
        return -EINVAL;
    }
    return 0;
}

enum zadd_result { ZADD_SKIPPED, ZADD_ADDED, ZADD_UPDATED, ZADD_SAME, ZADD_NAN };

/* Apply one score/member under the flags; *out is the resulting score. */
static enum zadd_result zadd_one(struct zset_obj *z, unsigned flags, double score,
                                 const struct resp_arg *m, double *out)
{
    double cur;
    if (zset_score(z, m->ptr, m->len, &cur)) {
        if (flags & ZADD_NX) {
            return ZADD_SKIPPED;
        }
        double next = (flags & ZADD_INCR) ? cur + score : score;
        if (isnan(next)) {
            return ZADD_NAN;
        }
        if (((flags & ZADD_GT) && next <= cur) || ((flags & ZADD_LT) && next >= cur)) {
            return ZADD_SKIPPED;
        }
        *out = next;
        if (next == cur) {
            return ZADD_SAME;
        }
        zset_set(z, m->ptr, m->len, next);
        return ZADD_UPDATED;
    }
    if (flags & ZADD_XX) {
        return ZADD_SKIPPED;
    }
    *out = score;
    zset_set(z, m->ptr, m->len, score);
    return ZADD_ADDED;
}

static void zadd_generic(struct client *c, unsigned flags, int first)
{
    int n = (c->argc - first) / 2;
    double *scores = mem_alloc(sizeof(double) * (size_t)n);
    for (int i = 0; i < n; i++) {
        if (arg_double_or_reply(c, first + 2 * i, &scores[i]) < 0) {
            mem_free(scores);
            return;
        }
    }
    bool wrong;
    struct zset_obj *z = zset_at_or_reply(c, 1, true, &wrong);
    if (wrong) {
        mem_free(scores);
        return;
    }
    bool created = z == NULL;
    if (created) {
        z = zset_new();
        db_add(c->db, entry_new_obj(c->argv[1].ptr, c->argv[1].len, ENTRY_ZSET, z, -1));
        db_zset_note(c->db, c->argv[1].ptr, c->argv[1].len);
    }
    long long added = 0, changed = 0;
    enum zadd_result res = ZADD_SKIPPED;
    double out = 0;
    for (int i = 0; i < n; i++) {
        res = zadd_one(z, flags, scores[i], &c->argv[first + 2 * i + 1], &out);
        if (res == ZADD_NAN) {
            reply_error(REPLY(c), "ERR resulting score is not a number (NaN)");
            break;
        }
        added += res == ZADD_ADDED;
        changed += res == ZADD_UPDATED;
    }
    mem_free(scores);
    zset_drop_if_empty(c, z);
    if (added > 0) {
        blocking_key_ready(c->db, c->argv[1].ptr, c->argv[1].len);
    }
    if (res == ZADD_NAN) {
        return;
    }
    if (flags & ZADD_INCR) {
        res == ZADD_SKIPPED ? reply_null(REPLY(c)) : reply_double(REPLY(c), out);
    } else {
        reply_int(REPLY(c), (flags & ZADD_CH) ? added + changed : added);
    }
}

void cmd_zadd(struct client *c)
{
    unsigned flags;
    int first;
    if (zadd_flags_or_reply(c, &flags, &first) == 0) {
        zadd_generic(c, flags, first);
    }
}

void cmd_zincrby(struct client *c)
{
    zadd_generic(c, ZADD_INCR, 2);
}

/* ---- lookups ---- */

void cmd_zscore(struct client *c)
{
    bool wrong;
    struct zset_obj *z = zset_at_or_reply(c, 1, false, &wrong);
    double s;
    if (wrong) {
        return;
    }
    if (z != NULL && zset_score(z, c->argv[2].ptr, c->argv[2].len, &s)) {
        reply_double(REPLY(c), s);
    } else {
        reply_null(REPLY(c));
    }
}

void cmd_zmscore(struct client *c)
{
    bool wrong;
    struct zset_obj *z = zset_at_or_reply(c, 1, false, &wrong);
    if (wrong) {
        return;
    }
    reply_array_len(REPLY(c), c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        double s;
        if (z != NULL && zset_score(z, c->argv[i].ptr, c->argv[i].len, &s)) {
            reply_double(REPLY(c), s);
        } else {
            reply_null(REPLY(c));
        }
    }
}

void cmd_zcard(struct client *c)
{
    bool wrong;
    struct zset_obj *z = zset_at_or_reply(c, 1, false, &wrong);
    if (!wrong) {
        reply_int(REPLY(c), z != NULL ? (long long)zset_len(z) : 0);
    }
}

/* ZRANK / ZREVRANK key member [WITHSCORE] (Redis 7.2). */
static void rank_generic(struct client *c, bool reverse)
{
    bool withscore = c->argc == 4 && arg_is(c, 3, "withscore");
    if (c->argc > 4 || (c->argc == 4 && !withscore)) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    bool wrong;
    struct zset_obj *z = zset_at_or_reply(c, 1, false, &wrong);
    if (wrong) {
        return;
    }
    long long r = z != NULL ? zset_rank(z, c->argv[2].ptr, c->argv[2].len, reverse) : -1;
    if (r < 0) {
        withscore ? reply_null_array(REPLY(c)) : reply_null(REPLY(c));
        return;
    }
    if (withscore) {
        double score;
        zset_score(z, c->argv[2].ptr, c->argv[2].len, &score);
        reply_array_len(REPLY(c), 2);
        reply_int(REPLY(c), r);
        reply_double(REPLY(c), score);
        return;
    }
    reply_int(REPLY(c), r);
}

void cmd_zrank(struct client *c)
{
    rank_generic(c, false);
}

void cmd_zrevrank(struct client *c)
{
    rank_generic(c, true);
}

void cmd_zrem(struct client *c)
{
    bool wrong;
    struct zset_obj *z = zset_at_or_reply(c, 1, true, &wrong);
    long long n = 0;
    if (wrong) {
        return;
    }
    for (int i = 2; z != NULL && i < c->argc; i++) {
        n += zset_del(z, c->argv[i].ptr, c->argv[i].len);
    }
    zset_drop_if_empty(c, z);
    reply_int(REPLY(c), n);
}

/* ---- ranges: by rank, by score, by lex ---- */

static int score_bound(const struct resp_arg *a, double *v, bool *ex)
{
    const char *p = a->ptr;
    size_t len = a->len;
    *ex = len > 0 && p[0] == '(';
    if (*ex) {
        p++;
        len--;
    }
    return util_parse_double(p, len, v) < 0 || isnan(*v) ? -EINVAL : 0;
}

static int score_range_or_reply(struct client *c, int imin, int imax, struct zset_range *r)
{
    if (score_bound(&c->argv[imin], &r->min, &r->exmin) < 0 ||
        score_bound(&c->argv[imax], &r->max, &r->exmax) < 0) {
        reply_error(REPLY(c), ERR_RANGE_FLOAT);
        return -EINVAL;
    }
    return 0;
}

/* A lex bound: "-" / "+" (infinite), "[x" inclusive, "(x" exclusive. */
struct lex_bound {
    const char *p;
    size_t len;
    int inf; /* -1: "-", +1: "+", 0: finite */
    bool ex;
};

struct lex_range {
    struct lex_bound min, max;
};

static int lex_bound(const struct resp_arg *a, struct lex_bound *b)
{
    memset(b, 0, sizeof(*b));
    if (a->len == 1 && (a->ptr[0] == '-' || a->ptr[0] == '+')) {
        b->inf = a->ptr[0] == '-' ? -1 : 1;
        return 0;
    }
    if (a->len == 0 || (a->ptr[0] != '(' && a->ptr[0] != '[')) {
        return -EINVAL;
    }
    b->ex = a->ptr[0] == '(';
    b->p = a->ptr + 1;
    b->len = a->len - 1;
    return 0;
}

static int lex_range_or_reply(struct client *c, int imin, int imax, struct lex_range *r)
{
    if (lex_bound(&c->argv[imin], &r->min) < 0 || lex_bound(&c->argv[imax], &r->max) < 0) {
        reply_error(REPLY(c), ERR_RANGE_LEX);
        return -EINVAL;
    }
    return 0;
}

/* Compare a member with a bound: <0, 0, >0 (infinite bounds compare as
 * beyond everything). */
static int lex_cmp(const struct zset_node *n, const struct lex_bound *b)
{
    if (b->inf != 0) {
        return -b->inf;
    }
    size_t len;
    const char *m = zset_node_member(n, &len);
    size_t k = len < b->len ? len : b->len;
    int cmp = memcmp(m, b->p, k);
    return cmp != 0 ? cmp : (len < b->len ? -1 : len > b->len);
}

static bool lex_below_min(const struct zset_node *n, const void *arg)
{
    const struct lex_range *r = arg;
    int cmp = lex_cmp(n, &r->min);
    return r->min.ex ? cmp <= 0 : cmp < 0;
}

static bool lex_above_max(const struct zset_node *n, const void *arg)
{
    const struct lex_range *r = arg;
    int cmp = lex_cmp(n, &r->max);
    return r->max.ex ? cmp >= 0 : cmp > 0;
}

static bool lex_in(const struct lex_range *r, const struct zset_node *n)
{
    return !lex_below_min(n, r) && !lex_above_max(n, r);
}

enum range_kind { BY_RANK, BY_SCORE, BY_LEX };

struct range_req {
    enum range_kind kind;
    bool rev;
    bool withscores;
    long long offset, limit; /* limit < 0: no limit */
    long long start, stop;   /* BY_RANK */
    struct zset_range score;
    struct lex_range lex;
};

/* First node of the range in walking order and whether n is still in it. */
static struct zset_node *range_first(const struct zset_obj *z, const struct range_req *q)
{
    switch (q->kind) {
    case BY_SCORE:
        return q->rev ? zset_last_in(z, &q->score) : zset_first_in(z, &q->score);
    case BY_LEX: {
        struct zset_node *n = q->rev ? zset_last_where(z, lex_above_max, &q->lex)
                                     : zset_first_where(z, lex_below_min, &q->lex);
        return n != NULL && lex_in(&q->lex, n) ? n : NULL;
    }
    default: {
        long long len = (long long)zset_len(z);
        return zset_at_rank(z, (size_t)(q->rev ? len - 1 - q->start : q->start));
    }
    }
}

static bool range_holds(const struct range_req *q, const struct zset_node *n, long long i)
{
    switch (q->kind) {
    case BY_SCORE:
        return zset_in_range(&q->score, zset_node_score(n));
    case BY_LEX:
        return lex_in(&q->lex, n);
    default:
        return i <= q->stop - q->start;
    }
}

/* Normalise rank bounds as Redis does; false when the range is empty. */
static bool rank_bounds(const struct zset_obj *z, struct range_req *q)
{
    long long len = (long long)zset_len(z);
    q->start = q->start < 0 ? len + q->start : q->start;
    q->stop = q->stop < 0 ? len + q->stop : q->stop;
    q->start = q->start < 0 ? 0 : q->start;
    q->stop = q->stop >= len ? len - 1 : q->stop;
    return q->start <= q->stop && q->start < len;
}

typedef void (*range_visit_fn)(struct client *c, struct zset_node *n, void *arg);

/* Walk the requested range, after OFFSET, at most LIMIT nodes. */
static long long range_walk(struct client *c, struct zset_obj *z, struct range_req *q,
                            range_visit_fn fn, void *arg)
{
    if (z == NULL || (q->kind == BY_RANK && !rank_bounds(z, q))) {
        return 0;
    }
    struct zset_node *n = range_first(z, q);
    long long skipped = 0, taken = 0;
    for (long long i = 0; n != NULL && range_holds(q, n, i) && (q->limit < 0 || taken < q->limit);
         i++) {
        struct zset_node *next = q->rev ? zset_prev(n) : zset_next(n);
        if (skipped < q->offset) {
            skipped++;
        } else {
            fn(c, n, arg);
            taken++;
        }
        n = next;
    }
    return taken;
}

static void visit_reply(struct client *c, struct zset_node *n, void *arg)
{
    reply_member(c, n, *(const bool *)arg);
}

static void range_reply(struct client *c, struct zset_obj *z, struct range_req *q)
{
    size_t handle = reply_defer_len(REPLY(c));
    long long n = range_walk(c, z, q, visit_reply, &q->withscores);
    bool flat = q->withscores && c->resp < 3;
    reply_set_array_len(REPLY(c), handle, flat ? 2 * n : n);
}

/* Parse "min max" (or "start stop") at argv[i], argv[i+1] per kind. */
static int range_bounds_or_reply(struct client *c, struct range_req *q, int i)
{
    int lo = q->rev && q->kind != BY_RANK ? i + 1 : i, hi = lo == i ? i + 1 : i;
    if (q->kind == BY_SCORE) {
        return score_range_or_reply(c, lo, hi, &q->score);
    }
    if (q->kind == BY_LEX) {
        return lex_range_or_reply(c, lo, hi, &q->lex);
    }
    if (arg_ll_or_reply(c, i, &q->start) < 0 || arg_ll_or_reply(c, i + 1, &q->stop) < 0) {
        return -EINVAL;
    }
    return 0;
}

/* Options after the bounds: WITHSCORES, LIMIT offset count, and for ZRANGE
 * also BYSCORE, BYLEX, REV. */
static int range_opts_or_reply(struct client *c, struct range_req *q, int from, bool zrange)
{
    bool has_limit = false;
    for (int i = from; i < c->argc; i++) {
        if (arg_is(c, i, "withscores")) {
            q->withscores = true;
        } else if (arg_is(c, i, "limit") && i + 2 < c->argc) {
            if (arg_ll_or_reply(c, i + 1, &q->offset) < 0 ||
                arg_ll_or_reply(c, i + 2, &q->limit) < 0) {
                return -EINVAL;
            }
            has_limit = true;
            i += 2;
        } else if (zrange && arg_is(c, i, "byscore")) {
            q->kind = BY_SCORE;
        } else if (zrange && arg_is(c, i, "bylex")) {
            q->kind = BY_LEX;
        } else if (zrange && arg_is(c, i, "rev")) {
            q->rev = true;
        } else {
            reply_error(REPLY(c), ERR_SYNTAX);
            return -EINVAL;
        }
    }
    if (has_limit && q->kind == BY_RANK) {
        reply_error(REPLY(c), "ERR syntax error, LIMIT is only supported in combination with "
                              "either BYSCORE or BYLEX");
        return -EINVAL;
    }
    if (q->withscores && q->kind == BY_LEX) {
        reply_error(REPLY(c), "ERR syntax error, WITHSCORES not supported in combination with "
                              "BYLEX");
        return -EINVAL;
    }
    if (q->offset < 0) {
        q->limit = 0; /* a negative offset returns nothing, as in Redis */
    }
    return 0;
}

/* The worker behind every ZRANGE variant. */
static void zrange_generic(struct client *c, enum range_kind kind, bool rev, bool zrange)
{
    struct range_req q = {.kind = kind, .rev = rev, .limit = -1};
    if (range_opts_or_reply(c, &q, 4, zrange) < 0 || range_bounds_or_reply(c, &q, 2) < 0) {
        return;
    }
    bool wrong;
    struct zset_obj *z = zset_at_or_reply(c, 1, false, &wrong);
    if (!wrong) {
        range_reply(c, z, &q);
    }
}

void cmd_zrange(struct client *c)
{
    zrange_generic(c, BY_RANK, false, true);
}

void cmd_zrevrange(struct client *c)
{
    zrange_generic(c, BY_RANK, true, false);
}

void cmd_zrangebyscore(struct client *c)
{
    zrange_generic(c, BY_SCORE, false, false);
}

void cmd_zrevrangebyscore(struct client *c)
{
    zrange_generic(c, BY_SCORE, true, false);
}

void cmd_zrangebylex(struct client *c)
{
    zrange_generic(c, BY_LEX, false, false);
}

void cmd_zrevrangebylex(struct client *c)
{
    zrange_generic(c, BY_LEX, true, false);
}

static void count_generic(struct client *c, enum range_kind kind)
{
    struct range_req q = {.kind = kind, .limit = -1};
    bool wrong;
    if (range_bounds_or_reply(c, &q, 2) < 0) {
        return;
    }
    struct zset_obj *z = zset_at_or_reply(c, 1, false, &wrong);
    if (wrong) {
        return;
    }
    if (kind == BY_SCORE) {
        reply_int(REPLY(c), z != NULL ? (long long)zset_count_in(z, &q.score) : 0);
        return;
    }
    struct zset_node *first = z != NULL ? range_first(z, &q) : NULL;
    struct zset_node *last = z != NULL ? zset_last_where(z, lex_above_max, &q.lex) : NULL;
    long long n = 0;
    if (first != NULL && last != NULL) {
        n = (long long)zset_node_rank(z, last) - (long long)zset_node_rank(z, first) + 1;
    }
    reply_int(REPLY(c), n > 0 ? n : 0);
}

void cmd_zcount(struct client *c)
{
    count_generic(c, BY_SCORE);
}

void cmd_zlexcount(struct client *c)
{
    count_generic(c, BY_LEX);
}

/* ---- removal by range, pops ---- */

struct zrem_ctx {
    struct zset_obj *z;
};

static void visit_delete(struct client *c, struct zset_node *n, void *arg)
{
    (void)c;
    struct zrem_ctx *x = arg;
    size_t len;
    const char *m = zset_node_member(n, &len);
    zset_del(x->z, m, len); /* the walk already holds the next node */
}

static void remrange_generic(struct client *c, enum range_kind kind)
{
    struct range_req q = {.kind = kind, .limit = -1};
    bool wrong;
    if (range_bounds_or_reply(c, &q, 2) < 0) {
        return;
    }
    struct zset_obj *z = zset_at_or_reply(c, 1, true, &wrong);
    if (wrong) {
        return;
    }
    struct zrem_ctx x = {z};
    long long n = range_walk(c, z, &q, visit_delete, &x);
    zset_drop_if_empty(c, z);
    reply_int(REPLY(c), n);
}

void cmd_zremrangebyrank(struct client *c)
{
    remrange_generic(c, BY_RANK);
}

void cmd_zremrangebyscore(struct client *c)
{
    remrange_generic(c, BY_SCORE);
}

void cmd_zremrangebylex(struct client *c)
{
    remrange_generic(c, BY_LEX);
}

static void pop_generic(struct client *c, bool max)
{
    long long count = 1;
    bool wrong;
    if (c->argc > 3) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    if (c->argc == 3 && (arg_ll_msg_or_reply(c, 2, &count, ERR_POSITIVE) < 0 || count < 0)) {
        if (count < 0) {
            reply_error(REPLY(c), ERR_POSITIVE);
        }
        return;
    }
    struct zset_obj *z = zset_at_or_reply(c, 1, true, &wrong);
    if (wrong) {
        return;
    }
    long long n = z != NULL ? (long long)zset_len(z) : 0;
    n = count < n ? count : n;
    /* Without COUNT the reply is one flat pair; with it, pairs (nested in
     * RESP3). */
    bool nested = c->argc == 3 && c->resp >= 3;
    reply_array_len(REPLY(c), nested ? n : 2 * n);
    for (long long i = 0; i < n; i++) {
        struct zset_node *node = zset_at_rank(z, max ? zset_len(z) - 1 : 0);
        size_t len;
        const char *m = zset_node_member(node, &len);
        if (nested) {
            reply_array_len(REPLY(c), 2);
        }
        reply_bulk(REPLY(c), m, len);
        reply_double(REPLY(c), zset_node_score(node));
        zset_del(z, m, len);
    }
    zset_drop_if_empty(c, z);
}

void cmd_zpopmin(struct client *c)
{
    pop_generic(c, false);
}

void cmd_zpopmax(struct client *c)
{
    pop_generic(c, true);
}

/* ---- ZRANDMEMBER / ZSCAN ---- */

static uint64_t zset_rand64(void)
{
    static uint64_t x = 0xd1b54a32d192ed03ULL;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

void cmd_zrandmember(struct client *c)
{
    long long count = 1;
    bool withscores = c->argc == 4 && arg_is(c, 3, "withscores");
    if ((c->argc == 4 && !withscores) || c->argc > 4) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    if (c->argc >= 3 && arg_ll_or_reply(c, 2, &count) < 0) {
        return;
    }
    bool wrong;
    struct zset_obj *z = zset_at_or_reply(c, 1, false, &wrong);
    if (wrong) {
        return;
    }
    size_t len = z != NULL ? zset_len(z) : 0;
    if (c->argc == 2) {
        len == 0 ? reply_null(REPLY(c))
                 : reply_member(c, zset_at_rank(z, (size_t)(zset_rand64() % len)), false);
        return;
    }
    size_t n = count < 0 ? (size_t)(-count) : ((size_t)count < len ? (size_t)count : len);
    n = len == 0 ? 0 : n;
    reply_array_len(REPLY(c), (long long)(withscores && c->resp < 3 ? 2 * n : n));
    /* Distinct picks: a random window start, then consecutive ranks. */
    size_t base = len > 0 ? (size_t)(zset_rand64() % len) : 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = count < 0 ? (size_t)(zset_rand64() % len) : (base + i) % len;
        reply_member(c, zset_at_rank(z, r), withscores);
    }
}

static void zscan_member(const char *m, size_t len, double score, void *arg)
{
    struct scan_out *o = arg;
    if (scan_out_matches(o, m, len)) {
        char buf[128];
        reply_bulk(&o->items, m, len);
        reply_bulk(&o->items, buf, reply_fmt_double(buf, score));
        o->n++;
    }
}

static uint64_t zscan_step(const void *z, uint64_t cursor, struct scan_out *out)
{
    return zset_scan(z, cursor, zscan_member, out);
}

void cmd_zscan(struct client *c)
{
    struct scan_args sa;
    bool wrong;
    if (scan_args_or_reply(c, 2, false, &sa) < 0) {
        return;
    }
    struct zset_obj *z = zset_at_or_reply(c, 1, false, &wrong);
    if (!wrong) {
        scan_collection(c, &sa, z, zscan_step, 2);
    }
}

/* ---- ZRANGESTORE ---- */

struct store_ctx {
    struct zset_obj *out;
};

static void visit_store(struct client *c, struct zset_node *n, void *arg)
{
    (void)c;
    struct store_ctx *x = arg;
    size_t len;
    const char *m = zset_node_member(n, &len);
    zset_set(x->out, m, len, zset_node_score(n));
}

void cmd_zrangestore(struct client *c)
{
    struct range_req q = {.kind = BY_RANK, .limit = -1};
    bool wrong;
    if (range_opts_or_reply(c, &q, 5, true) < 0 || range_bounds_or_reply(c, &q, 3) < 0) {
        return;
    }
    if (q.withscores) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    struct entry *e = db_lookup(c->db, c->argv[2].ptr, c->argv[2].len, 0);
    wrong = e != NULL && entry_type(e) != ENTRY_ZSET;
    if (wrong) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return;
    }
    struct store_ctx x = {zset_new()};
    long long n = range_walk(c, e != NULL ? db_zset_open(c->db, e) : NULL, &q, visit_store, &x);
    if (n == 0) {
        zset_free(x.out);
        db_delete(c->db, c->argv[1].ptr, c->argv[1].len);
    } else {
        db_set(c->db, entry_new_obj(c->argv[1].ptr, c->argv[1].len, ENTRY_ZSET, x.out, -1));
        db_zset_note(c->db, c->argv[1].ptr, c->argv[1].len);
        blocking_key_ready(c->db, c->argv[1].ptr, c->argv[1].len);
    }
    reply_int(REPLY(c), n);
}
