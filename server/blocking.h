/* blocking.h - clients blocked on empty lists (BLPOP, BLMOVE, BLMPOP...).
 *
 * A blocked client keeps a copy of its command and waits, first come first
 * served, in a key registry per (db, key). A write that adds elements marks
 * the key ready; after the command that did it, each waiter of a ready key
 * re-runs its command in turn until the key is empty again. Deadlines are
 * checked by the server's timer. While blocked, a client's further input
 * waits in its query buffer.
 */
#ifndef SURGE_SERVER_BLOCKING_H
#define SURGE_SERVER_BLOCKING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client;
struct db;

/* Parse a blocking timeout in seconds (float) at argv[i] into an absolute
 * deadline in ms (0: wait forever); replies Redis's error on failure. */
int blocking_timeout_or_reply(struct client *c, int i, int64_t *deadline_ms);

/* Called by a blocking handler that found no data. Outside a re-run it
 * blocks the client on argv[first], argv[first+step]... (nkeys keys);
 * during a re-run it leaves the client blocked. */
void blocking_wait(struct client *c, int first, int nkeys, int step, int64_t deadline_ms);
/* True while a handler is being re-run for a blocked client. */
bool blocking_is_rerun(const struct client *c);

/* A key received elements: serve its waiters after the current command. */
void blocking_key_ready(const struct db *db, const char *key, size_t len);
/* Serve ready keys (dispatch calls this after each command). */
void blocking_serve(void);
/* Time out waiters whose deadline passed. */
void blocking_timeouts(int64_t now_ms);
/* Drop the client's wait without a reply (disconnect, RESET). */
void blocking_cancel(struct client *c);
size_t blocking_clients(void);

#endif
