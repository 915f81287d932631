/* replica.c - the replica side: the link to the primary; see repl.h. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "persistence/aof.h"
#include "persistence/aof_load.h"
#include "replication/repl.h"
#include "server/cmd.h"
#include "server/config.h"
#include "server/cache_policy.h"
#include "server/conn.h"
#include "server/log.h"
#include "server/mem.h"
#include "server/multi.h"
#include "server/propagate.h"
#include "server/server.h"
#include "server/util.h"

enum replica_link {
    LINK_NONE = 0,    /* not a replica */
    LINK_CONNECT,     /* to (re)connect */
    LINK_CONNECTING,
    LINK_PONG,        /* PING sent */
    LINK_AUTH,
    LINK_PORT,
    LINK_CAPA,
    LINK_PSYNC,
    LINK_TRANSFER,    /* reading the snapshot */
    LINK_CONNECTED,
};

#define LINK_READ_CHUNK (64 * 1024)

static struct {
    uv_tcp_t *tcp;          /* heap: outlives a close in progress */
    uv_connect_t connect_req;
    char *buf;              /* unprocessed input */
    size_t len, cap;
    struct resp_parser parser;
    bool parser_ready;
    long long offset;       /* stream bytes applied */
    char psync_id[41];      /* what the next PSYNC asks for */
    long long psync_off;
    int64_t next_try_ms;
    int64_t last_ack_ms;
    long long bulk_left;    /* LINK_TRANSFER: -1 before "$<len>" */
    int snap_fd;
    long long full_offset;  /* from +FULLRESYNC */
    char full_id[41];
} lk = {.snap_fd = -1, .bulk_left = -1};

const char *replica_state_name(void)
{
    switch (repl.link_state) {
    case LINK_CONNECT:
        return "connect";
    case LINK_CONNECTING:
        return "connecting";
    case LINK_TRANSFER:
        return "sync";
    case LINK_CONNECTED:
        return "connected";
    default:
        return "handshake";
    }
}

/* ---- the connection ---- */

static void link_free_handle(uv_handle_t *h)
{
    mem_free(h);
}

static void link_master_free(void)
{
    if (repl.master != NULL) {
        multi_reset_client(repl.master);
        reply_buf_deinit(&repl.master->out);
        mem_free(repl.master);
        repl.master = NULL;
    }
}

/* Drop the connection; the cron reconnects. */
static void link_drop(const char *why)
{
    if (why != NULL) {
        log_warning("Connection with master lost: %s", why);
    }
    if (lk.tcp != NULL) {
        uv_close((uv_handle_t *)lk.tcp, link_free_handle);
        lk.tcp = NULL;
    }
    if (lk.snap_fd >= 0) {
        close(lk.snap_fd);
        lk.snap_fd = -1;
        unlink("temp-repl-sync.snap");
    }
    if (repl.master != NULL) {
        /* Continue from here next time (PSYNC). */
        memcpy(lk.psync_id, repl.replid, sizeof(lk.psync_id));
        lk.psync_off = repl_offset() + 1;
        link_master_free();
    }
    lk.len = 0;
    lk.bulk_left = -1;
    if (repl.link_state != LINK_NONE) {
        repl.link_state = LINK_CONNECT;
        if (repl.link_down_since_ms == 0) {
            repl.link_down_since_ms = server.now_ms;
        }
    }
    lk.next_try_ms = server.now_ms + 1000;
}

static void link_write_done(uv_write_t *req, int status)
{
    (void)status;
    mem_free(req->data);
    mem_free(req);
}

