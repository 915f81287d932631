/* cmd_cache.c - cache-aside as server commands: leases that coalesce
 * misses, stale-while-revalidate, versions and tags.
 *
 *   CACHE.GET key [LEASE ms] [WAIT ms]
 *       -> [value|nil, "hit"|"stale"|"win"|"wait", token|nil, fresh ttl ms]
 *   CACHE.FILL key token value [EX s|PX ms] [SWR s] [TAG t ...] [VERSION n]
 *   CACHE.SET key value [EX s|PX ms] [SWR s] [TAG t ...] [VERSION n]
 *   CACHE.RELEASE key token   (a failed loader gives the lease up)
 *   CACHE.PURGE TAG t [t ...] [SOFT]
 *   CACHE.NS.BUMP ns / CACHE.NS.GET ns
 *
 * An entry is a hash: f (fresh until, unix ms; 0 = stale; empty = until
 * the key's own deadline, or forever without one), v (the value), nsv,
 * ver, tags, in that order; the key's own deadline is the end of the
 * stale window, so nothing else has to reclaim it. Without a stale window the two ends coincide and
 * f is left empty: a hit then reads the deadline the key already holds
 * instead of parsing one (and EXPIRE or PERSIST on the key move both). A tag is a set "__surge_tag:<t>" of the
 * keys carrying it, living as long as its longest-lived key, so purging
 * costs the keys purged. Entries and tags are plain data: they persist
 * and replicate as HSET/PEXPIREAT/SADD/DEL. Leases are not persisted: one
 * per key, in memory, with the clients waiting for the fill.
 *
 * Namespaces: a key "ns:rest" written by CACHE.SET/FILL records the
 * version of namespace ns (field nsv); CACHE.NS.BUMP ns makes every entry
 * written before it a miss at once, O(1) (the versions live in the hash
 * "__surge_ns"). Such an entry is deleted when a CACHE.GET meets it, or
 * when its deadline comes.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "replication/repl.h"
#include "server/cache_policy.h"
#include "server/cmd.h"
#include "server/cmd_hash.h"
#include "server/conn.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/keyreg.h"
#include "server/mem.h"
#include "server/propagate.h"
#include "server/cmd_cache.h"
#include "server/cmd_set.h"
#include "server/util.h"

#define CACHE_LEASE_DEFAULT_MS 5000
#define CACHE_TAG_PREFIX "__surge_tag:"
#define CACHE_MAX_TAGS 32
#define CACHE_TOKEN_LEN 16

struct lease {
    char token[CACHE_TOKEN_LEN + 1];
    int64_t deadline_ms;
    long long lease_ms;
};

/* (db, key) -> lease (data) and the clients waiting for the fill. */
static struct keyreg leases;

/* ---- the entry ---- */

struct cache_entry {
    bool found;               /* a cache entry (or a plain string) */
    const char *v;
    size_t vlen;
    long long fresh_until;    /* -1: fresh forever */
    long long version;        /* -1: none */
    long long nsv;            /* namespace version written under */
};

static long long hash_ll(const struct hash_obj *h, const char *f, size_t flen, long long dflt)
{
    const char *v;
    size_t vlen;
    long long n;
    if (hash_get(h, f, flen, &v, &vlen) && util_parse_ll(v, vlen, &n) == 0) {
        return n;
    }
    return dflt;
}

/* The rest of a packed hash, up to the field called name, and its value. */
static bool cache_field_find(struct pack_iter *it, const char *name, size_t nlen,
                             const char **v, size_t *vlen)
{
    const char *f;
    size_t flen;
    while (pack_iter_next(it, &f, &flen) && pack_iter_next(it, v, vlen)) {
        if (flen == nlen && memcmp(f, name, nlen) == 0) {
            return true;
        }
    }
    return false;
}

/* The next field of a packed hash, when its one-letter name is c. */
static inline bool cache_field_next(struct pack_iter *it, char c, const char **v, size_t *vlen)
{
    const char *f;
    size_t flen;
    return pack_iter_next(it, &f, &flen) && flen == 1 && f[0] == c && pack_iter_next(it, v, vlen);
}

