/* aof.c - see aof.h. */
#include "persistence/aof.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "persistence/aof_load.h"
#include "persistence/aof_manifest.h"
#include "persistence/aof_rewrite.h"
#include "server/config.h"
#include "server/log.h"
#include "server/mem.h"
#include "server/propagate.h"
#include "server/server.h"
#include "server/util.h"

#define AOF_POSTPONE_MAX_MS 2000
/* appendfsync always moves its fsync off the loop when fsyncs take longer
 * than this (and back below the lower mark). */
#define AOF_OFFLOOP_FSYNC_US 1000
#define AOF_INLINE_FSYNC_US 300
#define AOF_LOAD_LOG_MS 3000

/* The fsync thread: fdatasync(fd) for batches up to `want`. */
struct aof_bio {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int fd;
    unsigned long long want, done;
    bool busy, stop, started, again;
    long long last_us; /* duration of the last fsync */
    int err;
    uv_async_t async;
};

static struct {
    bool on;                   /* files open, the stream is written */
    int fd;                    /* current incremental file */
    struct aof_manifest mf;
    char *dirpath;             /* <dir>/<appenddirname> */
    struct reply_buf buf;      /* bytes not yet written */
    unsigned long long buf_batch;  /* the newest batch in buf */
    unsigned long long written;    /* batches fully in the file */
    long long incr_size;       /* bytes in the current incremental file */
    long long base_size;       /* the base plus older incrementals at open */
    long long rewrite_base_size; /* total size after the last rewrite */
    int64_t last_fsync_ms;
    int64_t postponed_since_ms;
    unsigned long long delayed_fsync;
    int write_errno;           /* last write error, 0 when fine */
    int64_t last_ts_annotated;
    /* rewrite */
    pid_t child;
    int64_t child_start_ms;
    long long rewrite_last_secs;
    int rewrite_ok;            /* last bgrewrite status */
    bool rewrite_scheduled;
    unsigned long long rewrites, rewrite_failures;
    long long child_incr_seq;  /* first incremental written during it */
    bool wait_rewrite;         /* turned on at runtime: no base yet */
    bool enable_pending;       /* CONFIG SET appendonly yes inside EXEC */
    int64_t fsync_ewma_us;     /* recent fsync duration */
    bool fsync_offloop;        /* always: sync on the thread (slow disk) */
    /* loading */
    int64_t load_start_ms, load_last_log_ms;
    struct aof_bio bio;
} aof = {.fd = -1, .rewrite_ok = 1, .child = -1, .rewrite_last_secs = -1};

static void aof_note_fsync_us(int64_t us);
static char *aof_temp_incr_name(void);
static int aof_enable_now(const char **err);

static enum aof_fsync aof_policy(void)
{
    return (enum aof_fsync)server.cfg->appendfsync;
}

/* ---- paths ---- */

static char *aof_path(const char *name)
{
    size_t n = strlen(aof.dirpath) + strlen(name) + 2;
    char *p = mem_alloc(n);
    snprintf(p, n, "%s/%s", aof.dirpath, name);
    return p;
}

static int aof_make_dir(void)
{
    mem_free(aof.dirpath);
    aof.dirpath = mem_strdup(server.cfg->appenddirname);
    if (mkdir(aof.dirpath, 0755) != 0 && errno != EEXIST) {
        int e = errno;
        log_warning("Can't open or create append-only dir %s: %s", aof.dirpath, strerror(e));
        return -e;
    }
    return 0;
}

/* ---- the fsync thread ---- */

