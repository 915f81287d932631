/* cmd_keys.c - keyspace commands: DEL, EXISTS, KEYS, SCAN, RENAME, COPY,
 * MOVE, the EXPIRE family, TTL, OBJECT. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "server/cmd.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/propagate.h"
#include "server/evict.h"
#include "server/util.h"

static const char *const key_type_names[] = {"string", "list", "set", "zset", "hash"};

static struct entry *key_lookup(struct client *c, int i, int flags)
{
    return db_lookup(c->db, c->argv[i].ptr, c->argv[i].len, flags);
}

/* ---- DEL / UNLINK / EXISTS / TOUCH / TYPE ---- */

static void del_generic(struct client *c)
{
    long long n = 0;
    for (int i = 1; i < c->argc; i++) {
        n += db_delete(c->db, c->argv[i].ptr, c->argv[i].len);
    }
    reply_int(REPLY(c), n);
}

void cmd_del(struct client *c)
{
    del_generic(c);
}

void cmd_unlink(struct client *c)
{
    /* Values are single allocations today, so freeing inline is O(1). */
    del_generic(c);
}

static void count_existing(struct client *c, int flags)
{
    long long n = 0;
    for (int i = 1; i < c->argc; i++) {
        n += key_lookup(c, i, flags) != NULL;
    }
    reply_int(REPLY(c), n);
}

void cmd_exists(struct client *c)
{
    count_existing(c, DB_LOOKUP_NOTOUCH);
}

void cmd_touch(struct client *c)
{
    count_existing(c, 0);
}

void cmd_type(struct client *c)
{
    struct entry *e = key_lookup(c, 1, DB_LOOKUP_NOTOUCH);
    reply_status(REPLY(c), e != NULL ? key_type_names[entry_type(e)] : "none");
}

/* ---- KEYS / SCAN / RANDOMKEY ---- */

struct key_collect {
    struct reply_buf *out;
    const char *pat;
    size_t patlen;
    int type; /* -1: any */
    long long n;
};

static void key_collect_one(struct entry *e, void *arg)
{
    struct key_collect *k = arg;
    const char *key;
    size_t len;
    entry_key(e, &key, &len);
    if (k->type >= 0 && (int)entry_type(e) != k->type) {
        return;
    }
    if (k->pat != NULL && !util_glob_match(k->pat, k->patlen, key, len, false)) {
        return;
    }
    reply_bulk(k->out, key, len);
    k->n++;
}

void cmd_keys(struct client *c)
{
    struct key_collect k = {REPLY(c), c->argv[1].ptr, c->argv[1].len, -1, 0};
    if (k.patlen == 1 && k.pat[0] == '*') {
        k.pat = NULL;
    }
    size_t handle = reply_defer_len(REPLY(c));
    uint64_t cursor = 0;
    do {
        cursor = db_scan(c->db, cursor, key_collect_one, &k);
    } while (cursor != 0);
    reply_set_array_len(REPLY(c), handle, k.n);
}

/* SCAN TYPE: an unknown type name matches nothing, as in Redis. */
static int scan_type_index(const struct resp_arg *t)
{
    for (int i = 0; t != NULL && i < (int)(sizeof(key_type_names) / sizeof(key_type_names[0]));
         i++) {
        if (util_eq_nocase(t->ptr, t->len, key_type_names[i])) {
            return i;
        }
    }
    return t == NULL ? -1 : 99;
}

void cmd_scan(struct client *c)
{
    struct scan_args sa;
    if (scan_args_or_reply(c, 1, true, &sa) < 0) {
        return;
    }
    /* Keys go to a side buffer: the cursor comes before them. Visit
     * buckets until about COUNT keys were seen, bounded in buckets so a
     * sparse table can't make one call walk it all. */
    struct reply_buf keys;
    reply_buf_init(&keys, c->resp, mem_realloc);
    struct key_collect k = {&keys, sa.pat, sa.patlen, scan_type_index(sa.type), 0};
    uint64_t cursor = sa.cursor;
    long long buckets = sa.count * 10;
    do {
        cursor = db_scan(c->db, cursor, key_collect_one, &k);
    } while (cursor != 0 && k.n < sa.count && --buckets > 0);
    scan_reply(c, cursor, k.n, &keys);
    reply_buf_deinit(&keys);
}

void cmd_randomkey(struct client *c)
{
    struct entry *e = db_random(c->db);
    if (e == NULL) {
        reply_null(REPLY(c));
        return;
    }
    const char *key;
    size_t len;
    entry_key(e, &key, &len);
    reply_bulk(REPLY(c), key, len);
}

/* ---- RENAME / RENAMENX / COPY / MOVE ---- */

static int db_arg_or_reply(struct client *c, int i, struct db **out)
{
    long long id;
    if (arg_ll_or_reply(c, i, &id) < 0) {
        return -EINVAL;
    }
    if (id < 0 || id >= server.ndbs) {
        reply_error(REPLY(c), ERR_DB_RANGE);
        return -ERANGE;
    }
    *out = &server.dbs[id];
    return 0;
}

