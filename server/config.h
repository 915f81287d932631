/* config.h - every setting, one table row each.
 *
 * The rows drive the config file (redis.conf syntax), `--name value` on the
 * command line, CONFIG GET/SET/REWRITE and INFO. Names, defaults, bounds and
 * error texts are Redis's.
 */
#ifndef SURGE_SERVER_CONFIG_H
#define SURGE_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol/reply.h"

enum log_level { LL_DEBUG = 0, LL_VERBOSE, LL_NOTICE, LL_WARNING, LL_NOTHING };

enum obuf_class { OBUF_NORMAL = 0, OBUF_REPLICA, OBUF_PUBSUB, OBUF_CLASSES };

struct obuf_limit {
    long long hard_bytes;
    long long soft_bytes;
    long long soft_seconds;
};

struct config {
    long long port;
    char *bind;            /* space-separated addresses */
    long long tcp_backlog;
    long long databases;
    long long maxclients;
    int loglevel;
    char *logfile;
    int daemonize;
    char *pidfile;
    char *dir;
    char *requirepass;
    long long timeout;
    long long tcp_keepalive;
    long long hz;
    long long proto_max_bulk_len;
    long long client_query_buffer_limit;
    long long maxmemory;
    long long hash_max_listpack_entries;
    long long hash_max_listpack_value;
    long long set_max_intset_entries;
    long long set_max_listpack_entries;
    long long set_max_listpack_value;
    long long zset_max_listpack_entries;
    long long zset_max_listpack_value;
    struct obuf_limit obuf[OBUF_CLASSES];
    int appendonly;
    int appendfsync;        /* enum aof_fsync */
    char *appendfilename;
    char *appenddirname;
    long long auto_aof_rewrite_percentage;
    long long auto_aof_rewrite_min_size;
    int aof_load_truncated;
    int aof_timestamp_enabled;
    int no_appendfsync_on_rewrite;
    int aof_use_rdb_preamble;
    char *save;             /* RDB schedule: always "" (Surge keeps no RDB) */
    int aof_rewrite_incremental_fsync;
    int aof_fsync_thread;   /* enum aof_fsync_thread (Surge's own) */
    char *replicaof;        /* "host port", or "" */
    char *masterauth;
    char *masteruser;
    int replica_read_only;
    long long repl_backlog_size;
    long long repl_backlog_ttl;
    long long repl_timeout;
    long long repl_ping_replica_period;
    long long min_replicas_to_write;
    long long min_replicas_max_lag;
    long long replica_priority;
    int replica_announced;
    int replica_serve_stale_data;
    int repl_diskless_sync;
    long long repl_diskless_sync_delay;
    char *replica_announce_ip;
    long long replica_announce_port;
    int replica_lazy_flush;
    char *cache_policy_file;         /* Surge's own */
    int cache_policy_plain_commands; /* Surge's own */
    int repl_disable_tcp_nodelay;
    int maxmemory_policy;   /* enum maxmemory_policy (server/evict.h) */
    long long maxmemory_samples;
    long long maxmemory_eviction_tenacity;
    long long lfu_log_factor;
    long long lfu_decay_time;
    int replica_ignore_maxmemory;
};

/* Set every field to its default. */
void config_init(struct config *cfg);
void config_deinit(struct config *cfg);
/* Load a redis.conf-syntax file, then apply argv-style "--name value ..."
 * overrides (already split; a word after --name that doesn't start with
 * "--" is a value). On error, prints Redis's FATAL CONFIG message to stderr
 * and returns -EINVAL. */
int config_load(struct config *cfg, const char *path, int argc, char **argv);
/* Apply one "name value..." setting at start-up; 0 or -EINVAL with *err. */
int config_set_startup(struct config *cfg, int argc, char **argv, const char **err);

const char *config_loglevel_name(int level);
const char *config_maxmemory_policy_name(int policy);
/* Record the replication source after REPLICAOF (CONFIG GET/REWRITE show
 * it): "host port" or "". */
void config_set_replicaof(const char *value);

#endif
