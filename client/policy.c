/* policy.c - see policy.h. Errors name the field by its path
 * ("resources.product.ttl") so a broken file is fixed at a glance. */
#include "client/policy.h"

#include <cJSON.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/core.h"

#define POLICY_FILE_MAX (16 * 1024 * 1024)

struct perr {
    char *buf;
    size_t cap;
};

static int fail(struct perr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct perr *e, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (e->buf != NULL && e->cap > 0) {
        snprintf(e->buf, e->cap, "%s", msg);
    }
    sg_error("%s", msg);
    return -EINVAL;
}

/* The '}' closing the "{name}" that starts at p; NULL when it is not
 * closed, is empty or holds another '{'. */
static const char *field_end(const char *p)
{
    const char *end = strchr(p + 1, '}');
    return end == NULL || end == p + 1 || memchr(p + 1, '{', (size_t)(end - p - 1)) ? NULL : end;
}

/* Braces must pair up and hold a name: "a:{sku}:b". */
static int template_check(const char *t, struct perr *e, const char *path)
{
    if (*t == '\0') {
        return fail(e, "%s: must not be empty", path);
    }
    for (const char *p = t; *p != '\0'; p++) {
        if (*p == '}') {
            return fail(e, "%s: '}' without '{' in \"%s\"", path, t);
        }
        if (*p == '{') {
            const char *end = field_end(p);
            if (end == NULL) {
                return fail(e, "%s: unbalanced or empty {field} in \"%s\"", path, t);
            }
            p = end;
        }
    }
    return 0;
}

static int int_field(const cJSON *v, const char *path, int min, int *out, struct perr *e)
{
    double d = cJSON_IsNumber(v) ? v->valuedouble : NAN;
    if (!cJSON_IsNumber(v) || d != floor(d) || d < min || d > INT_MAX) {
        return fail(e, "%s: must be an integer of at least %d", path, min);
    }
    *out = (int)d;
    return 0;
}

static int tags_field(const cJSON *v, const char *path, struct sg_resource *r, struct perr *e)
{
    if (!cJSON_IsArray(v)) {
        return fail(e, "%s: must be an array of strings", path);
    }
    size_t n = (size_t)cJSON_GetArraySize(v);
    if (n > SURGE_MAX_TAGS) {
        return fail(e, "%s: at most %d tags", path, SURGE_MAX_TAGS);
    }
    r->tags = calloc(n ? n : 1, sizeof(*r->tags));
    if (r->tags == NULL) {
        return -ENOMEM;
    }
    const cJSON *t;
    cJSON_ArrayForEach(t, v) {
        char sub[360];
        snprintf(sub, sizeof(sub), "%.320s[%zu]", path, r->ntags);
        if (!cJSON_IsString(t)) {
            return fail(e, "%s: must be a string", sub);
        }
        int rc = template_check(t->valuestring, e, sub);
        if (rc < 0) {
            return rc;
        }
        if ((r->tags[r->ntags++] = strdup(t->valuestring)) == NULL) {
            return -ENOMEM;
        }
    }
    return 0;
}

/* One member of a resource object. */
static int resource_member(const cJSON *v, const char *path, struct sg_resource *r,
                           struct perr *e)
{
    static const struct {
        const char *name;
        int min;
        size_t off;
        unsigned bit;
    } ints[] = {
        {"ttl", 1, offsetof(struct sg_resource, ttl_s), SG_HAS_TTL},
        {"swr", 0, offsetof(struct sg_resource, swr_s), SG_HAS_SWR},
        {"maxttl", 1, offsetof(struct sg_resource, maxttl_s), SG_HAS_MAXTTL},
        {"lease", 1, offsetof(struct sg_resource, lease_ms), SG_HAS_LEASE},
        {"wait", 1, offsetof(struct sg_resource, wait_ms), 0},
        {"wait_retries", 0, offsetof(struct sg_resource, wait_retries), 0},
    };
    for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
        if (strcmp(v->string, ints[i].name) == 0) {
            r->given |= ints[i].bit;
            return int_field(v, path, ints[i].min, (int *)((char *)r + ints[i].off), e);
        }
    }
    if (strcmp(v->string, "key") == 0) {
        if (!cJSON_IsString(v)) {
            return fail(e, "%s: must be a string", path);
        }
        int rc = template_check(v->valuestring, e, path);
        r->key = rc == 0 ? strdup(v->valuestring) : NULL;
        return rc < 0 ? rc : r->key == NULL ? -ENOMEM : 0;
    }
    if (strcmp(v->string, "bypass") == 0) {
        if (!cJSON_IsBool(v)) {
            return fail(e, "%s: must be true or false", path);
        }
        r->bypass = cJSON_IsTrue(v);
        return 0;
    }
    if (strcmp(v->string, "tags") == 0) {
        return tags_field(v, path, r, e);
    }
    return fail(e, "%s: unknown field (known: key, ttl, swr, maxttl, lease, wait, "
                   "wait_retries, tags, bypass)", path);
}

