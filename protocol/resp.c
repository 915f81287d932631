/* resp.c - see resp.h. */
#include "protocol/resp.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESP_DEFAULT_MAX_BULK (512ULL * 1024 * 1024)
#define RESP_DEFAULT_MAX_MULTIBULK INT_MAX
#define RESP_DEFAULT_MAX_INLINE (64 * 1024)
/* Longest header line ("*<n>\r\n", "$<n>\r\n") accepted without its CRLF. */
#define RESP_MAX_HEADER (64 * 1024)

void resp_parser_init(struct resp_parser *p, const struct resp_limits *limits,
                      resp_realloc_fn realloc_fn)
{
    memset(p, 0, sizeof(*p));
    if (limits != NULL) {
        p->limits = *limits;
    }
    if (p->limits.max_bulk_len == 0) {
        p->limits.max_bulk_len = RESP_DEFAULT_MAX_BULK;
    }
    if (p->limits.max_multibulk_len == 0) {
        p->limits.max_multibulk_len = RESP_DEFAULT_MAX_MULTIBULK;
    }
    if (p->limits.max_inline_len == 0) {
        p->limits.max_inline_len = RESP_DEFAULT_MAX_INLINE;
    }
    p->realloc_fn = realloc_fn != NULL ? realloc_fn : realloc;
    p->multibulk = -1;
    p->bulk = -1;
}

void resp_parser_deinit(struct resp_parser *p)
{
    if (p->realloc_fn != NULL) {
        if (p->argv != NULL) {
            p->realloc_fn(p->argv, 0);
        }
        if (p->offs != NULL) {
            p->realloc_fn(p->offs, 0);
        }
    }
    p->argv = NULL;
    p->offs = NULL;
    p->argv_cap = p->offs_cap = 0;
}

void resp_parser_reset(struct resp_parser *p)
{
    p->pos = 0;
    p->multibulk = -1;
    p->bulk = -1;
    p->argc = 0;
    p->need = 0;
    p->failed = 0;
    p->err[0] = '\0';
}

static int resp_fail(struct resp_parser *p, const char *fmt, int ch)
{
    snprintf(p->err, sizeof(p->err), fmt, ch);
    p->failed = 1;
    return RESP_ERROR;
}

/* Eight ASCII digits at p, most significant first, as their value; -1
 * when any byte is not a digit. Done in a word: pairs of digits, then
 * pairs of pairs, then the two halves. */
static long long resp_eight_digits(const char *p)
{
    uint64_t x;
    memcpy(&x, p, 8); /* little-endian: p[0] is the low byte */
    const uint64_t zeros = 0x3030303030303030ULL, high = 0xf0f0f0f0f0f0f0f0ULL;
    if ((x & high) != zeros || ((x + 0x0606060606060606ULL) & high) != zeros) {
        return -1;
    }
    x -= zeros;
    x = x * 10 + (x >> 8); /* bytes 0, 2, 4, 6: the four two-digit pairs */
    x = (((x & 0x000000ff000000ffULL) * (100 + (1000000ULL << 32))) +
         (((x >> 16) & 0x000000ff000000ffULL) * (1 + (10000ULL << 32)))) >> 32;
    return (long long)x;
}

int resp_str_to_ll(const char *s, size_t len, long long *out)
{
    if (len == 1 && s[0] >= '0' && s[0] <= '9') { /* most lengths and counts */
        *out = s[0] - '0';
        return 0;
    }
    if (len == 0 || len > 20) {
        return -EINVAL;
    }
    bool neg = s[0] == '-';
    const char *p = s + neg, *end = s + len;
    size_t digits = (size_t)(end - p);
    /* "0" was taken above: no leading zero, no "-0", no sign but '-'. */
    if (digits == 0 || *p < '1' || *p > '9') {
        return -EINVAL;
    }
    unsigned long long v = 0;
    for (; digits <= 18 && end - p >= 8; p += 8) { /* unix-ms deadlines, large counters */
        long long eight = resp_eight_digits(p);
        if (eight < 0) {
            return -EINVAL;
        }
        v = v * 100000000ULL + (unsigned long long)eight;
    }
    for (; p < end; p++) {
        unsigned long long d = (unsigned long long)(unsigned char)*p - '0';
        /* Up to 18 digits cannot overflow: only longer ones are checked. */
        if (d > 9 || (digits > 18 && v > (ULLONG_MAX - d) / 10)) {
            return -EINVAL;
        }
        v = v * 10 + d;
    }
    if (v > (unsigned long long)LLONG_MAX + neg) {
        return -EINVAL;
    }
    *out = neg ? (long long)(0ULL - v) : (long long)v;
    return 0;
}

static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324"
                                     "25262728293031323334353637383940414243444546474849"
                                     "50515253545556575859606162636465666768697071727374"
                                     "75767778798081828384858687888990919293949596979899";

/* The two digits of n (0..99) just before q; returns where they start. */
static inline char *resp_put_pair(char *q, unsigned n)
{
    q[-2] = digit_pairs[2 * n];
    q[-1] = digit_pairs[2 * n + 1];
    return q - 2;
}

