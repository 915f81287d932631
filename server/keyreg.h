/* keyreg.h - a registry of clients interested in keys: (db, key) -> the
 * clients, in arrival order. WATCH uses one (who must be told of a change)
 * and blocking pops another (who is waiting for data, first come first
 * served). An entry exists only while some client is registered. */
#ifndef SURGE_SERVER_KEYREG_H
#define SURGE_SERVER_KEYREG_H

#include <stdbool.h>
#include <stddef.h>

#include "server/dict.h"

struct client;

struct keyreg_entry {
    struct dict_node node;
    struct client **clients;
    int nclients, cap;
    void *data;  /* the owner's payload (a lease); keeps the entry alive */
    int db;
    size_t len;
    char key[];
};

struct keyreg {
    struct dict d;
    bool ready;
};

/* Register c for (db, key) at the end of the queue, once; returns the
 * entry (stable until its last client leaves). */
struct keyreg_entry *keyreg_add(struct keyreg *r, int db, const char *key, size_t len,
                                struct client *c);
/* Unregister c; frees the entry when it was the last and holds no data. */
void keyreg_remove(struct keyreg *r, struct keyreg_entry *e, struct client *c);
/* The entry for (db, key), created without clients when absent. */
struct keyreg_entry *keyreg_get(struct keyreg *r, int db, const char *key, size_t len);
/* Free the entry if it has neither clients nor data. */
void keyreg_release(struct keyreg *r, struct keyreg_entry *e);
struct keyreg_entry *keyreg_find(struct keyreg *r, int db, const char *key, size_t len);
size_t keyreg_size(const struct keyreg *r);
/* Visit every entry of one db (no changes during the walk). */
void keyreg_foreach_db(struct keyreg *r, int db, void (*fn)(struct keyreg_entry *e, void *arg),
                       void *arg);

#endif
