/* harness.c - see harness.h. */
#include "tests/integration/harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define H_MAX_SERVERS 8
#define H_RAW_WAIT_MS 3000

struct h_server h_main;
redisContext *T;

/* Servers still running, so that h_stop_all() can reach them. */
static struct h_server *h_running[H_MAX_SERVERS];

bool h_is_reference(void)
{
    const char *r = getenv("SURGE_REF");
    return r != NULL && strcmp(r, "1") == 0;
}

void h_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
    }
}

/* A port that was free a moment ago: bind port 0, read it back, close. */
static int h_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof(a);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    close(fd);
    return ntohs(a.sin_port);
}

static redisContext *h_connect_raw(int port)
{
    struct timeval tv = {5, 0};
    redisContext *c = redisConnectWithTimeout("127.0.0.1", port, tv);
    if (c == NULL || c->err) {
        if (c != NULL) {
            redisFree(c);
        }
        return NULL;
    }
    redisSetTimeout(c, tv);
    return c;
}

/* The TCP handshake completes before the server accepts the connection;
 * one round trip makes sure it is registered (CLIENT LIST, KILL, INFO). */
redisContext *h_connect(int port)
{
    redisContext *c = h_connect_raw(port);
    redisReply *r = c != NULL ? redisCommand(c, "PING") : NULL;
    if (c != NULL && r == NULL) {
        redisFree(c);
        c = NULL;
    }
    freeReplyObject(r);
    return c;
}

/* In the child: become the server. Output goes to <dir>/server.out so a
 * failed start can be shown; SIGPIPE is reset so a server that forgets to
 * ignore it fails here as it would in production. */
static void h_exec_server(const struct h_server *s, const char *const *extra, pid_t parent)
{
    const char *bin = getenv("SURGE_SERVER");
    const char *argv[64];
    char port[16], log[300], out[300];
    int n = 0;
    bool ref = h_is_reference();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
        _exit(127);
    }
    signal(SIGPIPE, SIG_DFL);
    snprintf(port, sizeof(port), "%d", s->port);
    snprintf(log, sizeof(log), "%s/server.log", s->dir);
    snprintf(out, sizeof(out), "%s/server.out", s->dir);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
    }
    argv[n++] = ref ? "redis-server" : (bin != NULL ? bin : "build/surge-server");
    const char *base[] = {"--port", port, "--bind", "127.0.0.1", "--dir", s->dir,
                          "--logfile", log, "--daemonize", "no"};
    for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
        argv[n++] = base[i];
    }
    if (ref) {
        /* No persistence, as Surge runs in these tests; DEBUG is off by
         * default in Redis 7 and the tests use DEBUG SLEEP. */
        const char *more[] = {"--save", "", "--appendonly", "no", "--enable-debug-command", "yes"};
        for (size_t i = 0; i < sizeof(more) / sizeof(more[0]); i++) {
            argv[n++] = more[i];
        }
    }
    for (int i = 0; extra != NULL && extra[i] != NULL && n < 62; i++) {
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    execvp(argv[0], (char *const *)argv);
    perror("exec server");
    _exit(127);
}

static int h_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void h_remove_dir(struct h_server *s)
{
    if (s->dir[0] != '\0') {
        nftw(s->dir, h_rm_entry, 8, FTW_DEPTH | FTW_PHYS);
        s->dir[0] = '\0';
    }
}

static void h_print_file(const char *dir, const char *name)
{
    char path[300], line[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return;
    }
    fprintf(stderr, "  --- %s\n", path);
    while (fgets(line, sizeof(line), f) != NULL) {
        fprintf(stderr, "  %s", line);
    }
    fclose(f);
}

/* SIGTERM, up to 5 s, SIGKILL; returns the wait status. Keeps the dir. */
static int h_kill_and_reap(pid_t pid)
{
    int status = -1;
    kill(pid, SIGTERM);
    for (int i = 0; i < 500; i++) {
        if (waitpid(pid, &status, WNOHANG) == pid) {
            return status;
        }
        h_sleep_ms(10);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
    return status;
}

static void h_register(struct h_server *s, bool on)
{
    for (int i = 0; i < H_MAX_SERVERS; i++) {
        if (on && h_running[i] == NULL) {
            h_running[i] = s;
            return;
        }
        if (!on && h_running[i] == s) {
            h_running[i] = NULL;
            return;
        }
    }
}

/* Up to 5 s for PING to be answered; false if the process exits first. */
static bool h_wait_ready(struct h_server *s)
{
    for (int i = 0; i < 100; i++) {
        redisContext *c = h_connect(s->port);
        if (c != NULL) {
            redisFree(c);
            return true;
        }
        int status;
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            return false;
        }
        h_sleep_ms(50);
    }
    return false;
}

