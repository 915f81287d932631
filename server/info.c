/* info.c - INFO: Redis's sections and field names, from server state. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/utsname.h>

#include "persistence/aof.h"
#include "replication/repl.h"
#include "server/cmd.h"
#include "server/config.h"
#include "server/blocking.h"
#include "server/conn.h"
#include "server/handlers.h"
#include "server/lazyfree.h"
#include "server/mem.h"
#include "server/util.h"

struct info_text {
    char *p;
    size_t len, cap;
};

static void info_add(struct info_text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void info_add(struct info_text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        t->cap = t->cap * 2 + (n > 0 ? (size_t)n : 0);
        t->p = mem_realloc(t->p, t->cap);
    }
}

static void info_server(struct info_text *t)
{
    struct utsname u;
    uname(&u);
    int64_t up = (server.now_ms - server.start_ms) / 1000;
    info_add(t,
             "# Server\r\nredis_version:%s\r\nsurge_version:%s\r\nredis_mode:standalone\r\n"
             "os:%s %s %s\r\narch_bits:%d\r\nmultiplexing_api:libuv\r\ngcc_version:%d.%d.%d\r\n"
             "process_id:%d\r\nrun_id:%s\r\ntcp_port:%d\r\nserver_time_usec:%lld\r\n"
             "uptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\nhz:%lld\r\nconfigured_hz:%lld\r\n"
             "executable:%s\r\nconfig_file:%s\r\n",
             SURGE_REDIS_VERSION, SURGE_VERSION, u.sysname, u.release, u.machine,
             (int)(sizeof(void *) * 8), __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
             (int)server.pid, server.run_id, server.tcp_port_bound,
             (long long)server_ustime(), (long long)up, (long long)(up / 86400),
             server.cfg->hz, server.cfg->hz, server.executable, server.config_file);
}

static void info_clients(struct info_text *t)
{
    size_t max_in = 0, max_out = 0, cache_waits = 0; /* CACHE.GET ... WAIT blocks too */
    for (struct client *c = server.clients; c != NULL; c = c->next) {
        cache_waits += (c->flags & CLIENT_CACHE_WAIT) != 0;
        max_in = c->qcap > max_in ? c->qcap : max_in;
        max_out = conn_output_bytes(c) > max_out ? conn_output_bytes(c) : max_out;
    }
    info_add(t,
             "# Clients\r\nconnected_clients:%zu\r\ncluster_connections:0\r\nmaxclients:%lld\r\n"
             "client_recent_max_input_buffer:%zu\r\nclient_recent_max_output_buffer:%zu\r\n"
             "blocked_clients:%zu\r\ntracking_clients:0\r\nclients_in_timeout_table:%zu\r\n",
             server.nclients, server.cfg->maxclients, max_in, max_out,
             blocking_clients() + cache_waits, blocking_clients() + cache_waits);
}

static void info_memory(struct info_text *t)
{
    size_t used = mem_used(), rss = mem_rss(), allocated, active, resident;
    mem_allocator_stats(&allocated, &active, &resident);
    if (used > server.stats.used_memory_peak) {
        server.stats.used_memory_peak = used;
    }
    char h_used[32], h_rss[32], h_peak[32], h_max[32];
    util_bytes_human(h_used, sizeof(h_used), used);
    util_bytes_human(h_rss, sizeof(h_rss), rss);
    util_bytes_human(h_peak, sizeof(h_peak), server.stats.used_memory_peak);
    util_bytes_human(h_max, sizeof(h_max), (unsigned long long)server.cfg->maxmemory);
    info_add(t,
             "# Memory\r\nused_memory:%zu\r\nused_memory_human:%s\r\nused_memory_rss:%zu\r\n"
             "used_memory_rss_human:%s\r\nused_memory_peak:%zu\r\nused_memory_peak_human:%s\r\n"
             "allocator_allocated:%zu\r\nallocator_active:%zu\r\nallocator_resident:%zu\r\n"
             "maxmemory:%lld\r\nmaxmemory_human:%s\r\nmaxmemory_policy:%s\r\n"
             "mem_fragmentation_ratio:%.2f\r\nmem_allocator:jemalloc\r\n"
             "lazyfree_pending_objects:%zu\r\n",
             used, h_used, rss, h_rss, server.stats.used_memory_peak, h_peak, allocated, active,
             resident, server.cfg->maxmemory, h_max,
             config_maxmemory_policy_name(server.cfg->maxmemory_policy),
             used > 0 ? (double)rss / (double)used : 0.0,
             lazyfree_pending());
}

static void info_persistence(struct info_text *t)
{
    char buf[4096];
    aof_info(buf, sizeof(buf));
    info_add(t, "# Persistence\r\n%s", buf);
}

