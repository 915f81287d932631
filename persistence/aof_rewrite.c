/* aof_rewrite.c - see aof_rewrite.h. */
#include "persistence/aof_rewrite.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "protocol/reply.h"
#include "server/cache_policy.h"
#include "server/db.h"
#include "server/mem.h"
#include "server/pack.h"
#include "server/server.h"
#include "server/t_hash.h"
#include "server/t_list.h"
#include "server/t_set.h"
#include "server/t_zset.h"

#define REWRITE_BUF_BYTES (64 * 1024)
#define REWRITE_FSYNC_BYTES (4 * 1024 * 1024)

/* The writer allocates nothing: in a forked child another thread of the
 * parent may have held an allocator lock at the fork. Collections are
 * written in commands of at most AOF_REWRITE_ITEMS_PER_CMD items, each
 * command's length known from the collection's size. */
struct rw {
    int fd;
    int err;             /* first write error, -errno */
    bool incremental_fsync;
    size_t since_fsync;
    size_t len;
    /* the collection being written */
    const char *cmd;
    const char *key;
    size_t klen;
    size_t left;         /* items not yet written */
    int in_cmd;          /* items written in the current command */
    int per;             /* bulks per item */
    char buf[REWRITE_BUF_BYTES];
};

static void rw_write(struct rw *w, const char *p, size_t n)
{
    while (w->err == 0 && n > 0) {
        ssize_t k = write(w->fd, p, n);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            w->err = k < 0 ? -errno : -EIO;
            return;
        }
        p += k;
        n -= (size_t)k;
        w->since_fsync += (size_t)k;
    }
    if (w->err == 0 && w->incremental_fsync && w->since_fsync >= REWRITE_FSYNC_BYTES) {
        if (fdatasync(w->fd) != 0) {
            w->err = -errno;
        }
        w->since_fsync = 0;
    }
}

static void rw_flush(struct rw *w)
{
    rw_write(w, w->buf, w->len);
    w->len = 0;
}

