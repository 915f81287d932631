/* config.c - see config.h. One row per setting drives the file parser,
 * the command line, CONFIG GET/SET/REWRITE. */
#include "server/config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "server/cmd.h"
#include "server/conn.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/mem.h"
#include "server/server.h"
#include "server/util.h"
#include "persistence/aof.h"
#include "replication/repl.h"

enum cfg_type { CFG_BOOL, CFG_INT, CFG_MEMORY, CFG_ENUM, CFG_STRING, CFG_OBUF };

#define CFG_IMMUTABLE 0x1u
#define CFG_MULTI_ARG 0x2u /* several words, stored space-separated */

struct cfg_row {
    const char *name;
    const char *alias;
    enum cfg_type type;
    unsigned flags;
    size_t offset;
    const char *default_value;
    long long min, max;
    const char *const *enum_names;
    /* Called after a runtime change; returns 0 or -errno with *err set. */
    int (*apply)(struct config *cfg, const char **err);
};

static const char *const loglevel_names[] = {"debug", "verbose", "notice", "warning", "nothing",
                                             NULL};

static int apply_log(struct config *cfg, const char **err)
{
    (void)err;
    log_configure(cfg->loglevel, cfg->logfile);
    return 0;
}

static int apply_dir(struct config *cfg, const char **err)
{
    if (chdir(cfg->dir) != 0) {
        *err = strerror(errno);
        return -errno;
    }
    return 0;
}

static int apply_listen(struct config *cfg, const char **err)
{
    (void)cfg;
    return server_listen(err);
}

static int apply_hz(struct config *cfg, const char **err)
{
    (void)err;
    server_cron_reschedule((int)cfg->hz);
    return 0;
}

static const char *const appendfsync_names[] = {"always", "everysec", "no", NULL};
static const char *const fsync_thread_names[] = {"auto", "yes", "no", NULL};
static const char *const maxmemory_policy_names[] = {
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru",
    "allkeys-lfu",  "allkeys-random", "noeviction", NULL};

static int apply_backlog(struct config *cfg, const char **err)
{
    (void)cfg;
    (void)err;
    if (repl.has_backlog) {
        repl_backlog_ensure(); /* resizes */
    }
    return 0;
}

static int apply_appendonly(struct config *cfg, const char **err)
{
    return aof_apply_enabled(cfg->appendonly != 0, err);
}

#define OFF(field) offsetof(struct config, field)
#define LL_MAX_ 9223372036854775807LL

