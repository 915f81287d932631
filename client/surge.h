/* surge.h - libsurge: a cache-aside client for Surge (and plain Redis) on
 * hiredis. This header is the whole contract.
 *
 * One `struct surge` is a small pool of connections to one server. Every
 * call is synchronous and thread-safe: a call checks a connection out of
 * the pool (waiting up to `checkout_timeout_ms` when all are in use), runs
 * its commands, and checks it back in. A threaded service shares one
 * `struct surge`; a single-threaded one uses pool_size 1.
 *
 * Errors: every call returning `int` gives 0 on success or a negative
 * error: a negated errno (-ETIMEDOUT, -ECONNREFUSED, -ENOMEM, -EINVAL,
 * -EPROTO for a reply of an unexpected shape, -ENOTSUP for a command the
 * server lacks, ...) or one of the SURGE_E* codes below. A loader's own
 * negative return is passed through unchanged. The text of the last error
 * in the calling thread (including a server's error reply) is
 * surge_last_error(). The library never aborts and prints nothing; it
 * reports connection events through the optional log callback.
 *
 * Memory: pointers passed in are borrowed for the duration of the call
 * unless stated otherwise. What the library returns is owned by the
 * caller and freed with the named function (surge_result_free,
 * surge_reply_free, surge_policy_free, surge_free).
 *
 * Connections: connect and command timeouts apply to every command; a
 * command that fails because the connection is broken (EOF, reset,
 * refused) is retried once on a fresh connection (a restarted server, an
 * idle connection closed by `timeout`). A timed-out command is not retried.
 * A retried command may have run twice if the connection broke after the
 * server read it: INV.RESERVE is idempotent per hold id and CACHE.FILL per
 * lease, but CL.THROTTLE may then count one request twice.
 */
#ifndef SURGE_CLIENT_H
#define SURGE_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define SURGE_EXPORT __attribute__((visibility("default")))
#else
#define SURGE_EXPORT
#endif

#define SURGE_VERSION_MAJOR 0
#define SURGE_VERSION_MINOR 1

/* Errors that are not an errno (negative, below any errno). */
enum {
    SURGE_EREPLY = -30000,  /* the server answered with an error reply (surge_last_error) */
    SURGE_EBYPASS = -30001, /* the key matches a never-cache policy (-BYPASS ...) */
    SURGE_ELEASE = -30002,  /* CACHE.FILL: the lease expired or was superseded (-LEASE ...) */
    SURGE_ESTALEVER = -30003, /* CACHE.FILL/SET: VERSION older than stored (-STALEVERSION) */
};

/* A short static description of an error code (never NULL). */
SURGE_EXPORT const char *surge_strerror(int err);
/* The text of the last error in the calling thread: a server's error reply
 * as sent (without the leading '-'), or what failed locally. "" if none.
 * Valid until the thread's next libsurge call. */
SURGE_EXPORT const char *surge_last_error(void);

struct surge;        /* opaque: a pool of connections, thread-safe */
struct surge_policy; /* opaque: a per-resource policy table */
struct surge_load;   /* opaque: what a loader fills in */
struct redisReply;   /* hiredis's reply, for surge_command() */

/* ---- options and lifetime ---- */

enum surge_log_level { SURGE_LOG_DEBUG = 0, SURGE_LOG_INFO = 1, SURGE_LOG_WARNING = 2 };
/* msg is NUL-terminated and valid during the call only. Called from the
 * thread that made the libsurge call; must not call back into libsurge. */
typedef void (*surge_log_fn)(void *arg, enum surge_log_level level, const char *msg);

enum surge_mode {
    SURGE_MODE_AUTO = 0, /* detect once per pool: COMMAND INFO CACHE.GET */
    SURGE_MODE_SURGE,    /* CACHE.* commands: leases, SWR, tags, versions */
    SURGE_MODE_PLAIN,    /* plain Redis: GET/SET with a SET NX PX lock (client/README.md) */
};

struct surge_options {
    const char *host;        /* default "127.0.0.1"; copied */
    int port;                /* default 6379 */
    int connect_timeout_ms;  /* default 1000 */
    int command_timeout_ms;  /* default 2000 (a CACHE.GET WAIT gets its wait on top) */
    int pool_size;           /* connections at most, default 4, 1..1024 */
    int checkout_timeout_ms; /* wait for a free connection, default 5000; then -ETIMEDOUT */
    const char *username;    /* AUTH username password when password is set; copied */
    const char *password;
    int db;                  /* SELECT db when not 0 */
    int schema_version;      /* > 0: cache keys become "v<N>:<key>"; 0: unchanged */
    enum surge_mode mode;    /* default SURGE_MODE_AUTO */
    surge_log_fn log;        /* optional */
    void *log_arg;
    enum surge_log_level log_level; /* least level passed to log, default INFO */
};

