/* cache.h - one get-or-load call: its state, the loader and the steps
 * shared by the Surge path (cache.c) and the plain-Redis path (aside.c).
 */
#ifndef SURGE_CLIENT_CACHE_H
#define SURGE_CLIENT_CACHE_H

#include "client/core.h"

/* What a loader fills in (struct surge_load of surge.h). */
struct surge_load {
    char *value;
    size_t len;
    long long version; /* -1: none */
    bool nocache;
    const struct surge_field *fields;
    size_t nfields;
};

struct sg_call {
    struct surge *s;
    const char *key;  /* logical key, given to the loader */
    char *fkey;       /* full key: "v<N>:key" */
    surge_loader_fn loader;
    void *loader_arg;
    struct surge_get_opts o; /* resolved: defaults, ttl capped by maxttl */
    const struct surge_field *fields;
    size_t nfields;
    struct surge_result *res;
};

/* Defaults for NULL opts, checks, ttl capped by maxttl: 0 or -EINVAL. */
int sg_opts_resolve(const struct surge_get_opts *in, struct surge_get_opts *out);

/* Run the loader: 0 with ld filled (caller frees ld->value), or its error. */
int sg_load(struct sg_call *k, struct surge_load *ld);
/* Give a loaded value to the result (takes ld->value). */
void sg_result_take(struct sg_call *k, struct surge_load *ld, enum surge_source src);
/* Copy a cached value into the result: 0 or -ENOMEM. */
int sg_result_copy(struct sg_call *k, const char *v, size_t len, enum surge_source src);
/* The last resort after waiting for another loader: load, write nothing. */
int sg_load_unfilled(struct sg_call *k);
/* Run the loader and return its value, caching nothing. */
int sg_load_bypass(struct sg_call *k);

/* The plain-Redis path of get_or_load (aside.c). */
int sg_aside_get(struct sg_call *k);
/* SET key value PX ttl (aside.c). */
int sg_aside_set(struct surge *s, const char *fkey, const void *v, size_t len,
                 const struct surge_get_opts *o);

/* get_or_load for an already built call (k->key, fields, opts set). */
int sg_get_or_load(struct sg_call *k);

#endif
