/* CLIENT: ID, SETNAME/GETNAME, LIST, INFO, KILL in both forms, REPLY,
 * NO-EVICT, HELP; and CLIENT SETINFO, which is newer than the reference. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/integration/harness.h"

/* The value of " key=" in one CLIENT LIST/INFO line, copied to out. */
static bool client_field(const char *line, const char *key, char *out, size_t cap)
{
    char needle[64];
    size_t kl = (size_t)snprintf(needle, sizeof(needle), " %s=", key);
    const char *p;
    if (strncmp(line, needle + 1, kl - 1) == 0) {
        p = line + kl - 1;
    } else if ((p = strstr(line, needle)) != NULL) {
        p += kl;
    } else {
        return false;
    }
    size_t len = strcspn(p, " \n");
    len = len < cap - 1 ? len : cap - 1;
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
}

#define CHECK_FIELD(line, key, want)                                          \
    do {                                                                      \
        char v_[256];                                                         \
        bool f_ = (line) != NULL && client_field(line, key, v_, sizeof(v_));  \
        CHECK(f_);                                                            \
        if (f_) {                                                             \
            CHECK_STR(v_, want);                                              \
        }                                                                     \
    } while (0)

static long long client_id(redisContext *c)
{
    redisReply *r = h_cmdc(c, "CLIENT ID");
    long long id = r != NULL && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    freeReplyObject(r);
    return id;
}

/* "127.0.0.1:port" of a connection's local end: its addr= as the server sees it. */
static void local_addr(redisContext *c, char *out, size_t cap)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    out[0] = '\0';
    if (c != NULL && getsockname(c->fd, (struct sockaddr *)&a, &len) == 0) {
        snprintf(out, cap, "127.0.0.1:%d", ntohs(a.sin_port));
    }
}

static void test_client_id(void)
{
    long long id = client_id(T);
    CHECK(id > 0);
    redisContext *other = h_connect(h_main.port);
    CHECK(client_id(other) > id);
    CHECK_INT(client_id(T), id);
    if (other != NULL) {
        redisFree(other);
    }
    EXPECT_ERR("ERR wrong number of arguments for 'client|id' command", "CLIENT ID x");
}

static void test_client_setname_getname(void)
{
    EXPECT_NIL("CLIENT GETNAME");
    OK("CLIENT SETNAME tester");
    EXPECT_STR("tester", "CLIENT GETNAME");
    OK("CLIENT SETNAME other-name_1");
    EXPECT_STR("other-name_1", "CLIENT GETNAME");
    EXPECT_ERR("ERR Client names cannot contain spaces, newlines or special characters.",
               "CLIENT SETNAME %s", "a b");
    EXPECT_ERR("ERR Client names cannot contain spaces, newlines or special characters.",
               "CLIENT SETNAME %s", "a\nb");
    EXPECT_ERR("ERR Client names cannot contain spaces, newlines or special characters.",
               "CLIENT SETNAME %b", "\x01", (size_t)1);
    EXPECT_STR("other-name_1", "CLIENT GETNAME");
    /* The empty name clears it. */
    OK("CLIENT SETNAME %s", "");
    EXPECT_NIL("CLIENT GETNAME");
    EXPECT_ERR("ERR wrong number of arguments for 'client|setname' command", "CLIENT SETNAME");
    EXPECT_ERR("ERR wrong number of arguments for 'client|setname' command",
               "CLIENT SETNAME a b");
    EXPECT_ERR("ERR wrong number of arguments for 'client|getname' command",
               "CLIENT GETNAME x");
}

/* Our own line of CLIENT LIST (found by id), or NULL; caller frees. */
static char *own_line(const char *list, long long id)
{
    char needle[40];
    snprintf(needle, sizeof(needle), "id=%lld ", id);
    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *end = strchr(p, '\n');
        if (end == NULL) {
            return NULL; /* every line ends with \n */
        }
        if (strncmp(p, needle, strlen(needle)) == 0) {
            return strndup(p, (size_t)(end - p + 1));
        }
        p = end + 1;
    }
    return NULL;
}

