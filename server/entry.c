/* entry.c - see entry.h. */
#include "server/entry.h"

#include <string.h>

#include "protocol/resp.h"
#include "server/mem.h"
#include "server/pack.h"
#include "server/t_hash.h"
#include "server/t_list.h"
#include "server/t_set.h"
#include "server/t_zset.h"

/* Redis keeps strings up to this length in one allocation ("embstr"). */
#define ENTRY_EMBSTR_MAX 44

size_t entry_size(size_t klen, enum entry_enc enc, size_t vlen, bool has_expire)
{
    size_t n = offsetof(struct entry, data) + pack_varint_len(klen) + klen + vlen;
    if (enc == ENTRY_ENC_EMB) {
        n += pack_varint_len(vlen);
    }
    return n + (has_expire ? 8 : 0);
}

/* Allocate and fill everything but the value bytes; returns where they go. */
static uint8_t *entry_build(struct entry **out, enum entry_type type, enum entry_enc enc,
                            const char *key, size_t klen, size_t vlen, int64_t expire_ms)
{
    bool has_expire = expire_ms >= 0;
    struct entry *e = mem_alloc(entry_size(klen, enc, vlen, has_expire));
    e->node.link = 0;
    e->hdr = (uint8_t)(type | (enc << ENTRY_HDR_ENC_SHIFT) | (has_expire ? ENTRY_HDR_EXPIRE : 0));
    uint8_t *p = e->data + pack_varint_put(e->data, klen);
    if (enc == ENTRY_ENC_EMB) {
        p += pack_varint_put(p, vlen);
    }
    if (has_expire) {
        memcpy(p, &expire_ms, 8);
        p += 8;
    }
    memcpy(p, key, klen);
    *out = e;
    return p + klen;
}

struct entry *entry_new_int(const char *key, size_t klen, int64_t v, int64_t expire_ms)
{
    struct entry *e;
    uint8_t *val = entry_build(&e, ENTRY_STRING, ENTRY_ENC_INT, key, klen, 8, expire_ms);
    memcpy(val, &v, 8);
    return e;
}

struct entry *entry_new_str(const char *key, size_t klen, const char *val, size_t vlen,
                            int64_t expire_ms)
{
    long long v;
    if (vlen <= 20 && resp_str_to_ll(val, vlen, &v) == 0) {
        return entry_new_int(key, klen, v, expire_ms);
    }
    struct entry *e;
    uint8_t *dst = entry_build(&e, ENTRY_STRING, ENTRY_ENC_EMB, key, klen, vlen, expire_ms);
    memcpy(dst, val, vlen);
    return e;
}

struct entry *entry_new_bytes(const char *key, size_t klen, const char *val, size_t vlen,
                              int64_t expire_ms, bool raw)
{
    struct entry *e;
    uint8_t *dst = entry_build(&e, ENTRY_STRING, ENTRY_ENC_EMB, key, klen, vlen, expire_ms);
    memcpy(dst, val, vlen);
    if (raw) {
        e->hdr |= ENTRY_HDR_RAW;
    }
    return e;
}

struct entry *entry_new_obj(const char *key, size_t klen, enum entry_type type, void *obj,
                            int64_t expire_ms)
{
    struct entry *e;
    uint8_t *dst = entry_build(&e, type, ENTRY_ENC_PTR, key, klen, 8, expire_ms);
    memcpy(dst, &obj, sizeof(obj));
    return e;
}

void entry_set_obj(struct entry *e, void *obj, bool packed)
{
    struct entry_layout l;
    entry_decode(e, &l);
    memcpy((uint8_t *)l.val, &obj, sizeof(obj));
    e->hdr = (uint8_t)(packed ? e->hdr | ENTRY_HDR_PACKED : e->hdr & ~ENTRY_HDR_PACKED);
}

static void *entry_obj_dup(const struct entry *e)
{
    if (entry_is_packed(e)) {
        struct pack src = {entry_obj(e)}, dst;
        pack_copy(&dst, &src);
        return dst.data;
    }
    switch (entry_type(e)) {
    case ENTRY_HASH:
        return hash_dup(entry_obj(e));
    case ENTRY_SET:
        return set_dup(entry_obj(e));
    case ENTRY_ZSET:
        return zset_dup(entry_obj(e));
    case ENTRY_LIST:
        return list_dup(entry_obj(e));
    default:
        return NULL;
    }
}