static void rename_generic(struct client *c, bool nx)
{
    struct entry *src = db_lookup_write(c->db, c->argv[1].ptr, c->argv[1].len);
    if (src == NULL) {
        reply_error(REPLY(c), ERR_NO_KEY);
        return;
    }
    bool same = c->argv[1].len == c->argv[2].len &&
                memcmp(c->argv[1].ptr, c->argv[2].ptr, c->argv[1].len) == 0;
    if (same) {
        nx ? reply_int(REPLY(c), 0) : reply_ok(REPLY(c));
        return;
    }
    if (nx && db_lookup_write(c->db, c->argv[2].ptr, c->argv[2].len) != NULL) {
        reply_int(REPLY(c), 0);
        return;
    }
    struct entry *moved = entry_dup_with_key(src, c->argv[2].ptr, c->argv[2].len);
    db_delete(c->db, c->argv[1].ptr, c->argv[1].len);
    db_set(c->db, moved);
    nx ? reply_int(REPLY(c), 1) : reply_ok(REPLY(c));
}

void cmd_rename(struct client *c)
{
    rename_generic(c, false);
}

void cmd_renamenx(struct client *c)
{
    rename_generic(c, true);
}

void cmd_copy(struct client *c)
{
    struct db *dst = c->db;
    bool replace = false;
    for (int i = 3; i < c->argc; i++) {
        if (arg_is(c, i, "replace")) {
            replace = true;
        } else if (arg_is(c, i, "db") && i + 1 < c->argc) {
            if (db_arg_or_reply(c, ++i, &dst) < 0) {
                return;
            }
        } else {
            reply_error(REPLY(c), ERR_SYNTAX);
            return;
        }
    }
    bool same = c->argv[1].len == c->argv[2].len &&
                memcmp(c->argv[1].ptr, c->argv[2].ptr, c->argv[1].len) == 0;
    if (same && dst == c->db) {
        reply_error(REPLY(c), ERR_SAME_OBJECT);
        return;
    }
    struct entry *src = db_lookup_write(c->db, c->argv[1].ptr, c->argv[1].len);
    if (src == NULL) {
        reply_int(REPLY(c), 0);
        return;
    }
    if (db_lookup_write(dst, c->argv[2].ptr, c->argv[2].len) != NULL && !replace) {
        reply_int(REPLY(c), 0);
        return;
    }
    db_set(dst, entry_dup_with_key(src, c->argv[2].ptr, c->argv[2].len));
    reply_int(REPLY(c), 1);
}

void cmd_move(struct client *c)
{
    struct db *dst;
    if (db_arg_or_reply(c, 2, &dst) < 0) {
        return;
    }
    if (dst == c->db) {
        reply_error(REPLY(c), ERR_SAME_OBJECT);
        return;
    }
    struct entry *src = db_lookup_write(c->db, c->argv[1].ptr, c->argv[1].len);
    if (src == NULL || db_lookup_write(dst, c->argv[1].ptr, c->argv[1].len) != NULL) {
        reply_int(REPLY(c), 0);
        return;
    }
    struct entry *e = db_detach(c->db, c->argv[1].ptr, c->argv[1].len);
    db_add(dst, e);
    reply_int(REPLY(c), 1);
}

/* ---- EXPIRE family / TTL family / PERSIST ---- */

#define EXP_NX 0x1u
#define EXP_XX 0x2u
#define EXP_GT 0x4u
#define EXP_LT 0x8u

static int expire_flags_or_reply(struct client *c, unsigned *flags)
{
    static const char *const names[] = {"nx", "xx", "gt", "lt"};
    *flags = 0;
    for (int i = 3; i < c->argc; i++) {
        unsigned f = 0;
        for (unsigned k = 0; k < 4; k++) {
            if (arg_is(c, i, names[k])) {
                f = 1u << k;
            }
        }
        if (f == 0) {
            reply_errorf(REPLY(c), "ERR Unsupported option %s", c->argv[i].ptr);
            return -EINVAL;
        }
        *flags |= f;
    }
    if ((*flags & EXP_NX) && (*flags & (EXP_XX | EXP_GT | EXP_LT))) {
        reply_error(REPLY(c), ERR_NX_XX_GT_LT);
        return -EINVAL;
    }
    if ((*flags & EXP_GT) && (*flags & EXP_LT)) {
        reply_error(REPLY(c), ERR_GT_LT);
        return -EINVAL;
    }
    return 0;
}

/* Whether NX/XX/GT/LT allow replacing deadline cur (-1: none) with next;
 * no deadline counts as infinite, as in Redis. */
static bool expire_allowed(unsigned flags, int64_t cur, int64_t next)
{
    if ((flags & EXP_NX) && cur >= 0) {
        return false;
    }
    if ((flags & EXP_XX) && cur < 0) {
        return false;
    }
    if ((flags & EXP_GT) && (cur < 0 || next <= cur)) {
        return false;
    }
    if ((flags & EXP_LT) && cur >= 0 && next >= cur) {
        return false;
    }
    return true;
}

