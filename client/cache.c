/* cache.c - get-or-load on Surge's CACHE.* commands: leases coalesce the
 * misses of many callers into one load, stale-while-revalidate serves old
 * values while one caller reloads, tags and versions go along with the
 * fill. surge.h documents the behaviour call by call.
 */
#include "client/cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/policy.h"
#include "client/reply.h"

void surge_get_opts_init(struct surge_get_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->ttl_s = 60;
    o->lease_ms = 5000;
    o->wait_ms = 2000;
    o->wait_retries = 2;
    o->version = -1;
}

int sg_opts_resolve(const struct surge_get_opts *in, struct surge_get_opts *out)
{
    if (in == NULL) {
        surge_get_opts_init(out);
        return 0;
    }
    *out = *in;
    const char *bad = out->ttl_s <= 0 ? "ttl_s"
                      : out->swr_s < 0 ? "swr_s"
                      : out->maxttl_s < 0 ? "maxttl_s"
                      : out->lease_ms <= 0 ? "lease_ms"
                      : out->wait_ms < 0 ? "wait_ms"
                      : out->wait_retries < 0 ? "wait_retries"
                      : out->ntags > SURGE_MAX_TAGS || (out->ntags > 0 && out->tags == NULL)
                          ? "tags"
                          : NULL;
    if (bad != NULL) {
        sg_error("invalid option %s", bad);
        return -EINVAL;
    }
    if (out->maxttl_s > 0 && out->ttl_s > out->maxttl_s) {
        out->ttl_s = out->maxttl_s;
    }
    return 0;
}

/* ---- the loader ---- */

int surge_load_set(struct surge_load *ld, const void *value, size_t len)
{
    if (ld == NULL || (value == NULL && len > 0)) {
        return -EINVAL;
    }
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        return -ENOMEM;
    }
    if (len > 0) {
        memcpy(copy, value, len);
    }
    copy[len] = '\0';
    free(ld->value);
    ld->value = copy;
    ld->len = len;
    return 0;
}

void surge_load_version(struct surge_load *ld, long long version)
{
    if (ld != NULL && version >= 0) {
        ld->version = version;
    }
}

void surge_load_nocache(struct surge_load *ld)
{
    if (ld != NULL) {
        ld->nocache = true;
    }
}

const char *surge_load_field(const struct surge_load *ld, const char *name)
{
    return ld != NULL && name != NULL ? sg_field_value(ld->fields, ld->nfields, name, strlen(name))
                                      : NULL;
}

int sg_load(struct sg_call *k, struct surge_load *ld)
{
    memset(ld, 0, sizeof(*ld));
    ld->version = k->o.version;
    ld->fields = k->fields;
    ld->nfields = k->nfields;
    atomic_fetch_add(&k->s->loads, 1);
    int rc = k->loader(k->loader_arg, k->key, ld);
    if (rc >= 0 && ld->value == NULL) {
        rc = surge_load_set(ld, "", 0); /* a loader that set nothing loaded "" */
    }
    if (rc < 0) {
        free(ld->value);
        ld->value = NULL;
        if (surge_last_error()[0] == '\0') {
            sg_error("loader for '%s' failed: %s", k->key, surge_strerror(rc));
        }
        return rc;
    }
    return 0;
}

void sg_result_take(struct sg_call *k, struct surge_load *ld, enum surge_source src)
{
    free(k->res->value);
    k->res->value = ld->value;
    k->res->len = ld->len;
    k->res->source = src;
    ld->value = NULL;
}

int sg_result_copy(struct sg_call *k, const char *v, size_t len, enum surge_source src)
{
    struct surge_load tmp = {0};
    int rc = surge_load_set(&tmp, v, len);
    if (rc == 0) {
        sg_result_take(k, &tmp, src);
    }
    return rc;
}

int sg_load_unfilled(struct sg_call *k)
{
    struct surge_load ld;
    int rc = sg_load(k, &ld);
    if (rc == 0) {
        sg_result_take(k, &ld, SURGE_SRC_LOADED);
    }
    return rc;
}

int sg_load_bypass(struct sg_call *k)
{
    struct surge_load ld;
    int rc = sg_load(k, &ld);
    if (rc == 0) {
        sg_result_take(k, &ld, SURGE_SRC_BYPASS);
    }
    return rc;
}

/* ---- Surge's commands ---- */

