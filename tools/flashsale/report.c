/* report.c - summary table, JSON, HTML with inline SVG, PNG charts. */
#include "tools/flashsale/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/flashsale/plot.h"
#include "tools/flashsale/png.h"
#include "tools/flashsale/raster.h"
#include "tools/flashsale/util.h"

#define CHART_W 1000
#define CHART_H 400

static const uint32_t way_rgb[WAY_COUNT] = {0xd62728, 0xff7f0e, 0x1f77b4};

int report_way_latency(struct way_result *w, int nsecs)
{
    uint32_t hist[ST_BUCKETS];
    st_total_hist(&w->st, hist);
    w->requests = 0;
    for (int b = 0; b < ST_BUCKETS; b++) {
        w->requests += hist[b];
    }
    w->p50_ms = st_quantile_ms(hist, 0.50);
    w->p99_ms = st_quantile_ms(hist, 0.99);
    w->max_ms = (double)w->st.c.max_latency_us / 1000.0;
    w->p99_by_sec = malloc(sizeof(double) * (size_t)nsecs);
    if (w->p99_by_sec == NULL) {
        return -ENOMEM;
    }
    for (int s = 0; s < nsecs; s++) {
        const struct st_second *sec = &w->st.secs[s];
        bool any = sec->requests > sec->errors;
        w->p99_by_sec[s] = any ? st_quantile_ms(sec->hist, 0.99) : NAN;
    }
    return 0;
}

/* ---- the table ---- */

void report_table(const struct run_report *r, FILE *out)
{
    fprintf(out, "\n| way | requests | origin calls/s | peak/s | hot key calls per TTL window "
                 "(max, mean) | p50 ms | p99 ms | max ms | errors | sold | oversold | "
                 "holds returned |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (int w = 0; w < WAY_COUNT; w++) {
        const struct way_result *x = &r->ways[w];
        if (!x->ran) {
            continue;
        }
        fprintf(out, "| %s | %llu | %.0f | %u | %d, %.1f | %.1f | %.1f | %.0f | %llu | %lld | "
                     "%lld | %lld |\n",
                fs_way_titles[w], (unsigned long long)x->requests, x->os.mean_per_sec,
                x->os.peak_per_sec, x->os.hot_max, x->os.hot_mean, x->p50_ms, x->p99_ms,
                x->max_ms, (unsigned long long)x->st.c.errors, x->inv.sold, x->inv.oversold,
                x->inv.returned);
    }
    fputc('\n', out);
}

/* ---- JSON ---- */

static void json_series_u(FILE *f, const char *name, const uint32_t (*v)[RES_COUNT + 1], int col,
                          int n)
{
    fprintf(f, "      \"%s\": [", name);
    for (int i = 0; i < n; i++) {
        fprintf(f, "%s%u", i ? "," : "", v[i][col]);
    }
    fputs("]", f);
}

static void json_series_d(FILE *f, const char *name, const double *v, int n)
{
    fprintf(f, "      \"%s\": [", name);
    for (int i = 0; i < n; i++) {
        if (isnan(v[i])) {
            fprintf(f, "%snull", i ? "," : "");
        } else {
            fprintf(f, "%s%.3f", i ? "," : "", v[i]);
        }
    }
    fputs("]", f);
}

static void json_resources(FILE *f, const struct way_result *x)
{
    fputs("    \"resources\": {\n", f);
    for (int i = 0; i < RES_COUNT; i++) {
        fprintf(f, "      \"%s\": {\"ttl_s\": %d, \"requests\": %llu, \"origin_calls\": %llu, "
                   "\"served_stale\": %llu, \"max_calls_per_key_per_ttl_window\": %d}%s\n",
                fs_resources[i].name, fs_resources[i].ttl_s,
                (unsigned long long)x->st.c.requests[i], (unsigned long long)x->os.per_res[i],
                (unsigned long long)x->st.c.stale[i], x->os.max_per_window_res[i],
                i + 1 < RES_COUNT ? "," : "");
    }
    fputs("    },\n    \"hot_keys\": [\n", f);
    for (int h = 0; h < FS_HOT_KEYS; h++) {
        const struct hot_key *k = &x->os.hot[h];
        fprintf(f, "      {\"key\": \"%s\", \"ttl_s\": %d, \"origin_calls\": %llu, "
                   "\"max_per_ttl_window\": %d, \"mean_per_ttl_window\": %.2f}%s\n",
                k->key, fs_resources[k->res].ttl_s, (unsigned long long)k->calls,
                k->max_per_window, k->mean_per_window, h + 1 < FS_HOT_KEYS ? "," : "");
    }
    fputs("    ],\n", f);
}

