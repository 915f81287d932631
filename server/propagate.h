/* propagate.h - the propagation stream: every write, once, in a
 * deterministic canonical form.
 *
 * Commands run through cmd_call() (server/cmd.c). A write command that
 * changed the dataset (server.dirty moved) is propagated as it was sent,
 * unless its handler rewrote it: a handler either replaces arguments of
 * the verbatim form (prop_replace_arg: EXPIRE's relative time becomes an
 * absolute PEXPIREAT) or emits its own commands (prop_cmd_begin ...
 * prop_cmd_end with replaces_call: SPOP becomes SREM). Expired keys are
 * propagated as DEL. The bytes are RESP2 arrays with SELECT inserted when
 * the db changes; the AOF (and the replication backlog) consume them.
 * Nothing is propagated while the AOF is loading.
 */
#ifndef SURGE_SERVER_PROPAGATE_H
#define SURGE_SERVER_PROPAGATE_H

#include <stdbool.h>
#include <stddef.h>

struct client;
struct command;

/* Saved per call: calls nest (EXEC runs its queue through cmd_call). */
struct prop_call {
    unsigned long long dirty;
    size_t stream_len;
    bool explicit_prop;
    int nreplace;
};

void prop_call_begin(struct prop_call *pc);
/* Propagate c's argv (with replacements) when cmd is a write that changed
 * something and its handler did not propagate by itself. */
void prop_call_end(struct prop_call *pc, struct client *c, const struct command *cmd);

/* Emit one command of argc arguments in db dbid; replaces_call suppresses
 * the verbatim form of the command being run. */
void prop_cmd_begin(int dbid, int argc);
void prop_arg(const char *p, size_t len);
void prop_arg_str(const char *s);
void prop_arg_ll(long long v);
void prop_cmd_end(bool replaces_call);

/* Replace the call with "<name> <argv[key]> [<num>]" (num < 0: no third
 * argument): GETEX as PEXPIREAT, PERSIST or DEL; BLPOP as LPOP key n. */
void prop_key_command(struct client *c, const char *name, int key, long long num);

/* Replace the call with its verbatim form (replacements applied) without
 * argv[from] and the n-1 arguments after it: SET ... IFEQ v propagates as
 * the SET without its condition. */
void prop_verbatim_without(struct client *c, int from, int n);

/* In the verbatim form of the current call, argument i becomes p/len
 * (copied). At most PROP_MAX_REPLACE per call. */
#define PROP_MAX_REPLACE 4
void prop_replace_arg(int i, const char *p, size_t len);
void prop_replace_arg_ll(int i, long long v);

/* A key the server deleted by itself (its deadline passed, eviction, an
 * outdated or purged cache entry): propagated as DEL key. */
void prop_del(int dbid, const char *key, size_t len);

/* EXEC: what the queue propagates is wrapped in MULTI ... EXEC. */
void prop_multi_begin(void);
void prop_multi_end(void);
/* Inside EXEC: the stream must not be cut (file switches wait). */
bool prop_in_exec(void);

/* Bytes are grouped in batches (one per prop_flush); a client whose write
 * is in batch b has its replies held until prop_mark_durable(b)
 * (appendfsync always). */
void prop_mark_durable(unsigned long long batch);
/* Whether the client's replies must wait for a batch to be durable. */
bool prop_client_waits(const struct client *c);
/* The next command starts with SELECT (a new AOF file begins). */
void prop_force_select(void);
/* Consumers: the AOF and the replication backlog. The stream is produced
 * while at least one is enabled. */
#define PROP_AOF 0x1u
#define PROP_REPL 0x2u
void prop_enable(unsigned who, bool on);
bool prop_enabled(void);
/* A consumer's feed: the bytes of one batch. Returns true when it will
 * call prop_mark_durable() itself (appendfsync always); otherwise the batch
 * is durable once fed. */
typedef bool (*prop_feed_fn)(const char *p, size_t len, unsigned long long batch);
void prop_set_feeds(prop_feed_fn aof, prop_feed_fn repl);
/* Hand the pending bytes to the consumers as one batch. */
void prop_flush(void);
/* A replica applies its primary's stream: the bytes are passed on as they
 * came (same offsets downstream), and db is the stream's db after them. */
void prop_raw(const char *p, size_t len, int db);
/* The db the stream is in after its last command (-1: unknown). */
int prop_stream_db(void);
void prop_deinit(void);

#endif
