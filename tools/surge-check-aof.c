/* surge-check-aof - check, and optionally truncate, Surge's append-only files.
 *
 * Surge's AOF is Redis 7's multi-part layout: a manifest naming one base file
 * and a list of incremental files, each a stream of RESP commands. This tool
 * does what redis-check-aof 7.0 does for them, with the same messages:
 *
 *   surge-check-aof [--fix] [--yes] <file.manifest|file.aof>
 *
 * Files are read in one pass through a fixed buffer: bulk payloads are skipped,
 * never held, so a file (or one argument) may be larger than memory. Only the
 * first argument's first bytes are kept, to follow MULTI/EXEC.
 *
 * Deliberate differences from redis-check-aof:
 *   - ok_up_to_line is the line at ok_up_to (Redis prints the line where the
 *     error was found, and keeps counting across the files of a manifest);
 *   - "*0" and "*-1" are errors, as the AOF loader treats them (redis-check-aof
 *     accepts them, then redis-server refuses to load the file);
 *   - lengths are parsed strictly, as the request parser does (resp.h);
 *   - an RDB preamble ("REDIS") is reported as unsupported: Surge never writes
 *     one;
 *   - --fix truncates with fsync, and --yes skips the question.
 */
#include "protocol/resp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHECK_BUF_SIZE (64 * 1024)
/* redis-check-aof reads "*<n>" and "$<n>" lines with fgets into 128 bytes. */
#define CHECK_MAX_HEADER 128
/* AOF_ANNOTATION_LINE_MAX_LEN and MANIFEST_MAX_LINE in Redis 7.0. */
#define CHECK_MAX_ANNOTATION 1024
#define MANIFEST_MAX_LINE 1024

enum check_result {
    CHECK_OK,      /* valid, nothing to do */
    CHECK_EMPTY,   /* zero bytes, valid */
    CHECK_FIXED,   /* was truncated to its last complete command */
    CHECK_FAILED,  /* not valid (or not fixable); the reason is printed */
};

struct check_opts {
    bool fix;
    bool yes;
};

/* A sequential reader over a file descriptor with a fixed buffer. */
struct reader {
    int fd;
    size_t len;    /* bytes in buf */
    size_t pos;    /* next byte in buf */
    uint64_t off;  /* file offset of buf[pos] */
    bool eof;      /* read() returned 0 */
    int err;       /* errno of a failed read(), which then acts as EOF */
    char buf[CHECK_BUF_SIZE];
};

/* State of checking one file. */
struct scan {
    struct reader rd;
    const char *path;   /* named in MULTI/EXEC messages, as Redis does */
    uint64_t ok_up_to;  /* offset after the last complete command outside MULTI */
    uint64_t ok_line;   /* line number at ok_up_to */
    uint64_t line;      /* current line: RESP lines end in CRLF */
    int multi;          /* MULTI depth, 0 or 1 when valid */
    char error[256];    /* first error, empty if none */
};

/* Up to MANIFEST_MAX_LINE files are checked; more is not a real manifest. */
struct manifest {
    char **names;   /* base first, then incrementals in order; caller frees */
    int count;
    bool has_base;
};

static bool reader_fill(struct reader *r)
{
    if (r->pos < r->len) {
        return true;
    }
    if (r->eof || r->err != 0) {
        return false;
    }
    ssize_t n;
    do {
        n = read(r->fd, r->buf, sizeof(r->buf));
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        if (n < 0) {
            r->err = errno;
        } else {
            r->eof = true;
        }
        return false;
    }
    r->len = (size_t)n;
    r->pos = 0;
    return true;
}

static int reader_peek(struct reader *r)
{
    return reader_fill(r) ? (unsigned char)r->buf[r->pos] : -1;
}

/* Copy up to n bytes to dst (NULL: skip them); returns how many there were. */
static uint64_t reader_take(struct reader *r, char *dst, uint64_t n)
{
    uint64_t done = 0;
    while (done < n && reader_fill(r)) {
        size_t avail = r->len - r->pos;
        size_t k = n - done < avail ? (size_t)(n - done) : avail;
        if (dst != NULL) {
            memcpy(dst + done, r->buf + r->pos, k);
        }
        r->pos += k;
        r->off += k;
        done += k;
    }
    return done;
}

/* Read a line, '\n' included, of at most cap - 1 bytes, NUL-terminated as
 * fgets() does; returns its length (0 at EOF). */
