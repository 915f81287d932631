/* t_list.c - see t_list.h.
 *
 * Chunks at the ends (where pushes and pops happen) hold plain packs.
 * A chunk that becomes interior is sealed: each element is stored as the
 * length of the prefix it shares with the element before it, then the
 * rest (front coding), when that takes fewer bytes. Queues of IDs such as
 * "order:000123456" then cost a few bytes per element. A sealed chunk is
 * unsealed for a change (LSET, LINSERT, LREM) and when it becomes an end
 * again, and sealed again after.
 */
#include "server/t_list.h"

#include <stdint.h>
#include <string.h>

#include "server/mem.h"
#include "server/pack.h"

/* A chunk's whole allocation (header included) stays within one 8 KiB size
 * class of the allocator. */
#define LIST_CHUNK_BYTES 8192
#define LIST_VARINT_MAX 5
/* Elements up to this long may share a prefix with the one before. */
#define LIST_FC_MAX 255

struct list_chunk {
    struct list_chunk *prev, *next;
    struct pack pk;         /* plain elements; empty while sealed */
    unsigned char *sealed;  /* front-coded elements, or NULL */
    uint32_t sealed_count;
    uint32_t sealed_len;
};

struct list_obj {
    struct list_chunk *head, *tail;
    size_t len;
    size_t nchunks;
};

/* ---- reading a chunk of either form ---- */

struct chunk_it {
    const struct list_chunk *ch;
    size_t off;       /* where the next element starts */
    const char *p;    /* the current element */
    size_t len;
    int which;        /* buf holding p when it was rebuilt from a prefix */
    char buf[2][LIST_FC_MAX];
};

static void chunk_it_init(struct chunk_it *it, const struct list_chunk *ch)
{
    it->ch = ch;
    it->off = 0;
    it->p = NULL;
    it->len = 0;
    it->which = 0;
}

static bool chunk_it_next(struct chunk_it *it)
{
    const struct list_chunk *ch = it->ch;
    if (ch->sealed == NULL) {
        struct pack_elem e;
        if (!pack_next(&ch->pk, &it->off, &e)) {
            return false;
        }
        it->p = e.p;
        it->len = e.len;
        return true;
    }
    if (it->off >= ch->sealed_len) {
        return false;
    }
    const unsigned char *s = ch->sealed + it->off;
    size_t shared, rest;
    s += pack_varint_get(s, &shared);
    s += pack_varint_get(s, &rest);
    if (shared == 0) {
        it->p = (const char *)s;
    } else { /* the previous element is in the other buffer or in place */
        it->which ^= 1;
        memcpy(it->buf[it->which], it->p, shared);
        memcpy(it->buf[it->which] + shared, s, rest);
        it->p = it->buf[it->which];
    }
    it->len = shared + rest;
    it->off = (size_t)(s + rest - ch->sealed);
    return true;
}

static size_t chunk_count(const struct list_chunk *ch)
{
    return ch->sealed != NULL ? ch->sealed_count : pack_count(&ch->pk);
}

static bool chunk_has(const struct list_chunk *ch, const char *s, size_t len)
{
    struct chunk_it it;
    chunk_it_init(&it, ch);
    while (chunk_it_next(&it)) {
        if (it.len == len && memcmp(it.p, s, len) == 0) {
            return true;
        }
    }
    return false;
}

/* ---- sealing ---- */

/* Front-code an interior chunk when that is smaller than its pack. */
static void chunk_seal(const struct list_obj *l, struct list_chunk *ch)
{
    if (ch == NULL || ch->sealed != NULL || ch == l->head || ch == l->tail ||
        pack_count(&ch->pk) == 0) {
        return;
    }
    size_t cap = pack_used(&ch->pk), n = 0, off = 0;
    unsigned char *out = mem_alloc(cap);
    struct pack_elem e, prev = {NULL, 0, 0};
    while (pack_next(&ch->pk, &off, &e)) {
        size_t shared = 0, max = prev.len < e.len ? prev.len : e.len;
        while (e.len <= LIST_FC_MAX && shared < max && prev.p[shared] == e.p[shared]) {
            shared++;
        }
        size_t rest = e.len - shared;
        if (n + pack_varint_len(shared) + pack_varint_len(rest) + rest >= cap) {
            mem_free(out); /* no smaller: stays plain */
            return;
        }
        n += pack_varint_put(out + n, shared);
        n += pack_varint_put(out + n, rest);
        memcpy(out + n, e.p + shared, rest);
        n += rest;
        prev = e;
    }
    ch->sealed = mem_realloc(out, n);
    ch->sealed_count = pack_count(&ch->pk);
    ch->sealed_len = (uint32_t)n;
    pack_deinit(&ch->pk);
    pack_init(&ch->pk);
}

