/* cmd.c - the command table, lookup and dispatch. */
#include "server/cmd.h"

#include <ctype.h>
#include <time.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "persistence/aof.h"
#include "replication/repl.h"
#include "server/config.h"
#include "server/evict.h"
#include "server/blocking.h"
#include "server/cache_policy.h"
#include "server/cmd_cache.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/propagate.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/util.h"

#define CMD_MAX_SUBS 16

/* Per-command timing for INFO commandstats runs on every command, so it
 * uses the CPU's time-stamp counter where there is one (a few ns) rather
 * than clock_gettime; ticks per microsecond are measured at start-up. */
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static inline uint64_t cmd_ticks(void)
{
    return __rdtsc();
}
#else
static inline uint64_t cmd_ticks(void)
{
    return uv_hrtime();
}
#endif
static uint64_t cmd_ticks_per_us = 1000;

static void cmd_calibrate_ticks(void)
{
    struct timespec pause = {0, 5 * 1000 * 1000};
    uint64_t t0 = cmd_ticks(), n0 = uv_hrtime();
    nanosleep(&pause, NULL);
    uint64_t dt = cmd_ticks() - t0, dn = uv_hrtime() - n0;
    if (dn > 0 && dt > 0) {
        cmd_ticks_per_us = dt * 1000 / dn;
    }
    if (cmd_ticks_per_us == 0) {
        cmd_ticks_per_us = 1;
    }
}

static struct command cmd_table[] = {
#define CMD(name, fn, arity, flags, fk, lk, st, group, since, summary) \
    {name, NULL, fn, arity, flags, fk, lk, st, group, since, summary, NULL, NULL, 0, 0, 0, 0, 0, {0, 0}, {0, 0}},
#define CONTAINER(name, arity, flags, group, since, summary) \
    {name, NULL, NULL, arity, (flags) | CMD_CONTAINER, 0, 0, 0, group, since, summary, NULL, NULL, 0, 0, 0, 0, 0, {0, 0}, {0, 0}},
#define SUB(parent, name, fn, arity, flags, fk, lk, st, since, summary) \
    {parent "|" name, name, fn, arity, flags, fk, lk, st, 0, since, summary, NULL, NULL, 0, 0, 0, 0, 0, {0, 0}, {0, 0}},
#include "server/commands.def"
#undef CMD
#undef CONTAINER
#undef SUB
};

#define CMD_TABLE_SIZE ((int)(sizeof(cmd_table) / sizeof(cmd_table[0])))
#define CMD_HASH_SLOTS 512

static struct command *cmd_top[CMD_TABLE_SIZE];
static int cmd_ntop;
static struct command *cmd_slots[CMD_HASH_SLOTS];
static const struct command *cmd_sub_store[CMD_TABLE_SIZE + CMD_TABLE_SIZE];

/* A name as two words: its first and last 8 bytes (overlapping when it
 * is shorter than 16; 4 and 4 below 8; the bytes themselves below 4), so
 * hashing and comparing take a few instructions whatever its length. A
 * name longer than 16 bytes is only partly covered: its comparison falls
 * back to strncasecmp. */
static void cmd_name_words(const char *s, size_t len, uint64_t w[2])
{
    w[0] = w[1] = 0;
    if (len >= 8) {
        memcpy(&w[0], s, 8);
        memcpy(&w[1], s + len - 8, 8);
    } else if (len >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4);
        memcpy(&b, s + len - 4, 4);
        w[0] = a;
        w[1] = b;
    } else {
        for (size_t i = 0; i < len; i++) {
            w[0] |= (uint64_t)(unsigned char)s[i] << (8 * i);
        }
    }
}

#define CMD_CASE_BITS 0x2020202020202020ULL