static const struct cfg_row cfg_rows[] = {
    {"port", NULL, CFG_INT, 0, OFF(port), "6379", 0, 65535, NULL, apply_listen},
    {"bind", NULL, CFG_STRING, CFG_MULTI_ARG, OFF(bind), "127.0.0.1 -::1", 0, 0, NULL, apply_listen},
    {"tcp-backlog", NULL, CFG_INT, CFG_IMMUTABLE, OFF(tcp_backlog), "511", 0, 65535, NULL, NULL},
    {"databases", NULL, CFG_INT, CFG_IMMUTABLE, OFF(databases), "16", 1, SERVER_MAX_DBS, NULL,
     NULL},
    {"maxclients", NULL, CFG_INT, 0, OFF(maxclients), "10000", 1, 1000000, NULL, NULL},
    {"loglevel", NULL, CFG_ENUM, 0, OFF(loglevel), "notice", 0, 0, loglevel_names, apply_log},
    {"logfile", NULL, CFG_STRING, CFG_IMMUTABLE, OFF(logfile), "", 0, 0, NULL, NULL},
    {"daemonize", NULL, CFG_BOOL, CFG_IMMUTABLE, OFF(daemonize), "no", 0, 1, NULL, NULL},
    {"pidfile", NULL, CFG_STRING, CFG_IMMUTABLE, OFF(pidfile), "", 0, 0, NULL, NULL},
    {"dir", NULL, CFG_STRING, 0, OFF(dir), "", 0, 0, NULL, apply_dir},
    {"requirepass", NULL, CFG_STRING, 0, OFF(requirepass), "", 0, 0, NULL, NULL},
    {"timeout", NULL, CFG_INT, 0, OFF(timeout), "0", 0, 2147483647, NULL, NULL},
    {"tcp-keepalive", NULL, CFG_INT, 0, OFF(tcp_keepalive), "300", 0, 2147483647, NULL, NULL},
    {"hz", NULL, CFG_INT, 0, OFF(hz), "10", 1, 500, NULL, apply_hz},
    {"proto-max-bulk-len", NULL, CFG_MEMORY, 0, OFF(proto_max_bulk_len), "512mb", 1024 * 1024,
     LL_MAX_, NULL, NULL},
    {"client-query-buffer-limit", NULL, CFG_MEMORY, 0, OFF(client_query_buffer_limit), "1gb",
     1024 * 1024, LL_MAX_, NULL, NULL},
    {"maxmemory", NULL, CFG_MEMORY, 0, OFF(maxmemory), "0", 0, LL_MAX_, NULL, NULL},
    {"maxmemory-policy", NULL, CFG_ENUM, 0, OFF(maxmemory_policy), "noeviction", 0, 0,
     maxmemory_policy_names, NULL},
    {"maxmemory-samples", NULL, CFG_INT, 0, OFF(maxmemory_samples), "5", 1, 64, NULL, NULL},
    {"maxmemory-eviction-tenacity", NULL, CFG_INT, 0, OFF(maxmemory_eviction_tenacity), "10", 0,
     100, NULL, NULL},
    {"lfu-log-factor", NULL, CFG_INT, 0, OFF(lfu_log_factor), "10", 0, 2147483647, NULL, NULL},
    {"lfu-decay-time", NULL, CFG_INT, 0, OFF(lfu_decay_time), "1", 0, 2147483647, NULL, NULL},
    {"replica-ignore-maxmemory", "slave-ignore-maxmemory", CFG_BOOL, 0,
     OFF(replica_ignore_maxmemory), "yes", 0, 1, NULL, NULL},
    {"hash-max-listpack-entries", "hash-max-ziplist-entries", CFG_INT, 0,
     OFF(hash_max_listpack_entries), "512", 0, LL_MAX_, NULL, NULL},
    {"hash-max-listpack-value", "hash-max-ziplist-value", CFG_INT, 0, OFF(hash_max_listpack_value),
     "64", 0, LL_MAX_, NULL, NULL},
    {"set-max-intset-entries", NULL, CFG_INT, 0, OFF(set_max_intset_entries), "512", 0, LL_MAX_,
     NULL, NULL},
    {"set-max-listpack-entries", NULL, CFG_INT, 0, OFF(set_max_listpack_entries), "128", 0,
     LL_MAX_, NULL, NULL},
    {"set-max-listpack-value", NULL, CFG_INT, 0, OFF(set_max_listpack_value), "64", 0, LL_MAX_,
     NULL, NULL},
    {"zset-max-listpack-entries", "zset-max-ziplist-entries", CFG_INT, 0,
     OFF(zset_max_listpack_entries), "128", 0, LL_MAX_, NULL, NULL},
    {"zset-max-listpack-value", "zset-max-ziplist-value", CFG_INT, 0,
     OFF(zset_max_listpack_value), "64", 0, LL_MAX_, NULL, NULL},
    {"appendonly", NULL, CFG_BOOL, 0, OFF(appendonly), "no", 0, 1, NULL, apply_appendonly},
    {"appendfsync", NULL, CFG_ENUM, 0, OFF(appendfsync), "everysec", 0, 0, appendfsync_names,
     NULL},
    {"appendfilename", NULL, CFG_STRING, CFG_IMMUTABLE, OFF(appendfilename), "appendonly.aof", 0,
     0, NULL, NULL},
    {"appenddirname", NULL, CFG_STRING, CFG_IMMUTABLE, OFF(appenddirname), "appendonlydir", 0, 0,
     NULL, NULL},
    {"auto-aof-rewrite-percentage", NULL, CFG_INT, 0, OFF(auto_aof_rewrite_percentage), "100", 0,
     2147483647, NULL, NULL},
    {"auto-aof-rewrite-min-size", NULL, CFG_MEMORY, 0, OFF(auto_aof_rewrite_min_size), "64mb", 0,
     LL_MAX_, NULL, NULL},
    {"aof-load-truncated", NULL, CFG_BOOL, 0, OFF(aof_load_truncated), "yes", 0, 1, NULL, NULL},
    {"aof-timestamp-enabled", NULL, CFG_BOOL, 0, OFF(aof_timestamp_enabled), "no", 0, 1, NULL,
     NULL},
    {"no-appendfsync-on-rewrite", NULL, CFG_BOOL, 0, OFF(no_appendfsync_on_rewrite), "no", 0, 1,
     NULL, NULL},
    {"save", NULL, CFG_STRING, CFG_MULTI_ARG, OFF(save), "", 0, 0, NULL, NULL},
    {"aof-use-rdb-preamble", NULL, CFG_BOOL, 0, OFF(aof_use_rdb_preamble), "no", 0, 1, NULL,
     NULL},
    {"aof-rewrite-incremental-fsync", NULL, CFG_BOOL, 0, OFF(aof_rewrite_incremental_fsync),
     "yes", 0, 1, NULL, NULL},
    {"aof-fsync-thread", NULL, CFG_ENUM, 0, OFF(aof_fsync_thread), "auto", 0, 0,
     fsync_thread_names, NULL},
    {"replicaof", "slaveof", CFG_STRING, CFG_IMMUTABLE | CFG_MULTI_ARG, OFF(replicaof), "", 0, 0, NULL, NULL},
    {"masterauth", NULL, CFG_STRING, 0, OFF(masterauth), "", 0, 0, NULL, NULL},
    {"masteruser", NULL, CFG_STRING, 0, OFF(masteruser), "", 0, 0, NULL, NULL},
    {"replica-read-only", "slave-read-only", CFG_BOOL, 0, OFF(replica_read_only), "yes", 0, 1,
     NULL, NULL},
    {"repl-backlog-size", NULL, CFG_MEMORY, 0, OFF(repl_backlog_size), "1mb", 16 * 1024, LL_MAX_,
     NULL, apply_backlog},
    {"repl-backlog-ttl", NULL, CFG_INT, 0, OFF(repl_backlog_ttl), "3600", 0, 2147483647, NULL,
     NULL},
    {"repl-timeout", NULL, CFG_INT, 0, OFF(repl_timeout), "60", 1, 2147483647, NULL, NULL},
    {"repl-ping-replica-period", "repl-ping-slave-period", CFG_INT, 0,
     OFF(repl_ping_replica_period), "10", 1, 2147483647, NULL, NULL},
    {"min-replicas-to-write", "min-slaves-to-write", CFG_INT, 0, OFF(min_replicas_to_write), "0",
     0, 2147483647, NULL, NULL},
    {"min-replicas-max-lag", "min-slaves-max-lag", CFG_INT, 0, OFF(min_replicas_max_lag), "10", 0,
     2147483647, NULL, NULL},
    {"replica-priority", "slave-priority", CFG_INT, 0, OFF(replica_priority), "100", 0,
     2147483647, NULL, NULL},
    {"replica-announced", NULL, CFG_BOOL, 0, OFF(replica_announced), "yes", 0, 1, NULL, NULL},
    {"replica-serve-stale-data", "slave-serve-stale-data", CFG_BOOL, 0,
     OFF(replica_serve_stale_data), "yes", 0, 1, NULL, NULL},
    {"repl-diskless-sync", NULL, CFG_BOOL, 0, OFF(repl_diskless_sync), "yes", 0, 1, NULL, NULL},
    {"repl-diskless-sync-delay", NULL, CFG_INT, 0, OFF(repl_diskless_sync_delay), "5", 0,
     2147483647, NULL, NULL},
    {"replica-announce-ip", "slave-announce-ip", CFG_STRING, 0, OFF(replica_announce_ip), "", 0,
     0, NULL, NULL},
    {"replica-announce-port", "slave-announce-port", CFG_INT, 0, OFF(replica_announce_port), "0",
     0, 65535, NULL, NULL},
    {"replica-lazy-flush", "slave-lazy-flush", CFG_BOOL, 0, OFF(replica_lazy_flush), "no", 0, 1,
     NULL, NULL},
    {"repl-disable-tcp-nodelay", NULL, CFG_BOOL, 0, OFF(repl_disable_tcp_nodelay), "no", 0, 1,
     NULL, NULL},
    {"cache-policy-file", NULL, CFG_STRING, 0, OFF(cache_policy_file), "", 0, 0, NULL, NULL},
    {"cache-policy-plain-commands", NULL, CFG_BOOL, 0, OFF(cache_policy_plain_commands), "no", 0,
     1, NULL, NULL},
    {"client-output-buffer-limit", NULL, CFG_OBUF, 0, OFF(obuf),
     "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", 0, 0, NULL, NULL},
};