/* The chunk's elements as a plain pack (out is initialised here). */
static void chunk_plain_copy(const struct list_chunk *ch, struct pack *out)
{
    struct chunk_it it;
    size_t bytes = 0;
    pack_init(out);
    chunk_it_init(&it, ch);
    while (chunk_it_next(&it)) {
        bytes += pack_elem_size(it.len);
    }
    pack_reserve_bytes(out, bytes);
    chunk_it_init(&it, ch);
    while (chunk_it_next(&it)) {
        pack_push(out, it.p, it.len);
    }
}

static void chunk_unseal(struct list_chunk *ch)
{
    if (ch->sealed == NULL) {
        return;
    }
    struct pack pk;
    chunk_plain_copy(ch, &pk);
    mem_free(ch->sealed);
    ch->sealed = NULL;
    pack_deinit(&ch->pk);
    ch->pk = pk;
}

struct list_obj *list_new(void)
{
    return mem_calloc(sizeof(struct list_obj));
}

static void chunk_free(struct list_chunk *ch)
{
    pack_deinit(&ch->pk);
    mem_free(ch->sealed);
    mem_free(ch);
}

void list_free(struct list_obj *l)
{
    if (l == NULL) {
        return;
    }
    struct list_chunk *ch = l->head;
    while (ch != NULL) {
        struct list_chunk *next = ch->next;
        chunk_free(ch);
        ch = next;
    }
    mem_free(l);
}

static bool dup_one(const char *s, size_t len, long long index, void *arg)
{
    (void)index;
    list_push(arg, s, len, false);
    return true;
}

struct list_obj *list_dup(const struct list_obj *l)
{
    struct list_obj *c = list_new();
    list_walk(l, false, dup_one, c);
    return c;
}

size_t list_len(const struct list_obj *l)
{
    return l->len;
}

const char *list_encoding(const struct list_obj *l)
{
    return l->nchunks > 1 ? "quicklist" : "listpack";
}

static struct list_chunk *chunk_new(struct list_obj *l, struct list_chunk *after, bool at_head)
{
    struct list_chunk *ch = mem_calloc(sizeof(*ch));
    pack_init(&ch->pk);
    if (at_head) {
        ch->next = l->head;
        if (l->head != NULL) {
            l->head->prev = ch;
        }
        l->head = ch;
        if (l->tail == NULL) {
            l->tail = ch;
        }
    } else {
        ch->prev = after;
        ch->next = after != NULL ? after->next : NULL;
        if (ch->next != NULL) {
            ch->next->prev = ch;
        } else {
            l->tail = ch;
        }
        if (after != NULL) {
            after->next = ch;
        } else {
            l->head = ch;
        }
    }
    l->nchunks++;
    chunk_seal(l, at_head ? ch->next : ch->prev); /* no longer an end */
    return ch;
}

static void chunk_unlink(struct list_obj *l, struct list_chunk *ch)
{
    if (ch->prev != NULL) {
        ch->prev->next = ch->next;
    } else {
        l->head = ch->next;
    }
    if (ch->next != NULL) {
        ch->next->prev = ch->prev;
    } else {
        l->tail = ch->prev;
    }
    l->nchunks--;
    chunk_free(ch);
    if (l->head != NULL) { /* the ends stay plain for pushes and pops */
        chunk_unseal(l->head);
        chunk_unseal(l->tail);
    }
}