int h_server_start(struct h_server *s, const char *const *extra)
{
    s->pid = 0;
    snprintf(s->dir, sizeof(s->dir), "/tmp/surge-test-XXXXXX");
    if (mkdtemp(s->dir) == NULL) {
        s->dir[0] = '\0';
        return -1;
    }
    h_register(s, true);
    pid_t parent = getpid();
    for (int attempt = 0; attempt < 5; attempt++) {
        s->port = h_free_port();
        fflush(NULL);
        s->pid = fork();
        if (s->pid == 0) {
            h_exec_server(s, extra, parent);
        }
        if (s->pid < 0) {
            break;
        }
        if (h_wait_ready(s)) {
            return 0;
        }
        if (s->pid > 0) {
            h_kill_and_reap(s->pid);
            s->pid = 0;
        }
        /* Most likely the port was taken meanwhile: try another. */
    }
    fprintf(stderr, "  the server did not start\n");
    h_print_file(s->dir, "server.out");
    h_print_file(s->dir, "server.log");
    s->pid = 0;
    h_remove_dir(s);
    h_register(s, false);
    return -1;
}

int h_server_restart(struct h_server *s, const char *const *extra)
{
    if (s->pid > 0) {
        h_kill_and_reap(s->pid);
    }
    fflush(NULL);
    pid_t parent = getpid();
    s->pid = fork();
    if (s->pid == 0) {
        h_exec_server(s, extra, parent);
    }
    if (s->pid < 0 || !h_wait_ready(s)) {
        fprintf(stderr, "  the server did not restart on port %d\n", s->port);
        h_print_file(s->dir, "server.out");
        if (s->pid > 0) {
            h_kill_and_reap(s->pid);
        }
        s->pid = 0;
        return -1;
    }
    return 0;
}

int h_server_stop(struct h_server *s)
{
    int status = -1;
    if (s->pid > 0) {
        status = h_kill_and_reap(s->pid);
        s->pid = 0;
    }
    h_remove_dir(s);
    h_register(s, false);
    return status;
}

void h_stop_all(void)
{
    for (int i = 0; i < H_MAX_SERVERS; i++) {
        if (h_running[i] != NULL) {
            h_server_stop(h_running[i]);
        }
    }
}

/* Settings some cases change; restored before every case. A name the server
 * does not know is left out. */
static const char *const h_config_names[] = {
    "proto-max-bulk-len", "client-query-buffer-limit", "maxmemory", "maxmemory-policy",
    "timeout", "loglevel", "client-output-buffer-limit", "hash-max-listpack-entries",
    "hash-max-listpack-value", "set-max-intset-entries", "zset-max-listpack-entries",
    "zset-max-listpack-value", "requirepass",
};
enum { H_NCONFIG = sizeof(h_config_names) / sizeof(h_config_names[0]) };
static char *h_config_values[H_NCONFIG];

void h_config_snapshot(void)
{
    redisContext *c = h_connect(h_main.port);
    for (int i = 0; c != NULL && i < H_NCONFIG; i++) {
        redisReply *r = redisCommand(c, "CONFIG GET %s", h_config_names[i]);
        if (r != NULL && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
            r->element[1]->type == REDIS_REPLY_STRING) {
            h_config_values[i] = strdup(r->element[1]->str);
        }
        freeReplyObject(r);
    }
    if (c != NULL) {
        redisFree(c);
    }
}


void h_config_restore(redisContext *c)
{
    /* Authenticate first if a password was left behind: before AUTH, a
     * request of more than 10 arguments is a protocol error. */
    redisReply *r = redisCommand(c, "PING");
    if (r != NULL && r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOAUTH", 6) == 0) {
        freeReplyObject(redisCommand(c, "AUTH default %s", H_PASSWORD));
    }
    freeReplyObject(r);
    const char *argv[2 + 2 * H_NCONFIG] = {"CONFIG", "SET"};
    int n = 2;
    for (int i = 0; i < H_NCONFIG; i++) {
        if (h_config_values[i] != NULL) {
            argv[n++] = h_config_names[i];
            argv[n++] = h_config_values[i];
        }
    }
    if (n == 2) {
        return;
    }
    r = redisCommandArgv(c, n, argv, NULL);
    if (r == NULL || r->type == REDIS_REPLY_ERROR) {
        fprintf(stderr, "  restoring the config failed: %s\n", r != NULL ? r->str : "no reply");
        test_failures_in_case++;
    }
    freeReplyObject(r);
}

