/* t_set.h - the set type: a sorted integer array while every member is an
 * integer (Redis's "intset", narrowest width that fits), a packed array
 * while small ("listpack"), then a hash table of member nodes. Limits are
 * set-max-intset-entries, set-max-listpack-entries and -value. */
#ifndef SURGE_SERVER_T_SET_H
#define SURGE_SERVER_T_SET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct set_obj;

struct set_limits {
    size_t max_intset_entries;
    size_t max_packed_entries;
    size_t max_packed_value;
};

typedef void (*set_visit_fn)(const char *m, size_t len, void *arg);

struct set_obj *set_new(void);
void set_free(struct set_obj *s);
struct set_obj *set_dup(const struct set_obj *s);
size_t set_len(const struct set_obj *s);
const char *set_encoding(const struct set_obj *s);

bool set_contains(const struct set_obj *s, const char *m, size_t len);
/* Add a member; true if it was new. Converts encodings past the limits. */
bool set_add(struct set_obj *s, const char *m, size_t len, const struct set_limits *lim);
bool set_remove(struct set_obj *s, const char *m, size_t len);

/* Members are passed as bytes; integers of an intset are formatted. */
void set_foreach(const struct set_obj *s, set_visit_fn fn, void *arg);
uint64_t set_scan(const struct set_obj *s, uint64_t cursor, set_visit_fn fn, void *arg);
/* Copy a random member into buf (at least 24 bytes, or grown with
 * mem_realloc when *cap is too small); returns its length. */
size_t set_random(const struct set_obj *s, uint64_t (*rnd)(void), char **buf, size_t *cap);

#endif