static void json_way(FILE *f, const struct run_report *r, int w, bool last)
{
    const struct way_result *x = &r->ways[w];
    const struct st_counts *c = &x->st.c;
    fprintf(f, "  \"%s\": {\n    \"title\": \"%s\",\n", fs_way_names[w], fs_way_titles[w]);
    fprintf(f, "    \"requests\": %llu, \"errors\": %llu,\n    \"latency_ms\": {\"p50\": %.3f, "
               "\"p99\": %.3f, \"max\": %.3f},\n",
            (unsigned long long)x->requests, (unsigned long long)c->errors, x->p50_ms, x->p99_ms,
            x->max_ms);
    fprintf(f, "    \"origin\": {\"calls\": %llu, \"calls_per_s\": %.1f, \"peak_calls_per_s\": %u, "
               "\"max_queued\": %d, \"keys\": %llu, \"max_calls_per_key_per_ttl_window\": %d, "
               "\"hot_key_max_calls_per_ttl_window\": %d, "
               "\"hot_key_mean_calls_per_ttl_window\": %.2f},\n",
            (unsigned long long)x->os.calls, x->os.mean_per_sec, x->os.peak_per_sec,
            x->origin_max_queued, (unsigned long long)x->os.keys, x->os.max_per_window_any,
            x->os.hot_max, x->os.hot_mean);
    fprintf(f, "    \"inventory\": {\"stock\": %d, \"buy_attempts\": %llu, \"holds\": %llu, "
               "\"soldout_replies\": %llu, \"confirmed\": %llu, \"abandoned\": %llu, "
               "\"confirm_after_hold_expired\": %llu, \"sold\": %lld, \"oversold\": %lld, "
               "\"available_at_end\": %lld, \"held_at_end\": %lld, \"holds_returned\": %lld},\n",
            r->cfg->stock, (unsigned long long)c->buy_attempts, (unsigned long long)c->holds,
            (unsigned long long)c->soldout, (unsigned long long)c->confirmed,
            (unsigned long long)c->abandoned, (unsigned long long)c->confirm_late, x->inv.sold,
            x->inv.oversold, x->inv.available, x->inv.held, x->inv.returned);
    json_resources(f, x);
    fputs("    \"per_second\": {\n", f);
    json_series_u(f, "origin_calls", x->os.per_sec, RES_COUNT, r->nsecs);
    fputs(",\n", f);
    json_series_d(f, "p99_ms", x->p99_by_sec, r->nsecs);
    fprintf(f, "\n    }\n  }%s\n", last ? "" : ",");
}

static int write_json(const struct run_report *r, const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return -errno;
    }
    const struct fs_config *c = r->cfg;
    fprintf(f, "{\n  \"config\": {\"shoppers\": %d, \"duration_s\": %g, \"think_ms\": %d, "
               "\"catalog\": %d, \"zipf\": %g, \"stock\": %d, \"hold_s\": %d, "
               "\"origin_latency_ms\": %d, \"origin_concurrency\": %d, \"seed\": %u},\n",
            c->shoppers, c->duration_s, c->think_ms, c->catalog, c->zipf_s, c->stock, c->hold_s,
            c->latency_ms, c->max_concurrent, c->seed);
    int lastw = -1;
    for (int w = 0; w < WAY_COUNT; w++) {
        lastw = r->ways[w].ran ? w : lastw;
    }
    fputs("  \"ways\": {\n", f);
    for (int w = 0; w < WAY_COUNT; w++) {
        if (r->ways[w].ran) {
            json_way(f, r, w, w == lastw);
        }
    }
    fputs("  }\n}\n", f);
    return fclose(f) == 0 ? 0 : -EIO;
}