#define CFG_NROWS ((int)(sizeof(cfg_rows) / sizeof(cfg_rows[0])))

static const struct cfg_row *cfg_find(const char *name)
{
    for (int i = 0; i < CFG_NROWS; i++) {
        if (strcasecmp(cfg_rows[i].name, name) == 0 ||
            (cfg_rows[i].alias != NULL && strcasecmp(cfg_rows[i].alias, name) == 0)) {
            return &cfg_rows[i];
        }
    }
    return NULL;
}

static void *cfg_field(struct config *cfg, const struct cfg_row *r)
{
    return (char *)cfg + r->offset;
}

/* save: Redis's "<seconds> <changes> ..." RDB schedule (seconds >= 1). Surge writes no
 * RDB (it persists with the AOF), so only the empty schedule, save "",
 * is accepted; a well-formed schedule is refused rather than ignored, so
 * nobody counts on snapshots that never happen. */
static int cfg_check_save(const char *s, const char **err)
{
    char buf[256], *words[64];
    if (snprintf(buf, sizeof(buf), "%s", s) >= (int)sizeof(buf)) {
        *err = "Invalid save parameters";
        return -EINVAL;
    }
    int n = util_split_words(buf, words, 64);
    for (int i = 0; i < n; i++) {
        long long v;
        if (util_parse_ll(words[i], strlen(words[i]), &v) < 0 || v < (i % 2 == 0 ? 1 : 0)) {
            n = -1;
            break;
        }
    }
    if (n < 0 || n % 2 != 0) {
        *err = "Invalid save parameters";
        return -EINVAL;
    }
    if (n > 0) {
        *err = "Surge writes no RDB snapshots: use save \"\" and appendonly yes (the AOF) "
               "for durability";
        return -EINVAL;
    }
    return 0;
}

