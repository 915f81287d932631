/* reply.c - see reply.h. */
#include "protocol/reply.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/resp.h"

void reply_buf_init(struct reply_buf *b, int proto, reply_realloc_fn realloc_fn)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->proto = proto;
    b->realloc_fn = realloc_fn != NULL ? realloc_fn : realloc;
}

void reply_buf_deinit(struct reply_buf *b)
{
    if (b->data != NULL) {
        b->realloc_fn(b->data, 0);
    }
    b->data = NULL;
    b->len = b->cap = 0;
}

char *reply_grow(struct reply_buf *b, size_t n)
{
    size_t cap = b->cap < 1024 ? 1024 : b->cap;
    while (cap - b->len < n) {
        cap *= 2;
    }
    b->data = b->realloc_fn(b->data, cap);
    b->cap = cap;
    return b->data + b->len;
}

static void reply_line(struct reply_buf *b, char prefix, const char *s, size_t n)
{
    char *p = reply_reserve(b, n + 3);
    p[0] = prefix;
    memcpy(p + 1, s, n);
    p[n + 1] = '\r';
    p[n + 2] = '\n';
    b->len += n + 3;
}

void reply_status(struct reply_buf *b, const char *s)
{
    reply_line(b, '+', s, strlen(s));
}

void reply_ok(struct reply_buf *b)
{
    reply_raw(b, "+OK\r\n", 5);
}

void reply_error_len(struct reply_buf *b, const char *msg, size_t len)
{
    size_t start = b->len + 1;
    reply_line(b, '-', msg, len);
    for (size_t i = start; i < start + len; i++) {
        if (b->data[i] == '\r' || b->data[i] == '\n') {
            b->data[i] = ' ';
        }
    }
}

void reply_error(struct reply_buf *b, const char *msg)
{
    reply_error_len(b, msg, strlen(msg));
}

void reply_errorf(struct reply_buf *b, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0) {
        n = 0;
    }
    reply_error_len(b, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

void reply_bulk_cstr(struct reply_buf *b, const char *s)
{
    reply_bulk(b, s, strlen(s));
}

void reply_bulk_ll(struct reply_buf *b, long long v)
{
    char buf[24];
    reply_bulk(b, buf, resp_ll_to_str(buf, v));
}

size_t reply_fmt_double(char *dst, double d)
{
    if (isinf(d)) {
        return (size_t)sprintf(dst, "%s", d > 0 ? "inf" : "-inf");
    }
    if (isnan(d)) {
        return (size_t)sprintf(dst, "nan");
    }
    return (size_t)snprintf(dst, 128, "%.17g", d);
}

void reply_double(struct reply_buf *b, double d)
{
    char buf[128];
    size_t n = reply_fmt_double(buf, d);
    if (b->proto >= 3) {
        reply_line(b, ',', buf, n);
    } else {
        reply_bulk(b, buf, n);
    }
}

size_t reply_fmt_long_double(char *dst, size_t cap, long double d)
{
    /* Redis's human form: fixed point with 17 digits, trailing zeros (and
     * a trailing dot) removed; "-0" becomes "0". */
    int n = snprintf(dst, cap, "%.17Lf", d);
    if (n < 0 || (size_t)n >= cap) {
        n = snprintf(dst, cap, "%.17Lg", d);
    } else if (strchr(dst, '.') != NULL) {
        while (n > 0 && dst[n - 1] == '0') {
            n--;
        }
        if (n > 0 && dst[n - 1] == '.') {
            n--;
        }
    }
    if (n == 2 && dst[0] == '-' && dst[1] == '0') {
        dst[0] = '0';
        n = 1;
    }
    return n < 0 ? 0 : (size_t)n;
}

void reply_bulk_long_double(struct reply_buf *b, long double d)
{
    char buf[REPLY_LONG_DOUBLE_MAX];
    reply_bulk(b, buf, reply_fmt_long_double(buf, sizeof(buf), d));
}

void reply_long_double(struct reply_buf *b, long double d)
{
    char buf[REPLY_LONG_DOUBLE_MAX];
    size_t n = reply_fmt_long_double(buf, sizeof(buf), d);
    if (b->proto >= 3) {
        reply_line(b, ',', buf, n);
    } else {
        reply_bulk(b, buf, n);
    }
}

void reply_null(struct reply_buf *b)
{
    if (b->proto >= 3) {
        reply_raw(b, "_\r\n", 3);
    } else {
        reply_raw(b, "$-1\r\n", 5);
    }
}

void reply_null_array(struct reply_buf *b)
{
    if (b->proto >= 3) {
        reply_raw(b, "_\r\n", 3);
    } else {
        reply_raw(b, "*-1\r\n", 5);
    }
}

void reply_bool(struct reply_buf *b, bool v)
{
    if (b->proto >= 3) {
        reply_raw(b, v ? "#t\r\n" : "#f\r\n", 4);
    } else {
        reply_raw(b, v ? ":1\r\n" : ":0\r\n", 4);
    }
}

void reply_map_len(struct reply_buf *b, long long n)
{
    reply_header(b, b->proto >= 3 ? '%' : '*', b->proto >= 3 ? n : 2 * n);
}

void reply_set_len(struct reply_buf *b, long long n)
{
    reply_header(b, b->proto >= 3 ? '~' : '*', n);
}

void reply_push_len(struct reply_buf *b, long long n)
{
    reply_header(b, b->proto >= 3 ? '>' : '*', n);
}

void reply_verbatim(struct reply_buf *b, const char *s, size_t len)
{
    if (b->proto < 3) {
        reply_bulk(b, s, len);
        return;
    }
    reply_header(b, '=', (long long)len + 4);
    char *p = reply_reserve(b, len + 6);
    memcpy(p, "txt:", 4);
    memcpy(p + 4, s, len);
    p[len + 4] = '\r';
    p[len + 5] = '\n';
    b->len += len + 6;
}

size_t reply_defer_len(struct reply_buf *b)
{
    return b->len;
}

/* Insert the header at the handle, moving what was written after it. */
static void reply_set_deferred(struct reply_buf *b, size_t handle, char prefix, long long n)
{
    char head[24];
    head[0] = prefix;
    size_t h = 1 + resp_ll_to_str(head + 1, n);
    head[h++] = '\r';
    head[h++] = '\n';
    reply_reserve(b, h);
    memmove(b->data + handle + h, b->data + handle, b->len - handle);
    memcpy(b->data + handle, head, h);
    b->len += h;
}

void reply_set_array_len(struct reply_buf *b, size_t handle, long long n)
{
    reply_set_deferred(b, handle, '*', n);
}

void reply_set_map_len(struct reply_buf *b, size_t handle, long long n)
{
    reply_set_deferred(b, handle, b->proto >= 3 ? '%' : '*', b->proto >= 3 ? n : 2 * n);
}

void reply_set_set_len(struct reply_buf *b, size_t handle, long long n)
{
    reply_set_deferred(b, handle, b->proto >= 3 ? '~' : '*', n);
}