static void info_stats(struct info_text *t)
{
    const struct server_stats *st = &server.stats;
    uint64_t ops = 0;
    for (int i = 0; i < 16; i++) {
        ops += st->ops_samples[i];
    }
    info_add(t,
             "# Stats\r\ntotal_connections_received:%llu\r\ntotal_commands_processed:%llu\r\n"
             "instantaneous_ops_per_sec:%llu\r\ntotal_net_input_bytes:%llu\r\n"
             "total_net_output_bytes:%llu\r\nrejected_connections:%llu\r\nexpired_keys:%llu\r\n"
             "evicted_keys:%llu\r\nkeyspace_hits:%llu\r\nkeyspace_misses:%llu\r\n"
             "expire_cycle_cpu_milliseconds:%llu\r\ntotal_error_replies:%llu\r\n",
             (unsigned long long)st->total_connections, (unsigned long long)st->total_commands,
             (unsigned long long)(ops / 16), (unsigned long long)st->net_input_bytes,
             (unsigned long long)st->net_output_bytes,
             (unsigned long long)st->rejected_connections, (unsigned long long)st->expired_keys,
             (unsigned long long)st->evicted_keys, (unsigned long long)st->keyspace_hits,
             (unsigned long long)st->keyspace_misses,
             (unsigned long long)(st->active_expire_time_us / 1000),
             (unsigned long long)st->total_error_replies);
    char buf[256];
    repl_info_stats(buf, sizeof(buf));
    info_add(t, "%s", buf);
}

static void info_replication(struct info_text *t)
{
    char buf[8192];
    repl_info(buf, sizeof(buf));
    info_add(t, "# Replication\r\n%s", buf);
}

static void info_cpu(struct info_text *t)
{
    struct rusage self;
    getrusage(RUSAGE_SELF, &self);
    info_add(t, "# CPU\r\nused_cpu_sys:%ld.%06ld\r\nused_cpu_user:%ld.%06ld\r\n",
             (long)self.ru_stime.tv_sec, (long)self.ru_stime.tv_usec,
             (long)self.ru_utime.tv_sec, (long)self.ru_utime.tv_usec);
}

static void info_commandstat(struct info_text *t, const struct command *cmd)
{
    if (cmd->calls == 0 && cmd->rejected_calls == 0 && cmd->failed_calls == 0) {
        return;
    }
    info_add(t,
             "cmdstat_%s:calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,"
             "failed_calls=%llu\r\n",
             cmd->name, (unsigned long long)cmd->calls, (unsigned long long)cmd_usec(cmd),
             cmd->calls > 0 ? (double)cmd_usec(cmd) / (double)cmd->calls : 0.0,
             (unsigned long long)cmd->rejected_calls, (unsigned long long)cmd->failed_calls);
}

static void info_commandstats(struct info_text *t)
{
    info_add(t, "# Commandstats\r\n");
    for (int i = 0; i < cmd_count(); i++) {
        const struct command *cmd = cmd_at(i);
        info_commandstat(t, cmd);
        for (int k = 0; cmd->subs != NULL && cmd->subs[k] != NULL; k++) {
            info_commandstat(t, cmd->subs[k]);
        }
    }
}

/* Like Redis's avg_ttl, an estimate: the mean remaining TTL of a few
 * random keys that have one. */
static long long info_avg_ttl(struct db *db)
{
    long long sum = 0, n = 0;
    for (int k = 0; k < 32 && db->expires_count > 0; k++) {
        struct entry *e = db_random(db);
        if (e != NULL && entry_has_expire(e) && entry_expire(e) > server.now_ms) {
            sum += entry_expire(e) - server.now_ms;
            n++;
        }
    }
    return n > 0 ? sum / n : 0;
}

static void info_keyspace(struct info_text *t)
{
    info_add(t, "# Keyspace\r\n");
    for (int i = 0; i < server.ndbs; i++) {
        struct db *db = &server.dbs[i];
        if (db_size(db) > 0) {
            info_add(t, "db%d:keys=%zu,expires=%zu,avg_ttl=%lld\r\n", i, db_size(db),
                     db->expires_count, info_avg_ttl(db));
        }
    }
}

static const struct {
    const char *name;
    void (*fn)(struct info_text *t);
    bool in_default;
} info_sections[] = {
    {"server", info_server, true},       {"clients", info_clients, true},
    {"memory", info_memory, true},       {"persistence", info_persistence, true},
    {"stats", info_stats, true},         {"replication", info_replication, true},
    {"cpu", info_cpu, true},             {"commandstats", info_commandstats, false},
    {"keyspace", info_keyspace, true},
};

#define INFO_NSECTIONS (sizeof(info_sections) / sizeof(info_sections[0]))

/* Which sections the arguments ask for (none: default). */
static void info_select(struct client *c, bool *want)
{
    for (size_t s = 0; s < INFO_NSECTIONS; s++) {
        want[s] = c->argc == 1 && info_sections[s].in_default;
    }
    for (int i = 1; i < c->argc; i++) {
        bool all = arg_is(c, i, "all") || arg_is(c, i, "everything");
        for (size_t s = 0; s < INFO_NSECTIONS; s++) {
            if (all || (arg_is(c, i, "default") && info_sections[s].in_default) ||
                arg_is(c, i, info_sections[s].name)) {
                want[s] = true;
            }
        }
    }
}

void cmd_info(struct client *c)
{
    bool want[INFO_NSECTIONS];
    struct info_text t = {mem_alloc(4096), 0, 4096};
    info_select(c, want);
    server_update_time();
    for (size_t s = 0; s < INFO_NSECTIONS; s++) {
        if (want[s]) {
            if (t.len > 0) {
                info_add(&t, "\r\n");
            }
            info_sections[s].fn(&t);
        }
    }
    reply_verbatim(REPLY(c), t.p, t.len);
    mem_free(t.p);
}