static redisReply *h_vcmd(redisContext *c, const char *fmt, va_list ap)
{
    if (c == NULL) {
        return NULL;
    }
    return redisvCommand(c, fmt, ap);
}

redisReply *h_cmd(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = h_vcmd(T, fmt, ap);
    va_end(ap);
    return r;
}

redisReply *h_cmdc(redisContext *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    redisReply *r = h_vcmd(c, fmt, ap);
    va_end(ap);
    return r;
}

redisReply *h_cmdv(int argc, const char **argv)
{
    return T == NULL ? NULL : redisCommandArgv(T, argc, argv, NULL);
}

static void h_fail(int line, const char *what, const redisReply *r)
{
    fprintf(stderr, "  line %d: %s; got ", line, what);
    if (r == NULL) {
        fprintf(stderr, "no reply (connection error or timeout)\n");
    } else if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
               r->type == REDIS_REPLY_ERROR) {
        const char *t = r->type == REDIS_REPLY_STRING   ? "bulk"
                        : r->type == REDIS_REPLY_STATUS ? "status"
                                                        : "error";
        fprintf(stderr, "%s \"%.*s\"\n", t, (int)r->len, r->str);
    } else if (r->type == REDIS_REPLY_INTEGER) {
        fprintf(stderr, "integer %lld\n", r->integer);
    } else if (r->type == REDIS_REPLY_NIL) {
        fprintf(stderr, "nil\n");
    } else {
        fprintf(stderr, "array of %zu\n", r->elements);
    }
    test_failures_in_case++;
}

static void h_expect_text(int line, int type, const char *want, redisReply *r, bool prefix)
{
    char what[600];
    snprintf(what, sizeof(what), "want %s%s \"%s\"",
             type == REDIS_REPLY_STATUS  ? "status"
             : type == REDIS_REPLY_ERROR ? "error"
                                         : "bulk",
             prefix ? " starting with" : "", want);
    size_t wl = strlen(want);
    if (r == NULL || r->type != type || (prefix ? r->len < wl : r->len != wl) ||
        memcmp(r->str, want, wl) != 0) {
        h_fail(line, what, r);
    }
    freeReplyObject(r);
}

void h_expect_status(int line, const char *want, redisReply *r)
{
    h_expect_text(line, REDIS_REPLY_STATUS, want, r, false);
}

void h_expect_str(int line, const char *want, redisReply *r)
{
    h_expect_text(line, REDIS_REPLY_STRING, want, r, false);
}

void h_expect_err(int line, const char *want, redisReply *r)
{
    h_expect_text(line, REDIS_REPLY_ERROR, want, r, false);
}

void h_expect_err_prefix(int line, const char *want, redisReply *r)
{
    h_expect_text(line, REDIS_REPLY_ERROR, want, r, true);
}

void h_expect_int(int line, long long want, redisReply *r)
{
    if (r == NULL || r->type != REDIS_REPLY_INTEGER || r->integer != want) {
        char what[64];
        snprintf(what, sizeof(what), "want integer %lld", want);
        h_fail(line, what, r);
    }
    freeReplyObject(r);
}

void h_expect_nil(int line, redisReply *r)
{
    if (r == NULL || r->type != REDIS_REPLY_NIL) {
        h_fail(line, "want nil", r);
    }
    freeReplyObject(r);
}

void h_expect_strs(int line, redisReply *r, int n, const char *const *want)
{
    if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != (size_t)n) {
        char what[64];
        snprintf(what, sizeof(what), "want an array of %d bulks", n);
        h_fail(line, what, r);
        freeReplyObject(r);
        return;
    }
    for (int i = 0; i < n; i++) {
        const redisReply *e = r->element[i];
        if (e->type != REDIS_REPLY_STRING || e->len != strlen(want[i]) ||
            memcmp(e->str, want[i], e->len) != 0) {
            char what[300];
            snprintf(what, sizeof(what), "element %d: want bulk \"%s\"", i, want[i]);
            h_fail(line, what, e);
        }
    }
    freeReplyObject(r);
}

