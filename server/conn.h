/* conn.h - client connections on libuv: accept, read into the query buffer,
 * parse and dispatch every complete request, and flush replies once per
 * loop iteration (uv_check), trying a direct write first. */
#ifndef SURGE_SERVER_CONN_H
#define SURGE_SERVER_CONN_H

#include "server/server.h"

/* Start listening on cfg bind/port; replaces earlier listeners. Returns 0
 * or a negative libuv error with *err set. */
int server_listen(const char **err);
/* Close the client: pending output is dropped; memory is freed in the
 * uv_close callback. Safe to call twice. */
void conn_close(struct client *c);
/* Close after the pending replies are written (QUIT, protocol errors). */
void conn_close_after_reply(struct client *c);
/* Schedule a flush of output written to another client (PUBLISH). */
void conn_wake(struct client *c);
/* A blocked client was served or timed out: flush its reply and go on
 * with the input that waited in its query buffer. */
void conn_resume(struct client *c);
/* Flush every client with pending output (the uv_check hook). */
void conn_flush_all(void);
/* Cron work: idle timeouts. */
void conn_cron(void);
/* Bytes of output waiting for a client (buffered and in flight). */
size_t conn_output_bytes(const struct client *c);
/* Close every client and listener (shutdown). */
void conn_shutdown(void);

#endif
