/* pack.h - a packed array of byte strings, the compact encoding of small
 * collections (Redis calls its equivalent a listpack).
 *
 * One allocation: a small header, then each element as a varint length
 * and its bytes. Lookups are linear, which is what small collections want: no
 * pointers, one cache-friendly buffer, one byte of overhead per short
 * element. Pure: no globals; allocation through server/mem.
 */
#ifndef SURGE_SERVER_PACK_H
#define SURGE_SERVER_PACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One pointer: the allocation starts with the element count and the bytes
 * of elements in use (4 bytes each), then the elements; capacity is what
 * the allocator gave. NULL is the empty pack. */
struct pack {
    unsigned char *data;
};

#define PACK_HEADER 8

static inline uint32_t pack_count(const struct pack *pk)
{
    uint32_t v = 0;
    if (pk->data != NULL) {
        __builtin_memcpy(&v, pk->data, 4);
    }
    return v;
}

/* Bytes of elements in use. */
static inline uint32_t pack_used(const struct pack *pk)
{
    uint32_t v = 0;
    if (pk->data != NULL) {
        __builtin_memcpy(&v, pk->data + 4, 4);
    }
    return v;
}

/* An element as found in the pack: borrowed until the pack changes. */
struct pack_elem {
    const char *p;
    size_t len;
    size_t off; /* byte offset of the element (its length prefix) */
};

/* LEB128 lengths, as the pack writes them (also used by other encodings). */
size_t pack_varint_len(size_t v);
size_t pack_varint_put(unsigned char *p, size_t v);
/* Inline: every read of a small collection goes through it. */
static inline size_t pack_varint_get(const unsigned char *p, size_t *v)
{
    if (p[0] < 0x80) { /* lengths under 128: one byte */
        *v = p[0];
        return 1;
    }
    size_t r = 0, n = 0;
    int shift = 0;
    while (p[n] & 0x80) {
        r |= (size_t)(p[n++] & 0x7f) << shift;
        shift += 7;
    }
    *v = r | ((size_t)p[n++] << shift);
    return n;
}

void pack_init(struct pack *pk);
void pack_deinit(struct pack *pk);
void pack_copy(struct pack *dst, const struct pack *src);
/* Bytes held (INFO, memory figures). */
size_t pack_bytes(const struct pack *pk);

/* Iterate: start with off = 0; returns false at the end. */
static inline bool pack_next(const struct pack *pk, size_t *off, struct pack_elem *e)
{
    if (*off >= pack_used(pk)) {
        return false;
    }
    size_t len;
    const unsigned char *at = pk->data + PACK_HEADER + *off;
    size_t h = pack_varint_get(at, &len);
    e->off = *off;
    e->p = (const char *)at + h;
    e->len = len;
    *off += h + len;
    return true;
}
/* A cursor for reading a pack front to back, for loops that want no more
 * than the bytes: start it with pack_iter_init, then pack_iter_next until
 * it returns false. */
struct pack_iter {
    const unsigned char *p, *end;
};

static inline void pack_iter_init(const struct pack *pk, struct pack_iter *it)
{
    it->p = pk->data != NULL ? pk->data + PACK_HEADER : NULL;
    it->end = it->p != NULL ? it->p + pack_used(pk) : NULL;
}

static inline bool pack_iter_next(struct pack_iter *it, const char **s, size_t *len)
{
    if (it->p >= it->end) {
        return false;
    }
    it->p += pack_varint_get(it->p, len);
    *s = (const char *)it->p;
    it->p += *len;
    return true;
}

/* Find element s at an even index when stride is 2 (hash fields), any
 * index when 1; returns true and fills e. */
bool pack_find(const struct pack *pk, const char *s, size_t len, int stride,
               struct pack_elem *e);
/* Bytes an element of len bytes takes in a pack (its length prefix too). */
size_t pack_elem_size(size_t len);
/* Make room for bytes more bytes of elements (lengths included) at once. */
void pack_reserve_bytes(struct pack *pk, size_t bytes);
/* Append at the end. */
void pack_push(struct pack *pk, const char *s, size_t len);
/* Insert at byte offset off (0: front; an element's off: before it). */
void pack_insert(struct pack *pk, size_t off, const char *s, size_t len);
/* Replace the element at e with new bytes. */
void pack_replace(struct pack *pk, const struct pack_elem *e, const char *s, size_t len);
/* Delete n consecutive elements starting at e. */
void pack_delete(struct pack *pk, const struct pack_elem *e, int n);

#endif
