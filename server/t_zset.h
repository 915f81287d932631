/* t_zset.h - the sorted set type: a skiplist ordered by (score, member)
 * with span counts, so rank and range queries are O(log N), and a hash of
 * member -> node for O(1) ZSCORE. Nodes carry their member inline and are
 * also the hash's nodes, so a member costs one allocation. */
#ifndef SURGE_SERVER_T_ZSET_H
#define SURGE_SERVER_T_ZSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zset_obj;
struct zset_node;

/* A score interval; ex* make a bound exclusive. */
struct zset_range {
    double min, max;
    bool exmin, exmax;
};

struct zset_obj *zset_new(void);
void zset_free(struct zset_obj *z);
struct zset_obj *zset_dup(const struct zset_obj *z);
size_t zset_len(const struct zset_obj *z);

bool zset_score(const struct zset_obj *z, const char *m, size_t len, double *score);
/* Insert or move a member to score; returns true if it was new. */
bool zset_set(struct zset_obj *z, const char *m, size_t len, double score);
bool zset_del(struct zset_obj *z, const char *m, size_t len);
/* 0-based rank of a member (reverse: from the highest), or -1. */
long long zset_rank(const struct zset_obj *z, const char *m, size_t len, bool reverse);

/* The node at a 0-based rank from the lowest, or NULL. */
struct zset_node *zset_at_rank(const struct zset_obj *z, size_t rank);
/* First node with score in range (lowest), last node in range (highest). */
struct zset_node *zset_first_in(const struct zset_obj *z, const struct zset_range *r);
struct zset_node *zset_last_in(const struct zset_obj *z, const struct zset_range *r);
/* Generic ordered searches: the first node for which before(n) is false,
 * and the last node for which after(n) is false (NULL when none). Both
 * predicates must be monotonic along the order; O(log N). */
typedef bool (*zset_pred_fn)(const struct zset_node *n, const void *arg);
struct zset_node *zset_first_where(const struct zset_obj *z, zset_pred_fn before, const void *arg);
struct zset_node *zset_last_where(const struct zset_obj *z, zset_pred_fn after, const void *arg);
/* 0-based rank of a node of z. */
size_t zset_node_rank(const struct zset_obj *z, const struct zset_node *n);
/* Number of members in range. */
size_t zset_count_in(const struct zset_obj *z, const struct zset_range *r);
bool zset_in_range(const struct zset_range *r, double score);

struct zset_node *zset_next(const struct zset_node *n);
struct zset_node *zset_prev(const struct zset_node *n);
double zset_node_score(const struct zset_node *n);
const char *zset_node_member(const struct zset_node *n, size_t *len);

/* Small sorted sets rest as packs (member, then the score's 8 bytes, in
 * order): Redis's "listpack". Commands work on the skiplist form; the
 * keyspace converts on the way in and packs again afterwards. */
struct pack;
struct zset_obj *zset_from_pack(const struct pack *pk);
/* Pack z into *out when it has at most max_entries members of at most
 * max_value bytes; false (nothing allocated) otherwise. */
bool zset_to_pack(const struct zset_obj *z, size_t max_entries, size_t max_value,
                  struct pack *out);

typedef void (*zset_visit_fn)(const char *m, size_t len, double score, void *arg);
uint64_t zset_scan(const struct zset_obj *z, uint64_t cursor, zset_visit_fn fn, void *arg);

#endif
