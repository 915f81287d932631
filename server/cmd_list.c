/* cmd_list.c - list commands, blocking forms included. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "server/blocking.h"
#include "server/cmd.h"
#include "server/errors.h"
#include "server/handlers.h"
#include "server/mem.h"
#include "server/propagate.h"
#include "server/t_list.h"
#include "server/util.h"

#define ERR_POSITIVE "ERR value is out of range, must be positive"

static struct list_obj *list_at_or_reply(struct client *c, int i, bool write, bool *wrong)
{
    return cmd_obj_or_reply(c, i, ENTRY_LIST, write, wrong);
}

static struct list_obj *list_create(struct client *c, int i)
{
    struct list_obj *l = list_new();
    db_add(c->db, entry_new_obj(c->argv[i].ptr, c->argv[i].len, ENTRY_LIST, l, -1));
    return l;
}

static void list_drop_if_empty(struct client *c, int i, const struct list_obj *l)
{
    if (l != NULL && list_len(l) == 0) {
        db_delete(c->db, c->argv[i].ptr, c->argv[i].len);
    }
}

/* ---- pushes ---- */

static void push_generic(struct client *c, bool head, bool only_existing)
{
    bool wrong;
    struct list_obj *l = list_at_or_reply(c, 1, true, &wrong);
    if (wrong) {
        return;
    }
    if (l == NULL && only_existing) {
        reply_int(REPLY(c), 0);
        return;
    }
    if (l == NULL) {
        l = list_create(c, 1);
    }
    for (int i = 2; i < c->argc; i++) {
        list_push(l, c->argv[i].ptr, c->argv[i].len, head);
    }
    blocking_key_ready(c->db, c->argv[1].ptr, c->argv[1].len);
    reply_int(REPLY(c), (long long)list_len(l));
}

void cmd_lpush(struct client *c)
{
    push_generic(c, true, false);
}

void cmd_rpush(struct client *c)
{
    push_generic(c, false, false);
}

void cmd_lpushx(struct client *c)
{
    push_generic(c, true, true);
}

void cmd_rpushx(struct client *c)
{
    push_generic(c, false, true);
}

/* ---- pops ---- */

/* Pop n elements of l (key at argv[i]) replying each as a bulk. */
static void pop_reply(struct client *c, struct list_obj *l, int i, long long n, bool head)
{
    char *buf = NULL;
    size_t cap = 0;
    for (long long k = 0; k < n; k++) {
        size_t len = list_pop(l, head, &buf, &cap);
        reply_bulk(REPLY(c), buf, len);
    }
    mem_free(buf);
    list_drop_if_empty(c, i, l);
}

static void pop_generic(struct client *c, bool head)
{
    long long count = 1;
    if (c->argc > 3) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    if (c->argc == 3 && (arg_ll_msg_or_reply(c, 2, &count, ERR_POSITIVE) < 0 || count < 0)) {
        if (count < 0) {
            reply_error(REPLY(c), ERR_POSITIVE);
        }
        return;
    }
    bool wrong;
    struct list_obj *l = list_at_or_reply(c, 1, true, &wrong);
    if (wrong) {
        return;
    }
    if (l == NULL) {
        c->argc == 3 ? reply_null_array(REPLY(c)) : reply_null(REPLY(c));
        return;
    }
    long long n = count < (long long)list_len(l) ? count : (long long)list_len(l);
    if (c->argc == 3) {
        reply_array_len(REPLY(c), n);
    }
    pop_reply(c, l, 1, n, head);
}

void cmd_lpop(struct client *c)
{
    pop_generic(c, true);
}

void cmd_rpop(struct client *c)
{
    pop_generic(c, false);
}

/* ---- reads ---- */

void cmd_llen(struct client *c)
{
    bool wrong;
    struct list_obj *l = list_at_or_reply(c, 1, false, &wrong);
    if (!wrong) {
        reply_int(REPLY(c), l != NULL ? (long long)list_len(l) : 0);
    }
}

