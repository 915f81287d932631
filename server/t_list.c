/* t_list.c - see t_list.h. */
#include "server/t_list.h"

#include <string.h>

#include "server/mem.h"
#include "server/pack.h"

/* A chunk's whole allocation (header included) stays within one 8 KiB size
 * class of the allocator. */
#define LIST_CHUNK_BYTES 8192
#define LIST_VARINT_MAX 5

struct list_chunk {
    struct list_chunk *prev, *next;
    struct pack pk;
};

struct list_obj {
    struct list_chunk *head, *tail;
    size_t len;
    size_t nchunks;
};

struct list_obj *list_new(void)
{
    return mem_calloc(sizeof(struct list_obj));
}

static void chunk_free(struct list_chunk *ch)
{
    pack_deinit(&ch->pk);
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
    struct pack_elem e;
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

/* Locate a 0-based index: its chunk and element. */
static bool list_locate(const struct list_obj *l, long long index, struct list_chunk **out,
                        struct pack_elem *e)
{
    if (index < 0) {
        index += (long long)l->len;
    }
    if (index < 0 || (size_t)index >= l->len) {
        return false;
    }
    struct list_chunk *ch = l->head;
    while (ch != NULL && (size_t)index >= pack_count(&ch->pk)) {
        index -= pack_count(&ch->pk);
        ch = ch->next;
    }
    size_t off = 0;
    for (long long i = 0; i <= index; i++) {
        pack_next(&ch->pk, &off, e);
    }
    *out = ch;
    return true;
}

bool list_index(const struct list_obj *l, long long index, const char **s, size_t *len)
{
    struct list_chunk *ch;
    struct pack_elem e;
    if (!list_locate(l, index, &ch, &e)) {
        return false;
    }
    *s = e.p;
    *len = e.len;
    return true;
}

bool list_set(struct list_obj *l, long long index, const char *s, size_t len)
{
    struct list_chunk *ch;
    struct pack_elem e;
    if (!list_locate(l, index, &ch, &e)) {
        return false;
    }
    pack_replace(&ch->pk, &e, s, len);
    return true;
}

void list_walk(const struct list_obj *l, bool reverse, list_visit_fn fn, void *arg)
{
    long long index = reverse ? (long long)l->len - 1 : 0;
    for (struct list_chunk *ch = reverse ? l->tail : l->head; ch != NULL;
         ch = reverse ? ch->prev : ch->next) {
        /* Elements of a chunk in order; reversed walks buffer offsets. */
        size_t n = pack_count(&ch->pk), off = 0, i = 0;
        size_t *offs = reverse ? mem_alloc(sizeof(size_t) * (n > 0 ? n : 1)) : NULL;
        struct pack_elem e;
        bool go = true;
        while (pack_next(&ch->pk, &off, &e)) {
            if (reverse) {
                offs[i++] = e.off;
            } else if (!(go = fn(e.p, e.len, index++, arg))) {
                break;
            }
        }
        for (size_t k = i; reverse && go && k > 0; k--) {
            size_t at = offs[k - 1];
            pack_next(&ch->pk, &at, &e);
            go = fn(e.p, e.len, index--, arg);
        }
        mem_free(offs);
        if (!go) {
            return;
        }
    }
}

bool list_insert(struct list_obj *l, const char *pivot, size_t plen, bool before, const char *s,
                 size_t len)
{
    for (struct list_chunk *ch = l->head; ch != NULL; ch = ch->next) {
        struct pack_elem e;
        if (pack_find(&ch->pk, pivot, plen, 1, &e)) {
            size_t off = e.off;
            if (!before) {
                pack_next(&ch->pk, &off, &e);
            }
            pack_insert(&ch->pk, off, s, len);
            l->len++;
            return true;
        }
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
        }
        ch = next;
    }
    return removed;
}

/* Drop n elements from one end, whole chunks first. */
static void list_drop(struct list_obj *l, size_t n, bool head)
{
    while (n > 0 && l->len > 0) {
        struct list_chunk *ch = head ? l->head : l->tail;
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
