/* cmd_hash.c - hash commands. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/cmd.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/cmd_hash.h"
#include "server/t_hash.h"
#include "server/util.h"

#define KEY(c) (c)->argv[1].ptr, (c)->argv[1].len

struct hash_limits hash_limits_now(void)
{
    return (struct hash_limits){(size_t)server.cfg->hash_max_listpack_entries,
                                (size_t)server.cfg->hash_max_listpack_value};
}

/* The hash at argv[1] for reading, NULL when absent; *wrong (with
 * WRONGTYPE replied) when the key holds another type. */
struct hash_obj *hash_read_or_reply(struct client *c, bool *wrong)
{
    struct entry *e = db_lookup(c->db, KEY(c), 0);
    *wrong = e != NULL && entry_type(e) != ENTRY_HASH;
    if (*wrong) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return NULL;
    }
    e = e != NULL ? db_field_expiry(c->db, e) : NULL; /* lazy field expiry */
    return e != NULL ? entry_obj(e) : NULL;
}

/* The hash at argv[1] for writing, created when absent; NULL (replied)
 * on WRONGTYPE. */
struct hash_obj *hash_write_or_reply(struct client *c)
{
    struct entry *e = db_lookup_write(c->db, KEY(c));
    if (e != NULL && entry_type(e) != ENTRY_HASH) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return NULL;
    }
    e = e != NULL ? db_field_expiry(c->db, e) : NULL;
    if (e == NULL) {
        struct hash_obj *h = hash_new();
        db_add(c->db, entry_new_obj(KEY(c), ENTRY_HASH, h, -1));
        return h;
    }
    db_modified(c->db, KEY(c));
    return entry_obj(e);
}

/* Delete the key when its last field went. */
void hash_drop_if_empty(struct client *c, const struct hash_obj *h)
{
    if (hash_len(h) == 0) {
        db_delete(c->db, KEY(c));
    }
}

static void hset_generic(struct client *c, bool ok_reply)
{
    if (c->argc % 2 != 0) {
        reply_errorf(REPLY(c), "ERR wrong number of arguments for '%s' command", c->cmd->name);
        return;
    }
    struct hash_obj *h = hash_write_or_reply(c);
    if (h == NULL) {
        return;
    }
    struct hash_limits lim = hash_limits_now();
    long long added = 0;
    for (int i = 2; i < c->argc; i += 2) {
        added += hash_set(h, c->argv[i].ptr, c->argv[i].len, c->argv[i + 1].ptr,
                          c->argv[i + 1].len, &lim);
    }
    ok_reply ? reply_ok(REPLY(c)) : reply_int(REPLY(c), added);
}

void cmd_hset(struct client *c)
{
    hset_generic(c, false);
}

void cmd_hmset(struct client *c)
{
    hset_generic(c, true);
}

void cmd_hsetnx(struct client *c)
{
    struct hash_obj *h = hash_write_or_reply(c);
    const char *v;
    size_t vlen;
    if (h == NULL) {
        return;
    }
    if (hash_get(h, c->argv[2].ptr, c->argv[2].len, &v, &vlen)) {
        reply_int(REPLY(c), 0);
        return;
    }
    struct hash_limits lim = hash_limits_now();
    hash_set(h, c->argv[2].ptr, c->argv[2].len, c->argv[3].ptr, c->argv[3].len, &lim);
    reply_int(REPLY(c), 1);
}

static void reply_field(struct client *c, const struct hash_obj *h, int i)
{
    const char *v;
    size_t vlen;
    if (h != NULL && hash_get(h, c->argv[i].ptr, c->argv[i].len, &v, &vlen)) {
        reply_bulk(REPLY(c), v, vlen);
    } else {
        reply_null(REPLY(c));
    }
}

void cmd_hget(struct client *c)
{
    bool wrong;
    struct hash_obj *h = hash_read_or_reply(c, &wrong);
    if (!wrong) {
        reply_field(c, h, 2);
    }
}

void cmd_hmget(struct client *c)
{
    bool wrong;
    struct hash_obj *h = hash_read_or_reply(c, &wrong);
    if (wrong) {
        return;
    }
    reply_array_len(REPLY(c), c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        reply_field(c, h, i);
    }
}

void cmd_hstrlen(struct client *c)
{
    bool wrong;
    struct hash_obj *h = hash_read_or_reply(c, &wrong);
    const char *v;
    size_t vlen = 0;
    if (!wrong) {
        if (h == NULL || !hash_get(h, c->argv[2].ptr, c->argv[2].len, &v, &vlen)) {
            vlen = 0;
        }
        reply_int(REPLY(c), (long long)vlen);
    }
}

void cmd_hexists(struct client *c)
{
    bool wrong;
    struct hash_obj *h = hash_read_or_reply(c, &wrong);
    const char *v;
    size_t vlen;
    if (!wrong) {
        reply_int(REPLY(c), h != NULL && hash_get(h, c->argv[2].ptr, c->argv[2].len, &v, &vlen));
    }
}

