/* server.h - the one global (struct server) and the client.
 *
 * The loop thread owns everything here. Config values live in server.cfg
 * and are written only by server/config.c; modules read them.
 */
#ifndef SURGE_SERVER_SERVER_H
#define SURGE_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <uv.h>

#include "protocol/reply.h"
#include "protocol/resp.h"
#include "server/db.h"
#include "server/evict.h"

#define SURGE_VERSION "0.1.0"
/* The Redis version Surge answers as (INFO, HELLO): clients gate features
 * on it. */
#define SURGE_REDIS_VERSION "7.4.0"

#define SERVER_MAX_DBS 1024

struct command;

/* Client flags. */
#define CLIENT_CLOSE_AFTER_REPLY 0x01u /* QUIT, protocol error */
#define CLIENT_CLOSE_ASAP 0x02u        /* killed: drop pending output */
#define CLIENT_PENDING_WRITE 0x04u     /* on server.pending_writes */
#define CLIENT_CLOSING 0x08u           /* uv_close called */
#define CLIENT_AUTHENTICATED 0x10u
#define CLIENT_MULTI 0x20u      /* inside MULTI: commands are queued */
#define CLIENT_DIRTY_CAS 0x40u  /* a WATCHed key changed: EXEC fails */
#define CLIENT_DIRTY_EXEC 0x80u /* a command failed to queue: EXECABORT */
#define CLIENT_BLOCKED 0x100u   /* waiting in a blocking command */
#define CLIENT_STILL_BLOCKED 0x200u /* a re-run found no data */
#define CLIENT_REPLY_OFF 0x400u       /* CLIENT REPLY OFF */
#define CLIENT_REPLY_SKIP_NEXT 0x800u /* CLIENT REPLY SKIP: drop the next reply */
#define CLIENT_REPLY_SKIP 0x1000u     /* drop this command's reply */
#define CLIENT_NO_EVICT 0x2000u
#define CLIENT_REPLICA 0x4000u  /* a replica of this server (after PSYNC) */
#define CLIENT_MASTER 0x8000u   /* applies the primary's stream (replica.c) */
#define CLIENT_WAITING 0x10000u /* blocked in WAIT */
#define CLIENT_CACHE_WAIT 0x20000u /* blocked in CACHE.GET ... WAIT */

/* A command queued by MULTI: owned, NUL-terminated copies of argv. */
struct multi_cmd {
    int argc;
    struct resp_arg *argv;
    const struct command *cmd;
};

struct keyreg_entry;
struct pubsub_channel;

struct client {
    uv_tcp_t tcp;
    uint64_t id;
    uint32_t flags;
    int resp;       /* 2 or 3 */
    int db_id;
    struct db *db;

    char *qbuf;     /* query buffer: qbuf[qpos..qlen) is unparsed */
    size_t qlen;
    size_t qcap;
    size_t qpos;
    size_t qpeak;
    struct resp_parser parser;

    int argc;       /* the command being executed */
    struct resp_arg *argv;
    const struct command *cmd;
    const struct command *lastcmd;

    struct reply_buf out;  /* replies not yet handed to the socket */
    size_t out_inflight;   /* bytes in a pending uv_write */
    int64_t obuf_soft_since_ms; /* when output first exceeded the soft limit */

    struct multi_cmd *mcmds;   /* MULTI queue */
    int mcount, mcap;
    struct keyreg_entry **watched; /* keys this client WATCHes */
    int nwatched, watched_cap;
    struct pubsub_channel **channels; /* SUBSCRIBEd channels */
    int nchannels, channels_cap;
    char **patterns;           /* PSUBSCRIBEd patterns (owned) */
    int npatterns, patterns_cap;

    const struct command *bcmd; /* blocked: the command to re-run */
    struct resp_arg *bargv;
    int bargc;
    struct keyreg_entry **bkeys;
    int nbkeys;
    int64_t bdeadline_ms;       /* 0: no timeout */