void replica_send_raw(const char *p, size_t len)
{
    if (lk.tcp == NULL) {
        return;
    }
    uv_buf_t b = uv_buf_init((char *)p, (unsigned int)len);
    int n = uv_try_write((uv_stream_t *)lk.tcp, &b, 1);
    if (n == (int)len) {
        return;
    }
    size_t done = n > 0 ? (size_t)n : 0;
    uv_write_t *req = mem_alloc(sizeof(*req));
    req->data = mem_alloc(len - done);
    memcpy(req->data, p + done, len - done);
    uv_buf_t rest = uv_buf_init(req->data, (unsigned int)(len - done));
    if (uv_write(req, (uv_stream_t *)lk.tcp, &rest, 1, link_write_done) < 0) {
        mem_free(req->data);
        mem_free(req);
        link_drop("write error");
    }
}

static void link_send_cmd(int argc, const char *const *argv)
{
    struct reply_buf b;
    reply_buf_init(&b, 2, mem_realloc);
    reply_array_len(&b, argc);
    for (int i = 0; i < argc; i++) {
        reply_bulk_cstr(&b, argv[i]);
    }
    replica_send_raw(b.data, b.len);
    reply_buf_deinit(&b);
}

static void link_send_ack(void)
{
    char off[32];
    snprintf(off, sizeof(off), "%lld", repl_offset());
    const char *argv[] = {"REPLCONF", "ACK", off};
    link_send_cmd(3, argv);
    lk.last_ack_ms = server.now_ms;
}

/* ---- the handshake ---- */

static void link_send_psync(void)
{
    char off[32];
    snprintf(off, sizeof(off), "%lld", lk.psync_off);
    const char *argv[] = {"PSYNC", lk.psync_id[0] ? lk.psync_id : "?",
                          lk.psync_id[0] ? off : "-1"};
    link_send_cmd(3, argv);
    repl.link_state = LINK_PSYNC;
}

/* One line reply of the handshake; false drops the lk. */
static bool link_handshake_line(const char *line)
{
    bool err = line[0] == '-';
    switch (repl.link_state) {
    case LINK_PONG:
        if (err && strncmp(line, "-NOAUTH", 7) != 0 && strncmp(line, "-NOPERM", 7) != 0 &&
            strncmp(line, "-ERR operation not permitted", 28) != 0) {
            log_warning("Error reply to PING from master: '%s'", line);
            return false;
        }
        if (server.cfg->masterauth[0] != '\0') {
            const char *u = server.cfg->masteruser;
            const char *argv[] = {"AUTH", u[0] ? u : server.cfg->masterauth,
                                  server.cfg->masterauth};
            link_send_cmd(u[0] ? 3 : 2, argv);
            repl.link_state = LINK_AUTH;
            return true;
        }
        __attribute__((fallthrough)); /* no AUTH to send */
    case LINK_AUTH: {
        if (repl.link_state == LINK_AUTH && err) {
            log_warning("Unable to AUTH to MASTER: %s", line);
            return false;
        }
        char port[16];
        snprintf(port, sizeof(port), "%lld", server.cfg->port);
        const char *argv[] = {"REPLCONF", "listening-port", port};
        link_send_cmd(3, argv);
        repl.link_state = LINK_PORT;
        return true;
    }
    case LINK_PORT: {
        const char *argv[] = {"REPLCONF", "capa", "psync2"};
        link_send_cmd(3, argv);
        repl.link_state = LINK_CAPA;
        return true;
    }
    case LINK_CAPA:
        link_send_psync();
        return true;
    case LINK_PSYNC:
        if (strncmp(line, "+FULLRESYNC ", 12) == 0) {
            if (sscanf(line + 12, "%40s %lld", lk.full_id, &lk.full_offset) != 2) {
                return false;
            }
            log_notice("Full resync from master: %s:%lld", lk.full_id, lk.full_offset);
            repl.link_state = LINK_TRANSFER;
            lk.bulk_left = -1;
            return true;
        }
        if (strncmp(line, "+CONTINUE", 9) == 0) {
            const char *id = line[9] == ' ' ? line + 10 : NULL;
            if (id != NULL && strlen(id) == 40 && strcmp(id, repl.replid) != 0) {
                /* The primary's history moved on (a failover): follow it. */
                memcpy(repl.replid2, repl.replid, sizeof(repl.replid));
                repl.second_repl_offset = lk.psync_off;
                memcpy(repl.replid, id, 41);
                repl_disconnect_replicas();
            }
            log_notice("Successful partial resynchronization with master.");
            return true; /* link_connected() follows */
        }
        log_warning("Unexpected reply to PSYNC from master: %s", line);
        return false;
    default:
        return false;
    }
}

