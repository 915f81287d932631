/* multi.c - see multi.h. */
#include "server/multi.h"

#include <string.h>

#include "server/cmd.h"
#include "server/dict.h"
#include "server/handlers.h"
#include "server/mem.h"

/* One watched (db, key) and the clients watching it. The dict key is the
 * db id (4 bytes) followed by the key bytes. */
struct watch_key {
    struct dict_node node;
    struct client **clients;
    int nclients, cap;
    size_t len; /* of name */
    char name[];
};

static struct dict watch_dict;
static bool watch_ready;

static void watch_node_key(const struct dict_node *n, const char **key, size_t *len)
{
    const struct watch_key *w = (const struct watch_key *)n;
    *key = w->name;
    *len = w->len;
}

static size_t watch_compose(char *buf, size_t cap, int db_id, const char *key, size_t len)
{
    if (len + 4 > cap) {
        return 0;
    }
    memcpy(buf, &db_id, 4);
    memcpy(buf + 4, key, len);
    return len + 4;
}

/* The registry entry for (db, key); created when create is set. */
static struct watch_key *watch_find(int db_id, const char *key, size_t len, bool create)
{
    if (!watch_ready) {
        dict_init(&watch_dict, watch_node_key);
        watch_ready = true;
    }
    char *name = mem_alloc(len + 4);
    watch_compose(name, len + 4, db_id, key, len);
    uint64_t h = dict_hash(name, len + 4);
    struct watch_key *w = (struct watch_key *)dict_find(&watch_dict, name, len + 4, h);
    if (w == NULL && create) {
        w = mem_calloc(sizeof(*w) + len + 4);
        memcpy(w->name, name, len + 4);
        w->len = len + 4;
        dict_add(&watch_dict, &w->node, h);
    }
    mem_free(name);
    return w;
}

static void watch_add(struct client *c, int db_id, const char *key, size_t len)
{
    struct watch_key *w = watch_find(db_id, key, len, true);
    for (int i = 0; i < w->nclients; i++) {
        if (w->clients[i] == c) {
            return; /* already watched by this client */
        }
    }
    if (w->nclients == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 4;
        w->clients = mem_realloc(w->clients, sizeof(*w->clients) * (size_t)w->cap);
    }
    w->clients[w->nclients++] = c;
    if (c->nwatched == c->watched_cap) {
        c->watched_cap = c->watched_cap ? c->watched_cap * 2 : 4;
        c->watched = mem_realloc(c->watched, sizeof(*c->watched) * (size_t)c->watched_cap);
    }
    c->watched[c->nwatched++] = w;
}

static void watch_remove_client(struct watch_key *w, struct client *c)
{
    for (int i = 0; i < w->nclients; i++) {
        if (w->clients[i] == c) {
            w->clients[i] = w->clients[--w->nclients];
            break;
        }
    }
    if (w->nclients == 0) {
        dict_unlink(&watch_dict, w->name, w->len, dict_hash(w->name, w->len));
        mem_free(w->clients);
        mem_free(w);
    }
}

static void unwatch_all(struct client *c)
{
    for (int i = 0; i < c->nwatched; i++) {
        watch_remove_client(c->watched[i], c);
    }
    c->nwatched = 0;
    c->flags &= ~CLIENT_DIRTY_CAS;
}

void multi_touch_key(const struct db *db, const char *key, size_t len)
{
    if (!watch_ready || dict_size(&watch_dict) == 0) {
        return;
    }
    struct watch_key *w = watch_find(db->id, key, len, false);
    for (int i = 0; w != NULL && i < w->nclients; i++) {
        w->clients[i]->flags |= CLIENT_DIRTY_CAS;
    }
}

struct touch_db_ctx {
    int db_id;
};

static void touch_db_node(struct dict_node *n, void *arg)
{
    const struct touch_db_ctx *ctx = arg;
    struct watch_key *w = (struct watch_key *)n;
    int db_id;
    memcpy(&db_id, w->name, 4);
    if (db_id != ctx->db_id) {
        return;
    }
    for (int i = 0; i < w->nclients; i++) {
        w->clients[i]->flags |= CLIENT_DIRTY_CAS;
    }
}

void multi_touch_db(const struct db *db)
{
    if (!watch_ready || dict_size(&watch_dict) == 0) {
        return;
    }
    struct touch_db_ctx ctx = {db->id};
    dict_foreach(&watch_dict, touch_db_node, &ctx);
}

