/* png.c - PNG with our own deflate (see png.h; RFC 1950, 1951, PNG spec). */
#include "tools/flashsale/png.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 32768
#define MIN_MATCH 3
#define MAX_MATCH 258
#define HASH_BITS 15
#define MAX_CHAIN 48

/* ---- bits, least significant first ---- */

struct bits {
    uint8_t *buf;
    size_t len, cap;
    uint32_t acc;
    int nacc;
    int oom;
};

static void bits_byte(struct bits *b, uint8_t v)
{
    if (b->len == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4096;
        uint8_t *nb = realloc(b->buf, cap);
        if (nb == NULL) {
            b->oom = 1;
            return;
        }
        b->buf = nb;
        b->cap = cap;
    }
    b->buf[b->len++] = v;
}

static void bits_put(struct bits *b, uint32_t v, int n)
{
    b->acc |= v << b->nacc;
    b->nacc += n;
    while (b->nacc >= 8) {
        bits_byte(b, (uint8_t)b->acc);
        b->acc >>= 8;
        b->nacc -= 8;
    }
}

/* Huffman codes go out most significant bit first. */
static void bits_code(struct bits *b, uint32_t code, int n)
{
    uint32_t rev = 0;
    for (int i = 0; i < n; i++) {
        rev = (rev << 1) | ((code >> i) & 1);
    }
    bits_put(b, rev, n);
}

static void bits_flush(struct bits *b)
{
    if (b->nacc > 0) {
        bits_byte(b, (uint8_t)b->acc);
    }
    b->acc = 0;
    b->nacc = 0;
}

/* ---- fixed Huffman symbols ---- */

static const uint16_t len_base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                      31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
static const uint8_t len_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                      2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint16_t dist_base[30] = {1,    2,    3,    4,    5,    7,     9,     13,    17,  25,
                                       33,   49,   65,   97,   129,  193,   257,   385,   513, 769,
                                       1025, 1537, 2049, 3073, 4097, 6145,  8193,  12289, 16385,
                                       24577};
static const uint8_t dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                       6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

static void put_litlen(struct bits *b, int sym)
{
    if (sym < 144) {
        bits_code(b, 0x30 + (uint32_t)sym, 8);
    } else if (sym < 256) {
        bits_code(b, 0x190 + (uint32_t)(sym - 144), 9);
    } else if (sym < 280) {
        bits_code(b, (uint32_t)(sym - 256), 7);
    } else {
        bits_code(b, 0xc0 + (uint32_t)(sym - 280), 8);
    }
}

static void put_match(struct bits *b, int len, int dist)
{
    int i = 28;
    while (len_base[i] > len) {
        i--;
    }
    put_litlen(b, 257 + i);
    bits_put(b, (uint32_t)(len - len_base[i]), len_extra[i]);
    int d = 29;
    while (dist_base[d] > dist) {
        d--;
    }
    bits_code(b, (uint32_t)d, 5);
    bits_put(b, (uint32_t)(dist - dist_base[d]), dist_extra[d]);
}

/* ---- LZ77 ---- */

struct lz {
    int32_t head[1 << HASH_BITS];
    int32_t prev[WINDOW];
};

