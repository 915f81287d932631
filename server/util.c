/* util.c - see util.h. */
#include "server/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "protocol/resp.h"
#include "server/mem.h"

static inline int util_fold(int ch, bool nocase)
{
    return nocase ? tolower(ch) : ch;
}

/* Match one character class starting after '['; *pi is advanced past ']'. */
static bool util_glob_class(const char *pat, size_t plen, size_t *pi, int ch, bool nocase)
{
    size_t i = *pi;
    bool negate = i < plen && pat[i] == '^';
    bool match = false;
    if (negate) {
        i++;
    }
    while (i < plen && pat[i] != ']') {
        if (pat[i] == '\\' && i + 1 < plen) {
            i++;
            match |= util_fold((unsigned char)pat[i], nocase) == ch;
        } else if (i + 2 < plen && pat[i + 1] == '-' && pat[i + 2] != ']') {
            int lo = util_fold((unsigned char)pat[i], nocase);
            int hi = util_fold((unsigned char)pat[i + 2], nocase);
            if (lo > hi) {
                int t = lo;
                lo = hi;
                hi = t;
            }
            match |= ch >= lo && ch <= hi;
            i += 2;
        } else {
            match |= util_fold((unsigned char)pat[i], nocase) == ch;
        }
        i++;
    }
    *pi = i < plen ? i + 1 : i; /* an unterminated class ends the pattern */
    return negate ? !match : match;
}

bool util_glob_match(const char *pat, size_t plen, const char *s, size_t slen, bool nocase)
{
    size_t pi = 0, si = 0;
    size_t star_p = (size_t)-1, star_s = 0;
    while (si < slen) {
        if (pi < plen && pat[pi] == '*') {
            while (pi < plen && pat[pi] == '*') {
                pi++;
            }
            if (pi == plen) {
                return true;
            }
            star_p = pi;
            star_s = si;
            continue;
        }
        int ch = util_fold((unsigned char)s[si], nocase);
        size_t next = pi + 1;
        bool ok = false;
        if (pi < plen) {
            if (pat[pi] == '?') {
                ok = true;
            } else if (pat[pi] == '[') {
                next = pi + 1;
                ok = util_glob_class(pat, plen, &next, ch, nocase);
            } else if (pat[pi] == '\\' && pi + 1 < plen) {
                ok = util_fold((unsigned char)pat[pi + 1], nocase) == ch;
                next = pi + 2;
            } else {
                ok = util_fold((unsigned char)pat[pi], nocase) == ch;
            }
        }
        if (ok) {
            pi = next;
            si++;
        } else if (star_p != (size_t)-1) {
            pi = star_p;
            si = ++star_s;
        } else {
            return false;
        }
    }
    while (pi < plen && pat[pi] == '*') {
        pi++;
    }
    return pi == plen;
}

int util_parse_ll(const char *s, size_t len, long long *out)
{
    return resp_str_to_ll(s, len, out);
}

/* Copy a float's text into buf as a C string, rejecting what Redis
 * rejects before strtod: empty, too long, leading/trailing space, NUL. */
static int util_float_text(const char *s, size_t len, char *buf, size_t cap)
{
    if (len == 0 || len >= cap || isspace((unsigned char)s[0]) ||
        isspace((unsigned char)s[len - 1]) || memchr(s, '\0', len) != NULL) {
        return -EINVAL;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    return 0;
}

int util_parse_double(const char *s, size_t len, double *out)
{
    char buf[256], *end;
    if (util_float_text(s, len, buf, sizeof(buf)) < 0) {
        return -EINVAL;
    }
    double v = strtod(buf, &end);
    if (*end != '\0' || isnan(v) || (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL))) {
        return -EINVAL;
    }
    *out = v;
    return 0;
}

int util_parse_long_double(const char *s, size_t len, long double *out)
{
    /* Room for every value INCRBYFLOAT can store (LDBL_MAX has 4933
     * digits), as Redis's MAX_LONG_DOUBLE_CHARS. */
    char buf[5 * 1024], *end;
    if (util_float_text(s, len, buf, sizeof(buf)) < 0) {
        return -EINVAL;
    }
    long double v = strtold(buf, &end);
    if (*end != '\0' || isnan(v) || errno == ERANGE) {
        return -EINVAL;
    }
    *out = v;
    return 0;
}

