/* png.h - write an 8-bit palette PNG. The image data is compressed with
 * our own deflate (fixed Huffman codes, LZ77 matches from a hash chain),
 * wrapped in zlib (Adler-32); chunks carry CRC-32. No dependency. */
#ifndef FLASHSALE_PNG_H
#define FLASHSALE_PNG_H

#include <stddef.h>
#include <stdint.h>

/* w x h palette indices, row by row; palette entries are 0xRRGGBB.
 * 0 or a negative errno. */
int png_write(const char *path, int w, int h, const uint8_t *px, const uint32_t *palette,
              int ncolors);

/* zlib stream of src (one fixed-Huffman deflate block). *out is malloc'd,
 * caller frees. 0 or -ENOMEM. */
int png_zlib(const uint8_t *src, size_t n, uint8_t **out, size_t *outlen);

uint32_t png_crc32(uint32_t crc, const uint8_t *p, size_t n);

#endif
