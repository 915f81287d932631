/* plot.c - chart layout, and the SVG and raster canvases (see plot.h). */
#include "tools/flashsale/plot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tools/flashsale/raster.h"

#define MARGIN_L 78
#define MARGIN_R 24
#define MARGIN_T 40
#define MARGIN_B 78
#define AXIS_RGB 0x333333
#define GRID_RGB 0xe4e4e4
#define TEXT_RGB 0x222222

struct frame {
    double x0, y0, w, h; /* the plot area */
    double xmax;
    double ymin, ymax;
    bool log_y;
};

static double map_x(const struct frame *f, double x)
{
    return f->x0 + f->w * x / f->xmax;
}

static double map_y(const struct frame *f, double y)
{
    double t = f->log_y ? (log10(y) - log10(f->ymin)) / (log10(f->ymax) - log10(f->ymin))
                        : (y - f->ymin) / (f->ymax - f->ymin);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return f->y0 + f->h * (1 - t);
}

/* 1, 2 or 5 times a power of ten, near span / n. */
static double nice_step(double span, int n)
{
    double raw = span / n, mag = pow(10, floor(log10(raw)));
    double m = raw / mag;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * mag;
}

static void y_range(const struct plot_chart *c, struct frame *f)
{
    double lo = INFINITY, hi = 0;
    for (int s = 0; s < c->nseries; s++) {
        for (int i = 0; i < c->series[s].n; i++) {
            double v = c->series[s].y[i];
            if (isnan(v) || (c->log_y && v <= 0)) {
                continue;
            }
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
        }
    }
    f->log_y = c->log_y;
    if (c->log_y) {
        f->ymin = isinf(lo) ? 0.1 : pow(10, floor(log10(lo)));
        f->ymax = hi <= f->ymin ? f->ymin * 10 : pow(10, ceil(log10(hi)));
    } else {
        f->ymin = 0;
        double step = nice_step(hi > 0 ? hi : 1, 5);
        f->ymax = ceil((hi > 0 ? hi : 1) * 1.02 / step) * step;
    }
}

static void fmt_num(char *buf, size_t cap, double v)
{
    snprintf(buf, cap, "%g", v);
}

static void y_axis(const struct plot_chart *c, const struct frame *f,
                   const struct canvas_ops *ops, void *ctx)
{
    char lab[32];
    if (f->log_y) {
        for (double d = f->ymin; d <= f->ymax * 1.0001; d *= 10) {
            for (int m = 2; m <= 5 && d * 10 <= f->ymax * 1.0001; m += 3) {
                ops->line(ctx, f->x0, map_y(f, d * m), f->x0 + f->w, map_y(f, d * m),
                          0xf2f2f2, 1);
            }
            ops->line(ctx, f->x0, map_y(f, d), f->x0 + f->w, map_y(f, d), GRID_RGB, 1);
            fmt_num(lab, sizeof(lab), d);
            ops->text(ctx, f->x0 - 8, map_y(f, d) - 7, lab, TEXT_RGB, 1, 2);
        }
    } else {
        double step = nice_step(f->ymax - f->ymin, 5);
        for (double v = f->ymin; v <= f->ymax + step / 2; v += step) {
            ops->line(ctx, f->x0, map_y(f, v), f->x0 + f->w, map_y(f, v), GRID_RGB, 1);
            fmt_num(lab, sizeof(lab), v);
            ops->text(ctx, f->x0 - 8, map_y(f, v) - 7, lab, TEXT_RGB, 1, 2);
        }
    }
    ops->text_up(ctx, f->x0 - MARGIN_L + 14, f->y0 + f->h / 2, c->ylabel, TEXT_RGB, 2);
}

static void x_axis(const struct plot_chart *c, const struct frame *f,
                   const struct canvas_ops *ops, void *ctx)
{
    static const double steps[] = {1, 2, 5, 10, 15, 30, 60, 120, 300, 600};
    double step = steps[0];
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]) && f->xmax / step > 12; i++) {
        step = steps[i];
    }
    char lab[32];
    for (double x = 0; x <= f->xmax + 1e-9; x += step) {
        ops->line(ctx, map_x(f, x), f->y0, map_x(f, x), f->y0 + f->h, GRID_RGB, 1);
        fmt_num(lab, sizeof(lab), x);
        ops->text(ctx, map_x(f, x), f->y0 + f->h + 8, lab, TEXT_RGB, 0, 2);
    }
    ops->text(ctx, f->x0 + f->w / 2, f->y0 + f->h + 30, c->xlabel, TEXT_RGB, 0, 2);
}

static void draw_series(const struct plot_series *s, const struct frame *f,
                        const struct canvas_ops *ops, void *ctx)
{
    double *xy = malloc(sizeof(double) * 2 * (size_t)(s->n > 0 ? s->n : 1));
    if (xy == NULL) {
        return;
    }
    for (int i = 0; i < s->n; i++) {
        double v = s->y[i];
        xy[2 * i] = map_x(f, i + 0.5);
        xy[2 * i + 1] = isnan(v) || (f->log_y && v <= 0) ? NAN : map_y(f, v);
    }
    ops->polyline(ctx, xy, s->n, s->rgb, 2.5);
    free(xy);
}

static void legend(const struct plot_chart *c, const struct frame *f,
                   const struct canvas_ops *ops, void *ctx)
{
    double x = f->x0, y = f->y0 + f->h + 54;
    for (int s = 0; s < c->nseries; s++) {
        ops->line(ctx, x, y + 7, x + 26, y + 7, c->series[s].rgb, 4);
        ops->text(ctx, x + 34, y, c->series[s].label, TEXT_RGB, -1, 2);
        x += 34 + (double)strlen(c->series[s].label) * 12 + 24;
    }
}