static size_t reader_line(struct reader *r, char *dst, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap && reader_fill(r)) {
        char ch = r->buf[r->pos++];
        r->off++;
        dst[n++] = ch;
        if (ch == '\n') {
            break;
        }
    }
    dst[n] = '\0';
    return n;
}

/* Record the first error, prefixed with its offset as redis-check-aof does. */
static void scan_error(struct scan *s, uint64_t at, const char *fmt, ...)
{
    char msg[200];
    va_list ap;
    if (s->error[0] != '\0') {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    snprintf(s->error, sizeof(s->error), "0x%16llx: %s", (unsigned long long)at, msg);
}

/* A byte for a message: itself if printable, else an escape. */
static const char *show_byte(char *dst, size_t cap, unsigned char ch)
{
    snprintf(dst, cap, ch >= 0x20 && ch < 0x7f ? "%c" : "\\x%02x", ch);
    return dst;
}

/* Read "<prefix><integer>\r\n". Returns 0, or -1 with the error recorded. */
static int scan_header(struct scan *s, char prefix, long long *out)
{
    char line[CHECK_MAX_HEADER], shown[8];
    uint64_t at = s->rd.off;
    size_t n = reader_line(&s->rd, line, sizeof(line));
    if (n == 0) {
        scan_error(s, at, "Expected prefix '%c', got: end of file", prefix);
        return -1;
    }
    if (line[0] != prefix) {
        scan_error(s, at, "Expected prefix '%c', got: '%s'", prefix,
                   show_byte(shown, sizeof(shown), (unsigned char)line[0]));
        return -1;
    }
    if (line[n - 1] != '\n' && n + 1 == sizeof(line)) {
        scan_error(s, at, "Expected a line of at most %d bytes", CHECK_MAX_HEADER - 1);
        return -1;
    }
    size_t end = line[1] == '-' ? 2 : 1;
    while (end < n && line[end] >= '0' && line[end] <= '9') {
        end++;
    }
    if (end + 2 > n || line[end] != '\r' || line[end + 1] != '\n') {
        unsigned char a = end < n ? (unsigned char)line[end] : 0;
        unsigned char b = end + 1 < n ? (unsigned char)line[end + 1] : 0;
        scan_error(s, at, "Expected \\r\\n, got: %02x%02x", a, b);
        return -1;
    }
    if (resp_str_to_ll(line + 1, end - 1, out) < 0) {
        scan_error(s, at, "Invalid %s length: '%.*s'", prefix == '*' ? "multibulk" : "bulk",
                   (int)(end - 1), line + 1);
        return -1;
    }
    s->line++;
    return 0;
}

/* Read one bulk argument's payload and CRLF; keeps its first bytes in head
 * (NUL-terminated, at most head_cap - 1 of them). */
static int scan_bulk(struct scan *s, long long len, char *head, size_t head_cap)
{
    uint64_t at = s->rd.off;
    uint64_t keep = (uint64_t)len < head_cap - 1 ? (uint64_t)len : head_cap - 1;
    char crlf[2];
    uint64_t got = reader_take(&s->rd, head, keep);
    head[got] = '\0';
    got += reader_take(&s->rd, NULL, (uint64_t)len - keep);
    got += reader_take(&s->rd, crlf, got == (uint64_t)len ? 2 : 0);
    if (got < (uint64_t)len + 2) {
        scan_error(s, at, "Expected to read %llu bytes, got %llu bytes",
                   (unsigned long long)len + 2, (unsigned long long)got);
        return -1;
    }
    if (crlf[0] != '\r' || crlf[1] != '\n') {
        scan_error(s, at, "Expected \\r\\n, got: %02x%02x", (unsigned char)crlf[0],
                   (unsigned char)crlf[1]);
        return -1;
    }
    s->line++;
    return 0;
}

/* Follow MULTI/EXEC nesting by the command name, as redis-check-aof does. */
static int scan_multi_exec(struct scan *s, uint64_t at, const char *name, long long len)
{
    if (len == 5 && strcasecmp(name, "multi") == 0) {
        if (s->multi++ != 0) {
            scan_error(s, at, "Unexpected MULTI in AOF %s", s->path);
            return -1;
        }
    } else if (len == 4 && strcasecmp(name, "exec") == 0) {
        if (--s->multi != 0) {
            scan_error(s, at, "Unexpected EXEC in AOF %s", s->path);
            return -1;
        }
    }
    return 0;
}

/* One "*<argc>\r\n" command with its bulk arguments. */
static int scan_command(struct scan *s)
{
    long long argc, len;
    uint64_t at = s->rd.off;
    if (scan_header(s, '*', &argc) < 0) {
        return -1;
    }
    /* The loader rejects an empty command (Redis: "argc < 1" is fmterr). */
    if (argc < 1 || argc > INT_MAX) {
        scan_error(s, at, "Invalid multibulk length: %lld", argc);
        return -1;
    }
    for (long long i = 0; i < argc; i++) {
        char head[8];
        uint64_t arg_at = s->rd.off;
        if (scan_header(s, '$', &len) < 0) {
            return -1;
        }
        if (len < 0) {
            scan_error(s, arg_at,
                       "Expected to read string of %lld bytes, which is not in the suitable range",
                       len);
            return -1;
        }
        uint64_t body_at = s->rd.off;
        if (scan_bulk(s, len, head, sizeof(head)) < 0) {
            return -1;
        }
        if (i == 0 && scan_multi_exec(s, body_at, head, len) < 0) {
            return -1;
        }
    }
    return 0;
}

/* A "#..." annotation line (Redis 7 writes "#TS:<unix time>\r\n"). */
static int scan_annotation(struct scan *s)
{
    char line[CHECK_MAX_ANNOTATION + 1];
    uint64_t at = s->rd.off;
    size_t n = reader_line(&s->rd, line, sizeof(line));
    if (line[n - 1] != '\n') {
        if (n + 1 == sizeof(line)) {
            scan_error(s, at, "Annotation longer than %d bytes", CHECK_MAX_ANNOTATION);
        } else {
            scan_error(s, at, "Unterminated annotation at the end of the file");
        }
        return -1;
    }
    s->line++;
    return 0;
}

/* Scan the whole file; afterwards ok_up_to/ok_line/error describe it. */
static void scan_file(struct scan *s, const char *name)
{
    for (;;) {
        if (s->multi == 0) {
            s->ok_up_to = s->rd.off;
            s->ok_line = s->line;
        }
        int ch = reader_peek(&s->rd);
        if (ch < 0) {
            break;
        }
        int rc;
        if (ch == '#') {
            rc = scan_annotation(s);
        } else if (ch == '*') {
            rc = scan_command(s);
        } else {
            printf("AOF %s format error\n", name);
            rc = -1;
        }
        if (rc < 0) {
            break;
        }
    }
    if (s->rd.eof && s->multi != 0) {
        scan_error(s, s->rd.off, "Reached EOF before reading EXEC for MULTI");
    }
}

/* Ask as redis-check-aof does; true to go on. */
static bool confirm(const struct check_opts *o, const char *name, uint64_t size, uint64_t pos)
{
    char answer[16];
    printf("This will shrink the AOF %s from %llu bytes, with %llu bytes, to %llu bytes\n", name,
           (unsigned long long)size, (unsigned long long)(size - pos), (unsigned long long)pos);
    if (o->yes) {
        return true;
    }
    printf("Continue? [y/N]: ");
    fflush(stdout);
    return fgets(answer, sizeof(answer), stdin) != NULL && (answer[0] == 'y' || answer[0] == 'Y');
}

/* Cut the file at pos, durably. */
static int truncate_aof(int fd, const char *name, uint64_t pos)
{
    if (ftruncate(fd, (off_t)pos) < 0 || fsync(fd) < 0) {
        printf("Failed to truncate AOF %s: %s\n", name, strerror(errno));
        return -1;
    }
    return 0;
}

/* After a bad scan: explain, and truncate if allowed and wanted. */
static enum check_result fix_or_fail(const struct check_opts *o, int fd, const char *name,
                                     bool last, uint64_t size, uint64_t pos)
{
    if (!o->fix) {
        if (last) {
            printf("AOF %s is not valid. Use the --fix option to try fixing it.\n", name);
        } else {
            printf("AOF %s is not valid. It is not the last file, so --fix cannot repair it.\n",
                   name);
        }
        return CHECK_FAILED;
    }
    /* Later files were written after this one: cutting here would lose them. */
    if (!last) {
        printf("Failed to truncate AOF %s because it is not the last file\n", name);
        return CHECK_FAILED;
    }
    if (!confirm(o, name, size, pos)) {
        printf("Aborting...\n");
        return CHECK_FAILED;
    }
    return truncate_aof(fd, name, pos) < 0 ? CHECK_FAILED : CHECK_FIXED;
}

static bool starts_with_rdb(int fd, uint64_t size)
{
    char sig[5];
    /* Redis looks for the signature only in files that can hold a header. */
    return size >= 8 && pread(fd, sig, sizeof(sig), 0) == (ssize_t)sizeof(sig) &&
           memcmp(sig, "REDIS", sizeof(sig)) == 0;
}

static enum check_result check_fd(const struct check_opts *o, int fd, const char *name,
                                  const char *path, bool last)
{
    struct stat st;
    if (fstat(fd, &st) < 0) {
        printf("Cannot stat file: %s, aborting...\n", name);
        return CHECK_FAILED;
    }
    uint64_t size = (uint64_t)st.st_size;
    if (size == 0) {
        return CHECK_EMPTY;
    }
    if (starts_with_rdb(fd, size)) {
        printf("AOF %s starts with an RDB preamble (\"REDIS\"): RDB-preamble files are not "
               "supported by surge-check-aof (Surge never writes them), aborting...\n", name);
        return CHECK_FAILED;
    }
    struct scan *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        printf("Out of memory, aborting...\n");
        return CHECK_FAILED;
    }
    s->rd.fd = fd;
    s->path = path;
    s->line = 1;
    scan_file(s, name);
    enum check_result res = CHECK_OK;
    if (s->rd.err != 0) {
        printf("Failed to read from AOF %s: %s, aborting...\n", name, strerror(s->rd.err));
        res = CHECK_FAILED;
    } else {
        if (s->error[0] != '\0') {
            printf("%s\n", s->error);
        }
        printf("AOF analyzed: filename=%s, size=%llu, ok_up_to=%llu, ok_up_to_line=%llu, "
               "diff=%llu\n", name, (unsigned long long)size, (unsigned long long)s->ok_up_to,
               (unsigned long long)s->ok_line, (unsigned long long)(size - s->ok_up_to));
        if (s->ok_up_to < size) {
            res = fix_or_fail(o, fd, name, last, size, s->ok_up_to);
        }
    }
    free(s);
    return res;
}