/* CACHE.GET key LEASE ms [WAIT ms] on a checked-out connection. */
static int cache_get(struct sg_call *k, struct sg_conn *c, int wait_ms, redisReply **r)
{
    char lease[16], waitms[16];
    snprintf(lease, sizeof(lease), "%d", k->o.lease_ms);
    snprintf(waitms, sizeof(waitms), "%d", wait_ms);
    const char *argv[] = {"CACHE.GET", k->fkey, "LEASE", lease, "WAIT", waitms};
    return sg_exec(k->s, c, wait_ms, wait_ms > 0 ? 6 : 4, argv, NULL, r);
}

/* CACHE.FILL key token value EX ttl [SWR s] [TAG t ...] [VERSION n], or
 * CACHE.SET without a token. */
static int cache_write(struct surge *s, const char *fkey, const char *token, const char *v,
                       size_t len, const struct surge_get_opts *o, long long version)
{
    const char *argv[12 + SURGE_MAX_TAGS];
    size_t lens[12 + SURGE_MAX_TAGS];
    char ttl[16], swr[16], ver[24];
    int n = 0;
    if (o->ntags > SURGE_MAX_TAGS) {
        sg_error("more than %d tags", SURGE_MAX_TAGS);
        return -EINVAL;
    }
    argv[n++] = token != NULL ? "CACHE.FILL" : "CACHE.SET";
    argv[n++] = fkey;
    if (token != NULL) {
        argv[n++] = token;
    }
    argv[n++] = v;
    snprintf(ttl, sizeof(ttl), "%d", o->ttl_s);
    argv[n++] = "EX";
    argv[n++] = ttl;
    if (o->swr_s > 0) {
        snprintf(swr, sizeof(swr), "%d", o->swr_s);
        argv[n++] = "SWR";
        argv[n++] = swr;
    }
    if (o->ntags > 0) {
        argv[n++] = "TAG";
    }
    for (size_t i = 0; i < o->ntags; i++) {
        argv[n++] = o->tags[i];
    }
    if (version >= 0) {
        snprintf(ver, sizeof(ver), "%lld", version);
        argv[n++] = "VERSION";
        argv[n++] = ver;
    }
    for (int i = 0; i < n; i++) {
        lens[i] = argv[i] == v ? len : strlen(argv[i]);
    }
    redisReply *r;
    int rc = sg_exec1(s, n, argv, lens, &r);
    rc = rc == 0 ? sg_reply_take_error(&r) : rc;
    freeReplyObject(r);
    return rc;
}

/* A failed load gives the lease up (CACHE.RELEASE): a waiting caller
 * inherits it at once instead of waiting for it to expire. Best effort: a
 * server without the command lets the lease run out. */
static void lease_release(struct surge *s, const char *fkey, const char *token)
{
    const char *argv[] = {"CACHE.RELEASE", fkey, token};
    size_t lens[] = {13, strlen(fkey), strlen(token)};
    redisReply *r;
    if (sg_exec1(s, 3, argv, lens, &r) == 0) {
        freeReplyObject(r);
    }
}

/* Load, and fill with the token (unless the loader said nocache). */
static int load_and_fill(struct sg_call *k, const char *token)
{
    struct surge_load ld;
    int rc = sg_load(k, &ld);
    if (rc < 0) {
        lease_release(k->s, k->fkey, token);
        return rc;
    }
    if (!ld.nocache) {
        k->res->fill_err = cache_write(k->s, k->fkey, token, ld.value, ld.len, &k->o, ld.version);
        k->res->filled = k->res->fill_err == 0;
        if (k->res->filled) {
            atomic_fetch_add(&k->s->fills, 1);
            k->res->ttl_ms = (long long)k->o.ttl_s * 1000;
        } else {
            sg_log(k->s, SURGE_LOG_DEBUG, "fill of %s failed: %s", k->fkey, surge_last_error());
        }
    }
    sg_result_take(k, &ld, SURGE_SRC_LOADED);
    return 0;
}

/* A stale value with the revalidation token: reload now, serve the stale
 * value if that fails. */
static int revalidate(struct sg_call *k, const char *token)
{
    int rc = load_and_fill(k, token);
    if (rc < 0) {
        k->res->loader_err = rc;
        k->res->source = SURGE_SRC_STALE;
        return 0;
    }
    k->res->revalidated = true;
    return 0;
}

