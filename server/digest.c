/* digest.c - Redis's DEBUG DIGEST algorithm (debug.c, xorObjectDigest and
 * computeDatasetDigest) over Surge's types. SHA1 comes from libcrypto. */
#include "server/digest.h"

#include <arpa/inet.h>
#include <assert.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "server/pack.h"
#include "server/server.h"
#include "server/t_hash.h"
#include "server/t_list.h"
#include "server/t_set.h"
#include "server/t_zset.h"

/* Redis marks a key with a deadline, and (7.4) a hash field with one, by
 * xoring in the SHA1 of these strings. */
#define DIGEST_EXPIRE_MARK "!!expire!!"
#define DIGEST_HEXPIRE_MARK "!!hexpire!!"

static void sha1(const void *p, size_t len, unsigned char out[DIGEST_LEN])
{
    unsigned int n = 0;
    int ok = EVP_Digest(p, len, out, &n, EVP_sha1(), NULL);
    /* SHA1 of a memory buffer fails only if libcrypto itself is broken. */
    assert(ok == 1 && n == DIGEST_LEN);
    (void)ok;
}

/* d ^= SHA1(p): order-independent, for unordered elements. */
static void xor_digest(unsigned char d[DIGEST_LEN], const void *p, size_t len)
{
    unsigned char h[DIGEST_LEN];
    sha1(p, len, h);
    for (int i = 0; i < DIGEST_LEN; i++) {
        d[i] ^= h[i];
    }
}

/* d = SHA1(d ^ SHA1(p)): order-dependent, for sequences. */
static void mix_digest(unsigned char d[DIGEST_LEN], const void *p, size_t len)
{
    xor_digest(d, p, len);
    sha1(d, DIGEST_LEN, d);
}

static void mix_u32(unsigned char d[DIGEST_LEN], uint32_t v)
{
    uint32_t be = htonl(v);
    mix_digest(d, &be, sizeof(be));
}

static bool list_elem_digest(const char *s, size_t len, long long index, void *arg)
{
    mix_digest(arg, s, len);
    return true;
}

static void set_member_digest(const char *m, size_t len, void *arg)
{
    xor_digest(arg, m, len);
}

/* One sorted set member: its own digest of member then score, xored in.
 * Redis 7.0 formats the score with "%.17g" (7.2+ switched to the shortest
 * round-trip form, which gives other digests for e.g. 0.1). */
static void zset_member_digest(unsigned char d[DIGEST_LEN], const char *m, size_t len,
                               double score)
{
    unsigned char ele[DIGEST_LEN] = {0};
    char buf[64];
    int n = snprintf(buf, sizeof(buf), "%.17g", score);
    mix_digest(ele, m, len);
    mix_digest(ele, buf, (size_t)n);
    xor_digest(d, ele, DIGEST_LEN);
}

/* A packed sorted set is read in place: unpacking it would be a write. */
static void zset_digest(unsigned char d[DIGEST_LEN], const struct entry *e)
{
    if (entry_is_packed(e)) {
        struct pack pk = {entry_obj(e)};
        size_t off = 0;
        struct pack_elem m, sc;
        while (pack_next(&pk, &off, &m) && pack_next(&pk, &off, &sc)) {
            double score;
            memcpy(&score, sc.p, sizeof(score));
            zset_member_digest(d, m.p, m.len, score);
        }
        return;
    }
    const struct zset_obj *z = entry_obj(e);
    for (struct zset_node *n = zset_at_rank(z, 0); n != NULL; n = zset_next(n)) {
        size_t len;
        const char *m = zset_node_member(n, &len);
        zset_member_digest(d, m, len, zset_node_score(n));
    }
}

struct hash_digest_ctx {
    unsigned char *d;
    const struct hash_obj *h;
    bool field_ttls;
};

/* Fields past their deadline but not yet purged still count, as in Redis
 * 7.4 (its iterator does not skip them either). */
static void hash_field_digest(const char *f, size_t flen, const char *v, size_t vlen, void *arg)
{
    struct hash_digest_ctx *ctx = arg;
    unsigned char ele[DIGEST_LEN] = {0};
    mix_digest(ele, f, flen);
    mix_digest(ele, v, vlen);
    if (ctx->field_ttls && hash_field_expire(ctx->h, f, flen) >= 0) {
        xor_digest(ele, DIGEST_HEXPIRE_MARK, strlen(DIGEST_HEXPIRE_MARK));
    }
    xor_digest(ctx->d, ele, DIGEST_LEN);
}

/* Redis's xorObjectDigest: type, contents, then the deadline mark. */
static void value_digest(unsigned char d[DIGEST_LEN], const struct entry *e)
{
    mix_u32(d, (uint32_t)entry_type(e));
    switch (entry_type(e)) {
    case ENTRY_STRING: {
        struct entry_str s;
        entry_str(e, &s);
        mix_digest(d, s.p, s.len);
        break;
    }
    case ENTRY_LIST:
        list_walk(entry_obj(e), false, list_elem_digest, d);
        break;
    case ENTRY_SET:
        set_foreach(entry_obj(e), set_member_digest, d);
        break;
    case ENTRY_ZSET:
        zset_digest(d, e);
        break;
    case ENTRY_HASH: {
        struct hash_digest_ctx ctx = {d, entry_obj(e), false};
        ctx.field_ttls = hash_has_field_deadlines(ctx.h);
        hash_foreach(ctx.h, hash_field_digest, &ctx);
        break;
    }
    }
    if (entry_has_expire(e)) {
        xor_digest(d, DIGEST_EXPIRE_MARK, strlen(DIGEST_EXPIRE_MARK));
    }
}

/* One key of the dataset: key name mixed first, then the value; the
 * key's digest is xored into the total. */
static void dataset_entry_digest(struct dict_node *n, void *arg)
{
    const struct entry *e = (const struct entry *)n;
    unsigned char d[DIGEST_LEN] = {0};
    const char *key;
    size_t len;
    entry_key(e, &key, &len);
    mix_digest(d, key, len);
    value_digest(d, e);
    xor_digest(arg, d, DIGEST_LEN);
}

void digest_dataset(unsigned char out[DIGEST_LEN])
{
    memset(out, 0, DIGEST_LEN);
    for (int j = 0; j < server.ndbs; j++) {
        struct db *db = &server.dbs[j];
        if (db_size(db) == 0) {
            continue;
        }
        /* The db number goes in so that the same data in another db
         * gives another digest. */
        mix_u32(out, (uint32_t)j);
        dict_foreach(&db->dict, dataset_entry_digest, out);
    }
}

void digest_key(struct db *db, const char *key, size_t len, unsigned char out[DIGEST_LEN])
{
    memset(out, 0, DIGEST_LEN);
    struct entry *e =
        db_lookup(db, key, len, DB_LOOKUP_NOEXPIRE | DB_LOOKUP_NOTOUCH | DB_LOOKUP_NOSTATS);
    if (e != NULL) {
        value_digest(out, e);
    }
}

void digest_hex(const unsigned char d[DIGEST_LEN], char out[DIGEST_HEX_LEN])
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < DIGEST_LEN; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 0x0f];
    }
    out[2 * DIGEST_LEN] = '\0';
}
