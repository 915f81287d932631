/* aof.h - the append-only file: Redis 7's multi-part layout, fed by the
 * propagation stream (server/propagate.h).
 *
 * Layout: <dir>/<appenddirname>/ holds one base file, incremental files and
 * the manifest <appendfilename>.manifest listing them (Redis 7.0's format,
 * so either server reads the other's directory). Every file is a RESP
 * command stream. New manifests and bases are written to a temp file,
 * fsynced, renamed, and the directory fsynced.
 *
 * Writing: once per loop iteration, before replies are flushed, the
 * stream's bytes are appended to the current incremental file.
 *   always   - group commit: the replies of the clients whose writes are
 *              in a batch are held until its fsync completes. The fsync
 *              runs on a background thread when the disk is slow, so
 *              other clients are served meanwhile (aof-fsync-thread).
 *   everysec - a background fsync once a second; writes are postponed (up
 *              to 2 s) while an fsync is still running, as in Redis.
 *   no       - the kernel decides.
 * A failed write keeps the bytes and retries; meanwhile write commands
 * get -MISCONF and reads keep working.
 *
 * Rewrite: a forked child writes a new base from its copy-on-write view
 * while the parent appends to a new incremental file opened at fork time;
 * the manifest then switches atomically and the old files are deleted.
 */
#ifndef SURGE_PERSISTENCE_AOF_H
#define SURGE_PERSISTENCE_AOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum aof_fsync { AOF_FSYNC_ALWAYS = 0, AOF_FSYNC_EVERYSEC, AOF_FSYNC_NO };
/* aof-fsync-thread (Surge's own setting): where appendfsync always syncs.
 * auto moves the fsync to the thread while fsyncs are slow (over 1 ms)
 * and back inline when they are fast (under 0.3 ms): inline, one fsync
 * covers every writer of a loop iteration with no thread hand-off. */
enum aof_fsync_thread { AOF_THREAD_AUTO = 0, AOF_THREAD_YES, AOF_THREAD_NO };

/* At start-up, after the dbs exist: with appendonly yes, starts loading
 * the AOF (server.loading; aof_load_step() finishes it) or creates a new
 * one. 0, or -errno after logging why. */
int aof_startup(void);
/* Load some of the AOF (about budget_us); 1 when done, 0 for more, <0 on
 * a fatal error (already logged). */
int aof_load_step(int64_t budget_us);

/* The stream's consumer (server/propagate.h prop_feed_fn). */
bool aof_feed(const char *p, size_t len, unsigned long long batch);
/* Before replies are flushed: write the stream's new bytes. */
void aof_before_replies(void);
/* Once per cron tick: everysec fsync, retries, auto rewrite, the child. */
void aof_cron(void);
/* Shutdown: write and fsync what is pending. */
void aof_shutdown(void);

/* CONFIG SET appendonly. 0 or -errno with *err. */
int aof_apply_enabled(bool on, const char **err);
/* BGREWRITEAOF. 0 or -errno with *err set to Redis's message. */
int aof_rewrite_background(const char **err);
/* DEBUG LOADAOF: write pending, empty the dataset, load the files again.
 * DEBUG RELOAD: rewrite in-process first. 0 or -errno with *err. */
int aof_debug_loadaof(const char **err);
int aof_debug_reload(const char **err);

/* Whether the files on disk hold everything written (the AOF is on and
 * not waiting for its first rewrite). */
bool aof_is_complete(void);

/* Write commands are refused (-MISCONF ...) while writes to the AOF fail;
 * returns the errno text, or NULL. */
const char *aof_write_error(void);

/* INFO persistence fields (Redis's names), appended to buf. */
void aof_info(char *buf, size_t cap);

#endif