/* ---- applying the stream ---- */

static void link_new_master_client(void)
{
    link_master_free();
    struct client *c = mem_calloc(sizeof(*c));
    c->flags = CLIENT_MASTER | CLIENT_AUTHENTICATED;
    c->resp = 2;
    c->db = &server.dbs[0];
    c->fd = -1;
    snprintf(c->addr, sizeof(c->addr), "%s:%d", repl.master_host, repl.master_port);
    reply_buf_init(&c->out, 2, mem_realloc);
    repl.master = c;
}

static void link_connected(void)
{
    repl.link_state = LINK_CONNECTED;
    repl.link_down_since_ms = 0;
    if (repl.master == NULL) {
        link_new_master_client();
    }
    if (!lk.parser_ready) {
        struct resp_limits lim = {.max_bulk_len = UINT64_MAX >> 1};
        resp_parser_init(&lk.parser, &lim, mem_realloc);
        lk.parser_ready = true;
    }
    resp_parser_reset(&lk.parser);
    link_send_ack();
}

/* Run one command of the stream on the master client. */
static void link_apply(char *p, size_t used)
{
    struct client *c = repl.master;
    c->argc = lk.parser.argc;
    c->argv = lk.parser.argv;
    for (int i = 0; i < c->argc; i++) {
        c->argv[i].ptr[c->argv[i].len] = '\0';
    }
    const struct command *cmd = cmd_lookup(c->argv[0].ptr, c->argv[0].len);
    if (cmd != NULL && (cmd->flags & CMD_CONTAINER) && c->argc >= 2) {
        cmd = cmd_lookup_sub(cmd, c->argv[1].ptr, c->argv[1].len);
    }
    if (cmd == NULL || (cmd->arity > 0 && c->argc != cmd->arity) || c->argc < -cmd->arity) {
        log_warning("Unknown or malformed command '%.64s' from master", c->argv[0].ptr);
    } else {
        server.applying_master = 1;
        c->cmd = cmd;
        if (!((c->flags & CLIENT_MULTI) && multi_maybe_queue(c, cmd))) {
            cmd_call(c, cmd);
        }
        server.applying_master = 0;
    }
    c->out.len = 0;
    c->argc = 0;
    c->argv = NULL;
    repl_backlog_ensure();
    prop_raw(p, used, c->db_id);
    prop_flush();
}

static void link_process_stream(void)
{
    size_t pos = 0;
    while (pos < lk.len && repl.link_state == LINK_CONNECTED) {
        size_t used = 0;
        int rc = resp_parse(&lk.parser, lk.buf + pos, lk.len - pos, &used);
        if (rc == RESP_NEED_MORE) {
            break;
        }
        if (rc == RESP_ERROR) {
            link_drop("protocol error in the replication stream");
            return;
        }
        if (lk.parser.argc > 0) {
            link_apply(lk.buf + pos, used);
        } else {
            prop_raw(lk.buf + pos, used, repl.master->db_id); /* keep offsets */
            prop_flush();
        }
        pos += used;
    }
    if (pos > 0 && lk.tcp != NULL) {
        memmove(lk.buf, lk.buf + pos, lk.len - pos);
        lk.len -= pos;
    }
}

/* ---- the snapshot ---- */