void cmd_lindex(struct client *c)
{
    long long index;
    const char *s;
    size_t len;
    if (arg_ll_or_reply(c, 2, &index) < 0) {
        return;
    }
    bool wrong;
    struct list_obj *l = list_at_or_reply(c, 1, false, &wrong);
    if (wrong) {
        return;
    }
    if (l != NULL && list_index(l, index, &s, &len)) {
        reply_bulk(REPLY(c), s, len);
    } else {
        reply_null(REPLY(c));
    }
}

void cmd_lset(struct client *c)
{
    long long index;
    if (arg_ll_or_reply(c, 2, &index) < 0) {
        return;
    }
    bool wrong;
    struct list_obj *l = list_at_or_reply(c, 1, true, &wrong);
    if (wrong) {
        return;
    }
    if (l == NULL) {
        reply_error(REPLY(c), ERR_NO_KEY);
    } else if (!list_set(l, index, c->argv[3].ptr, c->argv[3].len)) {
        reply_error(REPLY(c), "ERR index out of range");
    } else {
        reply_ok(REPLY(c));
    }
}

/* Normalise [start, stop] against len as Redis does; false when empty. */
static bool list_bounds(long long len, long long *start, long long *stop)
{
    *start = *start < 0 ? len + *start : *start;
    *stop = *stop < 0 ? len + *stop : *stop;
    *start = *start < 0 ? 0 : *start;
    *stop = *stop >= len ? len - 1 : *stop;
    return *start <= *stop && *start < len;
}

struct lrange_ctx {
    struct reply_buf *out;
    long long start, stop;
};

static bool lrange_one(const char *s, size_t len, long long index, void *arg)
{
    struct lrange_ctx *x = arg;
    if (index > x->stop) {
        return false;
    }
    if (index >= x->start) {
        reply_bulk(x->out, s, len);
    }
    return true;
}

void cmd_lrange(struct client *c)
{
    long long start, stop;
    if (arg_ll_or_reply(c, 2, &start) < 0 || arg_ll_or_reply(c, 3, &stop) < 0) {
        return;
    }
    bool wrong;
    struct list_obj *l = list_at_or_reply(c, 1, false, &wrong);
    if (wrong) {
        return;
    }
    if (l == NULL || !list_bounds((long long)list_len(l), &start, &stop)) {
        reply_array_len(REPLY(c), 0);
        return;
    }
    reply_array_len(REPLY(c), stop - start + 1);
    struct lrange_ctx x = {REPLY(c), start, stop};
    list_walk(l, false, lrange_one, &x);
}

void cmd_ltrim(struct client *c)
{
    long long start, stop;
    if (arg_ll_or_reply(c, 2, &start) < 0 || arg_ll_or_reply(c, 3, &stop) < 0) {
        return;
    }
    bool wrong;
    struct list_obj *l = list_at_or_reply(c, 1, true, &wrong);
    if (wrong) {
        return;
    }
    if (l != NULL && !list_bounds((long long)list_len(l), &start, &stop)) {
        db_delete(c->db, c->argv[1].ptr, c->argv[1].len);
    } else if (l != NULL) {
        list_trim(l, (size_t)start, (size_t)stop);
    }
    reply_ok(REPLY(c));
}

void cmd_lrem(struct client *c)
{
    long long count;
    if (arg_ll_or_reply(c, 2, &count) < 0) {
        return;
    }
    bool wrong;
    struct list_obj *l = list_at_or_reply(c, 1, true, &wrong);
    if (wrong) {
        return;
    }
    long long n = l != NULL ? list_remove(l, count, c->argv[3].ptr, c->argv[3].len) : 0;
    list_drop_if_empty(c, 1, l);
    reply_int(REPLY(c), n);
}

void cmd_linsert(struct client *c)
{
    bool before = arg_is(c, 2, "before");
    if (!before && !arg_is(c, 2, "after")) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return;
    }
    bool wrong;
    struct list_obj *l = list_at_or_reply(c, 1, true, &wrong);
    if (wrong) {
        return;
    }
    if (l == NULL) {
        reply_int(REPLY(c), 0);
        return;
    }
    if (!list_insert(l, c->argv[3].ptr, c->argv[3].len, before, c->argv[4].ptr,
                     c->argv[4].len)) {
        reply_int(REPLY(c), -1);
        return;
    }
    blocking_key_ready(c->db, c->argv[1].ptr, c->argv[1].len);
    reply_int(REPLY(c), (long long)list_len(l));
}