static void *aof_bio_main(void *arg)
{
    (void)arg;
    struct aof_bio *b = &aof.bio;
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (!b->stop && b->want == b->done && !b->again) {
            pthread_cond_wait(&b->cv, &b->mu);
        }
        if (b->stop && b->want == b->done && !b->again) {
            break;
        }
        b->again = false;
        b->busy = true;
        unsigned long long target = b->want; /* all written before the sync */
        int fd = b->fd;
        pthread_mutex_unlock(&b->mu);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int rc = fdatasync(fd) == 0 ? 0 : errno;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        pthread_mutex_lock(&b->mu);
        b->last_us = (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000;
        b->busy = false;
        b->done = target;
        b->err = rc;
        pthread_cond_broadcast(&b->cv);
        uv_async_send(&b->async);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

static void aof_fsync_failed(int err)
{
    log_warning("Can't persist AOF for fsync error when the AOF fsync policy is 'always': %s. "
                "Exiting...",
                strerror(err));
    exit(1);
}

/* On the loop: an fsync finished; release the replies it covers. */
static void aof_bio_on_done(uv_async_t *h)
{
    (void)h;
    struct aof_bio *b = &aof.bio;
    pthread_mutex_lock(&b->mu);
    unsigned long long done = b->done;
    int err = b->err;
    long long last_us = b->last_us;
    pthread_mutex_unlock(&b->mu);
    aof_note_fsync_us(last_us);
    if (err != 0) {
        if (aof_policy() == AOF_FSYNC_ALWAYS) {
            aof_fsync_failed(err);
        }
        log_warning("Error fsyncing the AOF file: %s", strerror(err));
        return;
    }
    aof.last_fsync_ms = server.now_ms;
    if (aof_policy() == AOF_FSYNC_ALWAYS) {
        prop_mark_durable(done);
    }
}

static void aof_bio_start(void)
{
    struct aof_bio *b = &aof.bio;
    if (b->started) {
        return;
    }
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    uv_async_init(server.loop, &b->async, aof_bio_on_done);
    uv_unref((uv_handle_t *)&b->async);
    b->started = true;
    pthread_create(&b->thread, NULL, aof_bio_main, NULL);
}

static void aof_bio_request(unsigned long long batch)
{
    struct aof_bio *b = &aof.bio;
    pthread_mutex_lock(&b->mu);
    b->fd = aof.fd;
    if (batch > b->want) {
        b->want = batch;
    } else {
        b->again = true; /* everysec: sync again even without a new batch */
    }
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

static bool aof_bio_busy(void)
{
    struct aof_bio *b = &aof.bio;
    if (!b->started) {
        return false;
    }
    pthread_mutex_lock(&b->mu);
    bool busy = b->busy || b->want != b->done || b->again;
    pthread_mutex_unlock(&b->mu);
    return busy;
}

/* Wait until the thread is idle (before the fd changes). */
static void aof_bio_drain(void)
{
    struct aof_bio *b = &aof.bio;
    if (!b->started) {
        return;
    }
    pthread_mutex_lock(&b->mu);
    while (b->busy || b->want != b->done || b->again) {
        pthread_cond_wait(&b->cv, &b->mu);
    }
    pthread_mutex_unlock(&b->mu);
}

static void aof_bio_stop(void)
{
    struct aof_bio *b = &aof.bio;
    if (!b->started) {
        return;
    }
    pthread_mutex_lock(&b->mu);
    b->stop = true;
    pthread_cond_signal(&b->cv);
    pthread_mutex_unlock(&b->mu);
    pthread_join(b->thread, NULL);
    b->started = false;
    b->stop = false;
}

/* ---- slow file work off the loop: fsync+close old files, unlinks ---- */

struct aof_chore {
    int fd;      /* >= 0: fsync and close it */
    char *path;  /* != NULL: unlink it */
    struct aof_chore *next;
};

static struct {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct aof_chore *head, *tail;
    bool started, stop;
} chores;

static void *aof_chores_main(void *arg)
{
    (void)arg;
    mem_thread_register();
    pthread_mutex_lock(&chores.mu);
    for (;;) {
        while (!chores.stop && chores.head == NULL) {
            pthread_cond_wait(&chores.cv, &chores.mu);
        }
        struct aof_chore *c = chores.head;
        if (c == NULL) {
            break;
        }
        chores.head = c->next;
        if (chores.head == NULL) {
            chores.tail = NULL;
        }
        pthread_mutex_unlock(&chores.mu);
        if (c->fd >= 0) {
            fsync(c->fd);
            close(c->fd);
        }
        if (c->path != NULL) {
            unlink(c->path);
        }
        mem_free(c->path);
        mem_free(c);
        pthread_mutex_lock(&chores.mu);
        pthread_cond_broadcast(&chores.cv);
    }
    pthread_mutex_unlock(&chores.mu);
    return NULL;
}

/* Queue a chore (takes path); done inline if the thread can't start. */
static void aof_chore_add(int fd, char *path)
{
    if (!chores.started) {
        pthread_mutex_init(&chores.mu, NULL);
        pthread_cond_init(&chores.cv, NULL);
        chores.started = pthread_create(&chores.thread, NULL, aof_chores_main, NULL) == 0;
    }
    if (!chores.started) {
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
        if (path != NULL) {
            unlink(path);
        }
        mem_free(path);
        return;
    }
    struct aof_chore *c = mem_calloc(sizeof(*c));
    c->fd = fd;
    c->path = path;
    pthread_mutex_lock(&chores.mu);
    if (chores.tail != NULL) {
        chores.tail->next = c;
    } else {
        chores.head = c;
    }
    chores.tail = c;
    pthread_cond_signal(&chores.cv);
    pthread_mutex_unlock(&chores.mu);
}

/* Finish every queued chore and stop the thread (shutdown). */
static void aof_chores_stop(void)
{
    if (!chores.started) {
        return;
    }
    pthread_mutex_lock(&chores.mu);
    chores.stop = true;
    pthread_cond_signal(&chores.cv);
    pthread_mutex_unlock(&chores.mu);
    pthread_join(chores.thread, NULL);
    chores.started = false;
    chores.stop = false;
}

/* ---- writing ---- */

/* Fold one fsync duration into the running estimate (1/8 weight). */
static void aof_note_fsync_us(int64_t us)
{
    aof.fsync_ewma_us += (us - aof.fsync_ewma_us) / 8;
    aof.fsync_offloop = aof.fsync_offloop ? aof.fsync_ewma_us > AOF_INLINE_FSYNC_US
                                          : aof.fsync_ewma_us > AOF_OFFLOOP_FSYNC_US;
}

/* appendfsync always: a fast disk is synced inline (one fsync per loop
 * iteration batches every writer of the iteration, as Redis does, and
 * avoids two thread hand-offs per batch); a slow one on the fsync thread,
 * so the loop keeps serving other clients while the batch syncs. */
static void aof_fsync_always(void)
{
    int where = server.cfg->aof_fsync_thread;
    bool offloop = where == AOF_THREAD_YES || (where == AOF_THREAD_AUTO && aof.fsync_offloop);
    if (offloop || aof_bio_busy()) {
        aof_bio_request(aof.written);
        return;
    }
    int64_t t0 = server_ustime();
    if (fdatasync(aof.fd) != 0) {
        aof_fsync_failed(errno);
    }
    aof_note_fsync_us(server_ustime() - t0);
    aof.last_fsync_ms = server.now_ms;
    prop_mark_durable(aof.written);
}

static bool aof_fsync_suppressed(void)
{
    return aof.child > 0 && server.cfg->no_appendfsync_on_rewrite;
}

/* Write aof.buf; true when all of it is in the file. A failure keeps the
 * unwritten bytes for the next try. */
static bool aof_write_buf(void)
{
    size_t off = 0;
    while (off < aof.buf.len) {
        ssize_t n = write(aof.fd, aof.buf.data + off, aof.buf.len - off);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            int e = n < 0 ? errno : ENOSPC;
            if (aof.write_errno == 0) {
                log_warning("Error writing to the AOF file: %s", strerror(e));
            }
            aof.write_errno = e;
            break;
        }
        off += (size_t)n;
        aof.incr_size += n;
    }
    if (off > 0) {
        memmove(aof.buf.data, aof.buf.data + off, aof.buf.len - off);
        aof.buf.len -= off;
    }
    if (aof.buf.len > 0) {
        return false;
    }
    if (aof.write_errno != 0) {
        log_warning("AOF write error looks solved, Surge can write again.");
        aof.write_errno = 0;
    }
    aof.written = aof.buf_batch;
    return true;
}

static void aof_annotate_time(void)
{
    int64_t now = server.now_ms / 1000;
    if (server.cfg->aof_timestamp_enabled && now != aof.last_ts_annotated) {
        char line[64];
        int n = snprintf(line, sizeof(line), "#TS:%lld\r\n", (long long)now);
        reply_raw(&aof.buf, line, (size_t)n);
        aof.last_ts_annotated = now;
    }
}

bool aof_feed(const char *p, size_t len, unsigned long long batch)
{
    if (!aof.on) {
        return false;
    }
    aof_annotate_time();
    reply_raw(&aof.buf, p, len);
    aof.buf_batch = batch;
    return aof_policy() == AOF_FSYNC_ALWAYS; /* only always holds replies */
}


static void aof_flush(bool force)
{
    if (aof.buf.len == 0) {
        return;
    }
    enum aof_fsync policy = aof_policy();
    if (policy == AOF_FSYNC_EVERYSEC && !force && aof_bio_busy()) {
        /* The disk is slow: postpone the write as Redis does, at most 2s. */
        if (aof.postponed_since_ms == 0) {
            aof.postponed_since_ms = server.now_ms;
            return;
        }
        if (server.now_ms - aof.postponed_since_ms < AOF_POSTPONE_MAX_MS) {
            return;
        }
        aof.delayed_fsync++;
        log_notice("Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF "
                   "buffer without waiting for fsync to complete, this may slow down Surge.");
    }
    aof.postponed_since_ms = 0;
    if (!aof_write_buf()) {
        return;
    }
    if (policy == AOF_FSYNC_ALWAYS && !aof_fsync_suppressed()) {
        aof_fsync_always();
    } else if (policy == AOF_FSYNC_ALWAYS) {
        prop_mark_durable(aof.written); /* no-appendfsync-on-rewrite */
    }
}

void aof_before_replies(void)
{
    prop_flush();
    if (aof.on) {
        aof_flush(false);
    }
}

bool aof_is_complete(void)
{
    return aof.on && !aof.wait_rewrite && aof.buf.len == 0;
}

const char *aof_write_error(void)
{
    return aof.on && aof.write_errno != 0 ? strerror(aof.write_errno) : NULL;
}

/* ---- files and the manifest ---- */

static char *aof_file_name(const char *kind, long long seq)
{
    char buf[1100];
    snprintf(buf, sizeof(buf), "%s.%lld.%s.aof", server.cfg->appendfilename, seq, kind);
    return mem_strdup(buf);
}

static char *aof_manifest_name(void)
{
    char buf[1100];
    snprintf(buf, sizeof(buf), "%s.manifest", server.cfg->appendfilename);
    return mem_strdup(buf);
}

/* Write content to <dir>/name atomically: temp file, fsync, rename, fsync
 * the directory. */
static int aof_write_atomic(const char *name, const char *content, size_t len)
{
    char tmpname[1200];
    snprintf(tmpname, sizeof(tmpname), "temp-%s", name);
    char *tmp = aof_path(tmpname), *dst = aof_path(name);
    int rc = util_write_file_atomic(dst, tmp, content, len);
    if (rc < 0) {
        log_warning("Can't persist %s: %s", name, strerror(-rc));
    }
    mem_free(tmp);
    mem_free(dst);
    return rc;
}

static int aof_persist_manifest(const struct aof_manifest *m)
{
    size_t len;
    char *text = aof_manifest_text(m, &len);
    char *name = aof_manifest_name();
    int rc = aof_write_atomic(name, text, len);
    mem_free(text);
    mem_free(name);
    return rc;
}

static long long aof_file_size(const char *name)
{
    char *p = aof_path(name);
    struct stat st;
    long long size = stat(p, &st) == 0 ? (long long)st.st_size : 0;
    mem_free(p);
    return size;
}

/* Open (create) the newest incremental file for appending. */
static int aof_open_incr(const char *name)
{
    char *p = aof_path(name);
    int fd = open(p, O_WRONLY | O_APPEND | O_CREAT, 0644);
    int e = errno;
    mem_free(p);
    if (fd < 0) {
        log_warning("Can't open the append-only file %s: %s", name, strerror(e));
        return -e;
    }
    aof.fd = fd;
    aof.incr_size = aof_file_size(name);
    int db = prop_stream_db();
    if (db >= 0) { /* the file must say which db the stream is in */
        char sel[64];
        int n = snprintf(sel, sizeof(sel), "*2\r\n$6\r\nSELECT\r\n$%d\r\n%d\r\n",
                         db < 10 ? 1 : db < 100 ? 2 : db < 1000 ? 3 : 4, db);
        if (write(fd, sel, (size_t)n) == n) {
            aof.incr_size += n;
        }
    }
    return 0;
}

static long long aof_total_size(const struct aof_manifest *m)
{
    long long total = 0;
    for (int i = 0; i < m->n; i++) {
        if (m->files[i].type != 'h') {
            total += aof_file_size(m->files[i].name);
        }
    }
    return total;
}

static const char *aof_last_incr(const struct aof_manifest *m)
{
    const char *name = NULL;
    for (int i = 0; i < m->n; i++) {
        if (m->files[i].type == 'i') {
            name = m->files[i].name;
        }
    }
    return name;
}

/* Start writing: open the last incremental (adding one if there is none). */
static int aof_start_writing(void)
{
    const char *last = aof_last_incr(&aof.mf);
    if (last == NULL) {
        char *name = aof_file_name("incr", aof.mf.incr_seq + 1);
        aof_manifest_add(&aof.mf, name, aof.mf.incr_seq + 1, 'i');
        mem_free(name);
        int rc = aof_persist_manifest(&aof.mf);
        if (rc < 0) {
            return rc;
        }
        last = aof_last_incr(&aof.mf);
    }
    int rc = aof_open_incr(last);
    if (rc < 0) {
        return rc;
    }
    aof.base_size = aof_total_size(&aof.mf) - aof.incr_size;
    if (aof.rewrite_base_size == 0) {
        aof.rewrite_base_size = aof.base_size + aof.incr_size;
    }
    reply_buf_init(&aof.buf, 2, mem_realloc);
    aof_bio_start();
    aof.on = true;
    prop_enable(PROP_AOF, true);
    return 0;
}

static void aof_stop_writing(void)
{
    if (!aof.on) {
        return;
    }
    prop_flush();
    aof_write_buf();
    aof_bio_drain();
    if (aof.fd >= 0) {
        fsync(aof.fd);
        close(aof.fd);
        aof.fd = -1;
    }
    /* The AOF is off: nothing waits for it any more (even bytes a failing
     * disk never took). */
    prop_mark_durable(aof.buf_batch);
    reply_buf_deinit(&aof.buf);
    aof.on = false;
    prop_enable(PROP_AOF, false);
    if (aof.wait_rewrite) {
        char *tname = aof_temp_incr_name(), *tp = aof_path(tname);
        unlink(tp);
        mem_free(tname);
        mem_free(tp);
    }
}

/* Read the manifest; 1 if there is none, 0, or <0 after logging. */
static int aof_read_manifest(void)
{
    aof_manifest_free(&aof.mf);
    aof_manifest_init(&aof.mf);
    char *name = aof_manifest_name(), *path = aof_path(name);
    mem_free(name);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        int e = errno;
        mem_free(path);
        return e == ENOENT ? 1 : -e;
    }
    struct reply_buf b;
    reply_buf_init(&b, 2, mem_realloc);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        reply_raw(&b, chunk, n);
    }
    fclose(f);
    char err[128];
    int rc = aof_manifest_parse(&aof.mf, b.data != NULL ? b.data : "", b.len, err, sizeof(err));
    reply_buf_deinit(&b);
    if (rc < 0) {
        log_warning("%s: %s", path, err);
    }
    mem_free(path);
    return rc;
}