size_t resp_ll_to_str(char *dst, long long v)
{
    size_t len = 0;
    unsigned long long u = (unsigned long long)v;
    if (v < 0) {
        dst[len++] = '-';
        u = 0ULL - u;
    }
    if (u < 10) { /* lengths, counts, flags: the common case */
        dst[len] = (char)('0' + u);
        dst[len + 1] = '\0';
        return len + 1;
    }
    /* Digits from the bit length: floor(bits * log10(2)) is the count or
     * one less. */
    static const unsigned long long pow10[20] = {
        1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
        100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
        10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
        100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};
    size_t t = (size_t)((64 - __builtin_clzll(u)) * 1233) >> 12;
    len += t + (u >= pow10[t]);
    dst[len] = '\0';
    char *q = dst + len;
    for (; u > UINT32_MAX; u /= 100) {
        q = resp_put_pair(q, (unsigned)(u % 100));
    }
    uint32_t w = (uint32_t)u; /* 32-bit division is the cheaper one */
    for (; w >= 100; w /= 100) {
        q = resp_put_pair(q, w % 100);
    }
    if (w >= 10) {
        resp_put_pair(q, w);
    } else {
        q[-1] = (char)('0' + w);
    }
    return len;
}

static void resp_grow_offs(struct resp_parser *p, int want)
{
    if (want <= p->offs_cap) {
        return;
    }
    int cap = p->offs_cap < 8 ? 8 : p->offs_cap;
    while (cap < want) {
        cap *= 2;
    }
    /* offs holds (offset, length) pairs. */
    p->offs = p->realloc_fn(p->offs, sizeof(size_t) * 2 * (size_t)cap);
    p->offs_cap = cap;
}

static void resp_grow_argv(struct resp_parser *p, int want)
{
    if (want <= p->argv_cap) {
        return;
    }
    int cap = p->argv_cap < 8 ? 8 : p->argv_cap;
    while (cap < want) {
        cap *= 2;
    }
    p->argv = p->realloc_fn(p->argv, sizeof(struct resp_arg) * (size_t)cap);
    p->argv_cap = cap;
}

/* Find "\r\n" from buf[from]; returns the CR offset or -1. */
static ptrdiff_t resp_find_crlf(const char *buf, size_t len, size_t from)
{
    while (from < len) {
        const char *cr = memchr(buf + from, '\r', len - from);
        if (cr == NULL) {
            return -1;
        }
        size_t at = (size_t)(cr - buf);
        if (at + 1 >= len) {
            return -1;
        }
        if (buf[at + 1] == '\n') {
            return (ptrdiff_t)at;
        }
        from = at + 1;
    }
    return -1;
}

/* Parse "<c><number>\r\n" at p->pos; 1 on success, 0 need more, -1 error. */
static int resp_header(struct resp_parser *p, const char *buf, size_t len, long long *out,
                       const char *too_big)
{
    ptrdiff_t cr = resp_find_crlf(buf, len, p->pos);
    if (cr < 0) {
        if (len - p->pos > RESP_MAX_HEADER) {
            resp_fail(p, too_big, 0);
            return -1;
        }
        return 0;
    }
    if (resp_str_to_ll(buf + p->pos + 1, (size_t)cr - p->pos - 1, out) < 0) {
        *out = LLONG_MIN; /* caller reports its own message */
    }
    p->pos = (size_t)cr + 2;
    return 1;
}

static void resp_finish(struct resp_parser *p, char *buf, int argc, size_t *consumed)
{
    resp_grow_argv(p, argc > 0 ? argc : 1);
    for (int i = 0; i < argc; i++) {
        p->argv[i].ptr = buf + p->offs[2 * i];
        p->argv[i].len = p->offs[2 * i + 1];
    }
    p->argc = argc;
    *consumed = p->pos;
    p->pos = 0;
    p->multibulk = -1;
    p->bulk = -1;
    p->need = 0;
}

