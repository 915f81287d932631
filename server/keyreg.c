/* keyreg.c - see keyreg.h. The dict key is the db id (4 bytes) followed by
 * the key bytes, stored in the entry's key[] after its own copy. */
#include "server/keyreg.h"

#include <string.h>

#include "server/mem.h"

static void keyreg_node_key(const struct dict_node *n, const char **key, size_t *len)
{
    const struct keyreg_entry *e = (const struct keyreg_entry *)n;
    *key = e->key + e->len;
    *len = e->len + 4;
}

static void keyreg_ready(struct keyreg *r)
{
    if (!r->ready) {
        dict_init(&r->d, keyreg_node_key);
        r->ready = true;
    }
}

/* Composite lookup key: db id then key bytes. */
static char *keyreg_compose(int db, const char *key, size_t len)
{
    char *k = mem_alloc(len + 4);
    memcpy(k, &db, 4);
    memcpy(k + 4, key, len);
    return k;
}

struct keyreg_entry *keyreg_find(struct keyreg *r, int db, const char *key, size_t len)
{
    if (!r->ready || dict_size(&r->d) == 0) {
        return NULL;
    }
    char *k = keyreg_compose(db, key, len);
    struct keyreg_entry *e =
        (struct keyreg_entry *)dict_find(&r->d, k, len + 4, dict_hash(k, len + 4));
    mem_free(k);
    return e;
}

struct keyreg_entry *keyreg_get(struct keyreg *r, int db, const char *key, size_t len)
{
    keyreg_ready(r);
    struct keyreg_entry *e = keyreg_find(r, db, key, len);
    if (e == NULL) {
        e = mem_calloc(sizeof(*e) + 2 * len + 4);
        e->db = db;
        e->len = len;
        memcpy(e->key, key, len);
        memcpy(e->key + len, &db, 4);
        memcpy(e->key + len + 4, key, len);
        dict_add(&r->d, &e->node, dict_hash(e->key + len, len + 4));
    }
    return e;
}

struct keyreg_entry *keyreg_add(struct keyreg *r, int db, const char *key, size_t len,
                                struct client *c)
{
    struct keyreg_entry *e = keyreg_get(r, db, key, len);
    for (int i = 0; i < e->nclients; i++) {
        if (e->clients[i] == c) {
            return e;
        }
    }
    if (e->nclients == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 4;
        e->clients = mem_realloc(e->clients, sizeof(*e->clients) * (size_t)e->cap);
    }
    e->clients[e->nclients++] = c;
    return e;
}

void keyreg_remove(struct keyreg *r, struct keyreg_entry *e, struct client *c)
{
    for (int i = 0; i < e->nclients; i++) {
        if (e->clients[i] == c) {
            /* Keep arrival order: blocked clients are served first come. */
            memmove(&e->clients[i], &e->clients[i + 1],
                    sizeof(*e->clients) * (size_t)(e->nclients - i - 1));
            e->nclients--;
            break;
        }
    }
    keyreg_release(r, e);
}

void keyreg_release(struct keyreg *r, struct keyreg_entry *e)
{
    if (e->nclients == 0 && e->data == NULL) {
        dict_unlink(&r->d, e->key + e->len, e->len + 4, dict_hash(e->key + e->len, e->len + 4));
        mem_free(e->clients);
        mem_free(e);
    }
}

size_t keyreg_size(const struct keyreg *r)
{
    return r->ready ? dict_size(&r->d) : 0;
}

struct keyreg_walk {
    int db;
    void (*fn)(struct keyreg_entry *e, void *arg);
    void *arg;
};

static void keyreg_walk_node(struct dict_node *n, void *arg)
{
    struct keyreg_walk *w = arg;
    struct keyreg_entry *e = (struct keyreg_entry *)n;
    if (e->db == w->db) {
        w->fn(e, w->arg);
    }
}

void keyreg_foreach_db(struct keyreg *r, int db, void (*fn)(struct keyreg_entry *e, void *arg),
                       void *arg)
{
    if (r->ready) {
        struct keyreg_walk w = {db, fn, arg};
        dict_foreach(&r->d, keyreg_walk_node, &w);
    }
}