static void rw_raw(struct rw *w, const char *p, size_t n)
{
    if (w->len + n > sizeof(w->buf)) {
        rw_flush(w);
    }
    if (n >= sizeof(w->buf)) {
        rw_write(w, p, n); /* a big value goes straight out */
        return;
    }
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void rw_head(struct rw *w, char type, long long n)
{
    char h[32];
    rw_raw(w, h, (size_t)snprintf(h, sizeof(h), "%c%lld\r\n", type, n));
}

static void rw_bulk(struct rw *w, const char *p, size_t n)
{
    rw_head(w, '$', (long long)n);
    rw_raw(w, p, n);
    rw_raw(w, "\r\n", 2);
}

static void rw_bulk_cstr(struct rw *w, const char *s)
{
    rw_bulk(w, s, strlen(s));
}

static void rw_bulk_ll(struct rw *w, long long v)
{
    char num[32];
    rw_bulk(w, num, (size_t)snprintf(num, sizeof(num), "%lld", v));
}

/* ---- batched commands: "<cmd> <key> item item ..." ---- */

static void batch_start(struct rw *w, const char *cmd, const char *key, size_t klen, size_t n,
                        int per)
{
    w->cmd = cmd;
    w->key = key;
    w->klen = klen;
    w->left = n;
    w->in_cmd = 0;
    w->per = per;
}

/* Before an item: open a command when none is open. */
static void batch_item(struct rw *w)
{
    if (w->in_cmd == 0) {
        size_t k = w->left < AOF_REWRITE_ITEMS_PER_CMD ? w->left : AOF_REWRITE_ITEMS_PER_CMD;
        rw_head(w, '*', 2 + (long long)k * w->per);
        rw_bulk_cstr(w, w->cmd);
        rw_bulk(w, w->key, w->klen);
    }
    w->in_cmd++;
    w->left--;
    if (w->in_cmd == AOF_REWRITE_ITEMS_PER_CMD) {
        w->in_cmd = 0;
    }
}

static bool list_item(const char *s, size_t len, long long index, void *arg)
{
    (void)index;
    struct rw *w = arg;
    if (w->left == 0) {
        return false;
    }
    batch_item(w);
    rw_bulk(w, s, len);
    return true;
}

static void set_item(const char *m, size_t len, void *arg)
{
    struct rw *w = arg;
    if (w->left > 0) {
        batch_item(w);
        rw_bulk(w, m, len);
    }
}

static void zset_item(const char *m, size_t len, double score, void *arg)
{
    struct rw *w = arg;
    char buf[128];
    if (w->left > 0) {
        batch_item(w);
        rw_bulk(w, buf, reply_fmt_double(buf, score));
        rw_bulk(w, m, len);
    }
}

static void hash_item(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    struct rw *w = arg;
    if (w->left > 0) {
        batch_item(w);
        rw_bulk(w, f, flen);
        rw_bulk(w, v, vlen);
    }
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
    struct rw *w = ctx->w;
    rw_head(w, '*', 6);
    rw_bulk_cstr(w, "HPEXPIREAT");
    rw_bulk(w, w->key, w->klen);
    rw_bulk_ll(w, when);
    rw_bulk_cstr(w, "FIELDS");
    rw_bulk_ll(w, 1);
    rw_bulk(w, f, flen);
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

static size_t zset_entry_len(const struct entry *e)
{
    if (entry_is_packed(e)) {
        struct pack pk = {entry_obj(e)};
        return pack_count(&pk) / 2;
    }
    return zset_len(entry_obj(e));
}

static void rewrite_entry(struct rw *w, const struct entry *e)
{
    const char *key;
    size_t klen;
    entry_key(e, &key, &klen);
    w->key = key;
    w->klen = klen;
    switch (entry_type(e)) {
    case ENTRY_STRING: {
        struct entry_str s;
        entry_str(e, &s);
        rw_head(w, '*', 3);
        rw_bulk_cstr(w, "SET");
        rw_bulk(w, key, klen);
        rw_bulk(w, s.p, s.len);
        break;
    }
    case ENTRY_LIST:
        batch_start(w, "RPUSH", key, klen, list_len(entry_obj(e)), 1);
        list_walk(entry_obj(e), false, list_item, w);
        break;
    case ENTRY_SET:
        batch_start(w, "SADD", key, klen, set_len(entry_obj(e)), 1);
        set_foreach(entry_obj(e), set_item, w);
        break;
    case ENTRY_ZSET:
        batch_start(w, "ZADD", key, klen, zset_entry_len(e), 2);
        rewrite_zset(w, e);
        break;
    case ENTRY_HASH: {
        batch_start(w, "HMSET", key, klen, hash_len(entry_obj(e)), 2);
        hash_foreach(entry_obj(e), hash_item, w);
        if (hash_has_field_deadlines(entry_obj(e))) {
            struct field_ttl_ctx ctx = {w, entry_obj(e)};
            hash_foreach(entry_obj(e), hash_field_ttl, &ctx);
        }
        break;
    }
    }
    if (entry_has_expire(e)) {
        rw_head(w, '*', 3);
        rw_bulk_cstr(w, "PEXPIREAT");
        rw_bulk(w, key, klen);
        rw_bulk_ll(w, entry_expire(e));
    }
}

struct rw_db_ctx {
    struct rw *w;
    int64_t now_ms;
    size_t plain;   /* strings without a deadline: written as MSET */
};

static bool rewrite_is_plain(const struct entry *e)
{
    return entry_type(e) == ENTRY_STRING && !entry_has_expire(e);
}

static void count_plain(struct dict_node *n, void *arg)
{
    struct rw_db_ctx *ctx = arg;
    ctx->plain += rewrite_is_plain((const struct entry *)n);
}

/* Strings without a deadline, AOF_REWRITE_ITEMS_PER_CMD per MSET: far
 * fewer commands to replay for a cache of plain keys. */
static void rewrite_plain(struct dict_node *n, void *arg)
{
    struct rw_db_ctx *ctx = arg;
    const struct entry *e = (const struct entry *)n;
    if (ctx->w->err != 0 || !rewrite_is_plain(e)) {
        return;
    }
    const char *key;
    size_t klen;
    struct entry_str v;
    entry_key(e, &key, &klen);
    entry_str(e, &v);
    if (ctx->w->in_cmd == 0) {
        size_t left = ctx->w->left;
        size_t k = left < AOF_REWRITE_ITEMS_PER_CMD ? left : AOF_REWRITE_ITEMS_PER_CMD;
        rw_head(ctx->w, '*', 1 + 2 * (long long)k);
        rw_bulk_cstr(ctx->w, "MSET");
    }
    ctx->w->in_cmd = (ctx->w->in_cmd + 1) % AOF_REWRITE_ITEMS_PER_CMD;
    ctx->w->left--;
    rw_bulk(ctx->w, key, klen);
    rw_bulk(ctx->w, v.p, v.len);
}

static void rewrite_node(struct dict_node *n, void *arg)
{
    struct rw_db_ctx *ctx = arg;
    const struct entry *e = (const struct entry *)n;
    if (ctx->w->err != 0 || rewrite_is_plain(e) ||
        (entry_has_expire(e) && entry_expire(e) <= ctx->now_ms)) {
        return;
    }
    rewrite_entry(ctx->w, e);
}

/* The cache policy table, as the CACHE.POLICY SET commands that rebuild it. */
static void rewrite_policies(struct rw *w)
{
    for (size_t i = 0; i < cache_policy_count(); i++) {
        const struct cache_policy *p = cache_policy_at(i);
        long long argc = 3 + (p->bypass ? 1 : 0);
        for (int k = 0; k < CACHE_POLICY_NOPTS; k++) {
            argc += cache_policy_opt_get(p, k) >= 0 ? 2 : 0;
        }
        rw_head(w, '*', argc);
        rw_bulk_cstr(w, "CACHE.POLICY");
        rw_bulk_cstr(w, "SET");
        rw_bulk(w, p->pattern, p->plen);
        for (int k = 0; k < CACHE_POLICY_NOPTS; k++) {
            if (cache_policy_opt_get(p, k) >= 0) {
                rw_bulk_cstr(w, cache_policy_opts[k].word);
                rw_bulk_ll(w, cache_policy_opt_get(p, k));
            }
        }
        if (p->bypass) {
            rw_bulk_cstr(w, "BYPASS");
        }
    }
}

int aof_rewrite_to_fd(int fd, int64_t now_ms, bool incremental_fsync)
{
    static struct rw w; /* 64 KiB: not on the stack */
    memset(&w, 0, offsetof(struct rw, buf));
    w.fd = fd;
    w.incremental_fsync = incremental_fsync;
    rewrite_policies(&w);
    for (int i = 0; i < server.ndbs && w.err == 0; i++) {
        struct db *db = &server.dbs[i];
        if (db_size(db) == 0) {
            continue;
        }
        rw_head(&w, '*', 2);
        rw_bulk_cstr(&w, "SELECT");
        rw_bulk_ll(&w, i);
        struct rw_db_ctx ctx = {&w, now_ms, 0};
        dict_foreach(&db->dict, count_plain, &ctx);
        w.left = ctx.plain;
        w.in_cmd = 0;
        dict_foreach(&db->dict, rewrite_plain, &ctx);
        dict_foreach(&db->dict, rewrite_node, &ctx);
    }
    rw_flush(&w);
    if (w.err == 0 && fsync(fd) != 0) {
        w.err = -errno;
    }
    return w.err;
}

pid_t aof_rewrite_fork(const char *path, bool incremental_fsync)
{
    int64_t now_ms = server.now_ms;
    pid_t pid = fork();
    if (pid != 0) {
        return pid < 0 ? -errno : pid;
    }
    signal(SIGTERM, SIG_DFL); /* the loop's handlers belong to the parent */
    signal(SIGINT, SIG_DFL);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = fd < 0 ? -errno : aof_rewrite_to_fd(fd, now_ms, incremental_fsync);
    if (fd >= 0) {
        close(fd);
    }
    _exit(rc < 0 ? 1 : 0);
}

void aof_rewrite_kill(pid_t pid, const char *path)
{
    int status;
    kill(pid, SIGUSR1);
    waitpid(pid, &status, 0);
    unlink(path);
}
