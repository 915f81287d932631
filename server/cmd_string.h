/* cmd_string.h - what the string command files (cmd_string.c,
 * cmd_counter.c) share. */
#ifndef SURGE_SERVER_CMD_STRING_H
#define SURGE_SERVER_CMD_STRING_H

#include <stdbool.h>
#include <stdint.h>

struct client;
struct entry;

/* The string entry at argv[i] (a write lookup when write), NULL when
 * absent; *wrong set (and WRONGTYPE replied) when the key holds another
 * type. */
struct entry *string_lookup_or_reply(struct client *c, int i, bool write, bool *wrong);

/* argv[i] as an expire time (seconds when seconds, else milliseconds;
 * from now when relative, else a Unix time) turned into an absolute
 * deadline in ms. Replies Redis's errors: not an integer, or "invalid
 * expire time in '<command>' command" when not positive or too large. */
int string_deadline_or_reply(struct client *c, int i, bool seconds, bool relative,
                             int64_t *out);

#endif
