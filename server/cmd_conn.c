/* cmd_conn.c - connection commands: PING, ECHO, QUIT, SELECT, AUTH, HELLO. */
#include <string.h>

#include "server/cmd.h"
#include "server/config.h"
#include "server/conn.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/util.h"

void cmd_ping(struct client *c)
{
    if (c->argc > 2) {
        reply_errorf(REPLY(c), "ERR wrong number of arguments for '%s' command", c->cmd->name);
        return;
    }
    if (c->resp == 2 && pubsub_is_subscribed(c)) {
        /* Subscribed RESP2 clients get PING as a message-shaped array. */
        reply_array_len(REPLY(c), 2);
        reply_bulk_cstr(REPLY(c), "pong");
        reply_bulk(REPLY(c), c->argc == 2 ? c->argv[1].ptr : "", c->argc == 2 ? c->argv[1].len : 0);
    } else if (c->argc == 1) {
        reply_status(REPLY(c), "PONG");
    } else {
        reply_bulk(REPLY(c), c->argv[1].ptr, c->argv[1].len);
    }
}

/* RESET: back to a fresh connection's state. */
void cmd_reset(struct client *c)
{
    multi_reset_client(c);
    pubsub_reset_client(c);
    c->db_id = 0;
    c->db = &server.dbs[0];
    c->resp = 2;
    c->out.proto = 2;
    mem_free(c->name);
    c->name = NULL;
    if (server.cfg->requirepass[0] != '\0') {
        c->flags &= ~CLIENT_AUTHENTICATED;
    }
    reply_status(REPLY(c), "RESET");
}

void cmd_echo(struct client *c)
{
    reply_bulk(REPLY(c), c->argv[1].ptr, c->argv[1].len);
}

void cmd_quit(struct client *c)
{
    reply_ok(REPLY(c));
    conn_close_after_reply(c);
}

void cmd_select(struct client *c)
{
    long long id;
    if (arg_ll_or_reply(c, 1, &id) < 0) {
        return;
    }
    if (id < 0 || id >= server.ndbs) {
        reply_error(REPLY(c), ERR_DB_RANGE);
        return;
    }
    c->db_id = (int)id;
    c->db = &server.dbs[id];
    reply_ok(REPLY(c));
}

/* Check credentials of the "default" user, the only user Surge has. */
static int conn_check_auth_or_reply(struct client *c, const struct resp_arg *user,
                                    const struct resp_arg *pass)
{
    const char *want = server.cfg->requirepass;
    bool user_ok = user == NULL || (user->len == 7 && memcmp(user->ptr, "default", 7) == 0);
    bool pass_ok = want[0] == '\0' ||
                   (pass->len == strlen(want) && memcmp(pass->ptr, want, pass->len) == 0);
    if (!user_ok || !pass_ok) {
        reply_error(REPLY(c), ERR_WRONGPASS);
        return -EPERM;
    }
    c->flags |= CLIENT_AUTHENTICATED;
    return 0;
}

void cmd_auth(struct client *c)
{
    if (c->argc > 3) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    if (c->argc == 2 && server.cfg->requirepass[0] == '\0') {
        reply_error(REPLY(c), "ERR AUTH <password> called without any password configured for "
                              "the default user. Are you sure your configuration is correct?");
        return;
    }
    const struct resp_arg *user = c->argc == 3 ? &c->argv[1] : NULL;
    if (conn_check_auth_or_reply(c, user, &c->argv[c->argc - 1]) == 0) {
        reply_ok(REPLY(c));
    }
}

bool client_name_is_valid(const char *p, size_t len)
{
    /* Redis allows printable ASCII without spaces ('!' .. '~'). */
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '!' || p[i] > '~') {
            return false;
        }
    }
    return true;
}

int client_set_name_or_reply(struct client *c, const struct resp_arg *name)
{
    if (!client_name_is_valid(name->ptr, name->len)) {
        reply_error(REPLY(c),
                    "ERR Client names cannot contain spaces, newlines or special characters.");
        return -EINVAL;
    }
    mem_free(c->name);
    c->name = name->len > 0 ? mem_strndup(name->ptr, name->len) : NULL;
    return 0;
}

static void hello_reply(struct client *c)
{
    reply_map_len(REPLY(c), 7);
    reply_bulk_cstr(REPLY(c), "server");
    reply_bulk_cstr(REPLY(c), "redis");
    reply_bulk_cstr(REPLY(c), "version");
    reply_bulk_cstr(REPLY(c), SURGE_REDIS_VERSION);
    reply_bulk_cstr(REPLY(c), "proto");
    reply_int(REPLY(c), c->resp);
    reply_bulk_cstr(REPLY(c), "id");
    reply_int(REPLY(c), (long long)c->id);
    reply_bulk_cstr(REPLY(c), "mode");
    reply_bulk_cstr(REPLY(c), "standalone");
    reply_bulk_cstr(REPLY(c), "role");
    reply_bulk_cstr(REPLY(c), "master");
    reply_bulk_cstr(REPLY(c), "modules");
    reply_array_len(REPLY(c), 0);
}

void cmd_hello(struct client *c)
{
    long long ver = c->resp;
    int auth_at = 0, name_at = 0;
    if (c->argc >= 2) {
        if (util_parse_ll(c->argv[1].ptr, c->argv[1].len, &ver) < 0) {
            reply_error(REPLY(c), "ERR Protocol version is not an integer or out of range");
            return;
        }
        if (ver < 2 || ver > 3) {
            reply_error(REPLY(c), ERR_NOPROTO);
            return;
        }
    }
    for (int i = 2; i < c->argc; i++) {
        int more = c->argc - i - 1;
        if (arg_is(c, i, "auth") && more >= 2) {
            auth_at = i;
            i += 2;
        } else if (arg_is(c, i, "setname") && more >= 1) {
            name_at = i;
            i += 1;
        } else {
            reply_errorf(REPLY(c), "ERR Syntax error in HELLO option '%s'", c->argv[i].ptr);
            return;
        }
    }
    if (auth_at > 0 && conn_check_auth_or_reply(c, &c->argv[auth_at + 1],
                                                &c->argv[auth_at + 2]) < 0) {
        return;
    }
    if (!(c->flags & CLIENT_AUTHENTICATED)) {
        reply_error(REPLY(c), "NOAUTH HELLO must be called with the client already "
                              "authenticated, otherwise the HELLO <proto> AUTH <user> <pass> "
                              "option can be used to authenticate the client and select the "
                              "RESP protocol version at the same time");
        return;
    }
    if (name_at > 0 && client_set_name_or_reply(c, &c->argv[name_at + 1]) < 0) {
        return;
    }
    c->resp = (int)ver;
    c->out.proto = (int)ver;
    hello_reply(c);
}