/* Any case hashes alike: bit 5 set in every byte (names are lower case). */
static uint32_t cmd_hash_words(const uint64_t w[2], size_t len)
{
    uint64_t h = ((w[0] | CMD_CASE_BITS) * 0x9e3779b97f4a7c15ULL) ^
                 ((w[1] | CMD_CASE_BITS) * 0xc2b2ae3d27d4eb4fULL) ^ len;
    return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* Equal but for the case of letters. */
static bool cmd_name_eq(const struct command *c, const char *name, size_t len,
                        const uint64_t w[2])
{
    if (len > 16) {
        return strncasecmp(c->name, name, len) == 0;
    }
    return ((w[0] ^ c->name_words[0]) & ~c->fold_words[0]) == 0 &&
           ((w[1] ^ c->name_words[1]) & ~c->fold_words[1]) == 0;
}

static void cmd_index_name(struct command *c)
{
    char fold[64] = {0};
    c->name_len = strlen(c->name);
    for (size_t i = 0; i < c->name_len && i < sizeof(fold); i++) {
        fold[i] = c->name[i] >= 'a' && c->name[i] <= 'z' ? 0x20 : 0;
    }
    cmd_name_words(c->name, c->name_len, c->name_words);
    cmd_name_words(fold, c->name_len < sizeof(fold) ? c->name_len : sizeof(fold), c->fold_words);
}

void cmd_table_init(void)
{
    cmd_calibrate_ticks();
    int nstore = 0;
    struct command *parent = NULL;
    for (int i = 0; i < CMD_TABLE_SIZE; i++) {
        struct command *c = &cmd_table[i];
        cmd_index_name(c);
        if (c->subname == NULL) {
            parent = c;
            cmd_top[cmd_ntop++] = c;
            uint32_t slot = cmd_hash_words(c->name_words, c->name_len) % CMD_HASH_SLOTS;
            while (cmd_slots[slot] != NULL) {
                slot = (slot + 1) % CMD_HASH_SLOTS;
            }
            cmd_slots[slot] = c;
            if (c->flags & CMD_CONTAINER) {
                c->subs = &cmd_sub_store[nstore];
                nstore++; /* the terminating NULL after its subcommands */
            }
            continue;
        }
        /* SUB rows follow their parent: append before the parent's NULL. */
        c->parent = parent;
        c->group = parent->group;
        cmd_sub_store[nstore - 1] = c;
        cmd_sub_store[nstore++] = NULL;
    }
}

struct command *cmd_lookup(const char *name, size_t len)
{
    uint64_t w[2];
    cmd_name_words(name, len, w);
    uint32_t slot = cmd_hash_words(w, len) % CMD_HASH_SLOTS;
    while (cmd_slots[slot] != NULL) {
        struct command *c = cmd_slots[slot];
        if (c->name_len == len && cmd_name_eq(c, name, len, w)) {
            return c;
        }
        slot = (slot + 1) % CMD_HASH_SLOTS;
    }
    return NULL;
}

const struct command *cmd_lookup_sub(const struct command *parent, const char *name, size_t len)
{
    for (int i = 0; parent->subs != NULL && parent->subs[i] != NULL; i++) {
        const struct command *s = parent->subs[i];
        if (strlen(s->subname) == len && strncasecmp(s->subname, name, len) == 0) {
            return s;
        }
    }
    return NULL;
}

int cmd_count(void)
{
    return cmd_ntop;
}

struct command *cmd_at(int i)
{
    return cmd_top[i];
}

const char *cmd_group_name(enum cmd_group g)
{
    static const char *const names[] = {"generic", "string",       "connection",
                                        "server",  "transactions", "pubsub", "hash", "set", "sorted-set", "list", "surge"};
    return names[g];
}

static void cmd_reject_unknown(struct client *c)
{
    char args[512];
    size_t len = 0;
    args[0] = '\0';
    for (int i = 1; i < c->argc && len < 128; i++) {
        int room = 128 - (int)len;
        int w = snprintf(args + len, sizeof(args) - len, "'%.*s' ",
                         (int)(c->argv[i].len < (size_t)room ? c->argv[i].len : (size_t)room),
                         c->argv[i].ptr);
        len += (size_t)w;
    }
    reply_errorf(REPLY(c), "ERR unknown command '%.128s', with args beginning with: %s",
                 c->argv[0].ptr, args);
}

/* The command to run, or NULL with the error already replied. */
static const struct command *cmd_resolve_or_reply(struct client *c, const struct command **known)
{
    const struct command *cmd = cmd_lookup(c->argv[0].ptr, c->argv[0].len);
    *known = cmd;
    if (cmd == NULL) {
        cmd_reject_unknown(c);
        return NULL;
    }
    if ((cmd->flags & CMD_CONTAINER) && c->argc >= 2) {
        const struct command *sub = cmd_lookup_sub(cmd, c->argv[1].ptr, c->argv[1].len);
        if (sub == NULL) {
            char upper[64];
            size_t n = strlen(cmd->name);
            for (size_t i = 0; i <= n && i < sizeof(upper); i++) {
                upper[i] = (char)toupper((unsigned char)cmd->name[i]);
            }
            reply_errorf(REPLY(c), "ERR unknown subcommand '%.128s'. Try %s HELP.",
                         c->argv[1].ptr, upper);
            return NULL;
        }
        cmd = sub;
        *known = sub;
    }
    if ((cmd->arity > 0 && c->argc != cmd->arity) || c->argc < -cmd->arity) {
        reply_errorf(REPLY(c), "ERR wrong number of arguments for '%s' command", cmd->name);
        return NULL;
    }
    return cmd;
}

/* CLIENT REPLY OFF/SKIP: drop what this command wrote (from mark on). */
static void cmd_reply_suppression(struct client *c, size_t mark)
{
    if ((c->flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP)) && c->out.len > mark) {
        c->out.len = mark;
    }
    c->flags &= ~CLIENT_REPLY_SKIP;
    if (c->flags & CLIENT_REPLY_SKIP_NEXT) {
        c->flags = (c->flags & ~CLIENT_REPLY_SKIP_NEXT) | CLIENT_REPLY_SKIP;
    }
}