/* Fill o with the defaults above. */
SURGE_EXPORT void surge_options_init(struct surge_options *o);
/* A new pool (no connection is made yet: the first call connects).
 * -EINVAL for bad options, -ENOMEM. Free it with surge_free(). */
SURGE_EXPORT int surge_new(const struct surge_options *o, struct surge **out);
/* Close every connection and free the pool; *s becomes NULL. No call may
 * be running on it. Accepts NULL and *s == NULL. */
SURGE_EXPORT void surge_free(struct surge **s);
/* The server kind, detected on first need (a round trip then). */
SURGE_EXPORT int surge_server_mode(struct surge *s, enum surge_mode *out);

struct surge_stats {
    unsigned long long connects;   /* connections opened */
    unsigned long long reconnects; /* commands retried on a fresh connection */
    unsigned long long loads;      /* loader calls */
    unsigned long long fills;      /* successful CACHE.FILL / plain SET after a load */
};
SURGE_EXPORT void surge_stats_get(struct surge *s, struct surge_stats *out);

/* ---- get-or-load ---- */

/* Where a value came from. */
enum surge_source {
    SURGE_SRC_HIT = 0, /* fresh in the cache */
    SURGE_SRC_STALE,   /* past its TTL, inside SWR (see revalidated / loader_err) */
    SURGE_SRC_LOADED,  /* this call ran the loader (and filled the cache, see filled) */
    SURGE_SRC_WAITED,  /* another caller loaded it while this one waited */
    SURGE_SRC_BYPASS,  /* never-cache policy: the loader ran, nothing was cached */
};
SURGE_EXPORT const char *surge_source_name(enum surge_source src);

/* A loader fetches the value of key (the logical key, without the
 * "v<N>:" prefix) from the origin and hands it over with
 * surge_load_set(). Return 0, or a negative error that get_or_load
 * returns (or hides behind a stale value, see surge_result.loader_err).
 * It runs in the calling thread, with no lock held and no connection
 * checked out. */
typedef int (*surge_loader_fn)(void *arg, const char *key, struct surge_load *ld);

/* The value (copied). -ENOMEM. */
SURGE_EXPORT int surge_load_set(struct surge_load *ld, const void *value, size_t len);
/* Fill with VERSION n (n >= 0): an older fill never replaces a newer one. */
SURGE_EXPORT void surge_load_version(struct surge_load *ld, long long version);
/* Do not cache this value (e.g. a "not found" that must not stick). */
SURGE_EXPORT void surge_load_nocache(struct surge_load *ld);
/* A segmentation field of surge_get_resource() (borrowed), or NULL. */
SURGE_EXPORT const char *surge_load_field(const struct surge_load *ld, const char *name);

/* Tags per value at most (the server's limit too). */
#define SURGE_MAX_TAGS 32

/* Per-call cache options (all times > 0 unless said otherwise). */
struct surge_get_opts {
    int ttl_s;          /* freshness, default 60 */
    int swr_s;          /* stale window after it, default 0 */
    int maxttl_s;       /* caps ttl_s when > 0, default 0 */
    int lease_ms;       /* how long a loader holds the key, default 5000 */
    int wait_ms;        /* one CACHE.GET WAIT for another loader, default 2000 */
    int wait_retries;   /* more waits before loading anyway, default 2 */
    const char *const *tags; /* borrowed; CACHE.FILL TAG ... (SURGE_MAX_TAGS at most) */
    size_t ntags;
    long long version;  /* -1 (default): none; surge_load_version() overrides */
    bool bypass;        /* never cache: run the loader, touch nothing */
    bool defer_revalidate; /* stale with the token: return at once, keep the token in the
                            * result and let the caller run surge_revalidate() later */
};
SURGE_EXPORT void surge_get_opts_init(struct surge_get_opts *o);

struct surge_result {
    char *value;        /* NUL-terminated (len excludes it); freed by surge_result_free */
    size_t len;
    enum surge_source source;
    long long ttl_ms;   /* fresh TTL the server reported: -1 none, 0 stale or unknown */
    bool filled;        /* LOADED: the value was written to the cache */
    bool revalidated;   /* a stale value was replaced by this call's load */
    int loader_err;     /* STALE: the loader failed with this and the stale value was served */
    int fill_err;       /* a write after a successful load failed (value still returned) */
    char *token;        /* defer_revalidate: the lease to pass to surge_revalidate, else NULL */
    char *key;          /* the full key (with "v<N>:"), freed by surge_result_free */
};
/* Free what a result holds and zero it. Accepts a zeroed result. */
SURGE_EXPORT void surge_result_free(struct surge_result *r);