void cmd_hlen(struct client *c)
{
    bool wrong;
    struct hash_obj *h = hash_read_or_reply(c, &wrong);
    if (!wrong) {
        reply_int(REPLY(c), h != NULL ? (long long)hash_len(h) : 0);
    }
}

void cmd_hdel(struct client *c)
{
    struct entry *e = db_lookup_write(c->db, KEY(c));
    if (e != NULL && entry_type(e) != ENTRY_HASH) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return;
    }
    e = e != NULL ? db_field_expiry(c->db, e) : NULL;
    long long n = 0;
    struct hash_obj *h = e != NULL ? entry_obj(e) : NULL;
    for (int i = 2; h != NULL && i < c->argc; i++) {
        n += hash_del(h, c->argv[i].ptr, c->argv[i].len);
    }
    if (n > 0) {
        db_modified(c->db, KEY(c));
        hash_drop_if_empty(c, h);
    }
    reply_int(REPLY(c), n);
}

/* ---- whole-hash replies ---- */

#define HASH_KEYS 0x1
#define HASH_VALS 0x2

struct hash_emit {
    struct reply_buf *out;
    int what;
};

static void hash_emit_pair(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    const struct hash_emit *em = arg;
    if (em->what & HASH_KEYS) {
        reply_bulk(em->out, f, flen);
    }
    if (em->what & HASH_VALS) {
        reply_bulk(em->out, v, vlen);
    }
}

static void hash_reply_all(struct client *c, int what)
{
    bool wrong;
    struct hash_obj *h = hash_read_or_reply(c, &wrong);
    if (wrong) {
        return;
    }
    long long n = h != NULL ? (long long)hash_len(h) : 0;
    if (what == (HASH_KEYS | HASH_VALS)) {
        reply_map_len(REPLY(c), n);
    } else {
        reply_array_len(REPLY(c), n);
    }
    struct hash_emit em = {REPLY(c), what};
    if (h != NULL) {
        hash_foreach(h, hash_emit_pair, &em);
    }
}

void cmd_hgetall(struct client *c)
{
    hash_reply_all(c, HASH_KEYS | HASH_VALS);
}

void cmd_hkeys(struct client *c)
{
    hash_reply_all(c, HASH_KEYS);
}

void cmd_hvals(struct client *c)
{
    hash_reply_all(c, HASH_VALS);
}

/* ---- counters ---- */

void cmd_hincrby(struct client *c)
{
    long long by, v = 0;
    if (arg_ll_or_reply(c, 3, &by) < 0) {
        return;
    }
    struct hash_obj *h = hash_write_or_reply(c);
    const char *cur;
    size_t clen;
    if (h == NULL) {
        return;
    }
    if (hash_get(h, c->argv[2].ptr, c->argv[2].len, &cur, &clen) &&
        util_parse_ll(cur, clen, &v) < 0) {
        reply_error(REPLY(c), "ERR hash value is not an integer");
        hash_drop_if_empty(c, h);
        return;
    }
    if ((by < 0 && v < 0 && by < LLONG_MIN - v) || (by > 0 && v > 0 && by > LLONG_MAX - v)) {
        reply_error(REPLY(c), ERR_OVERFLOW);
        hash_drop_if_empty(c, h);
        return;
    }
    char buf[24];
    struct hash_limits lim = hash_limits_now();
    hash_set(h, c->argv[2].ptr, c->argv[2].len, buf, resp_ll_to_str(buf, v + by), &lim);
    reply_int(REPLY(c), v + by);
}

void cmd_hincrbyfloat(struct client *c)
{
    long double by, v = 0;
    if (arg_long_double_or_reply(c, 3, &by) < 0) {
        return;
    }
    if (isnan(by) || isinf(by)) {
        reply_error(REPLY(c), "ERR value is NaN or Infinity");
        return;
    }
    struct hash_obj *h = hash_write_or_reply(c);
    const char *cur;
    size_t clen;
    if (h == NULL) {
        return;
    }
    if (hash_get(h, c->argv[2].ptr, c->argv[2].len, &cur, &clen) &&
        util_parse_long_double(cur, clen, &v) < 0) {
        reply_error(REPLY(c), "ERR hash value is not a float");
        hash_drop_if_empty(c, h);
        return;
    }
    v += by;
    if (isnan(v) || isinf(v)) {
        reply_error(REPLY(c), ERR_NAN_INF);
        hash_drop_if_empty(c, h);
        return;
    }
    size_t start = REPLY(c)->len;
    reply_bulk_long_double(REPLY(c), v);
    /* The reply holds "$<n>\r\n<text>\r\n": store the same text. */
    const char *text = memchr(REPLY(c)->data + start, '\n', REPLY(c)->len - start) + 1;
    size_t tlen = REPLY(c)->len - (size_t)(text - REPLY(c)->data) - 2;
    char *copy = mem_strndup(text, tlen);
    struct hash_limits lim = hash_limits_now();
    hash_set(h, c->argv[2].ptr, c->argv[2].len, copy, tlen, &lim);
    mem_free(copy);
}

