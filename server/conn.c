/* conn.c - see conn.h. */
#include "server/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "server/cmd.h"
#include "server/config.h"
#include "server/log.h"
#include "server/mem.h"
#include "server/propagate.h"
#include "server/cmd_cache.h"
#include "replication/repl.h"
#include "server/blocking.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/util.h"

#define CONN_READ_CHUNK (16 * 1024)
/* Past this, a large bulk gets a buffer sized to fit it exactly. */
#define CONN_BIG_ARG (32 * 1024)

struct conn_write {
    uv_write_t req;
    struct client *c;
    char *data;
    size_t len;
};

static void conn_on_close(uv_handle_t *h)
{
    struct client *c = h->data;
    if (c->flags & CLIENT_PENDING_WRITE) { /* held for an AOF fsync */
        struct client **pp = &server.pending_writes;
        while (*pp != NULL && *pp != c) {
            pp = &(*pp)->next_pending;
        }
        if (*pp == c) {
            *pp = c->next_pending;
        }
    }
    resp_parser_deinit(&c->parser);
    reply_buf_deinit(&c->out);
    mem_free(c->qbuf);
    mem_free(c->name);
    mem_free(c->lib_name);
    mem_free(c->lib_ver);
    mem_free(c);
}

static void conn_unlink(struct client *c)
{
    if (c->prev != NULL) {
        c->prev->next = c->next;
    } else {
        server.clients = c->next;
    }
    if (c->next != NULL) {
        c->next->prev = c->prev;
    }
    c->prev = c->next = NULL;
    server.nclients--;
}

void conn_close(struct client *c)
{
    if (c->flags & CLIENT_CLOSING) {
        return;
    }
    c->flags |= CLIENT_CLOSING;
    conn_unlink(c);
    /* Registries hold client pointers: leave them now, not at free time. */
    repl_client_closed(c);
    cache_client_closed(c);
    multi_reset_client(c);
    pubsub_reset_client(c);
    blocking_cancel(c);
    /* A client still on the pending list is skipped by the flush (CLOSING)
     * and freed only in the close callback, after the flush has run. */
    uv_close((uv_handle_t *)&c->tcp, conn_on_close);
}

void conn_close_after_reply(struct client *c)
{
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

size_t conn_output_bytes(const struct client *c)
{
    return c->out.len + c->out_inflight;
}

static void conn_mark_pending(struct client *c)
{
    if (!(c->flags & CLIENT_PENDING_WRITE)) {
        c->flags |= CLIENT_PENDING_WRITE;
        c->next_pending = server.pending_writes;
        server.pending_writes = c;
    }
}

static void conn_flush(struct client *c);

/* Redis's client-output-buffer-limit for the client's class: over the hard
 * limit, or over the soft limit for soft_seconds, the client is closed. */
static bool conn_obuf_over_limit(struct client *c)
{
    const struct obuf_limit *l =
        &server.cfg->obuf[(c->flags & CLIENT_REPLICA)  ? OBUF_REPLICA
                          : pubsub_is_subscribed(c) ? OBUF_PUBSUB
                                                    : OBUF_NORMAL];
    long long used = (long long)conn_output_bytes(c);
    if (l->hard_bytes > 0 && used >= l->hard_bytes) {
        return true;
    }
    if (l->soft_bytes == 0 || used < l->soft_bytes) {
        c->obuf_soft_since_ms = 0;
        return false;
    }
    if (c->obuf_soft_since_ms == 0) {
        c->obuf_soft_since_ms = server.now_ms;
    }
    return server.now_ms - c->obuf_soft_since_ms >= l->soft_seconds * 1000;
}

void conn_wake(struct client *c)
{
    if (c->flags & CLIENT_CLOSING) {
        return;
    }
    /* Not closed here: the caller may be iterating a list holding c. */
    if (conn_obuf_over_limit(c) && !(c->flags & CLIENT_CLOSE_ASAP)) {
        log_warning("Client id=%llu addr=%s scheduled to be closed ASAP for overcoming of "
                    "output buffer limits.",
                    (unsigned long long)c->id, c->addr);
        c->flags |= CLIENT_CLOSE_ASAP;
    }
    conn_mark_pending(c);
}

static bool conn_check_obuf(struct client *c)
{
    if (!conn_obuf_over_limit(c)) {
        return true;
    }
    log_warning("Client id=%llu addr=%s scheduled to be closed ASAP for overcoming of output "
                "buffer limits.",
                (unsigned long long)c->id, c->addr);
    conn_close(c);
    return false;
}

static void conn_on_write(uv_write_t *req, int status)
{
    struct conn_write *w = (struct conn_write *)req;
    struct client *c = w->c;
    c->out_inflight -= w->len;
    mem_free(w->data);
    mem_free(w);
    if (c->flags & CLIENT_CLOSING) {
        return;
    }
    if (status < 0) {
        log_verbose("Error writing to client: %s", uv_strerror(status));
        conn_close(c);
        return;
    }
    if (c->out.len > 0 || (c->flags & CLIENT_CLOSE_AFTER_REPLY)) {
        conn_mark_pending(c);
    }
}

/* Hand the unwritten tail to libuv; the buffer moves into the request. */
static void conn_write_async(struct client *c, size_t written)
{
    struct conn_write *w = mem_alloc(sizeof(*w));
    size_t rest = c->out.len - written;
    w->c = c;
    if (written == 0) {
        w->data = c->out.data;
        c->out.data = NULL;
        c->out.cap = 0;
    } else {
        w->data = mem_alloc(rest);
        memcpy(w->data, c->out.data + written, rest);
    }
    w->len = rest;
    c->out.len = 0;
    c->out_inflight += rest;
    uv_buf_t buf = uv_buf_init(w->data, (unsigned int)rest);
    int rc = uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, conn_on_write);
    if (rc < 0) {
        c->out_inflight -= rest;
        mem_free(w->data);
        mem_free(w);
        conn_close(c);
    }
}