/* ---- loading ---- */

static int aof_begin_load(void)
{
    char *paths[256];
    int n = 0;
    for (int i = 0; i < aof.mf.n && n < 256; i++) {
        if (aof.mf.files[i].type != 'h') {
            paths[n++] = aof_path(aof.mf.files[i].name);
        }
    }
    char *mname = aof_manifest_name(), *mpath = aof_path(mname);
    aof_loader_start(paths, n, server.cfg->aof_load_truncated, mpath);
    for (int i = 0; i < n; i++) {
        mem_free(paths[i]);
    }
    mem_free(mname);
    mem_free(mpath);
    server.loading = 1;
    aof.load_start_ms = aof.load_last_log_ms = server_mstime();
    return 0;
}

int aof_load_step(int64_t budget_us)
{
    int rc = aof_loader_step(server_ustime() + budget_us);
    int64_t now = server_mstime();
    if (rc == 0 && now - aof.load_last_log_ms >= AOF_LOAD_LOG_MS) {
        uint64_t done, total;
        aof_loader_progress(&done, &total);
        log_notice("Loading the append only file: %llu of %llu bytes (%.2f%%)",
                   (unsigned long long)done, (unsigned long long)total,
                   total ? 100.0 * (double)done / (double)total : 100.0);
        aof.load_last_log_ms = now;
    }
    if (rc == 0) {
        return 0;
    }
    aof_loader_end();
    server.loading = 0;
    if (rc < 0) {
        return rc;
    }
    server.dirty = 0;
    log_notice("DB loaded from append only file: %.3f seconds",
               (double)(now - aof.load_start_ms) / 1000.0);
    server_update_time();
    return aof_start_writing() < 0 ? -EIO : 1;
}

