/* COMMAND: COUNT, LIST, INFO (the 10-field entries), DOCS, GETKEYS, HELP. */
#include <stdio.h>
#include <stdlib.h>

#include "tests/integration/harness.h"

/* One COMMAND INFO entry: name, arity, flags (statuses), first key, last
 * key, step, ACL categories, tips, key specs, subcommands. */
static void check_entry(int line, const redisReply *e, const char *name, long long arity,
                        const char *const *flags, long long first, long long last,
                        long long step)
{
    int before = test_failures_in_case;
    if (e == NULL || e->type != REDIS_REPLY_ARRAY || e->elements != 10) {
        fprintf(stderr, "  line %d: COMMAND INFO %s: want an array of 10\n", line, name);
        test_failures_in_case++;
        return;
    }
    CHECK(e->element[0]->type == REDIS_REPLY_STRING && strcmp(e->element[0]->str, name) == 0);
    CHECK(e->element[1]->type == REDIS_REPLY_INTEGER && e->element[1]->integer == arity);
    const redisReply *fl = e->element[2];
    CHECK(fl->type == REDIS_REPLY_ARRAY);
    for (int i = 0; flags[i] != NULL; i++) {
        CHECK(h_count_in(fl, flags[i]) == 1);
    }
    for (size_t i = 0; fl->type == REDIS_REPLY_ARRAY && i < fl->elements; i++) {
        CHECK(fl->element[i]->type == REDIS_REPLY_STATUS);
    }
    CHECK(e->element[3]->type == REDIS_REPLY_INTEGER && e->element[3]->integer == first);
    CHECK(e->element[4]->type == REDIS_REPLY_INTEGER && e->element[4]->integer == last);
    CHECK(e->element[5]->type == REDIS_REPLY_INTEGER && e->element[5]->integer == step);
    for (int i = 6; i < 10; i++) {
        CHECK(e->element[i]->type == REDIS_REPLY_ARRAY);
    }
    if (test_failures_in_case != before) {
        fprintf(stderr, "  line %d: COMMAND INFO %s entry is wrong\n", line, name);
    }
}

static void test_command_count_and_list(void)
{
    redisReply *r = h_cmd("COMMAND COUNT");
    CHECK(r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer > 0);
    long long count = r != NULL && r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    freeReplyObject(r);
    r = h_cmd("COMMAND");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && (long long)r->elements == count);
    freeReplyObject(r);
    /* COMMAND COUNT and COMMAND count top-level commands; COMMAND LIST
     * lists subcommands too. */
    r = h_cmd("COMMAND LIST");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && (long long)r->elements > count);
    CHECK(h_count_in(r, "get") == 1 && h_count_in(r, "set") == 1 && h_count_in(r, "ping") == 1 &&
          h_count_in(r, "config") == 1 && h_count_in(r, "config|get") == 1);
    long long top = 0;
    for (size_t i = 0; r != NULL && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        top += strchr(r->element[i]->str, '|') == NULL;
    }
    CHECK_INT(top, count);
    freeReplyObject(r);
    r = h_cmd("COMMAND LIST FILTERBY PATTERN config*");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && h_count_in(r, "config") == 1 &&
          h_count_in(r, "config|set") == 1);
    freeReplyObject(r);
    r = h_cmd("COMMAND LIST FILTERBY PATTERN get*");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && h_count_in(r, "get") == 1 &&
          h_count_in(r, "getex") == 1 && h_count_in(r, "getdel") == 1 &&
          h_count_in(r, "getrange") == 1 && h_count_in(r, "getset") == 1);
    for (size_t i = 0; r != NULL && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        CHECK(strncmp(r->element[i]->str, "get", 3) == 0);
    }
    freeReplyObject(r);
    r = h_cmd("COMMAND LIST FILTERBY ACLCAT string");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && h_count_in(r, "get") == 1 &&
          h_count_in(r, "incrbyfloat") == 1 && h_count_in(r, "ping") == 0);
    freeReplyObject(r);
    EXPECT_ERR("ERR syntax error", "COMMAND LIST FILTERBY PATTERN");
    EXPECT_ERR("ERR syntax error", "COMMAND LIST FILTERBY foo bar");
    EXPECT_ERR("ERR wrong number of arguments for 'command|count' command", "COMMAND COUNT x");
}

