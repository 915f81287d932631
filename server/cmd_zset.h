/* cmd_zset.h - what the sorted-set command files share. */
#ifndef SURGE_SERVER_CMD_ZSET_H
#define SURGE_SERVER_CMD_ZSET_H

#include <stdbool.h>

struct client;
struct zset_node;
struct zset_obj;

/* The sorted set at argv[i], NULL when absent; *wrong when WRONGTYPE was
 * replied. Writers report the change for WATCH. */
struct zset_obj *zset_at_or_reply(struct client *c, int i, bool write, bool *wrong);
/* A member, with its score when withscores (a pair in RESP3). */
void reply_member(struct client *c, const struct zset_node *n, bool withscores);

#endif
