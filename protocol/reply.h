/* reply.h - semantic RESP reply writers.
 *
 * Handlers describe a reply (a map, a null, a double); the writer emits the
 * RESP2 or RESP3 bytes for the buffer's protocol, so handlers never branch
 * on the protocol version. Writers copy their input. The buffer grows with
 * the realloc hook (the server's wrapper aborts on OOM, so writers cannot
 * fail).
 *
 * RESP2 mapping of RESP3 types, as Redis does it:
 *   map n      -> array of 2n       set n   -> array of n
 *   push n     -> array of n        null    -> $-1 (bulk) / *-1 (array)
 *   double     -> bulk string       bool    -> :1 / :0
 *   verbatim   -> bulk string (without the "txt:" prefix)
 */
#ifndef SURGE_PROTOCOL_REPLY_H
#define SURGE_PROTOCOL_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/resp.h"

typedef void *(*reply_realloc_fn)(void *ptr, size_t size);

struct reply_buf {
    char *data;
    size_t len;
    size_t cap;
    int proto;                   /* 2 or 3 */
    reply_realloc_fn realloc_fn; /* NULL: the C library's realloc */
};

void reply_buf_init(struct reply_buf *b, int proto, reply_realloc_fn realloc_fn);
void reply_buf_deinit(struct reply_buf *b);
/* Make room for n more bytes and return where they go (len not changed).
 * Inline: every reply writes through it, and the room is nearly always
 * there already. */
char *reply_grow(struct reply_buf *b, size_t n);
static inline char *reply_reserve(struct reply_buf *b, size_t n)
{
    return b->cap - b->len >= n ? b->data + b->len : reply_grow(b, n);
}

/* The writers every reply uses are inline, with their common case (a
 * one-digit length or count) written in place. */
static inline void reply_raw(struct reply_buf *b, const void *p, size_t n)
{
    if (n > 0) {
        __builtin_memcpy(reply_reserve(b, n), p, n);
        b->len += n;
    }
}

/* "<prefix><n>" at p; its length. */
static inline size_t reply_number_at(char *p, char prefix, long long n)
{
    p[0] = prefix;
    if ((unsigned long long)n < 10) {
        p[1] = (char)('0' + n);
        return 2;
    }
    return 1 + resp_ll_to_str(p + 1, n);
}

/* Room the _at writers need: a header ("<prefix><n>\r\n", n an int64),
 * and a bulk string of len bytes (its header, the bytes, "\r\n"). */
#define REPLY_HEADER_ROOM 24
#define REPLY_BULK_ROOM(len) ((len) + REPLY_HEADER_ROOM + 2)

/* "<prefix><n>\r\n" at p (REPLY_HEADER_ROOM bytes free); its length. */
static inline size_t reply_header_at(char *p, char prefix, long long n)
{
    size_t len = reply_number_at(p, prefix, n);
    p[len] = '\r';
    p[len + 1] = '\n';
    return len + 2;
}

static inline void reply_header(struct reply_buf *b, char prefix, long long n)
{
    char *p = reply_reserve(b, REPLY_HEADER_ROOM);
    b->len += reply_header_at(p, prefix, n);
}

/* "+<s>\r\n"; s must not contain CR or LF. */
void reply_status(struct reply_buf *b, const char *s);
void reply_ok(struct reply_buf *b);
/* "-<msg>\r\n"; msg includes the error code ("ERR ...", "WRONGTYPE ...").
 * CR and LF inside msg are replaced by spaces, as Redis does. */
void reply_error(struct reply_buf *b, const char *msg);
void reply_error_len(struct reply_buf *b, const char *msg, size_t len);
/* printf-style error; the text is cut at 1 KiB. */
void reply_errorf(struct reply_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline void reply_int(struct reply_buf *b, long long v)
{
    reply_header(b, ':', v);
}

/* A bulk string at d (REPLY_BULK_ROOM(len) bytes free); its length. For writers
 * that reserve once for a whole reply. */
static inline size_t reply_bulk_at(char *d, const void *p, size_t len)
{
    size_t h = reply_header_at(d, '$', (long long)len);
    __builtin_memcpy(d + h, p, len);
    d[h + len] = '\r';
    d[h + len + 1] = '\n';
    return h + len + 2;
}

static inline void reply_bulk(struct reply_buf *b, const void *p, size_t len)
{
    char *d = reply_reserve(b, REPLY_BULK_ROOM(len));
    b->len += reply_bulk_at(d, p, len);
}
void reply_bulk_cstr(struct reply_buf *b, const char *s);
void reply_bulk_ll(struct reply_buf *b, long long v);
/* A double as Redis formats it (%.17g, "inf"/"-inf"): bulk in RESP2,
 * ",<d>\r\n" in RESP3. */
void reply_double(struct reply_buf *b, double d);
/* A double that Redis replies as a bulk string in both protocols
 * (INCRBYFLOAT): long double in Redis's "%.17Lg" humanised form. */
void reply_bulk_long_double(struct reply_buf *b, long double d);
/* The same text as a bulk in RESP2 and ",<text>\r\n" in RESP3 (INCREX
 * BYFLOAT, as Redis's addReplyHumanLongDouble). */
void reply_long_double(struct reply_buf *b, long double d);

void reply_null(struct reply_buf *b);       /* $-1 | _ */
void reply_null_array(struct reply_buf *b); /* *-1 | _ */
void reply_bool(struct reply_buf *b, bool v);
static inline void reply_array_len(struct reply_buf *b, long long n)
{
    reply_header(b, '*', n);
}
void reply_map_len(struct reply_buf *b, long long n);
void reply_set_len(struct reply_buf *b, long long n);
void reply_push_len(struct reply_buf *b, long long n);
/* Verbatim text (INFO, CLIENT LIST): "=<n+4>\r\ntxt:<s>\r\n" in RESP3. */
void reply_verbatim(struct reply_buf *b, const char *s, size_t len);

/* Deferred aggregate length, for replies whose count is known only at the
 * end (SCAN, KEYS): take a handle, write the elements, then set the length.
 * Only the most recent deferred handle may still be open when another is
 * taken (handles nest, innermost set first). */
size_t reply_defer_len(struct reply_buf *b);
void reply_set_array_len(struct reply_buf *b, size_t handle, long long n);
void reply_set_map_len(struct reply_buf *b, size_t handle, long long n);
void reply_set_set_len(struct reply_buf *b, size_t handle, long long n);

/* Room for any long double in the human form (LDBL_MAX has 4933 digits). */
#define REPLY_LONG_DOUBLE_MAX 5500
/* Format a long double in that human form into dst (cap bytes, at least
 * REPLY_LONG_DOUBLE_MAX for any value); returns the length. This is also
 * the text INCRBYFLOAT and INCREX store. */
size_t reply_fmt_long_double(char *dst, size_t cap, long double d);

/* Format a double as Redis's addReplyDouble does ("%.17g", inf, -inf, nan)
 * into dst (at least 128 bytes); returns the length. */
size_t reply_fmt_double(char *dst, double d);

#endif
