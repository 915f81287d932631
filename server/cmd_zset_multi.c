/* cmd_zset_multi.c - sorted-set commands over several keys: ZUNION, ZINTER,
 * ZDIFF and their STORE forms, ZINTERCARD, ZMPOP and the blocking pops. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "server/blocking.h"
#include "server/cmd.h"
#include "server/cmd_zset.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/propagate.h"
#include "server/t_set.h"
#include "server/t_zset.h"
#include "server/util.h"

/* ---- ZUNION / ZINTER / ZDIFF, their STORE forms, ZINTERCARD ---- */

enum zop { ZOP_UNION, ZOP_INTER, ZOP_DIFF };
enum zagg { ZAGG_SUM, ZAGG_MIN, ZAGG_MAX };

/* An input: a sorted set, or a plain set whose members score 1 (Redis
 * accepts both); NULL when the key is absent. */
struct zinput {
    struct zset_obj *z;
    struct set_obj *s;
    double weight;
};

struct zalgebra {
    struct zinput *in;
    int n;
    enum zop op;
    enum zagg agg;
    bool withscores;
    long long limit; /* ZINTERCARD */
};

static bool zinput_score(const struct zinput *x, const char *m, size_t len, double *score)
{
    if (x->z != NULL) {
        return zset_score(x->z, m, len, score);
    }
    *score = 1.0;
    return x->s != NULL && set_contains(x->s, m, len);
}

static double zweighted(double score, double weight)
{
    double v = score * weight;
    return isnan(v) ? 0.0 : v; /* inf * 0 counts as 0, as in Redis */
}

static double zaggregate(enum zagg agg, double a, double b)
{
    if (agg == ZAGG_MIN) {
        return a < b ? a : b;
    }
    if (agg == ZAGG_MAX) {
        return a > b ? a : b;
    }
    double v = a + b;
    return isnan(v) ? 0.0 : v;
}

struct zalg_ctx {
    const struct zalgebra *a;
    struct zset_obj *out;
};

/* Visit one member of the first (or, for a union, any) input. */
static void zalg_member(const char *m, size_t len, double score, void *arg)
{
    struct zalg_ctx *x = arg;
    const struct zalgebra *a = x->a;
    double acc = zweighted(score, a->in[0].weight), s;
    if (a->limit > 0 && (long long)zset_len(x->out) >= a->limit) {
        return;
    }
    if (a->op == ZOP_UNION) {
        if (zset_score(x->out, m, len, &s)) {
            return; /* first seen wins the full aggregation below */
        }
        bool first = true;
        for (int i = 0; i < a->n; i++) {
            double si;
            if (zinput_score(&a->in[i], m, len, &si)) {
                acc = first ? zweighted(si, a->in[i].weight)
                            : zaggregate(a->agg, acc, zweighted(si, a->in[i].weight));
                first = false;
            }
        }
        zset_set(x->out, m, len, acc);
        return;
    }
    for (int i = 1; i < a->n; i++) {
        bool in = zinput_score(&a->in[i], m, len, &s);
        if (a->op == ZOP_DIFF ? in : !in) {
            return;
        }
        if (a->op == ZOP_INTER) {
            acc = zaggregate(a->agg, acc, zweighted(s, a->in[i].weight));
        }
    }
    zset_set(x->out, m, len, a->op == ZOP_DIFF ? score : acc);
}

static void zalg_set_member(const char *m, size_t len, void *arg)
{
    zalg_member(m, len, 1.0, arg);
}

static void zalg_scan_input(const struct zinput *in, struct zalg_ctx *x)
{
    if (in->z != NULL) {
        for (struct zset_node *n = zset_at_rank(in->z, 0); n != NULL; n = zset_next(n)) {
            size_t len;
            const char *m = zset_node_member(n, &len);
            zalg_member(m, len, zset_node_score(n), x);
        }
    } else if (in->s != NULL) {
        set_foreach(in->s, zalg_set_member, x);
    }
}

static struct zset_obj *zalgebra_run(const struct zalgebra *a)
{
    struct zalg_ctx x = {a, zset_new()};
    for (int i = 0; a->op == ZOP_INTER && i < a->n; i++) {
        if (a->in[i].z == NULL && a->in[i].s == NULL) {
            return x.out; /* an absent input empties an intersection */
        }
    }
    for (int i = 0; i < (a->op == ZOP_UNION ? a->n : 1); i++) {
        zalg_scan_input(&a->in[i], &x);
    }
    return x.out;
}