void list_push(struct list_obj *l, const char *s, size_t len, bool head)
{
    struct list_chunk *ch = head ? l->head : l->tail;
    if (ch == NULL ||
        PACK_HEADER + pack_used(&ch->pk) + LIST_VARINT_MAX + len > LIST_CHUNK_BYTES) {
        ch = chunk_new(l, l->tail, head);
    }
    if (head) {
        pack_insert(&ch->pk, 0, s, len);
    } else {
        pack_push(&ch->pk, s, len);
    }
    l->len++;
}

/* The last element of a chunk. */
static void chunk_last(const struct list_chunk *ch, struct pack_elem *e)
{
    size_t off = 0;
    struct pack_elem x;
    while (pack_next(&ch->pk, &off, &x)) {
        *e = x;
    }
}

size_t list_pop(struct list_obj *l, bool head, char **buf, size_t *cap)
{
    struct list_chunk *ch = head ? l->head : l->tail;
    struct pack_elem e = {NULL, 0, 0};
    size_t off = 0;
    if (head) {
        pack_next(&ch->pk, &off, &e);
    } else {
        chunk_last(ch, &e);
    }
    if (*cap < e.len + 1) {
        *cap = e.len + 1;
        *buf = mem_realloc(*buf, *cap);
    }
    memcpy(*buf, e.p, e.len);
    size_t len = e.len;
    pack_delete(&ch->pk, &e, 1);
    if (pack_count(&ch->pk) == 0) {
        chunk_unlink(l, ch);
    }
    l->len--;
    return len;
}

/* Locate a 0-based index (negative from the tail): its chunk, and in
 * *index its position there; NULL when out of range. */
static struct list_chunk *list_locate(const struct list_obj *l, long long *index)
{
    long long i = *index < 0 ? *index + (long long)l->len : *index;
    if (i < 0 || (size_t)i >= l->len) {
        return NULL;
    }
    struct list_chunk *ch = l->head;
    while (ch != NULL && (size_t)i >= chunk_count(ch)) {
        i -= (long long)chunk_count(ch);
        ch = ch->next;
    }
    *index = i;
    return ch;
}

/* The element at position i of a plain chunk. */
static void chunk_elem(const struct list_chunk *ch, long long i, struct pack_elem *e)
{
    size_t off = 0;
    for (long long k = 0; k <= i; k++) {
        pack_next(&ch->pk, &off, e);
    }
}

bool list_index(const struct list_obj *l, long long index, const char **s, size_t *len)
{
    static char rebuilt[LIST_FC_MAX];
    struct list_chunk *ch = list_locate(l, &index);
    if (ch == NULL) {
        return false;
    }
    struct chunk_it it;
    chunk_it_init(&it, ch);
    for (long long k = 0; k <= index; k++) {
        chunk_it_next(&it);
    }
    *s = it.p;
    *len = it.len;
    if (it.p == it.buf[0] || it.p == it.buf[1]) { /* outlive the iterator */
        memcpy(rebuilt, it.p, it.len);
        *s = rebuilt;
    }
    return true;
}

bool list_set(struct list_obj *l, long long index, const char *s, size_t len)
{
    struct list_chunk *ch = list_locate(l, &index);
    struct pack_elem e;
    if (ch == NULL) {
        return false;
    }
    chunk_unseal(ch);
    chunk_elem(ch, index, &e);
    pack_replace(&ch->pk, &e, s, len);
    chunk_seal(l, ch);
    return true;
}

/* A chunk's elements backwards: offsets of a plain copy, then each. */
static bool chunk_walk_back(const struct list_chunk *ch, list_visit_fn fn, void *arg,
                            long long *index)
{
    struct pack copy;
    const struct pack *pk = &ch->pk;
    if (ch->sealed != NULL) {
        chunk_plain_copy(ch, &copy);
        pk = &copy;
    }
    size_t n = pack_count(pk), off = 0, i = 0;
    size_t *offs = mem_alloc(sizeof(size_t) * (n > 0 ? n : 1));
    struct pack_elem e;
    while (pack_next(pk, &off, &e)) {
        offs[i++] = e.off;
    }
    bool go = true;
    for (size_t k = i; go && k > 0; k--) {
        size_t at = offs[k - 1];
        pack_next(pk, &at, &e);
        go = fn(e.p, e.len, (*index)--, arg);
    }
    mem_free(offs);
    if (pk == &copy) {
        pack_deinit(&copy);
    }
    return go;
}