static bool link_load_snapshot(void)
{
    log_notice("MASTER <-> REPLICA sync: Flushing old data");
    for (int i = 0; i < server.ndbs; i++) {
        db_flush(&server.dbs[i], true);
    }
    cache_policy_clear(); /* the primary's table comes with the snapshot */
    log_notice("MASTER <-> REPLICA sync: Loading DB in memory");
    char *paths[] = {"temp-repl-sync.snap"};
    server.loading = 1;
    aof_loader_start(paths, 1, false, "the replication snapshot");
    int rc;
    while ((rc = aof_loader_step(server_ustime() + 1000000)) == 0) {
    }
    aof_loader_end();
    server.loading = 0;
    server_update_time();
    unlink("temp-repl-sync.snap");
    if (rc < 0) {
        return false;
    }
    /* A new history: this server's replicas and backlog start over. */
    repl_disconnect_replicas();
    if (repl.has_backlog) {
        backlog_free(&repl.backlog);
        repl.has_backlog = false;
    }
    memcpy(repl.replid, lk.full_id, 41);
    repl.has_history = true;
    memset(repl.replid2, '0', 40);
    repl.second_repl_offset = -1;
    repl_backlog_ensure();
    repl.backlog.offset = lk.full_offset;
    if (server.cfg->appendonly) { /* the AOF starts again from this data */
        const char *err;
        aof_apply_enabled(false, &err);
        aof_apply_enabled(true, &err);
    }
    log_notice("MASTER <-> REPLICA sync: Finished with success");
    return true;
}

/* Snapshot bytes: "$<len>\r\n" then len bytes into the temp file. */
static void link_process_transfer(void)
{
    size_t pos = 0;
    if (lk.bulk_left < 0) {
        while (pos < lk.len && lk.buf[pos] == '\n') {
            pos++; /* keepalive newlines while the primary prepares */
        }
        char *nl = memchr(lk.buf + pos, '\n', lk.len - pos);
        if (nl == NULL) {
            goto keep;
        }
        if (lk.buf[pos] != '$' ||
            util_parse_ll(lk.buf + pos + 1, (size_t)(nl - (lk.buf + pos + 1)) - 1,
                          &lk.bulk_left) < 0 || lk.bulk_left < 0) {
            link_drop("bad snapshot header from master");
            return;
        }
        pos = (size_t)(nl - lk.buf) + 1;
        repl.sync_total = lk.bulk_left;
        repl.sync_read = 0;
        lk.snap_fd = open("temp-repl-sync.snap", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (lk.snap_fd < 0) {
            link_drop("can't open the snapshot file");
            return;
        }
    }
    size_t take = lk.len - pos < (size_t)lk.bulk_left ? lk.len - pos
                                                           : (size_t)lk.bulk_left;
    if (take > 0 && write(lk.snap_fd, lk.buf + pos, take) != (ssize_t)take) {
        link_drop("can't write the snapshot file");
        return;
    }
    pos += take;
    lk.bulk_left -= (long long)take;
    repl.sync_read += (long long)take;
    if (lk.bulk_left == 0) {
        close(lk.snap_fd);
        lk.snap_fd = -1;
        lk.bulk_left = -1;
        if (!link_load_snapshot()) {
            link_drop("the snapshot did not load");
            return;
        }
        link_connected();
    }
keep:
    memmove(lk.buf, lk.buf + pos, lk.len - pos);
    lk.len -= pos;
}

static void link_process(void)
{
    while (lk.tcp != NULL && lk.len > 0) {
        if (repl.link_state == LINK_TRANSFER) {
            size_t before = lk.len;
            link_process_transfer();
            if (repl.link_state == LINK_TRANSFER || lk.len == before) {
                return;
            }
            continue;
        }
        if (repl.link_state == LINK_CONNECTED) {
            link_process_stream();
            return;
        }
        char *nl = memchr(lk.buf, '\n', lk.len);
        if (nl == NULL) {
            return;
        }
        size_t ll = (size_t)(nl - lk.buf) + 1;
        char line[256];
        size_t copy = ll - 1 < sizeof(line) - 1 ? ll - 1 : sizeof(line) - 1;
        memcpy(line, lk.buf, copy);
        line[copy] = '\0';
        if (copy > 0 && line[copy - 1] == '\r') {
            line[copy - 1] = '\0';
        }
        memmove(lk.buf, lk.buf + ll, lk.len - ll);
        lk.len -= ll;
        int before = repl.link_state;
        if (!link_handshake_line(line)) {
            link_drop(NULL);
            return;
        }
        if (before == LINK_PSYNC && repl.link_state == LINK_PSYNC) {
            link_connected(); /* +CONTINUE */
        }
    }
}

static void link_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)h;
    (void)suggested;
    if (lk.cap - lk.len < LINK_READ_CHUNK) {
        lk.cap = lk.len + LINK_READ_CHUNK;
        lk.buf = mem_realloc(lk.buf, lk.cap + 1);
    }
    *buf = uv_buf_init(lk.buf + lk.len, (unsigned int)(lk.cap - lk.len));
}

