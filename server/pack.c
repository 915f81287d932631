/* pack.c - see pack.h. */
#include "server/pack.h"

#include <string.h>

#include "server/mem.h"

size_t pack_varint_len(size_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

size_t pack_varint_put(unsigned char *p, size_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (unsigned char)v;
    return n;
}

static void pack_set_header(struct pack *pk, uint32_t count, uint32_t used)
{
    memcpy(pk->data, &count, 4);
    memcpy(pk->data + 4, &used, 4);
}

/* Elements start after the header; offsets in pack_elem are relative to
 * the elements. */
static inline unsigned char *pack_elems(const struct pack *pk)
{
    return pk->data + PACK_HEADER;
}

void pack_init(struct pack *pk)
{
    pk->data = NULL;
}

void pack_deinit(struct pack *pk)
{
    mem_free(pk->data);
    pk->data = NULL;
}

void pack_copy(struct pack *dst, const struct pack *src)
{
    dst->data = NULL;
    if (src->data != NULL) {
        size_t n = PACK_HEADER + pack_used(src);
        dst->data = mem_alloc(n);
        memcpy(dst->data, src->data, n);
    }
}

size_t pack_bytes(const struct pack *pk)
{
    return sizeof(*pk) + mem_usable_size(pk->data);
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
    size_t used = pack_used(pk), have = mem_usable_size(pk->data);
    if (have >= PACK_HEADER + used + more) {
        return;
    }
    /* Grow to what is needed and keep whatever the allocator's size class
     * gives: small collections are the common case and slack is memory. */
    bool fresh = pk->data == NULL;
    pk->data = mem_realloc(pk->data, PACK_HEADER + used + more);
    if (fresh) {
        pack_set_header(pk, 0, 0);
    }
}

size_t pack_elem_size(size_t len)
{
    return pack_varint_len(len) + len;
}

void pack_reserve_bytes(struct pack *pk, size_t bytes)
{
    pack_reserve(pk, bytes);
}

void pack_push(struct pack *pk, const char *s, size_t len)
{
    pack_reserve(pk, len + pack_varint_len(len));
    uint32_t used = pack_used(pk);
    unsigned char *p = pack_elems(pk) + used;
    size_t h = pack_varint_put(p, len);
    memcpy(p + h, s, len);
    pack_set_header(pk, pack_count(pk) + 1, used + (uint32_t)(h + len));
}

void pack_insert(struct pack *pk, size_t off, const char *s, size_t len)
{
    size_t need = pack_varint_len(len) + len;
    pack_reserve(pk, need);
    uint32_t used = pack_used(pk);
    unsigned char *base = pack_elems(pk);
    memmove(base + off + need, base + off, used - off);
    size_t h = pack_varint_put(base + off, len);
    memcpy(base + off + h, s, len);
    pack_set_header(pk, pack_count(pk) + 1, used + (uint32_t)need);
}

void pack_replace(struct pack *pk, const struct pack_elem *e, const char *s, size_t len)
{
    size_t old = pack_varint_len(e->len) + e->len;
    size_t now = pack_varint_len(len) + len;
    size_t off = e->off;
    if (now > old) {
        pack_reserve(pk, now - old);
    }
    uint32_t used = pack_used(pk);
    unsigned char *base = pack_elems(pk);
    memmove(base + off + now, base + off + old, used - off - old);
    size_t h = pack_varint_put(base + off, len);
    memcpy(base + off + h, s, len);
    pack_set_header(pk, pack_count(pk), (uint32_t)(used + now - old));
}

void pack_delete(struct pack *pk, const struct pack_elem *e, int n)
{
    size_t end = e->off;
    struct pack_elem x;
    uint32_t count = pack_count(pk), used = pack_used(pk);
    for (int i = 0; i < n && pack_next(pk, &end, &x); i++) {
        count--;
    }
    unsigned char *base = pack_elems(pk);
    memmove(base + e->off, base + end, used - end);
    pack_set_header(pk, count, (uint32_t)(used - (end - e->off)));
}
