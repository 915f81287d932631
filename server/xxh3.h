/* xxh3.h - XXH3 64-bit (seed 0, default secret), the hash behind Redis's
 * DIGEST command and the IFDEQ / IFDNE conditions of SET and DELEX.
 * Written from the xxHash specification (doc/xxhash_spec.md): pure code,
 * no state beyond constant tables, the same result on every CPU.
 */
#ifndef SURGE_SERVER_XXH3_H
#define SURGE_SERVER_XXH3_H

#include <stddef.h>
#include <stdint.h>

/* 16 lower-case hex digits and a NUL. */
#define XXH3_HEX_LEN 16

/* XXH3_64bits(p, len) with seed 0; p may be NULL when len is 0. */
uint64_t xxh3_64(const void *p, size_t len);

/* h as Redis's DIGEST prints it: 16 lower-case hex digits, zero-padded
 * (the canonical big-endian form), NUL-terminated. */
void xxh3_hex(uint64_t h, char out[XXH3_HEX_LEN + 1]);

#endif