static void test_command_info_entries(void)
{
    redisReply *r = h_cmd("COMMAND INFO get set");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
        check_entry(__LINE__, r->element[0], "get", 2,
                    (const char *const[]){"readonly", "fast", NULL}, 1, 1, 1);
        check_entry(__LINE__, r->element[1], "set", -3,
                    (const char *const[]){"write", "denyoom", NULL}, 1, 1, 1);
        const redisReply *acl = r->element[0]->element[6];
        CHECK(h_count_in(acl, "@read") == 1 && h_count_in(acl, "@string") == 1 &&
              h_count_in(acl, "@fast") == 1);
    }
    freeReplyObject(r);
    r = h_cmd("COMMAND INFO mset mget del ping");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 4);
    if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 4) {
        check_entry(__LINE__, r->element[0], "mset", -3,
                    (const char *const[]){"write", "denyoom", NULL}, 1, -1, 2);
        check_entry(__LINE__, r->element[1], "mget", -2,
                    (const char *const[]){"readonly", "fast", NULL}, 1, -1, 1);
        check_entry(__LINE__, r->element[2], "del", -2, (const char *const[]){"write", NULL},
                    1, -1, 1);
        check_entry(__LINE__, r->element[3], "ping", -1, (const char *const[]){"fast", NULL},
                    0, 0, 0);
    }
    freeReplyObject(r);
    /* Names are case-insensitive; subcommands are "name|sub". */
    r = h_cmd("COMMAND INFO GET config|get");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2);
    if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
        check_entry(__LINE__, r->element[0], "get", 2, (const char *const[]){NULL}, 1, 1, 1);
        check_entry(__LINE__, r->element[1], "config|get", -3,
                    (const char *const[]){"admin", NULL}, 0, 0, 0);
    }
    freeReplyObject(r);
    /* A container lists its subcommands as full entries. */
    r = h_cmd("COMMAND INFO config");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 1);
    if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
        check_entry(__LINE__, r->element[0], "config", -2, (const char *const[]){NULL}, 0, 0, 0);
        const redisReply *subs = r->element[0]->element[9];
        bool found = false;
        for (size_t i = 0; subs->type == REDIS_REPLY_ARRAY && i < subs->elements; i++) {
            const redisReply *s = subs->element[i];
            if (s->type == REDIS_REPLY_ARRAY && s->elements == 10 &&
                strcmp(s->element[0]->str, "config|get") == 0) {
                found = true;
            }
        }
        CHECK(found);
    }
    freeReplyObject(r);
}

static void test_command_info_unknown(void)
{
    redisReply *r = h_cmd("COMMAND INFO nosuchcmd");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
          r->element[0]->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
    r = h_cmd("COMMAND INFO get nosuchcmd set");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
          r->element[0]->type == REDIS_REPLY_ARRAY && r->element[1]->type == REDIS_REPLY_NIL &&
          r->element[2]->type == REDIS_REPLY_ARRAY);
    freeReplyObject(r);
    r = h_cmd("COMMAND INFO config|nosuch");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 1 &&
          r->element[0]->type == REDIS_REPLY_NIL);
    freeReplyObject(r);
}

/* RESP2 DOCS: [name, [field, value, ...], ...]. */
static void check_docs(int line, const char *cmd, const char *since, const char *group)
{
    redisReply *r = h_cmd("COMMAND DOCS %s", cmd);
    const redisReply *doc = r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2
                                ? r->element[1]
                                : NULL;
    int before = test_failures_in_case;
    CHECK(doc != NULL && strcmp(r->element[0]->str, cmd) == 0);
    const redisReply *v = h_pair_get(doc, "summary");
    CHECK(v != NULL && v->type == REDIS_REPLY_STRING && v->len > 0);
    v = h_pair_get(doc, "since");
    CHECK(v != NULL && v->type == REDIS_REPLY_STRING && strcmp(v->str, since) == 0);
    v = h_pair_get(doc, "group");
    CHECK(v != NULL && v->type == REDIS_REPLY_STRING && strcmp(v->str, group) == 0);
    if (test_failures_in_case != before) {
        fprintf(stderr, "  line %d: COMMAND DOCS %s is wrong\n", line, cmd);
    }
    freeReplyObject(r);
}

static void test_command_docs(void)
{
    check_docs(__LINE__, "get", "1.0.0", "string");
    check_docs(__LINE__, "getex", "6.2.0", "string");
    check_docs(__LINE__, "expire", "1.0.0", "generic");
    check_docs(__LINE__, "ping", "1.0.0", "connection");
    redisReply *r = h_cmd("COMMAND DOCS get set");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 4 &&
          h_pair_get(r, "get") != NULL && h_pair_get(r, "set") != NULL);
    freeReplyObject(r);
    r = h_cmd("COMMAND DOCS nosuchcmd");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 0);
    freeReplyObject(r);
}

static void test_command_getkeys(void)
{
    EXPECT_STRS(h_cmd("COMMAND GETKEYS mset a 1 b 2"), "a", "b");
    EXPECT_STRS(h_cmd("COMMAND GETKEYS set k v"), "k");
    EXPECT_STRS(h_cmd("COMMAND GETKEYS getex k EX 1"), "k");
    EXPECT_STRS(h_cmd("COMMAND GETKEYS COPY a b"), "a", "b");
    EXPECT_STRS(h_cmd("COMMAND GETKEYS del a b c"), "a", "b", "c");
    EXPECT_ERR("ERR Invalid command specified", "COMMAND GETKEYS nosuch a");
    EXPECT_ERR("ERR The command has no key arguments", "COMMAND GETKEYS ping x");
    EXPECT_ERR("ERR Invalid number of arguments specified for command", "COMMAND GETKEYS get a b");
    EXPECT_ERR("ERR wrong number of arguments for 'command|getkeys' command",
               "COMMAND GETKEYS get");
}

static void test_command_help_and_errors(void)
{
    redisReply *r = h_cmd("COMMAND HELP");
    CHECK(r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements > 5 &&
          r->element[0]->type == REDIS_REPLY_STATUS &&
          strcmp(r->element[0]->str,
                 "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:") == 0);
    freeReplyObject(r);
    EXPECT_ERR("ERR unknown subcommand 'foo'. Try COMMAND HELP.", "COMMAND foo");
}

CASES_DEFINE(command_cases, TEST(test_command_count_and_list), TEST(test_command_info_entries),
             TEST(test_command_info_unknown), TEST(test_command_docs), TEST(test_command_getkeys),
             TEST(test_command_help_and_errors));
