/* t_set.c - see t_set.h. */
#include "server/t_set.h"

#include <string.h>

#include "protocol/resp.h"
#include "server/dict.h"
#include "server/mem.h"
#include "server/pack.h"

enum { SET_INTS = 0, SET_PACKED = 1, SET_TABLE = 2 };

struct set_node {
    struct dict_node node;
    uint32_t len;
    char data[];
};

/* Sorted integers, each stored in `width` bytes (2, 4 or 8). */
struct set_ints {
    uint32_t count;
    uint8_t width;
    unsigned char *data;
};

struct set_obj {
    int enc;
    union {
        struct set_ints ints;
        struct pack pk;
        struct dict *d; /* a table is allocated only once needed */
    } u;
};

/* ---- integer array ---- */

static int64_t ints_get(const struct set_ints *x, uint32_t i)
{
    const unsigned char *p = x->data + (size_t)i * x->width;
    if (x->width == 2) {
        int16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    if (x->width == 4) {
        int32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    int64_t v;
    memcpy(&v, p, 8);
    return v;
}

static void ints_put(unsigned char *data, uint8_t width, uint32_t i, int64_t v)
{
    unsigned char *p = data + (size_t)i * width;
    if (width == 2) {
        int16_t w = (int16_t)v;
        memcpy(p, &w, 2);
    } else if (width == 4) {
        int32_t w = (int32_t)v;
        memcpy(p, &w, 4);
    } else {
        memcpy(p, &v, 8);
    }
}

static uint8_t ints_width_for(int64_t v)
{
    if (v >= INT16_MIN && v <= INT16_MAX) {
        return 2;
    }
    return v >= INT32_MIN && v <= INT32_MAX ? 4 : 8;
}

/* Binary search: true and *pos when found, else *pos is the insert point. */
static bool ints_find(const struct set_ints *x, int64_t v, uint32_t *pos)
{
    uint32_t lo = 0, hi = x->count;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t m = ints_get(x, mid);
        if (m == v) {
            *pos = mid;
            return true;
        }
        if (m < v) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    *pos = lo;
    return false;
}

static void ints_insert(struct set_ints *x, int64_t v, uint32_t pos)
{
    uint8_t w = ints_width_for(v) > x->width ? ints_width_for(v) : x->width;
    unsigned char *data = mem_alloc((size_t)(x->count + 1) * w);
    for (uint32_t i = 0, j = 0; i < x->count + 1; i++) {
        ints_put(data, w, i, i == pos ? v : ints_get(x, j++));
    }
    mem_free(x->data);
    x->data = data;
    x->width = w;
    x->count++;
}

static void ints_delete(struct set_ints *x, uint32_t pos)
{
    memmove(x->data + (size_t)pos * x->width, x->data + (size_t)(pos + 1) * x->width,
            (size_t)(x->count - pos - 1) * x->width);
    x->count--;
}

/* ---- table nodes ---- */

static void set_node_key(const struct dict_node *n, const char **key, size_t *len)
{
    const struct set_node *x = (const struct set_node *)n;
    *key = x->data;
    *len = x->len;
}

static void table_add(struct dict *d, const char *m, size_t len)
{
    struct set_node *n = mem_alloc(sizeof(*n) + len);
    n->node.link = 0;
    n->len = (uint32_t)len;
    memcpy(n->data, m, len);
    dict_add(d, &n->node, dict_hash(m, len));
}

/* ---- the object ---- */

struct set_obj *set_new(void)
{
    struct set_obj *s = mem_calloc(sizeof(*s));
    s->enc = SET_INTS;
    s->u.ints.width = 2;
    return s;
}

static void set_free_node(struct dict_node *n, void *arg)
{
    (void)arg;
    mem_free(n);
}

void set_free(struct set_obj *s)
{
    if (s == NULL) {
        return;
    }
    if (s->enc == SET_INTS) {
        mem_free(s->u.ints.data);
    } else if (s->enc == SET_PACKED) {
        pack_deinit(&s->u.pk);
    } else {
        dict_deinit(s->u.d, set_free_node, NULL);
        mem_free(s->u.d);
    }
    mem_free(s);
}

static void set_copy_member(const char *m, size_t len, void *arg)
{
    table_add(arg, m, len);
}

struct set_obj *set_dup(const struct set_obj *s)
{
    struct set_obj *c = mem_calloc(sizeof(*c));
    c->enc = s->enc;
    if (s->enc == SET_INTS) {
        c->u.ints = s->u.ints;
        size_t bytes = (size_t)s->u.ints.count * s->u.ints.width;
        c->u.ints.data = mem_alloc(bytes > 0 ? bytes : 1);
        memcpy(c->u.ints.data, s->u.ints.data, bytes);
    } else if (s->enc == SET_PACKED) {
        pack_copy(&c->u.pk, &s->u.pk);
    } else {
        c->u.d = mem_alloc(sizeof(struct dict));
        dict_init(c->u.d, set_node_key);
        set_foreach(s, set_copy_member, c->u.d);
    }
    return c;
}

size_t set_len(const struct set_obj *s)
{
    return s->enc == SET_INTS     ? s->u.ints.count
           : s->enc == SET_PACKED ? pack_count(&s->u.pk)
                                  : dict_size(s->u.d);
}

const char *set_encoding(const struct set_obj *s)
{
    static const char *const names[] = {"intset", "listpack", "hashtable"};
    return names[s->enc];
}

bool set_contains(const struct set_obj *s, const char *m, size_t len)
{
    long long v;
    uint32_t pos;
    struct pack_elem e;
    switch (s->enc) {
    case SET_INTS:
        return resp_str_to_ll(m, len, &v) == 0 && ints_find(&s->u.ints, v, &pos);
    case SET_PACKED:
        return pack_find(&s->u.pk, m, len, 1, &e);
    default:
        return dict_find(s->u.d, m, len, dict_hash(m, len)) != NULL;
    }
}

static void set_pack_member(const char *m, size_t len, void *arg)
{
    pack_push(arg, m, len);
}

static void set_convert(struct set_obj *s, int to)
{
    struct set_obj old = *s;
    s->enc = to;
    if (to == SET_PACKED) {
        pack_init(&s->u.pk);
        set_foreach(&old, set_pack_member, &s->u.pk);
    } else {
        s->u.d = mem_alloc(sizeof(struct dict));
        dict_init(s->u.d, set_node_key);
        set_foreach(&old, set_copy_member, s->u.d);
    }
    if (old.enc == SET_INTS) {
        mem_free(old.u.ints.data);
    } else {
        pack_deinit(&old.u.pk);
    }
}

/* The encoding a set of n members needs once m (of length len, integer or
 * not) is in it. */
static int set_needed_enc(const struct set_obj *s, bool is_int, size_t len, size_t n,
                          const struct set_limits *lim)
{
    if (s->enc == SET_INTS && is_int && n <= lim->max_intset_entries) {
        return SET_INTS;
    }
    if (s->enc != SET_TABLE && n <= lim->max_packed_entries && len <= lim->max_packed_value) {
        return SET_PACKED;
    }
    return SET_TABLE;
}

bool set_add(struct set_obj *s, const char *m, size_t len, const struct set_limits *lim)
{
    long long v;
    bool is_int = resp_str_to_ll(m, len, &v) == 0;
    if (set_contains(s, m, len)) {
        return false;
    }
    int enc = set_needed_enc(s, is_int, len, set_len(s) + 1, lim);
    if (enc != s->enc) {
        set_convert(s, enc);
    }
    if (s->enc == SET_INTS) {
        uint32_t pos;
        ints_find(&s->u.ints, v, &pos);
        ints_insert(&s->u.ints, v, pos);
    } else if (s->enc == SET_PACKED) {
        pack_push(&s->u.pk, m, len);
    } else {
        table_add(s->u.d, m, len);
    }
    return true;
}

bool set_remove(struct set_obj *s, const char *m, size_t len)
{
    long long v;
    uint32_t pos;
    struct pack_elem e;
    if (s->enc == SET_INTS) {
        if (resp_str_to_ll(m, len, &v) != 0 || !ints_find(&s->u.ints, v, &pos)) {
            return false;
        }
        ints_delete(&s->u.ints, pos);
        return true;
    }
    if (s->enc == SET_PACKED) {
        if (!pack_find(&s->u.pk, m, len, 1, &e)) {
            return false;
        }
        pack_delete(&s->u.pk, &e, 1);
        return true;
    }
    struct dict_node *n = dict_unlink(s->u.d, m, len, dict_hash(m, len));
    mem_free(n);
    return n != NULL;
}

struct set_visit {
    set_visit_fn fn;
    void *arg;
};

static void set_visit_node(struct dict_node *dn, void *arg)
{
    const struct set_visit *v = arg;
    const struct set_node *n = (const struct set_node *)dn;
    v->fn(n->data, n->len, v->arg);
}

void set_foreach(const struct set_obj *s, set_visit_fn fn, void *arg)
{
    if (s->enc == SET_INTS) {
        char buf[24];
        for (uint32_t i = 0; i < s->u.ints.count; i++) {
            fn(buf, resp_ll_to_str(buf, ints_get(&s->u.ints, i)), arg);
        }
    } else if (s->enc == SET_PACKED) {
        size_t off = 0;
        struct pack_elem e;
        while (pack_next(&s->u.pk, &off, &e)) {
            fn(e.p, e.len, arg);
        }
    } else {
        struct set_visit v = {fn, arg};
        dict_foreach(s->u.d, set_visit_node, &v);
    }
}

uint64_t set_scan(const struct set_obj *s, uint64_t cursor, set_visit_fn fn, void *arg)
{
    if (s->enc != SET_TABLE) {
        set_foreach(s, fn, arg);
        return 0;
    }
    struct set_visit v = {fn, arg};
    return dict_scan(s->u.d, cursor, set_visit_node, &v);
}

static size_t set_copy_out(char **buf, size_t *cap, const char *m, size_t len)
{
    if (*cap < len + 1) {
        *cap = len + 1;
        *buf = mem_realloc(*buf, *cap);
    }
    memcpy(*buf, m, len);
    return len;
}

size_t set_random(const struct set_obj *s, uint64_t (*rnd)(void), char **buf, size_t *cap)
{
    if (s->enc == SET_INTS) {
        char tmp[24];
        size_t n = resp_ll_to_str(tmp, ints_get(&s->u.ints, (uint32_t)(rnd() % s->u.ints.count)));
        return set_copy_out(buf, cap, tmp, n);
    }
    if (s->enc == SET_PACKED) {
        uint64_t pick = rnd() % pack_count(&s->u.pk);
        size_t off = 0;
        struct pack_elem e = {NULL, 0, 0};
        for (uint64_t i = 0; i <= pick; i++) {
            pack_next(&s->u.pk, &off, &e);
        }
        return set_copy_out(buf, cap, e.p, e.len);
    }
    const struct set_node *n = (const struct set_node *)dict_random(s->u.d, rnd);
    return set_copy_out(buf, cap, n->data, n->len);
}
