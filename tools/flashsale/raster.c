/* raster.c - drawing into a palette bitmap (see raster.h). */
#include "tools/flashsale/raster.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/flashsale/font.h"

static int color_index(struct raster *r, uint32_t rgb)
{
    for (int i = 0; i < r->ncolors; i++) {
        if (r->palette[i] == rgb) {
            return i;
        }
    }
    if (r->ncolors < 256) {
        r->palette[r->ncolors] = rgb;
        return r->ncolors++;
    }
    int best = 0;
    long bestd = -1;
    for (int i = 0; i < r->ncolors; i++) {
        long d = 0;
        for (int sh = 0; sh < 24; sh += 8) {
            long c = (long)((r->palette[i] >> sh) & 0xff) - (long)((rgb >> sh) & 0xff);
            d += c * c;
        }
        if (bestd < 0 || d < bestd) {
            best = i;
            bestd = d;
        }
    }
    return best;
}

int raster_init(struct raster *r, int w, int h, uint32_t bg)
{
    memset(r, 0, sizeof(*r));
    r->px = malloc((size_t)w * (size_t)h);
    if (r->px == NULL) {
        return -ENOMEM;
    }
    r->w = w;
    r->h = h;
    memset(r->px, color_index(r, bg), (size_t)w * (size_t)h);
    return 0;
}

void raster_deinit(struct raster *r)
{
    free(r->px);
    r->px = NULL;
}

static void fill(struct raster *r, int x0, int y0, int x1, int y1, int ci)
{
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > r->w ? r->w : x1;
    y1 = y1 > r->h ? r->h : y1;
    for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
            r->px[(size_t)y * (size_t)r->w + (size_t)x] = (uint8_t)ci;
        }
    }
}

void raster_rect(struct raster *r, double x, double y, double w, double h, uint32_t rgb)
{
    fill(r, (int)lround(x), (int)lround(y), (int)lround(x + w), (int)lround(y + h),
         color_index(r, rgb));
}

/* A disc of this diameter centered on (cx, cy). */
static void dot(struct raster *r, double cx, double cy, double d, int ci)
{
    if (d <= 1.5) {
        fill(r, (int)floor(cx), (int)floor(cy), (int)floor(cx) + 1, (int)floor(cy) + 1, ci);
        return;
    }
    double rad = d / 2;
    for (int y = (int)floor(cy - rad); y <= (int)ceil(cy + rad); y++) {
        for (int x = (int)floor(cx - rad); x <= (int)ceil(cx + rad); x++) {
            double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
            if (dx * dx + dy * dy <= rad * rad) {
                fill(r, x, y, x + 1, y + 1, ci);
            }
        }
    }
}

void raster_line(struct raster *r, double x0, double y0, double x1, double y1, uint32_t rgb,
                 double width)
{
    int ci = color_index(r, rgb);
    double len = fmax(fabs(x1 - x0), fabs(y1 - y0));
    int steps = (int)ceil(len * 2);
    steps = steps < 1 ? 1 : steps > 100000 ? 100000 : steps;
    for (int i = 0; i <= steps; i++) {
        double t = (double)i / steps;
        dot(r, x0 + (x1 - x0) * t, y0 + (y1 - y0) * t, width, ci);
    }
}

static void glyph(struct raster *r, int x, int y, char ch, int ci, int scale, int up)
{
    const uint8_t *g = font_glyph(ch);
    int drop = font_drop(ch);
    for (int gy = 0; gy < FONT_H; gy++) {
        for (int gx = 0; gx < FONT_W; gx++) {
            if (!(g[gy] & (1u << (FONT_W - 1 - gx)))) {
                continue;
            }
            int row = gy + drop;
            int px = up ? x + row * scale : x + gx * scale;
            int py = up ? y - gx * scale - scale : y + row * scale;
            fill(r, px, py, px + scale, py + scale, ci);
        }
    }
}

void raster_text(struct raster *r, double x, double y, const char *s, uint32_t rgb, int anchor,
                 int scale)
{
    int ci = color_index(r, rgb);
    int width = (int)strlen(s) * FONT_ADVANCE * scale - scale;
    int left = (int)lround(x) - (anchor == 0 ? width / 2 : anchor > 0 ? width : 0);
    for (size_t i = 0; s[i] != '\0'; i++) {
        glyph(r, left + (int)i * FONT_ADVANCE * scale, (int)lround(y), s[i], ci, scale, 0);
    }
}

void raster_text_up(struct raster *r, double x, double y, const char *s, uint32_t rgb,
                    int scale)
{
    int ci = color_index(r, rgb);
    int width = (int)strlen(s) * FONT_ADVANCE * scale - scale;
    int bottom = (int)lround(y) + width / 2;
    int left = (int)lround(x) - FONT_H * scale / 2;
    for (size_t i = 0; s[i] != '\0'; i++) {
        glyph(r, left, bottom - (int)i * FONT_ADVANCE * scale, s[i], ci, scale, 1);
    }
}