static int resource_parse(const cJSON *obj, struct sg_resource *r, struct perr *e)
{
    char path[160];
    snprintf(path, sizeof(path), "resources.%.140s", obj->string);
    if (!cJSON_IsObject(obj)) {
        return fail(e, "%s: must be an object", path);
    }
    r->name = strdup(obj->string);
    if (r->name == NULL) {
        return -ENOMEM;
    }
    const cJSON *v;
    cJSON_ArrayForEach(v, obj) {
        char sub[320];
        snprintf(sub, sizeof(sub), "%s.%.140s", path, v->string);
        int rc = resource_member(v, sub, r, e);
        if (rc < 0) {
            return rc;
        }
    }
    if (r->key == NULL) {
        return fail(e, "%s.key: missing", path);
    }
    if (r->maxttl_s > 0 && r->ttl_s > r->maxttl_s) {
        return fail(e, "%s.ttl: %d is above maxttl %d", path, r->ttl_s, r->maxttl_s);
    }
    return 0;
}

static int policy_fill(const cJSON *root, struct surge_policy *p, struct perr *e)
{
    if (!cJSON_IsObject(root)) {
        return fail(e, "policy: must be a JSON object");
    }
    const cJSON *v, *resources = NULL;
    cJSON_ArrayForEach(v, root) {
        if (strcmp(v->string, "schema_version") == 0) {
            int rc = int_field(v, "schema_version", 0, &p->schema_version, e);
            if (rc < 0) {
                return rc;
            }
        } else if (strcmp(v->string, "resources") == 0) {
            resources = v;
        } else {
            return fail(e, "%s: unknown field (known: schema_version, resources)", v->string);
        }
    }
    if (resources == NULL || !cJSON_IsObject(resources)) {
        return fail(e, "resources: %s", resources == NULL ? "missing" : "must be an object");
    }
    size_t n = (size_t)cJSON_GetArraySize(resources);
    p->res = calloc(n ? n : 1, sizeof(*p->res));
    if (p->res == NULL) {
        return -ENOMEM;
    }
    cJSON_ArrayForEach(v, resources) {
        struct sg_resource *r = &p->res[p->n++];
        r->ttl_s = 60;
        r->lease_ms = 5000;
        r->wait_ms = 2000;
        r->wait_retries = 2;
        int rc = resource_parse(v, r, e);
        if (rc < 0) {
            return rc;
        }
        if (sg_policy_find(p, r->name) != r) {
            return fail(e, "resources.%s: defined twice", r->name);
        }
    }
    return 0;
}

int surge_policy_parse(const char *json, size_t len, struct surge_policy **out, char *err,
                       size_t errcap)
{
    struct perr e = {err, errcap};
    if (json == NULL || out == NULL) {
        return -EINVAL;
    }
    *out = NULL;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (root == NULL) {
        const char *at = cJSON_GetErrorPtr();
        size_t off = at != NULL && at >= json && at <= json + len ? (size_t)(at - json) : 0;
        return fail(&e, "policy: invalid JSON near byte %zu", off);
    }
    struct surge_policy *p = calloc(1, sizeof(*p));
    int rc = p != NULL ? policy_fill(root, p, &e) : -ENOMEM;
    cJSON_Delete(root);
    if (p != NULL) {
        atomic_init(&p->refs, 1);
    }
    if (rc < 0) {
        if (rc == -ENOMEM) {
            fail(&e, "policy: out of memory");
            rc = -ENOMEM;
        }
        sg_policy_unref(p);
        return rc;
    }
    *out = p;
    return 0;
}

int surge_policy_load_file(const char *path, struct surge_policy **out, char *err, size_t errcap)
{
    struct perr e = {err, errcap};
    if (path == NULL || out == NULL) {
        return -EINVAL;
    }
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        int rc = -errno;
        fail(&e, "%s: %s", path, strerror(-rc));
        return rc;
    }
    char *buf = malloc(POLICY_FILE_MAX);
    size_t n = buf != NULL ? fread(buf, 1, POLICY_FILE_MAX, f) : 0;
    int rc = buf == NULL ? -ENOMEM : ferror(f) ? -EIO : n == POLICY_FILE_MAX ? -EFBIG : 0;
    fclose(f);
    if (rc < 0) {
        fail(&e, "%s: %s", path, rc == -EFBIG ? "larger than 16 MB" : strerror(-rc));
    } else {
        rc = surge_policy_parse(buf, n, out, err, errcap);
    }
    free(buf);
    return rc;
}

static void resource_free(struct sg_resource *r)
{
    for (size_t i = 0; i < r->ntags; i++) {
        free(r->tags[i]);
    }
    free(r->tags);
    free(r->name);
    free(r->key);
}

void sg_policy_ref(struct surge_policy *p)
{
    atomic_fetch_add(&p->refs, 1);
}

void sg_policy_unref(struct surge_policy *p)
{
    if (p == NULL || atomic_fetch_sub(&p->refs, 1) != 1) {
        return;
    }
    for (size_t i = 0; p->res != NULL && i < p->n; i++) {
        resource_free(&p->res[i]);
    }
    free(p->res);
    free(p);
}

