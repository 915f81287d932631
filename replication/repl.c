/* repl.c - the primary side of replication and the replication commands;
 * see repl.h. */
#include "replication/repl.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "persistence/aof.h"
#include "persistence/aof_rewrite.h"
#include "server/cmd.h"
#include "server/config.h"
#include "server/conn.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/mem.h"
#include "server/propagate.h"
#include "server/server.h"
#include "server/util.h"

struct repl_state repl = {.second_repl_offset = -1};

/* A replica client's state. */
enum { REPLICA_NONE = 0, REPLICA_WAIT_SNAPSHOT, REPLICA_ONLINE };

#define REPL_MAX_REPLICAS 64
#define REPL_MAX_WAITERS 1024

static struct {
    struct client *replicas[REPL_MAX_REPLICAS];
    int nreplicas;
    struct client *waiters[REPL_MAX_WAITERS];
    int nwaiters;
    bool getack_wanted;
    pid_t snap_child;
    long long snap_off;        /* stream offset the snapshot is at */
    int64_t last_ping_ms;
    uint64_t sync_full, sync_partial_ok, sync_partial_err;
} pri = {.snap_child = -1};

/* A clean shutdown with the AOF on leaves the replid and offset the data
 * on disk corresponds to, so a restart can continue (PSYNC) instead of
 * syncing in full; the file is consumed at start. */
#define REPL_STATE_FILE "surge-repl.state"

static void repl_save_state(void)
{
    aof_before_replies(); /* what the stream holds goes to the file first */
    if (!aof_is_complete()) {
        return; /* the files would not match the offset: full sync next time */
    }
    FILE *f = fopen(REPL_STATE_FILE ".tmp", "w");
    if (f == NULL) {
        return;
    }
    int ok = fprintf(f, "%s %lld\n", repl.replid, repl_offset()) > 0;
    ok = fflush(f) == 0 && fsync(fileno(f)) == 0 && ok;
    fclose(f);
    if (!ok || rename(REPL_STATE_FILE ".tmp", REPL_STATE_FILE) != 0) {
        unlink(REPL_STATE_FILE ".tmp");
    }
}

static void repl_load_state(void)
{
    FILE *f = fopen(REPL_STATE_FILE, "r");
    if (f == NULL) {
        return;
    }
    char id[64];
    long long off;
    if (server.cfg->appendonly && fscanf(f, "%40s %lld", id, &off) == 2 && strlen(id) == 40 &&
        off >= 0) {
        memcpy(repl.replid, id, 41);
        repl_backlog_ensure();
        repl.backlog.offset = off;
        repl.has_history = true;
        log_notice("Replication history restored: replid %s, offset %lld", id, off);
    }
    fclose(f);
    unlink(REPL_STATE_FILE); /* valid only for the data loaded now */
}

void repl_init(void)
{
    util_random_hex(repl.replid, NULL, 20);
    memset(repl.replid2, '0', 40);
    repl.replid2[40] = '\0';
    repl.second_repl_offset = -1;
    repl_load_state();
}

long long repl_offset(void)
{
    return repl.has_backlog ? repl.backlog.offset : 0;
}

void repl_backlog_ensure(void)
{
    if (repl.has_backlog) {
        if (repl.backlog.size != (size_t)server.cfg->repl_backlog_size) {
            backlog_resize(&repl.backlog, (size_t)server.cfg->repl_backlog_size);
        }
        return;
    }
    backlog_init(&repl.backlog, (size_t)server.cfg->repl_backlog_size, 0);
    repl.has_backlog = true;
    prop_enable(PROP_REPL, true);
}

void repl_shift_replid(void)
{
    memcpy(repl.replid2, repl.replid, sizeof(repl.replid));
    repl.second_repl_offset = repl_offset() + 1;
    util_random_hex(repl.replid, NULL, 20);
}

/* ---- the stream to replicas ---- */