/* ---- HRANDFIELD / HSCAN ---- */

static uint64_t hash_rand64(void)
{
    static uint64_t s = 0x9e3779b97f4a7c15ULL;
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
}

struct rand_pick {
    const char *f, *v;
    size_t flen, vlen;
};

struct rand_all {
    struct rand_pick *picks;
    size_t n;
};

static void rand_collect(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    struct rand_all *all = arg;
    all->picks[all->n++] = (struct rand_pick){f, v, flen, vlen};
}

static void rand_reply_pick(struct client *c, const struct rand_pick *p, bool withvalues)
{
    if (withvalues && c->resp >= 3) {
        reply_array_len(REPLY(c), 2);
    }
    reply_bulk(REPLY(c), p->f, p->flen);
    if (withvalues) {
        reply_bulk(REPLY(c), p->v, p->vlen);
    }
}

/* count > 0: distinct fields (all when count >= HLEN); count < 0: |count|
 * fields that may repeat. Replies as Redis does for each protocol. */
static void hrandfield_count(struct client *c, struct hash_obj *h, long long count,
                             bool withvalues)
{
    size_t len = hash_len(h);
    struct rand_all all = {mem_alloc(sizeof(struct rand_pick) * len), 0};
    hash_foreach(h, rand_collect, &all);
    size_t n = count < 0 ? (size_t)(-count) : ((size_t)count < len ? (size_t)count : len);
    bool pairs_flat = withvalues && c->resp < 3;
    reply_array_len(REPLY(c), (long long)(pairs_flat ? 2 * n : n));
    for (size_t i = 0; i < n; i++) {
        size_t pick;
        if (count < 0) {
            pick = (size_t)(hash_rand64() % len);
        } else {
            /* Partial Fisher-Yates: the first n slots become the sample. */
            pick = i + (size_t)(hash_rand64() % (len - i));
            struct rand_pick tmp = all.picks[i];
            all.picks[i] = all.picks[pick];
            all.picks[pick] = tmp;
            pick = i;
        }
        rand_reply_pick(c, &all.picks[pick], withvalues);
    }
    mem_free(all.picks);
}

void cmd_hrandfield(struct client *c)
{
    long long count = 0;
    bool withvalues = false;
    if (c->argc >= 3 && arg_ll_or_reply(c, 2, &count) < 0) {
        return;
    }
    if (c->argc == 4 && arg_is(c, 3, "withvalues")) {
        withvalues = true;
    } else if (c->argc >= 4) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    if (count < -(LLONG_MAX / 2) || count > LLONG_MAX / 2) {
        reply_error(REPLY(c), "ERR value is out of range");
        return;
    }
    bool wrong;
    struct hash_obj *h = hash_read_or_reply(c, &wrong);
    if (wrong) {
        return;
    }
    if (c->argc == 2) {
        struct rand_pick p;
        if (h == NULL) {
            reply_null(REPLY(c));
            return;
        }
        hash_random(h, hash_rand64, &p.f, &p.flen, &p.v, &p.vlen);
        reply_bulk(REPLY(c), p.f, p.flen);
        return;
    }
    if (h == NULL || count == 0) {
        reply_array_len(REPLY(c), 0);
        return;
    }
    hrandfield_count(c, h, count, withvalues);
}

static void hscan_pair(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    struct scan_out *o = arg;
    if (scan_out_matches(o, f, flen)) {
        reply_bulk(&o->items, f, flen);
        reply_bulk(&o->items, v, vlen);
        o->n++;
    }
}

static void hscan_field(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    (void)v;
    (void)vlen;
    struct scan_out *o = arg;
    if (scan_out_matches(o, f, flen)) {
        reply_bulk(&o->items, f, flen);
        o->n++;
    }
}

static uint64_t hscan_step(const void *h, uint64_t cursor, struct scan_out *out)
{
    return hash_scan(h, cursor, hscan_pair, out);
}

static uint64_t hscan_step_novalues(const void *h, uint64_t cursor, struct scan_out *out)
{
    return hash_scan(h, cursor, hscan_field, out);
}

/* HSCAN key cursor [MATCH p] [COUNT n] [NOVALUES] (NOVALUES: Redis 7.4). */
void cmd_hscan(struct client *c)
{
    struct scan_args sa;
    bool wrong;
    bool novalues = c->argc > 3 && arg_is(c, c->argc - 1, "novalues");
    int argc = c->argc;
    c->argc -= novalues; /* the shared parser knows MATCH and COUNT */
    int rc = scan_args_or_reply(c, 2, false, &sa);
    c->argc = argc;
    if (rc < 0) {
        return;
    }
    struct hash_obj *h = hash_read_or_reply(c, &wrong);
    if (!wrong) {
        scan_collection(c, &sa, h, novalues ? hscan_step_novalues : hscan_step, novalues ? 1 : 2);
    }
}