/* Redis's memtoull: a number with an optional b/k/kb/m/mb/g/gb unit. */
static int cfg_parse_memory(const char *s, long long *out)
{
    static const struct {
        const char *unit;
        long long mul;
    } units[] = {{"", 1}, {"b", 1}, {"k", 1000}, {"kb", 1024}, {"m", 1000000},
                 {"mb", 1024 * 1024}, {"g", 1000000000LL}, {"gb", 1024LL * 1024 * 1024}};
    size_t digits = strspn(s, "0123456789");
    if (digits == 0 || digits > 19) {
        return -EINVAL;
    }
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcasecmp(s + digits, units[i].unit) == 0) {
            char num[24];
            memcpy(num, s, digits);
            num[digits] = '\0';
            unsigned long long v = strtoull(num, NULL, 10);
            if (v > (unsigned long long)LL_MAX_ / (unsigned long long)units[i].mul) {
                return -ERANGE;
            }
            *out = (long long)(v * (unsigned long long)units[i].mul);
            return 0;
        }
    }
    return -EINVAL;
}

static int cfg_parse_obuf(struct obuf_limit *limits, int argc, char **argv, const char **err)
{
    struct obuf_limit tmp[OBUF_CLASSES];
    memcpy(tmp, limits, sizeof(tmp));
    if (argc % 4 != 0) {
        *err = "Wrong number of arguments in buffer limit configuration.";
        return -EINVAL;
    }
    for (int i = 0; i < argc; i += 4) {
        int cls;
        if (strcasecmp(argv[i], "normal") == 0) {
            cls = OBUF_NORMAL;
        } else if (strcasecmp(argv[i], "slave") == 0 || strcasecmp(argv[i], "replica") == 0) {
            cls = OBUF_REPLICA;
        } else if (strcasecmp(argv[i], "pubsub") == 0) {
            cls = OBUF_PUBSUB;
        } else {
            *err = "Invalid client class specified in buffer limit configuration.";
            return -EINVAL;
        }
        long long hard, soft, secs;
        if (cfg_parse_memory(argv[i + 1], &hard) < 0 || cfg_parse_memory(argv[i + 2], &soft) < 0 ||
            util_parse_ll(argv[i + 3], strlen(argv[i + 3]), &secs) < 0 || secs < 0) {
            *err = "Error in hard, soft or soft_seconds setting in buffer limit configuration.";
            return -EINVAL;
        }
        tmp[cls] = (struct obuf_limit){hard, soft, secs};
    }
    memcpy(limits, tmp, sizeof(tmp));
    return 0;
}