/* Act on one CACHE.GET reply. *again: it said "wait" (no value yet). */
static int on_reply(struct sg_call *k, const struct sg_cache_reply *cr, bool waited, bool *again)
{
    *again = false;
    k->res->ttl_ms = cr->ttl_ms;
    switch (cr->status) {
    case SG_CACHE_HIT:
        return sg_result_copy(k, cr->value, cr->len, waited ? SURGE_SRC_WAITED : SURGE_SRC_HIT);
    case SG_CACHE_STALE: {
        int rc = sg_result_copy(k, cr->value, cr->len, SURGE_SRC_STALE);
        if (rc < 0 || cr->token == NULL) {
            return rc;
        }
        if (k->o.defer_revalidate) {
            k->res->token = strdup(cr->token);
            return k->res->token != NULL ? 0 : -ENOMEM;
        }
        char token[64];
        snprintf(token, sizeof(token), "%s", cr->token);
        return revalidate(k, token);
    }
    case SG_CACHE_WIN: {
        char token[64];
        snprintf(token, sizeof(token), "%s", cr->token);
        return load_and_fill(k, token);
    }
    case SG_CACHE_WAIT:
        *again = true;
        return 0;
    }
    return -EPROTO;
}

/* One CACHE.GET round (blocking up to wait_ms when > 0): the reply is
 * parsed and the connection checked in before anything slow (the loader)
 * runs. waited: a hit now was filled by another caller. */
static int cache_round(struct sg_call *k, int wait_ms, bool waited, bool *again)
{
    struct sg_conn *c;
    redisReply *r = NULL;
    *again = false;
    int rc = sg_checkout(k->s, &c);
    if (rc < 0) {
        return rc;
    }
    rc = cache_get(k, c, wait_ms, &r);
    sg_checkin(k->s, c);
    struct sg_cache_reply cr;
    if (rc == 0 && (rc = sg_reply_take_error(&r)) < 0) {
        return rc == SURGE_EBYPASS ? sg_load_bypass(k) : rc;
    }
    if (rc == 0 && (rc = sg_parse_cache_get(r, &cr)) < 0) {
        sg_error("CACHE.GET %s: unexpected reply", k->fkey);
    }
    if (rc == 0) {
        rc = on_reply(k, &cr, waited, again); /* cr points into r */
    }
    freeReplyObject(r);
    return rc;
}

/* Another caller loads: wait for its fill, at most wait_ms per round and
 * wait_ms * (1 + wait_retries) in all. A caller blocks in CACHE.GET WAIT
 * only while another connection stays free (the loader needs one to fill);
 * the others poll every SG_POLL_MS. */
static int wait_for_fill(struct sg_call *k, bool *again)
{
    long long budget = (long long)k->o.wait_ms * (1 + k->o.wait_retries);
    long long deadline = sg_now_ms() + budget;
    long long max_rounds = budget / SG_POLL_MS + k->o.wait_retries + 2;
    int rc = 0;
    for (long long i = 0; rc == 0 && *again && i < max_rounds; i++) {
        long long left = deadline - sg_now_ms();
        if (left <= 0) {
            break;
        }
        if (k->o.wait_ms > 0 && sg_wait_slot_take(k->s)) {
            rc = cache_round(k, (int)(left < k->o.wait_ms ? left : k->o.wait_ms), true, again);
            sg_wait_slot_give(k->s);
            continue;
        }
        rc = cache_round(k, 0, true, again);
        if (rc == 0 && *again) {
            sg_sleep_ms(SG_POLL_MS);
        }
    }
    return rc;
}

static int surge_get(struct sg_call *k)
{
    bool again;
    int rc = cache_round(k, 0, false, &again);
    if (rc == 0 && again) {
        rc = wait_for_fill(k, &again);
    }
    if (rc == 0 && again) {
        /* Another loader still holds the lease after every wait: load
         * without filling (its fill, or a later one, will land). */
        sg_log(k->s, SURGE_LOG_DEBUG, "%s: still loading elsewhere; loading here", k->fkey);
        rc = sg_load_unfilled(k);
    }
    return rc;
}