static void repl_send(struct client *c, const char *p, size_t len)
{
    reply_raw(&c->out, p, len);
    conn_wake(c);
}

static void repl_send_cb(const char *p, size_t len, void *arg)
{
    repl_send(arg, p, len);
}

bool repl_feed(const char *p, size_t len, unsigned long long batch)
{
    (void)batch;
    if (!repl.has_backlog) {
        return false;
    }
    backlog_append(&repl.backlog, p, len);
    repl.has_history = true;
    for (int i = 0; i < pri.nreplicas; i++) {
        if (pri.replicas[i]->repl_state == REPLICA_ONLINE) {
            repl_send(pri.replicas[i], p, len);
        }
    }
    return false;
}

/* Bytes the primary itself adds to the stream (PING, GETACK): after what
 * commands have put there, so the order is the stream's. */
static void repl_feed_own(const char *p, size_t len)
{
    prop_flush();
    repl_feed(p, len, 0);
}

static void repl_forget_replica(struct client *c)
{
    for (int i = 0; i < pri.nreplicas; i++) {
        if (pri.replicas[i] == c) {
            pri.replicas[i] = pri.replicas[--pri.nreplicas];
            return;
        }
    }
}

void repl_disconnect_replicas(void)
{
    while (pri.nreplicas > 0) {
        struct client *c = pri.replicas[--pri.nreplicas];
        c->flags &= ~CLIENT_REPLICA;
        conn_close(c);
    }
}

/* ---- snapshots for full syncs ---- */

/* One snapshot child at a time. */
#define REPL_SNAP_PATH "temp-repl-snapshot.snap"

static void repl_fullresync_reply(struct client *c)
{
    char line[128];
    int n = snprintf(line, sizeof(line), "+FULLRESYNC %s %lld\r\n", repl.replid, pri.snap_off);
    reply_raw(&c->out, line, (size_t)n);
    c->repl_snap_off = pri.snap_off;
    conn_wake(c);
}

/* Fork a snapshot at the current offset for every replica waiting. */
static void repl_snap_start(void)
{
    prop_flush();
    pri.snap_off = repl_offset();
    prop_force_select(); /* the stream after the snapshot names its db */
    pid_t pid = aof_rewrite_fork(REPL_SNAP_PATH, false);
    if (pid < 0) {
        log_warning("Can't fork for a replica's snapshot: %s", strerror((int)-pid));
        return;
    }
    pri.snap_child = pid;
    log_notice("Starting BGSAVE for SYNC with target: replicas sockets (pid %d)", (int)pid);
    for (int i = 0; i < pri.nreplicas; i++) {
        struct client *c = pri.replicas[i];
        if (c->repl_state == REPLICA_WAIT_SNAPSHOT && c->repl_snap_off < 0) {
            repl_fullresync_reply(c);
        }
    }
}

static void repl_send_snapshot(struct client *c, const char *path)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0) {
            close(fd);
        }
        conn_close(c);
        return;
    }
    char head[32];
    int n = snprintf(head, sizeof(head), "$%lld\r\n", (long long)st.st_size);
    reply_raw(&c->out, head, (size_t)n);
    char *dst = reply_reserve(&c->out, (size_t)st.st_size);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, dst + got, (size_t)st.st_size - got);
        if (r <= 0) {
            break;
        }
        got += (size_t)r;
    }
    close(fd);
    c->out.len += got;
    if (got != (size_t)st.st_size || !backlog_can_serve(&repl.backlog, c->repl_snap_off + 1)) {
        log_warning("Replica %s lost its snapshot (the backlog moved on): resync", c->addr);
        conn_close(c);
        return;
    }
    backlog_copy(&repl.backlog, c->repl_snap_off + 1, repl_send_cb, c);
    c->repl_state = REPLICA_ONLINE;
    c->repl_ack_ms = server.now_ms;
    log_notice("Synchronization with replica %s succeeded", c->addr);
    conn_wake(c);
}

