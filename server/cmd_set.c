/* cmd_set.c - set commands. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/cmd.h"
#include "server/cmd_set.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/propagate.h"
#include "server/t_set.h"
#include "server/util.h"

struct set_limits set_limits_now(void)
{
    return (struct set_limits){(size_t)server.cfg->set_max_intset_entries,
                               (size_t)server.cfg->set_max_listpack_entries,
                               (size_t)server.cfg->set_max_listpack_value};
}

/* The set at argv[i] (NULL when absent); *wrong with WRONGTYPE replied. */
static struct set_obj *set_at_or_reply(struct client *c, int i, bool write, bool *wrong)
{
    return cmd_obj_or_reply(c, i, ENTRY_SET, write, wrong);
}

static void set_drop_if_empty(struct client *c, int i, const struct set_obj *s)
{
    if (s != NULL && set_len(s) == 0) {
        db_delete(c->db, c->argv[i].ptr, c->argv[i].len);
    }
}

void cmd_sadd(struct client *c)
{
    bool wrong;
    struct set_obj *s = set_at_or_reply(c, 1, true, &wrong);
    if (wrong) {
        return;
    }
    if (s == NULL) {
        s = set_new();
        db_add(c->db, entry_new_obj(c->argv[1].ptr, c->argv[1].len, ENTRY_SET, s, -1));
    }
    struct set_limits lim = set_limits_now();
    long long added = 0;
    for (int i = 2; i < c->argc; i++) {
        added += set_add(s, c->argv[i].ptr, c->argv[i].len, &lim);
    }
    reply_int(REPLY(c), added);
}

void cmd_srem(struct client *c)
{
    bool wrong;
    struct set_obj *s = set_at_or_reply(c, 1, true, &wrong);
    long long n = 0;
    if (wrong) {
        return;
    }
    for (int i = 2; s != NULL && i < c->argc; i++) {
        n += set_remove(s, c->argv[i].ptr, c->argv[i].len);
    }
    set_drop_if_empty(c, 1, s);
    reply_int(REPLY(c), n);
}

void cmd_scard(struct client *c)
{
    bool wrong;
    struct set_obj *s = set_at_or_reply(c, 1, false, &wrong);
    if (!wrong) {
        reply_int(REPLY(c), s != NULL ? (long long)set_len(s) : 0);
    }
}

void cmd_sismember(struct client *c)
{
    bool wrong;
    struct set_obj *s = set_at_or_reply(c, 1, false, &wrong);
    if (!wrong) {
        reply_int(REPLY(c), s != NULL && set_contains(s, c->argv[2].ptr, c->argv[2].len));
    }
}

void cmd_smismember(struct client *c)
{
    bool wrong;
    struct set_obj *s = set_at_or_reply(c, 1, false, &wrong);
    if (wrong) {
        return;
    }
    reply_array_len(REPLY(c), c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        reply_int(REPLY(c), s != NULL && set_contains(s, c->argv[i].ptr, c->argv[i].len));
    }
}

static void emit_member(const char *m, size_t len, void *arg)
{
    reply_bulk(arg, m, len);
}

void cmd_smembers(struct client *c)
{
    bool wrong;
    struct set_obj *s = set_at_or_reply(c, 1, false, &wrong);
    if (wrong) {
        return;
    }
    reply_set_len(REPLY(c), s != NULL ? (long long)set_len(s) : 0);
    if (s != NULL) {
        set_foreach(s, emit_member, REPLY(c));
    }
}

/* ---- random members ---- */

static uint64_t set_rand64(void)
{
    static uint64_t x = 0x2545f4914f6cdd1dULL;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

struct members {
    char **m;
    size_t *len;
    size_t n;
};

static void collect_member(const char *m, size_t len, void *arg)
{
    struct members *ms = arg;
    ms->m[ms->n] = mem_strndup(m, len);
    ms->len[ms->n++] = len;
}

static void members_load(const struct set_obj *s, struct members *ms)
{
    size_t n = set_len(s);
    ms->m = mem_alloc(sizeof(char *) * (n > 0 ? n : 1));
    ms->len = mem_alloc(sizeof(size_t) * (n > 0 ? n : 1));
    ms->n = 0;
    set_foreach(s, collect_member, ms);
}

static void members_free(struct members *ms)
{
    for (size_t i = 0; i < ms->n; i++) {
        mem_free(ms->m[i]);
    }
    mem_free(ms->m);
    mem_free(ms->len);
}

/* Shuffle the first k members into random distinct picks. */
static void members_sample(struct members *ms, size_t k)
{
    for (size_t i = 0; i < k && i < ms->n; i++) {
        size_t j = i + (size_t)(set_rand64() % (ms->n - i));
        char *tm = ms->m[i];
        size_t tl = ms->len[i];
        ms->m[i] = ms->m[j];
        ms->len[i] = ms->len[j];
        ms->m[j] = tm;
        ms->len[j] = tl;
    }
}

static int count_arg_or_reply(struct client *c, long long *count)
{
    if (c->argc == 3 && arg_ll_or_reply(c, 2, count) < 0) {
        return -EINVAL;
    }
    if (c->argc > 3) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return -EINVAL;
    }
    return 0;
}