/* v, f and nsv of an entry (NULL: absent). An entry CACHE.SET wrote
 * starts with f, v and nsv (cache_store), so a hit reads them in place
 * from the first fields (f shares the cache line of the pack's header;
 * the value, which the reply copies, follows), nsv only once a namespace
 * exists. Fields in another order are looked up one by one: this stays
 * beside hash_get_many because reading the two one-letter names inline
 * is about 55 instructions a hit cheaper than its general in-order pass. */
static void cache_fields(const struct hash_obj *h, const char **val, size_t *vlen)
{
    static const char *const names[] = {"v", "f", "nsv"};
    static const size_t lens[] = {1, 1, 3};
    const struct pack *pk = hash_packed(h);
    struct pack_iter it;
    if (pk != NULL) {
        pack_iter_init(pk, &it);
    }
    if (pk == NULL || !cache_field_next(&it, 'f', &val[1], &vlen[1]) ||
        !cache_field_next(&it, 'v', &val[0], &vlen[0]) ||
        (server.cache_ns_used && !cache_field_find(&it, "nsv", 3, &val[2], &vlen[2]))) {
        hash_get_many(h, server.cache_ns_used ? 3 : 2, names, lens, val, vlen);
    }
}

/* The entry at argv[1]; false when WRONGTYPE was replied. */
static bool cache_read_or_reply(struct client *c, struct cache_entry *ce)
{
    memset(ce, 0, sizeof(*ce));
    ce->fresh_until = -1;
    ce->version = -1;
    struct entry *e = db_lookup(c->db, c->argv[1].ptr, c->argv[1].len, 0);
    if (e == NULL) {
        return true;
    }
    if (entry_type(e) == ENTRY_STRING) { /* a plain SET value: always fresh */
        static struct entry_str s;
        entry_str(e, &s);
        ce->found = true;
        ce->v = s.p;
        ce->vlen = s.len;
        return true;
    }
    const char *val[3] = {NULL, NULL, NULL};
    size_t vlen[3] = {0, 0, 0};
    if (entry_type(e) == ENTRY_HASH) {
        cache_fields(entry_obj(e), val, vlen);
    }
    if (val[0] == NULL) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return false;
    }
    ce->found = true;
    ce->v = val[0];
    ce->vlen = vlen[0];
    if (val[1] != NULL && vlen[1] == 0) {
        ce->fresh_until = entry_has_expire(e) ? entry_expire(e) : -1;
    } else if (val[1] == NULL || util_parse_ll(val[1], vlen[1], &ce->fresh_until) < 0) {
        ce->fresh_until = -1;
    }
    if (val[2] == NULL || util_parse_ll(val[2], vlen[2], &ce->nsv) < 0) {
        ce->nsv = 0;
    }
    return true;
}

/* The namespace of a key: what comes before its first ':' (none: len 0). */
static size_t cache_ns_of(const char *key, size_t len)
{
    const char *colon = memchr(key, ':', len);
    return colon != NULL ? (size_t)(colon - key) : 0;
}

static long long cache_ns_version(struct client *c, const char *ns, size_t nslen)
{
    if (!server.cache_ns_used) {
        return 0;
    }
    struct entry *e = db_lookup(c->db, SERVER_NS_KEY, SERVER_NS_KEY_LEN, DB_LOOKUP_NOSTATS);
    if (e == NULL || entry_type(e) != ENTRY_HASH || nslen == 0) {
        return 0;
    }
    const char *v;
    size_t vlen;
    long long n = 0;
    if (hash_get(entry_obj(e), ns, nslen, &v, &vlen)) {
        util_parse_ll(v, vlen, &n);
    }
    return n;
}

/* An entry of an older namespace version is gone: deleted (and the
 * deletion propagated) when met. */
static bool cache_outdated(struct client *c, const struct cache_entry *ce)
{
    if (!server.cache_ns_used) {
        return false;
    }
    size_t nslen = cache_ns_of(c->argv[1].ptr, c->argv[1].len);
    if (nslen == 0 || ce->nsv >= cache_ns_version(c, c->argv[1].ptr, nslen)) {
        return false;
    }
    if (repl_is_replica()) {
        return true; /* hidden; the primary deletes it */
    }
    db_delete(c->db, c->argv[1].ptr, c->argv[1].len);
    prop_del(c->db_id, c->argv[1].ptr, c->argv[1].len);
    return true;
}

