/* plot.h - line charts (seconds on x, several series) laid out once and
 * drawn through a canvas: SVG text or a raster bitmap, so the HTML report
 * and the PNG files show the same picture. */
#ifndef FLASHSALE_PLOT_H
#define FLASHSALE_PLOT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Coordinates in pixels, y down; text y is the top of the capitals;
 * anchor -1 left, 0 middle, 1 right; scale 1 is 5x7-pixel capitals. */
struct canvas_ops {
    void (*rect)(void *ctx, double x, double y, double w, double h, uint32_t rgb);
    void (*line)(void *ctx, double x0, double y0, double x1, double y1, uint32_t rgb,
                 double width);
    /* n points (x, y pairs in xy); NaN y values break the line */
    void (*polyline)(void *ctx, const double *xy, int n, uint32_t rgb, double width);
    void (*text)(void *ctx, double x, double y, const char *s, uint32_t rgb, int anchor,
                 int scale);
    void (*text_up)(void *ctx, double x, double y, const char *s, uint32_t rgb, int scale);
};

extern const struct canvas_ops plot_svg_ops;    /* ctx: FILE * */
extern const struct canvas_ops plot_raster_ops; /* ctx: struct raster * */

struct plot_series {
    const char *label;
    uint32_t rgb;
    const double *y; /* y[i] at second i + 0.5; NaN for no value */
    int n;
};

struct plot_chart {
    const char *title;
    const char *ylabel;
    const char *xlabel;
    bool log_y;
    double w, h;
    const struct plot_series *series;
    int nseries;
};

/* Draw the chart with its top-left corner at (ox, oy). */
void plot_draw(const struct plot_chart *c, const struct canvas_ops *ops, void *ctx, double ox,
               double oy);

#endif