/* Auth, memory and subscribed-mode checks, from the command's flags. */
static bool cmd_checks_or_reply(struct client *c, const struct command *cmd)
{
    if (!(c->flags & CLIENT_AUTHENTICATED) && !(cmd->flags & CMD_NO_AUTH)) {
        reply_error(REPLY(c), ERR_NOAUTH);
        return false;
    }
    if (server.loading && !(cmd->flags & CMD_LOADING)) {
        reply_error(REPLY(c), "LOADING Redis is loading the dataset in memory");
        return false;
    }
    if (repl_is_replica() && server.cfg->replica_read_only && (cmd->flags & CMD_WRITE) &&
        !(c->flags & CLIENT_MASTER)) {
        reply_error(REPLY(c), "READONLY You can't write against a read only replica.");
        return false;
    }
    if (!repl_is_replica() && server.cfg->min_replicas_to_write > 0 &&
        (cmd->flags & CMD_WRITE) && repl_good_replicas() < server.cfg->min_replicas_to_write) {
        reply_error(REPLY(c), "NOREPLICAS Not enough good replicas to write.");
        return false;
    }
    const char *disk_err = aof_write_error();
    if (disk_err != NULL && ((cmd->flags & CMD_WRITE) || cmd->fn == cmd_ping)) {
        reply_errorf(REPLY(c), "MISCONF Errors writing to the AOF file: %s", disk_err);
        return false;
    }
    bool evicts = !(repl_is_replica() && server.cfg->replica_ignore_maxmemory);
    if (server.cfg->maxmemory > 0 && evicts && evict_perform() < 0 &&
        (cmd->flags & CMD_DENYOOM)) {
        reply_error(REPLY(c), ERR_OOM);
        return false;
    }
    return pubsub_allowed_or_reply(c, cmd);
}

void cmd_call(struct client *c, const struct command *cmd)
{
    struct prop_call pc;
    struct client *outer = server.current_client;
    server.current_client = c;
    unsigned long long dirty = server.dirty;
    prop_call_begin(&pc);
    cmd->fn(c);
    prop_call_end(&pc, c, cmd);
    if (server.cfg->cache_policy_plain_commands && (cmd->flags & CMD_WRITE) &&
        server.dirty != dirty && cache_policy_count() > 0 && !server.loading &&
        !server.applying_master) {
        cache_policy_after_write(c, cmd);
    }
    server.current_client = outer;
}