static bool cache_is_fresh(const struct cache_entry *ce)
{
    return ce->fresh_until < 0 || ce->fresh_until > server.now_ms;
}

static long long cache_ttl(const struct cache_entry *ce)
{
    return ce->fresh_until < 0 ? -1 : ce->fresh_until - server.now_ms;
}

/* ---- leases ---- */

/* The live lease of argv[1], or NULL (an expired one is dropped). */
static struct keyreg_entry *lease_find(struct client *c)
{
    struct keyreg_entry *e = keyreg_find(&leases, c->db_id, c->argv[1].ptr, c->argv[1].len);
    if (e != NULL && e->data != NULL &&
        ((struct lease *)e->data)->deadline_ms <= server.now_ms) {
        mem_free(e->data);
        e->data = NULL;
    }
    if (e != NULL && e->data == NULL) {
        if (e->nclients == 0) {
            keyreg_release(&leases, e);
        }
        return NULL;
    }
    return e;
}

static struct lease *lease_grant(struct client *c, long long ms)
{
    struct keyreg_entry *e = keyreg_get(&leases, c->db_id, c->argv[1].ptr, c->argv[1].len);
    struct lease *l = mem_alloc(sizeof(*l));
    util_random_hex(l->token, NULL, CACHE_TOKEN_LEN / 2);
    l->deadline_ms = server.now_ms + ms;
    l->lease_ms = ms;
    mem_free(e->data);
    e->data = l;
    return l;
}

static void cache_reply(struct client *c, const char *v, size_t vlen, const char *status,
                        const char *token, long long ttl)
{
    reply_array_len(REPLY(c), 4);
    v != NULL ? reply_bulk(REPLY(c), v, vlen) : reply_null(REPLY(c));
    reply_bulk_cstr(REPLY(c), status);
    token != NULL ? reply_bulk_cstr(REPLY(c), token) : reply_null(REPLY(c));
    reply_int(REPLY(c), ttl);
}

/* cache_reply(c, v, vlen, "hit", NULL, ttl), the reply a cache mostly
 * sends, written with one reserve: its middle ("hit" and the nil token)
 * is encoded once per protocol, by the same reply functions, and copied
 * as one fixed-size block. */
static void cache_reply_hit(struct client *c, const char *v, size_t vlen, long long ttl)
{
    static struct cache_hit_middle {
        char data[16];
        size_t len;
    } middle[2];
    struct reply_buf *b = REPLY(c);
    struct cache_hit_middle *m = &middle[b->proto == 3];
    if (m->len == 0) {
        struct reply_buf enc;
        reply_buf_init(&enc, b->proto, NULL);
        reply_bulk_cstr(&enc, "hit");
        reply_null(&enc);
        assert(enc.len <= sizeof(m->data));
        memcpy(m->data, enc.data, enc.len);
        m->len = enc.len;
        reply_buf_deinit(&enc);
    }
    char *p = reply_reserve(b, REPLY_HEADER_ROOM + REPLY_BULK_ROOM(vlen) + sizeof(m->data) +
                                   REPLY_HEADER_ROOM);
    size_t n = reply_header_at(p, '*', 4);
    n += reply_bulk_at(p + n, v, vlen);
    __builtin_memcpy(p + n, m->data, sizeof(m->data));
    n += m->len;
    n += reply_header_at(p + n, ':', ttl);
    b->len += n;
}

/* The fill arrived (or the lease ended): answer every waiting client. */
static void lease_end(struct client *c, const char *v, size_t vlen, long long ttl)
{
    struct keyreg_entry *e = keyreg_find(&leases, c->db_id, c->argv[1].ptr, c->argv[1].len);
    if (e == NULL) {
        return;
    }
    mem_free(e->data);
    e->data = NULL;
    while (e->nclients > 0) {
        struct client *w = e->clients[0];
        w->cache_wait = NULL;
        w->flags &= ~(CLIENT_BLOCKED | CLIENT_CACHE_WAIT);
        if (v != NULL) {
            cache_reply_hit(w, v, vlen, ttl);
        } else {
            cache_reply(w, NULL, 0, "wait", NULL, ttl);
        }
        bool last = e->nclients == 1;
        keyreg_remove(&leases, e, w); /* frees e with the last client */
        conn_resume(w);
        if (last) {
            return;
        }
    }
    keyreg_release(&leases, e);
}

