/* t_zset.c - see t_zset.h. */
#include "server/t_zset.h"

#include <stdlib.h>
#include <string.h>

#include "server/dict.h"
#include "server/mem.h"
#include "server/pack.h"

#define ZSET_MAX_LEVEL 32
/* The header starts with few levels and grows with the tallest node, so a
 * small sorted set doesn't pay for 32 levels. */
#define ZSET_HEADER_LEVELS 4

struct zset_level {
    struct zset_node *forward;
    uint64_t span;
};

struct zset_node {
    struct dict_node dn; /* link in the member hash */
    double score;
    struct zset_node *backward;
    uint32_t mlen;
    uint8_t nlevels;
    struct zset_level level[]; /* then the member bytes */
};

struct zset_obj {
    struct dict members;
    struct zset_node *header;
    struct zset_node *tail;
    size_t length;
    int level;
};

static inline const char *node_member(const struct zset_node *n)
{
    return (const char *)&n->level[n->nlevels];
}

static void zset_node_key(const struct dict_node *d, const char **key, size_t *len)
{
    const struct zset_node *n = (const struct zset_node *)d;
    *key = node_member(n);
    *len = n->mlen;
}

static struct zset_node *node_new(int levels, double score, const char *m, size_t len)
{
    struct zset_node *n =
        mem_calloc(sizeof(*n) + sizeof(struct zset_level) * (size_t)levels + len);
    n->score = score;
    n->nlevels = (uint8_t)levels;
    n->mlen = (uint32_t)len;
    memcpy((char *)&n->level[levels], m, len);
    return n;
}

static int random_level(void)
{
    /* P = 1/4 per extra level, as Redis's skiplist. */
    int level = 1;
    while (level < ZSET_MAX_LEVEL && (random() & 0xffff) < 0xffff / 4) {
        level++;
    }
    return level;
}

struct zset_obj *zset_new(void)
{
    struct zset_obj *z = mem_calloc(sizeof(*z));
    dict_init(&z->members, zset_node_key);
    z->header = node_new(ZSET_HEADER_LEVELS, 0, "", 0);
    z->level = 1;
    return z;
}

void zset_free(struct zset_obj *z)
{
    if (z == NULL) {
        return;
    }
    struct zset_node *n = z->header->level[0].forward;
    while (n != NULL) {
        struct zset_node *next = n->level[0].forward;
        mem_free(n);
        n = next;
    }
    mem_free(z->header);
    dict_deinit(&z->members, NULL, NULL);
    mem_free(z);
}

struct zset_obj *zset_dup(const struct zset_obj *z)
{
    struct zset_obj *c = zset_new();
    for (struct zset_node *n = z->header->level[0].forward; n != NULL; n = n->level[0].forward) {
        zset_set(c, node_member(n), n->mlen, n->score);
    }
    return c;
}

size_t zset_len(const struct zset_obj *z)
{
    return z->length;
}

/* Order: score, then member bytes (memcmp, shorter first on a tie). */
static int node_cmp(const struct zset_node *n, double score, const char *m, size_t len)
{
    if (n->score != score) {
        return n->score < score ? -1 : 1;
    }
    size_t k = n->mlen < len ? n->mlen : len;
    int c = memcmp(node_member(n), m, k);
    return c != 0 ? c : (n->mlen < len ? -1 : n->mlen > len);
}

static struct zset_node *zset_find(const struct zset_obj *z, const char *m, size_t len)
{
    return (struct zset_node *)dict_find(&z->members, m, len, dict_hash(m, len));
}

bool zset_score(const struct zset_obj *z, const char *m, size_t len, double *score)
{
    struct zset_node *n = zset_find(z, m, len);
    if (n != NULL) {
        *score = n->score;
    }
    return n != NULL;
}

/* Give the header at least levels levels (new ones empty, with the span
 * of the whole list, as an empty level has). */
static void sl_header_grow(struct zset_obj *z, int levels)
{
    int have = z->header->nlevels;
    if (levels <= have) {
        return;
    }
    z->header = mem_realloc(z->header, sizeof(*z->header) + sizeof(struct zset_level) * levels);
    for (int i = have; i < levels; i++) {
        z->header->level[i].forward = NULL;
        z->header->level[i].span = 0;
    }
    z->header->nlevels = (uint8_t)levels;
}