static void conn_flush(struct client *c)
{
    if (c->out_inflight == 0 && c->out.len > 0) {
        uv_buf_t buf = uv_buf_init(c->out.data, (unsigned int)c->out.len);
        int n = uv_try_write((uv_stream_t *)&c->tcp, &buf, 1);
        if (n < 0 && n != UV_EAGAIN) {
            conn_close(c);
            return;
        }
        size_t written = n > 0 ? (size_t)n : 0;
        server.stats.net_output_bytes += written;
        if (written == c->out.len) {
            c->out.len = 0;
            if (c->out.cap > 64 * 1024) {
                reply_buf_deinit(&c->out); /* don't keep a burst's buffer */
                reply_buf_init(&c->out, c->resp, mem_realloc);
            }
        } else {
            server.stats.net_output_bytes += c->out.len - written;
            conn_write_async(c, written);
        }
    }
    if ((c->flags & CLIENT_CLOSE_AFTER_REPLY) && conn_output_bytes(c) == 0) {
        conn_close(c);
    }
}

void conn_flush_all(void)
{
    struct client *c = server.pending_writes;
    struct client *held = NULL;
    server.pending_writes = NULL;
    while (c != NULL) {
        struct client *next = c->next_pending;
        if (!(c->flags & (CLIENT_CLOSE_ASAP | CLIENT_CLOSING)) && prop_client_waits(c)) {
            /* Its write is not durable yet (appendfsync always). */
            c->next_pending = held;
            held = c;
            c = next;
            continue;
        }
        c->flags &= ~CLIENT_PENDING_WRITE;
        c->next_pending = NULL;
        if (c->flags & CLIENT_CLOSE_ASAP) {
            conn_close(c);
        } else if (!(c->flags & CLIENT_CLOSING)) {
            conn_flush(c);
        }
        c = next;
    }
    while (held != NULL) {
        struct client *next = held->next_pending;
        held->next_pending = server.pending_writes;
        server.pending_writes = held;
        held = next;
    }
}

static void conn_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    (void)suggested;
    struct client *c = h->data;
    size_t want = CONN_READ_CHUNK;
    size_t need = c->parser.need;
    if (need > c->qlen && need - c->qlen > CONN_BIG_ARG) {
        /* A big bulk: make room for exactly the rest of it, once. */
        want = need - c->qlen;
    }
    if (c->qcap - c->qlen < want) {
        c->qcap = c->qlen + want;
        c->qbuf = mem_realloc(c->qbuf, c->qcap);
    }
    *buf = uv_buf_init(c->qbuf + c->qlen, (unsigned int)(c->qcap - c->qlen));
}

static void conn_protocol_error(struct client *c)
{
    log_verbose("Protocol error (%s) from client: id=%llu addr=%s", c->parser.err,
                (unsigned long long)c->id, c->addr);
    char msg[160];
    snprintf(msg, sizeof(msg), "ERR %s", c->parser.err);
    reply_error(&c->out, msg);
    conn_close_after_reply(c);
}

