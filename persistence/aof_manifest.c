/* aof_manifest.c - see aof_manifest.h. */
#include "persistence/aof_manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol/reply.h"
#include "server/mem.h"

#define MANIFEST_MAX_LINE 1024

void aof_manifest_init(struct aof_manifest *m)
{
    memset(m, 0, sizeof(*m));
}

void aof_manifest_free(struct aof_manifest *m)
{
    for (int i = 0; i < m->n; i++) {
        mem_free(m->files[i].name);
    }
    mem_free(m->files);
    memset(m, 0, sizeof(*m));
}

void aof_manifest_add(struct aof_manifest *m, const char *name, long long seq, char type)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 4;
        m->files = mem_realloc(m->files, sizeof(*m->files) * (size_t)m->cap);
    }
    m->files[m->n++] = (struct aof_file){mem_strdup(name), seq, type};
    if (type == 'b' && seq > m->base_seq) {
        m->base_seq = seq;
    }
    if (type == 'i' && seq > m->incr_seq) {
        m->incr_seq = seq;
    }
}

const struct aof_file *aof_manifest_base(const struct aof_manifest *m)
{
    for (int i = 0; i < m->n; i++) {
        if (m->files[i].type == 'b') {
            return &m->files[i];
        }
    }
    return NULL;
}

/* Split a line into words; "..." quotes with \" \\ \n escapes. */
static int split_words(char *line, char **words, int max)
{
    int n = 0;
    char *p = line;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p == '\0') {
            break;
        }
        if (n == max) {
            return -1;
        }
        if (*p == '"') {
            char *dst = ++p;
            words[n++] = dst;
            while (*p != '"') {
                if (*p == '\0') {
                    return -1;
                }
                if (*p == '\\' && p[1] != '\0') {
                    p++;
                    *dst++ = *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p == 't' ? '\t' : *p;
                    p++;
                } else {
                    *dst++ = *p++;
                }
            }
            p++;
            *dst = '\0';
            if (*p != '\0' && *p != ' ') {
                return -1;
            }
            if (*p == ' ') {
                *p++ = '\0';
            }
            continue;
        }
        words[n++] = p;
        while (*p != '\0' && *p != ' ' && *p != '\t') {
            p++;
        }
        if (*p != '\0') {
            *p++ = '\0';
        }
    }
    return n;
}

static int parse_line(struct aof_manifest *m, char *line, char *err, size_t cap)
{
    char *w[16];
    int n = split_words(line, w, 16);
    if (n < 0 || n % 2 != 0) {
        snprintf(err, cap, "Invalid AOF manifest file format");
        return -EINVAL;
    }
    const char *name = NULL, *type = NULL;
    long long seq = -1;
    for (int i = 0; i < n; i += 2) {
        if (strcmp(w[i], "file") == 0) {
            name = w[i + 1];
        } else if (strcmp(w[i], "seq") == 0) {
            char *end;
            seq = strtoll(w[i + 1], &end, 10);
            if (*end != '\0' || seq < 1) {
                seq = -1;
            }
        } else if (strcmp(w[i], "type") == 0) {
            type = w[i + 1];
        } /* unknown keys are ignored, as Redis does */
    }
    if (name == NULL || seq < 0 || type == NULL || strlen(type) != 1 ||
        strchr("bhi", type[0]) == NULL || strchr(name, '/') != NULL) {
        snprintf(err, cap, "Invalid AOF manifest file format");
        return -EINVAL;
    }
    if (type[0] == 'b' && aof_manifest_base(m) != NULL) {
        snprintf(err, cap, "Found duplicate base file information");
        return -EINVAL;
    }
    aof_manifest_add(m, name, seq, type[0]);
    return 0;
}

int aof_manifest_parse(struct aof_manifest *m, const char *text, size_t len, char *err,
                       size_t cap)
{
    size_t pos = 0;
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t ll = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
        if (ll >= MANIFEST_MAX_LINE) {
            snprintf(err, cap, "The AOF manifest file contains too long line");
            return -EINVAL;
        }
        char line[MANIFEST_MAX_LINE];
        memcpy(line, text + pos, ll);
        line[ll] = '\0';
        pos += ll + (nl != NULL ? 1 : 0);
        if (ll > 0 && line[ll - 1] == '\r') {
            line[--ll] = '\0';
        }
        if (ll == 0 || line[0] == '#') {
            continue;
        }
        if (parse_line(m, line, err, cap) < 0) {
            return -EINVAL;
        }
    }
    /* Incrementals are replayed in seq order. */
    for (int i = 1; i < m->n; i++) {
        for (int j = i; j > 0 && m->files[j - 1].type == 'i' && m->files[j].type == 'i' &&
                        m->files[j - 1].seq > m->files[j].seq;
             j--) {
            struct aof_file t = m->files[j];
            m->files[j] = m->files[j - 1];
            m->files[j - 1] = t;
        }
    }
    return 0;
}

static void append_name(struct reply_buf *b, const char *name)
{
    bool plain = name[0] != '\0' && strpbrk(name, " \"\\\t\r\n") == NULL;
    if (plain) {
        reply_raw(b, name, strlen(name));
        return;
    }
    reply_raw(b, "\"", 1);
    for (const char *p = name; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\') {
            reply_raw(b, "\\", 1);
            reply_raw(b, p, 1);
        } else if (*p == '\n' || *p == '\r' || *p == '\t') {
            reply_raw(b, *p == '\n' ? "\\n" : *p == '\r' ? "\\r" : "\\t", 2);
        } else {
            reply_raw(b, p, 1);
        }
    }
    reply_raw(b, "\"", 1);
}

char *aof_manifest_text(const struct aof_manifest *m, size_t *len)
{
    struct reply_buf b;
    reply_buf_init(&b, 2, mem_realloc);
    static const char order[] = "bhi";
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < m->n; i++) {
            const struct aof_file *f = &m->files[i];
            if (f->type != order[k]) {
                continue;
            }
            char tail[64];
            int n = snprintf(tail, sizeof(tail), " seq %lld type %c\n", f->seq, f->type);
            reply_raw(&b, "file ", 5);
            append_name(&b, f->name);
            reply_raw(&b, tail, (size_t)n);
        }
    }
    reply_raw(&b, "", 0);
    char *out = mem_alloc(b.len + 1);
    memcpy(out, b.data, b.len);
    out[b.len] = '\0';
    *len = b.len;
    reply_buf_deinit(&b);
    return out;
}
