/* propagate.c - see propagate.h. */
#include "server/propagate.h"

#include <string.h>

#include "protocol/reply.h"
#include "protocol/resp.h"
#include "server/cmd.h"
#include "server/mem.h"
#include "server/server.h"

struct prop_replacement {
    int index;
    char *p;
    size_t len;
};

static struct {
    unsigned enabled;
    prop_feed_fn feed_aof, feed_repl;
    bool inited;
    struct reply_buf out;
    int selected_db;          /* -1: the next command starts with SELECT */
    bool explicit_prop;       /* the running call propagated by itself */
    struct prop_replacement replace[PROP_MAX_REPLACE];
    int nreplace;
    int multi_depth;          /* inside EXEC */
    bool multi_emitted;       /* MULTI already written for this EXEC */
    unsigned long long batch;   /* the batch being accumulated */
    unsigned long long durable; /* every batch up to this one is durable */
} prop = {.selected_db = -1, .batch = 1};

static unsigned long long prop_consume(void);

static bool prop_active(void)
{
    return prop.enabled != 0 && !server.loading && !server.applying_master;
}

void prop_enable(unsigned who, bool on)
{
    if (on && !prop.inited) {
        reply_buf_init(&prop.out, 2, mem_realloc);
        prop.inited = true;
    }
    unsigned before = prop.enabled;
    prop.enabled = on ? prop.enabled | who : prop.enabled & ~who;
    if (before == 0 && prop.enabled != 0) {
        prop.selected_db = -1;
    }
}

void prop_set_feeds(prop_feed_fn aof, prop_feed_fn repl)
{
    prop.feed_aof = aof;
    prop.feed_repl = repl;
}

int prop_stream_db(void)
{
    return prop.selected_db;
}

void prop_raw(const char *p, size_t len, int db)
{
    if (prop.enabled == 0) {
        return;
    }
    reply_raw(&prop.out, p, len);
    prop.selected_db = db;
}

void prop_flush(void)
{
    if (!prop.inited || prop.out.len == 0 || prop.multi_depth > 0) {
        return; /* inside EXEC: the whole transaction goes in one batch */
    }
    bool held = false;
    unsigned long long batch = prop.batch;
    if (prop.feed_repl != NULL && (prop.enabled & PROP_REPL)) {
        prop.feed_repl(prop.out.data, prop.out.len, batch);
    }
    if (prop.feed_aof != NULL && (prop.enabled & PROP_AOF)) {
        held = prop.feed_aof(prop.out.data, prop.out.len, batch);
    }
    prop_consume();
    if (!held) {
        prop_mark_durable(batch);
    }
}

bool prop_enabled(void)
{
    return prop_active();
}

void prop_force_select(void)
{
    prop.selected_db = -1;
}

static void prop_clear_replacements(int keep)
{
    while (prop.nreplace > keep) {
        prop.nreplace--;
        mem_free(prop.replace[prop.nreplace].p);
    }
}

void prop_call_begin(struct prop_call *pc)
{
    pc->dirty = server.dirty;
    pc->explicit_prop = prop.explicit_prop;
    pc->nreplace = prop.nreplace;
    pc->stream_len = prop.inited ? prop.out.len : 0;
    prop.explicit_prop = false;
}

/* SELECT when the db changes, MULTI before the first command of an EXEC. */
static void prop_header(int dbid)
{
    if (prop.multi_depth > 0 && !prop.multi_emitted) {
        prop.multi_emitted = true;
        prop_header(dbid);
        reply_array_len(&prop.out, 1);
        reply_bulk(&prop.out, "MULTI", 5);
        return;
    }
    if (dbid != prop.selected_db) {
        reply_array_len(&prop.out, 2);
        reply_bulk(&prop.out, "SELECT", 6);
        reply_bulk_ll(&prop.out, dbid);
        prop.selected_db = dbid;
    }
}

/* c's argv with the replacements applied, leaving out argv[skip] and the
 * nskip arguments after it. */
