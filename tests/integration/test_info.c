/* INFO: the reply's shape, section selection, the fields clients and
 * monitoring read, and how the counters move. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "tests/integration/harness.h"

static bool has_line(const char *info, const char *line)
{
    char needle[160];
    snprintf(needle, sizeof(needle), "\r\n%s\r\n", line);
    return strstr(info, needle) != NULL;
}

/* Every line is "# Title", "name:value" (no space in the name; values may
 * have spaces) or empty (between sections); the reply ends with one CRLF,
 * not a blank line. */
static void check_info_shape(int line, const redisReply *r)
{
    if (r == NULL || r->type != REDIS_REPLY_STRING || r->len < 2) {
        fprintf(stderr, "  line %d: INFO did not return a bulk string\n", line);
        test_failures_in_case++;
        return;
    }
    const char *s = r->str, *end = r->str + r->len;
    if (memcmp(end - 2, "\r\n", 2) != 0 || (r->len >= 4 && memcmp(end - 4, "\r\n\r\n", 4) == 0)) {
        fprintf(stderr, "  line %d: INFO must end with exactly one CRLF\n", line);
        test_failures_in_case++;
    }
    while (s < end) {
        const char *eol = strstr(s, "\r\n");
        if (eol == NULL) {
            fprintf(stderr, "  line %d: INFO line without CRLF\n", line);
            test_failures_in_case++;
            return;
        }
        size_t len = (size_t)(eol - s);
        const char *colon = memchr(s, ':', len);
        bool ok = len == 0 || (len > 2 && s[0] == '#' && s[1] == ' ') ||
                  (colon != NULL && colon != s && memchr(s, ' ', (size_t)(colon - s)) == NULL);
        if (!ok) {
            fprintf(stderr, "  line %d: bad INFO line \"%.*s\"\n", line, (int)len, s);
            test_failures_in_case++;
        }
        s = eol + 2;
    }
}

/* The offsets of the section headers, in order; -1 for a missing one. */
static void section_offsets(const char *info, const char *const *titles, int n, long *off)
{
    for (int i = 0; i < n; i++) {
        char needle[64];
        snprintf(needle, sizeof(needle), "# %s\r\n", titles[i]);
        const char *p = strstr(info, needle);
        off[i] = p == NULL ? -1 : (long)(p - info);
    }
}

static void test_info_default_shape_and_sections(void)
{
    redisReply *r = h_cmd("INFO");
    check_info_shape(__LINE__, r);
    const char *s = r != NULL && r->type == REDIS_REPLY_STRING ? r->str : "";
    CHECK(strncmp(s, "# Server\r\n", 10) == 0);
    const char *titles[] = {"Server", "Clients", "Memory", "Stats", "Keyspace"};
    long off[5];
    section_offsets(s, titles, 5, off);
    for (int i = 0; i < 5; i++) {
        if (off[i] < 0 || (i > 0 && off[i] < off[i - 1])) {
            fprintf(stderr, "  section %s missing or out of order\n", titles[i]);
            test_failures_in_case++;
        }
    }
    /* Sections are separated by one blank line. */
    CHECK(strstr(s, "\r\n\r\n# Clients\r\n") != NULL);
    CHECK(strstr(s, "# Commandstats") == NULL);
    freeReplyObject(r);
    r = h_cmd("INFO default");
    check_info_shape(__LINE__, r);
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && strstr(r->str, "# Keyspace\r\n") != NULL &&
          strstr(r->str, "# Commandstats") == NULL);
    freeReplyObject(r);
}

static void test_info_section_selection(void)
{
    OK("SET k v");
    EXPECT_STR("# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n", "INFO keyspace");
    redisReply *r;
    /* Case-insensitive, several at once, in the server's order. */
    r = h_cmd("INFO CLIENTS Server");
    check_info_shape(__LINE__, r);
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && strncmp(r->str, "# Server\r\n", 10) == 0 &&
          strstr(r->str, "\r\n\r\n# Clients\r\n") != NULL && strstr(r->str, "# Memory") == NULL);
    freeReplyObject(r);
    r = h_cmd("INFO memory");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && strncmp(r->str, "# Memory\r\n", 10) == 0 &&
          strstr(r->str, "# Server") == NULL);
    freeReplyObject(r);
    /* An unknown section is an empty bulk string, not an error. */
    EXPECT_STR("", "INFO nosuchsection");
    r = h_cmd("INFO all");
    check_info_shape(__LINE__, r);
    const char *titles[] = {"Server", "Clients", "Memory", "Stats", "Keyspace"};
    long off[5];
    section_offsets(r != NULL && r->str != NULL ? r->str : "", titles, 5, off);
    for (int i = 0; i < 5; i++) {
        CHECK(off[i] >= 0);
    }
    freeReplyObject(r);
    r = h_cmd("INFO everything");
    check_info_shape(__LINE__, r);
    section_offsets(r != NULL && r->str != NULL ? r->str : "", titles, 5, off);
    for (int i = 0; i < 5; i++) {
        CHECK(off[i] >= 0);
    }
    freeReplyObject(r);
}

