/* t_hash.c - see t_hash.h. */
#include "server/t_hash.h"

#include <errno.h>
#include <string.h>

#include "server/dict.h"
#include "server/mem.h"
#include "server/pack.h"

enum { HASH_PACKED = 0, HASH_TABLE = 1 };

struct hash_node {
    struct dict_node node;
    uint32_t heap_at; /* 1 + its place in the deadline heap; 0: no deadline */
    uint32_t flen;
    uint32_t vlen;
    char data[]; /* field, then value */
};

/* Field deadlines (HEXPIRE) are a min-heap beside the table: the next one
 * is at the top, and expiring, changing or deleting one costs O(log n),
 * however many fields (a flash sale's holds) have one. */
struct hash_deadline {
    int64_t at; /* unix ms */
    struct hash_node *node;
};

struct hash_obj {
    int enc;
    uint32_t nexpiring; /* fields with a deadline: the heap's length */
    uint32_t heap_cap;
    struct hash_deadline *heap; /* table encoding only */
    union {
        struct pack pk; /* field, value, field, value, ... */
        struct dict *d; /* a table is allocated only once needed */
    } u;
};

static void heap_place(struct hash_obj *h, uint32_t i, struct hash_deadline d)
{
    h->heap[i] = d;
    d.node->heap_at = i + 1;
}

