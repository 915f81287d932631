/* resp.h - pure, incremental RESP request parser.
 *
 * Bytes in, argv slices out; no I/O, no globals. The caller owns the buffer
 * and feeds the same (possibly grown or moved) buffer again after appending
 * more bytes. Parser state is kept as offsets, so the buffer may be
 * reallocated between calls, but the bytes already handed to the parser
 * (buf[0 .. the len of the previous call]) must not change.
 *
 * Both request forms that Redis accepts are parsed:
 *   - multibulk: "*<n>\r\n" then n times "$<len>\r\n<bytes>\r\n"
 *   - inline:    a line of space-separated words ending in "\n" (optionally
 *                "\r\n"), with Redis's quoting rules ("..." with \n \r \t \b
 *                \a \\ \" \xHH escapes, '...' with \' only).
 *
 * Inline arguments with quotes or escapes are unescaped in place (the result
 * is never longer than the source), so every argument is a slice of buf.
 * That is why buf is not const.
 *
 * Outcomes of resp_parse():
 *   RESP_OK         a complete request: *consumed bytes form it; argv/argc
 *                   describe it (argc may be 0 for an empty line or "*0\r\n",
 *                   which the caller skips). The slices stay valid until the
 *                   caller drops those bytes from buf.
 *   RESP_NEED_MORE  not complete yet; call again with more bytes. p->need is
 *                   a hint: the total buffer length at which progress is
 *                   certain (0 when unknown), so the caller can size the
 *                   buffer once for a large bulk argument.
 *   RESP_ERROR      a protocol error; p->err holds Redis's message without
 *                   the leading "-ERR " (e.g. "Protocol error: invalid bulk
 *                   length"). The error is sticky until resp_parser_reset().
 */
#ifndef SURGE_PROTOCOL_RESP_H
#define SURGE_PROTOCOL_RESP_H

#include <stddef.h>
#include <stdint.h>

enum resp_status {
    RESP_ERROR = -1,
    RESP_OK = 0,
    RESP_NEED_MORE = 1,
};

/* One argument: a slice of the caller's buffer. */
struct resp_arg {
    char *ptr;
    size_t len;
};

/* Limits, set by the caller before parsing (0 means Redis's default). */
struct resp_limits {
    uint64_t max_bulk_len;      /* proto-max-bulk-len, default 512 MiB */
    int64_t max_multibulk_len;  /* default INT_MAX, as Redis */
    size_t max_inline_len;      /* default 64 KiB (PROTO_INLINE_MAX_SIZE) */
    int unauthenticated;        /* Redis's tighter limits before AUTH: 10
                                 * arguments, 16 KiB per argument */
};

/* Allocation hook for the argv array: realloc(ptr, size) semantics, must not
 * return NULL for size > 0 (the server's wrapper aborts on OOM). NULL uses
 * the C library's realloc. */
typedef void *(*resp_realloc_fn)(void *ptr, size_t size);

struct resp_parser {
    struct resp_limits limits;
    resp_realloc_fn realloc_fn;

    /* Result of the last RESP_OK. */
    struct resp_arg *argv;
    int argc;

    size_t need;     /* see RESP_NEED_MORE */
    char err[128];   /* see RESP_ERROR */

    /* Private state of a partially parsed multibulk request. */
    size_t pos;          /* scan offset into buf */
    int64_t multibulk;   /* arguments announced, -1 when not in a multibulk */
    int64_t bulk;        /* length of the pending bulk, -1 when none */
    int argv_cap;
    size_t *offs;        /* argument offsets while incomplete */
    int offs_cap;
    int failed;
};

/* Initialise with limits (may be NULL for defaults) and an allocation hook. */
void resp_parser_init(struct resp_parser *p, const struct resp_limits *limits,
                      resp_realloc_fn realloc_fn);
/* Free the argv arrays. Safe on a zeroed or already deinitialised parser. */
void resp_parser_deinit(struct resp_parser *p);
/* Forget any partial request and any sticky error; keeps arrays and limits. */
void resp_parser_reset(struct resp_parser *p);

/* Parse one request from buf[0..len). See the outcomes above. After RESP_OK
 * the parser is ready for the next request, which starts at buf + *consumed
 * (the caller drops those bytes, or passes buf + *consumed next time). */
int resp_parse(struct resp_parser *p, char *buf, size_t len, size_t *consumed);

/* Strict decimal parse of a signed 64-bit integer as Redis's string2ll:
 * no spaces, no '+', no leading zeros (except "0"), no overflow. Returns 0
 * and sets *out, or -EINVAL. */
int resp_str_to_ll(const char *s, size_t len, long long *out);

/* Write v in decimal to dst (at least 21 bytes); returns the length. */
size_t resp_ll_to_str(char *dst, long long v);

#endif
