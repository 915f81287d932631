/* cmd_client.c - CLIENT ID/SETNAME/GETNAME/LIST/INFO/KILL/SETINFO/HELP. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "replication/repl.h"
#include "server/cmd.h"
#include "server/conn.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/util.h"

void cmd_client_id(struct client *c)
{
    reply_int(REPLY(c), (long long)c->id);
}

void cmd_client_setname(struct client *c)
{
    if (client_set_name_or_reply(c, &c->argv[2]) == 0) {
        reply_ok(REPLY(c));
    }
}

void cmd_client_getname(struct client *c)
{
    if (c->name != NULL) {
        reply_bulk_cstr(REPLY(c), c->name);
    } else {
        reply_null(REPLY(c));
    }
}

/* One CLIENT LIST line, fields in Redis 7.2's order. */
static void client_describe(const struct client *x, struct reply_buf *b)
{
    char line[1024];
    const char *cmd = x->lastcmd != NULL ? x->lastcmd->name : "NULL";
    if (x->cmd != NULL) {
        cmd = x->cmd->name;
    }
    char flags[8], *f = flags;
    if (x->flags & CLIENT_REPLICA) {
        *f++ = 'S';
    }
    if (x->nchannels + x->npatterns > 0) {
        *f++ = 'P';
    }
    if (x->flags & CLIENT_MULTI) {
        *f++ = 'x';
    }
    if (f == flags) {
        *f++ = 'N';
    }
    *f = '\0';
    int n = snprintf(
        line, sizeof(line),
        "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d sub=%d psub=%d "
        "ssub=0 multi=%d qbuf=%zu qbuf-free=%zu argv-mem=0 multi-mem=0 rbs=%zu rbp=%zu obl=%zu "
        "oll=%d omem=%zu tot-mem=%zu events=r%s cmd=%s user=default redir=-1 resp=%d "
        "lib-name=%s lib-ver=%s\n",
        (unsigned long long)x->id, x->addr, x->laddr, x->fd, x->name ? x->name : "",
        (long long)((server.now_ms - x->ctime_ms) / 1000),
        (long long)((server.now_ms - x->last_ms) / 1000), flags, x->db_id, x->nchannels,
        x->npatterns, (x->flags & CLIENT_MULTI) ? x->mcount : -1, x->qlen, x->qcap - x->qlen,
        x->qcap, x->qpeak, x->out.len, x->out_inflight > 0 ? 1 : 0, x->out_inflight,
        x->qcap + x->out.cap + x->out_inflight, conn_output_bytes(x) > 0 ? "w" : "", cmd,
        x->resp, x->lib_name ? x->lib_name : "", x->lib_ver ? x->lib_ver : "");
    reply_raw(b, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void client_reply_lines(struct client *c, struct reply_buf *lines)
{
    reply_verbatim(REPLY(c), lines->data != NULL ? lines->data : "", lines->len);
    reply_buf_deinit(lines);
}

void cmd_client_info(struct client *c)
{
    struct reply_buf lines;
    reply_buf_init(&lines, 2, mem_realloc);
    client_describe(c, &lines);
    client_reply_lines(c, &lines);
}

/* Redis's client types: a replica (after PSYNC), a subscriber, or normal.
 * The link to this server's primary is the "master" client. */
enum client_type { CT_NORMAL, CT_MASTER, CT_REPLICA, CT_PUBSUB, CT_BAD };

static enum client_type client_type_of(const struct client *x)
{
    if (x->flags & CLIENT_REPLICA) {
        return CT_REPLICA;
    }
    return x->nchannels + x->npatterns > 0 ? CT_PUBSUB : CT_NORMAL;
}

static enum client_type client_type_arg(const struct client *c, int i)
{
    return arg_is(c, i, "normal")                            ? CT_NORMAL
           : arg_is(c, i, "master")                          ? CT_MASTER
           : arg_is(c, i, "replica") || arg_is(c, i, "slave") ? CT_REPLICA
           : arg_is(c, i, "pubsub")                          ? CT_PUBSUB
                                                             : CT_BAD;
}

/* CLIENT LIST [TYPE normal|master|replica|pubsub] [ID id ...] */
void cmd_client_list(struct client *c)
{
    int ids_from = 0;
    enum client_type want = CT_BAD; /* any */
    if (c->argc >= 4 && arg_is(c, 2, "type") && c->argc == 4) {
        want = client_type_arg(c, 3);
        if (want == CT_BAD) {
            reply_errorf(REPLY(c), "ERR Unknown client type '%s'", c->argv[3].ptr);
            return;
        }
    } else if (c->argc >= 4 && arg_is(c, 2, "id")) {
        ids_from = 3;
        for (int i = 3; i < c->argc; i++) {
            long long id;
            if (util_parse_ll(c->argv[i].ptr, c->argv[i].len, &id) < 0 || id <= 0) {
                reply_error(REPLY(c), "ERR Invalid client ID");
                return;
            }
        }
    } else if (c->argc != 2) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    struct reply_buf lines;
    reply_buf_init(&lines, 2, mem_realloc);
    for (struct client *x = server.clients; x != NULL; x = x->next) {
        bool match = ids_from == 0 && (want == CT_BAD || client_type_of(x) == want);
        for (int i = ids_from; i > 0 && i < c->argc; i++) {
            long long id;
            util_parse_ll(c->argv[i].ptr, c->argv[i].len, &id);
            match |= (unsigned long long)id == x->id;
        }
        if (match) {
            client_describe(x, &lines);
        }
    }
    client_reply_lines(c, &lines);
}

struct kill_filter {
    long long id;        /* 0: any */
    const char *addr;    /* NULL: any */
    const char *laddr;
    bool skipme;
    long long maxage;    /* 0: any */
    enum client_type type; /* CT_BAD: any */
};

static int kill_filter_or_reply(struct client *c, struct kill_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->skipme = true;
    f->type = CT_BAD;
    if ((c->argc - 2) % 2 != 0) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return -EINVAL;
    }
    for (int i = 2; i < c->argc; i += 2) {
        const char *v = c->argv[i + 1].ptr;
        if (arg_is(c, i, "id")) {
            if (util_parse_ll(v, c->argv[i + 1].len, &f->id) < 0 || f->id <= 0) {
                reply_error(REPLY(c), "ERR client-id should be greater than 0");
                return -EINVAL;
            }
        } else if (arg_is(c, i, "addr")) {
            f->addr = v;
        } else if (arg_is(c, i, "laddr")) {
            f->laddr = v;
        } else if (arg_is(c, i, "type")) {
            f->type = client_type_arg(c, i + 1);
            if (f->type == CT_BAD) {
                reply_errorf(REPLY(c), "ERR Unknown client type '%s'", v);
                return -EINVAL;
            }
        } else if (arg_is(c, i, "user")) {
            if (strcmp(v, "default") != 0) {
                reply_errorf(REPLY(c), "ERR No such user '%s'", v);
                return -EINVAL;
            }
        } else if (arg_is(c, i, "skipme")) {
            if (!arg_is(c, i + 1, "yes") && !arg_is(c, i + 1, "no")) {
                reply_error(REPLY(c), ERR_SYNTAX);
                return -EINVAL;
            }
            f->skipme = arg_is(c, i + 1, "yes");
        } else if (arg_is(c, i, "maxage")) {
            if (util_parse_ll(v, c->argv[i + 1].len, &f->maxage) < 0) {
                reply_error(REPLY(c), ERR_SYNTAX);
                return -EINVAL;
            }
        } else {
            reply_error(REPLY(c), ERR_SYNTAX);
            return -EINVAL;
        }
    }
    return 0;
}

static bool kill_matches(const struct kill_filter *f, const struct client *self,
                         const struct client *x)
{
    return (f->type == CT_BAD || f->type == client_type_of(x)) &&
           (f->id == 0 || (unsigned long long)f->id == x->id) &&
           (f->addr == NULL || strcmp(f->addr, x->addr) == 0) &&
           (f->laddr == NULL || strcmp(f->laddr, x->laddr) == 0) &&
           (f->maxage == 0 || (server.now_ms - x->ctime_ms) / 1000 >= f->maxage) &&
           !(f->skipme && x == self);
}

static void kill_one(struct client *self, struct client *x)
{
    if (x == self) {
        conn_close_after_reply(x);
    } else {
        conn_close(x);
    }
}

void cmd_client_kill(struct client *c)
{
    if (c->argc == 3) {
        /* Old form: CLIENT KILL addr:port. */
        for (struct client *x = server.clients; x != NULL; x = x->next) {
            if (strcmp(x->addr, c->argv[2].ptr) == 0) {
                reply_ok(REPLY(c));
                kill_one(c, x);
                return;
            }
        }
        reply_error(REPLY(c), "ERR No such client");
        return;
    }
    struct kill_filter f;
    if (kill_filter_or_reply(c, &f) < 0) {
        return;
    }
    long long killed = 0;
    if (f.type == CT_MASTER && repl_is_replica() && f.id == 0 && f.addr == NULL &&
        replica_kill_link()) {
        killed++; /* the link to the primary: it reconnects and resyncs */
    }
    struct client *x = server.clients;
    while (x != NULL) {
        struct client *next = x->next;
        if (kill_matches(&f, c, x)) {
            kill_one(c, x);
            killed++;
        }
        x = next;
    }
    reply_int(REPLY(c), killed);
}

void cmd_client_setinfo(struct client *c)
{
    bool is_name = arg_is(c, 2, "lib-name");
    if (!is_name && !arg_is(c, 2, "lib-ver")) {
        reply_errorf(REPLY(c), "ERR Unrecognized option '%s'", c->argv[2].ptr);
        return;
    }
    if (!client_name_is_valid(c->argv[3].ptr, c->argv[3].len)) {
        reply_errorf(REPLY(c), "ERR %s cannot contain spaces, newlines or special characters.",
                     is_name ? "lib-name" : "lib-ver");
        return;
    }
    char **field = is_name ? &c->lib_name : &c->lib_ver;
    mem_free(*field);
    *field = c->argv[3].len > 0 ? mem_strndup(c->argv[3].ptr, c->argv[3].len) : NULL;
    reply_ok(REPLY(c));
}

void cmd_client_reply(struct client *c)
{
    if (arg_is(c, 2, "on")) {
        c->flags &= ~(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP_NEXT);
        reply_ok(REPLY(c));
    } else if (arg_is(c, 2, "off")) {
        c->flags |= CLIENT_REPLY_OFF; /* no reply, as in Redis */
    } else if (arg_is(c, 2, "skip")) {
        if (!(c->flags & CLIENT_REPLY_OFF)) {
            c->flags |= CLIENT_REPLY_SKIP_NEXT;
        }
    } else {
        reply_error(REPLY(c), ERR_SYNTAX);
    }
}

void cmd_client_no_evict(struct client *c)
{
    if (arg_is(c, 2, "on") || arg_is(c, 2, "off")) {
        c->flags = arg_is(c, 2, "on") ? c->flags | CLIENT_NO_EVICT : c->flags & ~CLIENT_NO_EVICT;
        reply_ok(REPLY(c));
    } else {
        reply_error(REPLY(c), ERR_SYNTAX);
    }
}

void cmd_client_help(struct client *c)
{
    static const char *const lines[] = {
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "    * ID <client-id>",
        "      Kill connections by client id.",
        "    * MAXAGE <maxage>",
        "      Kill connections older than the specified age.",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "SETINFO <option> <value>",
        "    Set client meta attr. Options are:",
        "    * LIB-NAME: the client lib name.",
        "    * LIB-VER: the client lib version.",
        NULL,
    };
    cmd_reply_help(c, lines);
}