/* Get key, or load it once for everyone (surge mode):
 *  - CACHE.GET key LEASE lease_ms:
 *    hit   -> the value (SURGE_SRC_HIT);
 *    win   -> loader, then CACHE.FILL key token value EX ttl [SWR] [TAG..]
 *             [VERSION] (SURGE_SRC_LOADED, filled);
 *    wait  -> CACHE.GET key LEASE WAIT wait_ms: the value when the loader
 *             fills it (SURGE_SRC_WAITED); after a timeout up to
 *             wait_retries more CACHE.GET (a win on the way loads as above),
 *             wait_ms * (1 + wait_retries) in all; then, as a last resort,
 *             the loader runs without filling (the other loader still holds
 *             the lease): SURGE_SRC_LOADED, !filled. At most pool_size - 1
 *             callers block a connection in WAIT, so the loader always gets
 *             one to fill; the others poll every 20 ms instead;
 *    stale -> with the revalidation token: the loader runs now, before
 *             returning (unless defer_revalidate), and the fresh value is
 *             filled and returned (SURGE_SRC_LOADED, revalidated); if it
 *             fails, the stale value is returned (SURGE_SRC_STALE,
 *             loader_err). Without the token: the stale value at once.
 *  - -BYPASS from the server, or opts->bypass: the loader runs and nothing is
 *    cached (SURGE_SRC_BYPASS).
 *  - A loader error on a win is returned. There is no command to give a
 *    lease back: it ends after lease_ms, and until then other callers wait
 *    (bounded by wait_ms * (1 + wait_retries)) and then load themselves.
 * opts may be NULL (defaults). On success *result is filled (the caller
 * frees it with surge_result_free); on error it is zeroed. */
SURGE_EXPORT int surge_get_or_load(struct surge *s, const char *key, surge_loader_fn loader,
                                   void *loader_arg, const struct surge_get_opts *opts,
                                   struct surge_result *result);
/* Run the deferred revalidation of a result returned with a token: load and
 * fill with the token. On success the result holds the new value (source
 * LOADED, revalidated); on a loader error it keeps the stale value and
 * loader_err, and the error is returned. The token is consumed. */
SURGE_EXPORT int surge_revalidate(struct surge *s, struct surge_result *result,
                                  surge_loader_fn loader, void *loader_arg,
                                  const struct surge_get_opts *opts);

/* CACHE.SET key value EX ttl [SWR] [TAG ...] [VERSION]: write without a
 * lease (supersedes a loader's). Plain mode: SET key value PX ttl. */
SURGE_EXPORT int surge_cache_set(struct surge *s, const char *key, const void *value, size_t len,
                                 const struct surge_get_opts *opts);
/* CACHE.PURGE TAG t [SOFT]: *count (optional) keys purged. -ENOTSUP in plain mode. */
SURGE_EXPORT int surge_cache_purge_tag(struct surge *s, const char *tag, bool soft,
                                       long long *count);
/* DEL of the (versioned) key: *deleted (optional) is 1 if it existed. */
SURGE_EXPORT int surge_cache_del(struct surge *s, const char *key, long long *deleted);

/* ---- resources: a policy table in JSON ----
 *
 * {"schema_version": 3,
 *  "resources": {
 *    "product":  {"key": "product:{sku}", "ttl": 10, "swr": 30, "maxttl": 60,
 *                 "lease": 5000, "tags": ["sku:{sku}", "catalog"]},
 *    "shipping": {"key": "ship:{zip3}:{device}", "ttl": 5},
 *    "payment":  {"key": "pay:{order}", "bypass": true}}}
 *
 * Times as in CACHE.POLICY: ttl, swr, maxttl in seconds, lease in ms; also
 * "wait" (ms) and "wait_retries". "{name}" in key and tags is replaced by
 * the field of that name. schema_version (optional) replaces the pool's.
 */

/* One segmentation field; both strings borrowed. */
struct surge_field {
    const char *name;
    const char *value;
};

/* Parse a table. On error returns -EINVAL (-ENOMEM, or -errno for the
 * file) and writes a message naming the field into err (when err != NULL,
 * truncated to errcap), e.g. "resources.product.ttl: must be a positive
 * integer". Free the table with surge_policy_free(). */
SURGE_EXPORT int surge_policy_parse(const char *json, size_t len, struct surge_policy **out,
                                    char *err, size_t errcap);
SURGE_EXPORT int surge_policy_load_file(const char *path, struct surge_policy **out, char *err,
                                        size_t errcap);