void cache_client_closed(struct client *c)
{
    if (c->cache_wait != NULL) {
        keyreg_remove(&leases, c->cache_wait, c);
        c->cache_wait = NULL;
        c->flags &= ~(CLIENT_BLOCKED | CLIENT_CACHE_WAIT);
    }
}

/* Waiters whose WAIT ran out are told another loader is at work. */
static void cache_timeout_one(struct keyreg_entry *e, void *arg)
{
    (void)arg;
    for (int i = e->nclients - 1; i >= 0; i--) {
        struct client *w = e->clients[i];
        if (w->cache_wait_deadline_ms <= server.now_ms) {
            w->cache_wait = NULL;
            w->flags &= ~(CLIENT_BLOCKED | CLIENT_CACHE_WAIT);
            cache_reply(w, NULL, 0, "wait", NULL, 0);
            keyreg_remove(&leases, e, w);
            conn_resume(w);
            return; /* e may be gone: the next tick continues */
        }
    }
}

void cache_timeouts(void)
{
    if (keyreg_size(&leases) == 0) {
        return;
    }
    for (int db = 0; db < server.ndbs; db++) {
        keyreg_foreach_db(&leases, db, cache_timeout_one, NULL);
    }
}

/* ---- CACHE.GET ---- */

void cmd_cache_get(struct client *c)
{
    bool refused;
    const struct cache_policy *pol = cache_policy_or_reply(c, &refused);
    if (refused) {
        return;
    }
    long long lease_ms = pol != NULL && pol->lease_ms > 0 ? pol->lease_ms : CACHE_LEASE_DEFAULT_MS;
    long long wait_ms = 0;
    for (int i = 2; i < c->argc; i += 2) {
        long long *dst = arg_is(c, i, "lease") ? &lease_ms : arg_is(c, i, "wait") ? &wait_ms
                                                                                   : NULL;
        if (dst == NULL || i + 1 >= c->argc) {
            reply_error(REPLY(c), ERR_SYNTAX);
            return;
        }
        if (arg_ll_or_reply(c, i + 1, dst) < 0) {
            return;
        }
        if (*dst < (dst == &lease_ms ? 1 : 0)) {
            reply_errorf(REPLY(c), "ERR invalid %s time", dst == &lease_ms ? "LEASE" : "WAIT");
            return;
        }
    }
    struct cache_entry ce;
    if (!cache_read_or_reply(c, &ce)) {
        return;
    }
    if (ce.found && cache_outdated(c, &ce)) {
        ce.found = false;
    }
    if (ce.found && cache_is_fresh(&ce)) {
        cache_reply_hit(c, ce.v, ce.vlen, cache_ttl(&ce));
        return;
    }
    struct keyreg_entry *held = lease_find(c);
    if (ce.found) { /* stale: served, and one caller revalidates */
        struct lease *l = held == NULL ? lease_grant(c, lease_ms) : NULL;
        cache_reply(c, ce.v, ce.vlen, "stale", l != NULL ? l->token : NULL, 0);
        return;
    }
    if (held == NULL) {
        struct lease *l = lease_grant(c, lease_ms);
        cache_reply(c, NULL, 0, "win", l->token, 0);
        return;
    }
    if (wait_ms == 0 || (c->flags & CLIENT_MULTI)) {
        cache_reply(c, NULL, 0, "wait", NULL, 0);
        return;
    }
    c->cache_wait = keyreg_add(&leases, c->db_id, c->argv[1].ptr, c->argv[1].len, c);
    c->cache_wait_deadline_ms = server.now_ms + wait_ms;
    c->flags |= CLIENT_BLOCKED | CLIENT_CACHE_WAIT;
}

/* ---- CACHE.SET / CACHE.FILL ---- */

struct cache_opts {
    long long ttl_ms;     /* -1: fresh forever */
    long long swr_ms;     /* -1: not given */
    long long version;    /* -1: none */
    int ntags;
    const struct resp_arg *tags[CACHE_MAX_TAGS];
};