static void sl_insert(struct zset_obj *z, struct zset_node *n)
{
    sl_header_grow(z, n->nlevels);
    struct zset_node *update[ZSET_MAX_LEVEL], *x = z->header;
    uint64_t rank[ZSET_MAX_LEVEL];
    for (int i = z->level - 1; i >= 0; i--) {
        rank[i] = i == z->level - 1 ? 0 : rank[i + 1];
        while (x->level[i].forward != NULL &&
               node_cmp(x->level[i].forward, n->score, node_member(n), n->mlen) < 0) {
            rank[i] += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    if (n->nlevels > z->level) {
        for (int i = z->level; i < n->nlevels; i++) {
            rank[i] = 0;
            update[i] = z->header;
            update[i]->level[i].span = z->length;
        }
        z->level = n->nlevels;
    }
    for (int i = 0; i < n->nlevels; i++) {
        n->level[i].forward = update[i]->level[i].forward;
        update[i]->level[i].forward = n;
        n->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
        update[i]->level[i].span = (rank[0] - rank[i]) + 1;
    }
    for (int i = n->nlevels; i < z->level; i++) {
        update[i]->level[i].span++;
    }
    n->backward = update[0] == z->header ? NULL : update[0];
    if (n->level[0].forward != NULL) {
        n->level[0].forward->backward = n;
    } else {
        z->tail = n;
    }
    z->length++;
}

static void sl_unlink(struct zset_obj *z, struct zset_node *n)
{
    struct zset_node *update[ZSET_MAX_LEVEL], *x = z->header;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward != NULL && x->level[i].forward != n &&
               node_cmp(x->level[i].forward, n->score, node_member(n), n->mlen) < 0) {
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    for (int i = 0; i < z->level; i++) {
        if (update[i]->level[i].forward == n) {
            update[i]->level[i].span += n->level[i].span - 1;
            update[i]->level[i].forward = n->level[i].forward;
        } else {
            update[i]->level[i].span--;
        }
    }
    if (n->level[0].forward != NULL) {
        n->level[0].forward->backward = n->backward;
    } else {
        z->tail = n->backward;
    }
    while (z->level > 1 && z->header->level[z->level - 1].forward == NULL) {
        z->level--;
    }
    z->length--;
}

bool zset_set(struct zset_obj *z, const char *m, size_t len, double score)
{
    struct zset_node *n = zset_find(z, m, len);
    if (n != NULL) {
        if (n->score == score) {
            return false;
        }
        sl_unlink(z, n);
        n->score = score;
        sl_insert(z, n);
        return false;
    }
    n = node_new(random_level(), score, m, len);
    sl_insert(z, n);
    dict_add(&z->members, &n->dn, dict_hash(m, len));
    return true;
}

bool zset_del(struct zset_obj *z, const char *m, size_t len)
{
    struct zset_node *n = (struct zset_node *)dict_unlink(&z->members, m, len, dict_hash(m, len));
    if (n == NULL) {
        return false;
    }
    sl_unlink(z, n);
    mem_free(n);
    return true;
}

long long zset_rank(const struct zset_obj *z, const char *m, size_t len, bool reverse)
{
    struct zset_node *n = zset_find(z, m, len);
    if (n == NULL) {
        return -1;
    }
    uint64_t rank = 0;
    struct zset_node *x = z->header;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward != NULL &&
               node_cmp(x->level[i].forward, n->score, m, len) <= 0) {
            rank += x->level[i].span;
            x = x->level[i].forward;
        }
    }
    /* rank is 1-based here: x == n. */
    return reverse ? (long long)(z->length - rank) : (long long)rank - 1;
}

struct zset_node *zset_at_rank(const struct zset_obj *z, size_t rank)
{
    if (rank >= z->length) {
        return NULL;
    }
    uint64_t traversed = 0, want = rank + 1;
    struct zset_node *x = z->header;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward != NULL && traversed + x->level[i].span <= want) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        if (traversed == want) {
            return x;
        }
    }
    return NULL;
}

bool zset_in_range(const struct zset_range *r, double score)
{
    bool above = r->exmin ? score > r->min : score >= r->min;
    bool below = r->exmax ? score < r->max : score <= r->max;
    return above && below;
}