/* Forward walks allocate nothing (the AOF rewrite child uses them). */
void list_walk(const struct list_obj *l, bool reverse, list_visit_fn fn, void *arg)
{
    long long index = reverse ? (long long)l->len - 1 : 0;
    for (struct list_chunk *ch = reverse ? l->tail : l->head; ch != NULL;
         ch = reverse ? ch->prev : ch->next) {
        if (reverse) {
            if (!chunk_walk_back(ch, fn, arg, &index)) {
                return;
            }
            continue;
        }
        struct chunk_it it;
        chunk_it_init(&it, ch);
        while (chunk_it_next(&it)) {
            if (!fn(it.p, it.len, index++, arg)) {
                return;
            }
        }
    }
}

bool list_insert(struct list_obj *l, const char *pivot, size_t plen, bool before, const char *s,
                 size_t len)
{
    for (struct list_chunk *ch = l->head; ch != NULL; ch = ch->next) {
        struct pack_elem e;
        if (ch->sealed != NULL && !chunk_has(ch, pivot, plen)) {
            continue; /* a sealed chunk is unsealed only to be changed */
        }
        chunk_unseal(ch);
        if (!pack_find(&ch->pk, pivot, plen, 1, &e)) {
            continue;
        }
        size_t off = e.off;
        if (!before) {
            pack_next(&ch->pk, &off, &e);
        }
        pack_insert(&ch->pk, off, s, len);
        chunk_seal(l, ch);
        l->len++;
        return true;
    }
    return false;
}

long long list_remove(struct list_obj *l, long long count, const char *s, size_t len)
{
    long long removed = 0, limit = count < 0 ? -count : count;
    bool from_tail = count < 0;
    struct list_chunk *ch = from_tail ? l->tail : l->head;
    while (ch != NULL && (limit == 0 || removed < limit)) {
        struct list_chunk *next = from_tail ? ch->prev : ch->next;
        struct pack_elem e;
        if (ch->sealed != NULL && !chunk_has(ch, s, len)) {
            ch = next; /* a sealed chunk is unsealed only to be changed */
            continue;
        }
        chunk_unseal(ch);
        long long before = removed;
        /* Within a chunk, match from the chosen end, one at a time. */
        while ((limit == 0 || removed < limit) && pack_find(&ch->pk, s, len, 1, &e)) {
            if (from_tail) {
                size_t off = 0;
                struct pack_elem x;
                while (pack_next(&ch->pk, &off, &x)) {
                    if (x.len == len && memcmp(x.p, s, len) == 0) {
                        e = x;
                    }
                }
            }
            pack_delete(&ch->pk, &e, 1);
            removed++;
            l->len--;
        }
        if (pack_count(&ch->pk) == 0) {
            chunk_unlink(l, ch);
        } else if (removed > before) {
            chunk_seal(l, ch);
        }
        ch = next;
    }
    return removed;
}

/* Drop n elements from one end, whole chunks first. */
static void list_drop(struct list_obj *l, size_t n, bool head)
{
    while (n > 0 && l->len > 0) {
        struct list_chunk *ch = head ? l->head : l->tail; /* plain: an end */
        size_t count = pack_count(&ch->pk);
        if (count <= n) {
            n -= count;
            l->len -= count;
            chunk_unlink(l, ch);
            continue;
        }
        /* Part of this chunk: from the front, or the last n elements. */
        size_t skip = head ? 0 : count - n, off = 0;
        struct pack_elem e;
        for (size_t i = 0; i <= skip; i++) {
            pack_next(&ch->pk, &off, &e);
        }
        pack_delete(&ch->pk, &e, (int)n);
        l->len -= n;
        n = 0;
    }
}

void list_trim(struct list_obj *l, size_t start, size_t stop)
{
    size_t drop_tail = l->len - 1 - stop;
    list_drop(l, start, true);
    list_drop(l, drop_tail, false);
}
