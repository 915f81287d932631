/* cmd_hash_ttl.c - per-field TTL of hashes (Redis 7.4 HEXPIRE family,
 * HTTL family, HPERSIST) and Redis 8's HGETDEL, HGETEX and HSETEX. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "server/cmd.h"
#include "server/cmd_hash.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/propagate.h"

#define KEY(c) (c)->argv[1].ptr, (c)->argv[1].len

/* "FIELDS numfields f1 .. fn" at argv[at]; sets *first to f1's index and
 * *n to numfields; stride is 2 for field/value pairs. */
static int fields_or_reply(struct client *c, int at, int stride, int *first, int *n)
{
    long long num;
    if (at >= c->argc || !arg_is(c, at, "fields")) {
        reply_error(REPLY(c), "ERR Mandatory argument FIELDS is missing or not at the right "
                              "position");
        return -EINVAL;
    }
    if (at + 1 >= c->argc || arg_ll_or_reply(c, at + 1, &num) < 0) {
        if (at + 1 >= c->argc) {
            reply_error(REPLY(c), ERR_SYNTAX);
        }
        return -EINVAL;
    }
    if (num <= 0) {
        reply_error(REPLY(c), "ERR Parameter `numFields` should be greater than 0");
        return -EINVAL;
    }
    if (num > INT_MAX / 2 || (long long)(c->argc - at - 2) != num * stride) {
        reply_error(REPLY(c), "ERR The `numfields` parameter must match the number of arguments");
        return -EINVAL;
    }
    *first = at + 2;
    *n = (int)num;
    return 0;
}

/* A time argument in a unit into an absolute deadline (ms). */
static int field_deadline_or_reply(struct client *c, int i, bool seconds, bool relative,
                                   int64_t *out)
{
    long long v;
    if (arg_ll_or_reply(c, i, &v) < 0) {
        return -EINVAL;
    }
    if (v < 0 || (seconds && v > LLONG_MAX / 1000)) {
        reply_errorf(REPLY(c), "ERR invalid expire time in '%s' command", c->cmd->name);
        return -ERANGE;
    }
    v *= seconds ? 1000 : 1;
    if (relative && v > LLONG_MAX - server.now_ms) {
        reply_errorf(REPLY(c), "ERR invalid expire time in '%s' command", c->cmd->name);
        return -ERANGE;
    }
    *out = relative ? v + server.now_ms : v;
    return 0;
}

/* Reply -2 for each field (the key doesn't exist). */
static void reply_all_missing(struct client *c, int n)
{
    reply_array_len(REPLY(c), n);
    for (int i = 0; i < n; i++) {
        reply_int(REPLY(c), -2);
    }
}

/* FIELDS at argv[at], then the hash: NULL when a reply was already made
 * (an error, or -2 for every field of a missing key when missing_all). */
static struct hash_obj *fields_target_or_reply(struct client *c, int at, int *first, int *n,
                                               bool missing_all, bool *replied)
{
    bool wrong;
    *replied = true;
    if (fields_or_reply(c, at, 1, first, n) < 0) {
        return NULL;
    }
    struct hash_obj *h = hash_read_or_reply(c, &wrong);
    if (wrong) {
        return NULL;
    }
    if (h == NULL && missing_all) {
        reply_all_missing(c, *n);
        return NULL;
    }
    *replied = false;
    return h;
}

/* Set one field's deadline under NX/XX/GT/LT: -2, 0, 1 or 2 as Redis. */
static int hexpire_one(struct client *c, struct hash_obj *h, int i, const char *cond,
                       int64_t when)
{
    const char *f = c->argv[i].ptr;
    size_t flen = c->argv[i].len;
    int64_t cur = hash_field_expire(h, f, flen);
    if (cur == -2) {
        return -2;
    }
    bool ok = cond == NULL || (cond[0] == 'n' && cur < 0) || (cond[0] == 'x' && cur >= 0) ||
              (cond[0] == 'g' && cur >= 0 && when > cur) ||
              (cond[0] == 'l' && (cur < 0 || when < cur));
    if (!ok) {
        return 0;
    }
    if (when <= server.now_ms) {
        hash_del(h, f, flen);
        return 2;
    }
    hash_set_field_expire(h, f, flen, when);
    db_index_deadline(c->db, KEY(c), when);
    return 1;
}

/* What a field-TTL command did propagates as what happened: the fields
 * given deadline `when` (outcome 1) as one HPEXPIREAT with the absolute
 * time, the fields it deleted (outcome 2) as one HDEL. */
