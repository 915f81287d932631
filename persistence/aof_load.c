/* aof_load.c - see aof_load.h. */
#include "persistence/aof_load.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "protocol/resp.h"
#include "server/cmd.h"
#include "server/config.h"
#include "server/handlers.h"
#include "server/log.h"
#include "server/mem.h"
#include "server/multi.h"
#include "server/server.h"

#define LOAD_CHUNK (256 * 1024)

static struct {
    char **paths;
    int n, cur;
    bool allow_truncated;
    char *manifest;
    int fd;
    char *buf;            /* buf[pos..len) is unparsed */
    size_t len, cap, pos;
    uint64_t file_off;    /* file offset of buf[0] */
    uint64_t multi_off;   /* offset of the open MULTI */
    bool eof;
    bool mid;             /* the parser holds part of a command */
    struct resp_parser parser;
    struct client fake;
    uint64_t loaded, total;
    bool active;
} ld = {.fd = -1};

static void loader_fake_client(void)
{
    struct client *c = &ld.fake;
    memset(c, 0, sizeof(*c));
    c->flags = CLIENT_AUTHENTICATED;
    c->resp = 2;
    c->db = &server.dbs[0];
    c->fd = -1;
    snprintf(c->addr, sizeof(c->addr), "AOF");
    reply_buf_init(&c->out, 2, mem_realloc);
}

int aof_loader_start(char *const *paths, int n, bool allow_truncated, const char *manifest)
{
    struct resp_limits lim = {.max_bulk_len = (uint64_t)server.cfg->proto_max_bulk_len};
    resp_parser_init(&ld.parser, &lim, mem_realloc);
    ld.paths = mem_alloc(sizeof(char *) * (size_t)(n > 0 ? n : 1));
    ld.total = 0;
    for (int i = 0; i < n; i++) {
        ld.paths[i] = mem_strdup(paths[i]);
        struct stat st;
        if (stat(paths[i], &st) == 0) {
            ld.total += (uint64_t)st.st_size;
        }
    }
    ld.n = n;
    ld.cur = -1;
    ld.allow_truncated = allow_truncated;
    ld.manifest = mem_strdup(manifest);
    ld.loaded = 0;
    ld.fd = -1;
    loader_fake_client();
    ld.active = true;
    return 0;
}

void aof_loader_progress(uint64_t *loaded, uint64_t *total)
{
    *loaded = ld.loaded;
    *total = ld.total;
}

static void loader_close_file(void)
{
    if (ld.fd >= 0) {
        close(ld.fd);
        ld.fd = -1;
    }
}

void aof_loader_end(void)
{
    if (!ld.active) {
        return;
    }
    loader_close_file();
    for (int i = 0; i < ld.n; i++) {
        mem_free(ld.paths[i]);
    }
    mem_free(ld.paths);
    mem_free(ld.manifest);
    mem_free(ld.buf);
    ld.buf = NULL;
    ld.len = ld.cap = ld.pos = 0;
    multi_reset_client(&ld.fake);
    reply_buf_deinit(&ld.fake.out);
    resp_parser_deinit(&ld.parser);
    ld.active = false;
}

static int loader_open_next(void)
{
    loader_close_file();
    ld.cur++;
    if (ld.cur >= ld.n) {
        return 1;
    }
    ld.fd = open(ld.paths[ld.cur], O_RDONLY);
    if (ld.fd < 0) {
        log_warning("Fatal error: can't open the append only file %s for reading: %s",
                    ld.paths[ld.cur], strerror(errno));
        return -EINVAL;
    }
    ld.len = ld.pos = 0;
    ld.file_off = 0;
    ld.eof = false;
    ld.mid = false;
    resp_parser_reset(&ld.parser);
    ld.fake.db_id = 0;
    ld.fake.db = &server.dbs[0];
    return 0;
}

static int loader_fill(void)
{
    if (ld.pos > 0) {
        memmove(ld.buf, ld.buf + ld.pos, ld.len - ld.pos);
        ld.len -= ld.pos;
        ld.file_off += ld.pos;
        ld.pos = 0;
    }
    size_t want = ld.parser.need > ld.len ? ld.parser.need - ld.len : 0;
    want = want > LOAD_CHUNK ? want : LOAD_CHUNK;
    struct stat st;
    if (fstat(ld.fd, &st) == 0) { /* a torn big value: no more than the file has */
        uint64_t left = (uint64_t)st.st_size > ld.file_off + ld.len
                            ? (uint64_t)st.st_size - ld.file_off - ld.len
                            : 0;
        want = want < left + 1 ? want : (size_t)left + 1;
    }
    if (ld.cap - ld.len < want) {
        ld.cap = ld.len + want;
        ld.buf = mem_realloc(ld.buf, ld.cap + 1);
    }
    ssize_t n;
    do {
        n = read(ld.fd, ld.buf + ld.len, ld.cap - ld.len);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        log_warning("Error reading the append only file %s: %s", ld.paths[ld.cur],
                    strerror(errno));
        return -EINVAL;
    }
    ld.eof = n == 0;
    ld.len += (size_t)n;
    ld.loaded += (uint64_t)n;
    return 0;
}

static int loader_bad_format(uint64_t off)
{
    log_warning("Bad file format reading the append only file %s at offset %llu: make a "
                "backup of your AOF file, then use surge-check-aof --fix %s",
                ld.paths[ld.cur], (unsigned long long)off, ld.manifest);
    return -EINVAL;
}