void surge_policy_free(struct surge_policy **p)
{
    if (p != NULL) {
        sg_policy_unref(*p);
        *p = NULL;
    }
}

int surge_policy_schema_version(const struct surge_policy *p)
{
    return p != NULL ? p->schema_version : 0;
}

size_t surge_policy_count(const struct surge_policy *p)
{
    return p != NULL ? p->n : 0;
}

const struct sg_resource *sg_policy_find(const struct surge_policy *p, const char *name)
{
    for (size_t i = 0; p != NULL && name != NULL && i < p->n; i++) {
        if (p->res[i].name != NULL && strcmp(p->res[i].name, name) == 0) {
            return &p->res[i];
        }
    }
    return NULL;
}

int surge_policy_opts(const struct surge_policy *p, const char *name, struct surge_get_opts *out)
{
    const struct sg_resource *r = sg_policy_find(p, name);
    if (r == NULL || out == NULL) {
        return r == NULL ? -ENOENT : -EINVAL;
    }
    surge_get_opts_init(out);
    out->ttl_s = r->ttl_s;
    out->swr_s = r->swr_s;
    out->maxttl_s = r->maxttl_s;
    out->lease_ms = r->lease_ms;
    out->wait_ms = r->wait_ms;
    out->wait_retries = r->wait_retries;
    out->tags = (const char *const *)r->tags;
    out->ntags = r->ntags;
    out->bypass = r->bypass;
    return 0;
}

const char *sg_field_value(const struct surge_field *f, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++) {
        if (f[i].name != NULL && strlen(f[i].name) == len && memcmp(f[i].name, name, len) == 0) {
            return f[i].value;
        }
    }
    return NULL;
}

int surge_template_expand(const char *tmpl, const struct surge_field *fields, size_t nfields,
                          char *out, size_t cap)
{
    if (tmpl == NULL || out == NULL || cap == 0 || (fields == NULL && nfields > 0)) {
        return -EINVAL;
    }
    size_t o = 0;
    for (const char *p = tmpl; *p != '\0';) {
        const char *piece = p;
        size_t len = 1;
        if (*p == '{') {
            const char *end = field_end(p);
            if (end == NULL) {
                sg_error("template \"%s\": unbalanced or empty {field}", tmpl);
                return -EINVAL;
            }
            piece = sg_field_value(fields, nfields, p + 1, (size_t)(end - p - 1));
            if (piece == NULL) {
                sg_error("template \"%s\": no value for field '%.*s'", tmpl, (int)(end - p - 1),
                         p + 1);
                return -EINVAL;
            }
            len = strlen(piece);
            p = end + 1;
        } else if (*p == '}') {
            sg_error("template \"%s\": '}' without '{'", tmpl);
            return -EINVAL;
        } else {
            p++;
        }
        if (o + len >= cap) {
            sg_error("template \"%s\": key longer than %zu bytes", tmpl, cap - 1);
            return -ENOSPC;
        }
        memcpy(out + o, piece, len);
        o += len;
    }
    out[o] = '\0';
    return (int)o;
}

int surge_policy_key(const struct surge_policy *p, const char *name,
                     const struct surge_field *fields, size_t nfields, char *out, size_t cap)
{
    const struct sg_resource *r = sg_policy_find(p, name);
    if (r == NULL) {
        sg_error("no resource '%s' in the policy table", name != NULL ? name : "(null)");
        return -ENOENT;
    }
    return surge_template_expand(r->key, fields, nfields, out, cap);
}

char *sg_template_pattern(const char *tmpl, const char *prefix)
{
    size_t plen = strlen(prefix);
    char *out = malloc(plen + strlen(tmpl) + 1);
    if (out == NULL) {
        return NULL;
    }
    memcpy(out, prefix, plen);
    size_t o = plen;
    for (const char *p = tmpl; *p != '\0'; p++) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (end != NULL) {
            out[o++] = '*';
            p = end;
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    return out;
}

int sg_policy_row(const struct sg_resource *r, const char *pattern, const char **argv, char *num)
{
    static const struct {
        const char *word;
        unsigned bit;
        size_t off;
    } rows[] = {
        {"TTL", SG_HAS_TTL, offsetof(struct sg_resource, ttl_s)},
        {"SWR", SG_HAS_SWR, offsetof(struct sg_resource, swr_s)},
        {"MAXTTL", SG_HAS_MAXTTL, offsetof(struct sg_resource, maxttl_s)},
        {"LEASE", SG_HAS_LEASE, offsetof(struct sg_resource, lease_ms)},
    };
    int argc = 0;
    argv[argc++] = "CACHE.POLICY";
    argv[argc++] = "SET";
    argv[argc++] = pattern;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        if (!r->bypass && (r->given & rows[i].bit)) {
            char *n = num + 24 * (size_t)argc;
            snprintf(n, 24, "%d", *(const int *)((const char *)r + rows[i].off));
            argv[argc++] = rows[i].word;
            argv[argc++] = n;
        }
    }
    if (r->bypass) {
        argv[argc++] = "BYPASS";
    }
    return argc;
}