static void repl_snap_done(int status)
{
    pri.snap_child = -1;
    const char *path = REPL_SNAP_PATH;
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    bool others = false;
    for (int i = pri.nreplicas - 1; i >= 0; i--) {
        struct client *c = pri.replicas[i];
        if (c->repl_state != REPLICA_WAIT_SNAPSHOT) {
            continue;
        }
        if (c->repl_snap_off != pri.snap_off) {
            others = true;
        } else if (ok) {
            repl_send_snapshot(c, path);
        } else {
            conn_close(c);
        }
    }
    unlink(path);
    if (others) {
        repl_snap_start();
    }
}

/* ---- commands ---- */

static void repl_replica_add(struct client *c)
{
    if (!(c->flags & CLIENT_REPLICA)) {
        if (pri.nreplicas == REPL_MAX_REPLICAS) {
            reply_error(REPLY(c), "ERR too many replicas");
            return;
        }
        pri.replicas[pri.nreplicas++] = c;
        c->flags |= CLIENT_REPLICA;
    }
}

static bool repl_can_continue(const char *id, long long from)
{
    if (!repl.has_backlog) {
        return false;
    }
    bool ours = strcasecmp(id, repl.replid) == 0;
    bool previous = strcasecmp(id, repl.replid2) == 0 && from <= repl.second_repl_offset;
    return (ours || previous) && backlog_can_serve(&repl.backlog, from);
}

void cmd_psync(struct client *c)
{
    if (c->flags & CLIENT_REPLICA) {
        return; /* already a replica: ignored, as Redis does */
    }
    if (repl_is_replica() && repl.link_state != 0 && repl.master == NULL) {
        reply_error(REPLY(c), "NOMASTERLINK Can't SYNC while not connected with my master");
        return;
    }
    bool psync = c->argc == 3;
    const char *id = psync ? c->argv[1].ptr : "?";
    long long from = -1;
    if (psync && util_parse_ll(c->argv[2].ptr, c->argv[2].len, &from) < 0) {
        from = -1;
    }
    prop_flush();
    repl_backlog_ensure();
    repl_replica_add(c);
    if (!(c->flags & CLIENT_REPLICA)) {
        return;
    }
    if (psync && repl_can_continue(id, from)) {
        char line[96];
        int n = snprintf(line, sizeof(line), "+CONTINUE %s\r\n", repl.replid);
        reply_raw(&c->out, line, (size_t)n);
        backlog_copy(&repl.backlog, from, repl_send_cb, c);
        c->repl_state = REPLICA_ONLINE;
        c->repl_ack_ms = server.now_ms;
        pri.sync_partial_ok++;
        log_notice("Partial resynchronization request from %s accepted. Sending %lld bytes of "
                   "backlog starting from offset %lld.",
                   c->addr, repl_offset() + 1 - from, from);
        conn_wake(c);
        return;
    }
    if (psync && strcmp(id, "?") != 0) {
        pri.sync_partial_err++;
    }
    pri.sync_full++;
    log_notice("Replica %s asks for synchronization: full resync", c->addr);
    c->repl_state = REPLICA_WAIT_SNAPSHOT;
    c->repl_snap_off = -1;
    if (pri.snap_child < 0) {
        repl_snap_start();
    }
}

void cmd_sync(struct client *c)
{
    cmd_psync(c);
}

static void repl_waiters_check(void);