/* ---- LPOS ---- */

struct lpos_ctx {
    struct client *c;
    const struct resp_arg *el;
    long long skip;     /* matches to pass before replying */
    long long want;     /* matches to reply (0: all) */
    long long maxlen;   /* elements to look at (0: all) */
    long long looked, found;
    bool reverse;
};

static bool lpos_one(const char *s, size_t len, long long index, void *arg)
{
    struct lpos_ctx *x = arg;
    if (x->maxlen > 0 && x->looked++ >= x->maxlen) {
        return false;
    }
    if (len != x->el->len || memcmp(s, x->el->ptr, len) != 0) {
        return true;
    }
    if (x->skip > 0) {
        x->skip--;
        return true;
    }
    reply_int(REPLY(x->c), index);
    x->found++;
    return x->want == 0 || x->found < x->want;
}

static int lpos_opts_or_reply(struct client *c, long long *rank, long long *count,
                              long long *maxlen)
{
    *rank = 1;
    *count = -1;
    *maxlen = 0;
    for (int i = 3; i < c->argc; i += 2) {
        long long v;
        if (i + 1 >= c->argc) {
            reply_error(REPLY(c), ERR_SYNTAX);
            return -EINVAL;
        }
        bool is_rank = arg_is(c, i, "rank"), is_count = arg_is(c, i, "count");
        if (!is_rank && !is_count && !arg_is(c, i, "maxlen")) {
            reply_error(REPLY(c), ERR_SYNTAX);
            return -EINVAL;
        }
        if (arg_ll_or_reply(c, i + 1, &v) < 0) {
            return -EINVAL;
        }
        const char *err = is_rank && v == 0
                              ? "ERR RANK can't be zero: use 1 to start from the first match, 2 "
                                "from the second ... or use negative to start from the end of "
                                "the list"
                          : is_rank && v == LLONG_MIN ? "ERR value is out of range"
                          : !is_rank && v < 0 ? (is_count ? "ERR COUNT can't be negative"
                                                          : "ERR MAXLEN can't be negative")
                                              : NULL;
        if (err != NULL) {
            reply_error(REPLY(c), err);
            return -EINVAL;
        }
        *(is_rank ? rank : is_count ? count : maxlen) = v;
    }
    return 0;
}

void cmd_lpos(struct client *c)
{
    long long rank, count, maxlen;
    if (lpos_opts_or_reply(c, &rank, &count, &maxlen) < 0) {
        return;
    }
    bool wrong;
    struct list_obj *l = list_at_or_reply(c, 1, false, &wrong);
    if (wrong) {
        return;
    }
    struct lpos_ctx x = {c, &c->argv[2], (rank < 0 ? -rank : rank) - 1, count < 0 ? 1 : count,
                         maxlen, 0, 0, rank < 0};
    size_t handle = reply_defer_len(REPLY(c));
    if (l != NULL) {
        list_walk(l, x.reverse, lpos_one, &x);
    }
    if (count >= 0) {
        reply_set_array_len(REPLY(c), handle, x.found);
    } else if (x.found == 0) {
        reply_null(REPLY(c));
    }
}

/* ---- moves, multi-key pops and the blocking forms ---- */

static int side_or_reply(struct client *c, int i, bool *head)
{
    *head = arg_is(c, i, "left");
    if (!*head && !arg_is(c, i, "right")) {
        reply_error(REPLY(c), ERR_SYNTAX);
        return -EINVAL;
    }
    return 0;
}

/* LMOVE worker: src at argv[1], dst at argv[2]. deadline < 0: never
 * block; otherwise block (outside MULTI) when src is empty. */