static void link_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)s;
    (void)buf;
    if (nread < 0) {
        link_drop(nread == UV_EOF ? "closed by master" : uv_strerror((int)nread));
        return;
    }
    server_update_time();
    repl.last_io_ms = server.now_ms;
    lk.len += (size_t)nread;
    link_process();
}

static void link_on_connect(uv_connect_t *req, int status)
{
    if (req->handle != (uv_stream_t *)lk.tcp) {
        return; /* a dropped attempt */
    }
    if (status < 0) {
        log_warning("Error condition on socket for SYNC: %s", uv_strerror(status));
        link_drop(NULL);
        return;
    }
    log_notice("MASTER <-> REPLICA sync started");
    repl.last_io_ms = server.now_ms;
    uv_read_start((uv_stream_t *)lk.tcp, link_alloc, link_on_read);
    const char *argv[] = {"PING"};
    link_send_cmd(1, argv);
    repl.link_state = LINK_PONG;
}

static void link_connect(void)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    char port[16];
    snprintf(port, sizeof(port), "%d", repl.master_port);
    if (getaddrinfo(repl.master_host, port, &hints, &res) != 0 || res == NULL) {
        lk.next_try_ms = server.now_ms + 1000;
        return;
    }
    log_notice("Connecting to MASTER %s:%d", repl.master_host, repl.master_port);
    lk.tcp = mem_calloc(sizeof(*lk.tcp));
    uv_tcp_init(server.loop, lk.tcp);
    uv_tcp_nodelay(lk.tcp, 1);
    int rc = uv_tcp_connect(&lk.connect_req, lk.tcp, res->ai_addr, link_on_connect);
    freeaddrinfo(res);
    if (rc < 0) {
        link_drop(uv_strerror(rc));
        return;
    }
    repl.link_state = LINK_CONNECTING;
    repl.last_io_ms = server.now_ms;
}

bool replica_kill_link(void)
{
    if (lk.tcp == NULL) {
        return false;
    }
    link_drop("killed by CLIENT KILL");
    lk.next_try_ms = server.now_ms; /* reconnect at once */
    return true;
}

/* ---- role changes ---- */

int replica_start(const char *host, int port)
{
    if (repl_is_replica()) {
        link_drop(NULL);
        mem_free(repl.master_host);
    } else if (repl.has_history) {
        /* A primary becoming a replica: continue from its own history. */
        memcpy(lk.psync_id, repl.replid, sizeof(lk.psync_id));
        lk.psync_off = repl_offset() + 1;
    } else {
        lk.psync_id[0] = '\0'; /* nothing to continue from: PSYNC ? -1 */
    }
    repl.master_host = mem_strdup(host);
    repl.master_port = port;
    repl.link_state = LINK_CONNECT;
    repl.link_down_since_ms = server.now_ms;
    lk.next_try_ms = 0;
    repl_disconnect_replicas();
    char value[300];
    snprintf(value, sizeof(value), "%s %d", host, port);
    config_set_replicaof(value);
    return 0;
}