void cmd_dispatch(struct client *c)
{
    /* Arguments are NUL-terminated slices (see conn.c); they may also
     * contain NUL bytes, so handlers use the lengths. */
    const struct command *known = NULL;
    size_t mark = c->out.len;
    const struct command *cmd = cmd_resolve_or_reply(c, &known);
    server.stats.total_commands++;
    if (cmd == NULL || !cmd_checks_or_reply(c, cmd)) {
        server.stats.total_error_replies++;
        if (known != NULL || cmd != NULL) {
            ((struct command *)(cmd != NULL ? cmd : known))->rejected_calls++;
        }
        multi_flag_error(c);
        cmd_reply_suppression(c, mark);
        return;
    }
    if ((c->flags & CLIENT_MULTI) && multi_maybe_queue(c, cmd)) {
        cmd_reply_suppression(c, mark);
        return;
    }
    c->cmd = cmd;
    uint64_t start = cmd_ticks();
    cmd_call(c, cmd);
    struct command *stats = (struct command *)cmd;
    stats->usec_ticks += cmd_ticks() - start;
    stats->calls++;
    if (c->out.len > mark && c->out.data[mark] == '-') {
        stats->failed_calls++;
        server.stats.total_error_replies++;
    }
    c->lastcmd = cmd;
    c->cmd = NULL;
    cmd_reply_suppression(c, mark);
    blocking_serve();
}

int arg_ll_msg_or_reply(struct client *c, int i, long long *out, const char *msg)
{
    if (util_parse_ll(c->argv[i].ptr, c->argv[i].len, out) < 0) {
        reply_error(REPLY(c), msg);
        return -EINVAL;
    }
    return 0;
}

int arg_ll_or_reply(struct client *c, int i, long long *out)
{
    return arg_ll_msg_or_reply(c, i, out, ERR_NOT_INT);
}

int arg_double_or_reply(struct client *c, int i, double *out)
{
    if (util_parse_double(c->argv[i].ptr, c->argv[i].len, out) < 0) {
        reply_error(REPLY(c), ERR_NOT_FLOAT);
        return -EINVAL;
    }
    return 0;
}

int arg_long_double_or_reply(struct client *c, int i, long double *out)
{
    if (util_parse_long_double(c->argv[i].ptr, c->argv[i].len, out) < 0) {
        reply_error(REPLY(c), ERR_NOT_FLOAT);
        return -EINVAL;
    }
    return 0;
}

int cmd_opts_parse_or_reply(struct client *c, int first, const struct cmd_opt *opts, size_t n,
                            unsigned *flags, int *value_at)
{
    for (int i = first; i < c->argc; i++) {
        size_t k = 0;
        while (k < n && !arg_is(c, i, opts[k].name)) {
            k++;
        }
        if (k == n || (*flags & opts[k].conflicts) ||
            (opts[k].takes_value && i + 1 >= c->argc)) {
            reply_error(REPLY(c), ERR_SYNTAX);
            return -EINVAL;
        }
        *flags |= opts[k].flag;
        if (opts[k].takes_value) {
            value_at[k] = ++i;
        }
    }
    return 0;
}

void cmd_reply_help(struct client *c, const char *const *lines)
{
    char head[128];
    size_t n = 0;
    while (lines[n] != NULL) {
        n++;
    }
    snprintf(head, sizeof(head), "%s <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
             c->argv[0].ptr);
    for (char *p = head; *p != ' ' && *p != '\0'; p++) {
        *p = (char)toupper((unsigned char)*p);
    }
    reply_array_len(REPLY(c), (long long)n + 3);
    reply_status(REPLY(c), head);
    for (size_t i = 0; i < n; i++) {
        reply_status(REPLY(c), lines[i]);
    }
    reply_status(REPLY(c), "HELP");
    reply_status(REPLY(c), "    Print this help.");
}

static int scan_cursor_or_reply(struct client *c, int i, uint64_t *cursor)
{
    const char *s = c->argv[i].ptr;
    size_t len = c->argv[i].len;
    unsigned long long v = 0;
    bool ok = len > 0 && len <= 20;
    for (size_t k = 0; ok && k < len; k++) {
        unsigned d = (unsigned)(s[k] - '0');
        ok = d <= 9 && v <= (ULLONG_MAX - d) / 10;
        v = v * 10 + d;
    }
    if (!ok) {
        reply_error(REPLY(c), ERR_INVALID_CURSOR);
        return -EINVAL;
    }
    *cursor = v;
    return 0;
}