/* Parse argv into the row's field. Errors use Redis's wording. */
static int cfg_set_value(struct config *cfg, const struct cfg_row *r, int argc, char **argv,
                         const char **err)
{
    static char msg[512];
    void *field = cfg_field(cfg, r);
    long long v = 0;
    if (r->type == CFG_OBUF) {
        return cfg_parse_obuf(field, argc, argv, err);
    }
    const char *s = argv[0];
    switch (r->type) {
    case CFG_BOOL:
        if (strcasecmp(s, "yes") != 0 && strcasecmp(s, "no") != 0) {
            *err = "argument must be 'yes' or 'no'";
            return -EINVAL;
        }
        *(int *)field = strcasecmp(s, "yes") == 0;
        return 0;
    case CFG_ENUM:
        for (int i = 0; r->enum_names[i] != NULL; i++) {
            if (strcasecmp(s, r->enum_names[i]) == 0) {
                *(int *)field = i;
                return 0;
            }
        }
        {
            size_t n = (size_t)snprintf(msg, sizeof(msg),
                                        "argument(s) must be one of the following: ");
            for (int i = 0; r->enum_names[i] != NULL && n < sizeof(msg); i++) {
                n += (size_t)snprintf(msg + n, sizeof(msg) - n, "%s%s", i ? ", " : "",
                                      r->enum_names[i]);
            }
        }
        *err = msg;
        return -EINVAL;
    case CFG_STRING:
        if (field == (void *)&cfg->save && cfg_check_save(s, err) < 0) {
            return -EINVAL;
        }
        mem_free(*(char **)field);
        *(char **)field = mem_strdup(s);
        return 0;
    case CFG_INT:
        if (util_parse_ll(s, strlen(s), &v) < 0) {
            *err = "argument couldn't be parsed into an integer";
            return -EINVAL;
        }
        break;
    case CFG_MEMORY:
        if (cfg_parse_memory(s, &v) < 0) {
            *err = "argument must be a memory value";
            return -EINVAL;
        }
        break;
    default:
        return -EINVAL;
    }
    if (v < r->min || v > r->max) {
        snprintf(msg, sizeof(msg), "argument must be between %lld and %lld inclusive", r->min,
                 r->max);
        *err = msg;
        return -ERANGE;
    }
    *(long long *)field = v;
    return 0;
}

/* The value as CONFIG GET and CONFIG REWRITE show it. */
static void cfg_format(struct config *cfg, const struct cfg_row *r, char *buf, size_t len)
{
    void *field = cfg_field(cfg, r);
    switch (r->type) {
    case CFG_BOOL:
        snprintf(buf, len, "%s", *(int *)field ? "yes" : "no");
        break;
    case CFG_ENUM:
        snprintf(buf, len, "%s", r->enum_names[*(int *)field]);
        break;
    case CFG_STRING:
        if (field == (void *)&cfg->dir && getcwd(buf, len) != NULL) {
            break; /* Redis shows the working directory it is in */
        }
        snprintf(buf, len, "%s", *(char **)field ? *(char **)field : "");
        break;
    case CFG_INT:
    case CFG_MEMORY:
        snprintf(buf, len, "%lld", *(long long *)field);
        break;
    case CFG_OBUF: {
        const struct obuf_limit *o = field;
        snprintf(buf, len, "normal %lld %lld %lld slave %lld %lld %lld pubsub %lld %lld %lld",
                 o[0].hard_bytes, o[0].soft_bytes, o[0].soft_seconds, o[1].hard_bytes,
                 o[1].soft_bytes, o[1].soft_seconds, o[2].hard_bytes, o[2].soft_bytes,
                 o[2].soft_seconds);
        break;
    }
    }
}