/* The file ended inside a command (or an open MULTI) at offset good. */
static int loader_torn_tail(uint64_t good)
{
    const char *path = ld.paths[ld.cur];
    if (ld.cur != ld.n - 1 || !ld.allow_truncated) {
        log_warning("Unexpected end of file reading the append only file %s at offset %llu. "
                    "You can: 1) Make a backup of your AOF file, then use surge-check-aof "
                    "--fix %s. 2) Alternatively you can set the 'aof-load-truncated' "
                    "configuration option to yes and restart the server.",
                    path, (unsigned long long)good, ld.manifest);
        return -EINVAL;
    }
    struct stat st;
    uint64_t size = fstat(ld.fd, &st) == 0 ? (uint64_t)st.st_size : good;
    log_warning("!!! Warning: short read while loading the AOF file %s!!!", path);
    log_warning("!!! Truncating the AOF %s at offset %llu (%llu bytes dropped) !!!", path,
                (unsigned long long)good, (unsigned long long)(size - good));
    if (truncate(path, (off_t)good) != 0) {
        log_warning("Error truncating the AOF file %s: %s", path, strerror(errno));
        return -EINVAL;
    }
    log_warning("AOF %s loaded anyway because aof-load-truncated is enabled", path);
    return 0;
}

/* Run one parsed command on the fake client. */
static int loader_run(void)
{
    struct client *c = &ld.fake;
    c->argc = ld.parser.argc;
    c->argv = ld.parser.argv;
    for (int i = 0; i < c->argc; i++) {
        c->argv[i].ptr[c->argv[i].len] = '\0';
    }
    struct command *cmd = cmd_lookup(c->argv[0].ptr, c->argv[0].len);
    if (cmd == NULL) {
        log_warning("Unknown command '%.64s' reading the append only file %s", c->argv[0].ptr,
                    ld.paths[ld.cur]);
        return -EINVAL;
    }
    const struct command *run = cmd;
    if ((cmd->flags & CMD_CONTAINER) && c->argc >= 2) {
        run = cmd_lookup_sub(cmd, c->argv[1].ptr, c->argv[1].len);
    }
    if (run == NULL || (run->arity > 0 && c->argc != run->arity) || c->argc < -run->arity) {
        log_warning("Wrong arguments for '%.64s' reading the append only file %s",
                    c->argv[0].ptr, ld.paths[ld.cur]);
        return -EINVAL;
    }
    if (run->fn == cmd_multi) {
        ld.multi_off = ld.file_off + ld.pos;
    }
    c->cmd = run;
    if (!((c->flags & CLIENT_MULTI) && multi_maybe_queue(c, run))) {
        cmd_call(c, run);
    }
    c->out.len = 0;
    c->argc = 0;
    c->argv = NULL;
    return 0;
}

/* Parse and run what the buffer holds; 1 at the end of the file. */
static int loader_parse(int64_t deadline_us)
{
    for (int k = 0;; k++) {
        if ((k & 255) == 255 && server_ustime() >= deadline_us) {
            return 0;
        }
        int rc = RESP_NEED_MORE;
        size_t used = 0;
        if (ld.pos < ld.len && !ld.mid && ld.buf[ld.pos] == '#') {
            /* An annotation line (#TS:...): skip it whole. */
            char *nl = memchr(ld.buf + ld.pos, '\n', ld.len - ld.pos);
            if (nl != NULL) {
                ld.pos = (size_t)(nl - ld.buf) + 1;
                continue;
            }
        } else if (ld.pos < ld.len && !ld.mid && ld.buf[ld.pos] != '*') {
            return loader_bad_format(ld.file_off + ld.pos);
        } else if (ld.pos < ld.len) {
            rc = resp_parse(&ld.parser, ld.buf + ld.pos, ld.len - ld.pos, &used);
            ld.mid = rc == RESP_NEED_MORE;
        }
        if (rc == RESP_ERROR) {
            return loader_bad_format(ld.file_off + ld.pos);
        }
        if (rc == RESP_NEED_MORE) {
            if (ld.eof) {
                return 1;
            }
            int frc = loader_fill();
            if (frc < 0) {
                return frc;
            }
            continue;
        }
        if (ld.parser.argc > 0) {
            int r = loader_run();
            if (r < 0) {
                return r;
            }
        }
        ld.pos += used;
    }
}

/* The current file ended: a partial command or an open MULTI is a torn
 * tail. */
static int loader_file_done(void)
{
    uint64_t good = ld.file_off + ld.pos;
    bool partial = ld.pos < ld.len;
    if (ld.fake.flags & CLIENT_MULTI) {
        log_warning("Revert incomplete MULTI/EXEC transaction in AOF file %s", ld.paths[ld.cur]);
        multi_reset_client(&ld.fake);
        good = ld.multi_off;
        partial = true;
    }
    if (partial) {
        int rc = loader_torn_tail(good);
        if (rc < 0) {
            return rc;
        }
    }
    return 0;
}

int aof_loader_step(int64_t deadline_us)
{
    while (server_ustime() < deadline_us) {
        if (ld.fd < 0) {
            int rc = loader_open_next();
            if (rc != 0) {
                return rc;
            }
        }
        int rc = loader_parse(deadline_us);
        if (rc < 0) {
            return rc;
        }
        if (rc == 0) {
            return 0;
        }
        if ((rc = loader_file_done()) < 0) {
            return rc;
        }
        loader_close_file();
        if (ld.cur == ld.n - 1) {
            return 1;
        }
    }
    return 0;
}