struct zset_node *zset_first_where(const struct zset_obj *z, zset_pred_fn before, const void *arg)
{
    struct zset_node *x = z->header;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward != NULL && before(x->level[i].forward, arg)) {
            x = x->level[i].forward;
        }
    }
    return x->level[0].forward;
}

struct zset_node *zset_last_where(const struct zset_obj *z, zset_pred_fn after, const void *arg)
{
    struct zset_node *x = z->header;
    for (int i = z->level - 1; i >= 0; i--) {
        while (x->level[i].forward != NULL && !after(x->level[i].forward, arg)) {
            x = x->level[i].forward;
        }
    }
    return x != z->header ? x : NULL;
}

static bool below_min(const struct zset_node *n, const void *arg)
{
    const struct zset_range *r = arg;
    return r->exmin ? n->score <= r->min : n->score < r->min;
}

static bool above_max(const struct zset_node *n, const void *arg)
{
    const struct zset_range *r = arg;
    return r->exmax ? n->score >= r->max : n->score > r->max;
}

struct zset_node *zset_first_in(const struct zset_obj *z, const struct zset_range *r)
{
    struct zset_node *x = zset_first_where(z, below_min, r);
    return x != NULL && zset_in_range(r, x->score) ? x : NULL;
}

struct zset_node *zset_last_in(const struct zset_obj *z, const struct zset_range *r)
{
    struct zset_node *x = zset_last_where(z, above_max, r);
    return x != NULL && zset_in_range(r, x->score) ? x : NULL;
}

size_t zset_node_rank(const struct zset_obj *z, const struct zset_node *n)
{
    return (size_t)zset_rank(z, node_member(n), n->mlen, false);
}

size_t zset_count_in(const struct zset_obj *z, const struct zset_range *r)
{
    struct zset_node *first = zset_first_in(z, r), *last = zset_last_in(z, r);
    if (first == NULL || last == NULL) {
        return 0;
    }
    size_t a = zset_node_rank(z, first), b = zset_node_rank(z, last);
    return b >= a ? b - a + 1 : 0;
}

struct zset_node *zset_next(const struct zset_node *n)
{
    return n->level[0].forward;
}

struct zset_node *zset_prev(const struct zset_node *n)
{
    return n->backward;
}

double zset_node_score(const struct zset_node *n)
{
    return n->score;
}

const char *zset_node_member(const struct zset_node *n, size_t *len)
{
    *len = n->mlen;
    return node_member(n);
}

struct zset_visit {
    zset_visit_fn fn;
    void *arg;
};

static void zset_visit_node(struct dict_node *d, void *arg)
{
    const struct zset_visit *v = arg;
    const struct zset_node *n = (const struct zset_node *)d;
    v->fn(node_member(n), n->mlen, n->score, v->arg);
}

uint64_t zset_scan(const struct zset_obj *z, uint64_t cursor, zset_visit_fn fn, void *arg)
{
    struct zset_visit v = {fn, arg};
    return dict_scan(&z->members, cursor, zset_visit_node, &v);
}

struct zset_obj *zset_from_pack(const struct pack *pk)
{
    struct zset_obj *z = zset_new();
    size_t off = 0;
    struct pack_elem m, sc;
    while (pack_next(pk, &off, &m) && pack_next(pk, &off, &sc)) {
        double score;
        memcpy(&score, sc.p, sizeof(score));
        zset_set(z, m.p, m.len, score);
    }
    return z;
}

bool zset_to_pack(const struct zset_obj *z, size_t max_entries, size_t max_value,
                  struct pack *out)
{
    if (z->length > max_entries) {
        return false;
    }
    for (struct zset_node *n = z->header->level[0].forward; n != NULL; n = n->level[0].forward) {
        if (n->mlen > max_value) {
            return false;
        }
    }
    size_t bytes = 0;
    for (struct zset_node *n = z->header->level[0].forward; n != NULL; n = n->level[0].forward) {
        bytes += pack_elem_size(n->mlen) + pack_elem_size(sizeof(n->score));
    }
    pack_init(out);
    pack_reserve_bytes(out, bytes);
    for (struct zset_node *n = z->header->level[0].forward; n != NULL; n = n->level[0].forward) {
        pack_push(out, node_member(n), n->mlen);
        pack_push(out, (const char *)&n->score, sizeof(n->score));
    }
    return true;
}