void config_init(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    for (int i = 0; i < CFG_NROWS; i++) {
        char *words[16];
        char buf[256];
        const char *err = NULL;
        snprintf(buf, sizeof(buf), "%s", cfg_rows[i].default_value);
        int n = util_split_words(buf, words, 16);
        if (n == 0) {
            words[0] = buf;
            n = 1;
        }
        if (cfg_set_value(cfg, &cfg_rows[i], n, words, &err) != 0) {
            abort(); /* a default that doesn't parse is our bug */
        }
    }
}

void config_deinit(struct config *cfg)
{
    for (int i = 0; i < CFG_NROWS; i++) {
        if (cfg_rows[i].type == CFG_STRING) {
            char **p = cfg_field(cfg, &cfg_rows[i]);
            mem_free(*p);
            *p = NULL;
        }
    }
}

const char *config_loglevel_name(int level)
{
    return loglevel_names[level];
}

int config_set_startup(struct config *cfg, int argc, char **argv, const char **err)
{
    const struct cfg_row *r = cfg_find(argv[0]);
    char joined[1024];
    if (r == NULL) {
        *err = "Bad directive or wrong number of arguments";
        return -EINVAL;
    }
    if (r->type == CFG_OBUF) {
        return cfg_set_value(cfg, r, argc - 1, argv + 1, err);
    }
    if (argc == 1 && r->type == CFG_STRING) {
        char *empty[] = {""};
        return cfg_set_value(cfg, r, 1, empty, err);
    }
    if (argc > 2 && (r->flags & CFG_MULTI_ARG)) {
        /* bind takes a list of addresses, replicaof host and port. */
        if (util_join_words(joined, sizeof(joined), argc - 1, argv + 1) < 0) {
            *err = "Too many bind addresses specified.";
            return -EINVAL;
        }
        char *one[] = {joined};
        return cfg_set_value(cfg, r, 1, one, err);
    }
    if (argc != 2) {
        *err = "Bad directive or wrong number of arguments";
        return -EINVAL;
    }
    return cfg_set_value(cfg, r, 1, argv + 1, err);
}

static void cfg_fatal(int line, const char *text, size_t len, const char *err)
{
    fprintf(stderr,
            "\n*** FATAL CONFIG FILE ERROR (Surge %s) ***\n"
            "Reading the configuration file, at line %d\n>>> '%.*s'\n%s\n",
            SURGE_VERSION, line, (int)len, text, err);
}

/* Apply config text line by line (file contents, then the command line's
 * options as lines, as Redis does), splitting words with the RESP inline
 * parser so quoting rules are Redis's. */
static int cfg_load_text(struct config *cfg, char *text, size_t len)
{
    struct resp_parser p;
    int rc = 0, line = 0;
    resp_parser_init(&p, NULL, mem_realloc);
    size_t pos = 0;
    while (pos < len && rc == 0) {
        char *nl = memchr(text + pos, '\n', len - pos);
        size_t end = nl != NULL ? (size_t)(nl - text) : len;
        size_t linelen = end - pos;
        char *copy = mem_strndup(text + pos, linelen);
        line++;
        size_t skip = strspn(copy, " \t\r");
        if (copy[skip] != '#' && copy[skip] != '\0') {
            char *buf = mem_alloc(linelen + 2);
            memcpy(buf, text + pos, linelen);
            buf[linelen] = '\n';
            size_t used;
            const char *err = NULL;
            resp_parser_reset(&p);
            if (resp_parse(&p, buf + skip, linelen - skip + 1, &used) != RESP_OK) {
                err = "Unbalanced quotes in configuration line";
            } else if (p.argc > 0) {
                char *words[64];
                int n = p.argc < 64 ? p.argc : 64;
                for (int i = 0; i < n; i++) {
                    p.argv[i].ptr[p.argv[i].len] = '\0';
                    words[i] = p.argv[i].ptr;
                }
                if (config_set_startup(cfg, n, words, &err) == 0) {
                    err = NULL;
                }
            }
            if (err != NULL) {
                cfg_fatal(line, copy, linelen, err);
                rc = -EINVAL;
            }
            mem_free(buf);
        }
        mem_free(copy);
        pos = end + 1;
    }
    resp_parser_deinit(&p);
    return rc;
}