static void heap_up(struct hash_obj *h, uint32_t i)
{
    struct hash_deadline d = h->heap[i];
    while (i > 0 && h->heap[(i - 1) / 2].at > d.at) {
        heap_place(h, i, h->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
    heap_place(h, i, d);
}

static void heap_down(struct hash_obj *h, uint32_t i)
{
    struct hash_deadline d = h->heap[i];
    for (;;) {
        uint32_t c = 2 * i + 1;
        if (c >= h->nexpiring) {
            break;
        }
        if (c + 1 < h->nexpiring && h->heap[c + 1].at < h->heap[c].at) {
            c++;
        }
        if (h->heap[c].at >= d.at) {
            break;
        }
        heap_place(h, i, h->heap[c]);
        i = c;
    }
    heap_place(h, i, d);
}

/* The entry at i changed: move it up or down to its place. */
static void heap_fix(struct hash_obj *h, uint32_t i)
{
    struct hash_node *n = h->heap[i].node;
    heap_up(h, i);
    heap_down(h, n->heap_at - 1);
}

static void heap_add(struct hash_obj *h, struct hash_node *n, int64_t at)
{
    if (h->nexpiring == h->heap_cap) {
        h->heap_cap = h->heap_cap ? h->heap_cap * 2 : 8;
        h->heap = mem_realloc(h->heap, sizeof(*h->heap) * h->heap_cap);
    }
    h->heap[h->nexpiring] = (struct hash_deadline){at, n};
    heap_up(h, h->nexpiring++);
}

/* Take the node's deadline away (if it has one). */
static void heap_remove(struct hash_obj *h, struct hash_node *n)
{
    if (n == NULL || n->heap_at == 0) {
        return;
    }
    uint32_t i = n->heap_at - 1;
    n->heap_at = 0;
    struct hash_deadline last = h->heap[--h->nexpiring];
    if (i < h->nexpiring) {
        h->heap[i] = last;
        heap_fix(h, i);
    }
}

static int64_t node_expire(const struct hash_obj *h, const struct hash_node *n)
{
    return n->heap_at ? h->heap[n->heap_at - 1].at : -1;
}

static void hash_node_key(const struct dict_node *n, const char **key, size_t *len)
{
    const struct hash_node *x = (const struct hash_node *)n;
    *key = x->data;
    *len = x->flen;
}

static struct hash_node *hash_node_new(const char *f, size_t flen, const char *v, size_t vlen)
{
    struct hash_node *n = mem_alloc(sizeof(*n) + flen + vlen);
    n->node.link = 0;
    n->heap_at = 0;
    n->flen = (uint32_t)flen;
    n->vlen = (uint32_t)vlen;
    memcpy(n->data, f, flen);
    memcpy(n->data + flen, v, vlen);
    return n;
}

struct hash_obj *hash_new(void)
{
    struct hash_obj *h = mem_calloc(sizeof(*h));
    h->enc = HASH_PACKED;
    pack_init(&h->u.pk);
    return h;
}

static void hash_free_node(struct dict_node *n, void *arg)
{
    (void)arg;
    mem_free(n);
}

void hash_free(struct hash_obj *h)
{
    if (h == NULL) {
        return;
    }
    if (h->enc == HASH_PACKED) {
        pack_deinit(&h->u.pk);
    } else {
        dict_deinit(h->u.d, hash_free_node, NULL);
        mem_free(h->u.d);
    }
    mem_free(h->heap);
    mem_free(h);
}

static void hash_copy_pair(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    struct hash_obj *dst = arg;
    struct hash_node *n = hash_node_new(f, flen, v, vlen);
    dict_add(dst->u.d, &n->node, dict_hash(f, flen));
}

struct hash_copy {
    const struct hash_obj *src;
    struct hash_obj *dst;
};

static void hash_copy_node(struct dict_node *dn, void *arg)
{
    const struct hash_node *src = (const struct hash_node *)dn;
    const struct hash_copy *cp = arg;
    struct hash_node *n = hash_node_new(src->data, src->flen, src->data + src->flen, src->vlen);
    if (src->heap_at) {
        heap_add(cp->dst, n, node_expire(cp->src, src));
    }
    dict_add(cp->dst->u.d, &n->node, dict_hash(src->data, src->flen));
}

struct hash_obj *hash_dup(const struct hash_obj *h)
{
    struct hash_obj *c = mem_calloc(sizeof(*c));
    c->enc = h->enc;
    if (h->enc == HASH_PACKED) {
        pack_copy(&c->u.pk, &h->u.pk);
    } else {
        c->u.d = mem_alloc(sizeof(struct dict));
        dict_init(c->u.d, hash_node_key);
        struct hash_copy cp = {h, c};
        dict_foreach(h->u.d, hash_copy_node, &cp);
    }
    return c;
}

size_t hash_len(const struct hash_obj *h)
{
    return h->enc == HASH_PACKED ? pack_count(&h->u.pk) / 2 : dict_size(h->u.d);
}

const char *hash_encoding(const struct hash_obj *h)
{
    return h->enc == HASH_PACKED ? "listpack" : "hashtable";
}

bool hash_get(const struct hash_obj *h, const char *f, size_t flen, const char **v,
              size_t *vlen)
{
    if (h->enc == HASH_PACKED) {
        struct pack_elem e;
        if (!pack_find(&h->u.pk, f, flen, 2, &e)) {
            return false;
        }
        size_t off = e.off;
        pack_next(&h->u.pk, &off, &e); /* the field */
        pack_next(&h->u.pk, &off, &e); /* its value */
        *v = e.p;
        *vlen = e.len;
        return true;
    }
    struct hash_node *n = (struct hash_node *)dict_find(h->u.d, f, flen, dict_hash(f, flen));
    if (n == NULL) {
        return false;
    }
    *v = n->data + n->flen;
    *vlen = n->vlen;
    return true;
}

const struct pack *hash_packed(const struct hash_obj *h)
{
    return h->enc == HASH_PACKED ? &h->u.pk : NULL;
}

size_t hash_get_many(const struct hash_obj *h, size_t n, const char *const *fields,
                     const size_t *flens, const char **vals, size_t *vlens)
{
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        vals[i] = NULL;
        vlens[i] = 0;
        found += hash_get(h, fields[i], flens[i], &vals[i], &vlens[i]);
    }
    return found;
}

static void hash_to_table(struct hash_obj *h)
{
    struct pack pk = h->u.pk;
    h->enc = HASH_TABLE;
    h->u.d = mem_alloc(sizeof(struct dict));
    dict_init(h->u.d, hash_node_key);
    size_t off = 0;
    struct pack_elem f, v;
    while (pack_next(&pk, &off, &f) && pack_next(&pk, &off, &v)) {
        hash_copy_pair(f.p, f.len, v.p, v.len, h);
    }
    pack_deinit(&pk);
}

static bool hash_set_packed(struct hash_obj *h, const char *f, size_t flen, const char *v,
                            size_t vlen)
{
    struct pack_elem e;
    if (pack_find(&h->u.pk, f, flen, 2, &e)) {
        size_t off = e.off;
        pack_next(&h->u.pk, &off, &e);
        pack_next(&h->u.pk, &off, &e);
        pack_replace(&h->u.pk, &e, v, vlen);
        return false;
    }
    pack_push(&h->u.pk, f, flen);
    pack_push(&h->u.pk, v, vlen);
    return true;
}

bool hash_set(struct hash_obj *h, const char *f, size_t flen, const char *v, size_t vlen,
              const struct hash_limits *lim)
{
    if (h->enc == HASH_PACKED && (flen > lim->max_packed_value || vlen > lim->max_packed_value)) {
        hash_to_table(h);
    }
    if (h->enc == HASH_PACKED) {
        bool added = hash_set_packed(h, f, flen, v, vlen);
        if (hash_len(h) > lim->max_packed_entries) {
            hash_to_table(h);
        }
        return added;
    }
    uint64_t hv = dict_hash(f, flen);
    struct hash_node *old = (struct hash_node *)dict_unlink(h->u.d, f, flen, hv);
    struct hash_node *n = hash_node_new(f, flen, v, vlen);
    dict_add(h->u.d, &n->node, hv);
    heap_remove(h, old); /* a new value drops the field's deadline, as in Redis */
    mem_free(old);
    return old == NULL;
}

bool hash_del(struct hash_obj *h, const char *f, size_t flen)
{
    if (h->enc == HASH_PACKED) {
        struct pack_elem e;
        if (!pack_find(&h->u.pk, f, flen, 2, &e)) {
            return false;
        }
        pack_delete(&h->u.pk, &e, 2);
        return true;
    }
    struct hash_node *n = (struct hash_node *)dict_unlink(h->u.d, f, flen, dict_hash(f, flen));
    heap_remove(h, n);
    mem_free(n);
    return n != NULL;
}

struct hash_visit {
    hash_visit_fn fn;
    void *arg;
};

static void hash_visit_node(struct dict_node *dn, void *arg)
{
    const struct hash_visit *hv = arg;
    const struct hash_node *n = (const struct hash_node *)dn;
    hv->fn(n->data, n->flen, n->data + n->flen, n->vlen, hv->arg);
}

void hash_foreach(const struct hash_obj *h, hash_visit_fn fn, void *arg)
{
    if (h->enc == HASH_PACKED) {
        size_t off = 0;
        struct pack_elem f, v;
        while (pack_next(&h->u.pk, &off, &f) && pack_next(&h->u.pk, &off, &v)) {
            fn(f.p, f.len, v.p, v.len, arg);
        }
        return;
    }
    struct hash_visit hv = {fn, arg};
    dict_foreach(h->u.d, hash_visit_node, &hv);
}

uint64_t hash_scan(const struct hash_obj *h, uint64_t cursor, hash_visit_fn fn, void *arg)
{
    if (h->enc == HASH_PACKED) {
        hash_foreach(h, fn, arg);
        return 0;
    }
    struct hash_visit hv = {fn, arg};
    return dict_scan(h->u.d, cursor, hash_visit_node, &hv);
}

void hash_random(const struct hash_obj *h, uint64_t (*rnd)(void), const char **f, size_t *flen,
                 const char **v, size_t *vlen)
{
    if (h->enc == HASH_PACKED) {
        uint64_t pick = rnd() % hash_len(h);
        size_t off = 0;
        struct pack_elem fe = {NULL, 0, 0}, ve = {NULL, 0, 0};
        for (uint64_t i = 0; i <= pick; i++) {
            pack_next(&h->u.pk, &off, &fe);
            pack_next(&h->u.pk, &off, &ve);
        }
        *f = fe.p;
        *flen = fe.len;
        *v = ve.p;
        *vlen = ve.len;
        return;
    }
    const struct hash_node *n = (const struct hash_node *)dict_random(h->u.d, rnd);
    *f = n->data;
    *flen = n->flen;
    *v = n->data + n->flen;
    *vlen = n->vlen;
}

/* ---- field deadlines (table encoding) ---- */

static struct hash_node *hash_table_node(const struct hash_obj *h, const char *f, size_t flen)
{
    return (struct hash_node *)dict_find(h->u.d, f, flen, dict_hash(f, flen));
}

int64_t hash_field_expire(const struct hash_obj *h, const char *f, size_t flen)
{
    const char *v;
    size_t vlen;
    if (!hash_get(h, f, flen, &v, &vlen)) {
        return -2;
    }
    return h->enc == HASH_TABLE ? node_expire(h, hash_table_node(h, f, flen)) : -1;
}

int hash_set_field_expire(struct hash_obj *h, const char *f, size_t flen, int64_t expire_ms)
{
    const char *v;
    size_t vlen;
    if (!hash_get(h, f, flen, &v, &vlen)) {
        return -ENOENT;
    }
    if (h->enc == HASH_PACKED) {
        if (expire_ms < 0) {
            return 0;
        }
        hash_to_table(h); /* deadlines live in table nodes */
    }
    struct hash_node *n = hash_table_node(h, f, flen);
    if (expire_ms < 0) {
        heap_remove(h, n);
    } else if (n->heap_at == 0) {
        heap_add(h, n, expire_ms);
    } else {
        h->heap[n->heap_at - 1].at = expire_ms;
        heap_fix(h, n->heap_at - 1);
    }
    return 0;
}

bool hash_has_field_deadlines(const struct hash_obj *h)
{
    return h->nexpiring > 0;
}

size_t hash_purge_expired(struct hash_obj *h, int64_t now_ms, hash_field_fn fn, void *arg)
{
    size_t n = 0;
    while (h->nexpiring > 0 && h->heap[0].at <= now_ms) {
        struct hash_node *x = h->heap[0].node;
        if (fn != NULL) {
            fn(x->data, x->flen, arg);
        }
        hash_del(h, x->data, x->flen);
        n++;
    }
    return n;
}

int64_t hash_next_deadline(const struct hash_obj *h)
{
    return h->nexpiring > 0 ? h->heap[0].at : -1;
}
