/* digest.h - DEBUG DIGEST and DEBUG DIGEST-VALUE: Redis's SHA1 signature of
 * the dataset and of single values, byte for byte the same as Redis 7
 * computes for the same data, so a test can compare Surge with Redis (or a
 * replica with its primary) in one round trip.
 *
 * Unordered collections (keys, set members, hash fields, sorted set
 * members) are combined by xor, ordered ones (list elements, the parts of
 * one key) by feeding the running digest back through SHA1. A deadline
 * counts by its presence only, never its value.
 *
 * Reads the keyspace without changing it: no lazy expiry, no LRU touch, no
 * unpacking of packed sorted sets.
 */
#ifndef SURGE_SERVER_DIGEST_H
#define SURGE_SERVER_DIGEST_H

#include <stddef.h>

#include "server/db.h"

#define DIGEST_LEN 20
/* Hex form plus NUL. */
#define DIGEST_HEX_LEN (2 * DIGEST_LEN + 1)

/* The signature of every db of the server; all zeros when every db is
 * empty. */
void digest_dataset(unsigned char out[DIGEST_LEN]);
/* The signature of key's value in db (type, contents and whether it has a
 * deadline, not the key name), even when the key is logically expired; all
 * zeros when the key is absent. */
void digest_key(struct db *db, const char *key, size_t len, unsigned char out[DIGEST_LEN]);
/* Lower-case hex of a digest, NUL-terminated. */
void digest_hex(const unsigned char d[DIGEST_LEN], char out[DIGEST_HEX_LEN]);

#endif