static void test_client_list_fields(void)
{
    long long id = client_id(T);
    char addr[64], laddr[64], db[8];
    local_addr(T, addr, sizeof(addr));
    snprintf(laddr, sizeof(laddr), "127.0.0.1:%d", h_main.port);
    OK("CLIENT SETNAME tester");
    OK("SELECT 2");
    snprintf(db, sizeof(db), "2");
    redisContext *other = h_connect(h_main.port);
    redisReply *r = h_cmd("CLIENT LIST");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING);
    const char *list = r != NULL && r->type == REDIS_REPLY_STRING ? r->str : "";
    /* One line per client, each ending in a newline. */
    int lines = 0;
    for (const char *p = list; *p != '\0'; p++) {
        lines += *p == '\n';
    }
    CHECK(lines >= 2);
    CHECK(r != NULL && r->len > 0 && list[r->len - 1] == '\n');
    char *line = own_line(list, id);
    CHECK(line != NULL);
    /* The leading fields, in Redis's order. */
    const char *order[] = {"id=", " addr=", " laddr=", " fd=", " name=", " age=",
                           " idle=", " flags=", " db="};
    const char *p = line;
    for (size_t i = 0; p != NULL && i < sizeof(order) / sizeof(order[0]); i++) {
        p = strstr(p, order[i]);
        if (p == NULL) {
            fprintf(stderr, "  CLIENT LIST: field %s missing or out of order\n", order[i]);
            test_failures_in_case++;
        }
    }
    const char *present[] = {"sub", "psub", "multi", "qbuf", "qbuf-free", "argv-mem", "obl",
                             "oll", "omem", "tot-mem", "events", "cmd", "user", "redir", "resp"};
    char v[256];
    for (size_t i = 0; line != NULL && i < sizeof(present) / sizeof(present[0]); i++) {
        if (!client_field(line, present[i], v, sizeof(v))) {
            fprintf(stderr, "  CLIENT LIST: field %s missing\n", present[i]);
            test_failures_in_case++;
        }
    }
    CHECK_FIELD(line, "addr", addr);
    CHECK_FIELD(line, "laddr", laddr);
    CHECK_FIELD(line, "name", "tester");
    CHECK_FIELD(line, "db", db);
    CHECK_FIELD(line, "flags", "N");
    CHECK_FIELD(line, "cmd", "client|list");
    CHECK_FIELD(line, "multi", "-1");
    CHECK_FIELD(line, "sub", "0");
    CHECK_FIELD(line, "user", "default");
    CHECK_FIELD(line, "resp", "2");
    free(line);
    freeReplyObject(r);
    if (other != NULL) {
        redisFree(other);
    }
}

static void test_client_list_filters(void)
{
    long long id = client_id(T);
    redisContext *other = h_connect(h_main.port);
    long long oid = client_id(other);
    redisReply *r = h_cmd("CLIENT LIST ID %lld", id);
    char want[40];
    snprintf(want, sizeof(want), "id=%lld ", id);
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && strncmp(r->str, want, strlen(want)) == 0 &&
          strchr(r->str, '\n') == r->str + r->len - 1);
    freeReplyObject(r);
    r = h_cmd("CLIENT LIST ID %lld %lld", id, oid);
    char *line = r != NULL && r->type == REDIS_REPLY_STRING ? own_line(r->str, oid) : NULL;
    CHECK(line != NULL);
    free(line);
    freeReplyObject(r);
    EXPECT_STR("", "CLIENT LIST ID 999999");
    r = h_cmd("CLIENT LIST TYPE normal");
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING && strstr(r->str, want) != NULL);
    freeReplyObject(r);
    EXPECT_STR("", "CLIENT LIST TYPE pubsub");
    EXPECT_ERR("ERR Unknown client type 'foo'", "CLIENT LIST TYPE foo");
    EXPECT_ERR("ERR Invalid client ID", "CLIENT LIST ID abc");
    EXPECT_ERR("ERR syntax error", "CLIENT LIST foo");
    EXPECT_ERR("ERR syntax error", "CLIENT LIST ID");
    EXPECT_ERR("ERR syntax error", "CLIENT LIST TYPE normal x");
    if (other != NULL) {
        redisFree(other);
    }
}

static void test_client_info(void)
{
    long long id = client_id(T);
    OK("CLIENT SETNAME me");
    OK("SELECT 5");
    redisReply *r = h_cmd("CLIENT INFO");
    char want[40];
    snprintf(want, sizeof(want), "id=%lld ", id);
    CHECK(r != NULL && r->type == REDIS_REPLY_STRING);
    const char *s = r != NULL && r->type == REDIS_REPLY_STRING ? r->str : NULL;
    CHECK(s != NULL && strncmp(s, want, strlen(want)) == 0);
    /* One line, ending in a newline like CLIENT LIST's. */
    CHECK(s != NULL && strchr(s, '\n') == s + r->len - 1);
    CHECK_FIELD(s, "name", "me");
    CHECK_FIELD(s, "db", "5");
    CHECK_FIELD(s, "cmd", "client|info");
    CHECK_FIELD(s, "resp", "2");
    freeReplyObject(r);
    EXPECT_ERR("ERR wrong number of arguments for 'client|info' command", "CLIENT INFO x");
}