/* Load numkeys inputs at argv[at+1..]; WRONGTYPE unless zset or set. */
static int zalg_inputs_or_reply(struct client *c, int at, struct zalgebra *a)
{
    long long n;
    if (arg_ll_or_reply(c, at, &n) < 0) {
        return -EINVAL;
    }
    if (n <= 0) {
        reply_errorf(REPLY(c), "ERR at least 1 input key is needed for '%s' command",
                     c->cmd->name);
        return -EINVAL;
    }
    if (n > c->argc - at - 1) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return -EINVAL;
    }
    a->n = (int)n;
    a->in = mem_calloc(sizeof(*a->in) * (size_t)n);
    for (int i = 0; i < a->n; i++) {
        struct entry *e = db_lookup(c->db, c->argv[at + 1 + i].ptr, c->argv[at + 1 + i].len, 0);
        a->in[i].weight = 1.0;
        if (e != NULL && entry_type(e) != ENTRY_ZSET && entry_type(e) != ENTRY_SET) {
            reply_error(REPLY(c), ERR_WRONGTYPE);
            mem_free(a->in);
            return -EINVAL;
        }
        if (e != NULL && entry_type(e) == ENTRY_ZSET) {
            a->in[i].z = db_zset_open(c->db, e);
        } else if (e != NULL) {
            a->in[i].s = entry_obj(e);
        }
    }
    return 0;
}

/* WEIGHTS, AGGREGATE, WITHSCORES after the keys. */
static int zalg_opts_or_reply(struct client *c, int from, struct zalgebra *a, bool store)
{
    for (int i = from; i < c->argc; i++) {
        if (a->op != ZOP_DIFF && arg_is(c, i, "weights") && i + a->n < c->argc) {
            for (int k = 0; k < a->n; k++) {
                const struct resp_arg *w = &c->argv[i + 1 + k];
                if (util_parse_double(w->ptr, w->len, &a->in[k].weight) < 0) {
                    reply_error(REPLY(c), "ERR weight value is not a float");
                    return -EINVAL;
                }
            }
            i += a->n;
        } else if (a->op != ZOP_DIFF && arg_is(c, i, "aggregate") && i + 1 < c->argc &&
                   (arg_is(c, i + 1, "sum") || arg_is(c, i + 1, "min") ||
                    arg_is(c, i + 1, "max"))) {
            a->agg = arg_is(c, i + 1, "sum") ? ZAGG_SUM : arg_is(c, i + 1, "min") ? ZAGG_MIN
                                                                                  : ZAGG_MAX;
            i++;
        } else if (!store && arg_is(c, i, "withscores")) {
            a->withscores = true;
        } else {
            reply_error(REPLY(c), ERR_SYNTAX);
            return -EINVAL;
        }
    }
    return 0;
}

static void zalgebra_generic(struct client *c, enum zop op, bool store)
{
    struct zalgebra a = {.op = op};
    int at = store ? 2 : 1;
    if (zalg_inputs_or_reply(c, at, &a) < 0) {
        return;
    }
    if (zalg_opts_or_reply(c, at + 1 + a.n, &a, store) < 0) {
        mem_free(a.in);
        return;
    }
    struct zset_obj *out = zalgebra_run(&a);
    mem_free(a.in);
    if (!store) {
        bool flat = a.withscores && c->resp < 3;
        reply_array_len(REPLY(c), (long long)(flat ? 2 * zset_len(out) : zset_len(out)));
        for (struct zset_node *n = zset_at_rank(out, 0); n != NULL; n = zset_next(n)) {
            reply_member(c, n, a.withscores);
        }
        zset_free(out);
        return;
    }
    long long len = (long long)zset_len(out);
    if (len == 0) {
        zset_free(out);
        db_delete(c->db, c->argv[1].ptr, c->argv[1].len);
    } else {
        db_set(c->db, entry_new_obj(c->argv[1].ptr, c->argv[1].len, ENTRY_ZSET, out, -1));
        db_zset_note(c->db, c->argv[1].ptr, c->argv[1].len);
        blocking_key_ready(c->db, c->argv[1].ptr, c->argv[1].len);
    }
    reply_int(REPLY(c), len);
}

void cmd_zunion(struct client *c)
{
    zalgebra_generic(c, ZOP_UNION, false);
}

void cmd_zunionstore(struct client *c)
{
    zalgebra_generic(c, ZOP_UNION, true);
}