int scan_args_or_reply(struct client *c, int cursor_at, bool allow_type, struct scan_args *a)
{
    memset(a, 0, sizeof(*a));
    a->count = 10;
    if (scan_cursor_or_reply(c, cursor_at, &a->cursor) < 0) {
        return -EINVAL;
    }
    for (int i = cursor_at + 1; i < c->argc; i += 2) {
        bool known = arg_is(c, i, "count") || arg_is(c, i, "match") ||
                     (allow_type && arg_is(c, i, "type"));
        if (i + 1 >= c->argc || !known) {
            reply_error(REPLY(c), ERR_SYNTAX);
            return -EINVAL;
        }
        if (arg_is(c, i, "count")) {
            if (arg_ll_or_reply(c, i + 1, &a->count) < 0) {
                return -EINVAL;
            }
            if (a->count < 1) {
                reply_error(REPLY(c), ERR_SYNTAX);
                return -EINVAL;
            }
        } else if (arg_is(c, i, "match")) {
            bool all = c->argv[i + 1].len == 1 && c->argv[i + 1].ptr[0] == '*';
            a->pat = all ? NULL : c->argv[i + 1].ptr;
            a->patlen = c->argv[i + 1].len;
        } else {
            a->type = &c->argv[i + 1];
        }
    }
    return 0;
}

void scan_reply(struct client *c, uint64_t cursor, long long n, const struct reply_buf *items)
{
    char buf[24];
    int len = snprintf(buf, sizeof(buf), "%llu", (unsigned long long)cursor);
    reply_array_len(REPLY(c), 2);
    reply_bulk(REPLY(c), buf, (size_t)len);
    reply_array_len(REPLY(c), n);
    reply_raw(REPLY(c), items->data, items->len);
}

bool scan_out_matches(const struct scan_out *o, const char *s, size_t len)
{
    return o->pat == NULL || util_glob_match(o->pat, o->patlen, s, len, false);
}

void scan_collection(struct client *c, const struct scan_args *sa, const void *obj,
                     scan_step_fn step, int bulks_per_item)
{
    struct scan_out out = {.pat = sa->pat, .patlen = sa->patlen};
    reply_buf_init(&out.items, c->resp, mem_realloc);
    uint64_t cursor = sa->cursor;
    /* About COUNT items, bounded in buckets visited. */
    long long buckets = sa->count * 10;
    do {
        cursor = obj != NULL ? step(obj, cursor, &out) : 0;
    } while (cursor != 0 && out.n < sa->count && --buckets > 0);
    scan_reply(c, cursor, bulks_per_item * out.n, &out.items);
    reply_buf_deinit(&out.items);
}

int mpop_args_or_reply(struct client *c, int at, const char *a, const char *b, int *nkeys,
                       bool *is_a, long long *count)
{
    static const char *const bad_count = "ERR count should be greater than 0";
    long long n;
    if (arg_ll_or_reply(c, at, &n) < 0) {
        return -EINVAL;
    }
    if (n <= 0 || n > INT_MAX) {
        reply_error(REPLY(c), "ERR numkeys should be greater than 0");
        return -EINVAL;
    }
    int where = at + 1 + (int)n;
    if (where >= c->argc || !(arg_is(c, where, a) || arg_is(c, where, b))) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return -EINVAL;
    }
    *is_a = arg_is(c, where, a);
    *nkeys = (int)n;
    *count = 1;
    if (where + 1 == c->argc) {
        return 0;
    }
    if (where + 3 != c->argc || !arg_is(c, where + 1, "count")) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return -EINVAL;
    }
    if (arg_ll_msg_or_reply(c, where + 2, count, bad_count) < 0) {
        return -EINVAL;
    }
    if (*count <= 0) {
        reply_error(REPLY(c), bad_count);
        return -EINVAL;
    }
    return 0;
}

uint64_t cmd_usec(const struct command *cmd)
{
    return cmd->usec_ticks / cmd_ticks_per_us;
}

void *cmd_obj_or_reply(struct client *c, int i, enum entry_type type, bool write, bool *wrong)
{
    const char *key = c->argv[i].ptr;
    size_t len = c->argv[i].len;
    struct entry *e = write ? db_lookup_write(c->db, key, len) : db_lookup(c->db, key, len, 0);
    *wrong = e != NULL && entry_type(e) != type;
    if (*wrong) {
        reply_error(REPLY(c), ERR_WRONGTYPE);
        return NULL;
    }
    if (e != NULL && write) {
        db_modified(c->db, key, len);
    }
    if (e != NULL && type == ENTRY_ZSET) {
        return db_zset_open(c->db, e);
    }
    return e != NULL ? entry_obj(e) : NULL;
}