bool util_eq_nocase(const char *a, size_t alen, const char *lower)
{
    for (size_t i = 0; i < alen; i++) {
        if (lower[i] == '\0' || tolower((unsigned char)a[i]) != lower[i]) {
            return false;
        }
    }
    return lower[alen] == '\0';
}

int util_split_words(char *s, char **words, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *w = strtok_r(s, " ", &save); w != NULL && n < max; w = strtok_r(NULL, " ", &save)) {
        words[n++] = w;
    }
    return n;
}

int util_join_words(char *dst, size_t cap, int n, char **words)
{
    size_t len = 0;
    dst[0] = '\0';
    for (int i = 0; i < n; i++) {
        int w = snprintf(dst + len, cap - len, "%s%s", i > 0 ? " " : "", words[i]);
        if (w < 0 || (size_t)w >= cap - len) {
            return -ENOSPC;
        }
        len += (size_t)w;
    }
    return 0;
}

size_t util_quote(char *dst, const char *s)
{
    char *p = dst;
    *p++ = ' ';
    *p++ = '"';
    for (; *s != '\0'; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            *p++ = '\\';
            *p++ = (char)ch;
        } else if (ch < 32 || ch >= 127) {
            p += sprintf(p, "\\x%02x", ch);
        } else {
            *p++ = (char)ch;
        }
    }
    *p++ = '"';
    *p = '\0';
    return (size_t)(p - dst);
}

void util_bytes_human(char *dst, size_t cap, unsigned long long n)
{
    static const char units[] = "KMGTPE";
    double d = (double)n;
    if (n < 1024) {
        snprintf(dst, cap, "%lluB", n);
        return;
    }
    int u = -1;
    while (d >= 1024 && u < 5) {
        d /= 1024;
        u++;
    }
    snprintf(dst, cap, "%.2f%c", d, units[u]);
}

void util_random_hex(char *hex, unsigned char *raw, size_t n)
{
    unsigned char local[64];
    unsigned char *b = raw != NULL ? raw : local;
    n = raw != NULL || n <= sizeof(local) ? n : sizeof(local);
    int fd = open("/dev/urandom", O_RDONLY);
    if (fd < 0 || read(fd, b, n) != (ssize_t)n) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        srand((unsigned)(ts.tv_nsec ^ ts.tv_sec ^ rand()));
        for (size_t i = 0; i < n; i++) {
            b[i] = (unsigned char)rand();
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(hex + 2 * i, 3, "%02x", b[i]);
    }
}

static int util_write_all(int fd, const char *p, size_t len)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(fd, p + off, len - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return n < 0 ? -errno : -ENOSPC;
        }
        off += (size_t)n;
    }
    return 0;
}

int util_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    int rc = fsync(fd) == 0 ? 0 : -errno;
    close(fd);
    return rc;
}

static int util_fsync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    snprintf(dir, sizeof(dir), "%.*s", slash == NULL ? 1 : slash == path ? 1 : (int)(slash - path),
             slash == NULL ? "." : path);
    return util_fsync_dir(dir);
}

int util_write_file_atomic(const char *path, const char *tmp_path, const char *content,
                           size_t len)
{
    int fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return -errno;
    }
    int rc = util_write_all(fd, content, len);
    if (rc == 0 && fsync(fd) != 0) {
        rc = -errno;
    }
    close(fd);
    if (rc == 0 && rename(tmp_path, path) != 0) {
        rc = -errno;
    }
    if (rc < 0) {
        unlink(tmp_path);
        return rc;
    }
    return util_fsync_parent(path);
}

int util_read_file(const char *path, size_t max, char **text, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (f == NULL) {
        return -errno;
    }
    size_t cap = 4096, n = 0, got;
    char *buf = mem_alloc(cap + 1);
    while ((max == 0 || n <= max) && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            cap *= 2;
            buf = mem_realloc(buf, cap + 1);
        }
    }
    int rc = ferror(f) ? -EIO : max > 0 && n > max ? -EFBIG : 0;
    if (f != stdin) {
        fclose(f);
    }
    if (rc < 0) {
        mem_free(buf);
        return rc;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}