static uint32_t hash3(const uint8_t *p)
{
    return ((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) * 2654435761u >> (32 - HASH_BITS);
}

static void lz_insert(struct lz *z, const uint8_t *src, size_t pos, size_t n)
{
    if (pos + MIN_MATCH > n) {
        return;
    }
    uint32_t h = hash3(src + pos);
    z->prev[pos % WINDOW] = z->head[h];
    z->head[h] = (int32_t)pos;
}

/* The longest earlier match at pos (length 0 if under MIN_MATCH). */
static int lz_find(const struct lz *z, const uint8_t *src, size_t pos, size_t n, int *dist)
{
    int best = 0;
    size_t limit = n - pos < MAX_MATCH ? n - pos : MAX_MATCH;
    if (limit < MIN_MATCH) {
        return 0;
    }
    int32_t cand = z->head[hash3(src + pos)];
    for (int chain = 0; cand >= 0 && chain < MAX_CHAIN; chain++) {
        size_t c = (size_t)cand;
        if (pos - c > WINDOW - 1 || c >= pos) {
            break;
        }
        size_t l = 0;
        while (l < limit && src[c + l] == src[pos + l]) {
            l++;
        }
        if ((int)l > best) {
            best = (int)l;
            *dist = (int)(pos - c);
            if (l == limit) {
                break;
            }
        }
        int32_t next = z->prev[c % WINDOW];
        if (next >= cand) {
            break;
        }
        cand = next;
    }
    return best >= MIN_MATCH ? best : 0;
}

static void deflate_fixed(const uint8_t *src, size_t n, struct bits *b, struct lz *z)
{
    memset(z->head, 0xff, sizeof(z->head));
    bits_put(b, 1, 1); /* BFINAL */
    bits_put(b, 1, 2); /* BTYPE 01: fixed codes */
    for (size_t pos = 0; pos < n;) {
        int dist = 0, len = lz_find(z, src, pos, n, &dist);
        if (len == 0) {
            put_litlen(b, src[pos]);
            lz_insert(z, src, pos++, n);
            continue;
        }
        put_match(b, len, dist);
        for (int i = 0; i < len; i++) {
            lz_insert(z, src, pos++, n);
        }
    }
    put_litlen(b, 256);
    bits_flush(b);
}

static uint32_t adler32(const uint8_t *p, size_t n)
{
    uint32_t a = 1, s = 0;
    for (size_t i = 0; i < n; i++) {
        a = (a + p[i]) % 65521;
        s = (s + a) % 65521;
    }
    return s << 16 | a;
}

int png_zlib(const uint8_t *src, size_t n, uint8_t **out, size_t *outlen)
{
    struct bits b = {0};
    struct lz *z = malloc(sizeof(*z));
    if (z == NULL) {
        return -ENOMEM;
    }
    bits_byte(&b, 0x78); /* deflate, 32 KiB window */
    bits_byte(&b, 0x01); /* no dictionary, check bits */
    deflate_fixed(src, n, &b, z);
    free(z);
    uint32_t ad = adler32(src, n);
    for (int sh = 24; sh >= 0; sh -= 8) {
        bits_byte(&b, (uint8_t)(ad >> sh));
    }
    if (b.oom) {
        free(b.buf);
        return -ENOMEM;
    }
    *out = b.buf;
    *outlen = b.len;
    return 0;
}

/* ---- PNG ---- */

uint32_t png_crc32(uint32_t crc, const uint8_t *p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
        }
    }
    return ~crc;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int chunk(FILE *f, const char *type, const uint8_t *data, size_t n)
{
    uint8_t hdr[8], crcb[4];
    be32(hdr, (uint32_t)n);
    memcpy(hdr + 4, type, 4);
    uint32_t crc = png_crc32(png_crc32(0, hdr + 4, 4), data, n);
    be32(crcb, crc);
    if (fwrite(hdr, 1, 8, f) != 8 || (n > 0 && fwrite(data, 1, n, f) != n) ||
        fwrite(crcb, 1, 4, f) != 4) {
        return -EIO;
    }
    return 0;
}

/* Rows with filter byte 0 (none: the usual choice for palette images). */
static uint8_t *raw_rows(int w, int h, const uint8_t *px, size_t *n)
{
    *n = (size_t)h * ((size_t)w + 1);
    uint8_t *raw = malloc(*n);
    for (int y = 0; raw != NULL && y < h; y++) {
        raw[(size_t)y * ((size_t)w + 1)] = 0;
        memcpy(raw + (size_t)y * ((size_t)w + 1) + 1, px + (size_t)y * (size_t)w, (size_t)w);
    }
    return raw;
}

static int write_chunks(FILE *f, int w, int h, const uint32_t *palette, int ncolors,
                        const uint8_t *z, size_t zn)
{
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    uint8_t ihdr[13] = {0}, plte[768];
    be32(ihdr, (uint32_t)w);
    be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8; /* bits per index */
    ihdr[9] = 3; /* palette */
    for (int i = 0; i < ncolors; i++) {
        plte[i * 3] = (uint8_t)(palette[i] >> 16);
        plte[i * 3 + 1] = (uint8_t)(palette[i] >> 8);
        plte[i * 3 + 2] = (uint8_t)palette[i];
    }
    if (fwrite(sig, 1, 8, f) != 8 || chunk(f, "IHDR", ihdr, 13) < 0 ||
        chunk(f, "PLTE", plte, (size_t)ncolors * 3) < 0 || chunk(f, "IDAT", z, zn) < 0 ||
        chunk(f, "IEND", NULL, 0) < 0) {
        return -EIO;
    }
    return 0;
}

int png_write(const char *path, int w, int h, const uint8_t *px, const uint32_t *palette,
              int ncolors)
{
    size_t rawn, zn;
    uint8_t *z = NULL, *raw = raw_rows(w, h, px, &rawn);
    if (raw == NULL || ncolors < 1 || ncolors > 256 || png_zlib(raw, rawn, &z, &zn) < 0) {
        free(raw);
        return raw == NULL ? -ENOMEM : -EINVAL;
    }
    free(raw);
    FILE *f = fopen(path, "wb");
    int rc = f == NULL ? -errno : write_chunks(f, w, h, palette, ncolors, z, zn);
    if (f != NULL && fclose(f) != 0 && rc == 0) {
        rc = -EIO;
    }
    free(z);
    return rc;
}