static void entry_obj_free(struct entry *e)
{
    if (entry_is_packed(e)) {
        struct pack pk = {entry_obj(e)};
        pack_deinit(&pk);
        return;
    }
    switch (entry_type(e)) {
    case ENTRY_HASH:
        hash_free(entry_obj(e));
        break;
    case ENTRY_SET:
        set_free(entry_obj(e));
        break;
    case ENTRY_ZSET:
        zset_free(entry_obj(e));
        break;
    case ENTRY_LIST:
        list_free(entry_obj(e));
        break;
    default:
        break;
    }
}

static struct entry *entry_rebuild(const struct entry *e, const char *key, size_t klen,
                                   int64_t expire_ms)
{
    struct entry_layout l;
    entry_decode(e, &l);
    struct entry *n;
    uint8_t *dst = entry_build(&n, entry_type(e), entry_enc(e), key, klen, l.vlen, expire_ms);
    memcpy(dst, l.val, l.vlen);
    n->hdr |= e->hdr & ENTRY_HDR_RAW;
    dict_node_set_tag(&n->node, dict_node_tag(&e->node));
    return n;
}

struct entry *entry_dup_with_key(const struct entry *e, const char *key, size_t klen)
{
    if (entry_enc(e) == ENTRY_ENC_PTR) {
        struct entry *n =
            entry_new_obj(key, klen, entry_type(e), entry_obj_dup(e), entry_expire(e));
        n->hdr |= e->hdr & ENTRY_HDR_PACKED;
        return n;
    }
    return entry_rebuild(e, key, klen, entry_expire(e));
}

struct entry *entry_with_expire(const struct entry *e, int64_t expire_ms)
{
    struct entry_layout l;
    entry_decode(e, &l);
    struct entry *n = entry_rebuild(e, (const char *)l.key, l.klen, expire_ms);
    n->node.link = e->node.link; /* same chain position and LRU tag */
    return n;
}

void entry_free(struct entry *e)
{
    if (e != NULL && entry_enc(e) == ENTRY_ENC_PTR) {
        entry_obj_free(e);
    }
    mem_free(e);
}

void entry_free_replaced(struct entry *old, const struct entry *successor)
{
    if (entry_enc(old) == ENTRY_ENC_PTR && entry_enc(successor) == ENTRY_ENC_PTR &&
        entry_obj(old) == entry_obj(successor)) {
        mem_free(old);
        return;
    }
    entry_free(old);
}

void entry_key(const struct entry *e, const char **key, size_t *len)
{
    const uint8_t *p = e->data + pack_varint_get(e->data, len);
    if (entry_enc(e) == ENTRY_ENC_EMB) {
        while (*p++ & 0x80) {
        }
    }
    if (entry_has_expire(e)) {
        p += 8;
    }
    *key = (const char *)p;
}

void entry_set_expire_inplace(struct entry *e, int64_t expire_ms)
{
    struct entry_layout l;
    entry_decode(e, &l);
    memcpy((uint8_t *)l.expire, &expire_ms, 8);
}

void entry_str(const struct entry *e, struct entry_str *out)
{
    struct entry_layout l;
    entry_decode(e, &l);
    if (entry_enc(e) == ENTRY_ENC_INT) {
        out->len = resp_ll_to_str(out->buf, entry_load_i64(l.val));
        out->p = out->buf;
        return;
    }
    out->p = (const char *)l.val;
    out->len = l.vlen;
}

int64_t entry_int(const struct entry *e)
{
    struct entry_layout l;
    entry_decode(e, &l);
    return entry_load_i64(l.val);
}

void entry_set_int(struct entry *e, int64_t v)
{
    struct entry_layout l;
    entry_decode(e, &l);
    memcpy((uint8_t *)l.val, &v, 8);
}

const char *entry_encoding_name(const struct entry *e)
{
    if (entry_type(e) == ENTRY_STRING) {
        if (entry_enc(e) == ENTRY_ENC_INT) {
            return "int";
        }
        struct entry_layout l;
        entry_decode(e, &l);
        return (e->hdr & ENTRY_HDR_RAW) || l.vlen > ENTRY_EMBSTR_MAX ? "raw" : "embstr";
    }
    if (entry_type(e) == ENTRY_HASH) {
        return hash_encoding(entry_obj(e));
    }
    if (entry_type(e) == ENTRY_SET) {
        return set_encoding(entry_obj(e));
    }
    if (entry_type(e) == ENTRY_ZSET) {
        return entry_is_packed(e) ? "listpack" : "skiplist";
    }
    if (entry_type(e) == ENTRY_LIST) {
        return list_encoding(entry_obj(e));
    }
    return "unknown";
}

size_t entry_alloc_size(const struct entry *e)
{
    return mem_usable_size(e);
}
