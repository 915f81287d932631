/* cmd_cache.h - what the server calls into the cache commands for. */
#ifndef SURGE_SERVER_CMD_CACHE_H
#define SURGE_SERVER_CMD_CACHE_H

struct client;

/* A client waiting in CACHE.GET ... WAIT closes. */
void cache_client_closed(struct client *c);
/* Timer: answer the waiters whose WAIT ran out. */
void cache_timeouts(void);

#endif