static bool cache_is_keyword(const struct client *c, int i)
{
    return arg_is(c, i, "ex") || arg_is(c, i, "px") || arg_is(c, i, "swr") ||
           arg_is(c, i, "tag") || arg_is(c, i, "version");
}

/* The key's policy fills in what the command left out (TTL, SWR) and
 * clamps the freshness to MAXTTL. */
static void cache_opts_apply_policy(const struct cache_policy *p, struct cache_opts *o)
{
    if (p != NULL && o->ttl_ms < 0) {
        o->ttl_ms = p->ttl_ms;
    }
    if (p != NULL && o->swr_ms < 0) {
        o->swr_ms = p->swr_ms;
    }
    if (p != NULL && p->maxttl_ms >= 0 && (o->ttl_ms < 0 || o->ttl_ms > p->maxttl_ms)) {
        o->ttl_ms = p->maxttl_ms;
    }
    if (o->swr_ms < 0) {
        o->swr_ms = 0;
    }
}

static int cache_opts_or_reply(struct client *c, int at, struct cache_opts *o)
{
    bool refused;
    const struct cache_policy *pol = cache_policy_or_reply(c, &refused);
    if (refused) {
        return -EPERM;
    }
    memset(o, 0, sizeof(*o));
    o->ttl_ms = -1;
    o->swr_ms = -1;
    o->version = -1;
    for (int i = at; i < c->argc;) {
        if (arg_is(c, i, "tag")) {
            int k = i + 1;
            while (k < c->argc && !cache_is_keyword(c, k) && o->ntags < CACHE_MAX_TAGS) {
                o->tags[o->ntags++] = &c->argv[k++];
            }
            if (k == i + 1 || (k < c->argc && !cache_is_keyword(c, k))) {
                reply_error(REPLY(c), k == i + 1 ? ERR_SYNTAX : "ERR too many tags");
                return -EINVAL;
            }
            i = k;
            continue;
        }
        long long v;
        if (i + 1 >= c->argc || !cache_is_keyword(c, i)) {
            reply_error(REPLY(c), ERR_SYNTAX);
            return -EINVAL;
        }
        if (arg_ll_or_reply(c, i + 1, &v) < 0) {
            return -EINVAL;
        }
        if (arg_is(c, i, "version")) {
            if (v < 0) {
                reply_error(REPLY(c), "ERR VERSION must be 0 or more");
                return -EINVAL;
            }
            o->version = v;
        } else if (v <= 0 || v > CACHE_POLICY_MAX_SECONDS * 1000) {
            reply_errorf(REPLY(c), "ERR invalid expire time in '%s' command", c->cmd->name);
            return -EINVAL;
        } else if (arg_is(c, i, "swr")) {
            o->swr_ms = v * 1000;
        } else {
            o->ttl_ms = arg_is(c, i, "ex") ? v * 1000 : v;
        }
        i += 2;
    }
    cache_opts_apply_policy(pol, o);
    return 0;
}

static void tag_name(const struct resp_arg *t, char *out, size_t cap, size_t *len)
{
    *len = (size_t)snprintf(out, cap, "%s%.*s", CACHE_TAG_PREFIX, (int)t->len, t->ptr);
    if (*len >= cap) {
        *len = cap - 1;
    }
}

/* The key joins the tag's set; the set lives as long as its longest-lived
 * key (no deadline when the key has none). */
