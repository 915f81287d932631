/* report.h - the results of a run, as a table on stdout, JSON, an HTML page
 * with inline SVG charts, and PNG charts. */
#ifndef FLASHSALE_REPORT_H
#define FLASHSALE_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "tools/flashsale/shoppers.h"
#include "tools/flashsale/stats.h"

struct way_result {
    bool ran;
    struct way_stats st;
    struct origin_summary os;
    struct inv_result inv;
    int origin_max_queued;
    double duration_s;
    uint64_t requests;
    double p50_ms, p99_ms, max_ms;
    double *p99_by_sec; /* nsecs values, ms; 0 where a second had no request */
};

struct run_report {
    const struct fs_config *cfg;
    struct way_result ways[WAY_COUNT];
    int nsecs; /* seconds plotted: the duration */
};

/* Fill the latency fields of a way from its histograms; 0 or -ENOMEM. */
int report_way_latency(struct way_result *w, int nsecs);
void report_table(const struct run_report *r, FILE *out);
/* Write summary.json, report.html, origin-calls.png, p99.png and
 * flashsale.png (both charts) into the directory; 0 or a negative errno. */
int report_write(const struct run_report *r, const char *dir);

#endif
