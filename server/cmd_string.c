/* cmd_string.c - string and counter commands. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "server/cmd.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/propagate.h"
#include "server/util.h"

/* ---- shared helpers ---- */

static inline const char *arg_p(const struct client *c, int i)
{
    return c->argv[i].ptr;
}

static inline size_t arg_n(const struct client *c, int i)
{
    return c->argv[i].len;
}

/* The string entry at key, NULL when absent; *wrong set (and WRONGTYPE
 * replied) when the key holds another type. */
static struct entry *string_lookup_or_reply(struct client *c, int i, int flags, bool *wrong)
{
    struct entry *e = db_lookup(c->db, arg_p(c, i), arg_n(c, i), flags);
    *wrong = e != NULL && entry_type(e) != ENTRY_STRING;
    if (*wrong) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return NULL;
    }
    return e;
}

static void reply_entry_value(struct client *c, const struct entry *e)
{
    struct entry_str s;
    entry_str(e, &s);
    reply_bulk(REPLY(c), s.p, s.len);
}

static int check_string_length_or_reply(struct client *c, unsigned long long len)
{
    if (len > (unsigned long long)server.cfg->proto_max_bulk_len) {
        reply_error(REPLY(c), ERR_STRING_TOO_LONG);
        return -E2BIG;
    }
    return 0;
}

/* ---- expire options shared by SET and GETEX ---- */

#define SET_NX 0x01u
#define SET_XX 0x02u
#define SET_GET 0x04u
#define SET_KEEPTTL 0x08u
#define SET_PERSIST 0x10u
#define SET_EX 0x20u
#define SET_PX 0x40u
#define SET_EXAT 0x80u
#define SET_PXAT 0x100u
#define SET_ANY_EXPIRE (SET_EX | SET_PX | SET_EXAT | SET_PXAT)

enum set_cmd { SET_CMD_SET, SET_CMD_GETEX };

struct set_opts {
    unsigned flags;
    int expire_arg; /* argv index of the time value, 0 when none */
    int64_t expire_ms; /* absolute deadline, -1 when none */
};

/* Redis's invalid-expire error names the command being run. */
static void reply_invalid_expire(struct client *c)
{
    reply_errorf(REPLY(c), "ERR invalid expire time in '%s' command", c->cmd->name);
}

/* Turn argv[i] in the unit of flags into an absolute deadline in ms. */
static int expire_arg_to_deadline_or_reply(struct client *c, int i, unsigned flags, int64_t *out)
{
    long long v;
    if (arg_ll_or_reply(c, i, &v) < 0) {
        return -EINVAL;
    }
    bool seconds = flags & (SET_EX | SET_EXAT);
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) {
        reply_invalid_expire(c);
        return -ERANGE;
    }
    if (seconds) {
        v *= 1000;
    }
    if (flags & (SET_EX | SET_PX)) {
        if (v > LLONG_MAX - server.now_ms) {
            reply_invalid_expire(c);
            return -ERANGE;
        }
        v += server.now_ms;
    }
    *out = v;
    return 0;
}