int h_count_in(const redisReply *r, const char *s)
{
    int n = 0;
    for (size_t i = 0; r != NULL && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
        const redisReply *e = r->element[i];
        if ((e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS) &&
            e->len == strlen(s) && memcmp(e->str, s, e->len) == 0) {
            n++;
        }
    }
    return n;
}

const redisReply *h_pair_get(const redisReply *r, const char *name)
{
    for (size_t i = 0; r != NULL && r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements; i += 2) {
        const redisReply *e = r->element[i];
        if ((e->type == REDIS_REPLY_STRING || e->type == REDIS_REPLY_STATUS) &&
            strcmp(e->str, name) == 0) {
            return r->element[i + 1];
        }
    }
    return NULL;
}

bool h_info_field(const char *section, const char *field, char *out, size_t cap)
{
    redisReply *r = h_cmd("INFO %s", section);
    bool found = false;
    if (r != NULL && r->type == REDIS_REPLY_STRING) {
        char needle[128];
        snprintf(needle, sizeof(needle), "\n%s:", field);
        const char *p = strstr(r->str, needle);
        if (p != NULL) {
            p += strlen(needle);
            size_t len = strcspn(p, "\r\n");
            len = len < cap - 1 ? len : cap - 1;
            memcpy(out, p, len);
            out[len] = '\0';
            found = true;
        }
    }
    freeReplyObject(r);
    return found;
}

long long h_info_int(const char *section, const char *field)
{
    char v[64];
    return h_info_field(section, field, v, sizeof(v)) ? atoll(v) : -1;
}

redisContext *h_send_only(const char *cmd)
{
    redisContext *c = h_connect(h_main.port);
    if (c != NULL) {
        redisAppendCommand(c, cmd);
        int done = 0;
        while (!done && redisBufferWrite(c, &done) == REDIS_OK) {
        }
    }
    return c;
}

redisReply *h_get_reply(redisContext *c)
{
    redisReply *r = NULL;
    if (c == NULL || redisGetReply(c, (void **)&r) != REDIS_OK) {
        return NULL;
    }
    return r;
}

int h_scan_all(const char *cmd, int per_item)
{
    unsigned long long cursor = 0;
    int seen = 0;
    for (int rounds = 0; rounds < 100000; rounds++) {
        redisReply *r = T == NULL ? NULL : redisCommand(T, cmd, cursor);
        if (r == NULL || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            freeReplyObject(r);
            return -1;
        }
        cursor = strtoull(r->element[0]->str, NULL, 10);
        seen += (int)r->element[1]->elements / per_item;
        freeReplyObject(r);
        if (cursor == 0) {
            break;
        }
    }
    return seen;
}

bool h_wait_int(long long want, int timeout_ms, const char *fmt, ...)
{
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        va_list ap;
        va_start(ap, fmt);
        redisReply *r = h_vcmd(T, fmt, ap);
        va_end(ap);
        bool ok = r != NULL && r->type == REDIS_REPLY_INTEGER && r->integer == want;
        freeReplyObject(r);
        if (ok) {
            return true;
        }
        h_sleep_ms(10);
    }
    return false;
}

int h_raw_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
        if (fd >= 0) {
            close(fd);
        }
        fprintf(stderr, "  raw connect to port %d failed\n", port);
        test_failures_in_case++;
        return -1;
    }
    return fd;
}

int h_raw_connect_resp3(int port)
{
    int fd = h_raw_connect(port);
    char buf[1024];
    h_raw_send(fd, "HELLO 3\r\n", 9);
    int n = h_raw_read_reply(fd, buf, sizeof(buf));
    if (n < 4 || memcmp(buf, "%7\r\n", 4) != 0) {
        fprintf(stderr, "  HELLO 3 did not return a map of 7\n");
        test_failures_in_case++;
    }
    return fd;
}

void h_raw_send(int fd, const char *bytes, size_t len)
{
    while (fd >= 0 && len > 0) {
        ssize_t n = write(fd, bytes, len);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            return;
        }
        bytes += n;
        len -= (size_t)n;
    }
}

/* Read up to want bytes within the bounded wait; returns bytes read. */
static size_t h_raw_read(int fd, char *buf, size_t want)
{
    size_t got = 0;
    for (int waited = 0; fd >= 0 && got < want && waited < H_RAW_WAIT_MS;) {
        struct pollfd p = {fd, POLLIN, 0};
        int rc = poll(&p, 1, 100);
        if (rc == 0) {
            waited += 100;
            continue;
        }
        ssize_t n = read(fd, buf + got, want - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    return got;
}

static void h_print_escaped(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\r') {
            fputs("\\r", stderr);
        } else if (ch == '\n') {
            fputs("\\n", stderr);
        } else if (ch < 32 || ch >= 127) {
            fprintf(stderr, "\\x%02x", ch);
        } else {
            fputc(ch, stderr);
        }
    }
}

