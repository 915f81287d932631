/* origin.h - the simulated origin: the catalog, pricing, stock, shipping,
 * promotion and cart services a shop's cache sits in front of.
 *
 * A RESP service on 127.0.0.1 (its own thread and libuv loop) answering
 *     LOAD <resource-id 0..ORIGIN_MAX_RESOURCES-1> <key>
 * with a bulk payload, after a latency of latency_ms (+-jitter_pct) and
 * with at most max_concurrent calls in service: further calls queue, in
 * order of arrival. Every call is recorded (arrival time, resource, key
 * hash) so the report can count calls per resource and per key per
 * second. Clients send one request at a time per connection (pipelined
 * requests are served one after another).
 */
#ifndef FLASHSALE_ORIGIN_H
#define FLASHSALE_ORIGIN_H

#include <stddef.h>
#include <stdint.h>

#define ORIGIN_MAX_RESOURCES 16

struct origin_opts {
    int latency_ms;     /* service time of one call */
    int jitter_pct;     /* uniform +- this share of latency_ms */
    int max_concurrent; /* calls in service at once; more queue */
    size_t max_calls;   /* calls recorded per epoch (more are counted only) */
};

/* One recorded call: ms since the epoch started, resource, key hash. */
struct origin_call {
    uint32_t t_ms;
    uint16_t resource;
    uint64_t key_hash;
};

struct origin_counters {
    uint64_t calls;    /* calls that arrived in this epoch */
    uint64_t served;
    int in_service;
    int queued;
    int max_queued;    /* high-water mark of the queue in this epoch */
};

struct origin;

/* Listen on a free loopback port and serve from a new thread. 0 or a
 * negative errno; *port is the port. Caller frees with origin_stop(). */
int origin_start(const struct origin_opts *opts, struct origin **out, int *port);
/* Close every connection, stop the thread, free; sets *o to NULL. */
void origin_stop(struct origin **o);

/* Start a new recording epoch at t0_us (fs_now_us clock): clears the log
 * and the counters. */
void origin_new_epoch(struct origin *o, int64_t t0_us);
void origin_counters(struct origin *o, struct origin_counters *out);
/* A copy of this epoch's log; caller frees *calls with free(). 0 or
 * -ENOMEM; *dropped is the number of calls past max_calls. */
int origin_log_copy(struct origin *o, struct origin_call **calls, size_t *n, size_t *dropped);

/* The hash the origin records for a key (FNV-1a 64). */
uint64_t origin_key_hash(const char *key, size_t len);

#endif
