/* t_list.h - the list type: a doubly linked list of packed chunks (Redis's
 * quicklist of listpacks). Pushes and pops at either end touch one chunk;
 * a chunk holds up to about 8 KiB of elements. */
#ifndef SURGE_SERVER_T_LIST_H
#define SURGE_SERVER_T_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_obj;

/* Visit an element; return false to stop. */
typedef bool (*list_visit_fn)(const char *s, size_t len, long long index, void *arg);

struct list_obj *list_new(void);
void list_free(struct list_obj *l);
struct list_obj *list_dup(const struct list_obj *l);
size_t list_len(const struct list_obj *l);
const char *list_encoding(const struct list_obj *l);

void list_push(struct list_obj *l, const char *s, size_t len, bool head);
/* Pop into *buf (grown with mem_realloc as needed); returns the length.
 * The list must not be empty. */
size_t list_pop(struct list_obj *l, bool head, char **buf, size_t *cap);
/* Element at a 0-based index (negative from the tail); false if out of
 * range. Borrowed until the list changes. */
bool list_index(const struct list_obj *l, long long index, const char **s, size_t *len);
bool list_set(struct list_obj *l, long long index, const char *s, size_t len);
/* Visit from index start forward (or from the tail backward when
 * reverse, index counted from the head). */
void list_walk(const struct list_obj *l, bool reverse, list_visit_fn fn, void *arg);
/* Insert before/after the first element equal to pivot; false if none. */
bool list_insert(struct list_obj *l, const char *pivot, size_t plen, bool before, const char *s,
                 size_t len);
/* LREM: remove up to |count| (all when 0) elements equal to s, from the
 * head (count >= 0) or the tail; returns how many. */
long long list_remove(struct list_obj *l, long long count, const char *s, size_t len);
/* Keep only [start, stop] (already normalised, inclusive). */
void list_trim(struct list_obj *l, size_t start, size_t stop);

#endif