static void move_generic(struct client *c, bool from_head, bool to_head, int64_t deadline)
{
    bool wrong;
    struct list_obj *src = list_at_or_reply(c, 1, true, &wrong);
    if (wrong) {
        return;
    }
    struct list_obj *dst = list_at_or_reply(c, 2, false, &wrong);
    if (wrong) {
        return;
    }
    if (src == NULL) {
        if (deadline >= 0 && !(c->flags & CLIENT_MULTI)) {
            blocking_wait(c, 1, 1, 1, deadline);
        } else {
            reply_null(REPLY(c));
        }
        return;
    }
    char *buf = NULL;
    size_t cap = 0, len = list_pop(src, from_head, &buf, &cap);
    list_drop_if_empty(c, 1, src);
    dst = list_at_or_reply(c, 2, true, &wrong);
    if (dst == NULL) {
        dst = list_create(c, 2);
    }
    list_push(dst, buf, len, to_head);
    blocking_key_ready(c->db, c->argv[2].ptr, c->argv[2].len);
    prop_cmd_begin(c->db_id, 5);
    prop_arg_str("LMOVE");
    prop_arg(c->argv[1].ptr, c->argv[1].len);
    prop_arg(c->argv[2].ptr, c->argv[2].len);
    prop_arg_str(from_head ? "LEFT" : "RIGHT");
    prop_arg_str(to_head ? "LEFT" : "RIGHT");
    prop_cmd_end(true);
    reply_bulk(REPLY(c), buf, len);
    mem_free(buf);
}

void cmd_lmove(struct client *c)
{
    bool from, to;
    if (side_or_reply(c, 3, &from) == 0 && side_or_reply(c, 4, &to) == 0) {
        move_generic(c, from, to, -1);
    }
}

void cmd_rpoplpush(struct client *c)
{
    move_generic(c, false, true, -1);
}

void cmd_blmove(struct client *c)
{
    bool from, to;
    int64_t deadline;
    if (side_or_reply(c, 3, &from) == 0 && side_or_reply(c, 4, &to) == 0 &&
        blocking_timeout_or_reply(c, 5, &deadline) == 0) {
        move_generic(c, from, to, deadline);
    }
}

void cmd_brpoplpush(struct client *c)
{
    int64_t deadline;
    if (blocking_timeout_or_reply(c, 3, &deadline) == 0) {
        move_generic(c, false, true, deadline);
    }
}

/* Pop up to count from the first non-empty list of keys argv[first ..
 * first+nkeys); mpop replies [key, [elements]], else [key, element].
 * Blocks when all are empty and deadline >= 0 (outside MULTI). */
static void multi_pop(struct client *c, int first, int nkeys, bool head, long long count,
                      bool mpop, int64_t deadline)
{
    for (int i = first; i < first + nkeys; i++) {
        bool wrong;
        struct list_obj *l = list_at_or_reply(c, i, true, &wrong);
        if (wrong) {
            return;
        }
        if (l == NULL) {
            continue;
        }
        long long n = count < (long long)list_len(l) ? count : (long long)list_len(l);
        reply_array_len(REPLY(c), 2);
        reply_bulk(REPLY(c), c->argv[i].ptr, c->argv[i].len);
        if (mpop) {
            reply_array_len(REPLY(c), n);
        }
        pop_reply(c, l, i, n, head);
        prop_key_command(c, head ? "LPOP" : "RPOP", i, n);
        return;
    }
    if (deadline >= 0 && !(c->flags & CLIENT_MULTI)) {
        blocking_wait(c, first, nkeys, 1, deadline);
    } else {
        reply_null_array(REPLY(c));
    }
}

static void bpop_generic(struct client *c, bool head)
{
    int64_t deadline;
    if (blocking_timeout_or_reply(c, c->argc - 1, &deadline) == 0) {
        multi_pop(c, 1, c->argc - 2, head, 1, false, deadline);
    }
}

void cmd_blpop(struct client *c)
{
    bpop_generic(c, true);
}

void cmd_brpop(struct client *c)
{
    bpop_generic(c, false);
}

void cmd_lmpop(struct client *c)
{
    int nkeys;
    bool head;
    long long count;
    if (mpop_args_or_reply(c, 1, "left", "right", &nkeys, &head, &count) == 0) {
        multi_pop(c, 2, nkeys, head, count, true, -1);
    }
}

void cmd_blmpop(struct client *c)
{
    int nkeys;
    bool head;
    long long count;
    int64_t deadline;
    if (blocking_timeout_or_reply(c, 1, &deadline) == 0 &&
        mpop_args_or_reply(c, 2, "left", "right", &nkeys, &head, &count) == 0) {
        multi_pop(c, 3, nkeys, head, count, true, deadline);
    }
}