void cmd_spop(struct client *c)
{
    static const char *const positive = "ERR value is out of range, must be positive";
    long long count = 1;
    bool wrong;
    if (c->argc > 3) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    if (c->argc == 3 && (arg_ll_msg_or_reply(c, 2, &count, positive) < 0 || count < 0)) {
        if (count < 0) {
            reply_error(REPLY(c), positive);
        }
        return;
    }
    struct set_obj *s = set_at_or_reply(c, 1, true, &wrong);
    if (wrong) {
        return;
    }
    if (s == NULL) {
        c->argc == 3 ? reply_set_len(REPLY(c), 0) : reply_null(REPLY(c));
        return;
    }
    struct members ms;
    members_load(s, &ms);
    size_t k = (size_t)count < ms.n ? (size_t)count : ms.n;
    members_sample(&ms, k);
    if (c->argc == 3) {
        reply_set_len(REPLY(c), (long long)k);
    }
    if (k > 0) { /* the random picks propagate as SREM */
        prop_cmd_begin(c->db_id, (int)k + 2);
        prop_arg_str("SREM");
        prop_arg(c->argv[1].ptr, c->argv[1].len);
        for (size_t i = 0; i < k; i++) {
            prop_arg(ms.m[i], ms.len[i]);
        }
        prop_cmd_end(true);
    }
    for (size_t i = 0; i < k; i++) {
        reply_bulk(REPLY(c), ms.m[i], ms.len[i]);
        set_remove(s, ms.m[i], ms.len[i]);
    }
    members_free(&ms);
    set_drop_if_empty(c, 1, s);
}

void cmd_srandmember(struct client *c)
{
    long long count = 1;
    bool wrong;
    if (count_arg_or_reply(c, &count) < 0) {
        return;
    }
    struct set_obj *s = set_at_or_reply(c, 1, false, &wrong);
    if (wrong) {
        return;
    }
    if (s == NULL || (c->argc == 3 && count == 0)) {
        c->argc == 3 ? reply_array_len(REPLY(c), 0) : reply_null(REPLY(c));
        return;
    }
    struct members ms;
    members_load(s, &ms);
    if (c->argc == 2 || count < 0) {
        size_t k = c->argc == 2 ? 1 : (size_t)(-count);
        if (c->argc == 3) {
            reply_array_len(REPLY(c), (long long)k);
        }
        for (size_t i = 0; i < k; i++) {
            size_t j = (size_t)(set_rand64() % ms.n);
            reply_bulk(REPLY(c), ms.m[j], ms.len[j]);
        }
    } else {
        size_t k = (size_t)count < ms.n ? (size_t)count : ms.n;
        members_sample(&ms, k);
        reply_array_len(REPLY(c), (long long)k);
        for (size_t i = 0; i < k; i++) {
            reply_bulk(REPLY(c), ms.m[i], ms.len[i]);
        }
    }
    members_free(&ms);
}

void cmd_smove(struct client *c)
{
    bool wrong;
    struct set_obj *src = set_at_or_reply(c, 1, true, &wrong);
    if (wrong) {
        return;
    }
    struct set_obj *dst = set_at_or_reply(c, 2, true, &wrong);
    if (wrong) {
        return;
    }
    const char *m = c->argv[3].ptr;
    size_t len = c->argv[3].len;
    if (src == NULL || !set_contains(src, m, len)) {
        reply_int(REPLY(c), 0);
        return;
    }
    if (src == dst) {
        reply_int(REPLY(c), 1);
        return;
    }
    set_remove(src, m, len);
    if (dst == NULL) {
        dst = set_new();
        db_add(c->db, entry_new_obj(c->argv[2].ptr, c->argv[2].len, ENTRY_SET, dst, -1));
    }
    struct set_limits lim = set_limits_now();
    set_add(dst, m, len, &lim);
    set_drop_if_empty(c, 1, src);
    reply_int(REPLY(c), 1);
}

/* ---- SINTER / SUNION / SDIFF and their STORE forms ---- */

enum set_op { OP_INTER, OP_UNION, OP_DIFF };

struct algebra {
    struct set_obj **sets; /* NULL for a missing key */
    int n;
    enum set_op op;
    struct set_obj *out;
    struct set_limits lim;
    long long limit; /* SINTERCARD: stop counting here (0: no limit) */
};

static void algebra_member(const char *m, size_t len, void *arg)
{
    struct algebra *a = arg;
    if (a->limit > 0 && (long long)set_len(a->out) >= a->limit) {
        return;
    }
    for (int i = 1; i < a->n; i++) {
        bool in = a->sets[i] != NULL && set_contains(a->sets[i], m, len);
        if ((a->op == OP_INTER && !in) || (a->op == OP_DIFF && in)) {
            return;
        }
    }
    set_add(a->out, m, len, &a->lim);
}