static int resp_parse_multibulk(struct resp_parser *p, char *buf, size_t len, size_t *consumed)
{
    long long n;
    if (p->multibulk < 0) {
        p->pos = 0;
        int rc = resp_header(p, buf, len, &n, "Protocol error: too big mbulk count string");
        if (rc <= 0) {
            return rc < 0 ? RESP_ERROR : RESP_NEED_MORE;
        }
        if (n == LLONG_MIN || n > p->limits.max_multibulk_len) {
            return resp_fail(p, "Protocol error: invalid multibulk length", 0);
        }
        if (p->limits.unauthenticated && n > 10) {
            return resp_fail(p, "Protocol error: unauthenticated multibulk length", 0);
        }
        if (n <= 0) {
            resp_finish(p, buf, 0, consumed);
            return RESP_OK;
        }
        p->multibulk = n;
        p->argc = 0;
        /* Don't trust a huge count before its arguments arrive. */
        resp_grow_offs(p, n < 1024 ? (int)n : 1024);
    }
    while (p->argc < p->multibulk) {
        if (p->bulk < 0) {
            if (p->pos >= len) {
                return RESP_NEED_MORE;
            }
            if (buf[p->pos] != '$') {
                return resp_fail(p, "Protocol error: expected '$', got '%c'",
                                 (unsigned char)buf[p->pos]);
            }
            int rc = resp_header(p, buf, len, &n, "Protocol error: too big bulk count string");
            if (rc <= 0) {
                return rc < 0 ? RESP_ERROR : RESP_NEED_MORE;
            }
            if (n == LLONG_MIN || n < 0 || (unsigned long long)n > p->limits.max_bulk_len) {
                return resp_fail(p, "Protocol error: invalid bulk length", 0);
            }
            if (p->limits.unauthenticated && n > 16384) {
                return resp_fail(p, "Protocol error: unauthenticated bulk length", 0);
            }
            p->bulk = n;
        }
        size_t end = p->pos + (size_t)p->bulk + 2;
        if (end > len) {
            p->need = end;
            return RESP_NEED_MORE;
        }
        resp_grow_offs(p, p->argc + 1);
        p->offs[2 * p->argc] = p->pos;
        p->offs[2 * p->argc + 1] = (size_t)p->bulk;
        p->argc++;
        p->pos = end;
        p->bulk = -1;
    }
    resp_finish(p, buf, p->argc, consumed);
    return RESP_OK;
}

static int resp_hex(int c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Unescape one quoted word starting at *src (on the quote), writing to *dst.
 * Returns 0, or -1 for unbalanced quotes. */
static int resp_inline_quoted(char **src, char *end, char **dst)
{
    char q = **src, *s = *src + 1, *d = *dst;
    for (;;) {
        if (s >= end) {
            return -1;
        }
        if (q == '"' && *s == '\\' && s + 3 < end && s[1] == 'x' && resp_hex(s[2]) >= 0 &&
            resp_hex(s[3]) >= 0) {
            *d++ = (char)(resp_hex(s[2]) * 16 + resp_hex(s[3]));
            s += 4;
        } else if (q == '"' && *s == '\\' && s + 1 < end) {
            static const char from[] = "nrtba", to[] = "\n\r\t\b\a";
            const char *k = strchr(from, s[1]);
            *d++ = k != NULL && s[1] != '\0' ? to[k - from] : s[1];
            s += 2;
        } else if (q == '\'' && *s == '\\' && s + 1 < end && s[1] == '\'') {
            *d++ = '\'';
            s += 2;
        } else if (*s == q) {
            /* A closing quote must be followed by a space or the end. */
            if (s + 1 < end && s[1] != ' ' && s[1] != '\t' && s[1] != '\n' && s[1] != '\r' &&
                s[1] != '\v' && s[1] != '\f') {
                return -1;
            }
            *src = s + 1;
            *dst = d;
            return 0;
        } else {
            *d++ = *s++;
        }
    }
}

static bool resp_is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

/* Split one inline line in place; argument bytes are rewritten but never
 * grow, so every argument stays inside the line. */
static int resp_split_inline(struct resp_parser *p, char *line, char *end, int *argc)
{
    char *s = line;
    int n = 0;
    for (;;) {
        while (s < end && resp_is_space(*s)) {
            s++;
        }
        if (s >= end) {
            break;
        }
        char *start = s, *d = s;
        while (s < end && !resp_is_space(*s)) {
            if (*s == '"' || *s == '\'') {
                if (resp_inline_quoted(&s, end, &d) < 0) {
                    return -1;
                }
            } else {
                *d++ = *s++;
            }
        }
        resp_grow_offs(p, n + 1);
        p->offs[2 * n] = (size_t)(start - line);
        p->offs[2 * n + 1] = (size_t)(d - start);
        n++;
    }
    *argc = n;
    return 0;
}

static int resp_parse_inline(struct resp_parser *p, char *buf, size_t len, size_t *consumed)
{
    char *nl = memchr(buf, '\n', len);
    if (nl == NULL) {
        if (len > p->limits.max_inline_len) {
            return resp_fail(p, "Protocol error: too big inline request", 0);
        }
        return RESP_NEED_MORE;
    }
    size_t linelen = (size_t)(nl - buf);
    int argc = 0;
    if (resp_split_inline(p, buf, nl, &argc) < 0) {
        return resp_fail(p, "Protocol error: unbalanced quotes in request", 0);
    }
    p->pos = linelen + 1;
    resp_finish(p, buf, argc, consumed);
    return RESP_OK;
}

int resp_parse(struct resp_parser *p, char *buf, size_t len, size_t *consumed)
{
    if (p->failed) {
        return RESP_ERROR;
    }
    *consumed = 0;
    if (p->multibulk < 0 && len == 0) {
        return RESP_NEED_MORE;
    }
    if (p->multibulk >= 0 || buf[0] == '*') {
        return resp_parse_multibulk(p, buf, len, consumed);
    }
    return resp_parse_inline(p, buf, len, consumed);
}