/* Accepts NULL and *p == NULL; *p becomes NULL. */
SURGE_EXPORT void surge_policy_free(struct surge_policy **p);
/* The table's schema_version (0 when absent) and resource count. */
SURGE_EXPORT int surge_policy_schema_version(const struct surge_policy *p);
SURGE_EXPORT size_t surge_policy_count(const struct surge_policy *p);
/* The options of resource name (tags point into the table: valid while it
 * lives). -ENOENT for an unknown name. */
SURGE_EXPORT int surge_policy_opts(const struct surge_policy *p, const char *name,
                                   struct surge_get_opts *out);
/* Expand "{name}" in tmpl from fields into out (NUL-terminated). Returns the
 * length, -EINVAL for a missing field or an unbalanced brace (message in
 * surge_last_error), -ENOSPC if out is too small. */
SURGE_EXPORT int surge_template_expand(const char *tmpl, const struct surge_field *fields,
                                       size_t nfields, char *out, size_t cap);
/* The key of resource name for these fields (without "v<N>:"), as above;
 * -ENOENT for an unknown resource. */
SURGE_EXPORT int surge_policy_key(const struct surge_policy *p, const char *name,
                                  const struct surge_field *fields, size_t nfields, char *out,
                                  size_t cap);

/* Use table p for surge_get_resource (takes ownership of p; the previous
 * table is freed once no call uses it). Safe while other threads run. */
SURGE_EXPORT int surge_set_policy(struct surge *s, struct surge_policy *p);
/* Send the table to the server as CACHE.POLICY SET rows (each "{...}" of a
 * key template becomes "*"): *sent (optional) rows. -ENOTSUP when the
 * server has no CACHE.POLICY (or in plain mode). */
SURGE_EXPORT int surge_policy_push(struct surge *s, const struct surge_policy *p, int *sent);

/* Build the resource's key from fields and get_or_load it with the
 * resource's options; a bypass resource runs the loader and never touches
 * the cache (SURGE_SRC_BYPASS). The loader sees the fields through
 * surge_load_field(). -ENOENT: no table or no such resource. */
SURGE_EXPORT int surge_get_resource(struct surge *s, const char *resource,
                                    const struct surge_field *fields, size_t nfields,
                                    surge_loader_fn loader, void *loader_arg,
                                    struct surge_result *result);

/* ---- inventory holds (INV.*) and rate limits (CL.THROTTLE) ----
 * Keys are used as given (no "v<N>:"). -ENOTSUP against plain Redis. */

/* INV.SET sku qty */
SURGE_EXPORT int surge_inv_set(struct surge *s, const char *sku, long long qty);

struct surge_reservation {
    bool reserved;       /* true: qty units are held for hold_id (now or by an earlier retry) */
    bool soldout;        /* false reserved: fewer than qty were available */
    long long held;      /* units this call asked to hold (0 when sold out) */
    long long available; /* available after the hold, or what is left when sold out */
};
/* INV.RESERVE sku qty hold_id HOLD hold_s. Sold out is not an error. */
SURGE_EXPORT int surge_inv_reserve(struct surge *s, const char *sku, long long qty,
                                   const char *hold_id, long long hold_s,
                                   struct surge_reservation *out);
/* INV.CONFIRM: *sold (optional) units sold. -ENOENT: no such hold. */
SURGE_EXPORT int surge_inv_confirm(struct surge *s, const char *sku, const char *hold_id,
                                   long long *sold);
/* INV.RELEASE: *released (optional) true if a hold was given back. */
SURGE_EXPORT int surge_inv_release(struct surge *s, const char *sku, const char *hold_id,
                                   bool *released);

struct surge_inventory {
    long long available, held, sold;
};
SURGE_EXPORT int surge_inv_get(struct surge *s, const char *sku, struct surge_inventory *out);

struct surge_throttle_result {
    bool allowed;
    long long limit;         /* max_burst + 1 */
    long long remaining;
    long long retry_after_s; /* -1 when allowed */
    long long reset_after_s;
};
/* CL.THROTTLE key max_burst count period_s quantity (redis-cell's). */
SURGE_EXPORT int surge_throttle(struct surge *s, const char *key, long long max_burst,
                                long long count, long long period_s, long long quantity,
                                struct surge_throttle_result *out);

/* ---- any other command ----
 * Run a command (redisCommand's format, or an argv) on a pooled connection.
 * An error reply is not an error here: *reply holds it (type
 * REDIS_REPLY_ERROR). The caller frees *reply with surge_reply_free. */
SURGE_EXPORT int surge_command(struct surge *s, struct redisReply **reply, const char *fmt, ...);
SURGE_EXPORT int surge_command_argv(struct surge *s, struct redisReply **reply, int argc,
                                    const char **argv, const size_t *argvlen);
/* Accepts NULL. */
SURGE_EXPORT void surge_reply_free(struct redisReply *reply);

#ifdef __cplusplus
}
#endif

#endif
