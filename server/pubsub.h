/* pubsub.h - SUBSCRIBE/PSUBSCRIBE/PUBLISH and the subscribed-client state.
 *
 * Channels are a dict of channel -> subscribers; patterns a list of
 * (pattern, client). Messages are written into each subscriber's reply
 * buffer as push messages (arrays in RESP2, '>' in RESP3); a subscriber
 * that doesn't read is cut off by client-output-buffer-limit pubsub.
 */
#ifndef SURGE_SERVER_PUBSUB_H
#define SURGE_SERVER_PUBSUB_H

#include <stdbool.h>

struct client;
struct command;

/* Subscribed to anything (RESP2 clients are then restricted). */
bool pubsub_is_subscribed(const struct client *c);
/* RESP2 subscribed clients may run only these; replies the error and
 * returns false otherwise. */
bool pubsub_allowed_or_reply(struct client *c, const struct command *cmd);
/* Drop every subscription of the client (close, RESET), without replies. */
void pubsub_reset_client(struct client *c);

#endif
