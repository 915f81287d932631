/* repl.h - primary/replica replication, as Redis 7 does it on the wire.
 *
 * Primary side (repl.c): replicas connect as clients and send PING,
 * REPLCONF listening-port/capa, then PSYNC <replid> <offset>. A known
 * replid (or the previous one, up to second_repl_offset, after a failover)
 * with an offset still in the backlog gets +CONTINUE and the missing bytes;
 * anything else gets +FULLRESYNC <replid> <offset>, a snapshot ("$<len>"
 * then RESP commands, written by a forked child with the AOF rewrite's
 * serializer) and then the stream from that offset. The stream is the
 * propagation stream (server/propagate.h) plus PING every
 * repl-ping-replica-period and REPLCONF GETACK while WAIT waits. Replicas
 * answer REPLCONF ACK <offset> every second.
 *
 * Replica side (replica.c): REPLICAOF host port starts the link on the
 * loop; the handshake, the snapshot load and the stream run there; the
 * stream is applied by a fake client and passed on unchanged to this
 * server's own replicas and AOF, so offsets match down a chain. Replicas
 * do not expire keys (the primary sends DEL) and hide expired keys from
 * reads. REPLICAOF NO ONE keeps the replid as replid2, so the other
 * replicas of the old primary can continue from the promoted one.
 */
#ifndef SURGE_REPLICATION_REPL_H
#define SURGE_REPLICATION_REPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replication/backlog.h"

struct client;

/* Shared by repl.c and replica.c. */
struct repl_state {
    char replid[41], replid2[41];
    long long second_repl_offset; /* -1 when replid2 is unused */
    struct backlog backlog;
    bool has_backlog;
    bool has_history;             /* replid+offset describe the data held */
    /* replica side */
    char *master_host;            /* NULL: this server is a primary */
    int master_port;
    int link_state;               /* enum replica_link in replica.c */
    int64_t link_down_since_ms;
    int64_t last_io_ms;
    long long sync_total, sync_read; /* snapshot bytes */
    struct client *master;        /* applies the stream */
};
extern struct repl_state repl;

void repl_init(void);
void repl_shutdown(void);
/* Stream consumer (prop_feed_fn): backlog and online replicas. */
bool repl_feed(const char *p, size_t len, unsigned long long batch);
/* Timer work: pings, ACKs, timeouts, snapshots, the link, WAIT. */
void repl_cron(void);
/* Each loop iteration: REPLCONF GETACK for waiting WAITs. */
void repl_before_sleep(void);
/* A client closes: forget it as a replica or a WAIT waiter. */
void repl_client_closed(struct client *c);
/* INFO replication and the sync_* stats. */
void repl_info(char *buf, size_t cap);
void repl_info_stats(char *buf, size_t cap);

static inline bool repl_is_replica(void)
{
    return repl.master_host != NULL;
}
/* The offset of the stream this server has (produced or applied). */
long long repl_offset(void);
/* Start or replace the backlog (with a new replid when fresh). */
void repl_backlog_ensure(void);
/* Good replicas for min-replicas-to-write. */
int repl_good_replicas(void);

/* replica.c */
/* Bytes to the primary (REPLCONF ACK). */
void replica_send_raw(const char *p, size_t len);
/* CLIENT KILL TYPE master: drop the link (it reconnects); true if up. */
bool replica_kill_link(void);
int replica_start(const char *host, int port);
void replica_stop_and_promote(void);
void replica_cron(void);
void replica_info(char *buf, size_t cap);
const char *replica_state_name(void);
/* Change the replid (new history): replid2 keeps the old one. */
void repl_shift_replid(void);
/* Drop this server's replicas (they reconnect and resync). */
void repl_disconnect_replicas(void);
/* Config replicaof "host port" or "" applied at runtime or start. */
int repl_apply_replicaof(const char *value, const char **err);

#endif