static int set_opts_parse_or_reply(struct client *c, int first, enum set_cmd which,
                                   struct set_opts *o, bool eval_time)
{
    static const struct {
        const char *name;
        unsigned flag;
        unsigned conflicts;
        bool set_only, getex_only;
    } table[] = {
        {"nx", SET_NX, SET_XX, true, false},
        {"xx", SET_XX, SET_NX, true, false},
        {"get", SET_GET, 0, true, false},
        {"keepttl", SET_KEEPTTL, SET_ANY_EXPIRE | SET_PERSIST, true, false},
        {"persist", SET_PERSIST, SET_ANY_EXPIRE | SET_KEEPTTL, false, true},
        {"ex", SET_EX, SET_ANY_EXPIRE | SET_KEEPTTL | SET_PERSIST, false, false},
        {"px", SET_PX, SET_ANY_EXPIRE | SET_KEEPTTL | SET_PERSIST, false, false},
        {"exat", SET_EXAT, SET_ANY_EXPIRE | SET_KEEPTTL | SET_PERSIST, false, false},
        {"pxat", SET_PXAT, SET_ANY_EXPIRE | SET_KEEPTTL | SET_PERSIST, false, false},
    };
    o->flags = 0;
    o->expire_arg = 0;
    o->expire_ms = -1;
    for (int i = first; i < c->argc; i++) {
        size_t k = 0, n = sizeof(table) / sizeof(table[0]);
        while (k < n && !arg_is(c, i, table[k].name)) {
            k++;
        }
        /* An option may repeat (the last value wins), as in Redis. */
        bool ok = k < n && !(o->flags & (table[k].conflicts & ~table[k].flag)) &&
                  !(which == SET_CMD_SET && table[k].getex_only) &&
                  !(which == SET_CMD_GETEX && table[k].set_only);
        bool takes_value = ok && (table[k].flag & SET_ANY_EXPIRE);
        if (!ok || (takes_value && i + 1 >= c->argc)) {
            reply_error(REPLY(c), ERR_SYNTAX);
            return -EINVAL;
        }
        o->flags |= table[k].flag;
        if (takes_value) {
            o->expire_arg = ++i;
        }
    }
    if (eval_time && o->expire_arg > 0 &&
        expire_arg_to_deadline_or_reply(c, o->expire_arg, o->flags, &o->expire_ms) < 0) {
        return -EINVAL;
    }
    return 0;
}

/* ---- GET / SET family ---- */

/* Reply the string at argv[1] (nil when absent, WRONGTYPE for another
 * type); returns the entry only when its value was replied. */
static struct entry *string_get_or_reply(struct client *c)
{
    bool wrong;
    struct entry *e = string_lookup_or_reply(c, 1, 0, &wrong);
    if (e != NULL) {
        reply_entry_value(c, e);
    } else if (!wrong) {
        reply_null(REPLY(c));
    }
    return e;
}

void cmd_get(struct client *c)
{
    string_get_or_reply(c);
}

/* The worker behind SET, SETNX, SETEX, PSETEX and GETSET. Replies with
 * ok_reply / abort_reply (NULL means OK / nil) unless GET asks for the old
 * value. */
/* A relative TTL propagates as an absolute one: SET ... PXAT <ms>. */
static void set_propagate_pxat(struct client *c, const struct set_opts *o, int key, int val)
{
    if (c->cmd->fn == cmd_set) {
        prop_replace_arg(o->expire_arg - 1, "PXAT", 4);
        prop_replace_arg_ll(o->expire_arg, o->expire_ms);
        return;
    }
    prop_cmd_begin(c->db_id, 5); /* SETEX, PSETEX */
    prop_arg_str("SET");
    prop_arg(arg_p(c, key), arg_n(c, key));
    prop_arg(arg_p(c, val), arg_n(c, val));
    prop_arg_str("PXAT");
    prop_arg_ll(o->expire_ms);
    prop_cmd_end(true);
}

static void set_generic(struct client *c, const struct set_opts *o, int key, int val,
                        const char *ok_int, const char *abort_int)
{
    const char *k = arg_p(c, key);
    size_t klen = arg_n(c, key);
    struct entry *old = db_lookup_write(c->db, k, klen);
    if ((o->flags & SET_GET) && old != NULL && entry_type(old) != ENTRY_STRING) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return;
    }
    if (o->flags & SET_GET) {
        if (old != NULL) {
            reply_entry_value(c, old);
        } else {
            reply_null(REPLY(c));
        }
    }
    if (((o->flags & SET_NX) && old != NULL) || ((o->flags & SET_XX) && old == NULL)) {
        if (!(o->flags & SET_GET)) {
            abort_int != NULL ? reply_int(REPLY(c), 0) : reply_null(REPLY(c));
        }
        return;
    }
    int64_t expire_ms = o->expire_ms;
    if ((o->flags & SET_KEEPTTL) && old != NULL) {
        expire_ms = entry_expire(old);
    }
    db_set(c->db, entry_new_str(k, klen, arg_p(c, val), arg_n(c, val), expire_ms));
    if (o->expire_arg > 0 && (o->flags & (SET_EX | SET_PX))) {
        set_propagate_pxat(c, o, key, val);
    }
    if (!(o->flags & SET_GET)) {
        ok_int != NULL ? reply_int(REPLY(c), 1) : reply_ok(REPLY(c));
    }
}