static void multi_free_queue(struct client *c)
{
    for (int i = 0; i < c->mcount; i++) {
        for (int j = 0; j < c->mcmds[i].argc; j++) {
            mem_free(c->mcmds[i].argv[j].ptr);
        }
        mem_free(c->mcmds[i].argv);
    }
    mem_free(c->mcmds);
    c->mcmds = NULL;
    c->mcount = c->mcap = 0;
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_EXEC);
}

void multi_reset_client(struct client *c)
{
    multi_free_queue(c);
    unwatch_all(c);
    mem_free(c->watched);
    c->watched = NULL;
    c->watched_cap = 0;
}

void multi_flag_error(struct client *c)
{
    if (c->flags & CLIENT_MULTI) {
        c->flags |= CLIENT_DIRTY_EXEC;
    }
}

bool multi_maybe_queue(struct client *c, const struct command *cmd)
{
    cmd_fn fn = cmd->fn;
    if (!(c->flags & CLIENT_MULTI) || fn == cmd_exec || fn == cmd_discard || fn == cmd_multi ||
        fn == cmd_watch || fn == cmd_quit || fn == cmd_reset) {
        return false;
    }
    if (c->mcount == c->mcap) {
        c->mcap = c->mcap ? c->mcap * 2 : 8;
        c->mcmds = mem_realloc(c->mcmds, sizeof(*c->mcmds) * (size_t)c->mcap);
    }
    struct multi_cmd *m = &c->mcmds[c->mcount++];
    m->argc = c->argc;
    m->cmd = cmd;
    m->argv = mem_alloc(sizeof(*m->argv) * (size_t)c->argc);
    for (int i = 0; i < c->argc; i++) {
        m->argv[i].ptr = mem_strndup(c->argv[i].ptr, c->argv[i].len);
        m->argv[i].len = c->argv[i].len;
    }
    reply_status(REPLY(c), "QUEUED");
    return true;
}

void cmd_multi(struct client *c)
{
    if (c->flags & CLIENT_MULTI) {
        reply_error(REPLY(c), "ERR MULTI calls can not be nested");
        return;
    }
    c->flags |= CLIENT_MULTI;
    reply_ok(REPLY(c));
}

void cmd_discard(struct client *c)
{
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(REPLY(c), "ERR DISCARD without MULTI");
        return;
    }
    multi_free_queue(c);
    unwatch_all(c);
    reply_ok(REPLY(c));
}

/* A watched key past its deadline counts as changed even if nobody has
 * touched it yet: looking it up deletes it, which marks the watchers. */
static void watch_expire_check(struct client *c)
{
    for (int i = 0; i < c->nwatched; i++) {
        struct watch_key *w = c->watched[i];
        int db_id;
        memcpy(&db_id, w->name, 4);
        db_lookup_write(&server.dbs[db_id], w->name + 4, w->len - 4);
    }
}

void cmd_exec(struct client *c)
{
    if (!(c->flags & CLIENT_MULTI)) {
        reply_error(REPLY(c), "ERR EXEC without MULTI");
        return;
    }
    watch_expire_check(c);
    if (c->flags & CLIENT_DIRTY_EXEC) {
        reply_error(REPLY(c), "EXECABORT Transaction discarded because of previous errors.");
    } else if (c->flags & CLIENT_DIRTY_CAS) {
        reply_null_array(REPLY(c));
    } else {
        /* Watches end before the commands run: their own writes must not
         * mark this client dirty for a later transaction. */
        unwatch_all(c);
        int argc = c->argc;
        struct resp_arg *argv = c->argv;
        reply_array_len(REPLY(c), c->mcount);
        for (int i = 0; i < c->mcount; i++) {
            c->argc = c->mcmds[i].argc;
            c->argv = c->mcmds[i].argv;
            c->cmd = c->mcmds[i].cmd;
            c->cmd->fn(c);
            ((struct command *)c->cmd)->calls++;
        }
        c->argc = argc;
        c->argv = argv;
    }
    multi_free_queue(c);
    unwatch_all(c);
}

void cmd_watch(struct client *c)
{
    if (c->flags & CLIENT_MULTI) {
        reply_error(REPLY(c), "ERR WATCH inside MULTI is not allowed");
        return;
    }
    for (int i = 1; i < c->argc; i++) {
        watch_add(c, c->db_id, c->argv[i].ptr, c->argv[i].len);
    }
    reply_ok(REPLY(c));
}

void cmd_unwatch(struct client *c)
{
    unwatch_all(c);
    reply_ok(REPLY(c));
}