/* ---- charts ---- */

struct charts {
    double *calls[WAY_COUNT];
    struct plot_series calls_s[WAY_COUNT], p99_s[WAY_COUNT];
    struct plot_chart calls_c, p99_c;
};

static int charts_init(const struct run_report *r, struct charts *ch)
{
    memset(ch, 0, sizeof(*ch));
    int n = 0;
    for (int w = 0; w < WAY_COUNT; w++) {
        const struct way_result *x = &r->ways[w];
        if (!x->ran) {
            continue;
        }
        ch->calls[w] = malloc(sizeof(double) * (size_t)r->nsecs);
        if (ch->calls[w] == NULL) {
            return -ENOMEM;
        }
        for (int s = 0; s < r->nsecs; s++) {
            ch->calls[w][s] = x->os.per_sec[s][RES_COUNT];
        }
        ch->calls_s[n] = (struct plot_series){fs_way_titles[w], way_rgb[w], ch->calls[w],
                                              r->nsecs};
        ch->p99_s[n++] = (struct plot_series){fs_way_titles[w], way_rgb[w], x->p99_by_sec,
                                              r->nsecs};
    }
    ch->calls_c = (struct plot_chart){"Origin calls per second", "origin calls/s", "seconds",
                                      false, CHART_W, CHART_H, ch->calls_s, n};
    ch->p99_c = (struct plot_chart){"Shopper p99 latency per second (log scale)", "p99 ms",
                                    "seconds", true, CHART_W, CHART_H, ch->p99_s, n};
    return 0;
}

static void charts_deinit(struct charts *ch)
{
    for (int w = 0; w < WAY_COUNT; w++) {
        free(ch->calls[w]);
    }
}

static int chart_png(const char *dir, const char *name, const struct plot_chart *const *c, int n)
{
    struct raster ras;
    char path[4096];
    int rc = raster_init(&ras, CHART_W, CHART_H * n, 0xffffff);
    if (rc < 0) {
        return rc;
    }
    for (int i = 0; i < n; i++) {
        plot_draw(c[i], &plot_raster_ops, &ras, 0, CHART_H * i);
    }
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    rc = png_write(path, ras.w, ras.h, ras.px, ras.palette, ras.ncolors);
    raster_deinit(&ras);
    return rc;
}

static int write_pngs(const char *dir, const struct charts *ch)
{
    const struct plot_chart *both[2] = {&ch->calls_c, &ch->p99_c};
    int rc = chart_png(dir, "origin-calls.png", both, 1);
    if (rc == 0) {
        rc = chart_png(dir, "p99.png", both + 1, 1);
    }
    if (rc == 0) {
        rc = chart_png(dir, "flashsale.png", both, 2);
    }
    return rc;
}

/* ---- HTML ---- */

static void html_svg(FILE *f, const struct plot_chart *c)
{
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\">\n", c->w, c->h, c->w, c->h);
    plot_draw(c, &plot_svg_ops, f, 0, 0);
    fputs("</svg>\n", f);
}

static void html_summary(FILE *f, const struct run_report *r)
{
    fputs("<table><tr><th>way</th><th>requests</th><th>origin calls/s</th><th>peak/s</th>"
          "<th>hot key calls per TTL window (max, mean)</th><th>p50 ms</th><th>p99 ms</th>"
          "<th>max ms</th><th>errors</th><th>sold</th><th>oversold</th><th>holds returned</th>"
          "</tr>\n", f);
    for (int w = 0; w < WAY_COUNT; w++) {
        const struct way_result *x = &r->ways[w];
        if (!x->ran) {
            continue;
        }
        fprintf(f, "<tr><td style=\"color:#%06x\">%s</td><td>%llu</td><td>%.0f</td><td>%u</td>"
                   "<td>%d, %.1f</td><td>%.1f</td><td>%.1f</td><td>%.0f</td><td>%llu</td>"
                   "<td>%lld</td><td>%lld</td><td>%lld</td></tr>\n",
                way_rgb[w], fs_way_titles[w], (unsigned long long)x->requests,
                x->os.mean_per_sec, x->os.peak_per_sec, x->os.hot_max, x->os.hot_mean, x->p50_ms,
                x->p99_ms, x->max_ms, (unsigned long long)x->st.c.errors, x->inv.sold,
                x->inv.oversold, x->inv.returned);
    }
    fputs("</table>\n", f);
}

