/* multi.h - MULTI/EXEC/DISCARD and WATCH.
 *
 * WATCHed keys live in a key registry (keyreg.h); every write to the
 * keyspace reports the key here (db.c calls multi_touch_key), and a watcher
 * of a touched key gets CLIENT_DIRTY_CAS so its EXEC fails. The common case,
 * nobody watching anything, costs one counter test per write.
 */
#ifndef SURGE_SERVER_MULTI_H
#define SURGE_SERVER_MULTI_H

#include <stdbool.h>
#include <stddef.h>

struct client;
struct command;
struct db;

/* Called by dispatch for a client inside MULTI: queue the command (reply
 * QUEUED) unless it is one that runs at once; returns true if queued. */
bool multi_maybe_queue(struct client *c, const struct command *cmd);
/* A command failed to queue (unknown, arity, ...): EXEC must abort. */
void multi_flag_error(struct client *c);

/* Keyspace hooks: a key changed, or a whole db is flushed or swapped. */
void multi_touch_key(const struct db *db, const char *key, size_t len);
void multi_touch_db(const struct db *db);

/* Drop the client's queue and watches (close, RESET). */
void multi_reset_client(struct client *c);

#endif