    char *name;
    char *lib_name;
    char *lib_ver;
    int64_t ctime_ms;
    int64_t last_ms;
    char addr[64];
    char laddr[64];
    int fd;

    unsigned long long prop_wait; /* replies wait for this batch (propagate.h) */

    int repl_state;             /* replicas: enum in replication/repl.c */
    int repl_port;              /* REPLCONF listening-port */
    long long repl_ack_off;     /* REPLCONF ACK */
    int64_t repl_ack_ms;
    long long repl_snap_off;    /* offset of the snapshot it waits for */
    long long wait_target;      /* WAIT: offset, replicas, deadline */
    int wait_num;
    int64_t wait_deadline_ms;
    struct keyreg_entry *cache_wait; /* CACHE.GET WAIT: the lease's entry */
    int64_t cache_wait_deadline_ms;

    struct client *prev, *next;   /* server.clients */
    struct client *next_pending;  /* server.pending_writes */
};

struct config; /* server/config.h */
struct aof_state;

struct server_stats {
    uint64_t total_connections;
    uint64_t rejected_connections;
    uint64_t total_commands;
    uint64_t expired_keys;
    uint64_t evicted_keys;
    uint64_t keyspace_hits;
    uint64_t keyspace_misses;
    uint64_t net_input_bytes;
    uint64_t net_output_bytes;
    uint64_t unexpected_error_replies;
    uint64_t total_error_replies;
    uint64_t active_expire_cycles;
    uint64_t active_expire_time_us;
    size_t used_memory_peak;
    /* instantaneous_ops_per_sec: samples of total_commands */
    uint64_t ops_samples[16];
    int ops_idx;
    uint64_t ops_last_total;
    int64_t ops_last_ms;
};

/* The hash of namespace versions (CACHE.NS.BUMP). */
#define SERVER_NS_KEY "__surge_ns"
#define SERVER_NS_KEY_LEN 10

struct server {
    uv_loop_t *loop;
    uv_tcp_t *listeners[16];      /* heap: a closing one outlives its slot */
    int nlisteners;
    char bound[1100];             /* "bind|port" the listeners serve */
    uv_check_t flush_check;
    uv_timer_t cron_timer;
    uv_timer_t expire_timer;
    uv_signal_t sig_term;
    uv_signal_t sig_int;
    uv_idle_t load_idle;

    struct db *dbs;
    int ndbs;

    struct client *clients;       /* all connected clients */
    size_t nclients;
    struct client *pending_writes;
    uint64_t next_client_id;

    int64_t now_ms;               /* wall clock, cached per event */
    int64_t start_ms;
    int64_t start_mono_ms;
    pid_t pid;
    char run_id[41];
    char executable[1024];
    char config_file[1024];
    int tcp_port_bound;
    int shutdown_asap;
    int exit_code;

    struct server_stats stats;
    struct config *cfg;

    unsigned long long dirty;     /* changes to the dataset, ever */
    int loading;                  /* replaying the AOF at start-up */
    int applying_master;          /* a replica runs its primary's stream */
    bool cache_ns_used;           /* a SERVER_NS_KEY key was ever added (cmd_cache.c) */
    struct client *current_client; /* the client whose command runs */
    struct aof_state *aof;        /* persistence/aof.c */
    struct evict_pool evict_pool; /* server/evict.c */
};

extern struct server server;

/* Refresh server.now_ms from the wall clock. */
void server_update_time(void);
/* Wall clock in ms, microseconds. */
int64_t server_mstime(void);
int64_t server_ustime(void);
/* Stop the loop after this iteration (SIGTERM, SHUTDOWN). */
void server_request_shutdown(int exit_code);

#endif

/* Lifecycle, called by main.c in order. */
int server_init(int argc, char **argv);
int server_run(void);
void server_teardown(void);
/* Re-arm the cron timer after `hz` changed. */
void server_cron_reschedule(int hz);
