/* backlog.h - the replication backlog: the last `size` bytes of the
 * replication stream, addressed by stream offset, so a replica that lost
 * its link can continue from where it was (PSYNC). Pure code.
 *
 * Offsets follow Redis: `offset` is the number of stream bytes ever added
 * (master_repl_offset); the backlog holds the bytes with offsets
 * first .. offset, where the first byte of the stream has offset 1.
 */
#ifndef SURGE_REPLICATION_BACKLOG_H
#define SURGE_REPLICATION_BACKLOG_H

#include <stdbool.h>
#include <stddef.h>

struct backlog {
    char *buf;
    size_t size;        /* capacity */
    size_t histlen;     /* bytes held, <= size */
    size_t head;        /* index where the next byte goes */
    long long offset;   /* stream bytes ever added */
};

/* start_offset: the stream offset before the first byte added. */
void backlog_init(struct backlog *b, size_t size, long long start_offset);
void backlog_free(struct backlog *b);
/* Change the capacity, keeping the newest bytes. */
void backlog_resize(struct backlog *b, size_t size);
void backlog_append(struct backlog *b, const char *p, size_t len);
/* Offset of the oldest byte held (offset + 1 when empty). */
long long backlog_first(const struct backlog *b);
/* Whether a replica wanting bytes from `from` (its offset + 1) can be
 * served: first <= from <= offset + 1. */
bool backlog_can_serve(const struct backlog *b, long long from);
/* Call fn on the held bytes from `from` on, in order (at most two
 * pieces); returns the number of bytes. */
size_t backlog_copy(const struct backlog *b, long long from,
                    void (*fn)(const char *p, size_t len, void *arg), void *arg);

#endif