void cmd_set(struct client *c)
{
    struct set_opts o;
    if (set_opts_parse_or_reply(c, 3, SET_CMD_SET, &o, true) == 0) {
        set_generic(c, &o, 1, 2, NULL, NULL);
    }
}

void cmd_setnx(struct client *c)
{
    struct set_opts o = {SET_NX, 0, -1};
    set_generic(c, &o, 1, 2, "1", "0");
}

static void setex_generic(struct client *c, unsigned unit)
{
    struct set_opts o = {unit, 2, -1};
    if (expire_arg_to_deadline_or_reply(c, 2, unit, &o.expire_ms) == 0) {
        set_generic(c, &o, 1, 3, NULL, NULL);
    }
}

void cmd_setex(struct client *c)
{
    setex_generic(c, SET_EX);
}

void cmd_psetex(struct client *c)
{
    setex_generic(c, SET_PX);
}

void cmd_getset(struct client *c)
{
    struct set_opts o = {SET_GET, 0, -1};
    set_generic(c, &o, 1, 2, NULL, NULL);
}

void cmd_getdel(struct client *c)
{
    if (string_get_or_reply(c) != NULL) {
        db_delete(c->db, arg_p(c, 1), arg_n(c, 1));
    }
}

void cmd_getex(struct client *c)
{
    struct set_opts o;
    bool wrong;
    if (set_opts_parse_or_reply(c, 2, SET_CMD_GETEX, &o, false) < 0) {
        return;
    }
    /* A missing key answers nil before the time is even looked at. */
    struct entry *e = string_lookup_or_reply(c, 1, 0, &wrong);
    if (e == NULL) {
        if (!wrong) {
            reply_null(REPLY(c));
        }
        return;
    }
    if (o.expire_arg > 0 &&
        expire_arg_to_deadline_or_reply(c, o.expire_arg, o.flags, &o.expire_ms) < 0) {
        return;
    }
    reply_entry_value(c, e);
    if (o.expire_ms >= 0 && o.expire_ms <= server.now_ms) {
        db_delete(c->db, arg_p(c, 1), arg_n(c, 1));
        prop_key_command(c, "DEL", 1, -1);
    } else if (o.expire_ms >= 0) {
        db_set_expire(c->db, e, o.expire_ms);
        prop_key_command(c, "PEXPIREAT", 1, o.expire_ms);
    } else if (o.flags & SET_PERSIST) {
        db_set_expire(c->db, e, -1);
        prop_key_command(c, "PERSIST", 1, -1);
    }
}

void cmd_mget(struct client *c)
{
    reply_array_len(REPLY(c), c->argc - 1);
    for (int i = 1; i < c->argc; i++) {
        struct entry *e = db_lookup(c->db, arg_p(c, i), arg_n(c, i), 0);
        if (e != NULL && entry_type(e) == ENTRY_STRING) {
            reply_entry_value(c, e);
        } else {
            reply_null(REPLY(c));
        }
    }
}

static void mset_generic(struct client *c, bool nx)
{
    if (c->argc % 2 == 0) {
        reply_errorf(REPLY(c), "ERR wrong number of arguments for '%s' command", c->cmd->name);
        return;
    }
    if (nx) {
        for (int i = 1; i < c->argc; i += 2) {
            if (db_lookup_write(c->db, arg_p(c, i), arg_n(c, i)) != NULL) {
                reply_int(REPLY(c), 0);
                return;
            }
        }
    }
    for (int i = 1; i < c->argc; i += 2) {
        db_set(c->db, entry_new_str(arg_p(c, i), arg_n(c, i), arg_p(c, i + 1), arg_n(c, i + 1), -1));
    }
    nx ? reply_int(REPLY(c), 1) : reply_ok(REPLY(c));
}

void cmd_mset(struct client *c)
{
    mset_generic(c, false);
}

void cmd_msetnx(struct client *c)
{
    mset_generic(c, true);
}

/* ---- APPEND / STRLEN / GETRANGE / SETRANGE ---- */

void cmd_strlen(struct client *c)
{
    bool wrong;
    struct entry *e = string_lookup_or_reply(c, 1, 0, &wrong);
    if (wrong) {
        return;
    }
    struct entry_str s = {.len = 0};
    if (e != NULL) {
        entry_str(e, &s);
    }
    reply_int(REPLY(c), (long long)s.len);
}

