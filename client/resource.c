/* resource.c - the pool's policy table: replacing it while other threads
 * read it, get_resource (key and tags from templates), and pushing the
 * table to the server as CACHE.POLICY rows. */
#include "client/cache.h"
#include "client/policy.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SG_KEY_MAX 1024

int surge_set_policy(struct surge *s, struct surge_policy *p)
{
    if (s == NULL) {
        return -EINVAL;
    }
    pthread_mutex_lock(&s->mu);
    struct surge_policy *old = s->policy;
    s->policy = p;
    if (p != NULL && p->schema_version > 0) {
        atomic_store(&s->schema_version, p->schema_version);
    }
    pthread_mutex_unlock(&s->mu);
    sg_policy_unref(old); /* freed here, or by the last call still using it */
    return 0;
}

static struct surge_policy *policy_get(struct surge *s)
{
    pthread_mutex_lock(&s->mu);
    struct surge_policy *p = s->policy;
    if (p != NULL) {
        sg_policy_ref(p);
    }
    pthread_mutex_unlock(&s->mu);
    return p;
}

/* Expand the resource's tag templates into one buffer. */
static int expand_tags(const struct sg_resource *r, const struct surge_field *fields, size_t n,
                       char (*buf)[SG_KEY_MAX], const char **tags)
{
    for (size_t i = 0; i < r->ntags; i++) {
        int rc = surge_template_expand(r->tags[i], fields, n, buf[i], SG_KEY_MAX);
        if (rc < 0) {
            return rc;
        }
        tags[i] = buf[i];
    }
    return 0;
}

static int resource_call(struct sg_call *k, const struct surge_policy *p, const char *name)
{
    const struct sg_resource *r = sg_policy_find(p, name);
    if (r == NULL) {
        sg_error("no resource '%s' in the policy table", name);
        return -ENOENT;
    }
    int rc = surge_policy_opts(p, name, &k->o);
    if (rc < 0) {
        return rc;
    }
    char key[SG_KEY_MAX];
    rc = surge_template_expand(r->key, k->fields, k->nfields, key, sizeof(key));
    if (rc < 0) {
        return rc;
    }
    k->key = key;
    if (r->bypass) {
        rc = sg_load_bypass(k);
        if (rc == 0 && (k->res->key = strdup(key)) == NULL) {
            rc = -ENOMEM;
        }
        return rc;
    }
    char (*tagbuf)[SG_KEY_MAX] = r->ntags > 0 ? calloc(r->ntags, SG_KEY_MAX) : NULL;
    const char **tags = r->ntags > 0 ? calloc(r->ntags, sizeof(*tags)) : NULL;
    if (r->ntags > 0 && (tagbuf == NULL || tags == NULL)) {
        rc = -ENOMEM;
    } else {
        rc = expand_tags(r, k->fields, k->nfields, tagbuf, tags);
    }
    if (rc == 0) {
        k->o.tags = tags;
        rc = sg_get_or_load(k);
    }
    free(tagbuf);
    free(tags);
    return rc;
}

int surge_get_resource(struct surge *s, const char *resource, const struct surge_field *fields,
                       size_t nfields, surge_loader_fn loader, void *loader_arg,
                       struct surge_result *result)
{
    if (result != NULL) {
        memset(result, 0, sizeof(*result));
    }
    if (s == NULL || resource == NULL || loader == NULL || result == NULL ||
        (fields == NULL && nfields > 0)) {
        return -EINVAL;
    }
    struct surge_policy *p = policy_get(s);
    if (p == NULL) {
        sg_error("no policy table (surge_set_policy)");
        return -ENOENT;
    }
    struct sg_call k = {.s = s, .loader = loader, .loader_arg = loader_arg, .fields = fields,
                        .nfields = nfields, .res = result};
    int rc = resource_call(&k, p, resource);
    if (rc < 0) {
        surge_result_free(result);
    }
    sg_policy_unref(p);
    return rc;
}

static int push_rows(struct surge *s, struct sg_conn *c, const struct surge_policy *p, int *sent)
{
    char prefix[24] = "";
    int v = p->schema_version > 0 ? p->schema_version : atomic_load(&s->schema_version);
    if (v > 0) { /* the keys the table's resources will use */
        snprintf(prefix, sizeof(prefix), "v%d:", v);
    }
    for (size_t i = 0; i < p->n; i++) {
        const char *argv[SG_POLICY_ARGV];
        char num[SG_POLICY_ARGV * 24];
        char *pattern = sg_template_pattern(p->res[i].key, prefix);
        if (pattern == NULL) {
            return -ENOMEM;
        }
        int argc = sg_policy_row(&p->res[i], pattern, argv, num);
        redisReply *r;
        int rc = sg_exec(s, c, 0, argc, argv, NULL, &r);
        free(pattern);
        rc = rc == 0 ? sg_reply_take_error(&r) : rc;
        freeReplyObject(r);
        if (rc < 0) {
            return rc;
        }
        (*sent)++;
    }
    return 0;
}

int surge_policy_push(struct surge *s, const struct surge_policy *p, int *sent)
{
    int count = 0;
    if (sent != NULL) {
        *sent = 0;
    }
    if (s == NULL || p == NULL) {
        return -EINVAL;
    }
    struct sg_conn *c = NULL;
    int rc = sg_checkout(s, &c);
    bool known = false;
    if (rc == 0) {
        rc = sg_command_known(s, c, "CACHE.POLICY", &known);
    }
    if (rc == 0 && !known) {
        sg_error("the server has no CACHE.POLICY command");
        rc = -ENOTSUP;
    }
    if (rc == 0) {
        rc = push_rows(s, c, p, &count);
    }
    sg_checkin(s, c);
    if (sent != NULL) {
        *sent = count;
    }
    return rc;
}