/* Check one AOF file; name is how messages call it, path where it is. */
static enum check_result check_file(const struct check_opts *o, const char *name,
                                    const char *path, bool last)
{
    int fd;
    do {
        fd = open(path, o->fix ? O_RDWR : O_RDONLY);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        printf("Cannot open file %s: %s, aborting...\n", path, strerror(errno));
        return CHECK_FAILED;
    }
    enum check_result res = check_fd(o, fd, name, path, last);
    close(fd);
    return res;
}

/* Print the outcome of one file as redis-check-aof does; 0 or -1. */
static int report(enum check_result res, const char *kind, const char *name)
{
    switch (res) {
    case CHECK_OK:
        printf("%sAOF %s is valid\n", kind, name);
        return 0;
    case CHECK_EMPTY:
        printf("%sAOF %s is empty\n", kind, name);
        return 0;
    case CHECK_FIXED:
        printf("Successfully truncated AOF %s\n", name);
        return 0;
    case CHECK_FAILED:
        break;
    }
    return -1;
}

/* ---- The manifest ------------------------------------------------------ */

static void manifest_free(struct manifest *m)
{
    for (int i = 0; i < m->count; i++) {
        free(m->names[i]);
    }
    free(m->names);
    m->names = NULL;
    m->count = 0;
}