static void prop_fields_with(struct client *c, int first, int n, const int *res, int want,
                             int64_t when)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        k += res[i] == want;
    }
    if (k == 0) {
        return;
    }
    prop_cmd_begin(c->db_id, k + (want == 1 ? 5 : 2));
    prop_arg_str(want == 1 ? "HPEXPIREAT" : "HDEL");
    prop_arg(c->argv[1].ptr, c->argv[1].len);
    if (want == 1) {
        prop_arg_ll(when);
        prop_arg_str("FIELDS");
        prop_arg_ll(k);
    }
    for (int i = 0; i < n; i++) {
        if (res[i] == want) {
            prop_arg(c->argv[first + i].ptr, c->argv[first + i].len);
        }
    }
}

static void prop_field_outcomes(struct client *c, int first, int n, const int *res, int64_t when)
{
    prop_fields_with(c, first, n, res, 1, when);
    prop_fields_with(c, first, n, res, 2, when);
    prop_cmd_end(true);
}

/* EX/PX in HGETEX/HSETEX propagate as PXAT with the absolute time. */
static void prop_absolute_unit(struct client *c, int unit_at, int64_t when)
{
    if (when >= 0 && (arg_is(c, unit_at, "ex") || arg_is(c, unit_at, "px") ||
                      arg_is(c, unit_at, "exat"))) {
        prop_replace_arg(unit_at, "PXAT", 4);
        prop_replace_arg_ll(unit_at + 1, when);
    }
}

static void hexpire_generic(struct client *c, bool seconds, bool relative)
{
    static const char *const conds[] = {"nx", "xx", "gt", "lt"};
    int64_t when;
    const char *cond = NULL;
    int at = 3, first, n;
    if (field_deadline_or_reply(c, 2, seconds, relative, &when) < 0) {
        return;
    }
    for (int k = 0; k < 4 && at < c->argc; k++) {
        if (arg_is(c, at, conds[k])) {
            cond = conds[k];
            at++;
        }
    }
    bool replied;
    struct hash_obj *h = fields_target_or_reply(c, at, &first, &n, true, &replied);
    if (replied) {
        return;
    }
    db_modified(c->db, KEY(c));
    reply_array_len(REPLY(c), n);
    int *res = mem_alloc(sizeof(int) * (size_t)n);
    for (int i = first; i < first + n; i++) {
        res[i - first] = hexpire_one(c, h, i, cond, when);
        reply_int(REPLY(c), res[i - first]);
    }
    prop_field_outcomes(c, first, n, res, when);
    mem_free(res);
    hash_drop_if_empty(c, h);
}

void cmd_hexpire(struct client *c)
{
    hexpire_generic(c, true, true);
}

void cmd_hpexpire(struct client *c)
{
    hexpire_generic(c, false, true);
}

void cmd_hexpireat(struct client *c)
{
    hexpire_generic(c, true, false);
}

void cmd_hpexpireat(struct client *c)
{
    hexpire_generic(c, false, false);
}

/* HTTL family: -2 no field, -1 no deadline, else the time in the unit. */
static void httl_generic(struct client *c, bool ms, bool absolute)
{
    int first, n;
    bool replied;
    struct hash_obj *h = fields_target_or_reply(c, 2, &first, &n, true, &replied);
    if (replied) {
        return;
    }
    reply_array_len(REPLY(c), n);
    for (int i = first; i < first + n; i++) {
        int64_t when = hash_field_expire(h, c->argv[i].ptr, c->argv[i].len);
        if (when < 0) {
            reply_int(REPLY(c), when);
            continue;
        }
        int64_t v = absolute ? when : when - server.now_ms;
        v = v < 0 ? 0 : v;
        reply_int(REPLY(c), ms ? v : absolute ? v / 1000 : (v + 500) / 1000);
    }
}

void cmd_httl(struct client *c)
{
    httl_generic(c, false, false);
}

void cmd_hpttl(struct client *c)
{
    httl_generic(c, true, false);
}

void cmd_hexpiretime(struct client *c)
{
    httl_generic(c, false, true);
}

void cmd_hpexpiretime(struct client *c)
{
    httl_generic(c, true, true);
}

void cmd_hpersist(struct client *c)
{
    int first, n;
    bool replied;
    struct hash_obj *h = fields_target_or_reply(c, 2, &first, &n, true, &replied);
    if (replied) {
        return;
    }
    reply_array_len(REPLY(c), n);
    for (int i = first; i < first + n; i++) {
        int64_t when = hash_field_expire(h, c->argv[i].ptr, c->argv[i].len);
        if (when >= 0) {
            hash_set_field_expire(h, c->argv[i].ptr, c->argv[i].len, -1);
            db_modified(c->db, KEY(c));
        }
        reply_int(REPLY(c), when >= 0 ? 1 : when);
    }
}

/* ---- Redis 8: HGETDEL, HGETEX, HSETEX ---- */