static void cache_tag_key(struct client *c, const struct resp_arg *t, int64_t key_deadline)
{
    char name[600];
    size_t nlen;
    tag_name(t, name, sizeof(name), &nlen);
    struct entry *e = db_lookup_write(c->db, name, nlen);
    if (e != NULL && entry_type(e) != ENTRY_SET) {
        return; /* a user key shadows the tag name: leave it alone */
    }
    bool created = e == NULL;
    if (created) {
        db_add(c->db, entry_new_obj(name, nlen, ENTRY_SET, set_new(), -1));
        e = db_lookup_write(c->db, name, nlen);
    }
    struct set_limits lim = set_limits_now();
    set_add(entry_obj(e), c->argv[1].ptr, c->argv[1].len, &lim);
    db_modified(c->db, name, nlen);
    prop_cmd_begin(c->db_id, 3);
    prop_arg_str("SADD");
    prop_arg(name, nlen);
    prop_arg(c->argv[1].ptr, c->argv[1].len);
    int64_t cur = entry_has_expire(e) ? entry_expire(e) : -1;
    int64_t want = cur;
    if (key_deadline < 0) {
        want = -1; /* a key without deadline keeps its tag forever */
    } else if (created || (cur >= 0 && key_deadline > cur)) {
        want = key_deadline;
    }
    if (want != cur) {
        db_set_expire(c->db, e, want);
        prop_cmd_begin(c->db_id, want < 0 ? 2 : 3);
        prop_arg_str(want < 0 ? "PERSIST" : "PEXPIREAT");
        prop_arg(name, nlen);
        if (want >= 0) {
            prop_arg_ll(want);
        }
    }
}

/* Store argv[1] = argv[vat] with the options; propagated as plain hash,
 * set and expiry commands in one MULTI. */
static void cache_store(struct client *c, int vat, const struct cache_opts *o)
{
    const char *key = c->argv[1].ptr;
    size_t klen = c->argv[1].len;
    long long fresh = o->ttl_ms < 0 ? -1 : server.now_ms + o->ttl_ms;
    int64_t deadline = o->ttl_ms < 0 ? -1 : fresh + o->swr_ms;
    struct hash_obj *h = hash_new();
    /* An entry stays packed whatever its value's size: five fields read
     * by a linear scan beat a hash table, in time and memory. (Replayed
     * from the AOF or a primary as a plain HSET, it takes the configured
     * encoding until its next fill.) */
    const struct hash_limits lim = {8, SIZE_MAX};
    char fnum[32], vnum[32], nnum[32], tags[1024] = "";
    size_t nslen = cache_ns_of(key, klen);
    int nl = snprintf(nnum, sizeof(nnum), "%lld", cache_ns_version(c, key, nslen));
    size_t tlen = 0;
    int fl = deadline == fresh ? 0 : snprintf(fnum, sizeof(fnum), "%lld", fresh);
    int vl = snprintf(vnum, sizeof(vnum), "%lld", o->version);
    for (int i = 0; i < o->ntags && tlen < sizeof(tags) - 1; i++) {
        tlen += (size_t)snprintf(tags + tlen, sizeof(tags) - tlen, "%s%.*s", i ? "," : "",
                                 (int)o->tags[i]->len, o->tags[i]->ptr);
    }
    tlen = tlen < sizeof(tags) ? tlen : sizeof(tags) - 1;
    /* Stored and propagated in this order: what a hit reads first (f
     * beside the pack's header, then the value it copies, then nsv), so
     * entries replayed from the AOF or a primary read as fast. */
    const struct {
        const char *name;
        const char *v;
        size_t len;
    } fields[] = {{"f", fnum, (size_t)fl},
                  {"v", c->argv[vat].ptr, c->argv[vat].len},
                  {"nsv", nnum, (size_t)nl},
                  {"ver", vnum, (size_t)vl},
                  {"tags", tags, tlen}};
    enum { NFIELDS = sizeof(fields) / sizeof(fields[0]) };
    for (int i = 0; i < NFIELDS; i++) {
        hash_set(h, fields[i].name, strlen(fields[i].name), fields[i].v, fields[i].len, &lim);
    }
    db_set(c->db, entry_new_obj(key, klen, ENTRY_HASH, h, deadline));
    prop_multi_begin();
    prop_del(c->db_id, key, klen);
    prop_cmd_begin(c->db_id, 2 + 2 * NFIELDS);
    prop_arg_str("HSET");
    prop_arg(key, klen);
    for (int i = 0; i < NFIELDS; i++) {
        prop_arg_str(fields[i].name);
        prop_arg(fields[i].v, fields[i].len);
    }
    if (deadline >= 0) {
        prop_cmd_begin(c->db_id, 3);
        prop_arg_str("PEXPIREAT");
        prop_arg(key, klen);
        prop_arg_ll(deadline);
    }
    for (int i = 0; i < o->ntags; i++) {
        cache_tag_key(c, o->tags[i], deadline);
    }
    prop_multi_end();
    prop_cmd_end(true);
    lease_end(c, c->argv[vat].ptr, c->argv[vat].len, o->ttl_ms);
}

