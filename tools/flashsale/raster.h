/* raster.h - a small palette bitmap to draw charts into: filled rects,
 * thick lines, 5x7 text. Colors are 0xRRGGBB; each new one takes a
 * palette entry (up to 256; further colors map to the nearest entry). */
#ifndef FLASHSALE_RASTER_H
#define FLASHSALE_RASTER_H

#include <stddef.h>
#include <stdint.h>

struct raster {
    int w, h;
    uint8_t *px; /* w*h palette indices */
    uint32_t palette[256];
    int ncolors;
};

/* A w x h bitmap filled with bg; 0 or -ENOMEM. */
int raster_init(struct raster *r, int w, int h, uint32_t bg);
void raster_deinit(struct raster *r);

void raster_rect(struct raster *r, double x, double y, double w, double h, uint32_t rgb);
/* A line of this width (round ends), clipped to the bitmap. */
void raster_line(struct raster *r, double x0, double y0, double x1, double y1, uint32_t rgb,
                 double width);
/* Text with its baseline-left, middle or right (anchor -1, 0, 1) at x and
 * its top at y; scale 1 is 5x7 pixels per character. */
void raster_text(struct raster *r, double x, double y, const char *s, uint32_t rgb, int anchor,
                 int scale);
/* Text turned 90 degrees counter-clockwise, centered on (x, y). */
void raster_text_up(struct raster *r, double x, double y, const char *s, uint32_t rgb,
                    int scale);

#endif
