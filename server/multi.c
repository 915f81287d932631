/* multi.c - see multi.h. */
#include "server/multi.h"

#include <string.h>

#include "server/cmd.h"
#include "server/keyreg.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/propagate.h"

static struct keyreg watch_reg;

static void watch_add(struct client *c, int db_id, const char *key, size_t len)
{
    struct keyreg_entry *e = keyreg_add(&watch_reg, db_id, key, len, c);
    for (int i = 0; i < c->nwatched; i++) {
        if (c->watched[i] == e) {
            return; /* already watched by this client */
        }
    }
    if (c->nwatched == c->watched_cap) {
        c->watched_cap = c->watched_cap ? c->watched_cap * 2 : 4;
        c->watched = mem_realloc(c->watched, sizeof(*c->watched) * (size_t)c->watched_cap);
    }
    c->watched[c->nwatched++] = e;
}

static void unwatch_all(struct client *c)
{
    for (int i = 0; i < c->nwatched; i++) {
        keyreg_remove(&watch_reg, c->watched[i], c);
    }
    c->nwatched = 0;
    c->flags &= ~CLIENT_DIRTY_CAS;
}

static void mark_watchers_dirty(struct keyreg_entry *e, void *arg)
{
    (void)arg;
    for (int i = 0; i < e->nclients; i++) {
        e->clients[i]->flags |= CLIENT_DIRTY_CAS;
    }
}

void multi_touch_key(const struct db *db, const char *key, size_t len)
{
    server.dirty++;
    if (keyreg_size(&watch_reg) == 0) {
        return;
    }
    struct keyreg_entry *e = keyreg_find(&watch_reg, db->id, key, len);
    if (e != NULL) {
        mark_watchers_dirty(e, NULL);
    }
}

void multi_touch_db(const struct db *db)
{
    server.dirty++;
    keyreg_foreach_db(&watch_reg, db->id, mark_watchers_dirty, NULL);
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
        struct keyreg_entry *e = c->watched[i];
        db_lookup_write(&server.dbs[e->db], e->key, e->len);
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
        prop_multi_begin();
        for (int i = 0; i < c->mcount; i++) {
            c->argc = c->mcmds[i].argc;
            c->argv = c->mcmds[i].argv;
            c->cmd = c->mcmds[i].cmd;
            cmd_call(c, c->cmd);
            ((struct command *)c->cmd)->calls++;
        }
        prop_multi_end();
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
