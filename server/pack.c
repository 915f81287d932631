/* pack.c - see pack.h. */
#include "server/pack.h"

#include <string.h>

#include "server/mem.h"

static size_t pack_varint_len(size_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

static size_t pack_varint_put(unsigned char *p, size_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

static size_t pack_varint_get(const unsigned char *p, size_t *v)
{
    size_t r = 0, n = 0;
    int shift = 0;
    while (p[n] & 0x80) {
        r |= (size_t)(p[n++] & 0x7f) << shift;
        shift += 7;
    }
    *v = r | ((size_t)p[n++] << shift);
    return n;
}

void pack_init(struct pack *pk)
{
    memset(pk, 0, sizeof(*pk));
}

void pack_deinit(struct pack *pk)
{
    mem_free(pk->data);
    memset(pk, 0, sizeof(*pk));
}

void pack_copy(struct pack *dst, const struct pack *src)
{
    *dst = *src;
    dst->data = NULL;
    dst->cap = src->used;
    if (src->used > 0) {
        dst->data = mem_alloc(src->used);
        memcpy(dst->data, src->data, src->used);
    }
}

size_t pack_bytes(const struct pack *pk)
{
    return sizeof(*pk) + mem_usable_size(pk->data);
}

bool pack_next(const struct pack *pk, size_t *off, struct pack_elem *e)
{
    if (*off >= pk->used) {
        return false;
    }
    size_t len;
    size_t h = pack_varint_get(pk->data + *off, &len);
    e->off = *off;
    e->p = (const char *)pk->data + *off + h;
    e->len = len;
    *off += h + len;
    return true;
}

bool pack_find(const struct pack *pk, const char *s, size_t len, int stride,
               struct pack_elem *e)
{
    size_t off = 0;
    uint32_t i = 0;
    while (pack_next(pk, &off, e)) {
        if (i++ % (uint32_t)stride == 0 && e->len == len && memcmp(e->p, s, len) == 0) {
            return true;
        }
    }
    return false;
}

static void pack_reserve(struct pack *pk, size_t more)
{
    if (pk->cap - pk->used >= more) {
        return;
    }
    /* Grow to what is needed and keep whatever the allocator's size class
     * gives: small collections are the common case and slack is memory. */
    pk->data = mem_realloc(pk->data, pk->used + more);
    pk->cap = (uint32_t)mem_usable_size(pk->data);
}

void pack_push(struct pack *pk, const char *s, size_t len)
{
    pack_reserve(pk, len + pack_varint_len(len));
    pk->used += (uint32_t)pack_varint_put(pk->data + pk->used, len);
    memcpy(pk->data + pk->used, s, len);
    pk->used += (uint32_t)len;
    pk->count++;
}

void pack_insert(struct pack *pk, size_t off, const char *s, size_t len)
{
    size_t need = pack_varint_len(len) + len;
    pack_reserve(pk, need);
    memmove(pk->data + off + need, pk->data + off, pk->used - off);
    size_t h = pack_varint_put(pk->data + off, len);
    memcpy(pk->data + off + h, s, len);
    pk->used += (uint32_t)need;
    pk->count++;
}

void pack_replace(struct pack *pk, const struct pack_elem *e, const char *s, size_t len)
{
    size_t old = pack_varint_len(e->len) + e->len;
    size_t now = pack_varint_len(len) + len;
    size_t off = e->off;
    if (now > old) {
        pack_reserve(pk, now - old);
    }
    memmove(pk->data + off + now, pk->data + off + old, pk->used - off - old);
    size_t h = pack_varint_put(pk->data + off, len);
    memcpy(pk->data + off + h, s, len);
    pk->used = (uint32_t)(pk->used + now - old);
}

void pack_delete(struct pack *pk, const struct pack_elem *e, int n)
{
    size_t end = e->off;
    struct pack_elem x;
    for (int i = 0; i < n && pack_next(pk, &end, &x); i++) {
        pk->count--;
    }
    memmove(pk->data + e->off, pk->data + end, pk->used - end);
    pk->used = (uint32_t)(pk->used - (end - e->off));
}