/* Store old bytes with new bytes written at offset (zero-padded), as one
 * new entry that keeps the deadline; replies the new length. */
static void string_splice(struct client *c, struct entry *old, size_t offset, const char *src,
                          size_t n)
{
    struct entry_str s = {.p = "", .len = 0};
    if (old != NULL) {
        entry_str(old, &s);
    }
    size_t total = offset + n > s.len ? offset + n : s.len;
    char *buf = mem_alloc(total > 0 ? total : 1);
    memcpy(buf, s.p, s.len);
    if (offset > s.len) {
        memset(buf + s.len, 0, offset - s.len);
    }
    memcpy(buf + offset, src, n);
    struct entry *e = entry_new_bytes(arg_p(c, 1), arg_n(c, 1), buf, total,
                                      old != NULL ? entry_expire(old) : -1, true);
    mem_free(buf);
    if (old != NULL) {
        db_replace(c->db, old, e);
    } else {
        db_add(c->db, e);
    }
    reply_int(REPLY(c), (long long)total);
}

void cmd_append(struct client *c)
{
    bool wrong;
    struct entry *e = db_lookup_write(c->db, arg_p(c, 1), arg_n(c, 1));
    wrong = e != NULL && entry_type(e) != ENTRY_STRING;
    if (wrong) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return;
    }
    struct entry_str s = {.len = 0};
    if (e != NULL) {
        entry_str(e, &s);
    }
    if (check_string_length_or_reply(c, s.len + arg_n(c, 2)) < 0) {
        return;
    }
    string_splice(c, e, s.len, arg_p(c, 2), arg_n(c, 2));
}

void cmd_setrange(struct client *c)
{
    long long offset;
    if (arg_ll_or_reply(c, 2, &offset) < 0) {
        return;
    }
    if (offset < 0) {
        reply_error(REPLY(c), ERR_OFFSET_RANGE);
        return;
    }
    struct entry *e = db_lookup_write(c->db, arg_p(c, 1), arg_n(c, 1));
    if (e != NULL && entry_type(e) != ENTRY_STRING) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return;
    }
    struct entry_str s = {.len = 0};
    if (e != NULL) {
        entry_str(e, &s);
    }
    if (arg_n(c, 3) == 0) {
        /* Nothing to write: the length as it is, and no key created. */
        reply_int(REPLY(c), (long long)s.len);
        return;
    }
    if (check_string_length_or_reply(c, (unsigned long long)offset + arg_n(c, 3)) < 0) {
        return;
    }
    string_splice(c, e, (size_t)offset, arg_p(c, 3), arg_n(c, 3));
}

void cmd_getrange(struct client *c)
{
    long long start, end;
    if (arg_ll_or_reply(c, 2, &start) < 0 || arg_ll_or_reply(c, 3, &end) < 0) {
        return;
    }
    bool wrong;
    struct entry *e = string_lookup_or_reply(c, 1, 0, &wrong);
    if (wrong) {
        return;
    }
    struct entry_str s = {.p = "", .len = 0};
    if (e != NULL) {
        entry_str(e, &s);
    }
    long long len = (long long)s.len;
    if (start < 0 && end < 0 && start > end) {
        reply_bulk(REPLY(c), "", 0);
        return;
    }
    start = start < 0 ? len + start : start;
    end = end < 0 ? len + end : end;
    start = start < 0 ? 0 : start;
    end = end < 0 ? 0 : end;
    end = end >= len ? len - 1 : end;
    if (start > end || len == 0) {
        reply_bulk(REPLY(c), "", 0);
        return;
    }
    reply_bulk(REPLY(c), s.p + start, (size_t)(end - start + 1));
}

/* ---- counters ---- */