/* Load argv[first .. first+n) as sets; false (replied) on WRONGTYPE. */
static bool algebra_load_or_reply(struct client *c, struct algebra *a, int first, int n)
{
    a->sets = mem_alloc(sizeof(*a->sets) * (size_t)n);
    a->n = n;
    for (int i = 0; i < n; i++) {
        bool wrong;
        a->sets[i] = set_at_or_reply(c, first + i, false, &wrong);
        if (wrong) {
            mem_free(a->sets);
            return false;
        }
    }
    return true;
}

/* Compute into a->out (a new set). */
static void algebra_run(struct algebra *a)
{
    a->out = set_new();
    a->lim = set_limits_now();
    if (a->op == OP_UNION) {
        for (int i = 0; i < a->n; i++) {
            if (a->sets[i] != NULL) {
                set_foreach(a->sets[i], algebra_member, a);
            }
        }
        return;
    }
    for (int i = 0; a->op == OP_INTER && i < a->n; i++) {
        if (a->sets[i] == NULL) {
            return; /* an empty operand empties an intersection */
        }
    }
    if (a->sets[0] != NULL) {
        set_foreach(a->sets[0], algebra_member, a);
    }
}

static void algebra_generic(struct client *c, enum set_op op, int first, int dst)
{
    struct algebra a = {.op = op};
    if (!algebra_load_or_reply(c, &a, first, c->argc - first)) {
        return;
    }
    algebra_run(&a);
    mem_free(a.sets);
    if (dst == 0) {
        reply_set_len(REPLY(c), (long long)set_len(a.out));
        set_foreach(a.out, emit_member, REPLY(c));
        set_free(a.out);
        return;
    }
    long long n = (long long)set_len(a.out);
    if (n == 0) {
        set_free(a.out);
        db_delete(c->db, c->argv[dst].ptr, c->argv[dst].len);
    } else {
        db_set(c->db, entry_new_obj(c->argv[dst].ptr, c->argv[dst].len, ENTRY_SET, a.out, -1));
    }
    reply_int(REPLY(c), n);
}

void cmd_sinter(struct client *c)
{
    algebra_generic(c, OP_INTER, 1, 0);
}

void cmd_sinterstore(struct client *c)
{
    algebra_generic(c, OP_INTER, 2, 1);
}

void cmd_sunion(struct client *c)
{
    algebra_generic(c, OP_UNION, 1, 0);
}

void cmd_sunionstore(struct client *c)
{
    algebra_generic(c, OP_UNION, 2, 1);
}

void cmd_sdiff(struct client *c)
{
    algebra_generic(c, OP_DIFF, 1, 0);
}

void cmd_sdiffstore(struct client *c)
{
    algebra_generic(c, OP_DIFF, 2, 1);
}

void cmd_sintercard(struct client *c)
{
    long long numkeys, limit = 0;
    if (arg_ll_or_reply(c, 1, &numkeys) < 0) {
        return;
    }
    if (numkeys <= 0) {
        reply_error(REPLY(c), "ERR numkeys should be greater than 0");
        return;
    }
    if (numkeys > c->argc - 2) {
        reply_error(REPLY(c), "ERR Number of keys can't be greater than number of args");
        return;
    }
    int rest = 2 + (int)numkeys;
    if (rest < c->argc) {
        if (c->argc - rest != 2 || !arg_is(c, rest, "limit")) {
            reply_error(REPLY(c), ERR_SYNTAX);
            return;
        }
        if (arg_ll_or_reply(c, rest + 1, &limit) < 0) {
            return;
        }
        if (limit < 0) {
            reply_error(REPLY(c), "ERR LIMIT can't be negative");
            return;
        }
    }
    struct algebra a = {.op = OP_INTER, .limit = limit};
    if (!algebra_load_or_reply(c, &a, 2, (int)numkeys)) {
        return;
    }
    algebra_run(&a);
    mem_free(a.sets);
    reply_int(REPLY(c), (long long)set_len(a.out));
    set_free(a.out);
}

/* ---- SSCAN ---- */

static void sscan_member(const char *m, size_t len, void *arg)
{
    struct scan_out *o = arg;
    if (scan_out_matches(o, m, len)) {
        reply_bulk(&o->items, m, len);
        o->n++;
    }
}

static uint64_t sscan_step(const void *s, uint64_t cursor, struct scan_out *out)
{
    return set_scan(s, cursor, sscan_member, out);
}

void cmd_sscan(struct client *c)
{
    struct scan_args sa;
    bool wrong;
    if (scan_args_or_reply(c, 2, false, &sa) < 0) {
        return;
    }
    struct set_obj *s = set_at_or_reply(c, 1, false, &wrong);
    if (!wrong) {
        scan_collection(c, &sa, s, sscan_step, 1);
    }
}
