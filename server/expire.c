/* expire.c - see expire.h. */
#include "server/expire.h"

#include <string.h>

#include "server/mem.h"

#define EXPIRE_MASK (EXPIRE_SLOTS - 1)
/* A drained slot keeps its array only while it is small. */
#define EXPIRE_KEEP_CAP 64

static inline int64_t expire_tick(int64_t ms)
{
    return ms < 0 ? 0 : ms / EXPIRE_TICK_MS;
}

static inline int expire_shift(int level)
{
    return EXPIRE_SLOT_BITS * level;
}

void expire_index_init(struct expire_index *x, int64_t now_ms)
{
    memset(x, 0, sizeof(*x));
    x->cur = expire_tick(now_ms);
    for (int l = 1; l < EXPIRE_LEVELS; l++) {
        x->cascaded[l] = (x->cur >> expire_shift(l)) + 1;
    }
}

static void expire_level_free(struct expire_slot *level)
{
    if (level == NULL) {
        return;
    }
    for (uint32_t i = 0; i < EXPIRE_SLOTS; i++) {
        mem_free(level[i].items);
    }
    mem_free(level);
}

void expire_index_deinit(struct expire_index *x)
{
    for (int l = 0; l < EXPIRE_LEVELS; l++) {
        expire_level_free(x->levels[l]);
        x->levels[l] = NULL;
    }
    x->items = 0;
    x->pos = 0;
    x->cascade_pos = 0;
}

void expire_index_clear(struct expire_index *x)
{
    expire_index_deinit(x);
}

static void expire_slot_push(struct expire_slot *s, uint32_t hash)
{
    if (s->len == s->cap) {
        s->cap = s->cap < 4 ? 4 : s->cap * 2;
        s->items = mem_realloc(s->items, (size_t)s->cap * sizeof(uint32_t));
    }
    s->items[s->len++] = hash;
}

void expire_index_add(struct expire_index *x, uint32_t hash, int64_t deadline_ms)
{
    int64_t t = expire_tick(deadline_ms);
    if (t < x->cur) {
        t = x->cur;
    }
    /* The lowest level whose slot for t lies within one revolution; each
     * coarse slot starts after cur, so it is cascaded before it is due. */
    int level = 0;
    int64_t c = t;
    while (level < EXPIRE_LEVELS - 1 &&
           (t >> expire_shift(level)) - (x->cur >> expire_shift(level)) >= EXPIRE_SLOTS) {
        level++;
    }
    c = t >> expire_shift(level);
    int64_t base = x->cur >> expire_shift(level);
    if (c - base >= EXPIRE_SLOTS) {
        c = base + EXPIRE_SLOTS - 1; /* beyond the top level: revisit later */
    }
    if (x->levels[level] == NULL) {
        x->levels[level] = mem_calloc(EXPIRE_SLOTS * sizeof(struct expire_slot));
    }
    expire_slot_push(&x->levels[level][c & EXPIRE_MASK], hash);
    x->items++;
}

static void expire_slot_drain(struct expire_index *x, struct expire_slot *s)
{
    x->items -= s->len;
    s->len = 0;
    if (s->cap > EXPIRE_KEEP_CAP) {
        mem_free(s->items);
        s->items = NULL;
        s->cap = 0;
    }
}

/* Visit items of slot s from *pos on; returns false if the budget ran out.
 * The slot may grow during the visits (re-adds of past deadlines). */
static bool expire_slot_visit(struct expire_index *x, struct expire_slot *s, uint32_t *pos,
                              enum expire_visit why, int64_t until_ms, size_t *budget,
                              expire_visit_fn fn, void *arg)
{
    while (*pos < s->len) {
        if (*budget == 0) {
            return false;
        }
        uint32_t hash = s->items[(*pos)++];
        (*budget)--;
        fn(hash, why, until_ms, arg);
    }
    expire_slot_drain(x, s);
    *pos = 0;
    return true;
}

/* Hand back every coarse slot whose time has begun at tick cur. */
static bool expire_cascade(struct expire_index *x, size_t *budget, expire_visit_fn fn, void *arg)
{
    for (int l = EXPIRE_LEVELS - 1; l >= 1; l--) {
        int sh = expire_shift(l);
        while (x->cascaded[l] <= (x->cur >> sh)) {
            int64_t c = x->cascaded[l];
            if (x->levels[l] != NULL) {
                struct expire_slot *s = &x->levels[l][c & EXPIRE_MASK];
                int64_t until_ms = ((c + 1) << sh) * EXPIRE_TICK_MS;
                if (!expire_slot_visit(x, s, &x->cascade_pos, EXPIRE_VISIT_CASCADE, until_ms,
                                       budget, fn, arg)) {
                    return false;
                }
            }
            x->cascaded[l] = c + 1;
        }
    }
    return true;
}

size_t expire_index_run(struct expire_index *x, int64_t now_ms, size_t max_items,
                        expire_visit_fn fn, void *arg)
{
    size_t budget = max_items;
    int64_t now_tick = expire_tick(now_ms);
    /* A tick is processed only once it has fully passed, so every deadline
     * in its slot is in the past. */
    while (x->cur < now_tick) {
        if (!expire_cascade(x, &budget, fn, arg)) {
            break;
        }
        if (x->levels[0] != NULL) {
            struct expire_slot *s = &x->levels[0][x->cur & EXPIRE_MASK];
            int64_t until_ms = (x->cur + 1) * EXPIRE_TICK_MS - 1;
            if (!expire_slot_visit(x, s, &x->pos, EXPIRE_VISIT_DUE, until_ms, &budget, fn,
                                   arg)) {
                break;
            }
        }
        x->cur++;
        if (x->items == 0) {
            /* Nothing anywhere: jump the clock instead of walking ticks. */
            x->cur = now_tick;
            for (int l = 1; l < EXPIRE_LEVELS; l++) {
                x->cascaded[l] = (x->cur >> expire_shift(l)) + 1;
            }
        }
    }
    return max_items - budget;
}

bool expire_index_behind(const struct expire_index *x, int64_t now_ms)
{
    return x->items > 0 && x->cur < expire_tick(now_ms);
}

size_t expire_index_bytes(const struct expire_index *x)
{
    size_t n = 0;
    for (int l = 0; l < EXPIRE_LEVELS; l++) {
        if (x->levels[l] == NULL) {
            continue;
        }
        n += EXPIRE_SLOTS * sizeof(struct expire_slot);
        for (uint32_t i = 0; i < EXPIRE_SLOTS; i++) {
            n += (size_t)x->levels[l][i].cap * sizeof(uint32_t);
        }
    }
    return n;
}
