/* pipebench - the throughput of one command on a server, with a client
 * light enough that the server, not the client, is what saturates.
 *
 * redis-benchmark builds a hiredis reply object per element of every
 * reply, so on a small machine its one thread is the bottleneck and a
 * command with a four-element reply measures the client's allocator. This
 * tool keeps C connections (default 50) each with P requests in flight
 * (default 16), sends each batch with one write, and only finds where each
 * reply ends: no objects, no copies. Every reply must start with the type
 * byte of the first one ('-' errors stop the run), so a server that
 * answers something else cannot look fast.
 *
 * Prints one line:
 *   pipebench: command=<name> requests=N seconds=T rps=R reply_bytes=B
 *
 * With -r N, "__rand_int__" in the command becomes a 12-digit number below
 * N (as in redis-benchmark), spread evenly rather than drawn at random:
 * request k of connection c's b-th batch uses ((b * C + c) * P + k) % N,
 * each connection cycling through as many prepared batches as cover N
 * (up to MAX_BATCHES), so every key of the keyspace is read at any depth,
 * and a few unlucky hash-table buckets cannot decide a comparison.
 *
 * Usage: pipebench [-h host] [-p port] [-c conns] [-P pipeline]
 *                  [-n requests] [--warmup W] [-r N] -- command [args...]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS 512
#define MAX_PIPELINE 1024
#define MAX_DEPTH 8
#define MAX_BATCHES 256
#define RAND_TOKEN "__rand_int__"

struct conn {
    int fd;
    char *batch;      /* nbatches batches of P requests, each sent with one write */
    size_t *batch_off; /* batch b is batch[batch_off[b]..batch_off[b + 1]) */
    int nbatches, next;
    char *in;
    size_t in_len, in_cap;
    int pending; /* replies still to come for the batch in flight */
};

struct run {
    const char *host;
    int port, conns, pipeline;
    long requests, warmup, keyspace;
    char type;        /* the first byte every reply must have */
    long done;
    size_t reply_bytes;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "pipebench: %s: %s\n", what, errno ? strerror(errno) : "failed");
    exit(1);
}

/* A length or count line at p ("$100\r\n", "*-1\r\n"): its bytes
 * through CRLF, and its number in *n, read digit by digit in one pass. A
 * library strtoll per element cost the client more than the server spent
 * on it, and memchr then resp_str_to_ll still cost a four-element reply
 * half again the client time of this loop, which pipebench exists to keep
 * off the critical path; 0 when incomplete, -1 when malformed. */
static long count_line(const char *p, size_t len, long long *n)
{
    size_t first = len > 1 && p[1] == '-' ? 2 : 1, i = first;
    long long v = 0;
    for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
        if (i - first == 18) {
            return -1; /* no length or count has 19 digits */
        }
        v = v * 10 + (p[i] - '0');
    }
    if (i + 1 >= len) {
        return 0;
    }
    if (i == first || p[i] != '\r' || p[i + 1] != '\n') {
        return -1;
    }
    *n = first == 2 ? -v : v;
    return (long)(i + 2);
}

/* Bytes of the one complete reply at p, 0 when incomplete, -1 when
 * malformed. Arrays, maps, sets and pushes nest up to MAX_DEPTH. */
static long reply_end(const char *p, size_t len, int depth)
{
    if (depth > MAX_DEPTH) {
        return -1;
    }
    long long n = 0;
    long head;
    switch (p[0]) {
    case '+': case '-': case ':': case '_': case ',': case '#': case '(': {
        const char *nl = memchr(p, '\n', len);
        if (nl == NULL) {
            return 0;
        }
        return nl == p || nl[-1] != '\r' ? -1 : (long)(nl - p) + 1;
    }
    case '$': case '=': case '!':
        head = count_line(p, len, &n);
        if (head <= 0 || n < 0) {
            return head;
        }
        return len >= (size_t)head + (size_t)n + 2 ? head + (long)n + 2 : 0;
    case '*': case '~': case '>': case '%': {
        head = count_line(p, len, &n);
        if (head <= 0) {
            return head;
        }
        size_t off = (size_t)head;
        long long items = p[0] == '%' ? 2 * n : n;
        for (long long i = 0; i < items; i++) {
            if (off >= len) {
                return 0;
            }
            long r = reply_end(p + off, len - off, depth + 1);
            if (r <= 0) {
                return r;
            }
            off += (size_t)r;
        }
        return (long)off;
    }
    default:
        return -1;
    }
}