/* NUL-terminated copy of an argument. */
static char *arg_dup(const struct resp_arg *a)
{
    char *s = malloc(a->len + 1);
    if (s != NULL) {
        memcpy(s, a->ptr, a->len);
        s[a->len] = '\0';
    }
    return s;
}

/* One entry's fields, from its "key value" pairs (unknown keys are skipped,
 * for forward compatibility, as Redis does). */
struct manifest_entry {
    const struct resp_arg *name;
    long long seq;
    char type;
};

static const char *manifest_fields(const struct resp_parser *p, struct manifest_entry *e)
{
    memset(e, 0, sizeof(*e));
    if (p->argc < 6 || p->argc % 2 != 0) {
        return "Invalid AOF manifest file format";
    }
    for (int i = 0; i < p->argc; i += 2) {
        const struct resp_arg *k = &p->argv[i], *v = &p->argv[i + 1];
        if (k->len == 4 && strncasecmp(k->ptr, "file", 4) == 0) {
            if (memchr(v->ptr, '/', v->len) != NULL || memchr(v->ptr, '\\', v->len) != NULL) {
                return "File can't be a path, just a filename";
            }
            if (v->len == 0 || memchr(v->ptr, '\0', v->len) != NULL) {
                return "Invalid AOF manifest file format";
            }
            e->name = v;
        } else if (k->len == 3 && strncasecmp(k->ptr, "seq", 3) == 0) {
            char num[32];
            snprintf(num, sizeof(num), "%.*s", (int)v->len, v->ptr);
            e->seq = atoll(num); /* Redis's atoll: lenient, 0 when not a number */
        } else if (k->len == 4 && strncasecmp(k->ptr, "type", 4) == 0) {
            e->type = v->len > 0 ? v->ptr[0] : '\0';
        }
    }
    if (e->name == NULL || e->seq == 0 || e->type == '\0') {
        return "Invalid AOF manifest file format";
    }
    return NULL;
}