void cmd_replconf(struct client *c)
{
    if (c->argc % 2 == 0) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    for (int i = 1; i < c->argc; i += 2) {
        long long v = 0;
        if (arg_is(c, i, "listening-port")) {
            if (arg_ll_or_reply(c, i + 1, &v) < 0) {
                return;
            }
            c->repl_port = (int)v;
        } else if (arg_is(c, i, "ack")) {
            if (util_parse_ll(c->argv[i + 1].ptr, c->argv[i + 1].len, &v) == 0 &&
                (c->flags & CLIENT_REPLICA)) {
                if (v > c->repl_ack_off) {
                    c->repl_ack_off = v;
                }
                c->repl_ack_ms = server.now_ms;
                repl_waiters_check();
            }
            return; /* no reply to ACK */
        } else if (arg_is(c, i, "getack")) {
            if (c->flags & CLIENT_MASTER) {
                char buf[96], num[32];
                int nl = snprintf(num, sizeof(num), "%lld", repl_offset());
                int n = snprintf(buf, sizeof(buf), "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$%d\r\n%s\r\n",
                                 nl, num);
                replica_send_raw(buf, (size_t)n);
            }
            return;
        } else if (!arg_is(c, i, "capa") && !arg_is(c, i, "ip-address") &&
                   !arg_is(c, i, "rdb-only") && !arg_is(c, i, "rdb-filter-only")) {
            reply_errorf(REPLY(c), "ERR Unrecognized REPLCONF option: %s", c->argv[i].ptr);
            return;
        }
    }
    reply_ok(REPLY(c));
}

/* ---- WAIT ---- */

static int repl_acked(long long target)
{
    int n = 0;
    for (int i = 0; i < pri.nreplicas; i++) {
        const struct client *r = pri.replicas[i];
        n += r->repl_state == REPLICA_ONLINE && r->repl_ack_off >= target;
    }
    return n;
}

static void repl_waiter_done(int i)
{
    struct client *c = pri.waiters[i];
    pri.waiters[i] = pri.waiters[--pri.nwaiters];
    reply_int(REPLY(c), repl_acked(c->wait_target));
    c->flags &= ~(CLIENT_WAITING | CLIENT_BLOCKED);
    conn_resume(c);
}

static void repl_waiters_check(void)
{
    for (int i = pri.nwaiters - 1; i >= 0; i--) {
        struct client *c = pri.waiters[i];
        if (repl_acked(c->wait_target) >= c->wait_num ||
            (c->wait_deadline_ms > 0 && server.now_ms >= c->wait_deadline_ms)) {
            repl_waiter_done(i);
        }
    }
}

void cmd_wait(struct client *c)
{
    long long num, timeout;
    if (repl_is_replica()) {
        reply_error(REPLY(c), "ERR WAIT cannot be used with replica instances. Please also "
                              "note that since Redis 4.0 if a replica is configured to be "
                              "writable (which is not the default) writes to replicas are just "
                              "local and are not propagated.");
        return;
    }
    if (arg_ll_or_reply(c, 1, &num) < 0 ||
        arg_ll_msg_or_reply(c, 2, &timeout, "ERR timeout is not an integer or out of range") <
            0) {
        return;
    }
    if (timeout < 0) {
        reply_error(REPLY(c), "ERR timeout is negative");
        return;
    }
    prop_flush();
    c->wait_target = repl_offset();
    int acked = repl_acked(c->wait_target);
    if (acked >= num || (c->flags & CLIENT_MULTI) || pri.nwaiters == REPL_MAX_WAITERS) {
        reply_int(REPLY(c), acked);
        return;
    }
    c->wait_num = (int)num;
    c->wait_deadline_ms = timeout > 0 ? server.now_ms + timeout : 0;
    c->flags |= CLIENT_WAITING | CLIENT_BLOCKED;
    pri.waiters[pri.nwaiters++] = c;
    pri.getack_wanted = true;
}

static void repl_check_child(void)
{
    if (pri.snap_child > 0) {
        int status;
        if (waitpid(pri.snap_child, &status, WNOHANG) == pri.snap_child) {
            repl_snap_done(status);
        }
    }
}

void repl_before_sleep(void)
{
    repl_check_child(); /* a finished snapshot goes out without waiting */
    if (pri.getack_wanted && pri.nreplicas > 0 && repl.has_backlog) {
        static const char getack[] = "*3\r\n$8\r\nREPLCONF\r\n$6\r\nGETACK\r\n$1\r\n*\r\n";
        repl_feed_own(getack, sizeof(getack) - 1);
    }
    pri.getack_wanted = false;
}