static void test_client_kill_by_id_and_addr(void)
{
    redisContext *a = h_connect(h_main.port);
    redisContext *b = h_connect(h_main.port);
    long long aid = client_id(a);
    char baddr[64];
    local_addr(b, baddr, sizeof(baddr));
    EXPECT_INT(0, "CLIENT KILL ID 999999");
    EXPECT_INT(1, "CLIENT KILL ID %lld", aid);
    CHECK(h_cmdc(a, "PING") == NULL);
    EXPECT_INT(0, "CLIENT KILL ID %lld", aid);
    EXPECT_INT(1, "CLIENT KILL ADDR %s", baddr);
    CHECK(h_cmdc(b, "PING") == NULL);
    EXPECT_INT(0, "CLIENT KILL ADDR %s", baddr);
    EXPECT_INT(0, "CLIENT KILL ADDR 127.0.0.1:1");
    /* The same filter twice is allowed. */
    EXPECT_INT(0, "CLIENT KILL ID 999999 ID 999998");
    /* The caller is skipped unless SKIPME no. */
    EXPECT_INT(0, "CLIENT KILL ID %lld", client_id(T));
    EXPECT_INT(0, "CLIENT KILL ID %lld SKIPME yes", client_id(T));
    if (a != NULL) {
        redisFree(a);
    }
    if (b != NULL) {
        redisFree(b);
    }
}

/* Old form: CLIENT KILL ip:port replies +OK or an error. */
static void test_client_kill_old_form(void)
{
    redisContext *a = h_connect(h_main.port);
    char addr[64];
    local_addr(a, addr, sizeof(addr));
    OK("CLIENT KILL %s", addr);
    CHECK(h_cmdc(a, "PING") == NULL);
    EXPECT_ERR("ERR No such client", "CLIENT KILL %s", addr);
    EXPECT_ERR("ERR No such client", "CLIENT KILL 1.2.3.4:5");
    /* Two arguments are always the old form, even "ID". */
    EXPECT_ERR("ERR No such client", "CLIENT KILL ID");
    if (a != NULL) {
        redisFree(a);
    }
}

/* Killing yourself: the reply is sent, then the connection closes and
 * what was pipelined after it is not run. */
static void test_client_kill_self(void)
{
    int fd = h_raw_connect(h_main.port);
    char buf[128];
    RAW_SEND(fd, "CLIENT ID\r\n");
    int n = h_raw_read_reply(fd, buf, sizeof(buf));
    long long id = n > 1 && buf[0] == ':' ? atoll(buf + 1) : -1;
    n = snprintf(buf, sizeof(buf), "CLIENT KILL ID %lld SKIPME no\r\nSET after-kill 1\r\n", id);
    h_raw_send(fd, buf, (size_t)n);
    RAW_EXPECT(fd, ":1\r\n");
    CHECK(h_raw_closed(fd));
    close(fd);
    EXPECT_INT(0, "EXISTS after-kill");
}

static void test_client_kill_filters_and_errors(void)
{
    redisContext *a = h_connect(h_main.port);
    redisReply *r = h_cmd("CLIENT KILL LADDR 127.0.0.1:%d", h_main.port);
    CHECK(r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer >= 1);
    freeReplyObject(r);
    CHECK(h_cmdc(a, "PING") == NULL);
    EXPECT_INT(0, "CLIENT KILL LADDR 127.0.0.1:1");
    EXPECT_INT(0, "CLIENT KILL USER default ID 999999");
    EXPECT_INT(0, "CLIENT KILL TYPE pubsub");
    EXPECT_ERR("ERR client-id should be greater than 0", "CLIENT KILL ID 0");
    EXPECT_ERR("ERR client-id should be greater than 0", "CLIENT KILL ID abc");
    EXPECT_ERR("ERR Unknown client type 'bogus'", "CLIENT KILL TYPE bogus");
    EXPECT_ERR("ERR No such user 'nosuch'", "CLIENT KILL USER nosuch");
    EXPECT_ERR("ERR syntax error", "CLIENT KILL ID 1 FOO");
    EXPECT_ERR("ERR syntax error", "CLIENT KILL ID 1 SKIPME maybe");
    EXPECT_ERR("ERR syntax error", "CLIENT KILL ID 1 SKIPME");
    EXPECT_ERR("ERR wrong number of arguments for 'client|kill' command", "CLIENT KILL");
    if (a != NULL) {
        redisFree(a);
    }
}