static bool cache_version_ok_or_reply(struct client *c, const struct cache_opts *o)
{
    struct cache_entry ce;
    struct entry *e = db_lookup_write(c->db, c->argv[1].ptr, c->argv[1].len);
    if (e != NULL && entry_type(e) != ENTRY_HASH && entry_type(e) != ENTRY_STRING) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return false;
    }
    if (o->version < 0 || e == NULL || entry_type(e) != ENTRY_HASH) {
        return true;
    }
    ce.version = hash_ll(entry_obj(e), "ver", 3, -1);
    if (ce.version > o->version) {
        reply_errorf(REPLY(c), "STALEVERSION version %lld is older than the stored %lld",
                     o->version, ce.version);
        return false;
    }
    return true;
}

void cmd_cache_set(struct client *c)
{
    struct cache_opts o;
    if (cache_opts_or_reply(c, 3, &o) < 0 || !cache_version_ok_or_reply(c, &o)) {
        return;
    }
    cache_store(c, 2, &o);
    reply_ok(REPLY(c));
}

/* The live lease of argv[1] when argv[2] is its token, or NULL. */
static struct keyreg_entry *lease_held(struct client *c)
{
    struct keyreg_entry *held = lease_find(c);
    const struct lease *l = held != NULL ? held->data : NULL;
    if (l == NULL || strlen(l->token) != c->argv[2].len ||
        memcmp(l->token, c->argv[2].ptr, c->argv[2].len) != 0) {
        return NULL;
    }
    return held;
}

void cmd_cache_fill(struct client *c)
{
    struct cache_opts o;
    if (cache_opts_or_reply(c, 4, &o) < 0) {
        return;
    }
    if (lease_held(c) == NULL) {
        reply_error(REPLY(c), "LEASE the lease expired or another writer superseded it");
        return;
    }
    if (!cache_version_ok_or_reply(c, &o)) {
        return;
    }
    cache_store(c, 3, &o);
    reply_ok(REPLY(c));
}

/* CACHE.RELEASE key token: a loader that failed gives its lease up. The
 * first waiting caller inherits it (replied "win" with a new token), so
 * one caller loads at a time; with nobody waiting the next CACHE.GET wins. */
void cmd_cache_release(struct client *c)
{
    struct keyreg_entry *held = lease_held(c);
    if (held == NULL) {
        reply_int(REPLY(c), 0);
        return;
    }
    struct lease *l = held->data;
    if (held->nclients == 0) {
        mem_free(l);
        held->data = NULL;
        keyreg_release(&leases, held);
        reply_int(REPLY(c), 1);
        return;
    }
    struct client *w = held->clients[0];
    util_random_hex(l->token, NULL, CACHE_TOKEN_LEN / 2);
    l->deadline_ms = server.now_ms + l->lease_ms;
    w->cache_wait = NULL;
    w->flags &= ~(CLIENT_BLOCKED | CLIENT_CACHE_WAIT);
    cache_reply(w, NULL, 0, "win", l->token, 0);
    keyreg_remove(&leases, held, w); /* the lease keeps the entry */
    conn_resume(w);
    reply_int(REPLY(c), 1);
}

/* ---- namespaces ---- */

void cmd_cache_ns_bump(struct client *c)
{
    struct entry *e = db_lookup_write(c->db, SERVER_NS_KEY, SERVER_NS_KEY_LEN);
    if (e != NULL && entry_type(e) != ENTRY_HASH) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return;
    }
    if (e == NULL) {
        db_add(c->db, entry_new_obj(SERVER_NS_KEY, SERVER_NS_KEY_LEN, ENTRY_HASH, hash_new(), -1));
        e = db_lookup_write(c->db, SERVER_NS_KEY, SERVER_NS_KEY_LEN);
    }
    long long v = cache_ns_version(c, c->argv[1].ptr, c->argv[1].len) + 1;
    char num[32];
    struct hash_limits lim = hash_limits_now();
    hash_set(entry_obj(e), c->argv[1].ptr, c->argv[1].len, num,
             (size_t)snprintf(num, sizeof(num), "%lld", v), &lim);
    db_modified(c->db, SERVER_NS_KEY, SERVER_NS_KEY_LEN);
    prop_cmd_begin(c->db_id, 4);
    prop_arg_str("HINCRBY");
    prop_arg(SERVER_NS_KEY, SERVER_NS_KEY_LEN);
    prop_arg(c->argv[1].ptr, c->argv[1].len);
    prop_arg_ll(1);
    prop_cmd_end(true);
    reply_int(REPLY(c), v);
}

