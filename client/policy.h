/* policy.h - the per-resource policy table: JSON parsing (cJSON), key and
 * tag templates, reference counting so a table can be replaced while
 * other threads use it, and the CACHE.POLICY rows it maps to.
 */
#ifndef SURGE_CLIENT_POLICY_H
#define SURGE_CLIENT_POLICY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "client/surge.h"

struct sg_resource {
    char *name;
    char *key;   /* template */
    char **tags; /* templates */
    size_t ntags;
    int ttl_s, swr_s, maxttl_s, lease_ms, wait_ms, wait_retries;
    bool bypass;
    unsigned given; /* SG_HAS_* bits: the fields the file set */
};

enum { SG_HAS_TTL = 1, SG_HAS_SWR = 2, SG_HAS_MAXTTL = 4, SG_HAS_LEASE = 8 };

struct surge_policy {
    atomic_int refs;
    int schema_version;
    struct sg_resource *res;
    size_t n;
};

/* The value of the field named name[0..len) among f[0..n), or NULL. */
const char *sg_field_value(const struct surge_field *f, size_t n, const char *name, size_t len);

const struct sg_resource *sg_policy_find(const struct surge_policy *p, const char *name);
void sg_policy_ref(struct surge_policy *p);
/* Drop a reference; the last one frees the table. Accepts NULL. */
void sg_policy_unref(struct surge_policy *p);

/* The CACHE.POLICY SET pattern of a key template: each "{...}" becomes
 * "*", after prefix (the "v<N>:" of versioned keys, may be ""). Caller
 * frees; NULL on OOM. */
char *sg_template_pattern(const char *tmpl, const char *prefix);

/* CACHE.POLICY SET argv for resource r (pattern is argv[3]); returns argc
 * (at most SG_POLICY_ARGV), numbers written into num (SG_POLICY_ARGV * 24
 * bytes). */
#define SG_POLICY_ARGV 14
int sg_policy_row(const struct sg_resource *r, const char *pattern, const char **argv,
                  char *num);

#endif
