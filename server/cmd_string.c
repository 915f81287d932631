/* cmd_string.c - string commands (the counters are in cmd_counter.c). */
#include "server/cmd_string.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "server/cmd.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/propagate.h"
#include "server/util.h"
#include "server/xxh3.h"

/* ---- shared helpers ---- */

static inline const char *arg_p(const struct client *c, int i)
{
    return c->argv[i].ptr;
}

static inline size_t arg_n(const struct client *c, int i)
{
    return c->argv[i].len;
}

struct entry *string_lookup_or_reply(struct client *c, int i, bool write, bool *wrong)
{
    struct entry *e = write ? db_lookup_write(c->db, arg_p(c, i), arg_n(c, i))
                            : db_lookup(c->db, arg_p(c, i), arg_n(c, i), 0);
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
#define SET_IFEQ 0x200u
#define SET_IFNE 0x400u
#define SET_IFDEQ 0x800u
#define SET_IFDNE 0x1000u
#define SET_ANY_EXPIRE (SET_EX | SET_PX | SET_EXAT | SET_PXAT)
#define SET_ANY_MATCH (SET_IFEQ | SET_IFNE | SET_IFDEQ | SET_IFDNE)
#define SET_ANY_COND (SET_NX | SET_XX | SET_ANY_MATCH)
/* The options an expire option can't be given with (it may repeat). */
#define SET_TTL_CONFLICTS(f) ((SET_ANY_EXPIRE | SET_KEEPTTL | SET_PERSIST) & ~(f))

struct set_opts {
    unsigned flags;
    int expire_arg; /* argv index of the time value, 0 when none */
    int64_t expire_ms; /* absolute deadline, -1 when none */
    int match_arg;  /* argv index of the IFEQ / IFNE value or digest, 0 when none */
};

int string_deadline_or_reply(struct client *c, int i, bool seconds, bool relative,
                             int64_t *out)
{
    long long v;
    if (arg_ll_or_reply(c, i, &v) < 0) {
        return -EINVAL;
    }
    bool ok = v > 0 && !(seconds && v > LLONG_MAX / 1000);
    v = ok && seconds ? v * 1000 : v;
    ok = ok && !(relative && v > LLONG_MAX - server.now_ms);
    if (!ok) {
        /* Redis's invalid-expire error names the command being run. */
        reply_errorf(REPLY(c), "ERR invalid expire time in '%s' command", c->cmd->name);
        return -ERANGE;
    }
    *out = relative ? v + server.now_ms : v;
    return 0;
}

/* The deadline of the expire option in o (argv[o->expire_arg]). */
static int set_deadline_or_reply(struct client *c, struct set_opts *o)
{
    return string_deadline_or_reply(c, o->expire_arg, o->flags & (SET_EX | SET_EXAT),
                                    o->flags & (SET_EX | SET_PX), &o->expire_ms);
}

/* SET and GETEX options. An option may repeat (the last value wins), as in
 * Redis; IFEQ / IFNE / IFDEQ / IFDNE (Redis 8.4) exclude NX, XX and each
 * other. */
static const struct cmd_opt set_options[] = {
    {"nx", SET_NX, SET_ANY_COND & ~SET_NX, false},
    {"xx", SET_XX, SET_ANY_COND & ~SET_XX, false},
    {"ifeq", SET_IFEQ, SET_ANY_COND & ~SET_IFEQ, true},
    {"ifne", SET_IFNE, SET_ANY_COND & ~SET_IFNE, true},
    {"ifdeq", SET_IFDEQ, SET_ANY_COND & ~SET_IFDEQ, true},
    {"ifdne", SET_IFDNE, SET_ANY_COND & ~SET_IFDNE, true},
    {"get", SET_GET, 0, false},
    {"keepttl", SET_KEEPTTL, SET_TTL_CONFLICTS(SET_KEEPTTL), false},
    {"ex", SET_EX, SET_TTL_CONFLICTS(SET_EX), true},
    {"px", SET_PX, SET_TTL_CONFLICTS(SET_PX), true},
    {"exat", SET_EXAT, SET_TTL_CONFLICTS(SET_EXAT), true},
    {"pxat", SET_PXAT, SET_TTL_CONFLICTS(SET_PXAT), true},
};

static const struct cmd_opt getex_options[] = {
    {"persist", SET_PERSIST, SET_TTL_CONFLICTS(SET_PERSIST), false},
    {"ex", SET_EX, SET_TTL_CONFLICTS(SET_EX), true},
    {"px", SET_PX, SET_TTL_CONFLICTS(SET_PX), true},
    {"exat", SET_EXAT, SET_TTL_CONFLICTS(SET_EXAT), true},
    {"pxat", SET_PXAT, SET_TTL_CONFLICTS(SET_PXAT), true},
};

#define NOPTS(t) (sizeof(t) / sizeof((t)[0]))
_Static_assert(NOPTS(getex_options) <= NOPTS(set_options), "set_opts_parse_or_reply's at[]");

static int set_opts_parse_or_reply(struct client *c, int first, const struct cmd_opt *opts,
                                   size_t n, struct set_opts *o)
{
    int at[NOPTS(set_options)] = {0};
    o->flags = 0;
    o->expire_arg = 0;
    o->expire_ms = -1;
    o->match_arg = 0;
    if (cmd_opts_parse_or_reply(c, first, opts, n, &o->flags, at) < 0) {
        return -EINVAL;
    }
    for (size_t k = 0; k < n; k++) {
        if (opts[k].flag & SET_ANY_EXPIRE) {
            o->expire_arg = at[k] > 0 ? at[k] : o->expire_arg;
        } else if (opts[k].flag & SET_ANY_MATCH) {
            o->match_arg = at[k] > 0 ? at[k] : o->match_arg;
        }
    }
    return 0;
}

/* ---- GET / SET family ---- */

/* Reply the string at argv[1] (nil when absent, WRONGTYPE for another
 * type); returns the entry only when its value was replied. */
static struct entry *string_get_or_reply(struct client *c)
{
    bool wrong;
    struct entry *e = string_lookup_or_reply(c, 1, false, &wrong);
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

/* The digest of a string entry as DIGEST replies it. */
static void entry_digest_hex(const struct entry *e, char out[XXH3_HEX_LEN + 1])
{
    struct entry_str s;
    entry_str(e, &s);
    xxh3_hex(xxh3_64(s.p, s.len), out);
}

/* An IFDEQ / IFDNE digest must be 16 characters, as in Redis 8.4, which
 * checks only the length: other characters simply never match. Checked
 * only against an existing string. */
static int digest_arg_check_or_reply(struct client *c, const struct set_opts *o)
{
    if ((o->flags & (SET_IFDEQ | SET_IFDNE)) && arg_n(c, o->match_arg) != XXH3_HEX_LEN) {
        reply_error(REPLY(c), ERR_DIGEST_LEN);
        return -EINVAL;
    }
    return 0;
}

/* Whether old (NULL: no key) matches the IFEQ / IFNE value or the IFDEQ /
 * IFDNE digest (hex compared without regard to case). */
static bool value_matches(const struct client *c, const struct set_opts *o,
                          const struct entry *old)
{
    if (old == NULL) {
        return false;
    }
    const char *want = arg_p(c, o->match_arg);
    size_t want_len = arg_n(c, o->match_arg);
    if (o->flags & (SET_IFDEQ | SET_IFDNE)) {
        char hex[XXH3_HEX_LEN + 1];
        entry_digest_hex(old, hex);
        return want_len == XXH3_HEX_LEN && strncasecmp(hex, want, XXH3_HEX_LEN) == 0;
    }
    struct entry_str s;
    entry_str(old, &s);
    return s.len == want_len && memcmp(s.p, want, s.len) == 0;
}

/* Whether the condition in o lets SET write over old (NULL: no key). A
 * missing key equals nothing: IFEQ / IFDEQ fail on it and IFNE / IFDNE
 * pass, as in Redis 8.4. */
static bool set_condition_holds(const struct client *c, const struct set_opts *o,
                                const struct entry *old)
{
    if (o->flags & SET_ANY_MATCH) {
        bool eq = value_matches(c, o, old);
        return (o->flags & (SET_IFEQ | SET_IFDEQ)) ? eq : !eq;
    }
    return !((o->flags & SET_NX) && old != NULL) && !((o->flags & SET_XX) && old == NULL);
}

/* The worker behind SET, SETNX, SETEX, PSETEX and GETSET. Replies with
 * ok_int / abort_int (NULL means OK / nil) unless GET asks for the old
 * value. */
static void set_generic(struct client *c, const struct set_opts *o, int key, int val,
                        const char *ok_int, const char *abort_int)
{
    const char *k = arg_p(c, key);
    size_t klen = arg_n(c, key);
    struct entry *old = db_lookup_write(c->db, k, klen);
    /* GET and the value conditions read the old value: it must be a string. */
    if ((o->flags & (SET_GET | SET_ANY_MATCH)) && old != NULL &&
        entry_type(old) != ENTRY_STRING) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return;
    }
    if (old != NULL && digest_arg_check_or_reply(c, o) < 0) {
        return;
    }
    if (o->flags & SET_GET) {
        if (old != NULL) {
            reply_entry_value(c, old);
        } else {
            reply_null(REPLY(c));
        }
    }
    if (!set_condition_holds(c, o, old)) {
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
    if (o->match_arg > 0) {
        prop_verbatim_without(c, o->match_arg - 1, 2); /* the condition held */
    }
    if (!(o->flags & SET_GET)) {
        ok_int != NULL ? reply_int(REPLY(c), 1) : reply_ok(REPLY(c));
    }
}

void cmd_set(struct client *c)
{
    struct set_opts o;
    if (set_opts_parse_or_reply(c, 3, set_options, NOPTS(set_options), &o) == 0 &&
        (o.expire_arg == 0 || set_deadline_or_reply(c, &o) == 0)) {
        set_generic(c, &o, 1, 2, NULL, NULL);
    }
}

void cmd_setnx(struct client *c)
{
    struct set_opts o = {SET_NX, 0, -1, 0};
    set_generic(c, &o, 1, 2, "1", "0");
}

static void setex_generic(struct client *c, unsigned unit)
{
    struct set_opts o = {unit, 2, -1, 0};
    if (set_deadline_or_reply(c, &o) == 0) {
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
    struct set_opts o = {SET_GET, 0, -1, 0};
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
    if (set_opts_parse_or_reply(c, 2, getex_options, NOPTS(getex_options), &o) < 0) {
        return;
    }
    /* A missing key answers nil before the time is even looked at. */
    struct entry *e = string_lookup_or_reply(c, 1, false, &wrong);
    if (e == NULL) {
        if (!wrong) {
            reply_null(REPLY(c));
        }
        return;
    }
    if (o.expire_arg > 0 && set_deadline_or_reply(c, &o) < 0) {
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

/* DELEX key [IFEQ v | IFNE v | IFDEQ d | IFDNE d] (Redis 8.4): DEL of one
 * key, or of a string whose value (digest) equals or differs from the one
 * given. Anything but one condition with its argument is a syntax error.
 * A missing key replies 0 before the digest is checked. Propagates as DEL. */
void cmd_delex(struct client *c)
{
    static const struct cmd_opt conds[] = {
        {"ifeq", SET_IFEQ, 0, true},
        {"ifne", SET_IFNE, 0, true},
        {"ifdeq", SET_IFDEQ, 0, true},
        {"ifdne", SET_IFDNE, 0, true},
    };
    struct set_opts o = {0, 0, -1, 3};
    for (size_t k = 0; c->argc == 4 && k < NOPTS(conds); k++) {
        o.flags = arg_is(c, 2, conds[k].name) ? conds[k].flag : o.flags;
    }
    if ((c->argc == 4 && o.flags == 0) || (c->argc != 2 && c->argc != 4)) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    bool wrong = false;
    struct entry *e = o.flags != 0 ? string_lookup_or_reply(c, 1, true, &wrong)
                                   : db_lookup_write(c->db, arg_p(c, 1), arg_n(c, 1));
    if (wrong || (e != NULL && digest_arg_check_or_reply(c, &o) < 0)) {
        return;
    }
    bool del = e != NULL && set_condition_holds(c, &o, e);
    if (del) {
        db_delete(c->db, arg_p(c, 1), arg_n(c, 1));
        prop_key_command(c, "DEL", 1, -1);
    }
    reply_int(REPLY(c), del);
}

/* DIGEST key (Redis 8.4): the XXH3-64 of a string value as 16 hex digits;
 * nil for a missing key. */
void cmd_digest(struct client *c)
{
    bool wrong;
    struct entry *e = string_lookup_or_reply(c, 1, false, &wrong);
    if (e != NULL) {
        char hex[XXH3_HEX_LEN + 1];
        entry_digest_hex(e, hex);
        reply_bulk(REPLY(c), hex, XXH3_HEX_LEN);
    } else if (!wrong) {
        reply_null(REPLY(c));
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
    struct entry *e = string_lookup_or_reply(c, 1, false, &wrong);
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
    struct entry *e = string_lookup_or_reply(c, 1, true, &wrong);
    if (wrong) {
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
    bool wrong;
    struct entry *e = string_lookup_or_reply(c, 1, true, &wrong);
    if (wrong) {
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
    struct entry *e = string_lookup_or_reply(c, 1, false, &wrong);
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
    struct entry *e = string_lookup_or_reply(c, i, false, &wrong);
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