static void test_info_fields_present(void)
{
    const struct {
        const char *section, *field;
    } fields[] = {
        {"server", "redis_version"},
        {"server", "redis_mode"},
        {"server", "tcp_port"},
        {"server", "process_id"},
        {"server", "run_id"},
        {"server", "uptime_in_seconds"},
        {"server", "uptime_in_days"},
        {"server", "hz"},
        {"server", "executable"},
        {"clients", "connected_clients"},
        {"clients", "maxclients"},
        {"clients", "blocked_clients"},
        {"memory", "used_memory"},
        {"memory", "used_memory_human"},
        {"memory", "used_memory_rss"},
        {"memory", "used_memory_peak"},
        {"memory", "maxmemory"},
        {"memory", "maxmemory_human"},
        {"memory", "maxmemory_policy"},
        {"memory", "mem_fragmentation_ratio"},
        {"stats", "total_connections_received"},
        {"stats", "total_commands_processed"},
        {"stats", "instantaneous_ops_per_sec"},
        {"stats", "rejected_connections"},
        {"stats", "expired_keys"},
        {"stats", "evicted_keys"},
        {"stats", "keyspace_hits"},
        {"stats", "keyspace_misses"},
        {"stats", "total_error_replies"},
        {"replication", "role"},
    };
    char v[256];
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (!h_info_field(fields[i].section, fields[i].field, v, sizeof(v))) {
            fprintf(stderr, "  INFO %s: field %s missing\n", fields[i].section, fields[i].field);
            test_failures_in_case++;
        }
    }
}

static void test_info_server_values(void)
{
    char v[256];
    CHECK(h_info_field("server", "redis_version", v, sizeof(v)) && v[0] == '7' && v[1] == '.');
    CHECK(h_info_field("server", "redis_mode", v, sizeof(v)) && strcmp(v, "standalone") == 0);
    CHECK_INT(h_info_int("server", "tcp_port"), h_main.port);
    CHECK_INT(h_info_int("server", "process_id"), h_main.pid);
    CHECK(h_info_field("server", "run_id", v, sizeof(v)) && strlen(v) == 40);
    long long up = h_info_int("server", "uptime_in_seconds");
    CHECK(up >= 0 && up < 3600);
    CHECK_INT(h_info_int("server", "uptime_in_days"), 0);
    CHECK(h_info_field("replication", "role", v, sizeof(v)) && strcmp(v, "master") == 0);
}

/* bytesToHuman(): B below 1 KiB, else two decimals and K, M, G... */
static void human_bytes(unsigned long long n, char *out, size_t cap)
{
    const char *units = "KMGTP";
    double d = (double)n;
    if (n < 1024) {
        snprintf(out, cap, "%lluB", n);
        return;
    }
    int u = -1;
    while (d >= 1024 && u < 4) {
        d /= 1024;
        u++;
    }
    snprintf(out, cap, "%.2f%c", d, units[u]);
}

static void test_info_memory_values(void)
{
    redisReply *r = h_cmd("INFO memory");
    const char *s = r != NULL && r->type == REDIS_REPLY_STRING ? r->str : "";
    const char *p = strstr(s, "\r\nused_memory:");
    const char *h = strstr(s, "\r\nused_memory_human:");
    CHECK(p != NULL && h != NULL);
    if (p != NULL && h != NULL) {
        unsigned long long used = strtoull(p + 14, NULL, 10);
        char want[64], got[64];
        human_bytes(used, want, sizeof(want));
        snprintf(got, sizeof(got), "%.*s", (int)strcspn(h + 20, "\r"), h + 20);
        CHECK(used > 0);
        CHECK_STR(got, want);
    }
    CHECK(has_line(s, "maxmemory:0") && has_line(s, "maxmemory_human:0B"));
    CHECK(has_line(s, "maxmemory_policy:noeviction"));
    freeReplyObject(r);
    OK("CONFIG SET maxmemory 10mb");
    r = h_cmd("INFO memory");
    s = r != NULL && r->type == REDIS_REPLY_STRING ? r->str : "";
    CHECK(has_line(s, "maxmemory:10485760") && has_line(s, "maxmemory_human:10.00M"));
    freeReplyObject(r);
    OK("CONFIG SET maxmemory 0");
    /* used_memory follows the data. */
    long long before = h_info_int("memory", "used_memory");
    static char big[1 << 20];
    memset(big, 'x', sizeof(big));
    freeReplyObject(h_cmd("SET big %b", big, sizeof(big)));
    CHECK(h_info_int("memory", "used_memory") >= before + (1 << 20));
}

/* Poll an INFO field until it equals want, for up to 2 s: the server
 * notices a closed connection on its own time. */
static bool wait_info_int(const char *section, const char *field, long long want)
{
    for (int i = 0; i < 200; i++) {
        if (h_info_int(section, field) == want) {
            return true;
        }
        h_sleep_ms(10);
    }
    return false;
}