int sg_get_or_load(struct sg_call *k)
{
    memset(k->res, 0, sizeof(*k->res));
    k->fkey = sg_full_key(k->s, k->key);
    if (k->fkey == NULL) {
        return -ENOMEM;
    }
    enum surge_mode mode = SURGE_MODE_SURGE;
    int rc = k->o.bypass ? 0 : sg_mode(k->s, NULL, &mode);
    if (rc == 0) {
        rc = k->o.bypass ? sg_load_bypass(k) : mode == SURGE_MODE_PLAIN ? sg_aside_get(k)
                                                                         : surge_get(k);
    }
    if (rc < 0) {
        surge_result_free(k->res);
        free(k->fkey);
    } else {
        k->res->key = k->fkey;
    }
    k->fkey = NULL;
    return rc;
}

int surge_get_or_load(struct surge *s, const char *key, surge_loader_fn loader, void *loader_arg,
                      const struct surge_get_opts *opts, struct surge_result *result)
{
    if (result != NULL) {
        memset(result, 0, sizeof(*result));
    }
    if (s == NULL || key == NULL || loader == NULL || result == NULL) {
        return -EINVAL;
    }
    struct sg_call k = {.s = s, .key = key, .loader = loader, .loader_arg = loader_arg,
                        .res = result};
    int rc = sg_opts_resolve(opts, &k.o);
    return rc < 0 ? rc : sg_get_or_load(&k);
}

/* The logical key of a full one: without the "v<N>:" this pool adds. */
static const char *logical_key(struct surge *s, const char *fkey)
{
    char prefix[24];
    int v = atomic_load(&s->schema_version);
    int n = snprintf(prefix, sizeof(prefix), "v%d:", v);
    return v > 0 && strncmp(fkey, prefix, (size_t)n) == 0 ? fkey + n : fkey;
}

int surge_revalidate(struct surge *s, struct surge_result *result, surge_loader_fn loader,
                     void *loader_arg, const struct surge_get_opts *opts)
{
    if (s == NULL || result == NULL || loader == NULL || result->token == NULL ||
        result->key == NULL) {
        return -EINVAL;
    }
    struct sg_call k = {.s = s, .key = logical_key(s, result->key), .fkey = result->key,
                        .loader = loader, .loader_arg = loader_arg, .res = result};
    int rc = sg_opts_resolve(opts, &k.o);
    char *token = result->token;
    result->token = NULL;
    if (rc == 0) {
        rc = revalidate(&k, token);
        rc = rc == 0 && result->loader_err != 0 ? result->loader_err : rc;
    }
    free(token);
    return rc;
}

int surge_cache_set(struct surge *s, const char *key, const void *value, size_t len,
                    const struct surge_get_opts *opts)
{
    struct surge_get_opts o;
    if (s == NULL || key == NULL || (value == NULL && len > 0)) {
        return -EINVAL;
    }
    int rc = sg_opts_resolve(opts, &o);
    enum surge_mode mode;
    if (rc == 0) {
        rc = sg_mode(s, NULL, &mode);
    }
    char *fkey = rc == 0 ? sg_full_key(s, key) : NULL;
    if (rc == 0 && fkey == NULL) {
        rc = -ENOMEM;
    }
    if (rc == 0) {
        rc = mode == SURGE_MODE_PLAIN ? sg_aside_set(s, fkey, value != NULL ? value : "", len, &o)
                                      : cache_write(s, fkey, NULL, value != NULL ? value : "",
                                                    len, &o, o.version);
    }
    free(fkey);
    return rc;
}

int surge_cache_purge_tag(struct surge *s, const char *tag, bool soft, long long *count)
{
    enum surge_mode mode;
    if (s == NULL || tag == NULL) {
        return -EINVAL;
    }
    int rc = sg_mode(s, NULL, &mode);
    if (rc == 0 && mode == SURGE_MODE_PLAIN) {
        sg_error("tags need Surge's CACHE.* commands");
        return -ENOTSUP;
    }
    const char *argv[] = {"CACHE.PURGE", "TAG", tag, "SOFT"};
    return rc < 0 ? rc : sg_exec_int(s, soft ? 4 : 3, argv, count);
}

int surge_cache_del(struct surge *s, const char *key, long long *deleted)
{
    if (s == NULL || key == NULL) {
        return -EINVAL;
    }
    char *fkey = sg_full_key(s, key);
    if (fkey == NULL) {
        return -ENOMEM;
    }
    const char *argv[] = {"DEL", fkey};
    int rc = sg_exec_int(s, 2, argv, deleted);
    free(fkey);
    return rc;
}
