/* blocking.c - see blocking.h. */
#include "server/blocking.h"

#include <math.h>
#include <string.h>

#include "server/cmd.h"
#include "server/conn.h"
#include "server/errors.h"
#include "server/keyreg.h"
#include "server/mem.h"
#include "server/util.h"

static struct keyreg waiters;
static struct client **blocked; /* every blocked client, for timeouts */
static size_t nblocked, blocked_cap;

/* Ready keys waiting to be served: (db, key) copies. */
struct ready_key {
    int db;
    size_t len;
    char *key;
};
static struct ready_key *ready;
static size_t nready, ready_cap;

int blocking_timeout_or_reply(struct client *c, int i, int64_t *deadline_ms)
{
    double secs;
    if (util_parse_double(c->argv[i].ptr, c->argv[i].len, &secs) < 0 || isinf(secs) ||
        secs > 1e12) {
        reply_error(REPLY(c), ERR_TIMEOUT_NOT_FLOAT);
        return -EINVAL;
    }
    if (secs < 0) {
        reply_error(REPLY(c), ERR_TIMEOUT_NEG);
        return -EINVAL;
    }
    *deadline_ms = secs > 0 ? server.now_ms + (int64_t)ceil(secs * 1000) : 0;
    return 0;
}

bool blocking_is_rerun(const struct client *c)
{
    return (c->flags & CLIENT_BLOCKED) != 0;
}

static void blocked_list_remove(struct client *c)
{
    for (size_t i = 0; i < nblocked; i++) {
        if (blocked[i] == c) {
            blocked[i] = blocked[--nblocked];
            return;
        }
    }
}

void blocking_wait(struct client *c, int first, int nkeys, int step, int64_t deadline_ms)
{
    if (c->flags & CLIENT_BLOCKED) {
        c->flags |= CLIENT_STILL_BLOCKED;
        return;
    }
    c->flags |= CLIENT_BLOCKED;
    c->bdeadline_ms = deadline_ms;
    c->bcmd = c->cmd;
    c->bargc = c->argc;
    c->bargv = mem_alloc(sizeof(*c->bargv) * (size_t)c->argc);
    for (int i = 0; i < c->argc; i++) {
        c->bargv[i].ptr = mem_strndup(c->argv[i].ptr, c->argv[i].len);
        c->bargv[i].len = c->argv[i].len;
    }
    c->bkeys = mem_alloc(sizeof(*c->bkeys) * (size_t)nkeys);
    c->nbkeys = 0;
    for (int k = 0; k < nkeys; k++) {
        const struct resp_arg *key = &c->argv[first + k * step];
        c->bkeys[c->nbkeys++] = keyreg_add(&waiters, c->db_id, key->ptr, key->len, c);
    }
    if (nblocked == blocked_cap) {
        blocked_cap = blocked_cap ? blocked_cap * 2 : 16;
        blocked = mem_realloc(blocked, sizeof(*blocked) * blocked_cap);
    }
    blocked[nblocked++] = c;
}

void blocking_cancel(struct client *c)
{
    if (!(c->flags & CLIENT_BLOCKED)) {
        return;
    }
    for (int i = 0; i < c->nbkeys; i++) {
        keyreg_remove(&waiters, c->bkeys[i], c);
    }
    for (int i = 0; i < c->bargc; i++) {
        mem_free(c->bargv[i].ptr);
    }
    mem_free(c->bargv);
    mem_free(c->bkeys);
    c->bargv = NULL;
    c->bkeys = NULL;
    c->bargc = c->nbkeys = 0;
    c->flags &= ~(CLIENT_BLOCKED | CLIENT_STILL_BLOCKED);
    blocked_list_remove(c);
}

void blocking_key_ready(const struct db *db, const char *key, size_t len)
{
    if (keyreg_find(&waiters, db->id, key, len) == NULL) {
        return;
    }
    if (nready == ready_cap) {
        ready_cap = ready_cap ? ready_cap * 2 : 8;
        ready = mem_realloc(ready, sizeof(*ready) * ready_cap);
    }
    ready[nready++] = (struct ready_key){db->id, len, mem_strndup(key, len)};
}

/* Re-run a blocked client's command; true if it was served. */
static bool blocking_rerun(struct client *c)
{
    int argc = c->argc;
    struct resp_arg *argv = c->argv;
    const struct command *cmd = c->cmd;
    c->argc = c->bargc;
    c->argv = c->bargv;
    c->cmd = c->bcmd;
    c->flags &= ~CLIENT_STILL_BLOCKED;
    cmd_call(c, c->bcmd);
    c->argc = argc;
    c->argv = argv;
    c->cmd = cmd;
    return !(c->flags & CLIENT_STILL_BLOCKED);
}

static void blocking_serve_key(const struct ready_key *rk)
{
    struct keyreg_entry *e;
    /* Bounded: each served client leaves the queue; a client that finds
     * the key empty ends the round for this key. */
    while ((e = keyreg_find(&waiters, rk->db, rk->key, rk->len)) != NULL) {
        struct client *c = e->clients[0];
        if (!blocking_rerun(c)) {
            break;
        }
        blocking_cancel(c);
        conn_resume(c);
    }
}

void blocking_serve(void)
{
    static bool serving;
    if (serving) {
        return; /* a served client's next commands run inside this loop */
    }
    serving = true;
    /* Serving may make more keys ready (BLMOVE pushes): drain in order.
     * Entries are copied out, since the array may grow meanwhile. */
    for (size_t i = 0; i < nready; i++) {
        struct ready_key rk = ready[i];
        blocking_serve_key(&rk);
        mem_free(rk.key);
    }
    nready = 0;
    serving = false;
}

void blocking_timeouts(int64_t now_ms)
{
    for (size_t i = 0; i < nblocked;) {
        struct client *c = blocked[i];
        if (c->bdeadline_ms > 0 && c->bdeadline_ms <= now_ms) {
            reply_null_array(REPLY(c));
            blocking_cancel(c); /* moves another client into slot i */
            conn_resume(c);
        } else {
            i++;
        }
    }
}

size_t blocking_clients(void)
{
    return nblocked;
}