static void test_info_clients_and_connections(void)
{
    /* Only this case's connection is left once earlier ones are closed. */
    CHECK(wait_info_int("clients", "connected_clients", 1));
    long long conns = h_info_int("stats", "total_connections_received");
    redisContext *c = h_connect(h_main.port);
    CHECK_INT(h_info_int("clients", "connected_clients"), 2);
    CHECK_INT(h_info_int("stats", "total_connections_received"), conns + 1);
    if (c != NULL) {
        redisFree(c);
    }
    CHECK(wait_info_int("clients", "connected_clients", 1));
    CHECK_INT(h_info_int("stats", "total_connections_received"), conns + 1);
}

static void test_info_stats_counters(void)
{
    OK("CONFIG RESETSTAT");
    CHECK_INT(h_info_int("stats", "keyspace_hits"), 0);
    CHECK_INT(h_info_int("stats", "keyspace_misses"), 0);
    CHECK_INT(h_info_int("stats", "expired_keys"), 0);
    CHECK_INT(h_info_int("stats", "evicted_keys"), 0);
    CHECK_INT(h_info_int("stats", "total_connections_received"), 0);
    OK("SET k v");
    EXPECT_STR("v", "GET k");
    EXPECT_NIL("GET nokey");
    EXPECT_NIL("GET nokey2");
    freeReplyObject(h_cmd("MGET k nokey"));
    CHECK_INT(h_info_int("stats", "keyspace_hits"), 2);
    CHECK_INT(h_info_int("stats", "keyspace_misses"), 3);
    long long before = h_info_int("stats", "total_commands_processed");
    for (int i = 0; i < 10; i++) {
        EXPECT_STATUS("PONG", "PING");
    }
    /* The INFO call itself may or may not be counted yet. */
    long long after = h_info_int("stats", "total_commands_processed");
    CHECK(after >= before + 10 && after <= before + 12);
    long long ops = h_info_int("stats", "instantaneous_ops_per_sec");
    CHECK(ops >= 0);
    /* A key that expires is counted once it is gone. */
    OK("SET shortlived v PX 20");
    CHECK(h_wait_int(0, 3000, "EXISTS shortlived"));
    CHECK_INT(h_info_int("stats", "expired_keys"), 1);
    OK("CONFIG RESETSTAT");
    CHECK_INT(h_info_int("stats", "keyspace_hits"), 0);
    CHECK_INT(h_info_int("stats", "expired_keys"), 0);
}

static void test_info_keyspace_lines(void)
{
    EXPECT_STR("# Keyspace\r\n", "INFO keyspace");
    OK("SET a 1");
    OK("SET b 2 EX 100");
    OK("SELECT 3");
    OK("SET c 3");
    char v[256];
    CHECK(h_info_field("keyspace", "db0", v, sizeof(v)) &&
          strncmp(v, "keys=2,expires=1,avg_ttl=", 25) == 0);
    char *end = NULL;
    long long avg = strtoll(v + 25, &end, 10);
    CHECK(end != NULL && *end == '\0' && avg >= 0 && avg <= 100000);
    CHECK(h_info_field("keyspace", "db3", v, sizeof(v)) &&
          strcmp(v, "keys=1,expires=0,avg_ttl=0") == 0);
    CHECK(!h_info_field("keyspace", "db1", v, sizeof(v)));
    /* Databases are listed in order. */
    redisReply *r = h_cmd("INFO keyspace");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && strstr(r->str, "\r\ndb0:") != NULL &&
          strstr(r->str, "\r\ndb0:") < strstr(r->str, "\r\ndb3:"));
    freeReplyObject(r);
    OK("FLUSHALL");
    EXPECT_STR("# Keyspace\r\n", "INFO keyspace");
}

static void test_info_commandstats(void)
{
    OK("CONFIG RESETSTAT");
    OK("SET a 1");
    OK("SET b 1");
    EXPECT_ERR("ERR wrong number of arguments for 'get' command", "GET");
    char v[256];
    CHECK(h_info_field("commandstats", "cmdstat_set", v, sizeof(v)) &&
          strncmp(v, "calls=2,usec=", 13) == 0 && strstr(v, ",usec_per_call=") != NULL &&
          strstr(v, ",rejected_calls=0,failed_calls=0") != NULL);
    /* Arity errors are rejected calls; subcommands are "name|sub". */
    CHECK(h_info_field("commandstats", "cmdstat_get", v, sizeof(v)) &&
          strncmp(v, "calls=0,", 8) == 0 && strstr(v, ",rejected_calls=1,") != NULL);
    CHECK(h_info_field("commandstats", "cmdstat_config|resetstat", v, sizeof(v)));
    CHECK(!h_info_field("commandstats", "cmdstat_del", v, sizeof(v)));
}

CASES_DEFINE(info_cases, TEST(test_info_default_shape_and_sections),
             TEST(test_info_section_selection), TEST(test_info_fields_present),
             TEST(test_info_server_values), TEST(test_info_memory_values),
             TEST(test_info_clients_and_connections), TEST(test_info_stats_counters),
             TEST(test_info_keyspace_lines), TEST(test_info_commandstats));
