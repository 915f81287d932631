/* aof_rewrite.h - the dataset as commands that rebuild it.
 *
 * The AOF rewrite base (and the replication snapshot) is a RESP command
 * stream: the cache policies as CACHE.POLICY SET, then SELECT per db, strings without a deadline as MSET, then per
 * live key SET / RPUSH / SADD / ZADD / HMSET in batches of
 * AOF_REWRITE_ITEMS_PER_CMD, PEXPIREAT for a key's
 * deadline and HPEXPIREAT for hash fields with their own. Keys already
 * past their deadline are left out. Only reads the keyspace, so it can run
 * in a forked child.
 */
#ifndef SURGE_PERSISTENCE_AOF_REWRITE_H
#define SURGE_PERSISTENCE_AOF_REWRITE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define AOF_REWRITE_ITEMS_PER_CMD 64

/* Write everything to fd (fsync every 4 MiB when incremental_fsync, and
 * at the end). 0, or -errno. */
int aof_rewrite_to_fd(int fd, int64_t now_ms, bool incremental_fsync);

/* Fork a child that writes everything to path and exits 0 on success
 * (the AOF rewrite, a replica's snapshot). The child allocates nothing.
 * Returns the pid, or -errno. */
pid_t aof_rewrite_fork(const char *path, bool incremental_fsync);
/* Stop such a child (SIGUSR1), reap it and remove its file. */
void aof_rewrite_kill(pid_t pid, const char *path);

#endif
