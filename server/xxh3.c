/* xxh3.c - XXH3-64 with seed 0, following the xxHash specification's
 * description of each input length class: 0, 1-3, 4-8, 9-16, 17-128,
 * 129-240 bytes, and longer inputs (stripes, blocks, scramble, last
 * stripe). Every read of the input or the secret is little-endian. */
#include "server/xxh3.h"

#define P32_1 0x9E3779B1ULL
#define P32_2 0x85EBCA77ULL
#define P32_3 0xC2B2AE3DULL
#define P64_1 0x9E3779B185EBCA87ULL
#define P64_2 0xC2B2AE3D27D4EB4FULL
#define P64_3 0x165667B19E3779F9ULL
#define P64_4 0x85EBCA77C2B2AE63ULL
#define P64_5 0x27D4EB2F165667C5ULL
#define PMX_1 0x165667919E3779F9ULL
#define PMX_2 0x9FB21C651E98DF25ULL

#define SECRET_LEN 192
#define STRIPE_LEN 64
#define STRIPES_PER_BLOCK ((SECRET_LEN - 64) / 8) /* 16 */
#define BLOCK_LEN (STRIPE_LEN * STRIPES_PER_BLOCK) /* 1024 */

/* The specification's default secret. */
static const uint8_t secret[SECRET_LEN] = {
    0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
    0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
    0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
    0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
    0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
    0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
    0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
    0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
    0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
    0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
    0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
    0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
};

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint64_t rotl64(uint64_t x, int s)
{
    return (x << s) | (x >> (64 - s));
}

static uint64_t bswap64(uint64_t x)
{
    uint64_t r = 0;
    for (int i = 0; i < 8; i++) {
        r = (r << 8) | ((x >> (8 * i)) & 0xff);
    }
    return r;
}

/* The low and high halves of a 64x64 -> 128-bit product, xor-ed. */
static uint64_t mul128_fold(uint64_t a, uint64_t b)
{
    unsigned __int128 m = (unsigned __int128)a * b;
    return (uint64_t)m ^ (uint64_t)(m >> 64);
}

static uint64_t avalanche(uint64_t x)
{
    x ^= x >> 37;
    x *= PMX_1;
    return x ^ (x >> 32);
}

static uint64_t avalanche_xxh64(uint64_t x)
{
    x ^= x >> 33;
    x *= P64_2;
    x ^= x >> 29;
    x *= P64_3;
    return x ^ (x >> 32);
}

static uint64_t hash_0to16(const uint8_t *in, size_t len)
{
    if (len == 0) {
        return avalanche_xxh64(rd64(secret + 56) ^ rd64(secret + 64));
    }
    if (len <= 3) {
        uint32_t combined = (uint32_t)in[len - 1] | (uint32_t)len << 8 | (uint32_t)in[0] << 16 |
                            (uint32_t)in[len >> 1] << 24;
        uint64_t v = (uint64_t)(rd32(secret) ^ rd32(secret + 4)) ^ combined;
        return avalanche_xxh64(v);
    }
    if (len <= 8) {
        uint64_t combined = (uint64_t)rd32(in + len - 4) | (uint64_t)rd32(in) << 32;
        uint64_t v = (rd64(secret + 8) ^ rd64(secret + 16)) ^ combined;
        v ^= rotl64(v, 49) ^ rotl64(v, 24);
        v *= PMX_2;
        v ^= (v >> 35) + len;
        v *= PMX_2;
        return v ^ (v >> 28);
    }
    uint64_t lo = (rd64(secret + 24) ^ rd64(secret + 32)) ^ rd64(in);
    uint64_t hi = (rd64(secret + 40) ^ rd64(secret + 48)) ^ rd64(in + len - 8);
    return avalanche(len + bswap64(lo) + hi + mul128_fold(lo, hi));
}

/* 16 bytes of input against 16 bytes of secret at off (seed 0). */
static uint64_t mix16(const uint8_t *in, size_t off)
{
    return mul128_fold(rd64(in) ^ rd64(secret + off), rd64(in + 8) ^ rd64(secret + off + 8));
}

static uint64_t hash_17to128(const uint8_t *in, size_t len)
{
    uint64_t acc = len * P64_1;
    size_t rounds = ((len - 1) >> 5) + 1;
    for (size_t i = rounds; i-- > 0;) {
        acc += mix16(in + i * 16, i * 32);
        acc += mix16(in + len - i * 16 - 16, i * 32 + 16);
    }
    return avalanche(acc);
}

static uint64_t hash_129to240(const uint8_t *in, size_t len)
{
    uint64_t acc = len * P64_1;
    size_t chunks = len >> 4;
    for (size_t i = 0; i < 8; i++) {
        acc += mix16(in + i * 16, i * 16);
    }
    acc = avalanche(acc);
    for (size_t i = 8; i < chunks; i++) {
        acc += mix16(in + i * 16, (i - 8) * 16 + 3);
    }
    acc += mix16(in + len - 16, 119);
    return avalanche(acc);
}

static void accumulate(uint64_t acc[8], const uint8_t *stripe, size_t off)
{
    for (int i = 0; i < 8; i++) {
        uint64_t lane = rd64(stripe + 8 * i);
        uint64_t v = lane ^ rd64(secret + off + 8 * i);
        acc[i ^ 1] += lane;
        acc[i] += (v & 0xffffffffULL) * (v >> 32);
    }
}

static void scramble(uint64_t acc[8])
{
    for (int i = 0; i < 8; i++) {
        acc[i] ^= acc[i] >> 47;
        acc[i] ^= rd64(secret + SECRET_LEN - 64 + 8 * i);
        acc[i] *= P32_1;
    }
}

static uint64_t hash_large(const uint8_t *in, size_t len)
{
    uint64_t acc[8] = {P32_3, P64_1, P64_2, P64_3, P64_4, P32_2, P64_5, P32_1};
    /* Whole blocks, leaving the last (possibly full) one for below. */
    size_t done = 0;
    while (len - done > BLOCK_LEN) {
        for (size_t n = 0; n < STRIPES_PER_BLOCK; n++) {
            accumulate(acc, in + done + n * STRIPE_LEN, n * 8);
        }
        scramble(acc);
        done += BLOCK_LEN;
    }
    size_t last = len - done;
    size_t full = (last - 1) / STRIPE_LEN;
    for (size_t n = 0; n < full; n++) {
        accumulate(acc, in + done + n * STRIPE_LEN, n * 8);
    }
    /* The last 64 bytes of the input, which may reach into the previous
     * block. */
    accumulate(acc, in + len - STRIPE_LEN, SECRET_LEN - 71);
    uint64_t r = len * P64_1;
    for (int i = 0; i < 4; i++) {
        r += mul128_fold(acc[2 * i] ^ rd64(secret + 11 + 16 * i),
                         acc[2 * i + 1] ^ rd64(secret + 11 + 16 * i + 8));
    }
    return avalanche(r);
}

uint64_t xxh3_64(const void *p, size_t len)
{
    const uint8_t *in = p;
    if (len <= 16) {
        return hash_0to16(in, len);
    }
    if (len <= 128) {
        return hash_17to128(in, len);
    }
    if (len <= 240) {
        return hash_129to240(in, len);
    }
    return hash_large(in, len);
}

void xxh3_hex(uint64_t h, char out[XXH3_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = XXH3_HEX_LEN - 1; i >= 0; i--) {
        out[i] = digits[h & 0xf];
        h >>= 4;
    }
    out[XXH3_HEX_LEN] = '\0';
}