/* CLIENT REPLY OFF silences replies until ON; SKIP drops the next one. */
static void test_client_reply(void)
{
    int fd = h_raw_connect(h_main.port);
    RAW_SEND(fd, "CLIENT REPLY OFF\r\nPING\r\nSET silent 1\r\n");
    CHECK(h_raw_silent(fd, 100));
    RAW_SEND(fd, "CLIENT REPLY ON\r\nPING\r\n");
    RAW_EXPECT(fd, "+OK\r\n+PONG\r\n");
    RAW_SEND(fd, "CLIENT REPLY SKIP\r\nECHO skipped\r\nECHO seen\r\n");
    RAW_EXPECT(fd, "$4\r\nseen\r\n");
    RAW_SEND(fd, "CLIENT REPLY maybe\r\n");
    RAW_EXPECT(fd, "-ERR syntax error\r\n");
    close(fd);
    EXPECT_STR("1", "GET silent");
}

static void test_client_misc(void)
{
    OK("CLIENT NO-EVICT on");
    OK("CLIENT NO-EVICT off");
    EXPECT_ERR("ERR syntax error", "CLIENT NO-EVICT maybe");
    EXPECT_ERR("ERR unknown subcommand 'foo'. Try CLIENT HELP.", "CLIENT foo");
    EXPECT_ERR("ERR unknown subcommand 'Foo'. Try CLIENT HELP.", "CLIENT Foo bar");
    EXPECT_ERR("ERR wrong number of arguments for 'client' command", "CLIENT");
    redisReply *r = h_cmd("CLIENT HELP");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements > 10 &&
          r->element[0]->type == REDIS_REPLY_STATUS &&
          strcmp(r->element[0]->str,
                 "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:") == 0);
    CHECK(r != NULL && h_count_in(r, "HELP") == 1);
    freeReplyObject(r);
}

CASES_DEFINE(client_cases, TEST(test_client_id), TEST(test_client_setname_getname),
             TEST(test_client_list_fields), TEST(test_client_list_filters),
             TEST(test_client_info), TEST(test_client_kill_by_id_and_addr),
             TEST(test_client_kill_old_form), TEST(test_client_kill_self),
             TEST(test_client_kill_filters_and_errors), TEST(test_client_reply),
             TEST(test_client_misc));

/* CLIENT SETINFO (Redis 7.2): the reference, 7.0, does not have it. */
static void test_client_setinfo(void)
{
    OK("CLIENT SETINFO lib-name mylib");
    OK("CLIENT SETINFO LIB-VER 1.2.3");
    redisReply *r = h_cmd("CLIENT INFO");
    const char *s = r != NULL && r->type == REDIS_REPLY_STRING ? r->str : NULL;
    CHECK_FIELD(s, "lib-name", "mylib");
    CHECK_FIELD(s, "lib-ver", "1.2.3");
    freeReplyObject(r);
    r = h_cmd("CLIENT LIST ID %lld", client_id(T));
    s = r != NULL && r->type == REDIS_REPLY_STRING ? r->str : NULL;
    CHECK_FIELD(s, "lib-name", "mylib");
    freeReplyObject(r);
    EXPECT_ERR("ERR lib-name cannot contain spaces, newlines or special characters.",
               "CLIENT SETINFO lib-name %s", "a b");
    EXPECT_ERR("ERR lib-ver cannot contain spaces, newlines or special characters.",
               "CLIENT SETINFO lib-ver %s", "1\n2");
    EXPECT_ERR("ERR Unrecognized option 'foo'", "CLIENT SETINFO foo bar");
    EXPECT_ERR("ERR wrong number of arguments for 'client|setinfo' command",
               "CLIENT SETINFO lib-name");
    /* A rejected value leaves the old one. */
    r = h_cmd("CLIENT INFO");
    s = r != NULL && r->type == REDIS_REPLY_STRING ? r->str : NULL;
    CHECK_FIELD(s, "lib-name", "mylib");
    freeReplyObject(r);
    /* A fresh connection has both fields, empty. */
    redisContext *c = h_connect(h_main.port);
    r = h_cmdc(c, "CLIENT INFO");
    s = r != NULL && r->type == REDIS_REPLY_STRING ? r->str : NULL;
    CHECK_FIELD(s, "lib-name", "");
    CHECK_FIELD(s, "lib-ver", "");
    freeReplyObject(r);
    if (c != NULL) {
        redisFree(c);
    }
}

CASES_DEFINE(surge_only_cases, TEST(test_client_setinfo));
