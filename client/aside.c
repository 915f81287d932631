/* aside.c - get-or-load against a plain Redis server: classic cache-aside
 * with a lock key instead of Surge's leases.
 *
 *   GET key -> value: a hit.
 *   nil     -> SET lock:<key> <token> NX PX <lease>:
 *              OK  -> GET key again (a loader may have filled it and
 *                     unlocked in between: then unlock and return it);
 *                     load, SET key value PX <ttl>, then release the lock
 *                     if it is still ours (WATCH lock; GET; MULTI; DEL;
 *                     EXEC: the DEL runs only if nobody touched the lock
 *                     since the GET, so a lock that expired and was taken
 *                     by another loader is never deleted);
 *              nil -> poll GET key every SG_POLL_MS, trying the lock again
 *                     (its holder may have died), for at most
 *                     wait_ms * (1 + wait_retries); then load without
 *                     writing, as a last resort.
 *
 * What plain Redis cannot do here: no stale-while-revalidate (a value is
 * gone at its TTL; swr_s is ignored), no tags, no VERSION check (a slow
 * loader whose lock expired can overwrite a newer value), no namespaces.
 * client/README.md lists the differences.
 */
#include "client/cache.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SG_LOCK_PREFIX "lock:"

/* A command on c whose reply must not be an error; *r owned by the caller. */
static int run(struct surge *s, struct sg_conn *c, int argc, const char **argv,
               const size_t *lens, redisReply **r)
{
    int rc = sg_exec(s, c, 0, argc, argv, lens, r);
    return rc == 0 ? sg_reply_take_error(r) : rc;
}

int sg_aside_set(struct surge *s, const char *fkey, const void *v, size_t len,
                 const struct surge_get_opts *o)
{
    char px[24];
    snprintf(px, sizeof(px), "%lld", (long long)o->ttl_s * 1000);
    const char *argv[] = {"SET", fkey, v, "PX", px};
    size_t lens[] = {3, strlen(fkey), len, 2, strlen(px)};
    struct sg_conn *c;
    redisReply *r = NULL;
    int rc = sg_checkout(s, &c);
    if (rc == 0) {
        rc = run(s, c, 5, argv, lens, &r);
        sg_checkin(s, c);
    }
    freeReplyObject(r);
    return rc;
}

/* The lock only if it still holds our token; any failure just leaves the
 * lock to expire after lease_ms. */
static void unlock(struct sg_call *k, const char *lock, const char *token)
{
    struct sg_conn *c;
    redisReply *r = NULL;
    if (sg_checkout(k->s, &c) < 0) {
        return;
    }
    const char *watch[] = {"WATCH", lock}, *get[] = {"GET", lock};
    const char *multi[] = {"MULTI"}, *del[] = {"DEL", lock}, *exec[] = {"EXEC"};
    const char *unwatch[] = {"UNWATCH"};
    bool ours = run(k->s, c, 2, watch, NULL, &r) == 0;
    freeReplyObject(r);
    ours = ours && run(k->s, c, 2, get, NULL, &r) == 0;
    ours = ours && r->type == REDIS_REPLY_STRING && strcmp(r->str, token) == 0;
    freeReplyObject(r);
    r = NULL;
    if (ours && run(k->s, c, 1, multi, NULL, &r) == 0) {
        freeReplyObject(r);
        r = NULL;
        if (run(k->s, c, 2, del, NULL, &r) == 0) {
            freeReplyObject(r);
            r = NULL;
        }
        run(k->s, c, 1, exec, NULL, &r);
    } else if (c->ctx != NULL) {
        run(k->s, c, 1, unwatch, NULL, &r);
    }
    freeReplyObject(r);
    sg_checkin(k->s, c);
}

/* We hold the lock: load, write, unlock. */
static int load_locked(struct sg_call *k, const char *lock, const char *token)
{
    struct surge_load ld;
    int rc = sg_load(k, &ld);
    if (rc == 0 && !ld.nocache) {
        k->res->fill_err = sg_aside_set(k->s, k->fkey, ld.value, ld.len, &k->o);
        k->res->filled = k->res->fill_err == 0;
        if (k->res->filled) {
            atomic_fetch_add(&k->s->fills, 1);
            k->res->ttl_ms = (long long)k->o.ttl_s * 1000;
        }
    }
    unlock(k, lock, token);
    if (rc == 0) {
        sg_result_take(k, &ld, SURGE_SRC_LOADED);
    }
    return rc;
}

/* One poll: GET key, and on a miss try to take the lock. *got_lock or a
 * value in the result; neither: someone else is loading. */
static int poll_once(struct sg_call *k, const char *lock, const char *token, bool waited,
                     bool *got_lock, bool *got_value)
{
    struct sg_conn *c = NULL;
    redisReply *r = NULL;
    char px[16];
    snprintf(px, sizeof(px), "%d", k->o.lease_ms);
    const char *get[] = {"GET", k->fkey};
    const char *set[] = {"SET", lock, token, "NX", "PX", px};
    *got_lock = *got_value = false;
    int rc = sg_checkout(k->s, &c);
    if (rc == 0) {
        rc = run(k->s, c, 2, get, NULL, &r);
    }
    if (rc == 0 && r->type == REDIS_REPLY_STRING) {
        *got_value = true;
        rc = sg_result_copy(k, r->str, r->len, waited ? SURGE_SRC_WAITED : SURGE_SRC_HIT);
    } else if (rc == 0) {
        freeReplyObject(r);
        r = NULL;
        rc = run(k->s, c, 6, set, NULL, &r);
        *got_lock = rc == 0 && r->type == REDIS_REPLY_STATUS;
    }
    if (*got_lock) { /* the value may have landed between the GET and the lock */
        freeReplyObject(r);
        r = NULL;
        rc = run(k->s, c, 2, get, NULL, &r);
        if (rc == 0 && r->type == REDIS_REPLY_STRING) {
            *got_value = true;
            rc = sg_result_copy(k, r->str, r->len, SURGE_SRC_WAITED);
        }
    }
    freeReplyObject(r);
    sg_checkin(k->s, c);
    return rc;
}

int sg_aside_get(struct sg_call *k)
{
    size_t llen = strlen(SG_LOCK_PREFIX) + strlen(k->fkey) + 1;
    char *lock = malloc(llen);
    char token[33];
    if (lock == NULL) {
        return -ENOMEM;
    }
    snprintf(lock, llen, "%s%s", SG_LOCK_PREFIX, k->fkey);
    sg_random_token(token);
    long long budget = (long long)k->o.wait_ms * (1 + k->o.wait_retries);
    long long deadline = sg_now_ms() + budget;
    long long max_polls = budget / SG_POLL_MS + 1;
    bool got_lock = false, got_value = false;
    int rc = 0;
    for (long long i = 0; rc == 0 && i <= max_polls; i++) {
        rc = poll_once(k, lock, token, i > 0, &got_lock, &got_value);
        if (rc < 0 || got_lock || got_value || sg_now_ms() >= deadline) {
            break;
        }
        sg_sleep_ms(SG_POLL_MS);
    }
    if (got_lock && got_value) {
        unlock(k, lock, token);
    } else if (rc == 0 && got_lock) {
        rc = load_locked(k, lock, token);
    } else if (rc == 0 && !got_value) {
        sg_log(k->s, SURGE_LOG_DEBUG, "%s: still locked by another loader; loading here",
               k->fkey);
        rc = sg_load_unfilled(k);
    }
    free(lock);
    return rc;
}