static void incr_generic(struct client *c, long long by)
{
    struct entry *e = db_lookup_write(c->db, arg_p(c, 1), arg_n(c, 1));
    long long v = 0;
    if (e != NULL && entry_type(e) != ENTRY_STRING) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return;
    }
    if (e != NULL && entry_enc(e) == ENTRY_ENC_INT) {
        v = entry_int(e);
    } else if (e != NULL) {
        struct entry_str s;
        entry_str(e, &s);
        if (util_parse_ll(s.p, s.len, &v) < 0) {
            reply_error(REPLY(c), ERR_NOT_INT);
            return;
        }
    }
    if ((by < 0 && v < 0 && by < LLONG_MIN - v) || (by > 0 && v > 0 && by > LLONG_MAX - v)) {
        reply_error(REPLY(c), ERR_OVERFLOW);
        return;
    }
    v += by;
    if (e != NULL && entry_enc(e) == ENTRY_ENC_INT) {
        entry_set_int(e, v); /* the hot path: same size, in place */
        db_modified(c->db, arg_p(c, 1), arg_n(c, 1));
    } else if (e != NULL) {
        db_replace(c->db, e, entry_new_int(arg_p(c, 1), arg_n(c, 1), v, entry_expire(e)));
    } else {
        db_add(c->db, entry_new_int(arg_p(c, 1), arg_n(c, 1), v, -1));
    }
    reply_int(REPLY(c), v);
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
    long double by, v = 0;
    if (arg_long_double_or_reply(c, 2, &by) < 0) {
        return;
    }
    struct entry *e = db_lookup_write(c->db, arg_p(c, 1), arg_n(c, 1));
    if (e != NULL && entry_type(e) != ENTRY_STRING) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return;
    }
    if (e != NULL) {
        struct entry_str s;
        entry_str(e, &s);
        if (util_parse_long_double(s.p, s.len, &v) < 0) {
            reply_error(REPLY(c), ERR_NOT_FLOAT);
            return;
        }
    }
    v += by;
    if (isnan(v) || isinf(v)) {
        reply_error(REPLY(c), ERR_NAN_INF);
        return;
    }
    struct reply_buf tmp;
    reply_buf_init(&tmp, 2, mem_realloc);
    reply_bulk_long_double(&tmp, v);
    /* tmp holds "$<n>\r\n<text>\r\n": store the text, reply the bytes. */
    const char *text = memchr(tmp.data, '\n', tmp.len) + 1;
    size_t tlen = tmp.len - (size_t)(text - tmp.data) - 2;
    struct entry *n = entry_new_bytes(arg_p(c, 1), arg_n(c, 1), text, tlen,
                                      e != NULL ? entry_expire(e) : -1, false);
    if (e != NULL) {
        db_replace(c->db, e, n);
    } else {
        db_add(c->db, n);
    }
    reply_raw(REPLY(c), tmp.data, tmp.len);
    prop_cmd_begin(c->db_id, 4);
    prop_arg_str("SET");
    prop_arg(arg_p(c, 1), arg_n(c, 1));
    prop_arg(text, tlen);
    prop_arg_str("KEEPTTL");
    prop_cmd_end(true);
    reply_buf_deinit(&tmp);
}

/* ---- LCS ---- */

struct lcs_opts {
    bool len_only;
    bool idx;
    bool with_match_len;
    long long min_match_len;
};

static int lcs_opts_parse_or_reply(struct client *c, struct lcs_opts *o)
{
    memset(o, 0, sizeof(*o));
    for (int i = 3; i < c->argc; i++) {
        if (arg_is(c, i, "idx")) {
            o->idx = true;
        } else if (arg_is(c, i, "len")) {
            o->len_only = true;
        } else if (arg_is(c, i, "withmatchlen")) {
            o->with_match_len = true;
        } else if (arg_is(c, i, "minmatchlen") && i + 1 < c->argc) {
            if (arg_ll_or_reply(c, ++i, &o->min_match_len) < 0) {
                return -EINVAL;
            }
            o->min_match_len = o->min_match_len < 0 ? 0 : o->min_match_len;
        } else {
            reply_error(REPLY(c), ERR_SYNTAX);
            return -EINVAL;
        }
    }
    if (o->len_only && o->idx) {
        reply_error(REPLY(c), "ERR If you want both the length and indexes, please just use IDX.");
        return -EINVAL;
    }
    return 0;
}