/* The worker behind EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT. */
static void expire_generic(struct client *c, bool seconds, bool relative)
{
    long long when;
    unsigned flags;
    if (arg_ll_or_reply(c, 2, &when) < 0 || expire_flags_or_reply(c, &flags) < 0) {
        return;
    }
    if (seconds && (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000)) {
        reply_errorf(REPLY(c), "ERR invalid expire time in '%s' command", c->cmd->name);
        return;
    }
    when *= seconds ? 1000 : 1;
    if (relative && ((when > 0 && when > LLONG_MAX - server.now_ms) ||
                     (when < 0 && when < LLONG_MIN + server.now_ms))) {
        reply_errorf(REPLY(c), "ERR invalid expire time in '%s' command", c->cmd->name);
        return;
    }
    when += relative ? server.now_ms : 0;
    struct entry *e = db_lookup_write(c->db, c->argv[1].ptr, c->argv[1].len);
    if (e == NULL || !expire_allowed(flags, entry_expire(e), when)) {
        reply_int(REPLY(c), 0);
        return;
    }
    /* Propagated as what happened: DEL, or an absolute PEXPIREAT. */
    if (when <= server.now_ms) {
        db_delete(c->db, c->argv[1].ptr, c->argv[1].len);
        prop_key_command(c, "DEL", 1, -1);
    } else {
        db_set_expire(c->db, e, when);
        prop_key_command(c, "PEXPIREAT", 1, when);
    }
    reply_int(REPLY(c), 1);
}

void cmd_expire(struct client *c)
{
    expire_generic(c, true, true);
}

void cmd_pexpire(struct client *c)
{
    expire_generic(c, false, true);
}

void cmd_expireat(struct client *c)
{
    expire_generic(c, true, false);
}

void cmd_pexpireat(struct client *c)
{
    expire_generic(c, false, false);
}

/* The worker behind TTL, PTTL, EXPIRETIME and PEXPIRETIME. */
static void ttl_generic(struct client *c, bool ms, bool absolute)
{
    struct entry *e = key_lookup(c, 1, DB_LOOKUP_NOTOUCH);
    if (e == NULL) {
        reply_int(REPLY(c), -2);
        return;
    }
    int64_t when = entry_expire(e);
    if (when < 0) {
        reply_int(REPLY(c), -1);
        return;
    }
    int64_t v = absolute ? when : when - server.now_ms;
    if (v < 0) {
        v = 0;
    }
    reply_int(REPLY(c), ms ? v : (v + 500) / 1000);
}

void cmd_ttl(struct client *c)
{
    ttl_generic(c, false, false);
}

void cmd_pttl(struct client *c)
{
    ttl_generic(c, true, false);
}

void cmd_expiretime(struct client *c)
{
    ttl_generic(c, false, true);
}

void cmd_pexpiretime(struct client *c)
{
    ttl_generic(c, true, true);
}

void cmd_persist(struct client *c)
{
    struct entry *e = db_lookup_write(c->db, c->argv[1].ptr, c->argv[1].len);
    if (e == NULL || !entry_has_expire(e)) {
        reply_int(REPLY(c), 0);
        return;
    }
    db_set_expire(c->db, e, -1);
    reply_int(REPLY(c), 1);
}

/* ---- OBJECT ---- */

static struct entry *object_lookup_or_reply(struct client *c)
{
    struct entry *e = db_lookup(c->db, c->argv[2].ptr, c->argv[2].len,
                                DB_LOOKUP_NOTOUCH | DB_LOOKUP_NOSTATS);
    if (e == NULL) {
        reply_null(REPLY(c));
    }
    return e;
}

void cmd_object_encoding(struct client *c)
{
    struct entry *e = object_lookup_or_reply(c);
    if (e != NULL) {
        reply_bulk_cstr(REPLY(c), entry_encoding_name(e));
    }
}

void cmd_object_idletime(struct client *c)
{
    struct entry *e = object_lookup_or_reply(c);
    if (e != NULL && evict_policy_is_lfu()) {
        reply_error(REPLY(c), "ERR An LFU maxmemory policy is selected, idle time not tracked. "
                              "Please note that when switching between policies at runtime LRU "
                              "and LFU data will take some time to adjust.");
    } else if (e != NULL) {
        reply_int(REPLY(c), (long long)db_idle_seconds(e));
    }
}

void cmd_object_freq(struct client *c)
{
    struct entry *e = object_lookup_or_reply(c);
    if (e != NULL && !evict_policy_is_lfu()) {
        reply_error(REPLY(c), ERR_LFU_NOT_SELECTED);
    } else if (e != NULL) {
        reply_int(REPLY(c), (long long)evict_lfu_count(dict_node_tag(&e->node)));
    }
}

void cmd_object_refcount(struct client *c)
{
    struct entry *e = object_lookup_or_reply(c);
    if (e == NULL) {
        return;
    }
    /* Redis shares the integers 0..9999 (refcount INT_MAX); Surge stores
     * every value inline, but answers as Redis would. */
    bool shared = entry_enc(e) == ENTRY_ENC_INT && entry_int(e) >= 0 && entry_int(e) < 10000;
    reply_int(REPLY(c), shared ? INT_MAX : 1);
}

void cmd_object_help(struct client *c)
{
    static const char *const lines[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        NULL,
    };
    cmd_reply_help(c, lines);
}