static void html_resources(FILE *f, const struct run_report *r)
{
    fputs("<h2>Origin calls by resource</h2>\n<table><tr><th>resource</th><th>TTL s</th>", f);
    for (int w = 0; w < WAY_COUNT; w++) {
        if (r->ways[w].ran) {
            fprintf(f, "<th>%s: calls (max per key per TTL window)</th>", fs_way_titles[w]);
        }
    }
    fputs("</tr>\n", f);
    for (int i = 0; i < RES_COUNT; i++) {
        fprintf(f, "<tr><td>%s</td><td>%d</td>", fs_resources[i].name, fs_resources[i].ttl_s);
        for (int w = 0; w < WAY_COUNT; w++) {
            if (r->ways[w].ran) {
                fprintf(f, "<td>%llu (%d)</td>", (unsigned long long)r->ways[w].os.per_res[i],
                        r->ways[w].os.max_per_window_res[i]);
            }
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static void html_hot_keys(FILE *f, const struct run_report *r)
{
    fputs("<h2>Hot keys: origin calls per TTL window (max in any window, mean)</h2>\n"
          "<table><tr><th>key</th><th>TTL s</th>", f);
    for (int w = 0; w < WAY_COUNT; w++) {
        if (r->ways[w].ran) {
            fprintf(f, "<th>%s</th>", fs_way_titles[w]);
        }
    }
    fputs("</tr>\n", f);
    for (int h = 0; h < FS_HOT_KEYS; h++) {
        const struct hot_key *k = NULL;
        for (int w = 0; w < WAY_COUNT && k == NULL; w++) {
            k = r->ways[w].ran ? &r->ways[w].os.hot[h] : NULL;
        }
        if (k == NULL) {
            break;
        }
        fprintf(f, "<tr><td>%s</td><td>%d</td>", k->key, fs_resources[k->res].ttl_s);
        for (int w = 0; w < WAY_COUNT; w++) {
            if (r->ways[w].ran) {
                fprintf(f, "<td>%d, %.2f</td>", r->ways[w].os.hot[h].max_per_window,
                        r->ways[w].os.hot[h].mean_per_window);
            }
        }
        fputs("</tr>\n", f);
    }
    fputs("</table>\n", f);
}

static int write_html(const struct run_report *r, const struct charts *ch, const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return -errno;
    }
    const struct fs_config *c = r->cfg;
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Surge flash sale</title>"
          "<style>body{font-family:sans-serif;margin:2em;max-width:1000px}"
          "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;"
          "padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}"
          "</style></head><body>\n<h1>Flash sale: three caches in front of one origin</h1>\n", f);
    fprintf(f, "<p>%d shoppers for %g s per way (mean pause %d ms); %d products on sale "
               "(Zipf %g); origin latency %d ms, %d calls at once; limited SKU: %d units, "
               "holds of %d s.</p>\n",
            c->shoppers, c->duration_s, c->think_ms, c->catalog, c->zipf_s, c->latency_ms,
            c->max_concurrent, c->stock, c->hold_s);
    html_summary(f, r);
    html_svg(f, &ch->calls_c);
    html_svg(f, &ch->p99_c);
    html_resources(f, r);
    html_hot_keys(f, r);
    fputs("</body></html>\n", f);
    return fclose(f) == 0 ? 0 : -EIO;
}

int report_write(const struct run_report *r, const char *dir)
{
    char path[4096];
    struct charts ch;
    int rc = fs_mkdirs(dir);
    if (rc == 0) {
        snprintf(path, sizeof(path), "%s/summary.json", dir);
        rc = write_json(r, path);
    }
    if (rc == 0) {
        rc = charts_init(r, &ch);
        if (rc == 0) {
            snprintf(path, sizeof(path), "%s/report.html", dir);
            rc = write_html(r, &ch, path);
        }
        if (rc == 0) {
            rc = write_pngs(dir, &ch);
        }
        charts_deinit(&ch);
    }
    return rc;
}