/* One matched range pair, emitted while walking the table backwards. */
static void lcs_reply_range(struct client *c, const struct lcs_opts *o, size_t a_start,
                            size_t b_start, size_t len)
{
    reply_array_len(REPLY(c), o->with_match_len ? 3 : 2);
    reply_array_len(REPLY(c), 2);
    reply_int(REPLY(c), (long long)a_start);
    reply_int(REPLY(c), (long long)(a_start + len - 1));
    reply_array_len(REPLY(c), 2);
    reply_int(REPLY(c), (long long)b_start);
    reply_int(REPLY(c), (long long)(b_start + len - 1));
    if (o->with_match_len) {
        reply_int(REPLY(c), (long long)len);
    }
}

/* Walk the DP table from the end; collect the LCS string (into out) and,
 * with IDX, reply each matched range as it closes (last ranges first, as
 * Redis does). Returns the number of ranges replied. */
static long long lcs_walk(struct client *c, const struct lcs_opts *o, const uint32_t *dp,
                          const struct entry_str *a, const struct entry_str *b, char *out)
{
    size_t cols = b->len + 1, i = a->len, j = b->len, idx = dp[a->len * cols + b->len];
    size_t as = 0, bs = 0, ae = 0;
    bool active = false;
    long long ranges = 0;
    while (i > 0 && j > 0) {
        bool close = false;
        if (a->p[i - 1] == b->p[j - 1]) {
            out[--idx] = a->p[i - 1];
            if (!active) {
                active = true;
                ae = i - 1;
            }
            as = i - 1;
            bs = j - 1;
            close = as == 0 || bs == 0;
            i--;
            j--;
        } else {
            if (dp[(i - 1) * cols + j] > dp[i * cols + j - 1]) {
                i--;
            } else {
                j--;
            }
            close = active;
        }
        if (close) {
            size_t len = ae - as + 1;
            if (o->idx && (long long)len >= o->min_match_len) {
                lcs_reply_range(c, o, as, bs, len);
                ranges++;
            }
            active = false;
        }
    }
    return ranges;
}

static bool lcs_get_or_reply(struct client *c, int i, struct entry_str *s)
{
    bool wrong;
    struct entry *e = string_lookup_or_reply(c, i, 0, &wrong);
    s->p = "";
    s->len = 0;
    if (e != NULL) {
        entry_str(e, s);
    }
    return !wrong;
}

void cmd_lcs(struct client *c)
{
    struct lcs_opts o;
    struct entry_str a, b;
    if (!lcs_get_or_reply(c, 1, &a) || !lcs_get_or_reply(c, 2, &b) ||
        lcs_opts_parse_or_reply(c, &o) < 0) {
        return;
    }
    unsigned long long cells = (unsigned long long)(a.len + 1) * (b.len + 1);
    if (cells > UINT32_MAX || cells * sizeof(uint32_t) >
                                  (unsigned long long)server.cfg->proto_max_bulk_len) {
        reply_error(REPLY(c), "ERR Insufficient memory, transient memory for LCS exceeds "
                              "proto-max-bulk-len");
        return;
    }
    uint32_t *dp = mem_alloc((size_t)cells * sizeof(uint32_t));
    size_t cols = b.len + 1;
    for (size_t i = 0; i <= a.len; i++) {
        for (size_t j = 0; j <= b.len; j++) {
            uint32_t v = 0;
            if (i > 0 && j > 0) {
                v = a.p[i - 1] == b.p[j - 1] ? dp[(i - 1) * cols + j - 1] + 1
                    : dp[(i - 1) * cols + j] > dp[i * cols + j - 1] ? dp[(i - 1) * cols + j]
                                                                    : dp[i * cols + j - 1];
            }
            dp[i * cols + j] = v;
        }
    }
    uint32_t len = dp[a.len * cols + b.len];
    char *out = mem_alloc(len + 1);
    if (o.idx) {
        reply_map_len(REPLY(c), 2);
        reply_bulk_cstr(REPLY(c), "matches");
        size_t handle = reply_defer_len(REPLY(c));
        long long n = lcs_walk(c, &o, dp, &a, &b, out);
        reply_set_array_len(REPLY(c), handle, n);
        reply_bulk_cstr(REPLY(c), "len");
        reply_int(REPLY(c), len);
    } else {
        lcs_walk(c, &o, dp, &a, &b, out);
        if (o.len_only) {
            reply_int(REPLY(c), len);
        } else {
            reply_bulk(REPLY(c), out, len);
        }
    }
    mem_free(out);
    mem_free(dp);
}