void cmd_cache_ns_get(struct client *c)
{
    reply_int(REPLY(c), cache_ns_version(c, c->argv[1].ptr, c->argv[1].len));
}

/* ---- CACHE.PURGE ---- */

struct purge_ctx {
    struct client *c;
    const struct resp_arg *tag;
    bool soft;
    long long count;
    char **keys;
    size_t *lens;
    size_t n, cap;
};

static void purge_collect(const char *m, size_t len, void *arg)
{
    struct purge_ctx *p = arg;
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 16;
        p->keys = mem_realloc(p->keys, sizeof(*p->keys) * p->cap);
        p->lens = mem_realloc(p->lens, sizeof(*p->lens) * p->cap);
    }
    p->keys[p->n] = mem_strndup(m, len);
    p->lens[p->n++] = len;
}

/* Whether the entry still carries the tag (it may have been rewritten). */
static bool entry_has_tag(const struct entry *e, const struct resp_arg *t)
{
    const char *v;
    size_t vlen;
    if (entry_type(e) != ENTRY_HASH || !hash_get(entry_obj(e), "tags", 4, &v, &vlen)) {
        return false;
    }
    for (size_t i = 0; i <= vlen;) {
        const char *comma = memchr(v + i, ',', vlen - i);
        size_t end = comma != NULL ? (size_t)(comma - v) : vlen;
        if (end - i == t->len && memcmp(v + i, t->ptr, t->len) == 0) {
            return true;
        }
        i = end + 1;
    }
    return false;
}

static void purge_one(struct purge_ctx *p, const char *key, size_t len)
{
    struct client *c = p->c;
    struct entry *e = db_lookup_write(c->db, key, len);
    if (e == NULL || !entry_has_tag(e, p->tag)) {
        return;
    }
    p->count++;
    if (!p->soft) {
        db_delete(c->db, key, len);
        prop_del(c->db_id, key, len);
        return;
    }
    struct hash_limits lim = hash_limits_now();
    hash_set(entry_obj(e), "f", 1, "0", 1, &lim); /* stale now: served under SWR */
    db_modified(c->db, key, len);
    prop_cmd_begin(c->db_id, 4);
    prop_arg_str("HSET");
    prop_arg(key, len);
    prop_arg_str("f");
    prop_arg_str("0");
}

void cmd_cache_purge(struct client *c)
{
    if (!arg_is(c, 1, "tag")) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    bool soft = arg_is(c, c->argc - 1, "soft");
    int ntags = c->argc - 2 - (soft ? 1 : 0);
    if (ntags < 1) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    struct purge_ctx p = {c, NULL, soft, 0, NULL, NULL, 0, 0};
    prop_multi_begin();
    for (int i = 2; i < 2 + ntags; i++) {
        char name[600];
        size_t nlen;
        tag_name(&c->argv[i], name, sizeof(name), &nlen);
        struct entry *e = db_lookup_write(c->db, name, nlen);
        if (e == NULL || entry_type(e) != ENTRY_SET) {
            continue;
        }
        p.tag = &c->argv[i];
        p.n = 0;
        set_foreach(entry_obj(e), purge_collect, &p);
        for (size_t k = 0; k < p.n; k++) {
            purge_one(&p, p.keys[k], p.lens[k]);
            mem_free(p.keys[k]);
        }
        if (!soft) { /* the tag's keys are gone: so is the tag */
            db_delete(c->db, name, nlen);
            prop_del(c->db_id, name, nlen);
        }
    }
    prop_multi_end();
    prop_cmd_end(true);
    mem_free(p.keys);
    mem_free(p.lens);
    reply_int(REPLY(c), p.count);
}