static int connect_to(const struct run *r)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)r->port);
    if (inet_pton(AF_INET, r->host, &sa.sin_addr) != 1) {
        errno = EINVAL;
        die("host");
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        die("connect");
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void send_batch(struct run *r, struct conn *c)
{
    size_t off = c->batch_off[c->next], end = c->batch_off[c->next + 1];
    while (off < end) {
        ssize_t w = write(c->fd, c->batch + off, end - off);
        if (w < 0 && errno != EINTR) {
            die("write");
        }
        off += w > 0 ? (size_t)w : 0;
    }
    c->next = (c->next + 1) % c->nbatches;
    c->pending = r->pipeline;
}

/* Read what arrived; count the replies it completes. False when the
 * connection's batch is done. */
static bool on_readable(struct run *r, struct conn *c)
{
    if (c->in_cap - c->in_len < 65536) {
        c->in_cap = c->in_cap * 2 + 65536;
        c->in = realloc(c->in, c->in_cap);
        if (c->in == NULL) {
            die("memory");
        }
    }
    ssize_t got = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
    if (got == 0 || (got < 0 && errno != EINTR && errno != EAGAIN)) {
        errno = got == 0 ? ECONNRESET : errno;
        die("read");
    }
    c->in_len += got > 0 ? (size_t)got : 0;
    size_t off = 0;
    while (c->pending > 0 && off < c->in_len) {
        long n = reply_end(c->in + off, c->in_len - off, 0);
        if (n < 0) {
            fprintf(stderr, "pipebench: malformed reply\n");
            exit(1);
        }
        if (n == 0) {
            break;
        }
        if (r->type == 0) {
            r->type = c->in[off];
        }
        if (c->in[off] == '-' || c->in[off] != r->type) {
            fprintf(stderr, "pipebench: unexpected reply: %.*s\n",
                    (int)(n > 200 ? 200 : n), c->in + off);
            exit(1);
        }
        r->reply_bytes += (size_t)n;
        off += (size_t)n;
        c->pending--;
        r->done++;
    }
    memmove(c->in, c->in + off, c->in_len - off);
    c->in_len -= off;
    return c->pending > 0;
}

/* Run until `total` replies have come back; seconds taken. */
static double run_phase(struct run *r, struct conn *cs, int ep, long total)
{
    long target = r->done + total;
    double t0 = now_s();
    for (int i = 0; i < r->conns; i++) {
        send_batch(r, &cs[i]);
    }
    struct epoll_event ev[MAX_CONNS];
    int busy = r->conns;
    while (busy > 0) {
        int n = epoll_wait(ep, ev, MAX_CONNS, 10000);
        if (n <= 0) {
            if (n < 0 && errno == EINTR) {
                continue;
            }
            errno = n == 0 ? ETIMEDOUT : errno;
            die("epoll_wait");
        }
        for (int i = 0; i < n; i++) {
            struct conn *c = ev[i].data.ptr;
            if (c->pending == 0 || on_readable(r, c)) {
                continue;
            }
            if (r->done + (long)(busy - 1) * r->pipeline < target) {
                send_batch(r, c); /* more to do: keep it busy */
            } else {
                busy--;
            }
        }
    }
    return now_s() - t0;
}

/* Append one argument, "__rand_int__" replaced by the 12-digit key. */
static size_t put_arg(char *dst, const char *arg, long key)
{
    const char *at = key >= 0 ? strstr(arg, RAND_TOKEN) : NULL;
    if (at == NULL) {
        return (size_t)sprintf(dst, "$%zu\r\n%s\r\n", strlen(arg), arg);
    }
    return (size_t)sprintf(dst, "$%zu\r\n%.*s%012ld%s\r\n", strlen(arg) - strlen(RAND_TOKEN) + 12,
                           (int)(at - arg), arg, key, at + strlen(RAND_TOKEN));
}

/* Connection n's batches: P requests each as RESP, keys spread as -r
 * says. */
static void build_batches(const struct run *r, struct conn *c, int n, int nargs, char **args)
{
    long per_round = (long)r->conns * r->pipeline;
    long need = r->keyspace > 0 ? (r->keyspace + per_round - 1) / per_round : 1;
    c->nbatches = need < MAX_BATCHES ? (int)need : MAX_BATCHES;
    size_t most = 16;
    for (int k = 0; k < nargs; k++) {
        most += strlen(args[k]) + 32;
    }
    c->batch = malloc(most * (size_t)r->pipeline * (size_t)c->nbatches);
    c->batch_off = malloc(sizeof(*c->batch_off) * (size_t)(c->nbatches + 1));
    if (c->batch == NULL || c->batch_off == NULL) {
        die("memory");
    }
    size_t len = 0;
    for (int b = 0; b < c->nbatches; b++) {
        c->batch_off[b] = len;
        for (int p = 0; p < r->pipeline; p++) {
            long slot = ((long)b * r->conns + n) * r->pipeline + p;
            long key = r->keyspace > 0 ? slot % r->keyspace : -1;
            len += (size_t)sprintf(c->batch + len, "*%d\r\n", nargs);
            for (int k = 0; k < nargs; k++) {
                len += put_arg(c->batch + len, args[k], key);
            }
        }
    }
    c->batch_off[c->nbatches] = len;
}

static void usage_exit(void)
{
    fprintf(stderr, "usage: pipebench [-h host] [-p port] [-c conns] [-P pipeline] "
                    "[-n requests] [--warmup W] [-r N] -- command [args...]\n");
    exit(2);
}

static long arg_long(const char *s, long lo, long hi)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
        usage_exit();
    }
    return v;
}