void h_raw_expect(int line, int fd, const char *want)
{
    size_t wl = strlen(want);
    char *buf = malloc(wl + 1);
    size_t got = buf != NULL ? h_raw_read(fd, buf, wl) : 0;
    if (buf == NULL || got != wl || memcmp(buf, want, wl) != 0) {
        fprintf(stderr, "  line %d: raw reply mismatch\n    want: ", line);
        h_print_escaped(want, wl);
        fprintf(stderr, "\n    got:  ");
        h_print_escaped(buf != NULL ? buf : "", got);
        fprintf(stderr, "\n");
        test_failures_in_case++;
    }
    free(buf);
}

/* Length of the complete RESP2/RESP3 value at b[0..n), 0 if incomplete. */
static size_t h_resp_len(const char *b, size_t n, int depth)
{
    const char *nl = n > 0 ? memchr(b, '\n', n) : NULL;
    if (nl == NULL || depth > 32) {
        return 0;
    }
    size_t line = (size_t)(nl - b) + 1, off = line;
    long long v = strtoll(b + 1, NULL, 10);
    switch (b[0]) {
    case '$':
    case '=':
    case '!':
        return v < 0 ? line : (n >= line + (size_t)v + 2 ? line + (size_t)v + 2 : 0);
    case '*':
    case '~':
    case '>':
    case '%':
    case '|':
        v = (b[0] == '%' || b[0] == '|') ? v * 2 : v;
        for (long long i = 0; i < v; i++) {
            size_t l = h_resp_len(b + off, n - off, depth + 1);
            if (l == 0) {
                return 0;
            }
            off += l;
        }
        /* An attribute is followed by the value it describes. */
        if (b[0] == '|') {
            size_t l = h_resp_len(b + off, n - off, depth + 1);
            return l == 0 ? 0 : off + l;
        }
        return off;
    default:
        return line;
    }
}

int h_raw_read_reply(int fd, char *buf, size_t cap)
{
    size_t got = 0;
    /* One byte at a time, so nothing after this reply is consumed. */
    while (got + 1 < cap && h_raw_read(fd, buf + got, 1) == 1) {
        got++;
        if (h_resp_len(buf, got, 0) == got) {
            buf[got] = '\0';
            return (int)got;
        }
    }
    buf[got < cap ? got : cap - 1] = '\0';
    fprintf(stderr, "  incomplete raw reply (%zu bytes): ", got);
    h_print_escaped(buf, got);
    fprintf(stderr, "\n");
    return -1;
}

bool h_raw_closed(int fd)
{
    char buf[256];
    for (int waited = 0; fd >= 0 && waited < H_RAW_WAIT_MS;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) {
            waited += 100;
            continue;
        }
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n == 0 || (n < 0 && errno == ECONNRESET)) {
            return true;
        }
        if (n > 0) {
            fprintf(stderr, "  unexpected bytes before close: ");
            h_print_escaped(buf, (size_t)n);
            fprintf(stderr, "\n");
            return false;
        }
    }
    return false;
}

bool h_raw_silent(int fd, int ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    return fd >= 0 && poll(&p, 1, ms) == 0;
}

void h_flat(redisReply *r, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; r != NULL && r->type == REDIS_REPLY_ARRAY && i < r->elements && o < cap;
         i++) {
        redisReply *e = r->element[i];
        if (e->type == REDIS_REPLY_STRING) {
            o += (size_t)snprintf(out + o, cap - o, "%s%s", o ? " " : "", e->str);
        } else if (e->type == REDIS_REPLY_INTEGER) {
            o += (size_t)snprintf(out + o, cap - o, "%s%lld", o ? " " : "", e->integer);
        } else if (e->type == REDIS_REPLY_ARRAY) {
            char inner[512];
            h_flat(e, inner, sizeof(inner));
            o += (size_t)snprintf(out + o, cap - o, "%s[%s]", o ? " " : "", inner);
        }
    }
}

bool h_wait_blocked(long long n)
{
    for (int i = 0; i < 300; i++) {
        if (h_info_int("clients", "blocked_clients") == n) {
            return true;
        }
        h_sleep_ms(10);
    }
    return false;
}