int config_load(struct config *cfg, const char *path, int argc, char **argv)
{
    char *text = NULL;
    size_t len = 0;
    int rc = path != NULL ? util_read_file(path, 0, &text, &len) : 0;
    if (rc < 0) {
        fprintf(stderr, "Fatal error, can't open config file '%s': %s\n", path, strerror(-rc));
        return -EINVAL;
    }
    /* "--name v1 v2 --other v" becomes lines "name v1 v2\nother v\n". Values
     * are quoted so spaces and empty strings survive the word split. */
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        bool opt = strncmp(a, "--", 2) == 0 && a[2] != '\0';
        size_t need = len + strlen(a) * 4 + 8;
        text = mem_realloc(text, need);
        if (opt) {
            len += (size_t)sprintf(text + len, "%s%s", len > 0 ? "\n" : "", a + 2);
        } else {
            len += util_quote(text + len, a);
        }
    }
    rc = cfg_load_text(cfg, text != NULL ? text : "", len);
    mem_free(text);
    return rc;
}

/* ---- CONFIG GET / SET / RESETSTAT / REWRITE / HELP ---- */

/* The argument of CONFIG GET that matches a name, or NULL (an alias
 * counts as a name of its own, and is listed under it, as Redis does). */
static const struct resp_arg *cfg_pattern_matches(struct client *c, const char *name)
{
    for (int a = 2; a < c->argc; a++) {
        if (util_glob_match(c->argv[a].ptr, c->argv[a].len, name, strlen(name), true)) {
            return &c->argv[a];
        }
    }
    return NULL;
}

static bool cfg_is_glob(const struct resp_arg *a)
{
    return strpbrk(a->ptr, "*?[") != NULL;
}

void cmd_config_get(struct client *c)
{
    size_t handle = reply_defer_len(REPLY(c));
    long long n = 0;
    for (int i = 0; i < CFG_NROWS; i++) {
        const struct cfg_row *r = &cfg_rows[i];
        const char *names[2] = {r->name, r->alias};
        for (int k = 0; k < 2; k++) {
            const struct resp_arg *a = names[k] != NULL ? cfg_pattern_matches(c, names[k]) : NULL;
            if (a != NULL) {
                char buf[512];
                cfg_format(server.cfg, r, buf, sizeof(buf));
                /* An exact name is echoed as the client wrote it. */
                if (cfg_is_glob(a)) {
                    reply_bulk_cstr(REPLY(c), names[k]);
                } else {
                    reply_bulk(REPLY(c), a->ptr, a->len);
                }
                reply_bulk_cstr(REPLY(c), buf);
                n++;
            }
        }
    }
    reply_set_map_len(REPLY(c), handle, n);
}

/* Parse one CONFIG SET value into cfg (a scratch copy). */
static int cfg_set_runtime(struct config *cfg, const struct cfg_row *r, char *value,
                           const char **err)
{
    if (r->flags & CFG_IMMUTABLE) {
        *err = "can't set immutable config";
        return -EPERM;
    }
    if (r->type == CFG_OBUF) {
        char *words[64];
        int n = util_split_words(value, words, 64);
        return cfg_parse_obuf(cfg_field(cfg, r), n, words, err);
    }
    char *one[] = {value};
    return cfg_set_value(cfg, r, 1, one, err);
}

static void cfg_copy_strings(struct config *dst, const struct config *src)
{
    for (int i = 0; i < CFG_NROWS; i++) {
        if (cfg_rows[i].type == CFG_STRING) {
            char **d = cfg_field(dst, &cfg_rows[i]);
            *d = mem_strdup(*(char *const *)cfg_field((struct config *)src, &cfg_rows[i]));
        }
    }
}

