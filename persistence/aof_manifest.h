/* aof_manifest.h - the manifest of a multi-part AOF, Redis 7.0's format:
 *   file <name> seq <n> type <b|h|i>
 * one line per file (names with spaces or quotes are written quoted), '#'
 * lines are comments. Pure code: no globals.
 */
#ifndef SURGE_PERSISTENCE_AOF_MANIFEST_H
#define SURGE_PERSISTENCE_AOF_MANIFEST_H

#include <stddef.h>

struct aof_file {
    char *name;
    long long seq;
    char type; /* 'b' base, 'i' incremental, 'h' history */
};

struct aof_manifest {
    struct aof_file *files; /* base first, then history, then incrementals */
    int n, cap;
    long long base_seq, incr_seq; /* highest used */
};

void aof_manifest_init(struct aof_manifest *m);
void aof_manifest_free(struct aof_manifest *m);
/* Parse text; 0, or -EINVAL with a message in err (cap bytes). */
int aof_manifest_parse(struct aof_manifest *m, const char *text, size_t len, char *err,
                       size_t cap);
/* Append a file entry (the name is copied). */
void aof_manifest_add(struct aof_manifest *m, const char *name, long long seq, char type);
/* The manifest as text (caller frees with mem_free). */
char *aof_manifest_text(const struct aof_manifest *m, size_t *len);
/* The base entry, or NULL. */
const struct aof_file *aof_manifest_base(const struct aof_manifest *m);

#endif
