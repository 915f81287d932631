/* cmd_cache.h - what the server calls into the cache commands for. */
#ifndef SURGE_SERVER_CMD_CACHE_H
#define SURGE_SERVER_CMD_CACHE_H

#include <stdbool.h>

struct client;
struct command;
struct cache_policy;

/* A client waiting in CACHE.GET ... WAIT closes. */
void cache_client_closed(struct client *c);
/* Timer: answer the waiters whose WAIT ran out. */
void cache_timeouts(void);

/* The policy governing argv[1] (NULL: none). When it is a bypass policy
 * the error is replied and *refused is set. */
const struct cache_policy *cache_policy_or_reply(struct client *c, bool *refused);
/* After a plain write (cache-policy-plain-commands yes): give the keys it
 * wrote their policy's default TTL, clamped to its MAXTTL. */
void cache_policy_after_write(struct client *c, const struct command *cmd);

#endif
