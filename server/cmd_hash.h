/* cmd_hash.h - what the hash command files share (cmd_hash.c and
 * cmd_hash_ttl.c): the lookups that reply WRONGTYPE and apply lazy field
 * expiry. */
#ifndef SURGE_SERVER_CMD_HASH_H
#define SURGE_SERVER_CMD_HASH_H

#include <stdbool.h>

#include "server/t_hash.h"

struct client;

struct hash_limits hash_limits_now(void);
/* The hash at argv[1] (NULL when absent); *wrong when WRONGTYPE was replied. */
struct hash_obj *hash_read_or_reply(struct client *c, bool *wrong);
/* The hash at argv[1], created when absent; NULL when WRONGTYPE was replied. */
struct hash_obj *hash_write_or_reply(struct client *c);
/* Delete the key at argv[1] when its last field went. */
void hash_drop_if_empty(struct client *c, const struct hash_obj *h);

#endif