void repl_client_closed(struct client *c)
{
    if (c->flags & CLIENT_REPLICA) {
        log_notice("Connection with replica %s lost.", c->addr);
        repl_forget_replica(c);
    }
    if (c->flags & CLIENT_WAITING) {
        for (int i = 0; i < pri.nwaiters; i++) {
            if (pri.waiters[i] == c) {
                pri.waiters[i] = pri.waiters[--pri.nwaiters];
                break;
            }
        }
        c->flags &= ~(CLIENT_WAITING | CLIENT_BLOCKED);
    }
}

int repl_good_replicas(void)
{
    int n = 0;
    for (int i = 0; i < pri.nreplicas; i++) {
        const struct client *r = pri.replicas[i];
        n += r->repl_state == REPLICA_ONLINE &&
             (server.now_ms - r->repl_ack_ms) / 1000 <= server.cfg->min_replicas_max_lag;
    }
    return n;
}

/* ---- ROLE, REPLICAOF, SCRIPT KILL ---- */

void cmd_role(struct client *c)
{
    if (repl_is_replica()) {
        reply_array_len(REPLY(c), 5);
        reply_bulk_cstr(REPLY(c), "slave");
        reply_bulk_cstr(REPLY(c), repl.master_host);
        reply_int(REPLY(c), repl.master_port);
        reply_bulk_cstr(REPLY(c), replica_state_name());
        reply_int(REPLY(c), repl.master != NULL ? repl_offset() : -1);
        return;
    }
    reply_array_len(REPLY(c), 3);
    reply_bulk_cstr(REPLY(c), "master");
    reply_int(REPLY(c), repl_offset());
    int online = 0;
    for (int i = 0; i < pri.nreplicas; i++) {
        online += pri.replicas[i]->repl_state == REPLICA_ONLINE;
    }
    reply_array_len(REPLY(c), online);
    for (int i = 0; i < pri.nreplicas; i++) {
        const struct client *r = pri.replicas[i];
        if (r->repl_state != REPLICA_ONLINE) {
            continue;
        }
        char ip[64];
        snprintf(ip, sizeof(ip), "%s", r->addr);
        char *colon = strrchr(ip, ':');
        if (colon != NULL) {
            *colon = '\0';
        }
        reply_array_len(REPLY(c), 3);
        reply_bulk_cstr(REPLY(c), ip);
        reply_bulk_ll(REPLY(c), r->repl_port);
        reply_bulk_ll(REPLY(c), r->repl_ack_off);
    }
}

void cmd_replicaof(struct client *c)
{
    if (arg_is(c, 1, "no") && arg_is(c, 2, "one")) {
        if (repl_is_replica()) {
            replica_stop_and_promote();
            log_notice("MASTER MODE enabled (user request from '%s')", c->addr);
        }
        reply_ok(REPLY(c));
        return;
    }
    long long port;
    if (arg_ll_msg_or_reply(c, 2, &port, "ERR Invalid master port") < 0) {
        return;
    }
    if (port < 0 || port > 65535) {
        reply_error(REPLY(c), "ERR Invalid master port");
        return;
    }
    if (repl_is_replica() && strcasecmp(repl.master_host, c->argv[1].ptr) == 0 &&
        repl.master_port == port) {
        reply_status(REPLY(c), "OK Already connected to specified master");
        return;
    }
    replica_start(c->argv[1].ptr, (int)port);
    log_notice("REPLICAOF %s:%d enabled (user request from '%s')", repl.master_host,
               repl.master_port, c->addr);
    reply_ok(REPLY(c));
}

void cmd_script_kill(struct client *c)
{
    reply_error(REPLY(c), "NOTBUSY No scripts in execution right now.");
}

/* ---- timers ---- */