/* Parse and run every complete request in the query buffer. */
static void conn_process_input(struct client *c)
{
    /* CONFIG SET proto-max-bulk-len applies to connected clients too. */
    c->parser.limits.max_bulk_len = (uint64_t)server.cfg->proto_max_bulk_len;
    while (!(c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSING | CLIENT_BLOCKED))) {
        /* AUTH may succeed between two pipelined requests. */
        c->parser.limits.unauthenticated = !(c->flags & CLIENT_AUTHENTICATED);
        size_t used;
        int rc = resp_parse(&c->parser, c->qbuf + c->qpos, c->qlen - c->qpos, &used);
        if (rc == RESP_NEED_MORE) {
            break;
        }
        if (rc == RESP_ERROR) {
            conn_protocol_error(c);
            break;
        }
        if (c->parser.argc > 0) {
            c->argc = c->parser.argc;
            c->argv = c->parser.argv;
            /* The byte after every argument is a separator the parser has
             * consumed (CR, space or LF), so arguments become C strings. */
            for (int i = 0; i < c->argc; i++) {
                c->argv[i].ptr[c->argv[i].len] = '\0';
            }
            cmd_dispatch(c);
            c->argc = 0;
            c->argv = NULL;
        }
        c->qpos += used;
    }
    /* Keep the unparsed tail at the start of the buffer; the parser's
     * offsets are relative to it, so they stay valid. */
    if (c->qpos > 0) {
        memmove(c->qbuf, c->qbuf + c->qpos, c->qlen - c->qpos);
        c->qlen -= c->qpos;
        c->qpos = 0;
    }
    if (c->qlen == 0 && c->qcap > 4 * CONN_READ_CHUNK) {
        mem_free(c->qbuf); /* release a big argument's buffer */
        c->qbuf = NULL;
        c->qcap = 0;
    }
}

static void conn_on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    (void)buf;
    struct client *c = s->data;
    if (nread < 0) {
        if (nread != UV_EOF) {
            log_verbose("Reading from client: %s", uv_strerror((int)nread));
        }
        conn_close(c);
        return;
    }
    if (nread == 0 || (c->flags & CLIENT_CLOSING)) {
        return;
    }
    server_update_time();
    c->qlen += (size_t)nread;
    c->last_ms = server.now_ms;
    server.stats.net_input_bytes += (uint64_t)nread;
    if (c->qlen > c->qpeak) {
        c->qpeak = c->qlen;
    }
    if ((long long)c->qlen > server.cfg->client_query_buffer_limit) {
        log_warning("Closing client that reached max query buffer length: id=%llu addr=%s "
                    "qbuf=%zu",
                    (unsigned long long)c->id, c->addr, c->qlen);
        conn_close(c);
        return;
    }
    conn_process_input(c);
    if (!(c->flags & CLIENT_CLOSING) && conn_check_obuf(c) &&
        (c->out.len > 0 || (c->flags & CLIENT_CLOSE_AFTER_REPLY))) {
        conn_mark_pending(c);
    }
}

static void conn_format_addr(const struct sockaddr_storage *ss, char *dst, size_t cap)
{
    char ip[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
        port = ntohs(a->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
        port = ntohs(a->sin6_port);
    }
    snprintf(dst, cap, "%s:%d", ip, port);
}

static void conn_fill_addrs(struct client *c)
{
    struct sockaddr_storage ss;
    int len = sizeof(ss);
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        conn_format_addr(&ss, c->addr, sizeof(c->addr));
    }
    len = sizeof(ss);
    if (uv_tcp_getsockname(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        conn_format_addr(&ss, c->laddr, sizeof(c->laddr));
    }
    uv_os_fd_t fd;
    c->fd = uv_fileno((uv_handle_t *)&c->tcp, &fd) == 0 ? (int)fd : -1;
}

static struct client *conn_new(void)
{
    struct client *c = mem_calloc(sizeof(*c));
    c->id = ++server.next_client_id;
    c->resp = 2;
    c->db_id = 0;
    c->db = &server.dbs[0];
    c->ctime_ms = c->last_ms = server.now_ms;
    struct resp_limits limits = {
        .max_bulk_len = (uint64_t)server.cfg->proto_max_bulk_len,
    };
    resp_parser_init(&c->parser, &limits, mem_realloc);
    reply_buf_init(&c->out, 2, mem_realloc);
    uv_tcp_init(server.loop, &c->tcp);
    c->tcp.data = c;
    return c;
}

static void conn_on_accept(uv_stream_t *listener, int status)
{
    if (status < 0) {
        log_warning("Accepting client connection: %s", uv_strerror(status));
        return;
    }
    server_update_time();
    struct client *c = conn_new();
    if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
        c->flags |= CLIENT_CLOSING;
        uv_close((uv_handle_t *)&c->tcp, conn_on_close);
        return;
    }
    c->next = server.clients;
    if (server.clients != NULL) {
        server.clients->prev = c;
    }
    server.clients = c;
    server.nclients++;
    server.stats.total_connections++;
    uv_tcp_nodelay(&c->tcp, 1);
    if (server.cfg->tcp_keepalive > 0) {
        uv_tcp_keepalive(&c->tcp, 1, (unsigned int)server.cfg->tcp_keepalive);
    }
    conn_fill_addrs(c);
    if ((long long)server.nclients > server.cfg->maxclients) {
        server.stats.rejected_connections++;
        reply_error(&c->out, "ERR max number of clients reached");
        conn_close_after_reply(c);
        conn_mark_pending(c);
        return;
    }
    if (server.cfg->requirepass[0] == '\0') {
        c->flags |= CLIENT_AUTHENTICATED;
    }
    uv_read_start((uv_stream_t *)&c->tcp, conn_alloc, conn_on_read);
}