void cmd_config_set(struct client *c)
{
    const struct cfg_row *rows[64];
    int n = (c->argc - 2) / 2;
    const char *err = NULL;
    int bad = -1;
    if ((c->argc - 2) % 2 != 0 || n > 64) {
        reply_error(REPLY(c), "ERR syntax error");
        return;
    }
    for (int i = 0; i < n && bad < 0; i++) {
        rows[i] = cfg_find(c->argv[2 + 2 * i].ptr);
        if (rows[i] == NULL) {
            reply_errorf(REPLY(c), "ERR Unknown option or number of arguments for CONFIG SET - '%s'",
                         c->argv[2 + 2 * i].ptr);
            return;
        }
        for (int j = 0; j < i; j++) {
            if (rows[j] == rows[i]) {
                err = "duplicate parameter";
                bad = i;
            }
        }
    }
    /* Validate everything on a scratch copy, then apply: all or nothing. */
    struct config next = *server.cfg;
    cfg_copy_strings(&next, server.cfg);
    for (int i = 0; i < n && bad < 0; i++) {
        if (cfg_set_runtime(&next, rows[i], c->argv[3 + 2 * i].ptr, &err) < 0) {
            bad = i;
        }
    }
    if (bad < 0) {
        struct config prev = *server.cfg;
        *server.cfg = next;
        next = prev; /* the old strings are freed below */
        for (int i = 0; i < n && bad < 0; i++) {
            if (rows[i]->apply != NULL && rows[i]->apply(server.cfg, &err) < 0) {
                bad = i;
            }
        }
        if (bad >= 0) {
            /* Roll back to the previous values and re-apply them. */
            struct config failed = *server.cfg;
            *server.cfg = next;
            next = failed;
            for (int i = 0; i < n; i++) {
                const char *ignored;
                if (rows[i]->apply != NULL) {
                    rows[i]->apply(server.cfg, &ignored);
                }
            }
        }
    }
    config_deinit(&next);
    if (bad >= 0) {
        reply_errorf(REPLY(c), "ERR CONFIG SET failed (possibly related to argument '%s') - %s",
                     c->argv[2 + 2 * bad].ptr, err);
        return;
    }
    reply_ok(REPLY(c));
}

void cmd_config_resetstat(struct client *c)
{
    memset(&server.stats, 0, sizeof(server.stats));
    server.stats.ops_last_ms = server.now_ms;
    for (int i = 0; i < cmd_count(); i++) {
        struct command *cmd = cmd_at(i);
        for (int k = -1; k < 0 || (cmd->subs != NULL && cmd->subs[k] != NULL); k++) {
            struct command *x = k < 0 ? cmd : (struct command *)cmd->subs[k];
            x->calls = x->usec_ticks = x->rejected_calls = x->failed_calls = 0;
        }
    }
    reply_ok(REPLY(c));
}

/* Write every setting's current value into the config file (comments are
 * not kept), replacing it atomically (util_write_file_atomic). */
void cmd_config_rewrite(struct client *c)
{
    if (server.config_file[0] == '\0') {
        reply_error(REPLY(c), "ERR The server is running without a config file");
        return;
    }
    char tmp[1100], *text = NULL;
    size_t len = 0;
    snprintf(tmp, sizeof(tmp), "%s.tmp-%d", server.config_file, (int)getpid());
    FILE *f = open_memstream(&text, &len);
    int ok = f != NULL;
    for (int i = 0; ok && i < CFG_NROWS; i++) {
        char buf[512], quoted[2100];
        cfg_format(server.cfg, &cfg_rows[i], buf, sizeof(buf));
        if (cfg_rows[i].type == CFG_STRING) {
            util_quote(quoted, buf);
        } else {
            snprintf(quoted, sizeof(quoted), " %s", buf);
        }
        ok = fprintf(f, "%s%s\n", cfg_rows[i].name, quoted) > 0;
    }
    ok = f != NULL && fclose(f) == 0 && ok;
    int rc = ok ? util_write_file_atomic(server.config_file, tmp, text, len) : -ENOMEM;
    free(text); /* open_memstream's buffer comes from malloc */
    if (rc < 0) {
        reply_errorf(REPLY(c), "ERR Rewriting config file: %s", strerror(-rc));
        return;
    }
    reply_ok(REPLY(c));
}

void cmd_config_help(struct client *c)
{
    static const char *const lines[] = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        NULL,
    };
    cmd_reply_help(c, lines);
}

void config_set_replicaof(const char *value)
{
    mem_free(server.cfg->replicaof);
    server.cfg->replicaof = mem_strdup(value);
}

const char *config_maxmemory_policy_name(int policy)
{
    return maxmemory_policy_names[policy];
}