/* Add an entry to m; returns an error message or NULL. */
static const char *manifest_add(struct manifest *m, const struct manifest_entry *e,
                                long long *maxseq)
{
    bool base = e->type == 'b';
    if (e->type == 'h') {
        return NULL; /* history files are never loaded, and may be gone */
    }
    if (!base && e->type != 'i') {
        return "Unknown AOF file type";
    }
    if (base && m->has_base) {
        return "Found duplicate base file information";
    }
    if (!base && e->seq <= *maxseq) {
        return "Found a non-monotonic sequence number";
    }
    if (m->count >= MANIFEST_MAX_LINE) {
        return "Too many files in the AOF manifest";
    }
    char *name = arg_dup(e->name);
    char **names = realloc(m->names, sizeof(*names) * (size_t)(m->count + 1));
    if (name == NULL || names == NULL) {
        free(name);
        if (names != NULL) {
            m->names = names;
        }
        return "Out of memory";
    }
    m->names = names;
    if (base) {
        memmove(names + 1, names, sizeof(*names) * (size_t)m->count);
        names[0] = name;
        m->has_base = true;
    } else {
        names[m->count] = name;
        *maxseq = e->seq;
    }
    m->count++;
    return NULL;
}

/* Split a trimmed line with Redis's quoting rules (sdssplitargs), which are
 * the inline request rules of resp.h, and add its entry. */
static const char *manifest_line(struct manifest *m, struct resp_parser *p, const char *line,
                                 long long *maxseq)
{
    /* The leading space keeps a line starting with '*' out of multibulk. */
    char buf[MANIFEST_MAX_LINE + 3];
    size_t consumed, n = (size_t)snprintf(buf, sizeof(buf), " %s\n", line);
    struct manifest_entry e;
    resp_parser_reset(p);
    if (resp_parse(p, buf, n, &consumed) != RESP_OK) {
        return "Invalid AOF manifest file format";
    }
    const char *err = manifest_fields(p, &e);
    return err != NULL ? err : manifest_add(m, &e, maxseq);
}

/* Trim " \t\r\n" from both ends, in place. */
static char *trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL) {
        s[--n] = '\0';
    }
    while (*s != '\0' && strchr(" \t\r\n", *s) != NULL) {
        s++;
    }
    return s;
}

/* Parse a manifest as Redis's aofLoadManifestFromFile does; 0 or -1, with the
 * error printed. */
