/* entry.h - one keyspace entry: key, value and optional deadline in one
 * allocation.
 *
 * Layout after the dict link word (whose top 16 bits hold the LRU clock):
 *   hdr (1 byte): type (3 bits), encoding (2 bits), has-expire, raw
 *   varint key length
 *   varint value length          (ENTRY_ENC_EMB only)
 *   int64 deadline in unix ms     (has-expire only)
 *   key bytes
 *   value: bytes (EMB), int64 (INT) or a pointer (PTR, collections)
 * Multi-byte fields are unaligned and read with memcpy. A 16-byte key with a
 * 100-byte value takes 127 bytes, one 128-byte jemalloc class; Redis spends
 * a dictEntry, a robj and two sds allocations on the same pair.
 *
 * A copy (entry_dup_with_key) deep-copies a collection; entry_free frees it.
 *
 * Entries are immutable in size: changing the value length or adding a
 * deadline builds a new entry (entry_with_*), which the keyspace swaps into
 * the same dict slot. Pure: reads no global.
 */
#ifndef SURGE_SERVER_ENTRY_H
#define SURGE_SERVER_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/dict.h"
#include "server/pack.h"

enum entry_type {
    ENTRY_STRING = 0,
    ENTRY_LIST = 1,
    ENTRY_SET = 2,
    ENTRY_ZSET = 3,
    ENTRY_HASH = 4,
};

enum entry_enc {
    ENTRY_ENC_EMB = 0, /* value bytes inline */
    ENTRY_ENC_INT = 1, /* value is an int64 in canonical decimal form */
    ENTRY_ENC_PTR = 2, /* value is a pointer owned by the entry */
};

#define ENTRY_HDR_TYPE_MASK 0x07u
#define ENTRY_HDR_ENC_SHIFT 3
#define ENTRY_HDR_ENC_MASK (0x03u << ENTRY_HDR_ENC_SHIFT)
#define ENTRY_HDR_EXPIRE 0x20u
#define ENTRY_HDR_RAW 0x40u /* changed in place: OBJECT ENCODING says "raw" */
/* On a sorted set, the same bit: the value is a packed array (the data
 * pointer of a struct pack) instead of a struct zset_obj. */
#define ENTRY_HDR_PACKED ENTRY_HDR_RAW

struct entry {
    struct dict_node node;
    uint8_t hdr;
    uint8_t data[];
};

/* Longest decimal form of an int64, plus NUL. */
#define ENTRY_INT_BUF 24

/* A string value: p/len point into the entry or into buf. */
struct entry_str {
    const char *p;
    size_t len;
    char buf[ENTRY_INT_BUF];
};

static inline enum entry_type entry_type(const struct entry *e)
{
    return (enum entry_type)(e->hdr & ENTRY_HDR_TYPE_MASK);
}

static inline enum entry_enc entry_enc(const struct entry *e)
{
    return (enum entry_enc)((e->hdr & ENTRY_HDR_ENC_MASK) >> ENTRY_HDR_ENC_SHIFT);
}

static inline bool entry_has_expire(const struct entry *e)
{
    return (e->hdr & ENTRY_HDR_EXPIRE) != 0;
}

/* Decoded positions inside an entry (lengths are the packs' varints).
 * Inline, with the readers every lookup uses. */
struct entry_layout {
    size_t klen;
    size_t vlen;
    const uint8_t *expire; /* NULL when none */
    const uint8_t *key;
    const uint8_t *val;
};

static inline void entry_decode(const struct entry *e, struct entry_layout *l)
{
    const uint8_t *p = e->data + pack_varint_get(e->data, &l->klen);
    l->vlen = 8;
    if (entry_enc(e) == ENTRY_ENC_EMB) {
        p += pack_varint_get(p, &l->vlen);
    }
    l->expire = NULL;
    if (entry_has_expire(e)) {
        l->expire = p;
        p += 8;
    }
    l->key = p;
    l->val = p + l->klen;
}

/* An unaligned int64 inside an entry (a deadline, an INT value). */
static inline int64_t entry_load_i64(const uint8_t *p)
{
    int64_t v;
    __builtin_memcpy(&v, p, 8);
    return v;
}

/* The collection of an ENTRY_ENC_PTR entry (borrowed). */
static inline void *entry_obj(const struct entry *e)
{
    struct entry_layout l;
    entry_decode(e, &l);
    void *obj;
    __builtin_memcpy(&obj, l.val, sizeof(obj));
    return obj;
}

/* Deadline in unix ms, or -1. */
static inline int64_t entry_expire(const struct entry *e)
{
    if (!entry_has_expire(e)) {
        return -1;
    }
    struct entry_layout l;
    entry_decode(e, &l);
    return entry_load_i64(l.expire);
}

/* Allocation size of an entry with these parts. */
size_t entry_size(size_t klen, enum entry_enc enc, size_t vlen, bool has_expire);

/* New string entry; the value is stored as ENTRY_ENC_INT when it is the
 * canonical decimal form of an int64 (as Redis's "int" encoding), else
 * inline. expire_ms < 0 means no deadline. Caller frees with entry_free. */
struct entry *entry_new_str(const char *key, size_t klen, const char *val, size_t vlen,
                            int64_t expire_ms);
/* Same, but always stored as bytes (never as an int): raw marks the result
 * of APPEND/SETRANGE, which Redis reports as "raw" whatever the content;
 * INCRBYFLOAT's result is plain bytes ("embstr"). */
struct entry *entry_new_bytes(const char *key, size_t klen, const char *val, size_t vlen,
                              int64_t expire_ms, bool raw);
struct entry *entry_new_int(const char *key, size_t klen, int64_t v, int64_t expire_ms);
/* New entry holding a collection (takes ownership of obj, whose type is
 * type: a struct hash_obj for ENTRY_HASH, ...). */
struct entry *entry_new_obj(const char *key, size_t klen, enum entry_type type, void *obj,
                            int64_t expire_ms);
/* Swap the collection pointer of an ENTRY_ENC_PTR entry in place (the old
 * one is the caller's); packed marks a sorted set held as a pack. */
void entry_set_obj(struct entry *e, void *obj, bool packed);
static inline bool entry_is_packed(const struct entry *e)
{
    return entry_type(e) == ENTRY_ZSET && (e->hdr & ENTRY_HDR_PACKED) != 0;
}
/* A copy of e with another key (RENAME, COPY, MOVE keep value and deadline). */
struct entry *entry_dup_with_key(const struct entry *e, const char *key, size_t klen);
/* A copy of e with another deadline (< 0: none). Frees nothing. */
struct entry *entry_with_expire(const struct entry *e, int64_t expire_ms);
void entry_free(struct entry *e);
/* Free old, which successor replaces; a collection both point to (the
 * successor was built by entry_with_expire) is kept for the successor. */
void entry_free_replaced(struct entry *old, const struct entry *successor);

void entry_key(const struct entry *e, const char **key, size_t *len);
/* Overwrite the deadline of an entry that already has one. */
void entry_set_expire_inplace(struct entry *e, int64_t expire_ms);

/* String value (ENTRY_STRING only). */
void entry_str(const struct entry *e, struct entry_str *out);
/* The int64 of an ENTRY_ENC_INT entry. */
int64_t entry_int(const struct entry *e);
void entry_set_int(struct entry *e, int64_t v);

/* Redis's OBJECT ENCODING name for the entry's value. */
const char *entry_encoding_name(const struct entry *e);

/* Bytes held by the entry (its allocation; collections count themselves). */
size_t entry_alloc_size(const struct entry *e);

#endif
