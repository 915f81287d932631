/* harness.c - see harness.h. */
#include "tests/integration/harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct h_server h_main;
redisContext *T;

bool h_is_reference(void)
{
    const char *r = getenv("SURGE_REF");
    return r != NULL && strcmp(r, "1") == 0;
}

void h_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

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

redisContext *h_connect(int port)
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

static void h_exec_server(struct h_server *s, const char *const *extra)
{
    const char *bin = getenv("SURGE_SERVER");
    const char *argv[64];
    char port[16], log[300];
    int n = 0;
    bool ref = h_is_reference();
    snprintf(port, sizeof(port), "%d", s->port);
    snprintf(log, sizeof(log), "%s/server.log", s->dir);
    argv[n++] = ref ? "redis-server" : (bin != NULL ? bin : "build/surge-server");
    const char *base[] = {"--port", port, "--bind", "127.0.0.1", "--dir", s->dir,
                          "--logfile", log, "--daemonize", "no"};
    for (size_t i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
        argv[n++] = base[i];
    }
    if (ref) {
        argv[n++] = "--save";
        argv[n++] = "";
        argv[n++] = "--appendonly";
        argv[n++] = "no";
        argv[n++] = "--enable-debug-command";
        argv[n++] = "yes";
    }
    for (int i = 0; extra != NULL && extra[i] != NULL && n < 62; i++) {
        argv[n++] = extra[i];
    }
    argv[n] = NULL;
    execvp(argv[0], (char *const *)argv);
    perror("exec server");
    _exit(127);
}

int h_server_start(struct h_server *s, const char *const *extra)
{
    snprintf(s->dir, sizeof(s->dir), "/tmp/surge-test-XXXXXX");
    if (mkdtemp(s->dir) == NULL) {
        return -errno;
    }
    for (int attempt = 0; attempt < 5; attempt++) {
        s->port = h_free_port();
        s->pid = fork();
        if (s->pid == 0) {
            h_exec_server(s, extra);
        }
        for (int i = 0; i < 100; i++) {
            redisContext *c = h_connect(s->port);
            if (c != NULL) {
                redisReply *r = redisCommand(c, "PING");
                bool ok = r != NULL;
                freeReplyObject(r);
                redisFree(c);
                if (ok) {
                    return 0;
                }
            }
            if (waitpid(s->pid, NULL, WNOHANG) == s->pid) {
                break; /* exited: maybe the port was taken; try another */
            }
            h_sleep_ms(50);
        }
        h_server_stop(s);
    }
    return -1;
}

static void h_remove_dir(struct h_server *s)
{
    char path[300];
    snprintf(path, sizeof(path), "%s/server.log", s->dir);
    unlink(path);
    rmdir(s->dir);
}

int h_server_stop(struct h_server *s)
{
    int status = -1;
    if (s->pid <= 0) {
        return -1;
    }
    kill(s->pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(s->pid, &status, WNOHANG) == s->pid) {
            s->pid = 0;
            h_remove_dir(s);
            return status;
        }
        h_sleep_ms(50);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &status, 0);
    s->pid = 0;
    h_remove_dir(s);
    return status;
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
    return redisCommandArgv(T, argc, argv, NULL);
}

static void h_fail(int line, const char *what, redisReply *r)
{
    fprintf(stderr, "  line %d: %s; got type %d", line, what, r ? r->type : -1);
    if (r != NULL && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS ||
                      r->type == REDIS_REPLY_ERROR)) {
        fprintf(stderr, " \"%.*s\"", (int)r->len, r->str);
    } else if (r != NULL && r->type == REDIS_REPLY_INTEGER) {
        fprintf(stderr, " %lld", r->integer);
    }
    fprintf(stderr, "\n");
    test_failures_in_case++;
}

static void h_expect_text(int line, int type, const char *want, redisReply *r, bool prefix)
{
    char what[600];
    snprintf(what, sizeof(what), "want %s \"%s\"",
             type == REDIS_REPLY_STATUS ? "status" : type == REDIS_REPLY_ERROR ? "error" : "bulk",
             want);
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
        redisReply *r = redisCommand(T, cmd, cursor);
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
        test_failures_in_case++;
        return -1;
    }
    return fd;
}

int h_raw_connect_resp3(int port)
{
    int fd = h_raw_connect(port);
    h_raw_send(fd, "HELLO 3\r\n", 9);
    /* The reply is a map of 7 whose last value, "modules", is empty. */
    h_raw_expect(__LINE__, fd, "%7\r\n$6\r\nserver\r\n");
    char buf[512];
    size_t got = 0;
    for (int i = 0; i < 300 && got < sizeof(buf); i++) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 10) > 0) {
            ssize_t n = read(fd, buf + got, sizeof(buf) - got);
            got += n > 0 ? (size_t)n : 0;
        }
        if (got >= 16 && memcmp(buf + got - 16, "$7\r\nmodules\r\n*0\r\n", 16) == 0) {
            break;
        }
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

/* Read up to want bytes within 3 s; returns bytes read. */
static size_t h_raw_read(int fd, char *buf, size_t want)
{
    size_t got = 0;
    for (int waited = 0; got < want && waited < 3000;) {
        struct pollfd p = {fd, POLLIN, 0};
        int rc = poll(&p, 1, 100);
        if (rc == 0) {
            waited += 100;
            continue;
        }
        ssize_t n = read(fd, buf + got, want - got);
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    return got;
}

void h_raw_expect(int line, int fd, const char *want)
{
    size_t wl = strlen(want);
    char *buf = malloc(wl + 1);
    size_t got = fd >= 0 ? h_raw_read(fd, buf, wl) : 0;
    buf[got] = '\0';
    if (got != wl || memcmp(buf, want, wl) != 0) {
        fprintf(stderr, "  line %d: raw reply mismatch\n    want: ", line);
        for (size_t i = 0; i < wl; i++) {
            fprintf(stderr, want[i] == '\r' ? "\\r" : want[i] == '\n' ? "\\n" : "%c", want[i]);
        }
        fprintf(stderr, "\n    got:  ");
        for (size_t i = 0; i < got; i++) {
            fprintf(stderr, buf[i] == '\r' ? "\\r" : buf[i] == '\n' ? "\\n" : "%c", buf[i]);
        }
        fprintf(stderr, "\n");
        test_failures_in_case++;
    }
    free(buf);
}

bool h_raw_closed(int fd)
{
    char buf[256];
    for (int waited = 0; waited < 3000; waited += 100) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) > 0) {
            ssize_t n = read(fd, buf, sizeof(buf));
            if (n == 0 || (n < 0 && errno == ECONNRESET)) {
                return true;
            }
        }
    }
    return false;
}
