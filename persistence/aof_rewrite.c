/* aof_rewrite.c - see aof_rewrite.h. */
#include "persistence/aof_rewrite.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "protocol/reply.h"
#include "server/db.h"
#include "server/mem.h"
#include "server/pack.h"
#include "server/server.h"
#include "server/t_hash.h"
#include "server/t_list.h"
#include "server/t_set.h"
#include "server/t_zset.h"

#define REWRITE_FLUSH_BYTES (64 * 1024)
#define REWRITE_FSYNC_BYTES (4 * 1024 * 1024)

struct rw {
    int fd;
    int err;             /* first write error, -errno */
    bool incremental_fsync;
    size_t since_fsync;
    struct reply_buf out;
    /* the command being batched */
    const char *cmd;
    const char *key;
    size_t klen;
    int items;           /* items in the pending command */
    struct reply_buf args; /* its items' bulks */
    int bulks_per_item;
};

static void rw_flush(struct rw *w)
{
    size_t off = 0;
    while (w->err == 0 && off < w->out.len) {
        ssize_t n = write(w->fd, w->out.data + off, w->out.len - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            w->err = n < 0 ? -errno : -EIO;
            break;
        }
        off += (size_t)n;
        w->since_fsync += (size_t)n;
    }
    w->out.len = 0;
    if (w->err == 0 && w->incremental_fsync && w->since_fsync >= REWRITE_FSYNC_BYTES) {
        if (fdatasync(w->fd) != 0) {
            w->err = -errno;
        }
        w->since_fsync = 0;
    }
}

static void rw_maybe_flush(struct rw *w)
{
    if (w->out.len >= REWRITE_FLUSH_BYTES) {
        rw_flush(w);
    }
}

/* ---- batched commands: "<cmd> <key> item item ..." ---- */

static void batch_emit(struct rw *w)
{
    if (w->items == 0) {
        return;
    }
    reply_array_len(&w->out, 2 + (long long)w->items * w->bulks_per_item);
    reply_bulk_cstr(&w->out, w->cmd);
    reply_bulk(&w->out, w->key, w->klen);
    reply_raw(&w->out, w->args.data, w->args.len);
    w->args.len = 0;
    w->items = 0;
    rw_maybe_flush(w);
}

static void batch_start(struct rw *w, const char *cmd, const char *key, size_t klen, int per)
{
    w->cmd = cmd;
    w->key = key;
    w->klen = klen;
    w->items = 0;
    w->args.len = 0;
    w->bulks_per_item = per;
}

static void batch_item_done(struct rw *w)
{
    if (++w->items == AOF_REWRITE_ITEMS_PER_CMD) {
        batch_emit(w);
    }
}

static bool list_item(const char *s, size_t len, long long index, void *arg)
{
    (void)index;
    struct rw *w = arg;
    reply_bulk(&w->args, s, len);
    batch_item_done(w);
    return true;
}

static void set_item(const char *m, size_t len, void *arg)
{
    struct rw *w = arg;
    reply_bulk(&w->args, m, len);
    batch_item_done(w);
}

static void zset_item(const char *m, size_t len, double score, void *arg)
{
    struct rw *w = arg;
    char buf[128];
    reply_bulk(&w->args, buf, reply_fmt_double(buf, score));
    reply_bulk(&w->args, m, len);
    batch_item_done(w);
}

static void hash_item(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    struct rw *w = arg;
    reply_bulk(&w->args, f, flen);
    reply_bulk(&w->args, v, vlen);
    batch_item_done(w);
}

struct field_ttl_ctx {
    struct rw *w;
    const struct hash_obj *h;
};

static void hash_field_ttl(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    (void)v;
    (void)vlen;
    struct field_ttl_ctx *ctx = arg;
    int64_t when = hash_field_expire(ctx->h, f, flen);
    if (when < 0) {
        return;
    }
    struct reply_buf *o = &ctx->w->out;
    reply_array_len(o, 6);
    reply_bulk_cstr(o, "HPEXPIREAT");
    reply_bulk(o, ctx->w->key, ctx->w->klen);
    reply_bulk_ll(o, when);
    reply_bulk_cstr(o, "FIELDS");
    reply_bulk_ll(o, 1);
    reply_bulk(o, f, flen);
    rw_maybe_flush(ctx->w);
}

