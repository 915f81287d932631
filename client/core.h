/* core.h - libsurge internals shared by its modules: the pool, the command
 * runner with one retry on a broken connection, errors and logging.
 * Nothing here is exported (the library is built with hidden visibility);
 * internal names start with sg_.
 */
#ifndef SURGE_CLIENT_CORE_H
#define SURGE_CLIENT_CORE_H

#include <hiredis.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "client/surge.h"

struct sg_conn {
    redisContext *ctx; /* NULL until connected, or after it broke */
    bool busy;
};

/* How often a caller that does not block in CACHE.GET WAIT polls. */
#define SG_POLL_MS 20

struct surge {
    struct surge_options opts; /* host/username/password point to our copies */
    pthread_mutex_t mu;        /* guards conns[].busy and policy */
    pthread_cond_t cv;         /* a connection was checked in */
    struct sg_conn *conns;
    int blocked;               /* connections in a blocking CACHE.GET WAIT */
    atomic_int mode;           /* enum surge_mode; AUTO until detected */
    atomic_int schema_version;
    struct surge_policy *policy;
    atomic_ullong connects, reconnects, loads, fills;
};

/* Take a connection (waiting up to checkout_timeout_ms) and connect it if
 * needed: 0 or -ETIMEDOUT, or a connect error. */
int sg_checkout(struct surge *s, struct sg_conn **out);
void sg_checkin(struct surge *s, struct sg_conn *c);

/* Run one command on c; a broken connection is reconnected and the command
 * sent once more. extra_ms is added to the command timeout (CACHE.GET WAIT).
 * 0 with *reply set (possibly an error reply: see sg_reply_error), or a
 * negative error with the connection dropped. */
int sg_exec(struct surge *s, struct sg_conn *c, int extra_ms, int argc, const char **argv,
            const size_t *argvlen, redisReply **reply);
/* Check out, run one command, check in. */
int sg_exec1(struct surge *s, int argc, const char **argv, const size_t *argvlen,
             redisReply **reply);
/* Check out, run a command whose reply is an integer (*out, optional),
 * check in; an error reply gives its code (sg_reply_error). */
int sg_exec_int(struct surge *s, int argc, const char **argv, long long *out);

/* The server mode, detecting it on c (or on a connection of its own when c
 * is NULL) the first time. */
int sg_mode(struct surge *s, struct sg_conn *c, enum surge_mode *out);
/* Whether the server knows the command: COMMAND INFO name is not nil.
 * 0 with *known set, or an error. */
int sg_command_known(struct surge *s, struct sg_conn *c, const char *name, bool *known);

/* Set the calling thread's last error text (printf format). */
void sg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error reply: store its text as the last error, return its code
 * (SURGE_EBYPASS, SURGE_ELEASE, -ENOTSUP, ... see reply.h). */
int sg_reply_error(const redisReply *r);
/* When *r is an error reply: sg_reply_error, free it, *r = NULL and return
 * its code; else 0 with *r kept. */
int sg_reply_take_error(redisReply **r);
void sg_log(struct surge *s, enum surge_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A blocking wait may hold a connection only while another stays free for
 * the loader's fill: false when pool_size - 1 are already blocked. */
bool sg_wait_slot_take(struct surge *s);
void sg_wait_slot_give(struct surge *s);

long long sg_now_ms(void);
void sg_sleep_ms(int ms);

/* 32 hex characters of randomness and a NUL. */
void sg_random_token(char out[33]);
/* "v<N>:key" when a schema version is set, else a copy of key; NULL on OOM. */
char *sg_full_key(struct surge *s, const char *key);

#endif