int main(int argc, char **argv)
{
    struct run r = {"127.0.0.1", 6379, 50, 16, 1000000, 100000, 0, 0, 0, 0};
    int i = 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (i + 1 >= argc) {
            usage_exit();
        }
        const char *v = argv[++i];
        if (strcmp(a, "-h") == 0) {
            r.host = v;
        } else if (strcmp(a, "-p") == 0) {
            r.port = (int)arg_long(v, 1, 65535);
        } else if (strcmp(a, "-c") == 0) {
            r.conns = (int)arg_long(v, 1, MAX_CONNS);
        } else if (strcmp(a, "-P") == 0) {
            r.pipeline = (int)arg_long(v, 1, MAX_PIPELINE);
        } else if (strcmp(a, "-n") == 0) {
            r.requests = arg_long(v, 1, 1000000000L);
        } else if (strcmp(a, "--warmup") == 0) {
            r.warmup = arg_long(v, 0, 1000000000L);
        } else if (strcmp(a, "-r") == 0) {
            r.keyspace = arg_long(v, 1, 1000000000000L);
        } else {
            usage_exit();
        }
    }
    if (i >= argc) {
        usage_exit();
    }
    int ep = epoll_create1(0);
    struct conn *cs = calloc((size_t)r.conns, sizeof(*cs));
    if (ep < 0 || cs == NULL) {
        die("setup");
    }
    for (int k = 0; k < r.conns; k++) {
        build_batches(&r, &cs[k], k, argc - i, argv + i);
        cs[k].fd = connect_to(&r);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &cs[k]};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, cs[k].fd, &ev) < 0) {
            die("epoll_ctl");
        }
    }
    if (r.warmup > 0) {
        run_phase(&r, cs, ep, r.warmup);
    }
    long before = r.done;
    r.reply_bytes = 0;
    double secs = run_phase(&r, cs, ep, r.requests);
    long counted = r.done - before;
    printf("pipebench: command=%s requests=%ld seconds=%.3f rps=%.0f reply_bytes=%.1f\n",
           argv[i], counted, secs, (double)counted / secs,
           counted ? (double)r.reply_bytes / (double)counted : 0.0);
    for (int k = 0; k < r.conns; k++) {
        close(cs[k].fd);
        free(cs[k].in);
        free(cs[k].batch);
        free(cs[k].batch_off);
    }
    free(cs);
    close(ep);
    return 0;
}