static void rewrite_zset(struct rw *w, const struct entry *e)
{
    if (entry_is_packed(e)) { /* read in place: unpacking would be a write */
        struct pack pk = {entry_obj(e)};
        size_t off = 0;
        struct pack_elem m, sc;
        while (pack_next(&pk, &off, &m) && pack_next(&pk, &off, &sc)) {
            double score;
            memcpy(&score, sc.p, sizeof(score));
            zset_item(m.p, m.len, score, w);
        }
        return;
    }
    const struct zset_obj *z = entry_obj(e);
    for (struct zset_node *n = zset_at_rank(z, 0); n != NULL; n = zset_next(n)) {
        size_t len;
        const char *m = zset_node_member(n, &len);
        zset_item(m, len, zset_node_score(n), w);
    }
}

static void rewrite_entry(struct rw *w, const struct entry *e)
{
    const char *key;
    size_t klen;
    entry_key(e, &key, &klen);
    switch (entry_type(e)) {
    case ENTRY_STRING: {
        struct entry_str s;
        entry_str(e, &s);
        reply_array_len(&w->out, 3);
        reply_bulk_cstr(&w->out, "SET");
        reply_bulk(&w->out, key, klen);
        reply_bulk(&w->out, s.p, s.len);
        break;
    }
    case ENTRY_LIST:
        batch_start(w, "RPUSH", key, klen, 1);
        list_walk(entry_obj(e), false, list_item, w);
        batch_emit(w);
        break;
    case ENTRY_SET:
        batch_start(w, "SADD", key, klen, 1);
        set_foreach(entry_obj(e), set_item, w);
        batch_emit(w);
        break;
    case ENTRY_ZSET:
        batch_start(w, "ZADD", key, klen, 2);
        rewrite_zset(w, e);
        batch_emit(w);
        break;
    case ENTRY_HASH: {
        batch_start(w, "HMSET", key, klen, 2);
        hash_foreach(entry_obj(e), hash_item, w);
        batch_emit(w);
        if (hash_has_field_deadlines(entry_obj(e))) {
            struct field_ttl_ctx ctx = {w, entry_obj(e)};
            hash_foreach(entry_obj(e), hash_field_ttl, &ctx);
        }
        break;
    }
    }
    if (entry_has_expire(e)) {
        reply_array_len(&w->out, 3);
        reply_bulk_cstr(&w->out, "PEXPIREAT");
        reply_bulk(&w->out, key, klen);
        reply_bulk_ll(&w->out, entry_expire(e));
    }
    rw_maybe_flush(w);
}

struct rw_db_ctx {
    struct rw *w;
    int64_t now_ms;
};

static void rewrite_node(struct dict_node *n, void *arg)
{
    struct rw_db_ctx *ctx = arg;
    const struct entry *e = (const struct entry *)n;
    if (ctx->w->err != 0 || (entry_has_expire(e) && entry_expire(e) <= ctx->now_ms)) {
        return;
    }
    rewrite_entry(ctx->w, e);
}

int aof_rewrite_to_fd(int fd, int64_t now_ms, bool incremental_fsync)
{
    struct rw w = {.fd = fd, .incremental_fsync = incremental_fsync};
    reply_buf_init(&w.out, 2, mem_realloc);
    reply_buf_init(&w.args, 2, mem_realloc);
    for (int i = 0; i < server.ndbs && w.err == 0; i++) {
        struct db *db = &server.dbs[i];
        if (db_size(db) == 0) {
            continue;
        }
        reply_array_len(&w.out, 2);
        reply_bulk_cstr(&w.out, "SELECT");
        reply_bulk_ll(&w.out, i);
        struct rw_db_ctx ctx = {&w, now_ms};
        dict_foreach(&db->dict, rewrite_node, &ctx);
    }
    rw_flush(&w);
    if (w.err == 0 && fsync(fd) != 0) {
        w.err = -errno;
    }
    reply_buf_deinit(&w.out);
    reply_buf_deinit(&w.args);
    return w.err;
}