void replica_stop_and_promote(void)
{
    link_drop(NULL);
    repl.link_state = LINK_NONE;
    mem_free(repl.master_host);
    repl.master_host = NULL;
    repl_backlog_ensure();
    repl_shift_replid();
    repl_disconnect_replicas();
    config_set_replicaof("");
}

int repl_apply_replicaof(const char *value, const char **err)
{
    char host[256];
    int port;
    if (value[0] == '\0' || strcasecmp(value, "no one") == 0) {
        if (repl_is_replica()) {
            replica_stop_and_promote();
        }
        return 0;
    }
    if (sscanf(value, "%255s %d", host, &port) != 2 || port < 0 || port > 65535) {
        *err = "Invalid master address";
        return -EINVAL;
    }
    if (!repl_is_replica() || strcmp(host, repl.master_host) != 0 || port != repl.master_port) {
        replica_start(host, port);
    }
    return 0;
}

void replica_cron(void)
{
    if (!repl_is_replica() || server.loading) {
        return; /* connect once the AOF is loaded */
    }
    if (repl.link_state == LINK_CONNECT && server.now_ms >= lk.next_try_ms) {
        link_connect();
        return;
    }
    if (lk.tcp != NULL && server.now_ms - repl.last_io_ms > server.cfg->repl_timeout * 1000) {
        link_drop(repl.link_state == LINK_CONNECTED ? "MASTER timeout: no data nor PING "
                                                      "received..."
                                                    : "Timeout connecting to the MASTER...");
        return;
    }
    if (repl.link_state == LINK_CONNECTED && server.now_ms - lk.last_ack_ms >= 1000) {
        link_send_ack();
    }
}

void replica_info(char *buf, size_t cap)
{
    bool up = repl.link_state == LINK_CONNECTED;
    size_t n = (size_t)snprintf(
        buf, cap,
        "role:slave\r\nmaster_host:%s\r\nmaster_port:%d\r\nmaster_link_status:%s\r\n"
        "master_last_io_seconds_ago:%lld\r\nmaster_sync_in_progress:%d\r\n"
        "slave_read_repl_offset:%lld\r\nslave_repl_offset:%lld\r\n",
        repl.master_host, repl.master_port, up ? "up" : "down",
        lk.tcp != NULL ? (long long)((server.now_ms - repl.last_io_ms) / 1000) : -1LL,
        repl.link_state == LINK_TRANSFER, repl_offset(), repl_offset());
    if (repl.link_state == LINK_TRANSFER && n < cap) {
        n += (size_t)snprintf(buf + n, cap - n,
                              "master_sync_total_bytes:%lld\r\nmaster_sync_read_bytes:%lld\r\n"
                              "master_sync_left_bytes:%lld\r\nmaster_sync_perc:%.2f\r\n"
                              "master_sync_last_io_seconds_ago:%lld\r\n",
                              repl.sync_total, repl.sync_read, repl.sync_total - repl.sync_read,
                              repl.sync_total > 0 ? 100.0 * (double)repl.sync_read /
                                                        (double)repl.sync_total
                                                  : 0.0,
                              (long long)((server.now_ms - repl.last_io_ms) / 1000));
    }
    if (!up && n < cap) {
        n += (size_t)snprintf(buf + n, cap - n, "master_link_down_since_seconds:%lld\r\n",
                              repl.link_down_since_ms > 0
                                  ? (long long)((server.now_ms - repl.link_down_since_ms) / 1000)
                                  : -1LL);
    }
    if (n < cap) {
        snprintf(buf + n, cap - n,
                 "slave_priority:%lld\r\nslave_read_only:%d\r\nreplica_announced:%d\r\n",
                 server.cfg->replica_priority, server.cfg->replica_read_only,
                 server.cfg->replica_announced);
    }
}