void repl_cron(void)
{
    repl_check_child();
    repl_waiters_check();
    long long period = server.cfg->repl_ping_replica_period * 1000;
    /* Only the top primary pings: a replica passes its primary's stream on. */
    if (pri.nreplicas > 0 && period > 0 && !repl_is_replica() &&
        server.now_ms - pri.last_ping_ms >= period) {
        static const char ping[] = "*1\r\n$4\r\nPING\r\n";
        repl_feed_own(ping, sizeof(ping) - 1);
        pri.last_ping_ms = server.now_ms;
    }
    for (int i = pri.nreplicas - 1; i >= 0; i--) {
        struct client *r = pri.replicas[i];
        if (r->repl_state == REPLICA_ONLINE &&
            server.now_ms - r->repl_ack_ms > server.cfg->repl_timeout * 1000) {
            log_warning("Disconnecting timedout replica: %s", r->addr);
            conn_close(r);
        }
    }
    replica_cron();
}

void repl_shutdown(void)
{
    repl_save_state();
    if (pri.snap_child > 0) {
        aof_rewrite_kill(pri.snap_child, REPL_SNAP_PATH);
        pri.snap_child = -1;
    }
    if (repl.has_backlog) {
        backlog_free(&repl.backlog);
        repl.has_backlog = false;
    }
}

/* ---- INFO ---- */

static size_t repl_info_replicas(char *buf, size_t cap)
{
    static const char *const states[] = {"none", "wait_bgsave", "online"};
    size_t n = 0;
    for (int i = 0; i < pri.nreplicas && n < cap; i++) {
        const struct client *r = pri.replicas[i];
        char ip[64];
        snprintf(ip, sizeof(ip), "%s", r->addr);
        char *colon = strrchr(ip, ':');
        if (colon != NULL) {
            *colon = '\0';
        }
        n += (size_t)snprintf(buf + n, cap - n, "slave%d:ip=%s,port=%d,state=%s,offset=%lld,lag=%lld\r\n",
                              i, ip, r->repl_port, states[r->repl_state], r->repl_ack_off,
                              (long long)((server.now_ms - r->repl_ack_ms) / 1000));
    }
    return n;
}

void repl_info(char *buf, size_t cap)
{
    size_t n = 0;
    if (repl_is_replica()) {
        replica_info(buf, cap);
        n = strlen(buf);
    } else {
        n += (size_t)snprintf(buf, cap, "role:master\r\n");
    }
    if (n < cap) {
        n += (size_t)snprintf(buf + n, cap - n, "connected_slaves:%d\r\n", pri.nreplicas);
    }
    if (n < cap && !repl_is_replica() && server.cfg->min_replicas_to_write > 0) {
        n += (size_t)snprintf(buf + n, cap - n, "min_slaves_good_slaves:%d\r\n",
                              repl_good_replicas());
    }
    if (n < cap) {
        n += repl_info_replicas(buf + n, cap - n);
    }
    if (n < cap) {
        snprintf(buf + n, cap - n,
                 "master_failover_state:no-failover\r\nmaster_replid:%s\r\nmaster_replid2:%s\r\n"
                 "master_repl_offset:%lld\r\nsecond_repl_offset:%lld\r\n"
                 "repl_backlog_active:%d\r\nrepl_backlog_size:%lld\r\n"
                 "repl_backlog_first_byte_offset:%lld\r\nrepl_backlog_histlen:%zu\r\n",
                 repl.replid, repl.replid2, repl_offset(), repl.second_repl_offset,
                 repl.has_backlog ? 1 : 0, server.cfg->repl_backlog_size,
                 repl.has_backlog ? backlog_first(&repl.backlog) : 0,
                 repl.has_backlog ? repl.backlog.histlen : 0);
    }
}

void repl_info_stats(char *buf, size_t cap)
{
    snprintf(buf, cap, "sync_full:%llu\r\nsync_partial_ok:%llu\r\nsync_partial_err:%llu\r\n",
             (unsigned long long)pri.sync_full, (unsigned long long)pri.sync_partial_ok,
             (unsigned long long)pri.sync_partial_err);
}