/* A new AOF: an empty base, the first incremental, the manifest. */
static int aof_create_fresh(void)
{
    aof_manifest_free(&aof.mf);
    aof_manifest_init(&aof.mf);
    char *base = aof_file_name("base", 1);
    int rc = aof_write_atomic(base, "", 0);
    if (rc == 0) {
        log_notice("Creating AOF base file %s on server start", base);
        aof_manifest_add(&aof.mf, base, 1, 'b');
    }
    mem_free(base);
    return rc < 0 ? rc : aof_start_writing();
}

/* Temp files a crash left behind (rewrites, manifests in progress). */
static void aof_remove_temp_files(void)
{
    DIR *d = opendir(aof.dirpath);
    struct dirent *de;
    while (d != NULL && (de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "temp-", 5) == 0) {
            char *p = aof_path(de->d_name);
            log_notice("Removing the stale temp file %s", p);
            unlink(p);
            mem_free(p);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
}

int aof_startup(void)
{
    signal(SIGXFSZ, SIG_IGN); /* a file size limit is a write error, not death */
    if (!server.cfg->appendonly) {
        return 0;
    }
    int rc = aof_make_dir();
    if (rc < 0) {
        return rc;
    }
    aof_remove_temp_files();
    rc = aof_read_manifest();
    if (rc < 0) {
        return rc;
    }
    if (rc == 1 || aof.mf.n == 0) {
        return aof_create_fresh();
    }
    return aof_begin_load();
}

/* ---- rewrite ---- */

/* One rewrite runs at a time (a child, or DEBUG RELOAD in-process). */
static char *aof_temp_rewrite_name(void)
{
    return aof_path("temp-rewriteaof-bg.aof");
}

static char *aof_temp_incr_name(void)
{
    char buf[1100];
    snprintf(buf, sizeof(buf), "temp-%s.incr", server.cfg->appendfilename);
    return mem_strdup(buf);
}

/* Make every batch written so far durable, synchronously (rare: before
 * the file changes). */
static void aof_sync_now(void)
{
    prop_flush();
    aof_write_buf();
    aof_bio_drain();
    if (aof.fd >= 0 && aof.buf.len == 0) {
        if (fdatasync(aof.fd) != 0) {
            aof_fsync_failed(errno);
        }
        prop_mark_durable(aof.written);
        aof.last_fsync_ms = server.now_ms;
    }
}

/* Writes from now on go to a new incremental file: listed in the manifest,
 * or a temp file while the AOF is being turned on (no base yet). */
static int aof_switch_incr(void)
{
    if (aof_policy() == AOF_FSYNC_ALWAYS) {
        aof_sync_now(); /* held replies must not wait on a closed file */
    } else {
        prop_flush();
        aof_write_buf();
        aof_bio_drain();
    }
    if (aof.buf.len > 0) {
        return -EIO;
    }
    int oldfd = aof.fd;
    long long seq = aof.mf.incr_seq + 1;
    char *name = aof.wait_rewrite ? aof_temp_incr_name() : aof_file_name("incr", seq);
    if (aof.wait_rewrite) {
        char *p = aof_path(name);
        unlink(p); /* a leftover of an earlier failed attempt */
        mem_free(p);
    }
    int rc = aof_open_incr(name);
    if (rc == 0 && !aof.wait_rewrite) {
        aof_manifest_add(&aof.mf, name, seq, 'i');
        rc = aof_persist_manifest(&aof.mf);
    }
    mem_free(name);
    if (rc < 0) {
        if (aof.fd != oldfd) {
            close(aof.fd);
        }
        aof.fd = oldfd;
        return rc;
    }
    if (oldfd >= 0 && oldfd != aof.fd) {
        aof_chore_add(oldfd, NULL); /* fsync + close off the loop */
    }
    aof.child_incr_seq = seq;
    return 0;
}

int aof_rewrite_background(const char **err)
{
    if (aof.child > 0) {
        *err = "ERR Background append only file rewriting already in progress";
        return -EBUSY;
    }
    if (aof_make_dir() < 0) {
        *err = "ERR Can't create the append only dir";
        return -EIO;
    }
    if (!aof.on && aof_read_manifest() < 0) {
        aof_manifest_init(&aof.mf); /* unreadable: a fresh numbering */
    }
    if (prop_in_exec()) {
        /* A transaction must not be split between two files: after it. */
        aof.rewrite_scheduled = true;
        return 0;
    }
    if (aof.on && aof_switch_incr() < 0) {
        *err = "ERR Can't open a new AOF incremental file: see the log";
        aof.rewrite_ok = 0;
        return -EIO;
    }
    char *tmp = aof_temp_rewrite_name();
    pid_t pid = aof_rewrite_fork(tmp, server.cfg->aof_rewrite_incremental_fsync);
    mem_free(tmp);
    if (pid < 0) {
        *err = "ERR Can't rewrite append only file in background: fork failed";
        aof.rewrite_ok = 0;
        return pid;
    }
    aof.child = pid;
    aof.child_start_ms = server.now_ms;
    aof.rewrite_scheduled = false;
    log_notice("Background append only file rewriting started by pid %d", (int)pid);
    return 0;
}

/* The child wrote a new base: install it and switch the manifest. */
static int aof_install_base(void)
{
    char *tmp = aof_temp_rewrite_name();
    long long bseq = aof.mf.base_seq + 1;
    char *base = aof_file_name("base", bseq), *dst = aof_path(base);
    int rc = rename(tmp, dst) == 0 ? 0 : -errno;
    mem_free(tmp);
    mem_free(dst);
    struct aof_manifest next;
    aof_manifest_init(&next);
    aof_manifest_add(&next, base, bseq, 'b');
    next.incr_seq = aof.mf.incr_seq;
    if (rc == 0 && aof.on && aof.wait_rewrite) {
        char *tname = aof_temp_incr_name(), *from = aof_path(tname);
        long long seq = aof.mf.incr_seq + 1;
        char *iname = aof_file_name("incr", seq), *to = aof_path(iname);
        rc = rename(from, to) == 0 ? 0 : -errno;
        aof_manifest_add(&next, iname, seq, 'i');
        mem_free(tname);
        mem_free(from);
        mem_free(iname);
        mem_free(to);
    } else if (rc == 0) {
        for (int i = 0; i < aof.mf.n; i++) {
            const struct aof_file *f = &aof.mf.files[i];
            if (f->type == 'i' && aof.on && f->seq >= aof.child_incr_seq) {
                aof_manifest_add(&next, f->name, f->seq, 'i');
            }
        }
    }
    if (rc == 0) {
        rc = util_fsync_dir(aof.dirpath);
    }
    if (rc == 0) {
        rc = aof_persist_manifest(&next);
    }
    if (rc < 0) {
        log_warning("Can't install the rewritten AOF base %s: %s", base, strerror(-rc));
        aof_manifest_free(&next);
        mem_free(base);
        return rc;
    }
    /* The old files are history now: delete them. */
    for (int i = 0; i < aof.mf.n; i++) {
        const struct aof_file *f = &aof.mf.files[i];
        bool kept = false;
        for (int j = 0; j < next.n; j++) {
            kept = kept || strcmp(next.files[j].name, f->name) == 0;
        }
        if (!kept) {
            aof_chore_add(-1, aof_path(f->name)); /* big unlinks take a while */
        }
    }
    aof_manifest_free(&aof.mf);
    aof.mf = next;
    aof.wait_rewrite = false;
    aof.base_size = aof_file_size(base);
    aof.rewrite_base_size = aof_total_size(&aof.mf);
    mem_free(base);
    return 0;
}

static void aof_child_done(int status)
{
    aof.child = -1;
    aof.rewrite_last_secs = (server.now_ms - aof.child_start_ms) / 1000;
    bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (ok && aof_install_base() == 0) {
        log_notice("Background AOF rewrite finished successfully");
        aof.rewrite_ok = 1;
        aof.rewrites++;
        aof.rewrite_failures = 0;
        return;
    }
    char *tmp = aof_temp_rewrite_name();
    unlink(tmp);
    mem_free(tmp);
    log_warning("Background AOF rewrite terminated with error");
    aof.rewrite_ok = 0;
    aof.rewrite_failures++;
    if (aof.wait_rewrite) {
        aof.rewrite_scheduled = true; /* turning the AOF on: try again */
    }
}

static void aof_check_child(void)
{
    if (aof.child <= 0) {
        return;
    }
    int status;
    pid_t r = waitpid(aof.child, &status, WNOHANG);
    if (r == aof.child) {
        aof_child_done(status);
    }
}

static void aof_maybe_auto_rewrite(void)
{
    long long pct = server.cfg->auto_aof_rewrite_percentage;
    long long total = aof.base_size + aof.incr_size;
    if (!aof.on || aof.child > 0 || pct <= 0 || total < server.cfg->auto_aof_rewrite_min_size) {
        return;
    }
    long long base = aof.rewrite_base_size > 0 ? aof.rewrite_base_size : 1;
    if ((total - base) * 100 / base >= pct) {
        log_notice("Starting automatic rewriting of AOF on %lld%% growth",
                   (total - base) * 100 / base);
        const char *err;
        aof_rewrite_background(&err);
    }
}

void aof_cron(void)
{
    aof_check_child();
    if (aof.enable_pending && !prop_in_exec()) {
        const char *err;
        aof.enable_pending = false;
        aof_enable_now(&err);
    }
    if (aof.rewrite_scheduled && aof.child <= 0) {
        const char *err;
        aof_rewrite_background(&err);
    }
    if (!aof.on) {
        return;
    }
    prop_flush();
    aof_flush(false);
    if (aof_policy() == AOF_FSYNC_EVERYSEC && aof.buf.len == 0 &&
        server.now_ms - aof.last_fsync_ms >= 1000 && !aof_bio_busy() &&
        !aof_fsync_suppressed()) {
        aof_bio_request(aof.written);
        aof.last_fsync_ms = server.now_ms;
    }
    aof_maybe_auto_rewrite();
}

static void aof_kill_child(void)
{
    if (aof.child <= 0) {
        return;
    }
    log_notice("Killing running AOF rewrite child: %d", (int)aof.child);
    char *tmp = aof_temp_rewrite_name();
    aof_rewrite_kill(aof.child, tmp);
    mem_free(tmp);
    aof.child = -1;
}

int aof_apply_enabled(bool on, const char **err)
{
    aof.enable_pending = false;
    if (on == (aof.on || aof.wait_rewrite)) {
        return 0;
    }
    aof_kill_child(); /* its view predates this change */
    if (!on) {
        aof_stop_writing();
        aof.wait_rewrite = false;
        return 0;
    }
    if (prop_in_exec()) {
        aof.enable_pending = true; /* after the transaction (cron) */
        return 0;
    }
    return aof_enable_now(err);
}

static int aof_enable_now(const char **err)
{
    if (aof_make_dir() < 0) {
        *err = "can't create the append only dir";
        return -EIO;
    }
    int rc = aof_read_manifest();
    if (rc < 0) {
        *err = "the AOF manifest is invalid";
        return rc;
    }
    /* Writes go to a temp incremental until the rewrite has made a base. */
    aof.wait_rewrite = true;
    char *tname = aof_temp_incr_name(), *tpath = aof_path(tname);
    unlink(tpath); /* left by an earlier attempt: stale */
    mem_free(tpath);
    rc = aof_open_incr(tname);
    mem_free(tname);
    if (rc < 0) {
        aof.wait_rewrite = false;
        *err = "can't open the append only file";
        return rc;
    }
    reply_buf_init(&aof.buf, 2, mem_realloc);
    aof_bio_start();
    aof.on = true;
    prop_enable(PROP_AOF, true);
    aof.child_incr_seq = aof.mf.incr_seq + 1;
    const char *ignored;
    if (aof_rewrite_background(&ignored) < 0) {
        aof.rewrite_scheduled = true; /* the cron tries again */
    }
    return 0;
}

void aof_shutdown(void)
{
    aof_kill_child();
    if (aof.on) {
        log_notice("Calling fsync() on the AOF file.");
    }
    aof_stop_writing();
    aof_bio_stop();
    aof_chores_stop();
    if (aof.bio.async.loop != NULL && !uv_is_closing((uv_handle_t *)&aof.bio.async)) {
        uv_close((uv_handle_t *)&aof.bio.async, NULL);
    }
    aof_manifest_free(&aof.mf);
    mem_free(aof.dirpath);
    aof.dirpath = NULL;
}

/* ---- DEBUG LOADAOF / RELOAD ---- */

static int aof_load_all(void)
{
    for (int i = 0; i < server.ndbs; i++) {
        db_flush(&server.dbs[i], false);
    }
    aof_begin_load();
    int rc;
    while ((rc = aof_loader_step(server_ustime() + 1000000)) == 0) {
    }
    aof_loader_end();
    server.loading = 0;
    server_update_time();
    return rc < 0 ? rc : 0;
}

int aof_debug_loadaof(const char **err)
{
    if (!aof.on || aof.wait_rewrite) {
        *err = "ERR the append only file is not on";
        return -EINVAL;
    }
    aof_sync_now();
    if (aof.buf.len > 0 || aof_load_all() < 0) {
        *err = "ERR Error loading the AOF, check server logs.";
        return -EIO;
    }
    return 0;
}

int aof_debug_reload(const char **err)
{
    if (!aof.on || aof.wait_rewrite || aof.child > 0) {
        *err = !aof.on ? "ERR the append only file is not on"
                       : "ERR Background append only file rewriting already in progress";
        return -EINVAL;
    }
    if (aof_switch_incr() < 0) {
        *err = "ERR Error trying to rewrite the AOF, check server logs.";
        return -EIO;
    }
    /* The rewrite runs in-process: the same writer a child would run. */
    char *tmp = aof_temp_rewrite_name();
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = fd < 0 ? -errno : aof_rewrite_to_fd(fd, server.now_ms, true);
    if (fd >= 0) {
        close(fd);
    }
    if (rc < 0) {
        unlink(tmp);
    }
    mem_free(tmp);
    if (rc < 0 || aof_install_base() < 0) {
        *err = "ERR Error trying to rewrite the AOF, check server logs.";
        return -EIO;
    }
    return aof_debug_loadaof(err);
}

/* ---- INFO ---- */

void aof_info(char *buf, size_t cap)
{
    uint64_t done = 0, total = 0;
    if (server.loading) {
        aof_loader_progress(&done, &total);
    }
    int64_t load_secs = server.loading ? (server_mstime() - aof.load_start_ms) / 1000 : 0;
    double perc = total ? 100.0 * (double)done / (double)total : 0;
    long long eta = server.loading && done > 0 && load_secs > 0
                        ? (long long)((double)(total - done) / ((double)done / (double)load_secs))
                        : 1;
    size_t n = (size_t)snprintf(
        buf, cap,
        "loading:%d\r\nasync_loading:0\r\ncurrent_cow_peak:0\r\ncurrent_cow_size:0\r\n"
        "current_cow_size_age:0\r\ncurrent_fork_perc:0.00\r\ncurrent_save_keys_processed:0\r\n"
        "current_save_keys_total:0\r\nrdb_changes_since_last_save:%llu\r\n"
        "rdb_bgsave_in_progress:0\r\nrdb_last_save_time:%lld\r\nrdb_last_bgsave_status:ok\r\n"
        "rdb_last_bgsave_time_sec:-1\r\nrdb_current_bgsave_time_sec:-1\r\n"
        "rdb_saves:0\r\nrdb_last_cow_size:0\r\nrdb_last_load_keys_expired:0\r\n"
        "rdb_last_load_keys_loaded:0\r\naof_enabled:%d\r\naof_rewrite_in_progress:%d\r\n"
        "aof_rewrite_scheduled:%d\r\naof_last_rewrite_time_sec:%lld\r\n"
        "aof_current_rewrite_time_sec:%lld\r\naof_last_bgrewrite_status:%s\r\n"
        "aof_rewrites:%llu\r\naof_rewrites_consecutive_failures:%llu\r\n"
        "aof_last_write_status:%s\r\naof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\n"
        "module_fork_last_cow_size:0\r\n",
        server.loading, server.dirty, (long long)(server.start_ms / 1000),
        server.cfg->appendonly ? 1 : 0, aof.child > 0, aof.rewrite_scheduled,
        aof.rewrite_last_secs,
        aof.child > 0 ? (long long)((server.now_ms - aof.child_start_ms) / 1000) : -1LL,
        aof.rewrite_ok ? "ok" : "err", aof.rewrites, aof.rewrite_failures,
        aof.write_errno == 0 ? "ok" : "err");
    if (n < cap && aof.on) {
        n += (size_t)snprintf(buf + n, cap - n,
                              "aof_current_size:%lld\r\naof_base_size:%lld\r\n"
                              "aof_pending_rewrite:%d\r\naof_buffer_length:%zu\r\n"
                              "aof_pending_bio_fsync:%d\r\naof_delayed_fsync:%llu\r\n",
                              aof.base_size + aof.incr_size, aof.rewrite_base_size,
                              aof.rewrite_scheduled, aof.buf.len, aof_bio_busy() ? 1 : 0,
                              aof.delayed_fsync);
    }
    if (n < cap && server.loading) {
        snprintf(buf + n, cap - n,
                 "loading_start_time:%lld\r\nloading_total_bytes:%llu\r\n"
                 "loading_rdb_used_mem:0\r\nloading_loaded_bytes:%llu\r\n"
                 "loading_loaded_perc:%.2f\r\nloading_eta_seconds:%lld\r\n",
                 (long long)(aof.load_start_ms / 1000), (unsigned long long)total,
                 (unsigned long long)done, perc, eta);
    }
}