static void prop_verbatim_except(struct client *c, int skip, int nskip)
{
    prop_header(c->db_id);
    reply_array_len(&prop.out, c->argc - nskip);
    for (int i = 0; i < c->argc; i++) {
        if (i >= skip && i < skip + nskip) {
            continue;
        }
        const struct prop_replacement *r = NULL;
        for (int k = 0; k < prop.nreplace; k++) {
            if (prop.replace[k].index == i) {
                r = &prop.replace[k];
            }
        }
        if (r != NULL) {
            reply_bulk(&prop.out, r->p, r->len);
        } else {
            reply_bulk(&prop.out, c->argv[i].ptr, c->argv[i].len);
        }
    }
}

void prop_call_end(struct prop_call *pc, struct client *c, const struct command *cmd)
{
    if (prop_active() && (cmd->flags & CMD_WRITE) && server.dirty != pc->dirty &&
        !prop.explicit_prop) {
        prop_verbatim_except(c, 0, 0);
    }
    if (prop.inited && prop.out.len > pc->stream_len) {
        c->prop_wait = prop.batch;
    }
    prop_clear_replacements(pc->nreplace);
    prop.explicit_prop = pc->explicit_prop;
}

void prop_cmd_begin(int dbid, int argc)
{
    if (!prop_active()) {
        return;
    }
    prop_header(dbid);
    reply_array_len(&prop.out, argc);
}

void prop_arg(const char *p, size_t len)
{
    if (prop_active()) {
        reply_bulk(&prop.out, p, len);
    }
}

void prop_arg_str(const char *s)
{
    prop_arg(s, strlen(s));
}

void prop_arg_ll(long long v)
{
    if (prop_active()) {
        reply_bulk_ll(&prop.out, v);
    }
}

void prop_cmd_end(bool replaces_call)
{
    if (replaces_call) {
        prop.explicit_prop = true;
    }
}

void prop_key_command(struct client *c, const char *name, int key, long long num)
{
    prop_cmd_begin(c->db_id, num < 0 ? 2 : 3);
    prop_arg_str(name);
    prop_arg(c->argv[key].ptr, c->argv[key].len);
    if (num >= 0) {
        prop_arg_ll(num);
    }
    prop_cmd_end(true);
}

void prop_verbatim_without(struct client *c, int from, int n)
{
    if (prop_active()) {
        prop_verbatim_except(c, from, n);
    }
    prop_cmd_end(true);
}

void prop_replace_arg(int i, const char *p, size_t len)
{
    if (!prop_active() || prop.nreplace == PROP_MAX_REPLACE) {
        return;
    }
    struct prop_replacement *r = &prop.replace[prop.nreplace++];
    r->index = i;
    r->p = mem_alloc(len + 1);
    memcpy(r->p, p, len);
    r->len = len;
}

void prop_replace_arg_ll(int i, long long v)
{
    char buf[32];
    prop_replace_arg(i, buf, resp_ll_to_str(buf, v));
}

void prop_del(int dbid, const char *key, size_t len)
{
    if (!prop_active()) {
        return;
    }
    prop_cmd_begin(dbid, 2);
    prop_arg("DEL", 3);
    prop_arg(key, len);
    prop_cmd_end(false);
}

void prop_multi_begin(void)
{
    if (prop.multi_depth++ == 0) {
        prop.multi_emitted = false;
    }
}

bool prop_in_exec(void)
{
    return prop.multi_depth > 0;
}

void prop_multi_end(void)
{
    if (--prop.multi_depth == 0 && prop.multi_emitted) {
        prop.multi_emitted = false;
        if (prop_active()) {
            reply_array_len(&prop.out, 1);
            reply_bulk(&prop.out, "EXEC", 4);
        }
    }
}

static unsigned long long prop_consume(void)
{
    if (!prop.inited) {
        return prop.batch - 1;
    }
    prop.out.len = 0;
    if (prop.out.cap > 1024 * 1024) {
        reply_buf_deinit(&prop.out); /* don't keep a burst's buffer */
        reply_buf_init(&prop.out, 2, mem_realloc);
    }
    return prop.batch++;
}

void prop_mark_durable(unsigned long long batch)
{
    if (batch > prop.durable) {
        prop.durable = batch;
    }
}

bool prop_client_waits(const struct client *c)
{
    return c->prop_wait > prop.durable;
}

void prop_deinit(void)
{
    prop_clear_replacements(0);
    if (prop.inited) {
        reply_buf_deinit(&prop.out);
        prop.inited = false;
    }
    prop.enabled = 0;
}