static void conn_free_handle(uv_handle_t *h)
{
    mem_free(h);
}

static void conn_close_set(uv_tcp_t **set, int n)
{
    for (int i = 0; i < n; i++) {
        uv_close((uv_handle_t *)set[i], conn_free_handle);
    }
}

static void conn_close_listeners(void)
{
    conn_close_set(server.listeners, server.nlisteners);
    server.nlisteners = 0;
    server.bound[0] = '\0';
}

static int conn_listen_one(uv_tcp_t **out, const char *addr, int port)
{
    struct sockaddr_storage ss;
    int rc;
    if (strchr(addr, ':') != NULL) {
        rc = uv_ip6_addr(strcmp(addr, "::*") == 0 ? "::" : addr, port,
                         (struct sockaddr_in6 *)&ss);
    } else {
        rc = uv_ip4_addr(strcmp(addr, "*") == 0 ? "0.0.0.0" : addr, port,
                         (struct sockaddr_in *)&ss);
    }
    if (rc < 0) {
        return rc;
    }
    uv_tcp_t *t = mem_alloc(sizeof(*t));
    *out = t;
    uv_tcp_init(server.loop, t);
    rc = uv_tcp_bind(t, (struct sockaddr *)&ss, strchr(addr, ':') ? UV_TCP_IPV6ONLY : 0);
    if (rc == 0) {
        rc = uv_listen((uv_stream_t *)t, (int)server.cfg->tcp_backlog, conn_on_accept);
    }
    if (rc < 0) {
        uv_close((uv_handle_t *)t, conn_free_handle);
    }
    return rc;
}

/* Open listeners for every address of bind on port into set; returns how
 * many, or a negative error (with *err) after closing what it opened. */
static int conn_listen_all(uv_tcp_t **set, const char **err)
{
    static char msg[256];
    char addrs[1024];
    char *words[16];
    int opened = 0;
    snprintf(addrs, sizeof(addrs), "%s", server.cfg->bind);
    int n = util_split_words(addrs, words, 16);
    for (int i = 0; i < n; i++) {
        bool optional = words[i][0] == '-';
        const char *addr = words[i] + (optional ? 1 : 0);
        int rc = conn_listen_one(&set[opened], addr, (int)server.cfg->port);
        if (rc == 0) {
            opened++;
        } else if (!optional) {
            snprintf(msg, sizeof(msg),
                     "Could not create server TCP listening socket %s:%lld: %s", addr,
                     server.cfg->port, uv_strerror(rc));
            *err = msg;
            conn_close_set(set, opened);
            return rc;
        }
    }
    return opened;
}

int server_listen(const char **err)
{
    char want[sizeof(server.bound)];
    uv_tcp_t *fresh[16];
    snprintf(want, sizeof(want), "%s|%lld", server.cfg->bind, server.cfg->port);
    if (server.nlisteners > 0 && strcmp(want, server.bound) == 0) {
        return 0; /* unchanged: keep the sockets (a rebind would race the close) */
    }
    /* New sockets first: if they fail, the old ones keep serving. */
    int n = server.cfg->port == 0 ? 0 : conn_listen_all(fresh, err);
    if (n < 0) {
        return n;
    }
    conn_close_listeners();
    memcpy(server.listeners, fresh, sizeof(fresh[0]) * (size_t)n);
    server.nlisteners = n;
    server.tcp_port_bound = (int)server.cfg->port;
    snprintf(server.bound, sizeof(server.bound), "%s", want);
    return 0;
}

void conn_resume(struct client *c)
{
    if (c->flags & CLIENT_CLOSING) {
        return;
    }
    conn_process_input(c);
    conn_wake(c);
}

void conn_cron(void)
{
    long long timeout_ms = server.cfg->timeout * 1000;
    if (timeout_ms <= 0) {
        return;
    }
    struct client *c = server.clients;
    while (c != NULL) {
        struct client *next = c->next;
        if (server.now_ms - c->last_ms > timeout_ms &&
            !(c->flags & (CLIENT_REPLICA | CLIENT_BLOCKED)) && !pubsub_is_subscribed(c)) {
            log_verbose("Closing idle client");
            conn_close(c);
        }
        c = next;
    }
}

void conn_shutdown(void)
{
    conn_flush_all();
    while (server.clients != NULL) {
        conn_close(server.clients);
    }
    conn_close_listeners();
}