static int manifest_load(struct manifest *m, int fd)
{
    char line[MANIFEST_MAX_LINE + 1];
    struct reader *r = calloc(1, sizeof(*r));
    struct resp_parser p;
    const char *err = NULL, *shown = NULL;
    int linenum = 0;
    long long maxseq = 0;
    if (r == NULL) {
        printf("Out of memory, aborting...\n");
        return -1;
    }
    r->fd = fd;
    resp_parser_init(&p, NULL, NULL);
    for (;;) {
        size_t n = reader_line(r, line, sizeof(line));
        if (n == 0) {
            if (r->err != 0) {
                err = "Read AOF manifest failed";
            } else if (linenum == 0) {
                err = "Found an empty AOF manifest";
            }
            break;
        }
        linenum++;
        if (line[0] == '#') {
            while (line[n - 1] != '\n' && (n = reader_line(r, line, sizeof(line))) > 0) {
            }
            continue;
        }
        if (line[n - 1] != '\n') {
            err = "The AOF manifest file contains too long line";
            break;
        }
        if (memchr(line, '\0', n) != NULL) {
            err = "Invalid AOF manifest file format";
            break;
        }
        shown = trim(line);
        err = *shown == '\0' ? "Invalid AOF manifest file format"
                             : manifest_line(m, &p, shown, &maxseq);
        if (err != NULL) {
            break;
        }
    }
    resp_parser_deinit(&p);
    free(r);
    if (err == NULL) {
        return 0;
    }
    printf("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
    if (shown != NULL) {
        printf("Reading the manifest file, at line %d\n>>> '%s'\n", linenum, shown);
    }
    printf("%s\n", err);
    return -1;
}

/* Is this a manifest? Its first line that is not a comment starts with
 * "file". (Redis looks at every line, so an AOF holding "\nfile" in a value
 * would pass for a manifest; the first line is enough and reads little.) */
static bool is_manifest(int fd)
{
    char line[MANIFEST_MAX_LINE + 1];
    struct reader *r = calloc(1, sizeof(*r));
    bool found = false;
    if (r == NULL) {
        return false;
    }
    r->fd = fd;
    size_t n;
    while ((n = reader_line(r, line, sizeof(line))) > 0) {
        if (line[0] != '#') {
            found = strncmp(line, "file", 4) == 0;
            break;
        }
        while (line[n - 1] != '\n' && (n = reader_line(r, line, sizeof(line))) > 0) {
        }
    }
    free(r);
    return found;
}

/* The manifest's directory plus "/" plus name; caller frees. */
static char *path_join(const char *manifest_path, const char *name)
{
    const char *slash = strrchr(manifest_path, '/');
    int dirlen = slash == NULL ? 1 : (int)(slash - manifest_path);
    const char *dir = slash == NULL ? "." : manifest_path;
    if (slash == manifest_path) {
        dirlen = 0; /* "/x.manifest": the root */
    }
    size_t cap = (size_t)dirlen + strlen(name) + 2;
    char *path = malloc(cap);
    if (path != NULL) {
        snprintf(path, cap, "%.*s/%s", dirlen, dir, name);
    }
    return path;
}

static int check_manifest(const struct check_opts *o, const char *manifest_path, int fd)
{
    struct manifest m = {0};
    int rc = 0;
    printf("Start checking Multi Part AOF\n");
    if (manifest_load(&m, fd) < 0) {
        return 1;
    }
    for (int i = 0; i < m.count && rc == 0; i++) {
        bool base = m.has_base && i == 0;
        char *path = path_join(manifest_path, m.names[i]);
        if (path == NULL) {
            printf("Out of memory, aborting...\n");
            rc = 1;
            break;
        }
        if (base) {
            printf("Start to check BASE AOF (RESP format).\n");
        } else if (i == (m.has_base ? 1 : 0)) {
            printf("Start to check INCR files.\n");
        }
        enum check_result res = check_file(o, m.names[i], path, i == m.count - 1);
        rc = report(res, base ? "BASE " : "INCR ", m.names[i]) < 0 ? 1 : 0;
        free(path);
    }
    manifest_free(&m);
    if (rc == 0) {
        printf("All AOF files and manifest are valid\n");
    }
    return rc;
}

static int usage(const char *argv0)
{
    printf("Usage: %s [--fix] [--yes] <file.manifest|file.aof>\n", argv0);
    return 1;
}

int main(int argc, char **argv)
{
    struct check_opts o = {0};
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fix") == 0) {
            o.fix = true;
        } else if (strcmp(argv[i], "--yes") == 0) {
            o.yes = true;
        } else if (argv[i][0] == '-' || path != NULL) {
            printf("Invalid argument: %s\n", argv[i]);
            return usage(argv[0]);
        } else {
            path = argv[i];
        }
    }
    if (path == NULL) {
        return usage(argv[0]);
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("Cannot open file %s: %s\n", path, strerror(errno));
        return 1;
    }
    int rc;
    if (is_manifest(fd)) {
        rc = lseek(fd, 0, SEEK_SET) == 0 ? check_manifest(&o, path, fd) : 1;
    } else {
        printf("Start checking Old-Style AOF\n");
        rc = report(check_file(&o, path, path, true), "", path) < 0 ? 1 : 0;
    }
    close(fd);
    return rc;
}
