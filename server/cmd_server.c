/* cmd_server.c - server commands: DBSIZE, FLUSHDB, FLUSHALL, SWAPDB, TIME,
 * SHUTDOWN, DEBUG. INFO is in info.c, COMMAND in cmd_command.c. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "persistence/aof.h"
#include "server/cmd.h"
#include "server/digest.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/log.h"
#include "server/util.h"

void cmd_dbsize(struct client *c)
{
    reply_int(REPLY(c), (long long)db_size(c->db));
}

/* FLUSHDB / FLUSHALL [ASYNC|SYNC]; returns -1 (replied) on a bad option. */
static int flush_mode_or_reply(struct client *c, bool *async)
{
    *async = false;
    if (c->argc == 1) {
        return 0;
    }
    if (c->argc == 2 && (arg_is(c, 1, "async") || arg_is(c, 1, "sync"))) {
        *async = arg_is(c, 1, "async");
        return 0;
    }
    reply_error(REPLY(c), ERR_SYNTAX);
    return -EINVAL;
}

void cmd_flushdb(struct client *c)
{
    bool async;
    if (flush_mode_or_reply(c, &async) == 0) {
        db_flush(c->db, async);
        reply_ok(REPLY(c));
    }
}

void cmd_flushall(struct client *c)
{
    bool async;
    if (flush_mode_or_reply(c, &async) == 0) {
        for (int i = 0; i < server.ndbs; i++) {
            db_flush(&server.dbs[i], async);
        }
        reply_ok(REPLY(c));
    }
}

void cmd_swapdb(struct client *c)
{
    long long a, b;
    if (arg_ll_msg_or_reply(c, 1, &a, "ERR invalid first DB index") < 0 ||
        arg_ll_msg_or_reply(c, 2, &b, "ERR invalid second DB index") < 0) {
        return;
    }
    if (a < 0 || a >= server.ndbs || b < 0 || b >= server.ndbs) {
        reply_error(REPLY(c), ERR_DB_RANGE);
        return;
    }
    if (a != b) {
        db_swap(&server.dbs[a], &server.dbs[b]);
    }
    reply_ok(REPLY(c));
}

void cmd_time(struct client *c)
{
    int64_t us = server_ustime();
    reply_array_len(REPLY(c), 2);
    reply_bulk_ll(REPLY(c), us / 1000000);
    reply_bulk_ll(REPLY(c), us % 1000000);
}

void cmd_bgrewriteaof(struct client *c)
{
    const char *err;
    if (aof_rewrite_background(&err) < 0) {
        reply_error(REPLY(c), err);
        return;
    }
    reply_status(REPLY(c), "Background append only file rewriting started");
}

void cmd_shutdown(struct client *c)
{
    bool abort_req = false;
    for (int i = 1; i < c->argc; i++) {
        if (arg_is(c, i, "abort")) {
            abort_req = true;
        } else if (!arg_is(c, i, "nosave") && !arg_is(c, i, "save") && !arg_is(c, i, "now") &&
                   !arg_is(c, i, "force")) {
            reply_error(REPLY(c), ERR_SYNTAX);
            return;
        }
    }
    if (abort_req) {
        if (c->argc > 2) {
            reply_error(REPLY(c), ERR_SYNTAX);
        } else {
            reply_error(REPLY(c), "ERR No shutdown in progress.");
        }
        return;
    }
    /* Nothing to save (no persistence yet): stop now. The client gets no
     * reply, as with Redis; the connection just closes. */
    log_warning("User requested shutdown...");
    server_request_shutdown(0);
}

static void debug_help(struct client *c)
{
    static const char *const lines[] = {
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        NULL,
    };
    cmd_reply_help(c, lines);
}

/* DEBUG DIGEST: one status line, 40 zeros for an empty server. */
static void debug_digest(struct client *c)
{
    unsigned char d[DIGEST_LEN];
    char hex[DIGEST_HEX_LEN];
    digest_dataset(d);
    digest_hex(d, hex);
    reply_status(REPLY(c), hex);
}

/* DEBUG DIGEST-VALUE [key ...]: a status line per key of the client's db
 * (40 zeros when absent); no keys gives an empty array, as in Redis. */
static void debug_digest_value(struct client *c)
{
    reply_array_len(REPLY(c), c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        unsigned char d[DIGEST_LEN];
        char hex[DIGEST_HEX_LEN];
        digest_key(c->db, c->argv[i].ptr, c->argv[i].len, d);
        digest_hex(d, hex);
        reply_status(REPLY(c), hex);
    }
}

void cmd_debug(struct client *c)
{
    if (arg_is(c, 1, "help")) {
        debug_help(c);
        return;
    }
    if (arg_is(c, 1, "digest") && c->argc == 2) {
        debug_digest(c);
        return;
    }
    if (arg_is(c, 1, "digest-value")) {
        debug_digest_value(c);
        return;
    }
    if ((arg_is(c, 1, "loadaof") || arg_is(c, 1, "reload")) && c->argc == 2) {
        const char *err;
        int rc = arg_is(c, 1, "reload") ? aof_debug_reload(&err) : aof_debug_loadaof(&err);
        rc < 0 ? reply_error(REPLY(c), err) : reply_ok(REPLY(c));
        return;
    }
    if (arg_is(c, 1, "sleep") && c->argc == 3) {
        double secs;
        if (arg_double_or_reply(c, 2, &secs) < 0) {
            return;
        }
        if (secs > 0) {
            /* Blocks the loop on purpose: that is what DEBUG SLEEP is for. */
            struct timespec ts = {(time_t)secs, (long)((secs - floor(secs)) * 1e9)};
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
            }
        }
        server_update_time();
        reply_ok(REPLY(c));
        return;
    }
    reply_errorf(REPLY(c),
                 "ERR unknown subcommand or wrong number of arguments for '%.128s'. Try DEBUG "
                 "HELP.",
                 c->argv[1].ptr);
}
