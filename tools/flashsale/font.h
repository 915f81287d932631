/* font.h - the 5x7 bitmap font of the PNG charts. */
#ifndef FLASHSALE_FONT_H
#define FLASHSALE_FONT_H

#include <stdint.h>

#define FONT_W 5
#define FONT_H 7
#define FONT_ADVANCE 6 /* pixels from one character to the next, scale 1 */

/* 7 rows of the glyph of ch; bit (FONT_W - 1 - x) of row y is pixel (x, y). */
const uint8_t *font_glyph(char ch);
/* Rows to draw ch below the others (descenders). */
int font_drop(char ch);

#endif