void cmd_zinter(struct client *c)
{
    zalgebra_generic(c, ZOP_INTER, false);
}

void cmd_zinterstore(struct client *c)
{
    zalgebra_generic(c, ZOP_INTER, true);
}

void cmd_zdiff(struct client *c)
{
    zalgebra_generic(c, ZOP_DIFF, false);
}

void cmd_zdiffstore(struct client *c)
{
    zalgebra_generic(c, ZOP_DIFF, true);
}

void cmd_zintercard(struct client *c)
{
    struct zalgebra a = {.op = ZOP_INTER};
    if (zalg_inputs_or_reply(c, 1, &a) < 0) {
        return;
    }
    int rest = 2 + a.n;
    if (rest < c->argc && (c->argc - rest != 2 || !arg_is(c, rest, "limit"))) {
        reply_error(REPLY(c), ERR_SYNTAX);
        mem_free(a.in);
        return;
    }
    if (rest < c->argc && (arg_ll_or_reply(c, rest + 1, &a.limit) < 0 || a.limit < 0)) {
        if (a.limit < 0) {
            reply_error(REPLY(c), "ERR LIMIT can't be negative");
        }
        mem_free(a.in);
        return;
    }
    struct zset_obj *out = zalgebra_run(&a);
    mem_free(a.in);
    reply_int(REPLY(c), (long long)zset_len(out));
    zset_free(out);
}

/* ---- ZMPOP / BZMPOP / BZPOPMIN / BZPOPMAX ---- */

/* Pop from the first non-empty sorted set of argv[first .. first+nkeys).
 * mpop: reply [key, [[m, s], ...]]; else [key, m, s]. Blocks when all are
 * empty and deadline >= 0 (outside MULTI). */
static void zset_multi_pop(struct client *c, int first, int nkeys, bool max, long long count,
                           bool mpop, int64_t deadline)
{
    for (int i = first; i < first + nkeys; i++) {
        bool wrong;
        struct zset_obj *z = zset_at_or_reply(c, i, true, &wrong);
        if (wrong) {
            return;
        }
        if (z == NULL) {
            continue;
        }
        long long n = count < (long long)zset_len(z) ? count : (long long)zset_len(z);
        reply_array_len(REPLY(c), mpop ? 2 : 3);
        reply_bulk(REPLY(c), c->argv[i].ptr, c->argv[i].len);
        if (mpop) {
            reply_array_len(REPLY(c), n);
        }
        for (long long k = 0; k < n; k++) {
            struct zset_node *node = zset_at_rank(z, max ? zset_len(z) - 1 : 0);
            size_t len;
            const char *m = zset_node_member(node, &len);
            if (mpop) {
                reply_array_len(REPLY(c), 2);
            }
            reply_bulk(REPLY(c), m, len);
            reply_double(REPLY(c), zset_node_score(node));
            zset_del(z, m, len);
        }
        if (zset_len(z) == 0) {
            db_delete(c->db, c->argv[i].ptr, c->argv[i].len);
        }
        prop_key_command(c, max ? "ZPOPMAX" : "ZPOPMIN", i, n);
        return;
    }
    if (deadline >= 0 && !(c->flags & CLIENT_MULTI)) {
        blocking_wait(c, first, nkeys, 1, deadline);
    } else {
        reply_null_array(REPLY(c));
    }
}

void cmd_zmpop(struct client *c)
{
    int nkeys;
    bool max;
    long long count;
    if (mpop_args_or_reply(c, 1, "max", "min", &nkeys, &max, &count) == 0) {
        zset_multi_pop(c, 2, nkeys, max, count, true, -1);
    }
}

void cmd_bzmpop(struct client *c)
{
    int nkeys;
    bool max;
    long long count;
    int64_t deadline;
    if (blocking_timeout_or_reply(c, 1, &deadline) == 0 &&
        mpop_args_or_reply(c, 2, "max", "min", &nkeys, &max, &count) == 0) {
        zset_multi_pop(c, 3, nkeys, max, count, true, deadline);
    }
}

static void bzpop_generic(struct client *c, bool max)
{
    int64_t deadline;
    if (blocking_timeout_or_reply(c, c->argc - 1, &deadline) == 0) {
        zset_multi_pop(c, 1, c->argc - 2, max, 1, false, deadline);
    }
}

void cmd_bzpopmin(struct client *c)
{
    bzpop_generic(c, false);
}

void cmd_bzpopmax(struct client *c)
{
    bzpop_generic(c, true);
}
