/* t_hash.h - the hash type: field -> value, packed while small (Redis's
 * "listpack"), a hash table of field nodes once it outgrows
 * hash-max-listpack-entries / hash-max-listpack-value. */
#ifndef SURGE_SERVER_T_HASH_H
#define SURGE_SERVER_T_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/pack.h"

struct hash_obj;

struct hash_limits {
    size_t max_packed_entries;
    size_t max_packed_value;
};

typedef void (*hash_visit_fn)(const char *f, size_t flen, const char *v, size_t vlen, void *arg);

struct hash_obj *hash_new(void);
void hash_free(struct hash_obj *h);
struct hash_obj *hash_dup(const struct hash_obj *h);
size_t hash_len(const struct hash_obj *h);
const char *hash_encoding(const struct hash_obj *h);

/* The value of a field (borrowed until the hash changes), or false. */
bool hash_get(const struct hash_obj *h, const char *f, size_t flen, const char **v,
              size_t *vlen);
/* The pack of a hash held packed (field, value, ...), or NULL. */
const struct pack *hash_packed(const struct hash_obj *h);
/* Several fields at once: vals[i], vlens[i] get fields[i]'s value, or NULL
 * when absent; returns how many were found. */
size_t hash_get_many(const struct hash_obj *h, size_t n, const char *const *fields,
                     const size_t *flens, const char **vals, size_t *vlens);
/* Set a field; returns true if the field is new. Converts to a table when
 * the limits are passed. */
bool hash_set(struct hash_obj *h, const char *f, size_t flen, const char *v, size_t vlen,
              const struct hash_limits *lim);
bool hash_del(struct hash_obj *h, const char *f, size_t flen);

void hash_foreach(const struct hash_obj *h, hash_visit_fn fn, void *arg);
/* HSCAN step: a packed hash is returned whole (cursor 0 back). */
uint64_t hash_scan(const struct hash_obj *h, uint64_t cursor, hash_visit_fn fn, void *arg);
/* A random field (rnd: a random 64-bit source); the hash must be non-empty. */
void hash_random(const struct hash_obj *h, uint64_t (*rnd)(void), const char **f, size_t *flen,
                 const char **v, size_t *vlen);

/* Per-field deadlines (Redis 7.4 HEXPIRE): a hash holding any is kept in
 * table encoding. A new value for a field drops its deadline. */
/* The field's deadline in unix ms: -2 no such field, -1 none. */
int64_t hash_field_expire(const struct hash_obj *h, const char *f, size_t flen);
/* Set (expire_ms >= 0) or clear (< 0) a field's deadline; -ENOENT if the
 * field doesn't exist. */
int hash_set_field_expire(struct hash_obj *h, const char *f, size_t flen, int64_t expire_ms);
bool hash_has_field_deadlines(const struct hash_obj *h);
/* Delete fields whose deadline is <= now_ms; returns how many. */
typedef void (*hash_field_fn)(const char *f, size_t flen, void *arg);
/* fn (may be NULL) sees each expired field before it goes. */
size_t hash_purge_expired(struct hash_obj *h, int64_t now_ms, hash_field_fn fn, void *arg);
/* The earliest field deadline, or -1 when none. O(1). */
int64_t hash_next_deadline(const struct hash_obj *h);

#endif