void plot_draw(const struct plot_chart *c, const struct canvas_ops *ops, void *ctx, double ox,
               double oy)
{
    struct frame f = {ox + MARGIN_L, oy + MARGIN_T, c->w - MARGIN_L - MARGIN_R,
                      c->h - MARGIN_T - MARGIN_B, 1, 0, 1, false};
    for (int s = 0; s < c->nseries; s++) {
        f.xmax = c->series[s].n > f.xmax ? c->series[s].n : f.xmax;
    }
    y_range(c, &f);
    ops->rect(ctx, ox, oy, c->w, c->h, 0xffffff);
    ops->text(ctx, ox + c->w / 2, oy + 12, c->title, 0x000000, 0, 2);
    y_axis(c, &f, ops, ctx);
    x_axis(c, &f, ops, ctx);
    for (int s = 0; s < c->nseries; s++) {
        draw_series(&c->series[s], &f, ops, ctx);
    }
    ops->line(ctx, f.x0, f.y0 + f.h, f.x0 + f.w, f.y0 + f.h, AXIS_RGB, 1);
    ops->line(ctx, f.x0, f.y0, f.x0, f.y0 + f.h, AXIS_RGB, 1);
    legend(c, &f, ops, ctx);
}

/* ---- SVG ---- */

static void svg_rect(void *ctx, double x, double y, double w, double h, uint32_t rgb)
{
    fprintf(ctx, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#%06x\"/>\n",
            x, y, w, h, rgb);
}

static void svg_line(void *ctx, double x0, double y0, double x1, double y1, uint32_t rgb,
                     double width)
{
    fprintf(ctx, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#%06x\" "
                 "stroke-width=\"%.1f\" stroke-linecap=\"round\"/>\n",
            x0, y0, x1, y1, rgb, width);
}

static void svg_polyline(void *ctx, const double *xy, int n, uint32_t rgb, double width)
{
    bool open = false;
    for (int i = 0; i < n; i++) {
        if (isnan(xy[2 * i + 1])) {
            fputs(open ? "\"/>\n" : "", ctx);
            open = false;
            continue;
        }
        if (!open) {
            fprintf(ctx, "<polyline fill=\"none\" stroke=\"#%06x\" stroke-width=\"%.1f\" "
                         "stroke-linejoin=\"round\" points=\"", rgb, width);
            open = true;
        }
        fprintf(ctx, "%.1f,%.1f ", xy[2 * i], xy[2 * i + 1]);
    }
    fputs(open ? "\"/>\n" : "", ctx);
}

static void svg_escaped(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') {
            fputs("&lt;", f);
        } else if (*s == '>') {
            fputs("&gt;", f);
        } else if (*s == '&') {
            fputs("&amp;", f);
        } else {
            fputc(*s, f);
        }
    }
}

/* Monospace at 10 px per scale: 6 px per character and 7 px capitals,
 * as the bitmap font. */
static void svg_text(void *ctx, double x, double y, const char *s, uint32_t rgb, int anchor,
                     int scale)
{
    static const char *const anchors[] = {"start", "middle", "end"};
    fprintf(ctx, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#%06x\" font-family=\"monospace\" "
                 "font-size=\"%d\" text-anchor=\"%s\">",
            x, y + 7.0 * scale, rgb, 10 * scale, anchors[anchor + 1]);
    svg_escaped(ctx, s);
    fputs("</text>\n", ctx);
}

static void svg_text_up(void *ctx, double x, double y, const char *s, uint32_t rgb, int scale)
{
    fprintf(ctx, "<text transform=\"translate(%.1f,%.1f) rotate(-90)\" fill=\"#%06x\" "
                 "font-family=\"monospace\" font-size=\"%d\" text-anchor=\"middle\">",
            x + 3.5 * scale, y, rgb, 10 * scale);
    svg_escaped(ctx, s);
    fputs("</text>\n", ctx);
}

const struct canvas_ops plot_svg_ops = {svg_rect, svg_line, svg_polyline, svg_text,
                                        svg_text_up};

/* ---- raster ---- */

static void r_rect(void *ctx, double x, double y, double w, double h, uint32_t rgb)
{
    raster_rect(ctx, x, y, w, h, rgb);
}

static void r_line(void *ctx, double x0, double y0, double x1, double y1, uint32_t rgb,
                   double width)
{
    raster_line(ctx, x0, y0, x1, y1, rgb, width);
}

static void r_polyline(void *ctx, const double *xy, int n, uint32_t rgb, double width)
{
    for (int i = 1; i < n; i++) {
        if (!isnan(xy[2 * i - 1]) && !isnan(xy[2 * i + 1])) {
            raster_line(ctx, xy[2 * i - 2], xy[2 * i - 1], xy[2 * i], xy[2 * i + 1], rgb, width);
        }
    }
}

static void r_text(void *ctx, double x, double y, const char *s, uint32_t rgb, int anchor,
                   int scale)
{
    raster_text(ctx, x, y, s, rgb, anchor, scale);
}

static void r_text_up(void *ctx, double x, double y, const char *s, uint32_t rgb, int scale)
{
    raster_text_up(ctx, x, y, s, rgb, scale);
}

const struct canvas_ops plot_raster_ops = {r_rect, r_line, r_polyline, r_text, r_text_up};