static void reply_field_values(struct client *c, struct hash_obj *h, int first, int n)
{
    reply_array_len(REPLY(c), n);
    for (int i = first; i < first + n; i++) {
        const char *v;
        size_t vlen;
        if (h != NULL && hash_get(h, c->argv[i].ptr, c->argv[i].len, &v, &vlen)) {
            reply_bulk(REPLY(c), v, vlen);
        } else {
            reply_null(REPLY(c));
        }
    }
}

void cmd_hgetdel(struct client *c)
{
    int first, n;
    bool replied;
    struct hash_obj *h = fields_target_or_reply(c, 2, &first, &n, false, &replied);
    if (replied) {
        return;
    }
    reply_field_values(c, h, first, n);
    bool changed = false;
    for (int i = first; h != NULL && i < first + n; i++) {
        changed |= hash_del(h, c->argv[i].ptr, c->argv[i].len);
    }
    if (changed) {
        db_modified(c->db, KEY(c));
        hash_drop_if_empty(c, h);
    }
}

/* [EX s | PX ms | EXAT s | PXAT ms | PERSIST] (and KEEPTTL for HSETEX)
 * from argv[*at]; *when is the deadline, -1 for PERSIST, -2 for none. */
static int field_ttl_opt_or_reply(struct client *c, int *at, bool allow_keepttl,
                                  bool allow_persist, int64_t *when)
{
    static const struct {
        const char *name;
        bool seconds, relative;
    } units[] = {{"ex", true, true}, {"px", false, true}, {"exat", true, false},
                 {"pxat", false, false}};
    *when = -2;
    for (int k = 0; k < 4; k++) {
        if (*at + 1 < c->argc && arg_is(c, *at, units[k].name)) {
            if (field_deadline_or_reply(c, *at + 1, units[k].seconds, units[k].relative, when) <
                0) {
                return -EINVAL;
            }
            *at += 2;
            return 0;
        }
    }
    if ((allow_persist && arg_is(c, *at, "persist")) ||
        (allow_keepttl && arg_is(c, *at, "keepttl"))) {
        *when = arg_is(c, *at, "persist") ? -1 : -3;
        (*at)++;
    }
    return 0;
}

void cmd_hgetex(struct client *c)
{
    int at = 2, first, n;
    int64_t when;
    bool wrong;
    if (field_ttl_opt_or_reply(c, &at, false, true, &when) < 0) {
        return;
    }
    prop_absolute_unit(c, 2, when);
    struct hash_obj *h = fields_target_or_reply(c, at, &first, &n, false, &wrong);
    if (wrong) {
        return;
    }
    reply_field_values(c, h, first, n);
    for (int i = first; h != NULL && when != -2 && i < first + n; i++) {
        const char *f = c->argv[i].ptr;
        size_t flen = c->argv[i].len;
        if (when >= 0 && when <= server.now_ms) {
            hash_del(h, f, flen);
        } else if (hash_set_field_expire(h, f, flen, when) == 0 && when >= 0) {
            db_index_deadline(c->db, KEY(c), when);
        }
    }
    if (h != NULL && when != -2) {
        db_modified(c->db, KEY(c));
        hash_drop_if_empty(c, h);
    }
}

void cmd_hsetex(struct client *c)
{
    int at = 2, first, n;
    int64_t when;
    bool fnx = arg_is(c, at, "fnx"), fxx = arg_is(c, at, "fxx");
    at += fnx || fxx;
    int unit_at = at;
    if (field_ttl_opt_or_reply(c, &at, true, false, &when) < 0 ||
        fields_or_reply(c, at, 2, &first, &n) < 0) {
        return;
    }
    prop_absolute_unit(c, unit_at, when);
    bool wrong;
    struct hash_obj *h = hash_read_or_reply(c, &wrong);
    if (wrong) {
        return;
    }
    for (int i = first; (fnx || fxx) && i < first + 2 * n; i += 2) {
        const char *v;
        size_t vlen;
        bool exists = h != NULL && hash_get(h, c->argv[i].ptr, c->argv[i].len, &v, &vlen);
        if ((fnx && exists) || (fxx && !exists)) {
            reply_int(REPLY(c), 0);
            return;
        }
    }
    h = hash_write_or_reply(c);
    struct hash_limits lim = hash_limits_now();
    for (int i = first; i < first + 2 * n; i += 2) {
        const char *f = c->argv[i].ptr;
        size_t flen = c->argv[i].len;
        int64_t keep = when == -3 ? hash_field_expire(h, f, flen) : -1;
        hash_set(h, f, flen, c->argv[i + 1].ptr, c->argv[i + 1].len, &lim);
        int64_t deadline = when == -3 ? keep : when;
        if (deadline >= 0 && deadline <= server.now_ms) {
            hash_del(h, f, flen);
        } else if (deadline >= 0) {
            hash_set_field_expire(h, f, flen, deadline);
            db_index_deadline(c->db, KEY(c), deadline);
        }
    }
    hash_drop_if_empty(c, h);
    reply_int(REPLY(c), 1);
}
