/* backlog.c - see backlog.h. */
#include "replication/backlog.h"

#include <stdlib.h>
#include <string.h>

#include "server/mem.h"

void backlog_init(struct backlog *b, size_t size, long long start_offset)
{
    memset(b, 0, sizeof(*b));
    b->size = size > 0 ? size : 1;
    b->buf = mem_alloc(b->size);
    b->offset = start_offset;
}

void backlog_free(struct backlog *b)
{
    mem_free(b->buf);
    memset(b, 0, sizeof(*b));
}

static void backlog_copy_out(const char *p, size_t len, void *arg)
{
    char **dst = arg;
    memcpy(*dst, p, len);
    *dst += len;
}

void backlog_resize(struct backlog *b, size_t size)
{
    size = size > 0 ? size : 1;
    size_t keep = b->histlen < size ? b->histlen : size;
    char *nbuf = mem_alloc(size);
    char *dst = nbuf;
    backlog_copy(b, b->offset - (long long)keep + 1, backlog_copy_out, &dst);
    mem_free(b->buf);
    b->buf = nbuf;
    b->size = size;
    b->histlen = keep;
    b->head = keep % size;
}

void backlog_append(struct backlog *b, const char *p, size_t len)
{
    b->offset += (long long)len;
    if (len >= b->size) { /* only the newest size bytes survive */
        memcpy(b->buf, p + len - b->size, b->size);
        b->head = 0;
        b->histlen = b->size;
        return;
    }
    size_t first = b->size - b->head < len ? b->size - b->head : len;
    memcpy(b->buf + b->head, p, first);
    memcpy(b->buf, p + first, len - first);
    b->head = (b->head + len) % b->size;
    b->histlen = b->histlen + len > b->size ? b->size : b->histlen + len;
}

long long backlog_first(const struct backlog *b)
{
    return b->offset - (long long)b->histlen + 1;
}

bool backlog_can_serve(const struct backlog *b, long long from)
{
    return from >= backlog_first(b) && from <= b->offset + 1;
}

size_t backlog_copy(const struct backlog *b, long long from,
                    void (*fn)(const char *p, size_t len, void *arg), void *arg)
{
    if (!backlog_can_serve(b, from)) {
        return 0;
    }
    size_t len = (size_t)(b->offset + 1 - from);
    if (len == 0) {
        return 0;
    }
    /* The byte at offset o lives at (head - (offset + 1 - o)) mod size. */
    size_t start = (b->head + b->size - len % b->size) % b->size;
    if (len == b->size) {
        start = b->head;
    }
    size_t first = b->size - start < len ? b->size - start : len;
    fn(b->buf + start, first, arg);
    if (len > first) {
        fn(b->buf, len - first, arg);
    }
    return len;
}
